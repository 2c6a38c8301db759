"""Replay migration sources into per-source final states.

Each source is a timeline of schema operations. Numbered `.sql` files in one folder
(`001_x.sql`, `002_y.sql`) are one history, ordered by the number's value (so `10_` comes after
`9_`, unlike a plain sort); every other `.sql` file is a history of its own; each application
module with runtime DDL is one too, in line order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from analyzer.sql.engine_files import engine_of, engine_source_id
from analyzer.sql.names import TableKey
from analyzer.sql.refs import TEMPORARY_CREATION

if TYPE_CHECKING:
    from analyzer.sources.order import OrderFault
    from analyzer.sql.refs import TableRef
    from analyzer.sql.runnable import CannotRun

NUMBERED_FILE = re.compile(r"^(\d+)")
# One step of a chain of upgrade scripts, named by the versions it goes from and to:
# `update_app_0.9_to_0.10.sql`, `migration_001_002.sql`, `upgrade-v3-v4.sql`
VERSION_STEP = re.compile(
    r"^(?P<stem>.*?[A-Za-z])[-_.]?v?(?P<start>\d+(?:\.\d+)*)(?:[-_]+(?:to[-_]+)?|\.to\.)v?"
    r"(?P<end>\d+(?:\.\d+)*)\.sql$",
    re.IGNORECASE,
)
SCHEMA_OPERATIONS = frozenset(
    {"create", TEMPORARY_CREATION, "drop", "rename_from", "rename_to", "alter"}
)
# The kind of a source owning tables outside the repository (a Django contrib or third-party
# app, an unmanaged model, a database the code attaches): it has a state, no operations.
EXTERNAL_KIND = "external"
#: How the sources of SQLite files the code opens itself are named
#: (`sources.attached.own_file_histories`; `rules.runtime_created_table` reads the prefix).
OWN_FILE_PREFIX = f"{EXTERNAL_KIND}:SQLite file opened at "


@dataclass(frozen=True, slots=True)
class SchemaOp:
    """One operation of a source on a table, in the source's own order."""

    source: str
    source_kind: str
    path: str
    line: int
    operation: str
    table: TableKey
    object_type: str = "table"
    columns: tuple[str, ...] | None = None
    column_changes: tuple[tuple[str, str, str | None], ...] = ()
    peer: TableKey | None = None
    if_not_exists: bool = False
    # DROP/ALTER ... IF EXISTS, ADD COLUMN IF NOT EXISTS: tolerates a missing table or column
    if_exists: bool = False
    revision: str | None = None
    snippet: str = ""
    conditional: bool = False  # inside an if/try in an Alembic upgrade()
    # A CREATE that cannot run ("broken"): why, and whether that is certain or sqlglot's word.
    problem: str | None = None
    problem_certain: bool = True
    # Seen only by the order check (a .sql file's first write into a table: seed or dump rows
    # are no schema operation, so the report does not list them as definitions).
    order_check_only: bool = False
    # `CREATE TABLE child (...) INHERITS (parent)` (PostgreSQL): the child has its parents'
    # columns before its own, and later column changes of a parent reach it
    inherits: tuple[TableKey, ...] = ()


@dataclass(slots=True)
class StateEntry:
    object_type: str
    columns: list[str] | None
    # the tables it inherits from, and the columns it declares itself (which a parent's
    # DROP COLUMN leaves in place)
    parents: tuple[TableKey, ...] = ()
    own: tuple[str, ...] = ()

    def copy(self) -> StateEntry:
        """An entry another state may change without changing this one (`copy.deepcopy` of
        these took most of the order check on 5,000 modules)."""
        return StateEntry(
            self.object_type, None if self.columns is None else list(self.columns),
            self.parents, self.own,
        )


