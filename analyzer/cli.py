"""The `tabletrace` command: a thin shell over `analyzer.scan` and the renderers.

Exit codes: 0 the command did its job; 1 `scan --fail-on` found findings at that severity;
2 usage error (bad path, option or configuration, or --output inside the repository, or a
database that cannot be reached or used); 3 internal error (a bug in tabletrace: please report
it); 130 `verify` interrupted (Ctrl-C, SIGTERM), after dropping its scratch database.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import json
import sys
import time
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from typer.core import TyperGroup

from analyzer import __version__
from analyzer.cache import FactCache, default_cache_dir
from analyzer.config import ConfigError
from analyzer.engine import default_jobs
from analyzer.models import Report, Table, report_json_schema
from analyzer.render.console import (
    print_explain,
    print_history,
    print_report,
    render_text,
    text_console,
)
from analyzer.render.dot import GraphvizMissing, render_dot, render_revisions_dot, render_svg
from analyzer.rules import RULES
from analyzer.scan import DEFAULT_FILE_TIMEOUT, ScanError, scan
from analyzer.timeline import timeline

EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130


# click's UsageError, whether typer vendors click (typer >= 0.2x) or uses the click package.
_UsageError = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


@contextlib.contextmanager
def _one_line_usage_errors() -> Iterator[None]:
    try:
        yield
    except _UsageError as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # click >= 8.2: `tabletrace` alone
            raise
        message = " ".join(exc.format_message().split()).rstrip(".")
        command = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
        _fail(message + command)


class _OneLineUsageErrors(TyperGroup):
    """A usage error (unknown option, bad value, missing argument) is one line on stderr and
    exit code 2, like a bad path or configuration, instead of click's usage box."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _one_line_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _one_line_usage_errors():
            return super().invoke(ctx)


app = typer.Typer(
    cls=_OneLineUsageErrors,
    add_completion=False,
    no_args_is_help=True,
    # A traceback's local variables could hold a --database-url password: never show them.
    pretty_exceptions_show_locals=False,
    help="Which tables exist, where each is created, dropped or renamed, and which code uses it.",
)


class ScanFormat(StrEnum):
    console = "console"
    json = "json"
    dot = "dot"


class ExplainFormat(StrEnum):
    console = "console"
    json = "json"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"


class GraphFormat(StrEnum):
    dot = "dot"
    svg = "svg"


PathArgument = Annotated[Path, typer.Argument(help="Repository to scan.", show_default=False)]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Let --output overwrite a file inside the repository.")
]
TableArgument = Annotated[str, typer.Argument(help="Table name: name, schema.name.")]
DatabaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="Compare with this live database, read-only (postgresql://... or sqlite:///path); "
        "PostgreSQL adds usage statistics. Needs tabletrace[postgres] for PostgreSQL.",
        show_default=False,
    ),
]


@dataclass(frozen=True, slots=True)
class ScanRequest:
    """The options every scanning command shares, gathered by `scan_options`."""

    exclude: list[str] | None
    include_tests: bool | None
    dialect: str | None
    default_schema: str | None
    ignore_table: list[str] | None
    jobs: int | None
    cache_dir: Path | None
    no_cache: bool
    no_prefilter: bool
    file_timeout: float | None


SHARED_OPTIONS: dict[str, tuple[object, object]] = {
    "exclude": (
        list[str] | None,
        typer.Option("--exclude", help="Glob of files to skip (repeatable)."),
    ),
    "include_tests": (
        bool | None,
        typer.Option("--include-tests/--no-include-tests", help="Count test files as app code."),
    ),
    "dialect": (str | None, typer.Option(help="sqlglot dialect (default postgres).")),
    "default_schema": (
        str | None,
        typer.Option("--default-schema", help="Schema of unqualified names."),
    ),
    "ignore_table": (
        list[str] | None,
        typer.Option("--ignore-table", help="Glob of table names to leave out (repeatable)."),
    ),
    "jobs": (
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: one per core)."),
    ),
    "cache_dir": (
        Path | None,
        typer.Option(help="Cache of per-file facts (default: the user cache directory)."),
    ),
    "no_cache": (bool, typer.Option("--no-cache", help="Neither read nor write the cache.")),
    "no_prefilter": (
        bool,
        typer.Option("--no-prefilter", help="Parse every file, even those that cannot matter."),
    ),
    "file_timeout": (
        float | None,
        typer.Option(
            "--file-timeout", min=0.0, help="Seconds allowed per file before it is skipped (60)."
        ),
    ),
}


