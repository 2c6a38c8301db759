"""Django migrations as a source: the migration graph across apps, replayed into a head state.

The files are read statically (`analyzer.readers.django`), never imported. The graph is what
Django's loader builds (a `networkx` DiGraph): `dependencies` and `run_before` across apps,
`swappable_dependency(settings.AUTH_USER_MODEL)` as the user app's first migration, apps
outside the repository (contrib, third party) left out. A squashed migration is used instead
of the migrations it `replaces` (never both), whether the replaced files are still on disk or
gone, and whatever app label they name; dependencies on a replaced migration move to the
squash. The plan is the order `migrate` applies to an empty database (Django's depth-first
walk from each leaf).

Replay keeps Django's model state (models, their fields, `db_table`, `managed`, `proxy`) and
turns each operation into the table changes `migrate` makes:

* `CreateModel` / `DeleteModel` create or drop the table and its auto-created many-to-many
  tables (unmanaged, proxy and swapped-out models have none);
* `RenameModel` renames the table unless `db_table` fixes it, renames the auto-created
  many-to-many tables named after it and the `<model>_id` columns that follow its name;
  `AlterModelTable` renames the table and those many-to-many tables;
* `AddField` / `RemoveField` / `RenameField` / `AlterField` add, drop or rename a column, or
  create, drop or rename an auto-created many-to-many table;
* `RunSQL` goes through the same SQL analysis as any SQL (`sql` only: `reverse_sql` never runs
  forwards); its `state_operations` change the state only;
* `SeparateDatabaseAndState`: `database_operations` change tables (computed on a copy of the
  state, as Django does), `state_operations` the state only.

The result is a `SourceHistory` of kind "django" (one per project), replayed like any other.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import networkx as nx

from analyzer.facts import DjangoMigration, DjangoOperation, Hole, Literal, Part, PythonFacts
from analyzer.python import expr as ir
from analyzer.resolve.django import (
    SETTINGS_PREFIX,
    DjangoDiagnostic,
    DjangoProject,
    DjangoResolver,
    one_string,
    truncate_name,
)
from analyzer.resolve.django_catalog import (
    MIGRATION_BASES,
    USER_MODEL_DEPENDENTS,
    contrib_label,
    field_kind,
)
from analyzer.resolve.evaluate import Frame
from analyzer.resolve.templates import TemplateExpander
from analyzer.resolve.values import (
    ClassV,
    ConstV,
    ExternalV,
    FunctionV,
    MapV,
    SeqV,
    StrV,
    Value,
    Values,
)
from analyzer.sources.migration_sql import migration_operation, template_statements
from analyzer.sources.model import SchemaOp, SourceHistory
from analyzer.sql.names import TableKey
from analyzer.sql.runnable import CannotRun

Key = tuple[str, str]  # (app_label, migration name)
SOURCE_KIND = "django"
SCHEMA_CHANGES = frozenset({"create", "drop", "rename_from", "rename_to", "alter"})
#: Operations that change no table (constraints, indexes, options, Python code).
NO_TABLE_CHANGE = frozenset(
    {
        "AlterModelManagers", "AlterUniqueTogether", "AlterIndexTogether",
        "AlterModelTableComment", "AddIndex", "RemoveIndex", "RenameIndex", "AddConstraint",
        "RemoveConstraint", "AlterConstraint", "CreateExtension", "BtreeGinExtension",
        "BtreeGistExtension", "CITextExtension", "CryptoExtension", "HStoreExtension",
        "TrigramExtension", "UnaccentExtension", "BloomExtension", "CreateCollation",
        "RemoveCollation", "AddIndexConcurrently", "RemoveIndexConcurrently",
        "AddConstraintNotValid", "ValidateConstraint",
    }
)
SEQUENCE_SUFFIX = "_seq"


@dataclass(slots=True)
class FieldState:
    name: str
    kind: str  # column | fk | o2o | m2m | none
    column: str | None
    target: str | None = None  # "app.model" (lower case) of a relation
    through: str | None = None
    db_table: str | None = None


@dataclass(slots=True)
class ModelState:
    app_label: str
    name: str
    fields: dict[str, FieldState] = field(default_factory=dict)
    db_table: str | None = None
    managed: bool = True
    proxy: bool = False
    swapped: bool = False

    @property
    def key(self) -> str:
        return f"{self.app_label}.{self.name}".lower()

    @property
    def migrates(self) -> bool:
        """Whether `migrate` builds tables for it (Django's `can_migrate`)."""
        return self.managed and not self.proxy and not self.swapped


def copied_state(state: dict[str, ModelState]) -> dict[str, ModelState]:
    """`copy.deepcopy(state)` written out for these classes, objects shared in `state` shared
    in the copy as deepcopy shares them: deepcopy's generic walk took 0.46 s of saleor's scan
    (`tests/test_django_state_copy.py` compares the two)."""
    copies = _Copies()
    return {key: copied_model(model, copies) for key, model in state.items()}


@dataclass(slots=True)
class _Copies:
    """What one copy made so far, by the original's id (deepcopy's memo)."""

    models: dict[int, ModelState] = field(default_factory=dict)
    field_maps: dict[int, dict[str, FieldState]] = field(default_factory=dict)
    fields: dict[int, FieldState] = field(default_factory=dict)


def copied_model(model: ModelState, copies: _Copies | None = None) -> ModelState:
    """`copy.deepcopy(model)` (with `copies`: as part of one deepcopy, see `copied_state`)."""
    if copies is None:
        copies = _Copies()
    copied = copies.models.get(id(model))
    if copied is None:
        fields = copies.field_maps.get(id(model.fields))
        if fields is None:
            fields = copies.field_maps[id(model.fields)] = {
                name: _copied_field(item, copies) for name, item in model.fields.items()
            }
        copied = copies.models[id(model)] = ModelState(
            model.app_label, model.name, fields, model.db_table, model.managed, model.proxy,
            model.swapped,
        )
    return copied


def _copied_field(item: FieldState, copies: _Copies) -> FieldState:
    copied = copies.fields.get(id(item))
    if copied is None:
        copied = copies.fields[id(item)] = FieldState(
            item.name, item.kind, item.column, item.target, item.through, item.db_table
        )
    return copied


@dataclass(slots=True)
class MigrationNode:
    key: Key
    facts: PythonFacts
    migration: DjangoMigration
    dependencies: list[Key] = field(default_factory=list)
    run_before: list[Key] = field(default_factory=list)
    replaces: list[Key] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.key[0]}.{self.key[1]}"


