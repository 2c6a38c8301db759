"""Graphviz DOT text for a report, written by hand so no Graphviz bindings are needed.

Node ids are synthetic (`t1`, `m1`, `s1`), so no table or path can break the syntax; every
label goes through `quote`, which escapes what DOT's quoted strings treat specially.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict

from analyzer.models import Report, Table

STATUS_COLOURS = {
    "used": "#c8e6c9",
    "dead": "#e0e0e0",
    "undefined": "#ffcdd2",
    "dropped": "#ffcc80",
    "runtime-only": "#fff59d",
    "removed": "#f5f5f5",
    "system": "#eceff1",
}
SOURCE_COLOURS = {"sql": "#bbdefb", "alembic": "#d1c4e9", "runtime": "#ffe082", "model": "#b2dfdb"}
USE_COLOURS = {"read": "#2e7d32", "write": "#c62828", "ddl": "#6a1b9a"}


class GraphvizMissing(RuntimeError):
    """The `dot` binary is needed to render images and is not installed."""


def quote(text: str) -> str:
    """A DOT double-quoted string whose content shows exactly `text`."""
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )
    return f'"{escaped}"'


def _package(module: str) -> str:
    return module.rpartition(".")[0] or module


def _selected(report: Report, table_name: str | None) -> list[Table]:
    if table_name is None:
        return report.tables
    table = report.table(table_name)
    return [table] if table else []


def render_dot(report: Report, table_name: str | None = None) -> str:
    tables = _selected(report, table_name)
    table_ids = {t.qualified_name: f"t{i}" for i, t in enumerate(tables, 1)}
    modules: dict[str, str] = {}
    sources: dict[str, tuple[str, str]] = {}
    use_edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    source_edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    for table in tables:
        for use in table.uses:
            modules.setdefault(use.module, use.path)
            use_edges[(use.module, table.qualified_name)].add(use.kind)
        for definition in table.definitions:
            sources.setdefault(definition.source, (definition.source_kind, definition.path))
            source_edges[(definition.source, table.qualified_name)].add(definition.operation)
    module_ids = {name: f"m{i}" for i, name in enumerate(sorted(modules), 1)}
    source_ids = {name: f"s{i}" for i, name in enumerate(sorted(sources), 1)}
    source_paths = {s.id: s for s in report.sources}

    lines = [
        "digraph tabletrace {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=11, nodesep=0.25, ranksep=1.2, '
        f"label={quote('tabletrace: ' + report.root)}, labelloc=t];",
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=8, arrowsize=0.6];',
    ]
    by_package: dict[str, list[str]] = defaultdict(list)
    for module in sorted(modules):
        by_package[_package(module)].append(module)
    for index, (package, members) in enumerate(sorted(by_package.items()), 1):
        lines.append(f"  subgraph cluster_p{index} {{")
        lines.append(f'    label={quote(package)}; style="rounded,filled"; fillcolor="#fafafa";')
        for module in members:
            short = module.rpartition(".")[2] if module != package else module
            lines.append(
                f"    {module_ids[module]} [label={quote(short)}, shape=box, style=rounded, "
                f"tooltip={quote(modules[module])}];"
            )
        lines.append("  }")
    for table in tables:
        colour = STATUS_COLOURS.get(table.status, "#ffffff")
        label = f"{table.qualified_name}\n[{table.status}]"
        shape = "cylinder" if table.object_type == "table" else "component"
        lines.append(
            f"  {table_ids[table.qualified_name]} [label={quote(label)}, shape={shape}, "
            f'style=filled, fillcolor="{colour}"];'
        )
    for source_id in sorted(sources):
        kind, path = sources[source_id]
        source = source_paths.get(source_id)
        label = f"{kind}: {source.path if source else path}"
        if source and source.ordered:
            label += f"/\n({len(source.files)} ordered files)"
        lines.append(
            f"  {source_ids[source_id]} [label={quote(label)}, shape=folder, style=filled, "
            f'fillcolor="{SOURCE_COLOURS.get(kind, "#ffffff")}"];'
        )
    for (module, table), kinds in sorted(use_edges.items()):
        ordered = [k for k in ("read", "write", "ddl") if k in kinds]
        colour = USE_COLOURS["write" if "write" in kinds else ordered[0]]
        lines.append(
            f"  {module_ids[module]} -> {table_ids[table]} "
            f'[label={quote(", ".join(ordered))}, color="{colour}"];'
        )
    # Source edges are drawn table -> source with the arrow reversed, so that Graphviz ranks
    # modules on the left, tables in the middle and migration sources on the right.
    for (source_id, table), operations in sorted(source_edges.items()):
        lines.append(
            f"  {table_ids[table]} -> {source_ids[source_id]} "
            f'[label={quote(", ".join(sorted(operations)))}, dir=back, style=dashed, '
            'color="#546e7a"];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_svg(dot_text: str) -> str:
    """Render DOT to SVG with Graphviz's `dot`; raises GraphvizMissing when it is absent."""
    binary = shutil.which("dot")
    if binary is None:
        raise GraphvizMissing(
            "SVG output needs Graphviz's `dot` program, which is not installed "
            "(Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz). "
            "Use --format dot to get the DOT text instead."
        )
    completed = subprocess.run(
        [binary, "-Tsvg"], input=dot_text, capture_output=True, text=True, check=False,
        timeout=300,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"dot failed: {completed.stderr.strip()}")
    return completed.stdout


