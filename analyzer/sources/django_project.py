"""Django projects as sources: migration histories, model declarations, external tables.

`analyze_django` is the entry point `analyzer.scan` calls, after the per-file facts and the
evaluator exist and before anything is replayed. It resolves each project (settings, apps,
models: `analyzer.resolve.django`), builds its sources from facts (the migrations' history,
`analyzer.sources.django`; one `model` source per models file), and returns with them what the
scan adds to its uses (`analyzer.resolve.django_uses`), references and diagnostics, and which
files are migrations (never application code). `order_inputs` gives the migration-order check
each project's migration graph. `external_histories` runs after replay: a table owned outside
the repository (a contrib app's, an unmanaged model's that no source creates) gets a source of
kind `external`, so that it is never an undefined or dead table and the report names its owner.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from analyzer.config import Config
from analyzer.facts import PythonFacts
from analyzer.models import Diagnostic, Use
from analyzer.orm.mapping import Reference
from analyzer.resolve.django import DjangoModel, DjangoProject, DjangoResolver
from analyzer.resolve.django_catalog import MIGRATION_BASES, engine_dialect
from analyzer.resolve.django_uses import ChainResolver
from analyzer.resolve.evaluate import Evaluator
from analyzer.resolve.templates import TemplateExpander
from analyzer.resolve.values import ClassV
from analyzer.sources.django import DjangoHistory, DjangoMigrations
from analyzer.sources.model import EXTERNAL_KIND, SchemaOp, SourceHistory, StateEntry
from analyzer.sql.names import TableKey


@dataclass(slots=True)
class DjangoScan:
    projects: list[DjangoProject] = field(default_factory=list)
    migrations: list[DjangoHistory] = field(default_factory=list)
    histories: list[SourceHistory] = field(default_factory=list)  # django + model sources
    uses: list[tuple[TableKey, Use]] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    migration_files: set[str] = field(default_factory=set)  # never application code
    references: list[Reference] = field(default_factory=list)  # ForeignKey / ManyToMany
    resolver: DjangoResolver | None = None
    # chains starting at a model lookup (`apps.get_model(...)`) that names no single model
    unresolved_lookups: int = 0
    # table -> (path, line, accessor) of chains on a receiver of unknown type through a
    # relation accessor that may be this table's (`ChainResolver.untyped_accessors`)
    maybe_reached: dict[TableKey, list[tuple[str, int, str]]] = field(default_factory=dict)

    @property
    def migration_count(self) -> int:
        return sum(len(h.nodes) for h in self.migrations)


def _has_django(modules: list[PythonFacts]) -> bool:
    """Django facts somewhere, or a module importing Django (models need no other marker)."""
    return any(
        facts.django is not None
        or any(binding.module.split(".")[0] == "django" for binding in facts.imports)
        for facts in modules
    )


def analyze_django(
    modules: list[PythonFacts],
    evaluator: Evaluator,
    expander: TemplateExpander,
    config: Config,
) -> DjangoScan:
    result = DjangoScan()
    if not _has_django(modules):
        return result
    resolver = DjangoResolver(
        evaluator, modules, dialect=config.dialect, default_schema=config.default_schema
    )
    result.resolver = resolver
    projects = resolver.projects()
    bare = False
    if not projects:
        if not any(f.django is not None and f.django.migration is not None for f in modules) and (
            not _declares_models(resolver, modules)
        ):
            return result
        projects = [resolver.bare_project()]
        bare = True
    result.projects = projects
    for project in projects:
        resolver.models(project, bare=bare)
        migrations = DjangoMigrations(resolver, project, expander, bare=bare)
        history = migrations.history()
        result.migrations.append(history)
        result.migration_files |= history.files
        if history.nodes or history.history.operations:
            result.histories.append(history.history)
        result.histories.extend(_model_histories(resolver, project))
        result.references.extend(_references(resolver, project))
        chains = ChainResolver(resolver, project)
        chains.migration_tables = frozenset(
            op.table for op in history.history.operations if op.operation == "create"
        )
        project_uses: list[tuple[TableKey, Use]] = []
        for facts in modules:
            if facts.path in history.files or not project.contains(facts):
                continue
            project_uses.extend(chains.uses(facts))
        project_uses.extend(chains.parameter_uses([
            facts for facts in modules
            if facts.path not in history.files and project.contains(facts)
        ]))
        project_uses.extend(chains.installed_app_uses())
        result.uses.extend(project_uses)
        result.uses.extend(chains.history_uses(project_uses))
        result.unresolved_lookups += len(chains.unresolved_lookups)
        for key, path, line, accessor in chains.untyped_accessors:
            result.maybe_reached.setdefault(key, []).append((path, line, accessor))
        for path, line, name in sorted(set(chains.unresolved_lookups)):
            result.diagnostics.append(
                Diagnostic(
                    code="django-model-lookup", path=path, line=line,
                    message=f"a model looked up by name ({name}) that names no single model "
                    "of the project (the label is not known, or several apps have a model of "
                    "that name): its uses here are not reported",
                )
            )
        for item in [*project.diagnostics, *history.diagnostics]:
            result.diagnostics.append(
                Diagnostic(code=item.code, path=item.path, line=item.line, message=item.message)
            )
        result.diagnostics.extend(_dialect_notes(resolver, project, config))
    # migration files outside every project are still migrations, not application code
    for facts in modules:
        if facts.django is not None and facts.django.migration is not None:
            externals = resolver.ancestry(ClassV(facts.module, "Migration"))[1]
            if set(externals) & MIGRATION_BASES:
                result.migration_files.add(facts.path)
    return result


def _declares_models(resolver: DjangoResolver, modules: list[PythonFacts]) -> bool:
    for facts in modules:
        for qualname in facts.classes:
            if "." not in qualname and resolver.is_model_class(ClassV(facts.module, qualname)):
                return True
    return False


def _dialect_notes(
    resolver: DjangoResolver, project: DjangoProject, config: Config
) -> list[Diagnostic]:
    """Settings may choose the engine by environment; SQL is read in the configured dialect."""
    if not project.engines:
        return []
    dialects = resolver.dialects(project)
    engines = ", ".join(engine for engine, _, _ in project.engines)
    engine, path, line = project.engines[0]
    if dialects == [config.dialect]:
        return []
    if config.dialect in dialects:
        message = (
            f"the settings choose the database engine at run time ({engines}); tabletrace "
            f"reads SQL as {config.dialect} (the `dialect` setting)"
        )
    else:
        named = engine_dialect(engine) or engine
        message = (
            f"the settings name the engine {engines} ({named}), but SQL is read as "
            f"{config.dialect}: set `dialect = \"{named}\"` in [tool.tabletrace] if that is the "
            "database"
        )
    return [Diagnostic(code="django-dialect", path=path, line=line, message=message)]


def _model_histories(resolver: DjangoResolver, project: DjangoProject) -> list[SourceHistory]:
    """One `model` source per models file: each local concrete model's table (unmanaged ones
    too) and its auto-created many-to-many tables, declared."""
    histories: dict[str, SourceHistory] = {}

    def declare(path: str, line: int, table: TableKey, columns: tuple[str, ...] | None,
                label: str) -> None:
        history = histories.setdefault(
            path,
            SourceHistory(id=f"model:{path}", kind="model", path=path, files=[path],
                          ordered=False),
        )
        history.operations.append(
            SchemaOp(
                source=history.id, source_kind="model", path=path, line=line,
                operation="declare", table=table, columns=columns, snippet=label,
            )
        )

    for model in sorted(project.models.values(), key=lambda m: (m.path or "", m.line, m.key)):
        if not _local_table(model) or model.table is None or model.path is None:
            continue
        columns = tuple(model.columns) if model.columns_known else None
        unmanaged = "" if model.managed else " (managed = False)"
        declare(model.path, model.line, model.table, columns,
                f"Django model {model.label}{unmanaged}")
    for auto in resolver.auto_tables(project):
        if not auto.model.managed:
            continue
        declare(auto.path, auto.line, auto.table, auto.columns or None,
                f"Django model {auto.model.label}.{auto.field.name} (many-to-many)")
    for history in histories.values():
        history.operations.sort(key=lambda op: (op.line, op.table))
    return [histories[path] for path in sorted(histories)]


def _references(resolver: DjangoResolver, project: DjangoProject) -> list[Reference]:
    """What the project's models point to: a ForeignKey / OneToOneField to the related model's
    table, a ManyToManyField to its join table (auto-created or `through=`)."""
    out: list[Reference] = []
    for model in sorted(project.models.values(), key=lambda m: m.key):
        if not _local_table(model) or model.table is None:
            continue
        for item in model.fields:
            if item.kind in ("fk", "o2o"):
                target = resolver.target(project, item.target, model)
                concrete = (target.concrete or target) if target is not None else None
                if concrete is not None and concrete.table is not None:
                    out.append(Reference(model.table, concrete.table, item.path, item.line,
                                         "foreign_key"))
            elif item.kind == "m2m":
                auto = resolver.auto_table(project, model, item)
                through = resolver.target(project, item.through, model) if auto is None else None
                table = auto.table if auto is not None else (
                    through.table if through is not None else None
                )
                if table is not None:
                    out.append(Reference(model.table, table, item.path, item.line,
                                         "many_to_many"))
    return out


def _local_table(model: DjangoModel) -> bool:
    return model.owner is None and not model.abstract and not model.proxy


def order_inputs(
    scan: DjangoScan,
) -> dict[str, tuple[Mapping[str, tuple[str, ...]] | None, frozenset[TableKey]]]:
    """For each project's migration history (by source id): each migration's parents, and the
    tables that exist before its migrations run (`analyzer.sources.order.order_faults`).

    Those are the tables of models owned outside the repository (contrib and third-party apps,
    whose migrations `migrate` runs as dependencies) and of unmanaged models, unless one of
    the project's own migrations creates them."""
    out: dict[str, tuple[Mapping[str, tuple[str, ...]] | None, frozenset[TableKey]]] = {}
    if scan.resolver is None:
        return out
    for project, migrations in zip(scan.projects, scan.migrations, strict=True):
        history = migrations.history
        created = {
            op.table for op in history.operations if op.operation in ("create", "rename_to")
        }
        outside = {table for table, _ in _owned_elsewhere(scan.resolver, project)} - created
        out[history.id] = (migrations.parents(), frozenset(outside))
    return out


