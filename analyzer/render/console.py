"""Rich console rendering of a report, readable in an 80-column terminal."""

from __future__ import annotations

import io
import textwrap
from collections import defaultdict
from collections.abc import Iterable

from rich.console import Console
from rich.text import Text

from analyzer.database.evidence import database_lines
from analyzer.models import Definition, Diagnostic, Finding, Report, Table
from analyzer.render.text import (
    DEFAULT_LIMIT,
    diagnostic_where,
    finding_subject,
    location_text,
    one_line,
    plural,
    where,
    wrap,
)
from analyzer.rules import RULES_BY_CODE
from analyzer.timeline import Event

STATUS_STYLE = {
    "used": "green",
    "dead": "yellow",
    "undefined": "bold red",
    "broken": "bold red",
    "dropped": "bold red",
    "runtime-only": "magenta",
    "temporary": "dim magenta",
    "removed": "dim",
    "system": "dim",
    "external": "cyan",
    "unmanaged": "bold yellow",
}
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
MAX_LOCATIONS = 3


def text_console(width: int = 80) -> Console:
    """A console that records plain text (no colour, no terminal codes) at a fixed width."""
    return Console(
        file=io.StringIO(), width=width, color_system=None, force_terminal=False,
        legacy_windows=False, soft_wrap=False, emoji=False, highlight=False,
    )


def render_text(
    report: Report, width: int = 80, *, limit: int | None = DEFAULT_LIMIT, quiet: bool = False
) -> str:
    """The console report as plain text (for --output and reports/scan.txt)."""
    console = text_console(width)
    print_report(report, console, limit=limit, quiet=quiet)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def _defined_by(table: Table) -> str:
    """Source kinds that create or declare the table; `alembic(2)`: two separate sources."""
    sources: dict[str, set[str]] = defaultdict(set)
    for definition in table.definitions:
        if definition.operation in ("create", "create_temporary", "rename_to", "declare"):
            sources[definition.source_kind].add(definition.source)
    for state in table.states:
        if state.source_kind == "external":  # an owner outside the repository, no definition
            sources[state.source_kind].add(state.source)
    if not sources:
        return "-"
    return " ".join(
        kind if len(ids) == 1 else f"{kind}({len(ids)})" for kind, ids in sorted(sources.items())
    )


def _used_by(table: Table) -> str:
    if not table.uses:
        return "-"
    kinds = "".join(k[0] for k in ("read", "write", "ddl") if any(u.kind == k for u in table.uses))
    modules = len(table.used_by_modules)
    return f"{modules} mod{'s' if modules != 1 else ''} ({kinds})"


INVENTORY_LEGEND = (
    "defined by: the kinds of source that create or declare the table (alembic; django: "
    "Django migrations; sql: .sql files; migration-module: ordered migration functions; "
    "create_all: metadata.create_all(); runtime: DDL in application code; model: ORM classes; "
    "external: owned outside the repository, by a Django contrib or third-party app, an "
    "unmanaged model, a database the code ATTACHes or `external_tables` in the configuration), "
    "`alembic(2)`: two separate sources of "
    "that kind. used by: modules of application code, r read, w write, d DDL."
)


def _severity_counts(findings: Iterable[Finding]) -> str:
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        counts[finding.severity] += 1
    return ", ".join(
        plural(counts[s], s, "info" if s == "info" else None)
        for s in ("error", "warning", "info")
        if counts[s]
    )


def _suppressed_note(report: Report) -> str:
    suppressed = report.stats.suppressed
    if not suppressed:
        return ""
    labels = {"comment": "by comments", "per-file-ignores": "by per-file-ignores",
              "baseline": "by the baseline"}
    parts = [f"{count} {labels.get(how, how)}" for how, count in sorted(suppressed.items())]
    return f"; {sum(suppressed.values())} suppressed ({', '.join(parts)})"


def _revision_word(definition: Definition) -> str:
    """Alembic has revisions, Django migrations."""
    return "migration" if definition.source_kind == "django" else "revision"


