"""The usage graph: code modules -> tables <- migration sources.

A `networkx.MultiDiGraph` with three node kinds (`module`, `table`, `source`) plus `dynamic`
nodes for table names that are only known at run time. Edges from modules are uses (`read`,
`write`, `ddl`); edges from sources are schema operations (`create`, `drop`, `rename_from`,
`rename_to`, `alter`); table -> table edges are `references`. Findings are queries on this graph.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from analyzer.sql.refs import CREATING_OPERATIONS as CREATING_OPERATIONS  # rules import it here

if TYPE_CHECKING:
    import networkx as nx

    from analyzer.models import Use
    from analyzer.orm.mapping import Reference
    from analyzer.sources.alembic import AlembicHistory
    from analyzer.sources.model import SchemaOp, SourceHistory
    from analyzer.sql.names import TableKey

REMOVING_OPERATIONS = frozenset({"drop", "rename_from"})
MIGRATION_KINDS = frozenset({"sql", "alembic", "django", "create_all", "migration-module"})


@dataclass(slots=True)
class DynamicUse:
    path: str
    line: int
    module: str
    expressions: tuple[str, ...]
    kind: str
    snippet: str
    reason: str = ""  # why the evaluator could not resolve it
    operation: str = ""  # what the statement does to the table ("create", "rename_to"...)
    engine: str = ""  # "spark": a name of a Spark session's catalog (`sources.spark`)


@dataclass(slots=True)
class ModuleInfo:
    name: str
    path: str
    dynamic: list[DynamicUse] = field(default_factory=list)


def table_node(key: TableKey) -> str:
    return f"table:{key.schema}.{key.name}"


def module_node(name: str) -> str:
    return f"module:{name}"


def source_node(source_id: str) -> str:
    return f"source:{source_id}"


def revision_node(environment: str, revision: str) -> str:
    return f"revision:{environment}:{revision}"


def build_graph(
    modules: list[ModuleInfo],
    uses: list[tuple[TableKey, Use]],
    histories: list[SourceHistory],
    alembic: Iterable[AlembicHistory] = (),
    references: Iterable[Reference] = (),
) -> nx.MultiDiGraph:
    # networkx is imported here, not with the module: rules and renderers import this module
    # for its queries, and a scan answered from the cache must not pay for networkx.
    import networkx as nx

    graph = nx.MultiDiGraph()
    for module in modules:
        graph.add_node(module_node(module.name), kind="module", name=module.name, path=module.path)
        for index, dynamic in enumerate(module.dynamic):
            node = f"dynamic:{dynamic.path}:{dynamic.line}:{index}"
            graph.add_node(node, kind="dynamic", use=dynamic)
            graph.add_edge(module_node(module.name), node, relation="uses", kind=dynamic.kind)
    for key, use in uses:
        _ensure_table(graph, key)
        graph.add_edge(
            module_node(use.module), table_node(key), relation="uses", kind=use.kind, use=use
        )
    for history in histories:
        graph.add_node(
            source_node(history.id), kind="source", source_kind=history.kind, history=history
        )
        schema_ops = [op for op in history.operations if not op.order_check_only]
        for sequence, op in enumerate(schema_ops):
            _ensure_table(graph, op.table)
            graph.add_edge(
                source_node(history.id), table_node(op.table), relation=op.operation, op=op,
                sequence=sequence,
            )
            if op.peer is not None:
                _ensure_table(graph, op.peer)
        for key in history.state:
            _ensure_table(graph, key)
            graph.nodes[table_node(key)]["present_in"].add(history.kind)
            graph.nodes[table_node(key)]["states"].append((history, history.state[key]))
    for reference in references:
        _ensure_table(graph, reference.source)
        _ensure_table(graph, reference.target)
        graph.add_edge(
            table_node(reference.source), table_node(reference.target),
            relation="references", reference=reference,
        )
    for environment in alembic:
        env_node = f"alembic:{environment.environment.id}"
        graph.add_node(env_node, kind="alembic_env", history=environment)
        for revision in environment.revisions:
            node = revision_node(environment.environment.id, revision.revision)
            graph.add_node(node, kind="revision", revision=revision)
            graph.add_edge(env_node, node, relation="contains")
        for revision in environment.revisions:
            for parent in revision.facts.down_revisions:
                parent_node = revision_node(environment.environment.id, parent)
                if parent_node in graph:
                    graph.add_edge(
                        parent_node, revision_node(environment.environment.id, revision.revision),
                        relation="parent",
                    )
    return graph


def _ensure_table(graph: nx.MultiDiGraph, key: TableKey) -> None:
    node = table_node(key)
    if node not in graph:
        graph.add_node(node, kind="table", key=key, present_in=set(), states=[])


def nodes_of_kind(graph: nx.MultiDiGraph, kind: str) -> Iterator[tuple[str, dict]]:
    for node, data in graph.nodes(data=True):
        if data["kind"] == kind:
            yield node, data


def uses_of(graph: nx.MultiDiGraph, node: str) -> list[Use]:
    """The table's uses, in file:line order (the order evidence is listed in)."""
    uses = [
        data["use"]
        for _, _, data in graph.in_edges(node, data=True)
        if data["relation"] == "uses"
    ]
    return sorted(uses, key=lambda use: (use.path, use.line, use.kind))


def operations_on(
    graph: nx.MultiDiGraph,
    node: str,
    operations: Collection[str] | None = None,
    source_kinds: Collection[str] | None = None,
) -> list[SchemaOp]:
    """Schema operations on the table, optionally filtered, in file:line order."""
    found = [
        data["op"]
        for _, _, data in graph.in_edges(node, data=True)
        if "op" in data
        and (operations is None or data["op"].operation in operations)
        and (source_kinds is None or data["op"].source_kind in source_kinds)
    ]
    return sorted(found, key=lambda op: (op.path, op.line))