def _owned_elsewhere(
    resolver: DjangoResolver, project: DjangoProject
) -> list[tuple[TableKey, DjangoModel]]:
    """Tables of the project's models owned outside the repository, and of unmanaged ones."""
    out: list[tuple[TableKey, DjangoModel]] = []
    for model in sorted(project.models.values(), key=lambda m: m.key):
        if model.table is None or model.abstract or model.proxy:
            continue
        if model.owner is not None:
            out.append((model.table, model))
            for item in model.fields:
                auto = resolver.auto_table(project, model, item)
                if auto is not None:
                    out.append((auto.table, model))
        elif not model.managed and model.path is not None:
            out.append((model.table, model))
    return out


def external_histories(
    scan: DjangoScan, histories: list[SourceHistory], ignores: Callable[[TableKey], bool]
) -> list[SourceHistory]:
    """Sources for tables owned outside the repository, after every history was replayed.

    They hold a final state and no operations: nothing in the repository creates these
    tables, so there is no definition to show, only an owner (the source's id and path)."""
    if scan.resolver is None:
        return []
    resolver = scan.resolver
    created: set[TableKey] = {
        key for h in histories if h.kind not in ("model", EXTERNAL_KIND) for key in h.state
    }
    out: dict[str, SourceHistory] = {}

    def add(source_id: str, path: str, files: list[str], table: TableKey,
            columns: list[str] | None) -> None:
        if table in created or ignores(table):
            return
        history = out.setdefault(
            source_id,
            SourceHistory(id=source_id, kind=EXTERNAL_KIND, path=path, files=files,
                          ordered=False),
        )
        history.state.setdefault(table, StateEntry("table", columns))

    for project in scan.projects:
        for model in sorted(project.models.values(), key=lambda m: m.key):
            if model.table is None or model.abstract or model.proxy:
                continue
            if model.owner is not None:
                source = f"{EXTERNAL_KIND}:{model.app_label}"
                columns = None if model.guessed else model.columns
                add(source, model.owner, [], model.table, columns)
                for item in model.fields:
                    auto = resolver.auto_table(project, model, item)
                    if auto is not None:
                        add(source, model.owner, [], auto.table, list(auto.columns))
            elif not model.managed and model.path is not None:
                source = f"{EXTERNAL_KIND}:{model.app_label} (managed = False)"
                add(source, model.path, [model.path], model.table,
                    model.columns if model.columns_known else None)
    return [out[key] for key in sorted(out)]
