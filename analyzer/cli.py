"""The `tabletrace` command: a thin shell over `analyzer.scan`, the policy stage and renderers.

Exit codes: 0 the command did its job; 1 `scan` reported a finding at or above `--fail-on`
(default `error`); 2 usage error (bad path, option or configuration, --output over a file
of the repository that tabletrace did not write, or a database that cannot be reached or
used); 3 internal error (a bug: please report it); 130 `verify` interrupted (Ctrl-C,
SIGTERM), after dropping its scratch database. A closed pipe (`tabletrace scan . | head`)
ends the output quietly, exit code unchanged.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import inspect
import json
import os
import sys
import time
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from analyzer import __version__
from analyzer.cache import FactCache, default_cache_dir
from analyzer.config import ConfigError, parse_size
from analyzer.outputs import written_by_tabletrace
from analyzer.render.text import DEFAULT_LIMIT
from analyzer.scan import DEFAULT_FILE_TIMEOUT, ScanError, default_jobs, scan_or_stored
from analyzer.stored import StoredReport, severity_counts

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

    from analyzer.models import Report, Table

# Renderers, rules, policy and the extraction engine are imported where they are used, not
# here: `tabletrace scan` answered from the cache needs none of them but the chosen renderer,
# and importing them all (LibCST, sqlglot, networkx, pglast) took longer than that answer.

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
    concise = "concise"
    github = "github"
    sarif = "sarif"
    junit = "junit"
    json = "json"
    dot = "dot"


class ExplainFormat(StrEnum):
    console = "console"
    json = "json"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class GraphFormat(StrEnum):
    dot = "dot"
    svg = "svg"
    mermaid = "mermaid"


class CatalogFormat(StrEnum):
    markdown = "markdown"
    html = "html"


PathArgument = Annotated[Path, typer.Argument(help="Repository to scan.", show_default=False)]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
ForceOption = Annotated[
    bool,
    typer.Option(
        "--force",
        help="Let --output overwrite a file inside the repository that tabletrace did not write.",
    ),
]
CollapseOption = Annotated[
    int | None,
    typer.Option(
        "--collapse", min=1, help="Group modules (and sources) by their first N package levels."
    ),
]
OnlyProblemsOption = Annotated[
    bool,
    typer.Option(
        "--only-problems", help="Only tables with findings, and the modules and sources by them."
    ),
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
    include_examples: bool | None
    dialect: str | None
    default_schema: str | None
    ignore_table: list[str] | None
    external_table: list[str] | None
    external_code: list[str] | None
    jobs: int | None
    cache_dir: Path | None
    no_cache: bool
    no_prefilter: bool
    file_timeout: float | None
    max_file_size: str | None
    select: list[str] | None
    extend_select: list[str] | None
    ignore: list[str] | None


SHARED_OPTIONS: dict[str, tuple[object, object]] = {
    "exclude": (
        list[str] | None,
        typer.Option("--exclude", help="Glob of files to skip (repeatable)."),
    ),
    "include_tests": (
        bool | None,
        typer.Option("--include-tests/--no-include-tests", help="Count test files as app code."),
    ),
    "include_examples": (
        bool | None,
        typer.Option(
            "--include-examples/--no-include-examples",
            help="Count files under examples/ and docs/ as app code.",
        ),
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
    "external_table": (
        list[str] | None,
        typer.Option(
            "--external-table",
            help="Glob of tables another application owns: external, not undefined (repeatable).",
        ),
    ),
    "external_code": (
        list[str] | None,
        typer.Option(
            "--external-code",
            help="Glob of files whose SQL runs on another application's database (repeatable).",
        ),
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
    "max_file_size": (
        str | None,
        typer.Option(
            "--max-file-size",
            help="Python files with SQL or ORM code above this size are not parsed (2MB; 0: none).",
        ),
    ),
    "select": (
        list[str] | None,
        typer.Option("--select", help="Only these rules (codes or names, comma-separated)."),
    ),
    "extend_select": (
        list[str] | None,
        typer.Option("--extend-select", help="Rules to report on top of the selection."),
    ),
    "ignore": (
        list[str] | None,
        typer.Option("--ignore", help="Rules not to report (codes or names, comma-separated)."),
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
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

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




def _rule_option(values: list[str] | None, option: str) -> list[str] | None:
    """Comma-separated rule lists from the command line, checked before any scanning."""
    if not values:
        return None
    from analyzer.policy import split_rule_list
    from analyzer.policy.selection import rule_codes

    tokens = split_rule_list(values)
    try:
        rule_codes(tokens, option)
    except ConfigError as exc:
        _fail(str(exc))
    return tokens


def _run_scan(path: Path, request: ScanRequest, *, quiet: bool = False) -> Report:
    result = _scan_result(path, request, quiet=quiet)
    return result.report() if isinstance(result, StoredReport) else result


def _scan_result(
    path: Path, request: ScanRequest, *, quiet: bool = False
) -> Report | StoredReport:
    """The scan's report, or the cache's stored report when nothing changed (which a JSON
    scan writes as stored, without building the report model: `analyzer.stored`)."""
    max_size = None
    if request.max_file_size is not None:
        try:
            max_size = parse_size(request.max_file_size)
        except ValueError as exc:
            _fail(f"--max-file-size: {exc}")
    overrides = {
        "exclude": request.exclude or None,
        "include_tests": request.include_tests,
        "include_examples": request.include_examples,
        "dialect": request.dialect,
        "default_schema": request.default_schema,
        "ignore_tables": request.ignore_table or None,
        "external_tables": request.external_table or None,
        "external_code": request.external_code or None,
        "max_file_size": max_size,
        "select": _rule_option(request.select, "--select"),
        "extend_select": _rule_option(request.extend_select, "--extend-select"),
        "ignore": _rule_option(request.ignore, "--ignore"),
    }
    if not path.exists():
        _fail(f"{path}: no such directory")
    cache = None if request.no_cache else FactCache(request.cache_dir or default_cache_dir())
    if cache is not None and _command_process:
        # Kept in the user cache directory whatever `--cache-dir` says: it depends on the
        # installation, not on the repository (`analyzer.dataclass_code`).
        from analyzer import dataclass_code

        dataclass_code.install(default_cache_dir())
    progress = _LazyProgress()
    progress.enabled = progress.enabled and not quiet
    try:
        result = scan_or_stored(
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
    summary = result if isinstance(result, StoredReport) else result.stats
    if summary.files_scanned == 0 and not quiet:
        left_out = []
        if summary.excluded_files:
            left_out.append(f"{summary.excluded_files} excluded")
        if summary.skipped_test_files:
            left_out.append(f"{summary.skipped_test_files} test files skipped")
        if summary.skipped_example_files:
            left_out.append(f"{summary.skipped_example_files} example/doc files skipped")
        note = f" ({', '.join(left_out)})" if left_out else ""
        typer.echo(f"tabletrace: no Python or SQL file found in {path}{note}", err=True)
    return result


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return False
    return True


SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


def _gate(counts: dict[str, int], fail_on: FailOn, quiet: bool = False) -> None:
    """Exit 1 when a finding reaches the `--fail-on` severity (for CI); `counts`: how many
    findings each severity has."""
    if fail_on is FailOn.never:
        return
    threshold = SEVERITY_RANK[fail_on.value]
    failing = sum(n for severity, n in counts.items() if SEVERITY_RANK[severity] >= threshold)
    if failing:
        if not quiet:
            typer.echo(
                f"tabletrace: {failing} finding(s) at or above {fail_on.value} "
                "(exit code 1; --fail-on sets the level)",
                err=True,
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


@contextlib.contextmanager
def _quiet_broken_pipe() -> Iterator[None]:
    """A reader that stops reading (`| head`) ends our output, not the run: no traceback, and
    stdout is pointed at /dev/null so that the interpreter's final flush does not fail."""
    try:
        yield
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())