def scan_options(command: Callable[..., None]) -> Callable[..., None]:
    """Add the shared options to a command and hand them to it as one `request` argument."""
    signature = inspect.signature(command)
    own = [p for p in signature.parameters.values() if p.name != "request"]
    hints = typing.get_type_hints(command, include_extras=True)
    shared = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=False if annotation is bool else None,
            annotation=Annotated[annotation, option],  # type: ignore[valid-type]
        )
        for name, (annotation, option) in SHARED_OPTIONS.items()
    ]

    @functools.wraps(command)
    def wrapper(**kwargs: object) -> None:
        request = ScanRequest(**{name: kwargs.pop(name) for name in SHARED_OPTIONS})  # type: ignore[arg-type]
        command(request=request, **kwargs)

    wrapper.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[p.replace(annotation=hints.get(p.name, p.annotation)) for p in own] + shared
    )
    wrapper.__annotations__ = {}
    return wrapper


def _fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    typer.echo(f"tabletrace: {message}", err=True)
    raise typer.Exit(code)


class _LazyProgress:
    """A rich progress bar on stderr, shown only on a terminal and only once a scan has taken
    more than about a second; nothing is written to stdout."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.bar: Progress | None = None
        self.task: TaskID | None = None
        self.enabled = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.started < 1.0:
                return
            self.bar = Progress(
                TextColumn("scanning"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=Console(stderr=True), transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task("files", total=total)
        assert self.task is not None
        self.bar.update(self.task, completed=done, total=total)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


def _run_scan(path: Path, request: ScanRequest) -> Report:
    overrides = {
        "exclude": request.exclude or None,
        "include_tests": request.include_tests,
        "dialect": request.dialect,
        "default_schema": request.default_schema,
        "ignore_tables": request.ignore_table or None,
    }
    if not path.exists():
        _fail(f"{path}: no such directory")
    cache = None if request.no_cache else FactCache(request.cache_dir or default_cache_dir())
    progress = _LazyProgress()
    try:
        return scan(
            path,
            overrides,
            jobs=request.jobs or default_jobs(),
            cache=cache,
            prefilter=not request.no_prefilter,
            progress=progress,
            file_timeout=(
                request.file_timeout if request.file_timeout is not None else DEFAULT_FILE_TIMEOUT
            ),
        )
    except (ScanError, ConfigError) as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug: say so, with a pointer, never a bare traceback
        _fail(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in tabletrace "
            f"{__version__}; please report it with the command you ran.",
            EXIT_INTERNAL,
        )
    finally:
        progress.stop()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def _gate(report: Report, fail_on: FailOn | None) -> None:
    """Exit 1 when a finding reaches the `--fail-on` severity (for CI)."""
    if fail_on is None:
        return
    threshold = SEVERITY_RANK[fail_on.value]
    failing = [f for f in report.findings if SEVERITY_RANK[f.severity] >= threshold]
    if failing:
        typer.echo(
            f"tabletrace: {len(failing)} finding(s) at or above {fail_on.value}", err=True
        )
        raise typer.Exit(EXIT_FINDINGS)


def _with_database(report: Report, database_url: str | None) -> Report:
    """Fold a live database's catalogue and statistics into the report (--database-url)."""
    if database_url is None:
        return report
    from analyzer.database import DatabaseError, DriverMissing
    from analyzer.database.run import compare_with_database

    try:
        return compare_with_database(report, database_url)
    except DriverMissing as exc:
        _fail(f"--database-url: {exc}")
    except DatabaseError as exc:
        _fail(str(exc))
    except Exception as exc:  # a bug: say so, and never with the URL's password
        _internal_error(exc)


def _internal_error(exc: Exception) -> NoReturn:
    from analyzer.database.url import scrub

    _fail(
        f"internal error: {type(exc).__name__}: {scrub(str(exc))}. This is a bug in "
        f"tabletrace {__version__}; please report it with the command you ran.",
        EXIT_INTERNAL,
    )


def _find_table(report: Report, name: str, path: Path) -> Table:
    found = report.table(name)
    if found is None:
        close = [t.qualified_name for t in report.tables if name.lower() in t.name.lower()]
        hint = f"; did you mean {', '.join(close[:5])}?" if close else ""
        _fail(f"no table {name!r} in {path}{hint}")
    return found


def _emit(text: str, output: Path | None, root: Path | None = None, force: bool = False) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    if root is not None and not force and output.exists() and _inside(output, root):
        _fail(
            f"{output} is a file inside the scanned repository; not overwriting it "
            "(use --force to overwrite)"
        )
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")


@app.command("scan")
@scan_options
def scan_command(
    path: PathArgument,
    format: Annotated[ScanFormat, typer.Option("--format", "-f")] = ScanFormat.console,
    output: OutputOption = None,
    force: ForceOption = False,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Exit 1 when a finding has this severity or worse."),
    ] = None,
    database_url: DatabaseUrlOption = None,
    *,
    request: ScanRequest,
) -> None:
    """Scan a repository: table inventory, findings and diagnostics."""
    report = _with_database(_run_scan(path, request), database_url)
    if format is ScanFormat.json:
        _emit(report.to_json(), output, path, force)
    elif format is ScanFormat.dot:
        _emit(render_dot(report), output, path, force)
    elif output is not None:
        _emit(render_text(report), output, path, force)
    else:
        print_report(report, Console())
    _gate(report, fail_on)