def _wrapped(head: str, parts: list[str], width: int = 80) -> str:
    """`head` then the comma-separated parts, continued under the first part past `width`."""
    lines = [head]
    for index, part in enumerate(parts):
        piece = part + ("," if index < len(parts) - 1 else "")
        if len(lines[-1]) + len(piece) + 1 > width and lines[-1].strip() != head.strip():
            lines.append(" " * 9)
        elif not lines[-1].endswith((" ", ": ")):
            piece = " " + piece
        lines[-1] += piece
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _summary(report: Report) -> Text:
    stats = report.stats
    severities: dict[str, int] = defaultdict(int)
    for finding in report.findings:
        severities[finding.severity] += 1
    text = Text()
    text.append(f"tabletrace {report.tool_version}", style="bold")
    text.append(f"  {report.root}\n")
    extra = []
    if stats.alembic_files:
        extra.append(f"{stats.alembic_files} alembic")
    if stats.skipped_test_files:
        extra.append(f"{stats.skipped_test_files} test files skipped")
    if stats.skipped_example_files:
        extra.append(f"{stats.skipped_example_files} example/doc files skipped")
    if stats.excluded_files:
        extra.append(f"{stats.excluded_files} excluded")
    text.append(
        f"files    {stats.python_files} Python, {stats.sql_files} SQL"
        + (f" ({', '.join(extra)})" if extra else "")
        + "\n"
    )
    text.append(
        f"sql      {stats.sql_statements} statements, {stats.sql_statements_unparsed} unparsed; "
        f"{stats.sql_strings} SQL strings in code\n"
    )
    by_status: dict[str, int] = defaultdict(int)
    for table in report.tables:
        by_status[table.status] += 1
    ranked = sorted(by_status.items(), key=lambda item: (-item[1], item[0]))
    text.append(_wrapped(f"tables   {stats.tables}: ", [f"{n} {s}" for s, n in ranked]))
    modules = len({use.module for table in report.tables for use in table.uses})
    text.append(f"uses     {stats.uses} in {modules} modules\n")
    if report.revisions:
        environments = len({r.environment for r in report.revisions})
        text.append(
            f"alembic  {len(report.revisions)} revisions in {environments} "
            f"environment{'s' if environments != 1 else ''}\n"
        )
    if stats.django_migrations:
        projects = len([s for s in report.sources if s.kind == "django"])
        text.append(
            f"django   {stats.django_migrations} migrations in {projects} "
            f"project{'s' if projects != 1 else ''}\n"
        )
    if report.database is not None:
        database = report.database
        since = (
            f"statistics since {database.stats_reset[:10]}"
            if database.stats_reset
            else ("statistics never reset" if database.has_statistics else "no statistics")
        )
        text.append(f"database {database.url}: {database.tables} relations, {since}\n")
    text.append("findings ")
    parts = [(f"{severities[s]} {s}{'s' if severities[s] != 1 else ''}", SEVERITY_STYLE[s])
             for s in ("error", "warning", "info")]
    for index, (label, style) in enumerate(parts):
        text.append(label, style=style)
        text.append(", " if index < len(parts) - 1 else "")
    text.append(f"; {stats.diagnostics} diagnostics{_suppressed_note(report)}")
    return text


def _say(console: Console, text: str, indent: int = 0, style: str = "") -> None:
    """Print `text` wrapped at spaces only (see analyzer.render.text), never cut or cropped."""
    for line in wrap(text, console.width, indent):
        console.print(Text(line, style=style), soft_wrap=True)


def print_inventory(tables: list[Table], console: Console) -> None:
    """The table inventory: one row per table, columns sized to their content.

    Nothing is cut: a name wider than its column gets a line of its own (the other columns go
    below it), and the source kinds wrap inside their column at spaces."""
    rows = [
        (table.qualified_name, _defined_by(table), _used_by(table), table.status)
        for table in tables
    ]
    headers = ("table", "defined by", "used by", "status")
    used_width = max([len(headers[2]), *(len(row[2]) for row in rows)])
    status_width = max([len(headers[3]), *(len(row[3]) for row in rows)])
    defined_longest = max([len(headers[1]), *(len(row[1]) for row in rows)])
    free = console.width - 1 - used_width - status_width - 3 * 2
    longest_name = max([len(headers[0]), *(len(row[0]) for row in rows)])
    # a source kind is never cut ("migration-module"): the column is at least that wide
    longest_kind = max([0, *(len(word) for row in rows for word in row[1].split())])
    name_width = max(20, min(longest_name, free - max(min(defined_longest, 12), longest_kind)))
    defined_width = max(10, longest_kind, min(defined_longest, free - name_width))

    def line(name: str, defined: str, used: str, status: str, style: str = "") -> Text:
        text = Text(" " + name.ljust(name_width) + "  ")
        text.append(defined.ljust(defined_width) + "  " + used.ljust(used_width) + "  ")
        text.append(status, style=style)
        return text

    console.print(line(*headers), soft_wrap=True)
    rule_width = name_width + defined_width + used_width + status_width + 6
    console.print(Text(" " + "-" * rule_width, style="dim"), soft_wrap=True)
    for name, defined, used, status in rows:
        style = STATUS_STYLE.get(status, "")
        if len(name) > name_width:
            console.print(Text(" " + name), soft_wrap=True)
            name = ""
        kinds = (
            textwrap.wrap(defined, defined_width, break_long_words=False, break_on_hyphens=False)
            or [defined]
        )
        console.print(line(name, kinds[0], used, status, style), soft_wrap=True)
        for more in kinds[1:]:
            console.print(Text(" " * (name_width + 3) + more), soft_wrap=True)
    console.print()
    _say(console, INVENTORY_LEGEND, 1, "dim")
    console.print()