@functools.cache
def _pipe_console_class() -> type[Console]:
    """rich's Console exits with code 1 when the pipe closes; this one goes quiet instead, so
    that the exit code is still the one `--fail-on` decides. (Defined on first use: a scan
    that writes JSON, SARIF... never imports rich, 20 ms of a warm scan's 0.3 s.)"""
    from rich.console import Console

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            with contextlib.suppress(OSError, ValueError, AttributeError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())

    return PipeConsole


def _pipe_console() -> Console:
    """A console on stdout that goes quiet when the pipe closes."""
    return _pipe_console_class()()


def _check_writable(output: Path, root: Path | None, force: bool) -> None:
    if (
        root is not None
        and not force
        and output.exists()
        and _inside(output, root)
        and not written_by_tabletrace(output)
    ):
        _fail(
            f"{output} is a file of the scanned repository that tabletrace did not write; "
            "not overwriting it (use --force to overwrite)"
        )


def _emit(text: str, output: Path | None, root: Path | None = None, force: bool = False) -> None:
    if output is None:
        with _quiet_broken_pipe():
            sys.stdout.write(text)
            sys.stdout.flush()
        return
    _check_writable(output, root, force)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write {output}: {exc.strerror or exc}")


def _colour_wanted() -> bool:
    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _render(report: Report, format: ScanFormat) -> str:
    """Every non-console scan format, as text (each renderer imported only for its format:
    a warm scan writing JSON is mostly start-up)."""
    if format is ScanFormat.json:
        return report.to_json()
    if format is ScanFormat.dot:
        from analyzer.render.dot import render_dot

        return render_dot(report)
    if format is ScanFormat.sarif:
        from analyzer.render.sarif import render_sarif

        return render_sarif(report)
    if format is ScanFormat.junit:
        from analyzer.render.junit import render_junit

        return render_junit(report)
    if format is ScanFormat.github:
        from analyzer.render.github import render_github

        return render_github(report)
    from analyzer.render.concise import render_concise

    return render_concise(report)


