"""One Alembic environment: its revision DAG, its operations, and its replay to the head state.

Revisions are ordered with networkx (parents before children, `depends_on` before dependants;
cycles collapsed into one step so a broken graph still replays). Each upgrade operation becomes a
`SchemaOp` tagged with its revision; `op.execute` SQL goes through the same sqlglot resolution
as `.sql` files. The resulting `SourceHistory` is replayed like any other source.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

import networkx as nx

from analyzer.facts import AlembicOp, AlembicRevision, FileProblem, Hole, Part, PythonFacts
from analyzer.readers.alembic_api import RECREATE_TABLE
from analyzer.readers.sql_file import SqlFileFacts
from analyzer.resolve.templates import TemplateExpander
from analyzer.sources.alembic_env import AlembicEnvironment
from analyzer.sources.migration_sql import migration_operation, template_statements
from analyzer.sources.model import SchemaOp, SourceHistory, dialect_variant
from analyzer.sql.names import TableKey
from analyzer.sql.runnable import CannotRun
from analyzer.sql.statements import TableRef

#: Alembic operations on a table that change no table or column set tabletrace tracks (a
#: column's type or nullability, a comment; a column add or drop whose column is unread):
#: they still need the table. Not a plugin's unknown operation, whose first argument may be
#: no table (`op.sync_enum_values("public", ...)`).
_CHANGING_NO_COLUMN_SET = frozenset(
    {"alter_column", "add_column", "drop_column", "create_table_comment", "drop_table_comment"}
)

SCHEMA_CHANGES = frozenset({"create", "drop", "rename_from", "rename_to", "alter", "broken"})


@dataclass(frozen=True, slots=True)
class Touch:
    """A table a revision's upgrade touches, for the revision graph and classification."""

    table: TableKey
    operation: str  # create, drop, rename_from, rename_to, alter, index, constraint, data, ...
    path: str
    line: int
    conditional: bool = False


@dataclass(slots=True)
class RevisionNode:
    environment: str
    facts: AlembicRevision
    order: int = 0
    is_head: bool = False
    touches: list[Touch] = field(default_factory=list)
    seen: dict[Touch, list[object]] = field(default_factory=dict, repr=False)

    @property
    def revision(self) -> str:
        return self.facts.revision or ""

    @property
    def is_merge(self) -> bool:
        return len(self.facts.down_revisions) > 1

    @property
    def category(self) -> str:
        """merge | documentation | data | schema | opaque."""
        if any(t.operation != "data" for t in self.touches):
            return "schema"
        if self.touches:
            return "data"
        if self.facts.operations or self.facts.opaque_statements:
            return "opaque"
        return "merge" if self.is_merge else "documentation"


@dataclass(frozen=True, slots=True)
class GraphProblem:
    kind: str  # duplicate-revision | missing-parent | missing-dependency | cycle | no-revision-id
    path: str
    line: int | None
    message: str


@dataclass(slots=True)
class AlembicHistory:
    environment: AlembicEnvironment
    history: SourceHistory
    revisions: list[RevisionNode]
    heads: list[str]
    problems: list[GraphProblem] = field(default_factory=list)
    sql_files: set[str] = field(default_factory=set)  # .sql files read by revisions
    diagnostics: list[tuple[str, FileProblem]] = field(default_factory=list)


def order_revisions(
    nodes: dict[str, RevisionNode], path_of: dict[str, str]
) -> tuple[list[str], list[GraphProblem]]:
    """Replay order: parents first; cycles collapse into one step (and are reported)."""
    graph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    problems: list[GraphProblem] = []
    for revision, node in nodes.items():
        for parent in node.facts.down_revisions:
            if parent in nodes:
                graph.add_edge(parent, revision)
            else:
                problems.append(
                    GraphProblem(
                        "missing-parent", path_of[revision], node.facts.down_revision_line,
                        f"revision {revision} names down_revision {parent!r}, which no revision "
                        "file defines: fix the id or restore the missing revision",
                    )
                )
        for dependency in node.facts.depends_on:
            if dependency in nodes:
                graph.add_edge(dependency, revision)
            elif not any(dependency in n.facts.branch_labels for n in nodes.values()):
                problems.append(
                    GraphProblem(
                        "missing-dependency", path_of[revision], node.facts.down_revision_line,
                        f"revision {revision} depends_on {dependency!r}, which is neither a "
                        "revision nor a branch label",
                    )
                )
    condensed = nx.condensation(graph)
    for component in condensed.nodes:
        members = sorted(condensed.nodes[component]["members"])
        if len(members) > 1 or graph.has_edge(members[0], members[0]):
            problems.append(
                GraphProblem(
                    "cycle", path_of[members[0]], nodes[members[0]].facts.down_revision_line,
                    f"revisions {' -> '.join(members)} form a cycle: Alembic cannot order them; "
                    "one of their down_revision values is wrong",
                )
            )
    order: list[str] = []
    for component in nx.lexicographical_topological_sort(
        condensed, key=lambda c: min(condensed.nodes[c]["members"])
    ):
        order.extend(sorted(condensed.nodes[component]["members"]))
    return order, problems