@dataclass(slots=True)
class DjangoHistory:
    history: SourceHistory
    nodes: dict[Key, MigrationNode]
    plan: list[Key]
    replaced: set[Key]
    state: dict[str, ModelState]  # Django's model state at the end of the plan
    files: set[str]  # every migration file of the project (replaced ones included)
    diagnostics: list[DjangoDiagnostic] = field(default_factory=list)
    graph: nx.DiGraph = field(default_factory=nx.DiGraph)  # parent -> child, squashes applied
    cyclic: bool = False

    def parents(self) -> dict[str, tuple[str, ...]] | None:
        """Each migration's parents in the graph (what `migrate` guarantees has run before it:
        `dependencies`, and `run_before` seen from the other side), in plan order; keyed by
        the `app.name` label its operations carry. None when the graph has a cycle (Django
        refuses to migrate; the plan is then only name order)."""
        if self.cyclic:
            return None
        return {
            self.nodes[key].label: tuple(
                self.nodes[parent].label for parent in sorted(self.graph.predecessors(key))
            )
            for key in self.plan
        }


def migration_app_folder(path: str) -> str:
    """`backoffice/support/migrations/0001_initial.py` -> `backoffice/support`."""
    return str(PurePosixPath(path).parent.parent)


class DjangoMigrations:
    """Reads and replays the migrations of one project."""

    def __init__(
        self,
        resolver: DjangoResolver,
        project: DjangoProject,
        expander: TemplateExpander,
        *,
        bare: bool = False,
    ) -> None:
        self.resolver = resolver
        self.evaluator = resolver.evaluator
        self.project = project
        self.expander = expander
        self.bare = bare
        self.diagnostics: list[DjangoDiagnostic] = []

    # ---- the graph -------------------------------------------------------------------------

    def nodes(self) -> dict[Key, MigrationNode]:
        by_folder = {
            app.folder: app for app in self.project.apps.values() if app.folder is not None
        }
        nodes: dict[Key, MigrationNode] = {}
        outside: set[str] = set()
        for facts in sorted(self.resolver.modules, key=lambda f: f.path):
            django = facts.django
            if django is None or django.migration is None or not self.project.contains(facts):
                continue
            if not self._is_migration_class(facts):
                continue
            folder = migration_app_folder(facts.path)
            app = by_folder.get(folder)
            if app is not None:
                label = app.label
            elif self.bare:
                label = self.resolver.bare_label(
                    self.project, facts.module.rsplit(".", 2)[0]
                ) if facts.module.count(".") >= 2 else PurePosixPath(folder).name
            else:
                outside.add(folder)
                continue
            name = PurePosixPath(facts.path).stem
            nodes[(label, name)] = MigrationNode((label, name), facts, django.migration)
        for folder in sorted(outside):
            self.diagnostics.append(
                DjangoDiagnostic(
                    "django-migrations-outside-apps", f"{folder}/migrations", None,
                    f"{folder} holds Django migrations but is not an installed app "
                    f"({self.project.settings.path if self.project.settings else 'settings'}); "
                    "`migrate` never runs them, so they are not replayed",
                )
            )
        for node in nodes.values():
            frame = Frame(node.facts)
            migration = node.migration
            node.dependencies = self._keys(migration.dependencies, frame, node, "dependencies")
            node.run_before = self._keys(migration.run_before, frame, node, "run_before")
            node.replaces = self._keys(migration.replaces, frame, node, "replaces")
            for attribute, code in migration.unreadable:
                self._diagnostic(
                    "django-unreadable-migration", node, migration.line,
                    f"`{attribute} = {code}` is not a list tabletrace can read; "
                    f"{'its operations are not replayed' if attribute == 'operations' else ''}"
                    .rstrip("; "),
                )
        return nodes

    def _is_migration_class(self, facts: PythonFacts) -> bool:
        cls = ClassV(facts.module, "Migration")
        return bool(set(self.resolver.ancestry(cls)[1]) & MIGRATION_BASES)

    def _diagnostic(self, code: str, node: MigrationNode, line: int | None, message: str) -> None:
        self.diagnostics.append(DjangoDiagnostic(code, node.facts.path, line, message))

    def _keys(
        self, items: tuple[ir.Expr, ...], frame: Frame, node: MigrationNode, what: str
    ) -> list[Key]:
        keys: list[Key] = []
        for item in items:
            found = self._key(item, frame)
            if found is None:
                self._diagnostic(
                    "django-unreadable-migration", node, node.migration.line,
                    f"an entry of `{what}` ({ir.render(item)}) cannot be read statically; "
                    "it is left out of the migration graph",
                )
                continue
            keys.extend(k for k in found if k not in keys)
        return keys

    def _key(self, item: ir.Expr, frame: Frame) -> list[Key] | None:
        if isinstance(item, ir.Call):
            called = self.evaluator.evaluate(item.func, frame)
            if any(isinstance(v, ExternalV) and v.path.endswith("swappable_dependency")
                   for v in called) and item.args:
                setting = self.setting_value(self.evaluator.evaluate(item.args[0], frame))
                if setting and "." in setting:
                    return [(setting.split(".", 1)[0], "__first__")]
                return None
        values = self.evaluator.evaluate(item, frame)
        out: list[Key] = []
        for value in values:
            if isinstance(value, SeqV) and len(value.items) == 2:
                app = self.setting_value((value.items[0],)) or _string(value.items[0])
                name = _string(value.items[1])
                if app and name:
                    out.append((app.split(".")[0] if "." in app else app, name))
                    continue
            return None
        return out or None

    def setting_value(self, values: Values) -> str | None:
        """A string, or `settings.X` (the project's setting X)."""
        for value in values:
            if isinstance(value, StrV):
                return value.value
            if isinstance(value, ExternalV) and value.path.startswith(SETTINGS_PREFIX):
                name = value.path[len(SETTINGS_PREFIX):]
                if name == "AUTH_USER_MODEL":
                    return self.project.auth_user_model
        return None

    def plan(
        self, nodes: dict[Key, MigrationNode]
    ) -> tuple[list[Key], set[Key], nx.DiGraph]:
        """Django's plan for an empty database: squashes replace what they replace."""
        replaced_by: dict[Key, Key] = {}
        for key in sorted(nodes):
            for replaced in nodes[key].replaces:
                replaced_by.setdefault(replaced, key)
        graph = nx.DiGraph()  # edge parent -> child (the child depends on the parent)
        for key in nodes:
            if key not in replaced_by:
                graph.add_node(key)

        def target(dependency: Key, node: MigrationNode) -> Key | None:
            app, name = dependency
            while (app, name) in replaced_by:
                app, name = replaced_by[(app, name)]
            if name in ("__first__", "__latest__"):
                if app == node.key[0]:
                    return None  # an app's own swappable dependency: Django ignores it
                candidates = sorted(k for k in graph if k[0] == app)
                if not candidates:
                    return None
                if name == "__first__":
                    return min(candidates)
                return max(candidates)
            if (app, name) in graph:
                return (app, name)
            if any(k[0] == app for k in nodes):
                self._diagnostic(
                    "django-missing-dependency", node, node.migration.line,
                    f"{node.label} depends on {app}.{name}, which is not in the repository: "
                    "Django refuses to migrate (NodeNotFoundError)",
                )
            return None  # an app outside the repository

        for key, node in nodes.items():
            owner = replaced_by.get(key, key)
            while owner in replaced_by:
                owner = replaced_by[owner]
            if owner not in graph:
                continue
            for dependency in node.dependencies:
                parent = target(dependency, node)
                if parent is not None and parent != owner:
                    graph.add_edge(parent, owner)
            for later in node.run_before:
                child = target(later, node)
                if child is not None and child != owner:
                    graph.add_edge(owner, child)
        if not nx.is_directed_acyclic_graph(graph):
            cycle = nx.find_cycle(graph)
            first = nodes[cycle[0][0]]
            self._diagnostic(
                "django-migration-cycle", first, first.migration.line,
                "the migrations depend on each other in a circle ("
                + " -> ".join(f"{a}.{n}" for (a, n), _ in cycle)
                + "): Django refuses to migrate; they are replayed in name order",
            )
            return sorted(graph), set(replaced_by), graph
        self._conflicts(graph, nodes)
        walk = graph.copy()
        user_app = self.project.auth_user_model.split(".")[0]
        first_user = min((k for k in graph if k[0] == user_app), default=None)
        for app in self.project.apps.values():
            if app.external and app.label in USER_MODEL_DEPENDENTS and first_user is not None:
                walk.add_edge(first_user, (app.label, ""))  # stands for that app's migrations
        plan: list[Key] = []
        seen: set[Key] = set()
        # Django's leaves: migrations that no migration of their own app depends on
        leaves = sorted(
            k for k in walk if all(child[0] != k[0] for child in walk.successors(k))
        )
        for leaf in leaves:
            for key in _forwards_plan(walk, leaf):
                if key not in seen and key in graph:
                    seen.add(key)
                    plan.append(key)
        return plan, set(replaced_by), graph

    def _conflicts(self, graph: nx.DiGraph, nodes: dict[Key, MigrationNode]) -> None:
        """Two migrations of one app that no later migration of that app merges: Django
        refuses to migrate ("Conflicting migrations detected; multiple leaf nodes")."""
        leaves: dict[str, list[Key]] = {}
        for key in sorted(graph):
            if all(child[0] != key[0] for child in graph.successors(key)):
                leaves.setdefault(key[0], []).append(key)
        for app, keys in sorted(leaves.items()):
            if len(keys) > 1:
                first = nodes[keys[-1]]
                self._diagnostic(
                    "django-conflicting-migrations", first, first.migration.line,
                    f"app {app} has {len(keys)} leaf migrations ("
                    + ", ".join(name for _, name in keys)
                    + "): `migrate` refuses to run until `makemigrations --merge` joins them; "
                    "they are replayed one after the other",
                )

    # ---- replay ----------------------------------------------------------------------------

    def history(self) -> DjangoHistory:
        nodes = self.nodes()
        plan, replaced, graph = self.plan(nodes)
        root = self.project.root or "."
        history = SourceHistory(
            id=f"{SOURCE_KIND}:{root}", kind=SOURCE_KIND, path=root,
            files=[nodes[key].facts.path for key in plan], ordered=True,
            outside_apps=tuple(sorted(
                app.name for app in self.project.apps.values()
                if app.external and contrib_label(app.name) is None
            )),
        )
        replay = _Replay(self, history)
        for key in plan:
            replay.migration(nodes[key])
        replay.state_only_tables()
        return DjangoHistory(
            history, nodes, plan, {k for k in replaced if k in nodes}, replay.state,
            {node.facts.path for node in nodes.values()}, self.diagnostics, graph,
            not nx.is_directed_acyclic_graph(graph),
        )