def _print_finding(finding: Finding, console: Console) -> None:
    _say(console, finding_subject(finding), 2, "bold")
    _say(console, finding.message, 4)
    shown = finding.locations[:MAX_LOCATIONS]
    for location in shown:
        _say(console, location_text(location), 6, "dim")
    hidden = len(finding.locations) - len(shown)
    if hidden > 0:
        _say(console, f"... and {plural(hidden, 'more location')}", 6, "dim")


def print_findings(findings: list[Finding], console: Console, limit: int | None) -> None:
    """Findings grouped by rule: a header with the count, the first `limit` of each rule."""
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_code[finding.code].append(finding)
    for code in sorted(by_code):
        items = by_code[code]
        header = Text(f"{code} {items[0].name}", style="bold")
        header.append(f": {_severity_counts(items)}", style="dim")
        console.print(header, soft_wrap=True)
        rule = RULES_BY_CODE.get(code)
        if rule:
            _say(console, rule.summary, 2, "italic")
        shown = items if limit is None else items[:limit]
        for finding in shown:
            _print_finding(finding, console)
        hidden = len(items) - len(shown)
        if hidden:
            _say(
                console,
                f"... {plural(hidden, f'more {items[0].name} finding')} (--show-all lists "
                "every finding; --format concise prints one line each)",
                2,
                "dim",
            )
        console.print()


def print_diagnostics(
    diagnostics: list[Diagnostic], console: Console, limit: int | None
) -> None:
    """Diagnostics grouped by code, the first `limit` of each."""
    by_code: dict[str, list[Diagnostic]] = defaultdict(list)
    for diagnostic in diagnostics:
        by_code[diagnostic.code].append(diagnostic)
    for code in sorted(by_code):
        items = by_code[code]
        header = Text(code, style="yellow")
        header.append(f": {len(items)}", style="dim")
        console.print(header, soft_wrap=True)
        shown = items if limit is None else items[:limit]
        for diagnostic in shown:
            _say(console, diagnostic_where(diagnostic), 2, "bold")
            _say(console, diagnostic.message, 4)
        hidden = len(items) - len(shown)
        if hidden:
            _say(console, f"... {plural(hidden, f'more {code} diagnostic')} (--show-all)", 2, "dim")


def print_report(
    report: Report,
    console: Console,
    *,
    limit: int | None = DEFAULT_LIMIT,
    quiet: bool = False,
) -> None:
    """The console report. `limit`: findings (and diagnostics) shown per rule, None for all;
    `quiet`: findings and diagnostics only, no summary and no inventory."""
    if not quiet:
        console.print(_summary(report), soft_wrap=True)
        console.print()
        console.rule("Tables", align="left")
        print_inventory(report.tables, console)
        console.rule("Findings", align="left")
    if report.findings:
        print_findings(report.findings, console, limit)
    elif not quiet:
        console.print("  no findings\n")
    if report.diagnostics:
        if not quiet:
            console.rule("Diagnostics", align="left")
        print_diagnostics(report.diagnostics, console, limit)


def _print_wrapped(console: Console, text: Text | str, indent: int) -> None:
    """Print `text` (styles kept) wrapped at spaces only, `indent` columns in; never cropped."""
    if isinstance(text, str):
        text = Text(text)
    if any(char in text.plain for char in "\n\r\t\f\v"):
        text = Text(one_line(text.plain), style=text.style)
    plain = text.plain
    position = 0
    lines = textwrap.wrap(
        plain, width=max(console.width - indent, 20), break_long_words=False,
        break_on_hyphens=False,
    ) or [""]
    for line in lines:
        start = plain.find(line, position)
        position = start + len(line)
        console.print(Text(" " * indent) + text[start:position], soft_wrap=True)


