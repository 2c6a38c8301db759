"""Turn the graph and the findings into the report's table records (sorted, plain data)."""

from __future__ import annotations

import networkx as nx

from analyzer.graph import nodes_of_kind
from analyzer.models import Definition, Table, TableLink, TableState, Use
from analyzer.orm.mapping import Reference
from analyzer.sources.model import SchemaOp, describe
from analyzer.sql.names import TableKey
from analyzer.sql.refs import TEMPORARY_CREATION
from analyzer.status import table_status


def _definition(op: SchemaOp, sequence: int) -> Definition:
    return Definition(
        source_kind=op.source_kind,
        source=op.source,
        path=op.path,
        line=op.line,
        operation=op.operation,
        revision=op.revision,
        object_type=op.object_type,
        columns=list(op.columns) if op.columns is not None else None,
        detail=describe(op),
        snippet=op.snippet,
        conditional=op.conditional,
        sequence=sequence,
    )


def _link(reference: Reference, other: TableKey) -> TableLink:
    return TableLink(
        table=other.display, path=reference.path, line=reference.line, via=reference.via
    )


def _link_order(link: TableLink) -> tuple[str, str, int, str]:
    return (link.table, link.path, link.line, link.via)


def assemble_tables(graph: nx.MultiDiGraph) -> list[Table]:
    """One `Table` per table node: its evidence, states and status (`analyzer.status`)."""
    tables: list[Table] = []
    for node, data in nodes_of_kind(graph, "table"):
        key: TableKey = data["key"]
        uses: list[Use] = []
        definitions: list[Definition] = []
        referenced_by: set[TableLink] = set()
        for _, _, edge in graph.in_edges(node, data=True):
            if "use" in edge:
                uses.append(edge["use"])
            elif "op" in edge:
                definitions.append(_definition(edge["op"], edge["sequence"]))
            elif "reference" in edge:
                referenced_by.add(_link(edge["reference"], edge["reference"].source))
        references = {
            _link(edge["reference"], edge["reference"].target)
            for _, _, edge in graph.out_edges(node, data=True)
            if "reference" in edge
        }
        states = sorted(
            (
                TableState(
                    source=history.id,
                    source_kind=history.kind,
                    object_type=entry.object_type,
                    columns=entry.columns,
                )
                for history, entry in data["states"]
            ),
            key=lambda s: s.source,
        )
        present = sorted(data["present_in"])
        status = table_status(graph, node)
        object_types = {s.object_type for s in states} | {
            d.object_type for d in definitions if d.operation in ("create", TEMPORARY_CREATION)
        }
        tables.append(
            Table(
                name=key.name,
                schema=key.schema,
                qualified_name=key.display,
                object_type=sorted(object_types)[0] if len(object_types) == 1 else "table",
                status=status,
                present_in=present,
                definitions=sorted(
                    definitions, key=lambda d: (d.source_kind, d.path, d.line, d.operation)
                ),
                uses=sorted(uses, key=lambda u: (u.path, u.line, u.kind, u.operation)),
                states=states,
                used_by_modules=sorted({u.module for u in uses}),
                references=sorted(references, key=_link_order),
                referenced_by=sorted(referenced_by, key=_link_order),
            )
        )
    return sorted(tables, key=lambda t: (t.schema_name, t.name))