@dataclass(slots=True)
class SourceHistory:
    id: str
    kind: str
    path: str
    files: list[str]
    ordered: bool
    operations: list[SchemaOp] = field(default_factory=list)
    state: dict[TableKey, StateEntry] = field(default_factory=dict)
    # Alternative histories of one schema, one per database engine (`versions/postgresql`,
    # `versions/sqlite`): the same key for each; they are not rival owners of a table.
    variant_of: str | None = None
    # the dialect its `.sql` files are written in, when they all say one
    # (`engine_files.dialect_of`: `schema/sqlite/app.sql`, a dump opening with `PRAGMA`):
    # another engine's schema than the project's is no rival owner of its tables
    dialect: str | None = None
    # A create_all whose module then stamps Alembic (`command.stamp(cfg, "head")`): Alembic's
    # cookbook way to build a fresh database, where models and revisions agree, not compete.
    bootstrap: bool = False
    # A create_all in one branch of an `if` whose other branch runs the migrations (`if
    # env == "dev": db.create_all() else: alembic upgrade head`): an alternative way to build
    # the database, not a rival owner (the evidence: "line 103: alembic upgrade head").
    alternative_to: str | None = None
    # A create_all whose MetaData could not be read and was assumed (the only one with
    # tables): its tables count as created, but no finding rests on the call running.
    assumed: bool = False
    # The database the source builds when the code runs several sources on databases of
    # their own (a subclass-chain upgrade given `db.DBConnection("cache.db")`, another
    # `db.DBConnection()`): the connection as written; None for the one application
    # database. Sources of different databases are neither rivals nor drift.
    database: str | None = None
    # Home-made steps named as a chain of version upgrades (`v26_v27.py`, `migrate4to5.py`):
    # they upgrade a database of the first one's version, which something else built (an
    # older release, a schema script), so a table missing at a step is that schema's
    upgrades: bool = False
    # Django: installed apps outside the repository and Django's contrib (`social_django`),
    # whose migrations `migrate` runs too, creating tables tabletrace cannot list
    outside_apps: tuple[str, ...] = ()
    # What fails when the source runs on an empty database (`analyzer.sources.order`).
    faults: list[OrderFault] = field(default_factory=list)
    # Alembic revisions kept from before a squash (`versions/legacy/`, whose head revision is
    # the id another environment's history starts from): that history's id, and the schema
    # an old database these revisions built reaches once the other's later revisions run on
    # it (`alembic_revisions.squashes`), which is what its tables are compared by
    squashed_into: str | None = None
    upgraded: dict[TableKey, StateEntry] | None = None
    # Columns the database keeps but the source's own model of the schema no longer tracks
    # (Django: a field removed from the migration state only): not what a model lacks.
    detached_columns: dict[TableKey, set[str]] = field(default_factory=dict)
    # (path, line) of operations adding or changing a column whose name could not be read
    # (`for col in columns_to_add: batch_op.add_column(col)`), by table: the state may miss
    # columns, so model-drift does not claim a model's extra column is absent for sure
    unread_column_ops: dict[TableKey, list[tuple[str, int]]] = field(default_factory=dict)
    # (path, line) of operations tabletrace cannot read that name the table (a Django
    # migration's own operation class: `InheritFromBase("assets", "Thing")`), by table: its
    # columns may differ from the state either way
    unread_operations: dict[TableKey, list[tuple[str, int]]] = field(default_factory=dict)
    # A model source's class attributes set by calls tabletrace does not read (`id =
    # primary_key()`): columns perhaps, so the model is not said to lack one of these names.
    unread_columns: dict[TableKey, set[str]] = field(default_factory=dict)
    # A model source's tables whose model derives from another library's class (`authlib`'s
    # `OAuth2TokenMixin`), which may add any column: the base's name, by table.
    foreign_bases: dict[TableKey, str] = field(default_factory=dict)
    # A model source's tables -> the MetaData that declares them (`Mapper.metadata_owner`'s
    # identity, "declarative_base:cps/db.py:Base"), when known
    metadata_owners: dict[TableKey, str] = field(default_factory=dict)


DIALECT_FOLDERS = frozenset(
    {"postgresql", "postgres", "pg", "sqlite", "mysql", "mariadb", "mssql", "oracle"}
)


def dialect_variant(path: str) -> str | None:
    """`.../versions/postgresql` -> `.../versions`: the folder holding per-engine variants."""
    folder = PurePosixPath(path)
    return str(folder.parent) if folder.name.lower() in DIALECT_FOLDERS else None


def created_tables(history: SourceHistory) -> set[TableKey]:
    """The tables some operation of `history` creates."""
    return {op.table for op in history.operations if op.operation == "create"}


