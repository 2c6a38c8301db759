"""The life of one table across every source, in order, following renames back in time."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.models import Definition, Report, Table

SOURCE_ORDER = {
    "alembic": 0, "migration-module": 1, "sql": 2, "create_all": 3, "runtime": 4, "model": 5
}


@dataclass(frozen=True, slots=True)
class Event:
    table: str  # the table's name at that moment (renames change it)
    definition: Definition


def _predecessors(report: Report, table: Table) -> list[Table]:
    """Tables this one was renamed from, oldest last, cycle-safe."""
    chain: list[Table] = []
    seen = {table.qualified_name}
    frontier = [table]
    while frontier:
        current = frontier.pop()
        for definition in current.definitions:
            if definition.operation != "rename_to" or not definition.detail:
                continue
            old_name = definition.detail.removeprefix("renamed from ").split(";")[0]
            old = report.table(old_name)
            if old is not None and old.qualified_name not in seen:
                seen.add(old.qualified_name)
                chain.append(old)
                frontier.append(old)
    return chain


def timeline(report: Report, table: Table) -> list[Event]:
    """Every definition of the table and of the names it had before, in replay order."""
    events = [
        Event(source.qualified_name, definition)
        for source in [table, *_predecessors(report, table)]
        for definition in source.definitions
    ]
    unique = {
        (e.definition.source, e.definition.sequence, e.table, e.definition.operation): e
        for e in events
    }
    # A rename is one event: keep its rename_to side, which names both tables.
    renamed_in = {
        (e.definition.source, e.definition.path, e.definition.line)
        for e in unique.values()
        if e.definition.operation == "rename_to"
    }
    unique = {
        key: e
        for key, e in unique.items()
        if e.definition.operation != "rename_from"
        or (e.definition.source, e.definition.path, e.definition.line) not in renamed_in
    }
    return sorted(
        unique.values(),
        key=lambda e: (
            SOURCE_ORDER.get(e.definition.source_kind, 9),
            e.definition.source,
            e.definition.sequence,
            e.definition.path,
            e.definition.line,
        ),
    )