def _write_baseline(report: Report, target: Path, root: Path, force: bool, quiet: bool) -> None:
    from analyzer.policy import render_baseline

    _emit(render_baseline(report), target, root, force)
    if not quiet:
        typer.echo(
            f"tabletrace: wrote {len(report.findings)} finding(s) to the baseline {target}; "
            f"`tabletrace scan {root} --baseline {target}` now reports only new ones",
            err=True,
        )


def _with_baseline(report: Report, baseline: Path, quiet: bool) -> Report:
    from analyzer.policy import BaselineError, apply_baseline, parse_baseline

    try:
        accepted = parse_baseline(baseline.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"cannot read the baseline {baseline}: {exc.strerror or exc}")
    except (BaselineError, UnicodeDecodeError) as exc:
        _fail(f"{baseline}: {exc}")
    outcome = apply_baseline(report, accepted)
    if outcome.stale and not quiet:
        typer.echo(
            f"tabletrace: {outcome.stale} baseline entr{'y' if outcome.stale == 1 else 'ies'} "
            f"no longer match a finding (fixed?); --write-baseline {baseline} drops them",
            err=True,
        )
    return outcome.report


@app.command("scan")
@scan_options
def scan_command(
    path: PathArgument,
    format: Annotated[
        ScanFormat,
        typer.Option(
            "--format", "-f",
            help="console (default), concise (one line per finding), github (Actions "
            "annotations), sarif (code scanning), junit (CI test reports), json, dot.",
        ),
    ] = ScanFormat.console,
    output: OutputOption = None,
    force: ForceOption = False,
    fail_on: Annotated[
        FailOn,
        typer.Option(
            "--fail-on", help="Exit 1 when a finding has this severity or worse (never: exit 0)."
        ),
    ] = FailOn.error,
    baseline: Annotated[
        Path | None,
        typer.Option("--baseline", help="Report only findings this baseline file lacks."),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option("--write-baseline", help="Record every current finding in this file."),
    ] = None,
    quiet: Annotated[
        bool,
        typer.Option("--quiet", "-q", help="Findings only: no summary, inventory or notes."),
    ] = False,
    statistics: Annotated[
        bool, typer.Option("--statistics", help="Only the number of findings per rule.")
    ] = False,
    show_all: Annotated[
        bool,
        typer.Option(
            "--show-all", help=f"Console: every finding, not the first {DEFAULT_LIMIT} per rule."
        ),
    ] = False,
    database_url: DatabaseUrlOption = None,
    *,
    request: ScanRequest,
) -> None:
    """Scan a repository: table inventory, findings and diagnostics."""
    # Renderers are imported where used: a warm scan writing JSON (CI) does not pay for the
    # console's (rich tables, progress), nor for the report model when the cache answers.
    result = _scan_result(path, request, quiet=quiet)
    if (
        isinstance(result, StoredReport)
        and format in (ScanFormat.json, ScanFormat.concise) and not statistics
        and database_url is None and baseline is None and write_baseline is None
    ):
        if format is ScanFormat.json:
            text = result.text.decode("utf-8")
        else:  # the pre-commit hook's format
            from analyzer.render.concise import render_concise_json

            text = render_concise_json(result.text, color=output is None and _colour_wanted())
        _emit(text, output, path, force)
        _gate(result.severities, fail_on, quiet)
        return
    report = result.report() if isinstance(result, StoredReport) else result
    report = _with_database(report, database_url)
    if write_baseline is not None:
        _write_baseline(report, write_baseline, path, force, quiet)
        return
    if baseline is not None:
        report = _with_baseline(report, baseline, quiet)
    limit = None if show_all else DEFAULT_LIMIT
    if statistics:
        from analyzer.render.statistics import render_statistics, render_statistics_json

        text = render_statistics_json(report) if format is ScanFormat.json else (
            render_statistics(report)
        )
        _emit(text, output, path, force)
    elif format is not ScanFormat.console:
        if format is ScanFormat.concise and output is None:
            from analyzer.render.concise import render_concise

            _emit(render_concise(report, color=_colour_wanted()), None)
        else:
            _emit(_render(report, format), output, path, force)
    elif output is not None:
        from analyzer.render.console import render_text

        _emit(render_text(report, limit=limit, quiet=quiet), output, path, force)
    else:
        from analyzer.render.console import print_report

        with _quiet_broken_pipe():
            print_report(report, _pipe_console(), limit=limit, quiet=quiet)
            sys.stdout.flush()
    _gate(severity_counts(report.findings), fail_on, quiet)


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
    from analyzer.render.console import print_explain

    report = _with_database(_run_scan(path, request), database_url)
    found = _find_table(report, table, path)
    if format is ExplainFormat.json:
        data = found.model_dump(mode="json", by_alias=True)
        data["findings"] = [
            f.model_dump(mode="json") for f in report.findings if f.table == found.qualified_name
        ]
        _emit(json.dumps(data, indent=2, sort_keys=True) + "\n", None)
    else:
        with _quiet_broken_pipe():
            print_explain(report, found, _pipe_console())


