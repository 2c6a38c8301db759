"""A table's status, from the replayed final states and the uses: the one truth that the
report, `explain`, `history` and the rules share.

used          present in some source's final state and read or written by application code
runtime-only  used, and only application code's own DDL creates it
dead          present in some final state, read or written by no application code
undefined     used, created by no source at all
temporary     created only as a temporary table (`CREATE TEMP TABLE`, a Spark temporary view):
              it lives in the session of the code that creates it, in no source's schema
broken        created only by statements that cannot run (`broken-definition`)
dropped       used, but its sources drop or rename it away (Alembic's, Django's head counts alone)
system        a database catalog (`pg_class`, `information_schema.*`, `sqlite_master`)
external      owned outside the repository: only an `external` source (a Django contrib or
              third-party app, an unmanaged model no source creates) and models have it
removed       lives only in history: created then dropped or renamed, or clean-up DDL
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from analyzer.graph import CREATING_OPERATIONS, REMOVING_OPERATIONS, operations_on, uses_of
from analyzer.sql.names import is_system_table
from analyzer.sql.refs import TEMPORARY_CREATION

if TYPE_CHECKING:
    import networkx as nx

    from analyzer.models import Use
    from analyzer.sources.model import SchemaOp

# Sources whose head state alone says what a database built by them has.
HEAD_STATE_KINDS = frozenset({"alembic", "django"})


def needing_uses(graph: nx.MultiDiGraph, node: str) -> list[Use]:
    """Uses that need the table in the schema the sources build: dropping or renaming it if
    it exists is clean-up code (`DROP TABLE IF EXISTS old`), and creating it is the opposite
    of a need (a staging table the code builds, fills elsewhere and renames into place is
    needed by that filling, not by its own `CREATE`). Nor does a use that its own function
    follows with a drop or rename of the table: it copies the rows out of a table on its way
    out (`SELECT * FROM poster_urls`, then `DROP TABLE poster_urls`), or into a table being
    rebuilt (SQLite's recipe: `CREATE TABLE new_x`, `INSERT INTO new_x SELECT ...`, `ALTER
    TABLE new_x RENAME TO x`), while the table exists."""
    uses = uses_of(graph, node)
    ddl = [
        u for u in uses
        if u.operation in REMOVING_OPERATIONS or u.operation in CREATING_OPERATIONS
        or u.operation == TEMPORARY_CREATION
    ]
    return [u for u in uses if u not in ddl and not _before_its_removal(u, ddl)]


def _before_its_removal(use: Use, ddl: list[Use]) -> bool:
    """The next creation or removal of the table that `use`'s own function (or module-level
    code) makes after it is a removal."""
    later = [
        d for d in ddl
        if d.path == use.path and d.function == use.function and d.line > use.line
    ]
    return bool(later) and min(later, key=lambda d: d.line).operation in REMOVING_OPERATIONS


def is_undefined(graph: nx.MultiDiGraph, node: str, data: Mapping[str, Any]) -> bool:
    """Used by code, present in no final state, created by no operation of any source (a
    CREATE that cannot run is `broken`, not undefined: it says where the definition is; a
    temporary table's creation is the code's own, in its session)."""
    if not needing_uses(graph, node) or data["present_in"] or is_system_table(data["key"]):
        return False
    ops = operations_on(graph, node)
    return not any(
        op.operation in CREATING_OPERATIONS or op.operation in ("broken", TEMPORARY_CREATION)
        for op in ops
    )


def is_temporary(graph: nx.MultiDiGraph, node: str, data: Mapping[str, Any]) -> bool:
    """Created only as a temporary table: present in no final state, and every creation of it
    is `CREATE TEMP TABLE` (or a DataFrame registered as a temporary view). Such a table is
    neither a migration's business nor dead nor undefined: its session makes it."""
    if data["present_in"]:
        return False
    ops = operations_on(graph, node)
    return any(op.operation == TEMPORARY_CREATION for op in ops) and not any(
        op.operation in CREATING_OPERATIONS for op in ops
    )


def broken_definitions(graph: nx.MultiDiGraph, node: str) -> list[SchemaOp]:
    """The CREATE statements of this table that cannot run."""
    return [op for op in operations_on(graph, node) if op.operation == "broken"]


def is_broken(graph: nx.MultiDiGraph, node: str, data: Mapping[str, Any]) -> bool:
    """Created only by statements that cannot run: no source's final state has it."""
    if data["present_in"] or not broken_definitions(graph, node):
        return False
    return not any(op.operation in CREATING_OPERATIONS for op in operations_on(graph, node))


def is_external(data: Mapping[str, Any]) -> bool:
    """Owned outside the repository: no source of the repository creates it, an `external`
    one (`analyzer.sources.django_project`) has it, models may declare it (`managed = False`)."""
    present = data["present_in"]
    return "external" in present and present <= {"external", "model"}


#: References through which the ORM reads and writes the target whenever the source's model
#: is used, without the code naming the target's model or table.
_LOADING_REFERENCES = frozenset({"many_to_many", "relationship"})


def reached_from_a_used_table(graph: nx.MultiDiGraph, node: str) -> bool:
    """The join table of a many-to-many field, or the target of a SQLAlchemy `relationship()`,
    of a model whose table code uses: forms, serializers, templates and attribute access
    (`notifier.options`, loaded lazily, written through its cascade) reach it through the
    relation without naming it."""
    for source, _, data in graph.in_edges(node, data=True):
        reference = data.get("reference")
        if reference is not None and reference.via in _LOADING_REFERENCES and any(
            use.kind in ("read", "write") for use in uses_of(graph, source)
        ):
            return True
    return False


def is_dead(graph: nx.MultiDiGraph, node: str, data: Mapping[str, Any]) -> bool:
    """Present in some final state, and no application code reads or writes it (nor a model
    whose many-to-many join table or relationship target it is). A table owned outside the
    repository is not dead: the app owning it uses it."""
    if not data["present_in"] or "external" in data["present_in"]:
        return False
    if any(use.kind in ("read", "write") for use in uses_of(graph, node)):
        return False
    return not reached_from_a_used_table(graph, node)


def removals_in_use(
    graph: nx.MultiDiGraph, node: str, data: Mapping[str, Any]
) -> list[SchemaOp]:
    """The drops and renames that take a used table away (empty when none does).

    Alembic and Django drops count against their own head state alone: a raw SQL file that
    still creates the table does not bring it back on `alembic upgrade head` / `migrate`
    (application code creating it at run time does, where it runs). Other
    sources' drops count when no source's final state has the table. A system or bookkeeping
    table is not the application's schema: a revision dropping sqlalchemy-migrate's
    `migrate_version` after moving to Alembic leaves code that reads it when it exists."""
    if not needing_uses(graph, node) or is_system_table(data["key"]):
        return []
    ops = operations_on(graph, node)
    removals = [op for op in ops if op.operation in REMOVING_OPERATIONS]
    if not removals:
        return []
    present = data["present_in"]
    by_migrations = [op for op in removals if op.source_kind in HEAD_STATE_KINDS]
    # application code that creates the table again at run time (a leaderboard job
    # re-creating the materialized view a revision dropped) brings it back, where the code
    # runs: `runtime-created-table`'s case, not a table gone; so does a `create_all()` (not
    # the other branch of a choice between it and the migrations), which creates whatever
    # table of its models is missing each time it runs (jupyterhub: a fresh database is
    # stamped, an existing one upgraded, then `create_all` at every start)
    if (
        by_migrations
        and not present & {"runtime", *(op.source_kind for op in by_migrations)}
        and not _created_again_by_create_all(data)
    ):
        return by_migrations
    if present or not any(op.operation in CREATING_OPERATIONS for op in ops):
        return []
    return removals


def _created_again_by_create_all(data: Mapping[str, Any]) -> bool:
    return any(
        history.kind == "create_all" and history.alternative_to is None
        and not history.assumed
        for history, _ in data["states"]
    )


def table_status(graph: nx.MultiDiGraph, node: str) -> str:
    data = graph.nodes[node]
    if is_temporary(graph, node, data):
        return "temporary"
    if is_undefined(graph, node, data):
        return "undefined"
    if is_broken(graph, node, data):
        return "broken"
    if is_dead(graph, node, data):
        return "dead"
    if removals_in_use(graph, node, data):
        return "dropped"
    present = data["present_in"]
    if present == {"runtime"}:
        return "runtime-only"
    if is_external(data):
        return "external"
    if present:
        return "used"
    if is_system_table(data["key"]):
        return "system"
    if not operations_on(graph, node) and _referenced(graph, node):
        # a foreign key's target that no source creates, drops or renames: never made, not
        # removed (`ForeignKey("company.id")` with no model or migration of `company`)
        return "undefined"
    return "removed"


def _referenced(graph: nx.MultiDiGraph, node: str) -> bool:
    return any("reference" in edge for _, _, edge in graph.in_edges(node, data=True))
