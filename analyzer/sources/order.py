"""Can each ordered source run on an empty database? Replay it step by step and check.

An ordered source (an Alembic environment, a Django project's migrations, a `.sql` file or
numbered folder, a migration module) is replayed from an empty database, as a fresh setup runs
it. Every operation that needs a table or a column to exist (DROP, RENAME, ALTER ... ADD/DROP/
RENAME COLUMN, INSERT/UPDATE/DELETE/COPY) is checked against the state at that point; one that
finds nothing is a `migration-order` fault at that step. Operations that tolerate the state they
find are never faults: `IF EXISTS` / `IF NOT EXISTS`, and Alembic operations inside `if`/`try`
(`if not has_table(...)`). Alembic environments, Django migrations and migration modules claim
to build the schema from nothing, so every missing table counts, but for tables that exist
before the source runs (`outside`: for Django, the tables of contrib and third-party apps, whose
migrations `migrate` runs first, and of unmanaged models). `.sql` sources often rely on tables
another source made (data fixes, ALTER scripts), so there only a table the source itself
creates later counts.

Alembic revisions and Django migrations are replayed along their graph: a revision starts from
the union of the states its parents (`down_revision`, `depends_on`; Django's `dependencies` and
`run_before`) leave, which is what `alembic upgrade` / `migrate` guarantees has run before it;
sibling branches (two apps' migrations that do not depend on each other) may run in either
order, so neither is assumed.

After a fault the replay goes on as if the missing table (or column) had been there, so that one
missing table is one finding, not one per later statement.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from analyzer.sources.model import SchemaOp, SourceHistory, StateEntry, apply
from analyzer.sql.names import TableKey

ORDERED_KINDS = frozenset({"alembic", "django", "sql", "migration-module"})
NEEDS_TABLE = frozenset({"drop", "rename_from", "alter", "data"})


@dataclass(frozen=True, slots=True)
class OrderFault:
    """An operation of an ordered source that fails on a database built by the steps before it.

    `missing` is "table" (the table does not exist yet) or "column" (the table exists without
    that column); `columns` are the table's columns at that point, when known."""

    op: SchemaOp
    missing: str
    column: str | None = None
    columns: tuple[str, ...] | None = None


State = dict[TableKey, StateEntry]


def order_faults(
    history: SourceHistory,
    parents: Mapping[str, tuple[str, ...]] | None = None,
    outside: Collection[TableKey] = (),
) -> list[OrderFault]:
    """The faults of one ordered source.

    `parents`: for a source ordered by a graph (Alembic revisions, Django migrations), each
    step's parents, keyed by the `revision` its operations carry, in replay order. `outside`:
    tables that exist before the source runs (owned by something outside the repository)."""
    if history.kind not in ORDERED_KINDS:
        return []
    if parents is not None:
        return _graph_faults(history, parents, outside)
    faults: list[OrderFault] = []
    state: State = _initial(outside)
    for op in history.operations:
        faults.extend(_check(state, op))
        apply(state, op, history.kind)
    if history.kind == "sql":
        # A .sql file (or folder) is not claimed to build a database from nothing: a data fix
        # or an ALTER script relies on tables another source made. It is out of order only
        # where it touches a table it creates itself, later.
        created_at = {
            op.table: index
            for index, op in enumerate(history.operations)  # the last creation wins
            if op.operation in ("create", "rename_to")
        }
        position = {id(op): index for index, op in enumerate(history.operations)}
        faults = [
            fault
            for fault in faults
            if fault.missing == "column"
            or created_at.get(fault.op.table, -1) > position[id(fault.op)]
        ]
    return faults


def _initial(outside: Collection[TableKey]) -> State:
    return {key: StateEntry("table", None) for key in outside}


def _graph_faults(
    history: SourceHistory,
    parents: Mapping[str, tuple[str, ...]],
    outside: Collection[TableKey],
) -> list[OrderFault]:
    by_revision: dict[str, list[SchemaOp]] = {}
    for op in history.operations:
        by_revision.setdefault(op.revision or "", []).append(op)
    ends: dict[str, State] = {}
    faults: list[OrderFault] = []
    for revision in parents:  # replay order: parents first
        state: State = _initial(outside)
        for parent in parents[revision]:
            for key, entry in ends.get(parent, {}).items():
                state.setdefault(key, copy.deepcopy(entry))
        for op in by_revision.get(revision, []):
            faults.extend(_check(state, op))
            apply(state, op, history.kind)
        ends[revision] = state
    return faults


def _check(state: State, op: SchemaOp) -> list[OrderFault]:
    """What `op` needs that `state` lacks; the state is patched so the fault is reported once."""
    if op.operation not in NEEDS_TABLE or op.conditional or op.if_exists:
        return []
    if op.operation == "alter" and not op.column_changes:
        return []
    entry = state.get(op.table)
    if entry is None:
        state[op.table] = StateEntry(op.object_type, None)
        return [OrderFault(op, "table")]
    faults = []
    for action, column, _new in op.column_changes:
        known = entry.columns
        if action in ("drop", "rename") and known is not None and column not in known:
            faults.append(OrderFault(op, "column", column, tuple(known)))
            known.append(column)
    return faults