@app.command("history")
@scan_options
def history_command(path: PathArgument, table: TableArgument, *, request: ScanRequest) -> None:
    """The timeline of one table across every source, renames followed, then its uses."""
    from analyzer.render.console import print_history
    from analyzer.timeline import timeline

    report = _run_scan(path, request)
    found = _find_table(report, table, path)
    with _quiet_broken_pipe():
        print_history(report, found, timeline(report, found), _pipe_console())


@app.command("graph")
@scan_options
def graph_command(
    path: PathArgument,
    table: Annotated[str | None, typer.Option(help="Only this table and its neighbours.")] = None,
    revisions: Annotated[
        bool, typer.Option("--revisions", help="Draw the Alembic revision DAG instead.")
    ] = False,
    collapse: CollapseOption = None,
    only_problems: OnlyProblemsOption = False,
    format: Annotated[
        GraphFormat,
        typer.Option("--format", "-f", help="dot, svg (needs Graphviz) or mermaid."),
    ] = GraphFormat.dot,
    output: OutputOption = None,
    force: ForceOption = False,
    *,
    request: ScanRequest,
) -> None:
    """Diagram: modules (by package) -> tables <- sources (DOT, SVG or Mermaid)."""
    from analyzer.render.dot import GraphvizMissing, render_dot, render_revisions_dot, render_svg
    from analyzer.render.mermaid import render_mermaid

    report = _run_scan(path, request)
    if table is not None:
        _find_table(report, table, path)
    if revisions:
        if not report.revisions:
            _fail(f"no Alembic revisions found in {path}")
        if format is GraphFormat.mermaid:
            _fail("--revisions is drawn with Graphviz only: use --format dot or svg")
        dot_text = render_revisions_dot(report)
    elif format is GraphFormat.mermaid:
        _emit(
            render_mermaid(report, table, collapse=collapse, only_problems=only_problems),
            output, path, force,
        )
        return
    else:
        dot_text = render_dot(report, table, collapse=collapse, only_problems=only_problems)
    if format is GraphFormat.svg:
        try:
            _emit(render_svg(dot_text), output, path, force)
        except GraphvizMissing as exc:
            _fail(str(exc))
    else:
        _emit(dot_text, output, path, force)


@app.command("catalog")
@scan_options
def catalog_command(
    path: PathArgument,
    format: Annotated[
        CatalogFormat,
        typer.Option("--format", "-f", help="markdown, or html (one self-contained file)."),
    ] = CatalogFormat.markdown,
    collapse: CollapseOption = None,
    only_problems: OnlyProblemsOption = False,
    output: OutputOption = None,
    force: ForceOption = False,
    *,
    request: ScanRequest,
) -> None:
    """A data dictionary: every table with its sources, columns, users and findings."""
    from analyzer.render.catalog import render_catalog_html, render_catalog_markdown
    from analyzer.render.dot import GraphvizMissing, render_dot, render_svg

    report = _run_scan(path, request)
    if format is CatalogFormat.markdown:
        _emit(render_catalog_markdown(report), output, path, force)
        return
    svg = None
    try:
        svg = render_svg(render_dot(report, collapse=collapse, only_problems=only_problems))
    except GraphvizMissing:
        typer.echo(
            "tabletrace: Graphviz's `dot` is not installed, so the catalogue has no diagram "
            "(Debian/Ubuntu: apt-get install graphviz)",
            err=True,
        )
    _emit(render_catalog_html(report, svg), output, path, force)


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
        FailOn,
        typer.Option(
            "--fail-on", help="Exit 1 when a finding has this severity or worse (never: exit 0)."
        ),
    ] = FailOn.error,
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
        from rich.console import Console

        print_verification(verified, build, Console())
    _gate(severity_counts(verified.findings), fail_on)