def _table_key(
    parts: tuple[Part, ...] | None,
    schema: str | None,
    revision: PythonFacts | None,
    expander: TemplateExpander,
    default_schema: str,
    line: int,
) -> TableKey | None:
    """Alembic passes names through SQLAlchemy: case is kept as written (upper case is quoted)."""
    if not parts:
        return None
    # replay (resolve/alembic_ops.py) evaluated the name in its frame: a hole is unknown
    text = "".join(getattr(p, "text", "") for p in parts)
    if any(not hasattr(p, "text") for p in parts) or not text:
        return None
    return TableKey(schema or default_schema, text)


class _Builder:
    """Turns one revision's AlembicOps into SchemaOps, touches and data changes."""

    def __init__(
        self,
        result: AlembicHistory,
        expander: TemplateExpander,
        sql_files: Mapping[str, SqlFileFacts],
        *,
        dialect: str,
        default_schema: str,
    ) -> None:
        self.result = result
        self.expander = expander
        self.sql_files = sql_files
        self.dialect = dialect
        self.default_schema = default_schema

    def add(self, node: RevisionNode, python: PythonFacts | None) -> None:
        for op in node.facts.operations:
            self._operation(node, python, op)

    def _key(
        self,
        node: RevisionNode,
        python: PythonFacts | None,
        parts: tuple[Part, ...] | None,
        schema: str | None,
        line: int,
        why: str = "",
    ) -> TableKey | None:
        key = _table_key(parts, schema, python, self.expander, self.default_schema, line)
        if key is None and parts:
            expressions = ", ".join(f"`{p.expr}`" for p in parts if isinstance(p, Hole))
            because = f": {why}" if why else ""
            self.result.diagnostics.append(
                (
                    node.facts.path,
                    FileProblem(
                        "alembic-dynamic-name", line,
                        f"the table name of this operation ({expressions}) cannot be read "
                        f"statically{because}; the operation was not replayed",
                    ),
                )
            )
        return key

    def _emit(
        self,
        node: RevisionNode,
        op: AlembicOp,
        operation: str,
        table: TableKey,
        *,
        path: str | None = None,
        line: int | None = None,
        columns: tuple[str, ...] | None = None,
        column_changes: tuple[tuple[str, str, str | None], ...] = (),
        peer: TableKey | None = None,
        snippet: str = "",
        object_type: str = "table",
        if_not_exists: bool = False,
        if_exists: bool = False,
        cannot_run: CannotRun | None = None,
        inherits: tuple[TableKey, ...] = (),
    ) -> None:
        where = path or op.path or node.facts.path
        at = line if line is not None else op.line
        touch = Touch(table, operation, where, at, op.conditional)
        if touch in node.touches and (columns, column_changes, peer) in node.seen.get(touch, []):
            return  # variants of one statement (`id {id_type}`) doing the same to the table
        node.seen.setdefault(touch, []).append((columns, column_changes, peer))
        node.touches.append(touch)
        schema_op = SchemaOp(
            source=self.result.history.id,
            source_kind="alembic",
            path=where,
            line=at,
            operation=operation,
            table=table,
            object_type=object_type,
            columns=columns,
            column_changes=column_changes,
            peer=peer,
            if_not_exists=if_not_exists,
            if_exists=if_exists,
            revision=node.revision,
            snippet=snippet or op.snippet or f"op.{op.name}(...)",
            conditional=op.conditional,
            problem=cannot_run.reason if cannot_run else None,
            problem_certain=cannot_run.certain if cannot_run else True,
            inherits=inherits,
        )
        if operation in SCHEMA_CHANGES or operation == "data":
            # Data changes ride along in the history (replay ignores them) so that explain and
            # history show them; they are migration data, never application uses.
            self.result.history.operations.append(schema_op)
        elif operation in ("index", "constraint") or (
            operation == "other" and op.name in _CHANGING_NO_COLUMN_SET
        ):
            # no schema change (`op.alter_column("user", "email", nullable=False)`, an index),
            # but `alembic upgrade` fails there if the table is missing
            self.result.history.operations.append(replace(schema_op, order_check_only=True))

    def _referent(self, node: RevisionNode, python: PythonFacts | None, op: AlembicOp) -> None:
        """create_foreign_key's referenced table must exist too (an order check only)."""
        referent = self._key(
            node, python, op.referent_table, op.referent_schema, op.line, op.unresolved
        )
        if referent is None:
            return
        self.result.history.operations.append(
            SchemaOp(
                source=self.result.history.id, source_kind="alembic", path=node.facts.path,
                line=op.line, operation="reference", table=referent, revision=node.revision,
                snippet=op.snippet or "op.create_foreign_key(...)", conditional=op.conditional,
                order_check_only=True,
            )
        )

    def _operation(self, node: RevisionNode, python: PythonFacts | None, op: AlembicOp) -> None:
        if op.name == "execute":
            self._execute(node, python, op)
            return
        table = self._key(node, python, op.table, op.schema, op.line, op.unresolved)
        if table is None:
            return
        name = op.name
        if name == "create_table":
            self._emit(node, op, "create", table, columns=op.columns)
            if op.columns_open:
                self._unread_columns(node, op, table)
        elif name == "drop_table":
            self._emit(node, op, "drop", table)
        elif name == "rename_table":
            new = self._key(node, python, op.new_table, op.schema, op.line, op.unresolved)
            if new is not None:
                self._emit(node, op, "rename_from", table, peer=new)
                self._emit(node, op, "rename_to", new, peer=table)
        elif name in ("add_column", "drop_column") and op.columns:
            action = "add" if name == "add_column" else "drop"
            self._emit(node, op, "alter", table, column_changes=((action, op.columns[0], None),))
        elif name in ("add_column", "drop_column", "alter_column") and not op.columns:
            self._unread_columns(node, op, table)
            self._emit(node, op, "other", table)
        elif name == "alter_column" and op.column_rename:
            old, new_name = op.column_rename
            self._emit(node, op, "alter", table, column_changes=(("rename", old, new_name),))
        elif name == RECREATE_TABLE:
            # a batch rebuilding the table as it is (SQLite's table options): an ALTER that
            # changes no column, which still needs the table
            self._emit(node, op, "alter", table)
        elif name == "bulk_insert":
            self._emit(node, op, "data", table, snippet="op.bulk_insert(...)")
        elif "index" in name:
            self._emit(node, op, "index", table)
        else:
            kind = "constraint" if "constraint" in name or "foreign_key" in name else "other"
            self._emit(node, op, kind, table)
            if name == "create_foreign_key" and op.referent_table:
                self._referent(node, python, op)

    def _unread_columns(self, node: RevisionNode, op: AlembicOp, table: TableKey) -> None:
        """An operation whose column (or some of whose columns) cannot be read: the head
        state may miss them, which `model-drift` says (`unread_column_ops`)."""
        where = op.path or node.facts.path
        self.result.history.unread_column_ops.setdefault(table, []).append((where, op.line))
        what = (
            "some columns this create_table declares (unpacked from a value tabletrace does "
            "not read)" if op.name == "create_table"
            else f"the column this {op.name} changes"
        )
        self.result.diagnostics.append((
            node.facts.path,
            FileProblem(
                "alembic-dynamic-column", op.line,
                f"{what} on {table.display} cannot be read statically (a column built at run "
                "time, or taken from a loop over pairs); the head state may miss it",
            ),
        ))

    def _execute(self, node: RevisionNode, python: PythonFacts | None, op: AlembicOp) -> None:
        if op.sql_file is not None:
            self._sql_file(node, op)
            return
        if not op.sql and op.table:
            # a SQLAlchemy Core statement (`t.update().values(...)`): data, on that table
            table = self._key(node, python, op.table, op.schema, op.line, op.unresolved)
            if table is not None:
                self._emit(node, op, "data", table, snippet=op.snippet)
            return
        if not op.sql or python is None:
            return
        template = self.expander.assemble(op.sql)
        if not template.has_literal_text():
            self.result.diagnostics.append(
                (
                    node.facts.path,
                    FileProblem(
                        "alembic-dynamic-sql", op.line,
                        "upgrade() executes SQL built at run time"
                        + (f" ({op.unresolved})" if op.unresolved else "")
                        + "; tabletrace cannot read it, so its effect is not in the head state",
                    ),
                )
            )
            return
        for item in template_statements(template, self.dialect, self.default_schema):
            for ref in item.analysis.refs:
                if ref.holes:
                    continue
                line = template.line_of(item.statement.offset + (ref.offset or 0))
                self._sql_ref(node, op, ref, node.facts.path, line, item.snippet, item.broken)

    def _sql_ref(
        self,
        node: RevisionNode,
        op: AlembicOp,
        ref: TableRef,
        path: str,
        line: int,
        snippet: str,
        broken: CannotRun | None = None,
    ) -> None:
        found = migration_operation(ref, broken)
        if found is None:
            return
        operation, broken = found
        table = TableKey(ref.schema, ref.name)
        self._emit(
            node, op, operation, table, path=path, line=line, columns=ref.columns,
            column_changes=ref.column_changes,
            peer=TableKey(*ref.peer) if ref.peer else None, snippet=snippet,
            object_type=ref.object_type, if_not_exists=ref.if_not_exists,
            if_exists=ref.if_exists, cannot_run=broken,
            inherits=tuple(TableKey(*parent) for parent in ref.inherits),
        )

    def _sql_file(self, node: RevisionNode, op: AlembicOp) -> None:
        """SQL read from a file: its statements, from the facts the engine read (the file is
        part of this revision's history, not a source of its own)."""
        assert op.sql_file is not None
        revision_dir = PurePosixPath(node.facts.path).parent
        for candidate in (revision_dir / op.sql_file, PurePosixPath(op.sql_file)):
            relative = posixpath.normpath(str(candidate))
            facts = self.sql_files.get(relative)
            if facts is None:
                continue
            self.result.sql_files.add(relative)
            for statement in facts.statements:
                for fact in statement.refs:
                    self._sql_ref(
                        node, op, fact.ref, relative, fact.line, statement.snippet,
                        statement.cannot_run,
                    )
            return
        self.result.diagnostics.append(
            (
                node.facts.path,
                FileProblem(
                    "alembic-sql-file-missing", op.line,
                    f"upgrade() reads SQL from {op.sql_file!r}, which is not in the repository "
                    "(looked beside the revision and at the root); its effect is not replayed",
                ),
            )
        )