def _forwards_plan(graph: nx.DiGraph, target: Key) -> list[Key]:
    """Django's `MigrationGraph.iterative_dfs`: parents first, visited in sorted order."""
    visited: list[Key] = []
    done: set[Key] = set()
    stack: list[tuple[Key, bool]] = [(target, False)]
    while stack:
        node, processed = stack.pop()
        if node in done:
            continue
        if processed:
            done.add(node)
            visited.append(node)
        else:
            stack.append((node, True))
            stack.extend((parent, False) for parent in sorted(graph.predecessors(node)))
    return visited


def _string(value: Value) -> str | None:
    return value.value if isinstance(value, StrV) else None


class _Replay:
    """Applies operations to Django's model state, emitting the table changes."""

    def __init__(self, owner: DjangoMigrations, history: SourceHistory) -> None:
        self.owner = owner
        self.evaluator = owner.evaluator
        self.project = owner.project
        self.history = history
        self.schema = owner.resolver.default_schema
        self.max_name = owner.resolver.max_name
        self.dialect = owner.resolver.dialect
        self.state: dict[str, ModelState] = {}
        self.tables: set[TableKey] = set()
        self.seen: set[TableKey] = set()  # every table an operation touched
        self.node: MigrationNode | None = None
        # where each model of the state was created: (migration, line, snippet)
        self.origin: dict[str, tuple[MigrationNode | None, int, str]] = {}

    # ---- emission --------------------------------------------------------------------------

    def emit(
        self,
        operation: str,
        table: TableKey,
        line: int,
        snippet: str,
        *,
        columns: tuple[str, ...] | None = None,
        column_changes: tuple[tuple[str, str, str | None], ...] = (),
        peer: TableKey | None = None,
        object_type: str = "table",
        if_not_exists: bool = False,
        if_exists: bool = False,
        cannot_run: CannotRun | None = None,
        path: str | None = None,
        node: MigrationNode | None = None,
        inherits: tuple[TableKey, ...] = (),
    ) -> None:
        node = node or self.node
        assert node is not None
        self.history.operations.append(
            SchemaOp(
                source=self.history.id,
                source_kind=SOURCE_KIND,
                path=path or node.facts.path,
                line=line,
                operation=operation,
                table=table,
                object_type=object_type,
                columns=columns,
                column_changes=column_changes,
                peer=peer,
                if_not_exists=if_not_exists,
                if_exists=if_exists,
                revision=node.label,
                snippet=snippet,
                problem=cannot_run.reason if cannot_run else None,
                problem_certain=cannot_run.certain if cannot_run else True,
                inherits=inherits,
            )
        )
        self.seen.add(table)
        if operation == "create":
            self.tables.add(table)
        elif operation in ("drop", "rename_from"):
            self.tables.discard(table)
        elif operation == "rename_to":
            self.tables.add(table)

    def rename(
        self, old: TableKey, new: TableKey, line: int, snippet: str, path: str | None = None
    ) -> None:
        if old == new:
            return
        self.emit("rename_from", old, line, snippet, peer=new, path=path)
        self.emit("rename_to", new, line, snippet, peer=old, path=path)

    def table_of(self, model: ModelState) -> TableKey:
        name = model.db_table or truncate_name(
            f"{model.app_label}_{model.name.lower()}", self.max_name
        )
        return TableKey(self.schema, name)

    def m2m_table(self, model: ModelState, item: FieldState) -> TableKey:
        if item.db_table:
            return TableKey(self.schema, item.db_table)
        name = truncate_name(f"{self.table_of(model).name}_{item.name}", self.max_name)
        return TableKey(self.schema, name)

    def m2m_columns(self, model: ModelState, item: FieldState) -> tuple[str, ...]:
        source = model.name.lower()
        target = (item.target or "").rsplit(".", 1)[-1]
        if target == source:
            return ("id", f"from_{source}_id", f"to_{source}_id")
        return ("id", f"{source}_id", f"{target}_id")

    @staticmethod
    def auto_m2m(item: FieldState) -> bool:
        return item.kind == "m2m" and item.through is None

    # ---- migrations and operations ---------------------------------------------------------

    def state_only_tables(self) -> None:
        """Models Django's state has at the end whose table no operation tabletrace reads
        created (a `CreateModel` in `state_operations`, a table made by code): Django
        believes the table exists, so `makemigrations` creates nothing; the head declares it
        with the state's columns, and a diagnostic says its creation was not seen."""
        for key in sorted(self.state):
            model = self.state[key]
            table = self.table_of(model)
            origin = self.origin.get(key)
            if not model.migrates or table in self.seen or origin is None or origin[0] is None:
                continue  # (a table seen dropped or renamed away is not brought back)
            node, line, snippet = origin
            columns = tuple(f.column for f in model.fields.values() if f.column is not None)
            self.emit("declare", table, line, snippet, columns=columns, node=node)
            self.owner._diagnostic(
                "django-state-only-table", node, line,
                f"Django's migration state has {model.app_label}.{model.name} with table "
                f"{table.display}, but no operation tabletrace reads creates that table (a "
                "state-only CreateModel, or a table created by RunPython or by hand); the head "
                "state lists it as Django believes it is",
            )

    def migration(self, node: MigrationNode) -> None:
        self.node = node
        for operation in node.migration.operations:
            self.operation(operation, self.state, emit=True)

    def _name(self, operation: DjangoOperation) -> str | None:
        if operation.func is None:
            return None
        frame = Frame(self.node.facts) if self.node else None
        assert frame is not None
        for value in self.evaluator.evaluate(operation.func, frame):
            if isinstance(value, ExternalV) and value.path.startswith(
                ("django.db.migrations", "django.contrib.postgres.operations")
            ):
                return value.path.rsplit(".", 1)[-1]
            if isinstance(value, ClassV):
                owners, externals = self.owner.resolver.ancestry(value)
                if self._redefined(owners):
                    return None  # an operation of the project's own: read as unknown
                for path in externals:
                    if path.startswith("django.db.migrations"):
                        return path.rsplit(".", 1)[-1]
        return None

    def _redefined(self, owners: list[ClassV]) -> bool:
        """Whether a project's subclass of a Django operation is built from arguments of its
        own: `class InheritFromBase(SeparateDatabaseAndState)` whose `__init__(self, app,
        model)` makes the operation lists (`InheritFromBase("assets", "Thing")`), or
        `InstallSQL(filename)` reading its SQL from a file. Its call's arguments are not the
        Django operation's, so it is unknown (a diagnostic says so), not read as that
        operation. A constructor taking the operation's own arguments (`*args, **kwargs`,
        `sql`, `code`...) hands them on; an override of `database_forwards` (run it only on
        PostgreSQL) still runs the operation it is."""
        for owner in owners:
            found = self.evaluator.class_fact(owner)
            if found is None:
                continue
            binding = found[1].names.get("__init__")
            if binding is None or binding.kind != "function":
                continue
            init = found[0].functions.get(binding.qualname or "")
            params = init.params[1:] if init is not None else ()
            return not any(
                param.kind in ("varargs", "varkw") or param.name in _OPERATION_ARGUMENTS
                for param in params
            )
        return False

    def operation(
        self, operation: DjangoOperation, state: dict[str, ModelState], *, emit: bool
    ) -> None:
        assert self.node is not None
        if operation.opaque:
            self.owner._diagnostic(
                "django-unreadable-operation", self.node, operation.line,
                f"`{operation.snippet}`: {operation.opaque}; its effect is not in the head state",
            )
            return
        name = self._name(operation)
        frame = Frame(self.node.facts)
        handler = OPERATIONS.get(name) if name else None
        if handler is not None:
            handler(self, operation, frame, state, emit)
        elif name in NO_TABLE_CHANGE:
            return
        else:
            self.owner._diagnostic(
                "django-unknown-operation", self.node, operation.line,
                f"`{operation.snippet}` is not an operation tabletrace reads; if it changes "
                "tables, the head state misses it",
            )
            # a model of this app a project's own operation names (`InheritFromBase("assets",
            # "Thing")`): its columns may be changed by it, which model-drift says instead of
            # claiming (a library's operation, `pgtrigger`'s `AddTrigger(model_name=...)`, is
            # no reason to doubt a model's columns)
            project = operation.func is not None and not all(
                isinstance(value, ExternalV)
                for value in self.evaluator.evaluate(operation.func, frame)
            )
            for model in self._named_models(operation, frame, state) if project else ():
                self.history.unread_operations.setdefault(self.table_of(model), []).append(
                    (self.node.facts.path, operation.line)
                )

    def _named_models(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState]
    ) -> list[ModelState]:
        """The models of the migration's app an operation's string arguments name."""
        assert self.node is not None
        found: list[ModelState] = []
        for expr in (*operation.args, *(value for _, value in operation.kwargs)):
            for value in self.evaluator.evaluate(expr, frame):
                model = state.get(f"{self.node.key[0]}.{value.value}".lower()) if isinstance(
                    value, StrV
                ) else None
                if model is not None and model not in found:
                    found.append(model)
        return found

    def _arg(self, operation: DjangoOperation, name: str, position: int) -> ir.Expr | None:
        for key, value in operation.kwargs:
            if key == name:
                return value
        if position < len(operation.args):
            return operation.args[position]
        return None

    def _value(
        self, operation: DjangoOperation, name: str, position: int, frame: Frame
    ) -> Values | None:
        expr = self._arg(operation, name, position)
        return self.evaluator.evaluate(expr, frame) if expr is not None else None

    def _text(
        self, operation: DjangoOperation, name: str, position: int, frame: Frame
    ) -> str | None:
        values = self._value(operation, name, position, frame)
        return one_string(values) if values else None

    def _model(
        self, operation: DjangoOperation, name: str, position: int, frame: Frame,
        state: dict[str, ModelState],
    ) -> ModelState | None:
        model_name = self._text(operation, name, position, frame)
        if model_name is None or self.node is None:
            return None
        return state.get(f"{self.node.key[0]}.{model_name}".lower())

    def _field(self, expr: ir.Expr, name: str, frame: Frame) -> FieldState:
        if not isinstance(expr, ir.Call):
            return FieldState(name, "column", name)
        kind = "column"
        for value in self.evaluator.evaluate(expr.func, frame):
            paths = [value.path] if isinstance(value, ExternalV) else (
                self.owner.resolver.ancestry(value)[1] if isinstance(value, ClassV) else []
            )
            found = next(
                (k for k in (field_kind(p.rsplit(".", 1)[-1]) for p in paths) if k), None
            )
            if found is not None:
                kind = found
                break

        def text(key: str) -> str | None:
            for k, v in expr.kwargs:
                if k == key:
                    return self.owner.setting_value(self.evaluator.evaluate(v, frame))
            return None

        db_column = text("db_column")
        column: str | None
        if kind in ("fk", "o2o"):
            column = db_column or f"{name}_id"
        elif kind == "column":
            column = db_column or name
        else:
            column = None
        target = text("to")
        if target is None and expr.args and kind in ("fk", "o2o", "m2m"):
            target = self.owner.setting_value(self.evaluator.evaluate(expr.args[0], frame))
        return FieldState(
            name, kind, column, self._label(target), self._label(text("through")),
            text("db_table"),
        )

    def _label(self, reference: str | None) -> str | None:
        if reference is None:
            return None
        if "." not in reference and self.node is not None:
            reference = f"{self.node.key[0]}.{reference}"
        return reference.lower()

    def _options(self, operation: DjangoOperation, frame: Frame, position: int) -> dict[str, Value]:
        values = self._value(operation, "options", position, frame)
        if not values or not isinstance(values[0], MapV):
            return {}
        return {k.value: v for k, v in values[0].items if isinstance(k, StrV)}

    # ---- the operations --------------------------------------------------------------------

    def _create_model(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        name = self._text(operation, "name", 0, frame)
        if name is None or self.node is None:
            return
        model = ModelState(self.node.key[0], name)
        for item in operation.fields:
            field_name = one_string(self.evaluator.evaluate(item.name, frame))
            if field_name is not None:
                model.fields[field_name] = self._field(item.field, field_name, frame)
        options = self._options(operation, frame, 2)
        table = options.get("db_table")
        model.db_table = table.value if isinstance(table, StrV) else None
        model.managed = not (isinstance(options.get("managed"), ConstV)
                             and options["managed"] == ConstV(False))
        model.proxy = options.get("proxy") == ConstV(True)
        swappable = options.get("swappable")
        if isinstance(swappable, StrV):
            model.swapped = (
                swappable.value == "AUTH_USER_MODEL"
                and self.project.auth_user_model.lower() != model.key
            )
        state[model.key] = model
        if state is self.state:
            self.origin[model.key] = (self.node, operation.line, operation.snippet)
        if not emit or not model.migrates:
            return
        columns = tuple(f.column for f in model.fields.values() if f.column is not None)
        self.emit("create", self.table_of(model), operation.line, operation.snippet,
                  columns=columns)
        lines = {}
        for item in operation.fields:
            field_name = one_string(self.evaluator.evaluate(item.name, frame))
            if field_name is not None:
                lines[field_name] = item.line
        for item in model.fields.values():
            if self.auto_m2m(item):
                self.emit(
                    "create", self.m2m_table(model, item), lines.get(item.name, operation.line),
                    operation.snippet, columns=self.m2m_columns(model, item),
                )

    def _delete_model(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        model = self._model(operation, "name", 0, frame, state)
        if model is None:
            return
        del state[model.key]
        if emit and model.migrates:
            for item in model.fields.values():
                if self.auto_m2m(item):
                    self.emit("drop", self.m2m_table(model, item), operation.line,
                              operation.snippet)
            self.emit("drop", self.table_of(model), operation.line, operation.snippet)

    def _rename_model(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        model = self._model(operation, "old_name", 0, frame, state)
        new_name = self._text(operation, "new_name", 1, frame)
        if model is None or new_name is None:
            return
        old = copied_model(model)
        old_key = model.key
        del state[old_key]
        model.name = new_name
        state[model.key] = model
        if old_key in self.origin:
            self.origin[model.key] = self.origin.pop(old_key)
        for other in state.values():
            for item in other.fields.values():
                if item.target == old_key:
                    item.target = model.key
                if item.through == old_key:
                    item.through = model.key
        if not emit or not model.migrates:
            return
        line, snippet = operation.line, operation.snippet
        self.rename(self.table_of(old), self.table_of(model), line, snippet)
        old_column, new_column = f"{old.name.lower()}_id", f"{model.name.lower()}_id"
        for item in model.fields.values():
            if not self.auto_m2m(item):
                continue
            before = self.m2m_table(old, old.fields[item.name])
            after = self.m2m_table(model, item)
            self.rename(before, after, line, snippet)
            if item.target != model.key and old_column != new_column:
                self.emit("alter", after, line, snippet,
                          column_changes=(("rename", old_column, new_column),))
        for other in state.values():
            if other is model or not other.migrates:
                continue
            for item in other.fields.values():
                if self.auto_m2m(item) and item.target == model.key and old_column != new_column:
                    self.emit("alter", self.m2m_table(other, item), line, snippet,
                              column_changes=(("rename", old_column, new_column),))

    def _alter_model_table(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        model = self._model(operation, "name", 0, frame, state)
        if model is None:
            return
        values = self._value(operation, "table", 1, frame)
        old = copied_model(model)
        model.db_table = one_string(values) if values else None
        if not emit or not model.migrates:
            return
        self.rename(self.table_of(old), self.table_of(model), operation.line, operation.snippet)
        for item in model.fields.values():
            if self.auto_m2m(item) and not item.db_table:
                self.rename(self.m2m_table(old, item), self.m2m_table(model, item),
                            operation.line, operation.snippet)

    def _alter_model_options(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        model = self._model(operation, "name", 0, frame, state)
        if model is None:
            return
        options = self._options(operation, frame, 1)
        managed = options.get("managed")
        model.managed = not (isinstance(managed, ConstV) and managed.value is False)

    def _add_field(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        model = self._model(operation, "model_name", 0, frame, state)
        name = self._text(operation, "name", 1, frame)
        expr = self._arg(operation, "field", 2)
        if model is None or name is None or expr is None:
            return
        item = self._field(expr, name, frame)
        model.fields[name] = item
        if not emit or not model.migrates:
            return
        if self.auto_m2m(item):
            self.emit("create", self.m2m_table(model, item), operation.line, operation.snippet,
                      columns=self.m2m_columns(model, item))
        elif item.column is not None:
            self.emit("alter", self.table_of(model), operation.line, operation.snippet,
                      column_changes=(("add", item.column, None),))

    def _remove_field(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        model = self._model(operation, "model_name", 0, frame, state)
        name = self._text(operation, "name", 1, frame)
        if model is None or name is None or name not in model.fields:
            return
        item = model.fields.pop(name)
        if state is self.state and not emit and model.migrates and item.column is not None:
            # removed from the state only (SeparateDatabaseAndState): the column stays
            detached = self.history.detached_columns.setdefault(self.table_of(model), set())
            detached.add(item.column)
        if not emit or not model.migrates:
            return
        if self.auto_m2m(item):
            self.emit("drop", self.m2m_table(model, item), operation.line, operation.snippet)
        elif item.column is not None:
            self.emit("alter", self.table_of(model), operation.line, operation.snippet,
                      column_changes=(("drop", item.column, None),))

    def _alter_field(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        model = self._model(operation, "model_name", 0, frame, state)
        name = self._text(operation, "name", 1, frame)
        expr = self._arg(operation, "field", 2)
        if model is None or name is None or expr is None:
            return
        old = model.fields.get(name)
        item = self._field(expr, name, frame)
        model.fields[name] = item
        if old is None or not emit or not model.migrates:
            return
        table = self.table_of(model)
        if old.column and item.column and old.column != item.column:
            self.emit("alter", table, operation.line, operation.snippet,
                      column_changes=(("rename", old.column, item.column),))
        elif old.column and item.column is None:
            self.emit("alter", table, operation.line, operation.snippet,
                      column_changes=(("drop", old.column, None),))
        elif old.column is None and item.column:
            self.emit("alter", table, operation.line, operation.snippet,
                      column_changes=(("add", item.column, None),))
        elif self.auto_m2m(old) and self.auto_m2m(item):
            self.rename(self.m2m_table(model, old), self.m2m_table(model, item),
                        operation.line, operation.snippet)
            # repointed to another model (`to="tags.sumotag"` for `taggit.tag`): Django's
            # schema editor alters the join table's foreign key to the new target, renaming
            # its column (`tag_id` -> `sumotag_id`)
            columns = zip(
                self.m2m_columns(model, old), self.m2m_columns(model, item), strict=True
            )
            renamed = tuple(
                ("rename", before, after) for before, after in columns if before != after
            )
            if renamed:
                self.emit("alter", self.m2m_table(model, item), operation.line, operation.snippet,
                          column_changes=renamed)

    def _rename_field(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        model = self._model(operation, "model_name", 0, frame, state)
        old_name = self._text(operation, "old_name", 1, frame)
        new_name = self._text(operation, "new_name", 2, frame)
        if model is None or old_name is None or new_name is None or old_name not in model.fields:
            return
        old = model.fields.pop(old_name)
        item = copy.copy(old)
        item.name = new_name
        if old.column in (old_name, f"{old_name}_id"):
            item.column = old.column.replace(old_name, new_name, 1)
        model.fields[new_name] = item
        if not emit or not model.migrates:
            return
        if self.auto_m2m(old):
            self.rename(self.m2m_table(model, old), self.m2m_table(model, item),
                        operation.line, operation.snippet)
        elif old.column and item.column and old.column != item.column:
            self.emit("alter", self.table_of(model), operation.line, operation.snippet,
                      column_changes=(("rename", old.column, item.column),))

    def _alter_order_with_respect_to(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        model = self._model(operation, "name", 0, frame, state)
        if model is None:
            return
        values = self._value(operation, "order_with_respect_to", 1, frame)
        ordered = bool(values and one_string(values))
        had = "_order" in model.fields
        if ordered:
            model.fields["_order"] = FieldState("_order", "column", "_order")
        else:
            model.fields.pop("_order", None)
        if emit and model.migrates and ordered != had:
            action = "add" if ordered else "drop"
            self.emit("alter", self.table_of(model), operation.line, operation.snippet,
                      column_changes=((action, "_order", None),))

    def _separate_database_and_state(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        nested = dict(operation.nested)
        if emit:
            scratch = copied_state(state)
            for item in nested.get("database_operations", ()):
                self.operation(item, scratch, emit=True)
        for item in nested.get("state_operations", ()):
            self.operation(item, state, emit=False)

    def _run_python(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        """RunPython code is not run; `schema_editor.alter_db_table(model, "old", "new")` in
        its function is read (saleor renames contrib tables that way), and so is literal SQL
        the function runs (`connection.cursor().execute("DROP TABLE t; ALTER TABLE t_new
        RENAME TO t")`, taiga's swap of a table a RunSQL built), when the function is the
        migration's own, its statement run every time (outside any `if`, `try` or loop)."""
        code = self._arg(operation, "code", 0)
        if not emit or code is None:
            return
        for value in self.evaluator.evaluate(code, frame):
            if not isinstance(value, FunctionV):
                continue
            facts = self.evaluator.index.find(value.module)
            if facts is None:
                continue
            if self.node is not None and facts is self.node.facts:
                for candidate in facts.candidates:
                    if (
                        candidate.function == value.qualname and candidate.sink is not None
                        and not candidate.guarded and not candidate.loops
                        and all(isinstance(part, Literal) for part in candidate.parts)
                    ):
                        self._sql(operation, candidate.parts, Frame(facts))
            for call in facts.calls:
                func = call.func
                if (
                    call.function != value.qualname or not isinstance(func, ir.Attr)
                    or func.attr != "alter_db_table" or len(call.args) < 3
                ):
                    continue
                where = Frame(facts)
                old = one_string(self.evaluator.evaluate(call.args[1], where))
                new = one_string(self.evaluator.evaluate(call.args[2], where))
                if old and new:
                    self.rename(TableKey(self.schema, old), TableKey(self.schema, new),
                                call.line, call.snippet or operation.snippet, path=facts.path)

    def _run_sql(
        self, operation: DjangoOperation, frame: Frame, state: dict[str, ModelState], emit: bool
    ) -> None:
        for item in dict(operation.nested).get("state_operations", ()):
            self.operation(item, state, emit=False)
        if not emit:
            return
        parts = dict(operation.sql).get("sql")
        if parts is None:
            values = self._value(operation, "sql", 0, frame)
            texts = [v.value for v in values or () if isinstance(v, StrV)]
            if not texts:
                if values is not None and not any(
                    isinstance(v, ExternalV) and v.path.endswith(".noop") for v in values
                ):
                    self._dynamic(operation)
                return
            parts = (Literal(texts[0], operation.line),)
        self._sql(operation, parts, frame)

    def _dynamic(self, operation: DjangoOperation, why: str = "") -> None:
        assert self.node is not None
        self.owner._diagnostic(
            "django-dynamic-sql", self.node, operation.line,
            "RunSQL runs SQL built at run time" + (f" ({why})" if why else "")
            + "; tabletrace cannot read it, so its effect is not in the head state",
        )

    def _sql(self, operation: DjangoOperation, parts: tuple[Part, ...], frame: Frame) -> None:
        if len(parts) == 1 and isinstance(parts[0], Hole) and parts[0].value is not None:
            values = self.evaluator.evaluate(parts[0].value, frame)
            if values and all(isinstance(v, ExternalV) and v.path.endswith(".noop")
                              for v in values):
                return  # RunSQL.noop: nothing runs
        templates = self.expander.expand(parts, frame)
        if not templates or not any(t.has_literal_text() for t in templates):
            reasons = [r for t in templates for r in t.reasons.values()]
            self._dynamic(operation, reasons[0] if reasons else "")
            return
        template = templates[0]
        for item in template_statements(template, self.dialect, self.schema):
            for ref in item.analysis.refs:
                if ref.holes:
                    continue
                line = template.line_of(item.statement.offset + (ref.offset or 0))
                found = migration_operation(ref, item.broken)
                if found is None:
                    continue
                operation_name, problem = found
                table = TableKey(ref.schema, ref.name)
                if self._sequence(table, operation_name):
                    continue
                self.emit(
                    operation_name, table, line, item.snippet, columns=ref.columns,
                    column_changes=ref.column_changes,
                    peer=TableKey(*ref.peer) if ref.peer else None,
                    object_type=ref.object_type, if_not_exists=ref.if_not_exists,
                    if_exists=ref.if_exists, cannot_run=problem,
                    inherits=tuple(TableKey(*parent) for parent in ref.inherits),
                )

    def _sequence(self, table: TableKey, operation: str) -> bool:
        """`ALTER TABLE users_user_id_seq RENAME TO ...`: PostgreSQL accepts ALTER TABLE on a
        sequence, and Django names sequences `<table>_<column>_seq`. A name of that form that
        no migration created is a sequence, not a table."""
        if not table.name.endswith(SEQUENCE_SUFFIX) or table in self.tables:
            return False
        return operation in ("rename_from", "rename_to", "alter", "other", "drop")

    @property
    def expander(self) -> TemplateExpander:
        return self.owner.expander


Handler = Callable[[_Replay, DjangoOperation, Frame, dict[str, ModelState], bool], None]
#: Django's operations and how each changes the state and the tables (`RunPython` and the
#: operations in NO_TABLE_CHANGE change no table).

#: What a project's subclass of RunSQL, RunPython or SeparateDatabaseAndState hands on when its
#: constructor takes it (or `*args` / `**kwargs`): the operation's own statements or lists
#: (`_Replay._redefined`). A `model_name` alone is the subclass's own way to build them.
_OPERATION_ARGUMENTS = frozenset(
    {"sql", "reverse_sql", "code", "reverse_code", "state_operations", "database_operations"}
)

OPERATIONS: dict[str, Handler] = {
    "CreateModel": _Replay._create_model,
    "DeleteModel": _Replay._delete_model,
    "RenameModel": _Replay._rename_model,
    "AlterModelTable": _Replay._alter_model_table,
    "AlterModelOptions": _Replay._alter_model_options,
    "AddField": _Replay._add_field,
    "RemoveField": _Replay._remove_field,
    "AlterField": _Replay._alter_field,
    "RenameField": _Replay._rename_field,
    "AlterOrderWithRespectTo": _Replay._alter_order_with_respect_to,
    "SeparateDatabaseAndState": _Replay._separate_database_and_state,
    "RunSQL": _Replay._run_sql,
    "RunPython": _Replay._run_python,
}
