"""What a statement does to a table: plain data shared by the tree and token readers.

No sqlglot here: cached facts and memoised analyses hold these objects, and loading them must
not import the parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from analyzer.sql.names import TableKey

HOLE_PREFIX = "__tt_hole_"
_HOLE = re.compile(r"__tt_hole_(\d+)__")

def hole_marker(index: int) -> str:
    """Placeholder the caller puts where an unresolved Python interpolation was."""
    return f"{HOLE_PREFIX}{index}__"


#: Operations (of a `TableRef`, and of the schema operations made from them) that may bring a
#: table into existence: `CREATE TABLE`, `SELECT INTO`, a rename's new name.
CREATING_OPERATIONS = frozenset({"create", "rename_to"})
#: `CREATE TEMP TABLE` / `CREATE TEMPORARY VIEW` (and a Spark DataFrame registered as a
#: temporary view): the table exists in the creating session only, in no schema a source builds.
TEMPORARY_CREATION = "create_temporary"

@dataclass(frozen=True)
class TableRef:
    """One mention of a table in a statement, with what the statement does to it."""

    schema: str
    name: str
    kind: str
    operation: str
    object_type: str = "table"
    columns: tuple[str, ...] | None = None
    column_changes: tuple[tuple[str, str, str | None], ...] = ()
    peer: tuple[str, str] | None = None
    offset: int | None = None
    confidence: str = "high"
    holes: tuple[int, ...] = ()
    if_not_exists: bool = False
    if_exists: bool = False
    # PostgreSQL's `CREATE TABLE child (...) INHERITS (parent)`: the parents, (schema, name)
    # each, whose columns the child has before its own
    inherits: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> TableKey:
        return TableKey(self.schema, self.name)


@dataclass(frozen=True)
class StatementResult:
    """Everything learned from one statement; ``error`` explains a ``parsed=False``."""

    refs: tuple[TableRef, ...]
    parsed: bool
    statement_type: str
    error: str | None = None
    # SQLite's `ATTACH DATABASE 'other.db' AS other`: the schema name the statement gives
    # another database file, whose tables (`other.t`) the repository does not create
    attached: str | None = None
    # functions and procedures the statement calls that are no built-in sqlglot knows
    # (`add_new_package(%s)`, `CALL refresh()`), by name as the database folds it: a `.sql`
    # file may define them (`analyzer.sql.routines`)
    calls: tuple[str, ...] = ()
    # the sequences a `CREATE SEQUENCE` makes: PostgreSQL reads one as a relation too
    # (`SELECT last_value FROM events_seq`), which is no table (`analysis._sequence_reads`)
    sequences: tuple[TableKey, ...] = ()
    # the tables a catalog query asks about (`SELECT name FROM sqlite_master WHERE name =
    # 'books_fts'`, `to_regclass('audit.events')`): the code checks whether they exist
    probed: tuple[TableKey, ...] = ()
    # the tables its foreign keys reference (`REFERENCES parent (id)`, `FOREIGN KEY (pid)
    # REFERENCES parent`), in a CREATE TABLE or an ALTER TABLE: they must exist for it to run
    # on PostgreSQL (`rules.dangling_foreign_key`)
    references: tuple[TableKey, ...] = ()


def shift(ref: TableRef, delta: int) -> TableRef:
    return ref if ref.offset is None else replace(ref, offset=ref.offset + delta)


def ordered(refs: Iterable[TableRef]) -> tuple[TableRef, ...]:
    return tuple(sorted(refs, key=lambda r: (r.offset is None, r.offset or 0)))


def holes_in(*parts: str) -> tuple[int, ...]:
    found: list[int] = []
    for part in parts:
        found.extend(int(m) for m in _HOLE.findall(part) if int(m) not in found)
    return tuple(found)


def object_type_of(kind: str, materialized: bool) -> str:
    if "MATERIALIZED" in kind or (materialized and "VIEW" in kind):
        return "materialized_view"
    return "view" if "VIEW" in kind else "table"