def _print_references(table: Table, console: Console, title: str) -> None:
    """ForeignKey / relationship() links to and from the table, if any."""
    if not (table.references or table.referenced_by):
        return
    console.rule(title, align="left")
    for arrow, links in (("->", table.references), ("<-", table.referenced_by)):
        for link in links:
            at = where(link.path, link.line)
            _print_wrapped(console, f"{arrow} {link.table} ({link.via} at {at})", 2)


def print_explain(report: Report, table: Table, console: Console) -> None:
    head = Text(table.qualified_name, style="bold")
    head.append(f"  [{table.status}]", style=STATUS_STYLE.get(table.status, ""))
    console.print(head)
    console.print(f"present in: {', '.join(table.present_in) or 'no source final state'}")
    for state in table.states:
        columns = ", ".join(state.columns) if state.columns is not None else "(not declared)"
        _print_wrapped(console, Text(f"{state.source}: {columns}", style="dim"), 2)
    console.print()
    console.rule(f"Definitions ({len(table.definitions)})", align="left")
    for definition in table.definitions:
        line = Text(f"{definition.operation:<11}", style="bold")
        line.append(f" {where(definition.path, definition.line)}")
        if definition.revision:
            line.append(f" ({_revision_word(definition)} {definition.revision})")
        if definition.detail:
            line.append(f" - {definition.detail}")
        _print_wrapped(console, line, 2)
        _print_wrapped(console, Text(definition.snippet, style="dim"), 6)
    console.rule(
        f"Uses ({len(table.uses)} in {len(table.used_by_modules)} modules)", align="left"
    )
    for use in table.uses:
        line = Text(f"{use.kind:<5}", style="bold")
        line.append(f" {where(use.path, use.line)}")
        if use.function:
            line.append(f" in {use.function}()")
        if use.confidence != "high":
            line.append(f" [confidence {use.confidence}]", style="yellow")
        _print_wrapped(console, line, 2)
        _print_wrapped(console, Text(use.snippet, style="dim"), 6)
    _print_references(table, console, "References (ORM)")
    if table.database is not None and report.database is not None:
        console.rule(f"Database ({report.database.url})", align="left")
        for line in database_lines(table):
            _print_wrapped(console, line, 2)
    related = [f for f in report.findings if f.table == table.qualified_name]
    if related:
        console.rule("Findings", align="left")
        for finding in related:
            _print_wrapped(
                console, Text(f"{finding.code} {finding.name}", SEVERITY_STYLE[finding.severity]), 2
            )
            _print_wrapped(console, finding.message, 4)


VERBS = {
    "create": "created",
    "create_temporary": "created temp",
    "drop": "dropped",
    "rename_from": "renamed away",
    "rename_to": "renamed",
    "alter": "altered",
    "document": "documented",
    "data": "data changed",
    "declare": "declared",
}


def print_history(report: Report, table: Table, events: list[Event], console: Console) -> None:
    head = Text(table.qualified_name, style="bold")
    head.append(f"  [{table.status}]", style=STATUS_STYLE.get(table.status, ""))
    console.print(head)
    present = ", ".join(table.present_in) or "no source's final state"
    console.print(f"present in: {present}")
    current_source = None
    for event in events:
        definition = event.definition
        if definition.source != current_source:
            current_source = definition.source
            console.rule(current_source, align="left")
        line = Text(f"{VERBS.get(definition.operation, definition.operation):<13}", style="bold")
        detail = definition.detail
        if definition.operation == "rename_to" and detail:
            old_name = detail.removeprefix("renamed from ").split(";")[0]
            line.append(f"{old_name} -> {event.table} ")
            detail = detail.partition(";")[2].strip() or None
        elif event.table != table.qualified_name:
            line.append(f"{event.table} ")
        if definition.revision:
            line.append(f"in {_revision_word(definition)} {definition.revision} ")
        line.append(f"at {where(definition.path, definition.line)}")
        if detail:
            line.append(f" ({detail})", style="dim")
        _print_wrapped(console, line, 2)
    _print_references(table, console, "references")
    console.rule("code", align="left")
    if not table.uses:
        _print_wrapped(console, "used by no application code", 2)
        return
    counts = ", ".join(
        f"{kind} {sum(1 for u in table.uses if u.kind == kind)}"
        for kind in ("read", "write", "ddl")
        if any(u.kind == kind for u in table.uses)
    )
    modules = table.used_by_modules
    _print_wrapped(
        console,
        f"used by {len(modules)} module{'s' if len(modules) != 1 else ''} ({counts}): "
        + ", ".join(modules),
        2,
    )