def build_alembic_history(
    environment: AlembicEnvironment,
    revisions: list[tuple[AlembicRevision, PythonFacts | None]],
    expander: TemplateExpander,
    sql_files: Mapping[str, SqlFileFacts],
    *,
    dialect: str,
    default_schema: str,
) -> AlembicHistory:
    nodes: dict[str, RevisionNode] = {}
    python_of: dict[str, PythonFacts | None] = {}
    path_of: dict[str, str] = {}
    problems: list[GraphProblem] = []
    for facts, python in sorted(revisions, key=lambda item: item[0].path):
        if not facts.revision:
            problems.append(
                GraphProblem(
                    "no-revision-id", facts.path, None,
                    "this file in a versions folder has no string `revision` id: Alembic "
                    "cannot load it",
                )
            )
            continue
        if facts.revision in nodes:
            problems.append(
                GraphProblem(
                    "duplicate-revision", facts.path, facts.revision_line,
                    f"revision id {facts.revision} is also defined in {path_of[facts.revision]}: "
                    "Alembic keeps only one of them; give this revision a new id",
                )
            )
            continue
        nodes[facts.revision] = RevisionNode(environment.id, facts)
        python_of[facts.revision] = python
        path_of[facts.revision] = facts.path
    order, graph_problems = order_revisions(nodes, path_of)
    problems.extend(graph_problems)
    parents = {parent for node in nodes.values() for parent in node.facts.down_revisions}
    heads = sorted(revision for revision in nodes if revision not in parents)
    history = SourceHistory(
        id=f"alembic:{environment.id}",
        kind="alembic",
        path=environment.script_location or ".",
        files=[path_of[revision] for revision in order],
        ordered=True,
        variant_of=dialect_variant(environment.version_dirs[0])
        if len(environment.version_dirs) == 1
        else None,
    )
    result = AlembicHistory(environment, history, [], heads, problems)
    builder = _Builder(
        result, expander, sql_files, dialect=dialect, default_schema=default_schema
    )
    for position, revision in enumerate(order):
        node = nodes[revision]
        node.order = position
        node.is_head = revision in heads
        builder.add(node, python_of[revision])
        result.revisions.append(node)
    return result
