"""Rich console rendering of a report, readable in an 80-column terminal."""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.table import Table as RichTable
from rich.text import Text

from analyzer.database.evidence import database_lines
from analyzer.models import Finding, Report, Table
from analyzer.rules import RULES_BY_CODE
from analyzer.timeline import Event

STATUS_STYLE = {
    "used": "green",
    "dead": "yellow",
    "undefined": "bold red",
    "dropped": "bold red",
    "runtime-only": "magenta",
    "removed": "dim",
    "system": "dim",
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


def render_text(report: Report, width: int = 80) -> str:
    console = text_console(width)
    print_report(report, console)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


def _defined_by(table: Table) -> str:
    sources: dict[str, set[str]] = defaultdict(set)
    for definition in table.definitions:
        if definition.operation in ("create", "rename_to", "declare"):
            sources[definition.source_kind].add(definition.source)
    if not sources:
        return "-"
    return " ".join(
        kind if len(ids) == 1 else f"{kind}x{len(ids)}" for kind, ids in sorted(sources.items())
    )


def _used_by(table: Table) -> str:
    if not table.uses:
        return "-"
    kinds = "".join(k[0] for k in ("read", "write", "ddl") if any(u.kind == k for u in table.uses))
    modules = len(table.used_by_modules)
    return f"{modules} mod{'s' if modules != 1 else ''} ({kinds})"


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
    text.append(f"tables   {stats.tables}: {', '.join(f'{n} {s}' for s, n in ranked)}\n")
    modules = len({use.module for table in report.tables for use in table.uses})
    text.append(f"uses     {stats.uses} in {modules} modules\n")
    if report.revisions:
        environments = len({r.environment for r in report.revisions})
        text.append(
            f"alembic  {len(report.revisions)} revisions in {environments} "
            f"environment{'s' if environments != 1 else ''}\n"
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
    text.append(f"; {stats.diagnostics} diagnostics")
    return text


def inventory_table(tables: Iterable[Table]) -> RichTable:
    grid = RichTable(box=box.SIMPLE_HEAD, pad_edge=False, expand=False)
    grid.add_column("table", overflow="fold", min_width=20, max_width=36)
    grid.add_column("defined by", no_wrap=True, max_width=12)
    grid.add_column("used by", no_wrap=True, max_width=12)
    grid.add_column("status", no_wrap=True, max_width=12)
    for table in tables:
        grid.add_row(
            escape(table.qualified_name),
            _defined_by(table),
            _used_by(table),
            Text(table.status, style=STATUS_STYLE.get(table.status, "")),
        )
    return grid


def _finding_block(finding: Finding) -> Group:
    subject = finding.table or f"{finding.path}:{finding.line}"
    lines: list[Text | Padding] = [
        Padding(Text(subject, style="bold"), (0, 0, 0, 2)),
        Padding(Text(finding.message), (0, 0, 0, 4)),
    ]
    shown = finding.locations[:MAX_LOCATIONS]
    hidden = len(finding.locations) - len(shown)
    where = [
        f"{location.path}:{location.line}" if location.line is not None else location.path
        for location in shown
    ]
    if hidden > 0:
        where.append(f"... and {hidden} more")
    lines.append(Padding(Text("\n".join(where), style="dim"), (0, 0, 0, 6)))
    return Group(*lines)


def findings_group(findings: list[Finding]) -> Group:
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_code[finding.code].append(finding)
    blocks: list[Text | Group | Padding] = []
    for code in sorted(by_code):
        items = by_code[code]
        rule = RULES_BY_CODE.get(code)
        header = Text(f"{code} {items[0].name} ", style="bold")
        header.append(f"({len(items)}, {items[0].severity})", style="dim")
        blocks.append(header)
        if rule:
            blocks.append(Padding(Text(rule.summary, style="italic"), (0, 0, 0, 2)))
        blocks.extend(_finding_block(item) for item in items)
        blocks.append(Text(""))
    return Group(*blocks)


def print_report(report: Report, console: Console) -> None:
    console.print(_summary(report))
    console.print()
    console.rule("Tables", align="left")
    console.print(inventory_table(report.tables))
    console.rule("Findings", align="left")
    if report.findings:
        console.print(findings_group(report.findings))
    else:
        console.print("  no findings\n")
    if report.diagnostics:
        console.rule("Diagnostics", align="left")
        for diagnostic in report.diagnostics:
            where = diagnostic.path + (f":{diagnostic.line}" if diagnostic.line else "")
            head = Text(where, style="bold")
            head.append(f" {diagnostic.code}", style="yellow")
            console.print(Padding(head, (0, 0, 0, 2)))
            console.print(Padding(Text(diagnostic.message), (0, 0, 0, 4)))


def _indent(text: Text | str, spaces: int) -> Padding:
    return Padding(text if isinstance(text, Text) else Text(text), (0, 0, 0, spaces))


def _print_references(table: Table, console: Console, title: str) -> None:
    """ForeignKey / relationship() links to and from the table, if any."""
    if not (table.references or table.referenced_by):
        return
    console.rule(title, align="left")
    for arrow, links in (("->", table.references), ("<-", table.referenced_by)):
        for link in links:
            console.print(
                _indent(f"{arrow} {link.table} ({link.via} at {link.path}:{link.line})", 2)
            )


def print_explain(report: Report, table: Table, console: Console) -> None:
    head = Text(table.qualified_name, style="bold")
    head.append(f"  [{table.status}]", style=STATUS_STYLE.get(table.status, ""))
    console.print(head)
    console.print(f"present in: {', '.join(table.present_in) or 'no source final state'}")
    for state in table.states:
        columns = ", ".join(state.columns) if state.columns is not None else "(not declared)"
        console.print(_indent(Text(f"{state.source}: {columns}", style="dim"), 2))
    console.print()
    console.rule(f"Definitions ({len(table.definitions)})", align="left")
    for definition in table.definitions:
        line = Text(f"{definition.operation:<11}", style="bold")
        line.append(f" {definition.path}:{definition.line}")
        if definition.revision:
            line.append(f" (revision {definition.revision})")
        if definition.detail:
            line.append(f" - {definition.detail}")
        console.print(_indent(line, 2))
        console.print(_indent(Text(definition.snippet, style="dim"), 6))
    console.rule(
        f"Uses ({len(table.uses)} in {len(table.used_by_modules)} modules)", align="left"
    )
    for use in table.uses:
        line = Text(f"{use.kind:<5}", style="bold")
        line.append(f" {use.path}:{use.line}")
        if use.function:
            line.append(f" in {use.function}()")
        if use.confidence != "high":
            line.append(f" [confidence {use.confidence}]", style="yellow")
        console.print(_indent(line, 2))
        console.print(_indent(Text(use.snippet, style="dim"), 6))
    _print_references(table, console, "References (ORM)")
    if table.database is not None and report.database is not None:
        console.rule(f"Database ({report.database.url})", align="left")
        for line in database_lines(table):
            console.print(_indent(line, 2))
    related = [f for f in report.findings if f.table == table.qualified_name]
    if related:
        console.rule("Findings", align="left")
        for finding in related:
            console.print(
                _indent(Text(f"{finding.code} {finding.name}", SEVERITY_STYLE[finding.severity]), 2)
            )
            console.print(_indent(finding.message, 4))


VERBS = {
    "create": "created",
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
            line.append(f"in revision {definition.revision} ")
        line.append(f"at {definition.path}:{definition.line}")
        if detail:
            line.append(f" ({detail})", style="dim")
        console.print(_indent(line, 2))
    _print_references(table, console, "references")
    console.rule("code", align="left")
    if not table.uses:
        console.print(_indent("used by no application code", 2))
        return
    counts = ", ".join(
        f"{kind} {sum(1 for u in table.uses if u.kind == kind)}"
        for kind in ("read", "write", "ddl")
        if any(u.kind == kind for u in table.uses)
    )
    modules = table.used_by_modules
    console.print(
        _indent(
            f"used by {len(modules)} module{'s' if len(modules) != 1 else ''} ({counts}): "
            + ", ".join(modules),
            2,
        )
    )
