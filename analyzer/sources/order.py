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

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace

from analyzer.sources.model import SchemaOp, SourceHistory, StateEntry, apply
from analyzer.sql.names import TableKey, is_system_table

ORDERED_KINDS = frozenset({"alembic", "django", "sql", "migration-module"})
# Graph-ordered sources whose operations are listed in the one order a full run applies.
PLANNED_KINDS = frozenset({"django"})
# every operation that needs its table to exist (index/constraint/reference: order checks only)
NEEDS_TABLE = frozenset(
    {"drop", "rename_from", "alter", "data", "index", "constraint", "reference"}
)


@dataclass(frozen=True, slots=True)
class OrderFault:
    """An operation of an ordered source that fails on a database built by the steps before it.

    `missing` is "table" (the table does not exist yet) or "column" (the table exists without
    that column); `columns` are the table's columns at that point, when known.
    `passes_in_full_plan`: the source has one full order it really runs in (Django's plan for
    `migrate`), and there the step finds what it needs, because that order happens to run
    another branch first; only a partial run (`migrate <app>`) fails.
    `at_root`: the step belongs to a step with no parent (an Alembic revision whose
    `down_revision` is None), so nothing of the source runs before it: when it needs a table,
    the source's history starts from a schema built otherwise (older revisions removed)."""

    op: SchemaOp
    missing: str
    column: str | None = None
    columns: tuple[str, ...] | None = None
    passes_in_full_plan: bool = False
    at_root: bool = False


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
        faults = _graph_faults(history, parents, outside)
        if history.kind not in PLANNED_KINDS:
            return faults
        # Django's `migrate` runs one plan (its operations' order): a fault only along the
        # graph is real for `migrate <app>`, not for the full plan.
        in_plan = {(id(f.op), f.column) for f in _linear_faults(history, outside)}
        return [
            f if (id(f.op), f.column) in in_plan else replace(f, passes_in_full_plan=True)
            for f in faults
        ]
    faults = _linear_faults(history, outside)
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
            or (
                created_at.get(fault.op.table, -1) > position[id(fault.op)]
                and not _replaced(history.operations, position[id(fault.op)])
            )
        ]
    return faults


def _replaced(operations: list[SchemaOp], index: int) -> bool:
    """`DROP VIEW v; CREATE VIEW v AS ...`, or `ALTER TABLE t RENAME TO t_old; CREATE TABLE t`:
    a drop or a rename away whose table the source's next operation on it creates again
    replaces a definition it found, made by another source or before the file's first step
    (an upgrade log applied to an existing database), not one it makes later."""
    dropped = operations[index]
    if dropped.operation not in ("drop", "rename_from"):
        return False
    following = next(
        (op for op in operations[index + 1:] if op.table == dropped.table), None
    )
    return following is not None and following.operation in ("create", "rename_to")


@dataclass(frozen=True, slots=True)
class Extension:
    """An Alembic environment (`history`) whose revisions change tables that none of them
    creates and one other environment (`base`) does: read as running after that one's head."""

    history: SourceHistory
    base: SourceHistory
    tables: tuple[TableKey, ...]
    first: SchemaOp  # its first operation on one of them


def extend_environments(
    histories: list[SourceHistory], parents: Mapping[str, Mapping[str, tuple[str, ...]] | None]
) -> list[Extension]:
    """Alembic environments that build on another's schema, after replay and order checks.

    A plugin keeping its own revisions (CTFd's plugins: `def upgrade(op=None)`, run by the
    application once the core's `alembic upgrade head` has) alters the core's tables: on an
    empty database alone it fails, which is no fault of the deployment, and the core's table
    is what both leave. So where every table an environment's revisions need and never create
    is in exactly one other environment's head state, that environment runs first: the
    tables exist before this one runs (its order faults are checked again so), and its changes
    to them are applied to that environment's head state, which model-drift compares against.
    Environments are taken in id order; one that is itself extended is not made to extend its
    own extension."""
    alembic = sorted((h for h in histories if h.kind == "alembic"), key=lambda h: h.id)
    found: list[Extension] = []
    extended: set[str] = set()
    for history in alembic:
        if history.id in extended:
            continue
        created = {op.table for op in history.operations if op.operation == "create"} | {
            op.peer for op in history.operations if op.operation == "rename_from" and op.peer
        }
        # (conditional operations too: `if "x" not in columns: op.add_column(...)` is no
        # fault, yet it changes the other environment's table)
        needing = [
            op for op in history.operations
            if op.operation in NEEDS_TABLE and op.table not in created
            and not is_system_table(op.table)
        ]
        if not needing:
            continue
        needed = sorted({op.table for op in needing}, key=lambda k: (k.schema, k.name))
        bases = {
            other.id: other
            for key in needed
            for other in alembic
            if other is not history and key in other.state
        }
        if len(bases) != 1:
            continue
        (base,) = bases.values()
        if any(key not in base.state for key in needed) or any(
            e.base is history for e in found
        ):
            continue
        tables = tuple(needed)
        history.faults = order_faults(history, parents.get(history.id), frozenset(tables))
        touched = set(tables)
        for op in history.operations:
            if op.table in touched:
                apply(base.state, op, base.kind)
                if op.operation == "rename_from" and op.peer is not None:
                    touched.add(op.peer)
        extended.add(base.id)
        found.append(Extension(history, base, tables, needing[0]))
    return found