@app.command("explain")
@scan_options
def explain_command(
    path: PathArgument,
    table: TableArgument,
    format: Annotated[ExplainFormat, typer.Option("--format", "-f")] = ExplainFormat.console,
    database_url: DatabaseUrlOption = None,
    *,
    request: ScanRequest,
) -> None:
    """Every definition, drop, rename and use of one table, with file:line and SQL."""
    report = _with_database(_run_scan(path, request), database_url)
    found = _find_table(report, table, path)
    if format is ExplainFormat.json:
        data = found.model_dump(mode="json", by_alias=True)
        data["findings"] = [
            f.model_dump(mode="json") for f in report.findings if f.table == found.qualified_name
        ]
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
    else:
        print_explain(report, found, Console())


@app.command("history")
@scan_options
def history_command(path: PathArgument, table: TableArgument, *, request: ScanRequest) -> None:
    """The timeline of one table across every source, renames followed, then its uses."""
    report = _run_scan(path, request)
    found = _find_table(report, table, path)
    print_history(report, found, timeline(report, found), Console())


@app.command("graph")
@scan_options
def graph_command(
    path: PathArgument,
    table: Annotated[str | None, typer.Option(help="Only this table and its neighbours.")] = None,
    revisions: Annotated[
        bool, typer.Option("--revisions", help="Draw the Alembic revision DAG instead.")
    ] = False,
    format: Annotated[GraphFormat, typer.Option("--format", "-f")] = GraphFormat.dot,
    output: OutputOption = None,
    force: ForceOption = False,
    *,
    request: ScanRequest,
) -> None:
    """Graphviz diagram: modules (by package) -> tables <- sources."""
    report = _run_scan(path, request)
    if table is not None:
        _find_table(report, table, path)
    if revisions:
        if not report.revisions:
            _fail(f"no Alembic revisions found in {path}")
        dot_text = render_revisions_dot(report)
    else:
        dot_text = render_dot(report, table)
    if format is GraphFormat.svg:
        try:
            _emit(render_svg(dot_text), output, path, force)
        except GraphvizMissing as exc:
            _fail(str(exc))
    else:
        _emit(dot_text, output, path, force)


@app.command("verify")
@scan_options
def verify_command(
    path: PathArgument,
    dev_url: Annotated[
        str,
        typer.Option(
            "--dev-url",
            help="A development PostgreSQL server (postgresql://user@host/empty_db): a scratch "
            "database is created there for the run and dropped afterwards.",
            show_default=False,
        ),
    ],
    force_scratch: Annotated[
        bool,
        typer.Option(
            "--force-scratch", help="Use a --dev-url database that already holds tables."
        ),
    ] = False,
    format: Annotated[ExplainFormat, typer.Option("--format", "-f")] = ExplainFormat.console,
    fail_on: Annotated[
        FailOn | None,
        typer.Option("--fail-on", help="Exit 1 when a finding has this severity or worse."),
    ] = None,
    *,
    request: ScanRequest,
) -> None:
    """Build the ordered SQL sources in a scratch PostgreSQL database; report what it rejects."""
    from analyzer.database import DatabaseError, DriverMissing
    from analyzer.database.render import print_verification
    from analyzer.database.run import verify_repository

    report = _run_scan(path, request)
    try:
        verified, build = verify_repository(
            report,
            path,
            dev_url,
            force_scratch=force_scratch,
            announce=lambda text: typer.echo(f"tabletrace: {text}", err=True),
        )
    except DriverMissing as exc:
        _fail(f"verify: {exc}")
    except DatabaseError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; the scratch database was dropped", EXIT_INTERRUPTED)
    except Exception as exc:  # a bug: say so, and never with the URL's password
        _internal_error(exc)
    if format is ExplainFormat.json:
        sys.stdout.write(verified.to_json())
    else:
        print_verification(verified, build, Console())
    _gate(verified, fail_on)


@app.command("schema")
def schema_command(output: OutputOption = None) -> None:
    """Print the JSON Schema of the report (for tools that read `scan --format json`)."""
    _emit(json.dumps(report_json_schema(), indent=2, sort_keys=True) + "\n", output)


@app.command("rules")
def rules_command() -> None:
    """List every finding tabletrace reports, with its stable code and severity."""
    console = Console()
    for rule in RULES:
        console.print(f"[bold]{rule.code}[/] {rule.name} [dim]({rule.severity})[/]")
        console.print(f"    {rule.summary}")


def version_callback(value: bool) -> None:
    if value:
        typer.echo(f"tabletrace {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool, typer.Option("--version", callback=version_callback, is_eager=True)
    ] = False,
) -> None:
    """tabletrace: static code-to-table usage analysis for Python repositories."""


def main() -> None:
    app()


__all__ = ["app", "main", "text_console"]