def is_schema_change(ref: TableRef) -> bool:
    """Operations that change which tables exist or their columns (not constraints, owners)."""
    if ref.operation == "alter":
        return bool(ref.column_changes)
    return ref.operation in SCHEMA_OPERATIONS


def schema_op(
    history: SourceHistory,
    path: str,
    line: int,
    ref: TableRef,
    snippet: str,
    cannot_run: CannotRun | None = None,
) -> SchemaOp:
    """The operation a statement's reference does to its table, in `history`.

    A CREATE in a statement that cannot run is a `broken` operation: it defines nothing (the
    token scan that still found its table name serves uses, never definitions)."""
    broken = cannot_run is not None and ref.operation == "create"
    return SchemaOp(
        source=history.id,
        source_kind=history.kind,
        path=path,
        line=line,
        operation="broken" if broken else ref.operation,
        table=TableKey(ref.schema, ref.name),
        object_type=ref.object_type,
        columns=ref.columns,
        column_changes=ref.column_changes,
        peer=TableKey(*ref.peer) if ref.peer else None,
        if_not_exists=ref.if_not_exists,
        if_exists=ref.if_exists,
        snippet=snippet,
        inherits=tuple(TableKey(*parent) for parent in ref.inherits),
        problem=cannot_run.reason if broken and cannot_run else None,
        problem_certain=cannot_run.certain if broken and cannot_run else True,
    )


def sql_source_layout(paths: list[str]) -> list[tuple[str, str, bool, list[str]]]:
    """Group .sql paths into sources: (id, path, ordered, files in replay order)."""
    by_folder: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        by_folder[str(PurePosixPath(path).parent)].append(path)
    layout: list[tuple[str, str, bool, list[str]]] = []
    for folder, files in sorted(by_folder.items()):
        numbered = [f for f in files if NUMBERED_FILE.match(PurePosixPath(f).name)]
        numbered.sort(key=lambda f: (int(NUMBERED_FILE.match(PurePosixPath(f).name)[1]), f))
        # Engine variants (`01_x.sql.postgres`, `01_x.sql.sqlite`) are alternatives, not steps:
        # one ordered history per engine, each with the folder's plain `.sql` files.
        engines = sorted({e for f in numbered if (e := engine_of(f)) is not None})
        if numbered and not engines:
            layout.append((f"sql:{folder}", folder, True, numbered))
        for engine in engines:
            steps = [f for f in numbered if engine_of(f) in (None, engine)]
            layout.append((engine_source_id(f"sql:{folder}", engine), folder, True, steps))
        chained: set[str] = set()
        # a numbered folder is the folder's sequence already: a stray `fix_v1_to_v2.sql` in it
        # stays a source of its own
        for stem, steps in version_chains([] if numbered else files).items():
            layout.append((f"sql:{folder}/{stem}*", folder, True, steps))
            chained.update(steps)
        for path in sorted(set(files) - set(numbered) - chained):
            layout.append((f"sql:{path}", path, False, [path]))
    return sorted(layout)


def version_chains(paths: Iterable[str]) -> dict[str, list[str]]:
    """Upgrade scripts of one folder named by the versions they go from and to, by their
    common stem, in the order of their starting versions (`app_0.9_to_0.10` before
    `app_0.10_to_0.11`): each chain upgrades a database one version at a time, as its runner
    applies them. Each step goes to a later version (a downgrade is no step); a lone step counts
    when its name says it upgrades (`migration_001_002.sql`)."""
    chains: dict[str, list[tuple[tuple[int, ...], tuple[int, ...], str]]] = defaultdict(list)
    for path in paths:
        step = VERSION_STEP.match(PurePosixPath(path).name)
        if step is None:
            continue
        start, end = (tuple(map(int, step[part].split("."))) for part in ("start", "end"))
        if end > start:
            chains[step["stem"]].append((start, end, path))
    return {
        stem: [path for _, _, path in sorted(steps)]
        for stem, steps in sorted(chains.items())
        if len(steps) > 1 or _UPGRADE_WORD.search(PurePosixPath(steps[0][2]).name)
    }


# A lone step is a chain when its name says it upgrades (`migration_001_002.sql`, `a_1_to_2`)
_UPGRADE_WORD = re.compile(r"migrat|upgrad|update|[-_.]to[-_.]", re.IGNORECASE)