def _linear_faults(history: SourceHistory, outside: Collection[TableKey]) -> list[OrderFault]:
    faults: list[OrderFault] = []
    state: State = _initial(outside)
    for op in history.operations:
        faults.extend(_check(state, op))
        apply(state, op, history.kind)
    return faults


def _initial(outside: Collection[TableKey]) -> State:
    return {key: StateEntry("table", None) for key in outside}


def _graph_faults(
    history: SourceHistory,
    parents: Mapping[str, tuple[str, ...]],
    outside: Collection[TableKey],
) -> list[OrderFault]:
    """Each step from the merged end states of its parents.

    Where parents disagree about a table, the one that touched it last in replay order says
    whether it exists: a parent that is itself an ancestor of another parent (Django: an app's
    migration depends on another app's old migration and on its own newer one) holds an older
    picture of the table, not a rival one. Its columns are the union of the parents' pictures:
    two branches that each changed the table (a merge migration) both ran, and a column one
    branch added is there whichever ran first (a column dropped on one branch may then look
    present: a missed fault, never a false one)."""
    by_revision: dict[str, list[SchemaOp]] = {}
    for op in history.operations:
        by_revision.setdefault(op.revision or "", []).append(op)
    ends: dict[str, tuple[State, dict[TableKey, int]]] = {}
    # the last step (in replay order) that starts from each step's end state: a step that is
    # its only parent's last child takes that state over instead of copying it (the copy of
    # every table's entry at every step of a long chain was most of the check)
    last_child = {parent: revision for revision in parents for parent in parents[revision]}
    faults: list[OrderFault] = []
    step = 0
    for revision in parents:  # replay order: parents first
        own = parents[revision]
        if len(own) == 1 and last_child[own[0]] == revision and own[0] != revision:
            state, touched = ends.pop(own[0], None) or ({}, {})
        else:
            state, touched = _merged([ends.get(parent, ({}, {})) for parent in own])
        for key, entry in _initial(outside).items():
            state.setdefault(key, entry)
        for op in by_revision.get(revision, []):
            step += 1
            found = _check(state, op)
            faults.extend(found if own else [replace(f, at_root=True) for f in found])
            apply(state, op, history.kind)
            touched[op.table] = step
            if op.peer is not None:
                touched[op.peer] = step
        ends[revision] = (state, touched)
    return faults


def _merged(
    pictures: list[tuple[State, dict[TableKey, int]]],
) -> tuple[State, dict[TableKey, int]]:
    """The parents' end states as one (see `_graph_faults`)."""
    state: State = {}
    touched: dict[TableKey, int] = {}
    for parent_state, parent_touched in pictures:
        for key, entry in parent_state.items():
            if key not in parent_touched:
                state.setdefault(key, entry.copy())
        for key, at in parent_touched.items():
            if at > touched.get(key, -1):
                touched[key] = at
    for key, newest in touched.items():
        holders = [(at_state, at_touched) for at_state, at_touched in pictures if key in at_touched]
        latest = [s for s, t in holders if t[key] == newest]
        if not latest or key not in latest[0]:
            state.pop(key, None)
            continue
        newest_state = latest[0]
        entry = newest_state[key].copy()
        if entry.columns is not None:
            present = set(entry.columns)
            for other, _ in holders:
                # (the picture the entry was copied from has nothing to add: with one parent,
                # every step, this was a quadratic walk over each table's columns)
                columns = other[key].columns if key in other and other is not newest_state else None
                if columns is None:
                    continue
                for column in columns:
                    if column not in present:
                        present.add(column)
                        entry.columns.append(column)
        state[key] = entry
    return state, touched


def _check(state: State, op: SchemaOp) -> list[OrderFault]:
    """What `op` needs that `state` lacks; the state is patched so the fault is reported once."""
    if op.conditional or op.if_exists:
        return []
    if op.operation not in NEEDS_TABLE and not (
        # an Alembic operation on an existing table that changes no table or column set
        # (`op.alter_column("user", "email", nullable=False)`, `op.create_table_comment`)
        op.operation == "other" and op.source_kind == "alembic"
    ):
        return []
    if is_system_table(op.table):
        return []  # the database's catalogs and the migration tool's own tables exist first
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