CATEGORY_STYLE = {
    "schema": 'style=filled, fillcolor="#ffffff"',
    "data": 'style=filled, fillcolor="#fff9c4"',
    "documentation": 'style="filled,dashed", fillcolor="#eeeeee"',
    "merge": 'style=filled, fillcolor="#e1f5fe", shape=hexagon',
    "opaque": 'style=filled, fillcolor="#ffe0b2"',
}
OPERATION_MARK = {
    "create": "+", "drop": "-", "rename_from": "~", "rename_to": "~", "alter": "*",
    "data": "=", "index": "#", "constraint": "#", "other": "#",
}
MAX_TABLES_IN_LABEL = 6


def render_revisions_dot(report: Report) -> str:
    """The Alembic revision DAG: one cluster per environment, revisions labelled by tables."""
    lines = [
        "digraph revisions {",
        '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, '
        f"label={quote('Alembic revisions: ' + report.root)}, labelloc=t];",
        '  node [fontname="Helvetica", fontsize=9, shape=box];',
        '  edge [arrowsize=0.6];',
    ]
    ids: dict[tuple[str, str], str] = {}
    environments = sorted({r.environment for r in report.revisions})
    for env_index, environment in enumerate(environments, 1):
        lines.append(f"  subgraph cluster_e{env_index} {{")
        lines.append(f"    label={quote(environment)}; style=rounded;")
        for revision in (r for r in report.revisions if r.environment == environment):
            node_id = f"r{len(ids) + 1}"
            ids[(environment, revision.revision)] = node_id
            touched = []
            for item in revision.tables:
                mark = OPERATION_MARK.get(item.operation, "#")
                entry = f"{mark}{item.table.removeprefix('public.')}"
                if item.conditional:
                    entry += "?"
                if entry not in touched:
                    touched.append(entry)
            if len(touched) > MAX_TABLES_IN_LABEL:
                hidden = len(touched) - MAX_TABLES_IN_LABEL
                touched = [*touched[:MAX_TABLES_IN_LABEL], f"... {hidden} more"]
            label = "\n".join(
                [f"{revision.revision} ({revision.category})"]
                + ([revision.message[:50]] if revision.message else [])
                + touched
            )
            style = CATEGORY_STYLE.get(revision.category, "")
            head = ", penwidth=2.5" if revision.is_head else ""
            lines.append(
                f"    {node_id} [label={quote(label)}, {style}{head}, "
                f"tooltip={quote(revision.path)}];"
            )
        lines.append("  }")
    for revision in report.revisions:
        child = ids[(revision.environment, revision.revision)]
        for parent in revision.down_revisions:
            if (revision.environment, parent) in ids:
                lines.append(f"  {ids[(revision.environment, parent)]} -> {child};")
        for dependency in revision.depends_on:
            if (revision.environment, dependency) in ids:
                lines.append(
                    f"  {ids[(revision.environment, dependency)]} -> {child} "
                    '[style=dashed, label="depends_on", fontsize=8];'
                )
    lines.append("}")
    return "\n".join(lines) + "\n"
