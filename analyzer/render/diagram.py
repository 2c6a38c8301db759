"""What a code-to-table diagram shows, independent of the drawing language (DOT, Mermaid).

Modules on the left, tables in the middle, the sources that create them on the right. Three
ways to keep a large repository's diagram readable:

- `table`: one table and its neighbours;
- `collapse=N`: modules grouped by their first N package components (`app.users.repo` ->
  `app` with N=1), and sources of one kind grouped by their first N directories, so the
  number of nodes follows the number of packages, not of files;
- `only_problems`: only the tables with findings, and the modules and sources next to them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from analyzer.models import Report, Table

USE_ORDER = ("read", "write", "ddl")


@dataclass(frozen=True, slots=True)
class DiagramOptions:
    table: str | None = None
    collapse: int | None = None
    only_problems: bool = False


@dataclass(frozen=True, slots=True)
class ModuleNode:
    id: str
    label: str
    cluster: str | None  # package drawn around it (None when collapsed)
    tooltip: str


@dataclass(frozen=True, slots=True)
class TableNode:
    id: str
    name: str
    status: str
    object_type: str
    findings: int


@dataclass(frozen=True, slots=True)
class SourceNode:
    id: str
    kind: str
    label: str


@dataclass(slots=True)
class Diagram:
    title: str
    modules: list[ModuleNode] = field(default_factory=list)
    tables: list[TableNode] = field(default_factory=list)
    sources: list[SourceNode] = field(default_factory=list)
    uses: list[tuple[str, str, list[str]]] = field(default_factory=list)  # module, table, kinds
    defines: list[tuple[str, str, list[str]]] = field(default_factory=list)  # table, source, ops

    @property
    def node_count(self) -> int:
        return len(self.modules) + len(self.tables) + len(self.sources)


def package_of(module: str) -> str:
    return module.rpartition(".")[0] or module


def collapsed_module(module: str, depth: int) -> str:
    return ".".join(module.split(".")[: max(depth, 1)])


def _collapsed_path(path: str, depth: int) -> str:
    parts = path.split("/")
    return "/".join(parts[: max(depth, 1)]) if len(parts) > depth else path


def _selected_tables(report: Report, options: DiagramOptions) -> list[Table]:
    tables = report.tables
    if options.table is not None:
        table = report.table(options.table)
        tables = [table] if table else []
    if options.only_problems:
        with_findings = {finding.table for finding in report.findings if finding.table}
        tables = [table for table in tables if table.qualified_name in with_findings]
    return tables


def build_diagram(report: Report, options: DiagramOptions | None = None) -> Diagram:
    options = options or DiagramOptions()
    depth = options.collapse
    tables = _selected_tables(report, options)
    findings_per_table: dict[str, int] = defaultdict(int)
    for finding in report.findings:
        if finding.table:
            findings_per_table[finding.table] += 1
    sources_by_id = {source.id: source for source in report.sources}

    module_members: dict[str, set[str]] = defaultdict(set)  # node key -> module names
    module_paths: dict[str, str] = {}
    source_members: dict[tuple[str, str], set[str]] = defaultdict(set)  # (kind, key) -> ids
    use_edges: dict[tuple[str, str], set[str]] = defaultdict(set)
    source_edges: dict[tuple[tuple[str, str], str], set[str]] = defaultdict(set)
    for table in tables:
        for use in table.uses:
            key = collapsed_module(use.module, depth) if depth else use.module
            module_members[key].add(use.module)
            module_paths.setdefault(key, use.path)
            use_edges[(key, table.qualified_name)].add(use.kind)
        for definition in table.definitions:
            source = sources_by_id.get(definition.source)
            path = source.path if source else definition.path
            key = _collapsed_path(path, depth) if depth else definition.source
            group = (definition.source_kind, key)
            source_members[group].add(definition.source)
            source_edges[(group, table.qualified_name)].add(definition.operation)

    diagram = Diagram(title=f"tabletrace: {report.root}")
    module_ids = {key: f"m{i}" for i, key in enumerate(sorted(module_members), 1)}
    for key in sorted(module_members):
        members = module_members[key]
        if depth:
            count = len(members)
            label = key if members == {key} else f"{key} ({count} module{'s' * (count != 1)})"
            diagram.modules.append(ModuleNode(module_ids[key], label, None, key))
        else:
            package = package_of(key)
            short = key.rpartition(".")[2] if key != package else key
            diagram.modules.append(ModuleNode(module_ids[key], short, package, module_paths[key]))
    table_ids = {table.qualified_name: f"t{i}" for i, table in enumerate(tables, 1)}
    for table in tables:
        diagram.tables.append(
            TableNode(
                table_ids[table.qualified_name], table.qualified_name, table.status,
                table.object_type, findings_per_table[table.qualified_name],
            )
        )
    source_ids = {group: f"s{i}" for i, group in enumerate(sorted(source_members), 1)}
    for group in sorted(source_members):
        kind, key = group
        members = sorted(source_members[group])
        if len(members) == 1:
            source = sources_by_id.get(members[0])
            label = f"{kind}: {source.path if source else key.partition(':')[2] or key}"
            if source and source.ordered:
                label += f"/\n({len(source.files)} ordered files)"
        else:
            label = f"{kind}: {key}/\n({len(members)} sources)"
        diagram.sources.append(SourceNode(source_ids[group], kind, label))
    for (module, table), kinds in sorted(use_edges.items()):
        diagram.uses.append(
            (module_ids[module], table_ids[table], [k for k in USE_ORDER if k in kinds])
        )
    for (group, table), operations in sorted(source_edges.items()):
        diagram.defines.append((table_ids[table], source_ids[group], sorted(operations)))
    return diagram
