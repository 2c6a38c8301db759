"""Can each ordered source run on an empty database? Replay it step by step and check.

An ordered source (an Alembic environment, a `.sql` file or numbered folder, a migration module)
is replayed from an empty database, as a fresh setup runs it. Every operation that needs a
table or a column to exist (DROP, RENAME, ALTER ... ADD/DROP/RENAME COLUMN, INSERT/UPDATE/
DELETE/COPY) is checked against the state at that point; one that finds nothing is a
`migration-order` fault at that step. Operations that tolerate the state they find are never
faults: `IF EXISTS` / `IF NOT EXISTS`, and Alembic operations inside `if`/`try` (`if not
has_table(...)`). Alembic environments and migration modules claim to build the schema from
nothing, so every missing table counts; `.sql` sources often rely on tables another source made
(data fixes, ALTER scripts), so there only a table the source itself creates later counts.

Alembic revisions are replayed along the revision graph: a revision starts from the union of
the states its parents (`down_revision`, `depends_on`) leave, which is what `alembic upgrade`
guarantees has run before it; sibling branches may run in either order, so neither is assumed.

After a fault the replay goes on as if the missing table (or column) had been there, so that one
missing table is one finding, not one per later statement.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass

from analyzer.sources.model import SchemaOp, SourceHistory, StateEntry, apply
from analyzer.sql.names import TableKey

ORDERED_KINDS = frozenset({"alembic", "sql", "migration-module"})
# every operation that needs its table to exist (index/constraint/reference: order checks only)
NEEDS_TABLE = frozenset(
    {"drop", "rename_from", "alter", "data", "index", "constraint", "reference"}
)


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
    history: SourceHistory, parents: Mapping[str, tuple[str, ...]] | None = None
) -> list[OrderFault]:
    """The faults of one ordered source (`parents`: each Alembic revision's parents)."""
    if history.kind not in ORDERED_KINDS:
        return []
    if history.kind == "alembic" and parents is not None:
        return _alembic_faults(history, parents)
    faults: list[OrderFault] = []
    state: State = {}
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
            if op.operation == "create"  # not rename_to: DROP t; RENAME t_new TO t swaps
        }
        position = {id(op): index for index, op in enumerate(history.operations)}
        faults = [
            fault
            for fault in faults
            if fault.missing == "column"
            or created_at.get(fault.op.table, -1) > position[id(fault.op)]
        ]
    return faults


def _alembic_faults(
    history: SourceHistory, parents: Mapping[str, tuple[str, ...]]
) -> list[OrderFault]:
    by_revision: dict[str, list[SchemaOp]] = {}
    for op in history.operations:
        by_revision.setdefault(op.revision or "", []).append(op)
    ends: dict[str, State] = {}
    faults: list[OrderFault] = []
    for revision in parents:  # replay order: parents first
        state: State = {}
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