def _apply_column_changes(
    columns: list[str], changes: tuple[tuple[str, str, str | None], ...]
) -> list[str]:
    result = list(columns)
    for action, column, new_name in changes:
        if action == "add" and column not in result:
            result.append(column)
        elif action == "drop" and column in result:
            result.remove(column)
        elif action == "rename" and column in result and new_name:
            result[result.index(column)] = new_name
    return result


def replay(history: SourceHistory) -> None:
    """Apply the history's operations in order; the result is `history.state`."""
    state: dict[TableKey, StateEntry] = {}
    created = {op.table for op in history.operations if op.operation in ("create", "declare")}
    for op in history.operations:
        apply(state, op, history.kind, created)
    history.state = state


def apply(
    state: dict[TableKey, StateEntry],
    op: SchemaOp,
    kind: str,
    created: set[TableKey] | frozenset[TableKey] = frozenset(),
) -> None:
    """One operation on a schema state (`created`: the tables a runtime source creates)."""
    if op.operation == "declare" and op.table in state:
        # Several classes may map one table (single-table inheritance): merge columns.
        entry = state[op.table]
        if entry.columns is not None and op.columns:
            entry.columns = list(dict.fromkeys([*entry.columns, *op.columns]))
        return
    if op.operation in ("create", "declare"):
        if op.table in state and op.if_not_exists:
            return
        columns = list(op.columns) if op.columns is not None else None
        if op.inherits and columns is not None:
            columns = _inherited_columns(state, op.inherits, columns)
        state[op.table] = StateEntry(
            op.object_type, columns, op.inherits, tuple(op.columns or ())
        )
    elif op.operation == "drop":
        if kind == "runtime" and op.table in created:
            # Application code that creates and drops the same table is using a staging
            # or temporary table: the code still needs it, so it stays in the state.
            return
        state.pop(op.table, None)
    elif op.operation == "rename_from" and op.peer is not None:
        if op.conditional and op.table not in state:
            # the branch that renames a table the state lacks (`if legacy: rename it`) is the
            # one not taken on the database these steps built
            return
        # Renaming a table this source did not create still leaves the new name in place
        # once the source has run; its columns are then unknown.
        state[op.peer] = state.pop(op.table, None) or StateEntry(op.object_type, None)
    elif op.operation == "alter" and op.table in state:
        entry = state[op.table]
        if entry.columns is not None and op.column_changes:
            entry.columns = _apply_column_changes(entry.columns, op.column_changes)
        if op.column_changes:
            _changes_inherited(state, op.table, op.column_changes)


def _inherited_columns(
    state: dict[TableKey, StateEntry], parents: tuple[TableKey, ...], own: list[str]
) -> list[str] | None:
    """A child's columns as PostgreSQL makes them: each parent's in order, then its own, a
    name met twice merged into one column. Unknown when a parent's are (a parent this
    source never created: `create_all` may have made it)."""
    columns: list[str] = []
    for parent in parents:
        entry = state.get(parent)
        if entry is None or entry.columns is None:
            return None
        columns.extend(entry.columns)
    return list(dict.fromkeys([*columns, *own]))


def _changes_inherited(
    state: dict[TableKey, StateEntry],
    parent: TableKey,
    changes: tuple[tuple[str, str, str | None], ...],
    reached: set[TableKey] | None = None,
) -> None:
    """A parent's ADD, DROP or RENAME COLUMN reaches every table inheriting from it, and
    theirs in turn; a column a child declares itself stays when the parent drops it.
    (`reached`: a replay that dropped and made tables again may close a circle.)"""
    reached = reached if reached is not None else {parent}
    for key, entry in state.items():
        if parent not in entry.parents or key in reached or entry.columns is None:
            continue
        reached.add(key)
        kept = tuple(c for c in changes if not (c[0] == "drop" and c[1] in entry.own))
        entry.columns = _apply_column_changes(entry.columns, kept)
        _changes_inherited(state, key, kept, reached)