@app.command("schema")
def schema_command(output: OutputOption = None) -> None:
    """Print the JSON Schema of the report (for tools that read `scan --format json`)."""
    from analyzer.models import report_json_schema

    _emit(json.dumps(report_json_schema(), indent=2, sort_keys=True) + "\n", output)


@app.command("rules")
def rules_command() -> None:
    """List every finding tabletrace reports, with its stable code and severity."""
    from analyzer.rules import RULES

    console = _pipe_console()
    with _quiet_broken_pipe():
        for rule in RULES:
            console.print(f"[bold]{rule.code}[/] {rule.name} [dim]({rule.severity})[/]")
            console.print(f"    {rule.summary}", markup=False)


@app.command("rule")
def rule_command(
    name: Annotated[str, typer.Argument(help="A rule code (TT002) or name (dead-table).")],
) -> None:
    """A rule's documentation: what it means, why it matters, how to fix it, examples."""
    from rich.markdown import Markdown

    from analyzer.policy import find_rule
    from analyzer.render.ruledoc import rule_markdown

    rule = find_rule(name)
    if rule is None:
        _fail(f"no rule {name!r}; `tabletrace rules` lists them")
    if sys.stdout.isatty():  # rendered for a terminal; the Markdown source when piped
        with _quiet_broken_pipe():
            _pipe_console().print(Markdown(rule_markdown(rule)))
    else:
        _emit(rule_markdown(rule), None)


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
    """The `tabletrace` command: `app()` in a process that ends when its command does (tests
    and other Python code call `app()`, which leaves the process as it found it)."""
    # The pipeline already runs with the collector paused (millions of acyclic facts);
    # re-enabling it when the scan returns made the next allocation walk everything still
    # alive (1.3 s after one changed file at 5,000 modules) for memory the exit frees anyway.
    # Worker processes turn it back on for themselves (`analyzer.engine`).
    gc.disable()
    global _command_process
    _command_process = True
    try:
        app()
    except BrokenPipeError:  # a reader that went away outside the guarded writes
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise SystemExit(0) from None
    except SystemExit as done:
        _end(done.code)  # returns only when the teardown may be needed
        raise
    _end(0)


#: Whether this process is the `tabletrace` command (`main`), which may keep the code
#: `dataclasses` compiles in the cache directory (`analyzer.dataclass_code`); `app()` called
#: by tests or other Python code leaves the standard library as it is.
_command_process = False


def _end(code: object) -> None:
    dataclass_code = sys.modules.get("analyzer.dataclass_code")
    if dataclass_code is not None:
        dataclass_code.save()
    exit_without_teardown(code)


#: Modules that hold connections to a database server or file (`verify`, `compare`): their
#: process ends through the interpreter's teardown, which closes them as they expect.
_CONNECTION_MODULES = ("psycopg", "sqlite3")


def exit_without_teardown(code: object) -> None:
    """End the process at once with `code`'s status, without the interpreter's teardown,
    which frees every object one by one and collects garbage a last time: after a cold scan
    that was 0.12-0.13 s of lnbits' 1.8 s, 0.26-0.30 s of the generated 1,000 modules' and
    0.40 s of synapse's (two runs each), memory the system takes back whole anyway.

    Only when nothing needs the teardown: every file this process writes is closed by then
    (written whole, the cache's pack replaced atomically); so this returns, and the caller
    exits as usual, when a thread or a child process is still alive (the worker pool shut
    down), a finalizer waits for the exit (a temporary directory), a module holding a
    database connection was imported, the status is not a number (Python prints it), or the
    standard streams cannot be flushed (a reader gone)."""
    import threading
    import weakref

    if code is not None and type(code) is not int:
        return
    if threading.active_count() > 1 or any(name in sys.modules for name in _CONNECTION_MODULES):
        return
    processes = sys.modules.get("multiprocessing")
    if processes is not None and processes.active_children():
        return
    finalizers = getattr(weakref.finalize, "_registry", None)
    if not isinstance(finalizers, dict) or any(
        getattr(info, "atexit", True) for info in finalizers.values()
    ):
        return
    logging = sys.modules.get("logging")
    try:
        if logging is not None:
            logging.shutdown()  # (what its own exit hook does: handlers flushed and closed)
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return
    os._exit(code or 0)


__all__ = ["app", "exit_without_teardown", "main"]