def _operation_detail(op: SchemaOp) -> str | None:
    if op.operation == "rename_from" and op.peer:
        return f"renamed to {op.peer.display}"
    if op.operation == "rename_to" and op.peer:
        return f"renamed from {op.peer.display}"
    if op.operation == "alter" and op.column_changes:
        words = []
        for action, column, new_name in op.column_changes:
            words.append(
                f"rename column {column} to {new_name}"
                if action == "rename"
                else f"{action} column {column}"
            )
        return ", ".join(words)
    if op.operation == "broken":
        return f"cannot run, defines nothing: {op.problem}"
    if op.operation == "create" and op.object_type != "table":
        return f"creates a {op.object_type.replace('_', ' ')}"
    return None


def describe(op: SchemaOp) -> str | None:
    """A short human-readable detail for a definition."""
    detail = _operation_detail(op)
    if not op.conditional:
        return detail
    where = (
        "under an if/try, or in a helper a registered step calls"
        if op.source_kind == "migration-module"
        else "inside if/try"
    )
    return f"{detail}; conditional ({where})" if detail else f"conditional ({where})"


#: The names PostgreSQL gives a table's own indexes, constraints and sequences
#: (`<table>_pkey`, `<table>_<column>_key`, `<table>_<column>_fkey`, `<table>_id_seq`)
_IMPLICIT_OBJECT = re.compile(r"_(?:pkey|key|fkey|seq|idx)\Z")


def serial_sequences(keys: Iterable[TableKey], histories: list[SourceHistory]) -> set[TableKey]:
    """Of `keys` (relations the code reads), those no source creates that are named as
    PostgreSQL names the sequence behind a serial or identity column, `<table>_<column>_seq`,
    of a table a source's final state has with that column (`SELECT last_value FROM
    app_project_id_seq`, the sequence of `app_project.id`): sequences, no tables."""
    created = {
        op.table for history in histories for op in history.operations
        if op.operation in ("create", "declare", "rename_to")
    }
    columns: dict[TableKey, set[str]] = {}
    for history in histories:
        for table, entry in history.state.items():
            if entry.columns:
                columns.setdefault(table, set()).update(entry.columns)
    found: set[TableKey] = set()
    for key in keys:
        if key in created or not key.name.endswith("_seq"):
            continue
        stem = key.name.removesuffix("_seq")
        # each `_` of the stem may end the table's name: `a_b_c` is `a`.`b_c` or `a_b`.`c`
        splits = (i for i, char in enumerate(stem) if char == "_")
        if any(
            stem[i + 1:] in columns.get(TableKey(key.schema, stem[:i]), ()) for i in splits
        ):
            found.add(key)
    return found


def implicit_object_renames(histories: list[SourceHistory]) -> list[SchemaOp]:
    """`ALTER TABLE app_pkey RENAME TO project_pkey` (PostgreSQL's ALTER TABLE renames an
    index or a sequence too): a rename whose old name no source creates, named like an
    implicit index, constraint or sequence of a table some source names (`app_pkey` of
    `app`). Both of its operations leave their histories, before replay: it renames no
    table. Returns the `rename_from` operations removed."""
    created = {
        op.table for history in histories for op in history.operations
        if op.operation in ("create", "declare", "rename_to")
        and not (op.operation == "rename_to" and _implicit_name(op.peer))
    }
    tables = {op.table.name for history in histories for op in history.operations}
    removed: list[SchemaOp] = []
    for history in histories:
        pairs = [
            op for op in history.operations
            if op.operation == "rename_from" and op.peer is not None
            and op.table not in created and _implicit_name(op.table)
            and _of_a_table(op.table.name, tables)
        ]
        if not pairs:
            continue
        peers = {(op.path, op.line, op.peer) for op in pairs}
        history.operations = [
            op for op in history.operations
            if op not in pairs
            and not (op.operation == "rename_to" and (op.path, op.line, op.table) in peers)
        ]
        removed.extend(pairs)
    return removed


def _implicit_name(key: TableKey | None) -> bool:
    return key is not None and _IMPLICIT_OBJECT.search(key.name) is not None


def _of_a_table(name: str, tables: set[str]) -> bool:
    """`app_pkey`, `app_name_key`: a table's name and `_` start it."""
    parts = name.split("_")
    return any("_".join(parts[:end]) in tables for end in range(1, len(parts)))
