"""Django projects across files: where the project is, its settings, apps and models.

Found without configuration: a `manage.py` (or `wsgi.py`...) that sets
`DJANGO_SETTINGS_MODULE` names the settings module, and its folder is the import root (netbox
keeps `manage.py` in `netbox/`, so `netbox/dcim/models.py` is Django's `dcim.models`); without
one, a `settings.py` (or `settings/` package) that sets `INSTALLED_APPS`. Settings are read
statically (`analyzer.readers.django` keeps every statement that changes them): a list built
by `+`, extended under an `if`, reassigned from a value computed at run time (kept as it was,
with a note that plugins may add apps). Nothing of the project is imported.

Apps: each INSTALLED_APPS entry is a package of the repository (its `apps.py` AppConfig, if
Django would pick one, gives `name` and `label`), an AppConfig class path, or an app outside the
repository (contrib: `analyzer.resolve.django_catalog`; third party: the label Django derives).

Models: a class is a model when its bases reach `django.db.models.Model` (or a contrib
abstract model) through imports, as the evaluator resolves them; never by its name. Its table
is `<app_label>_<model>` unless `Meta.db_table` says otherwise, truncated as Django does for
the database's identifier limit; `Meta` options follow Django's inheritance (an abstract
parent's `Meta`, or an explicit `class Meta(Parent.Meta)`); columns are the local concrete
fields in Django's order (the automatic `id` or parent link, abstract parents' fields, then
the class's own); auto-created many-to-many tables are `<table>_<field>`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from analyzer.discover import module_name
from analyzer.facts import ClassFact, DjangoSetting, NameFact, PythonFacts, is_setting_name
from analyzer.python import expr as ir
from analyzer.resolve.django_catalog import (
    ABSTRACT_MODELS,
    APP_CONFIG_BASES,
    CONTRIB_MODELS,
    MAX_NAME_LENGTH,
    MODEL_BASES,
    TAG_MANAGERS,
    TAGGIT_TAG,
    TAGGIT_THROUGH,
    UNKNOWN_THROUGH,
    CatalogModel,
    contrib_label,
    contrib_model_named,
    engine_dialect,
    field_kind,
)
from analyzer.resolve.evaluate import Evaluator, Frame
from analyzer.resolve.index import absolute_module
from analyzer.resolve.values import (
    ClassV,
    ConstV,
    ExternalResultV,
    ExternalV,
    MapV,
    ModelLookupV,
    ModelMetaV,
    SeqV,
    StrV,
    Unknown,
    Value,
    Values,
)
from analyzer.sql.names import TableKey

SETTINGS_PREFIX = "django.conf.settings."
DEFAULT_USER_MODEL = "auth.User"
MAX_SETTINGS_DEPTH = 8


# --------------------------------------------------------------------------------------------
# plain results
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class DjangoApp:
    label: str
    name: str  # the module Django imports ("accounts", "django.contrib.auth")
    module: str | None  # the repository module of the package (None: outside the repository)
    folder: str | None  # the package's folder in the repository
    path: str | None = None  # where INSTALLED_APPS lists it
    line: int | None = None

    @property
    def external(self) -> bool:
        return self.module is None


@dataclass(slots=True)
class ModelField:
    name: str
    kind: str  # column | fk | o2o | m2m | none
    column: str | None
    line: int
    path: str
    target: Value | str | None = None  # ClassV, ExternalV, a "app.Model" string or a setting
    through: Value | str | None = None
    db_table: str | None = None
    related_name: str | None = None
    primary_key: bool = False
    parent_link: bool = False
    auto: bool = False  # the automatic `id` or parent link


@dataclass(frozen=True, slots=True)
class HistoryTable:
    """`history = HistoricalRecords(...)` in a model (or inherited with `inherit=True`)."""

    table: TableKey
    path: str
    module: str
    line: int
    attribute: str


#: django-simple-history's model field that makes a historical model of its class.
HISTORICAL_RECORDS = "simple_history.models.HistoricalRecords"


@dataclass(eq=False)
class DjangoModel:
    app_label: str
    name: str
    path: str | None
    line: int
    cls: ClassV | None = None
    abstract: bool = False
    proxy: bool = False
    managed: bool = True
    db_table: str | None = None  # Meta.db_table as written
    table: TableKey | None = None  # None for an abstract model
    fields: list[ModelField] = field(default_factory=list)
    parents: list[DjangoModel] = field(default_factory=list)  # multi-table parents
    concrete: DjangoModel | None = None  # a proxy's concrete model
    managers: set[str] = field(default_factory=lambda: {"objects"})
    owner: str | None = None  # the app module owning it when it is outside the repository
    columns_known: bool = True
    guessed: bool = False  # a third-party model whose table is Django's default name
    # reverse accessors: name -> (model holding the relation, its field)
    reverse: dict[str, tuple[DjangoModel, ModelField]] = field(default_factory=dict)
    # django-simple-history's `history = HistoricalRecords()`: the table of the historical
    # model, which its signals write at each save and delete of this model
    history: HistoryTable | None = None

    @property
    def label(self) -> str:
        return f"{self.app_label}.{self.name}"

    @property
    def key(self) -> str:
        return f"{self.app_label}.{self.name}".lower()

    @property
    def columns(self) -> list[str]:
        return [f.column for f in self.fields if f.column is not None]

    def declaring(self, name: str) -> tuple[DjangoModel, ModelField] | None:
        """The field and the model declaring it: this one (its abstract bases' fields are its
        own) or a multi-table parent. A parent's many-to-many field keeps the parent's
        auto-created table (`bookwyrm_book_authors` for `Edition(Book)`'s `authors`), where
        an abstract base's gives each concrete model a table of its own."""
        for item in self.fields:
            if item.name == name:
                return self, item
        for parent in self.parents:
            found = parent.declaring(name)
            if found is not None:
                return found
        return None

    def tables(self) -> list[TableKey]:
        """The tables a query on this model touches: its own and its concrete parents'."""
        model = self.concrete or self
        out = [model.table] if model.table is not None else []
        for parent in model.parents:
            out.extend(t for t in parent.tables() if t not in out)
        return out


@dataclass(slots=True)
class AutoTable:
    """An auto-created many-to-many table."""

    model: DjangoModel
    field: ModelField
    table: TableKey
    columns: tuple[str, ...]
    path: str
    line: int


@dataclass(slots=True)
class DjangoDiagnostic:
    code: str
    path: str
    line: int | None
    message: str


@dataclass(eq=False)
class DjangoProject:
    root: str  # folder of the import root ("" for the repository root)
    prefix: str  # module prefix of that folder ("backoffice"; "" at the root)
    manage: str | None = None
    settings_name: str | None = None
    settings: PythonFacts | None = None
    installed: list[str] = field(default_factory=list)
    installed_partial: str = ""  # why the list may miss apps
    auth_user_model: str = DEFAULT_USER_MODEL
    auth_user_model_at: tuple[str, int] | None = None
    engines: list[tuple[str, str, int]] = field(default_factory=list)  # (engine, path, line)
    apps: dict[str, DjangoApp] = field(default_factory=dict)
    models: dict[str, DjangoModel] = field(default_factory=dict)  # key: "app.model" lowered
    diagnostics: list[DjangoDiagnostic] = field(default_factory=list)
    # folders of the repository's own packages outside `root` that the project imports (a
    # `sandbox/` project installing the apps of `src/oscar`): they belong to it too
    packages: list[str] = field(default_factory=list)

    def django_name(self, module: str) -> str:
        """The module name Django imports for a repository module."""
        if self.prefix and module.startswith(self.prefix + "."):
            return module[len(self.prefix) + 1:]
        return module

    def contains(self, facts: PythonFacts) -> bool:
        if not self.root:
            return True
        return facts.path.startswith(self.root + "/") or any(
            facts.path.startswith(folder + "/") for folder in self.packages
        )

    def app_of_module(self, module: str) -> DjangoApp | None:
        """The installed app containing a Django module name (the longest matching name)."""
        best: DjangoApp | None = None
        for app in self.apps.values():
            if app.external:
                continue
            if (module == app.name or module.startswith(app.name + ".")) and (
                best is None or len(app.name) > len(best.name)
            ):
                best = app
        return best

    def model(self, label: str) -> DjangoModel | None:
        return self.models.get(label.lower())

    @property
    def user_model(self) -> DjangoModel | None:
        return self.model(self.auth_user_model)


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def truncate_name(name: str, length: int | None) -> str:
    """Django's `truncate_name`: names over the limit keep a prefix and a 4-character md5."""
    if length is None or len(name) <= length:
        return name
    digest = hashlib.md5(name.encode(), usedforsecurity=False).hexdigest()[:4]
    return name[: length - 4] + digest


def one_string(values: Values) -> str | None:
    strings = {v.value for v in values if isinstance(v, StrV)}
    return strings.pop() if len(strings) == 1 and len(values) == 1 else None


def one_bool(values: Values) -> bool | None:
    found = {v.value for v in values if isinstance(v, ConstV) and isinstance(v.value, bool)}
    return found.pop() if len(found) == 1 and len(values) == 1 else None


def external_paths(values: Iterable[Value]) -> list[str]:
    return [v.path for v in values if isinstance(v, ExternalV)]


def _package_folder(facts: PythonFacts) -> str | None:
    """The folder of the top-level package holding a module (`src/oscar` for
    src/oscar/apps/catalogue/apps.py, module `oscar.apps.catalogue.apps`); None for a module
    outside any package."""
    depth = facts.module.count(".") + (1 if facts.path.endswith("__init__.py") else 0)
    if depth == 0:
        return None
    parts = facts.path.split("/")
    return "/".join(parts[: len(parts) - depth])


def _kwarg(call: ir.Call, name: str, position: int | None = None) -> ir.Expr | None:
    for key, value in call.kwargs:
        if key == name:
            return value
    if position is not None and position < len(call.args):
        value = call.args[position]
        return None if isinstance(value, ir.Starred) else value
    return None


# --------------------------------------------------------------------------------------------
# finding projects
# --------------------------------------------------------------------------------------------


def _folder(path: str) -> str:
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


def _prefix(folder: str) -> str:
    """The module prefix of files in `folder` (module names drop a leading `src`)."""
    return module_name(f"{folder}/__x__.py" if folder else "__x__.py").rpartition(".")[0]


class DjangoResolver:
    """Builds the Django projects of a repository from its Python facts."""

    def __init__(
        self, evaluator: Evaluator, modules: list[PythonFacts], *, dialect: str,
        default_schema: str,
    ) -> None:
        self.evaluator = evaluator
        self.index = evaluator.index
        self.modules = modules
        self.by_path = {facts.path: facts for facts in modules}
        self.dialect = dialect
        self.default_schema = default_schema
        self.max_name = MAX_NAME_LENGTH.get(dialect)
        self._ancestry: dict[ClassV, tuple[list[ClassV], list[str]]] = {}
        self._with_models: list[DjangoProject] = []  # projects whose models are built
        self._metas: tuple[
            dict[ClassV, set[ModelMetaV]], dict[str, set[ModelMetaV]], dict[str, set[ModelMetaV]]
        ] | None = None
        # whether the repository has one project, which may then import the repository's own
        # packages outside its folder (`find`)
        self.single_project = False
        self._bare_labels: dict[str, str] = {}  # `bare_label`, by package

    # ---- projects --------------------------------------------------------------------------

    def projects(self) -> list[DjangoProject]:
        """Every Django project of the repository (usually one)."""
        found: dict[str, DjangoProject] = {}
        by_module = {facts.module: facts for facts in self.modules}
        for facts in sorted(self.modules, key=lambda f: (not f.path.endswith("manage.py"),
                                                         f.path)):
            django = facts.django
            if django is None or not django.settings_module:
                continue
            for expr, line in django.settings_module:
                name = one_string(self.evaluator.evaluate(expr, Frame(facts)))
                if name is None:
                    continue
                root = _folder(facts.path) if facts.path.endswith("manage.py") else None
                settings, found_root = self._settings_module(name, root, facts, by_module)
                stand_in = None
                if settings is None:
                    settings, found_root = stand_in = self._stand_in_settings(name, root)
                if settings is None or found_root in found or any(
                    # the same settings file by another name (ecommerce's `wsgi.py` puts its
                    # package on `sys.path` and says `settings.local`): one project, as the
                    # first declaration (manage.py's) roots it
                    project.settings is settings for project in found.values()
                ):
                    continue
                project = DjangoProject(
                    root=found_root, prefix=_prefix(found_root),
                    manage=facts.path if facts.path.endswith("manage.py") else None,
                    settings_name=name, settings=settings,
                )
                if stand_in is not None:
                    project.diagnostics.append(
                        DjangoDiagnostic(
                            "django-settings-stand-in", facts.path, line,
                            f"DJANGO_SETTINGS_MODULE names {name}, which the repository does "
                            "not hold (each deployment writes its own, often from a sample "
                            f"kept beside it); {settings.path}, which sets INSTALLED_APPS, is "
                            "read in its place: the apps and models of the real settings may "
                            "differ",
                        )
                    )
                found[found_root] = project
                break
        if not found:
            for facts in sorted(self.modules, key=lambda f: (f.path.count("/"), f.path)):
                if not _is_settings_file(facts):
                    continue
                parts = facts.path.split("/")
                # proj/settings.py or proj/settings/__init__.py: the root holds `proj`
                depth = 3 if facts.path.endswith("__init__.py") else 2
                root = "/".join(parts[: max(len(parts) - depth, 0)])
                name = ".".join(facts.module.split(".")[-2:])
                found[root] = DjangoProject(
                    root=root, prefix=_prefix(root), settings_name=name, settings=facts
                )
                break
        projects = [found[root] for root in sorted(found)]
        self.single_project = len(projects) == 1
        for project in projects:
            self._read_settings(project)
            self._apps(project)
        return projects

    def bare_project(self) -> DjangoProject:
        """No settings anywhere (a reusable app, a library): apps are the packages that hold
        models or migrations, each labelled as its AppConfig says (`bare_label`)."""
        return DjangoProject(root="", prefix="")

    def bare_label(self, project: DjangoProject, package: str) -> str:
        """The label of the app `package` in a project without settings: the `label` of the
        AppConfig Django would choose in its `apps` module (wagtail's `wagtail.images` is
        `wagtailimages`, which its migrations' dependencies name), else the package's last
        name, Django's default."""
        found = self._bare_labels.get(package)
        if found is None:
            app = self._package_app(project, package, self.find(project, package))
            found = self._bare_labels[package] = app.label
        return found

    def _settings_module(
        self,
        name: str,
        root: str | None,
        facts: PythonFacts,
        by_module: dict[str, PythonFacts],
    ) -> tuple[PythonFacts | None, str]:
        if root is not None:
            prefix = _prefix(root)
            wanted = f"{prefix}.{name}" if prefix else name
            found = by_module.get(wanted)
            if found is not None:
                return found, root
        # wsgi.py / asgi.py or a manage.py whose folder is not the import root: the settings
        # module is found by its dotted name, its root is what makes that name importable
        candidates = [
            f for f in self.modules
            if f.module == name or f.module.endswith("." + name)
        ]
        if len(candidates) != 1:
            return None, ""
        settings = candidates[0]
        depth = len(name.split("."))
        if settings.path.endswith("__init__.py"):
            depth += 1
        parts = settings.path.split("/")
        root_parts = parts[: len(parts) - depth]
        return settings, "/".join(root_parts)

    def _stand_in_settings(
        self, name: str, root: str | None
    ) -> tuple[PythonFacts | None, str]:
        """The settings to read for a settings module the repository lacks (`temba.settings`,
        git-ignored: each deployment copies a sample such as `settings_dev.py`): the modules
        beside it named after it (`temba.settings_dev`, `temba.settings_common`,
        `temba.settings.dev`) that set INSTALLED_APPS, the most derived first (one no other of
        them star-imports: a sample built on the common part), then by path; without any,
        the modules of its package that set INSTALLED_APPS (`conf/base.py`)."""
        prefix = _prefix(root) if root is not None else ""
        wanted = f"{prefix}.{name}" if prefix else name
        parent, _, last = wanted.rpartition(".")

        def beside(module: str) -> bool:
            if module.startswith(wanted + "."):
                return True
            head, _, tail = module.rpartition(".")
            return tail.startswith(last + "_") and (
                head == parent or (root is None and head.endswith("." + parent))
                or (root is None and not parent and not head)
            )

        # (a module that sets INSTALLED_APPS itself: the first look reads every such module,
        # and not necessarily one that only star-imports it)
        candidates = [
            facts for facts in sorted(self.modules, key=lambda f: f.path)
            if beside(facts.module) and self._sites(facts, "INSTALLED_APPS")
        ]
        if not candidates and parent:
            # none named after it: a module of its package that sets INSTALLED_APPS
            # (`opencve/conf/base.py`, which each deployment's git-ignored `settings.py`,
            # copied from `settings.py.example`, star-imports)
            candidates = [
                facts for facts in sorted(self.modules, key=lambda f: f.path)
                if facts.module.rpartition(".")[0] in (parent, wanted)
                or (root is None and facts.module.rpartition(".")[0].endswith("." + parent))
                if self._sites(facts, "INSTALLED_APPS")
            ]
        if not candidates:
            return None, ""
        imported = {
            source.path for facts in candidates for source in self._star_sources(facts)
        }
        settings = next((f for f in candidates if f.path not in imported), candidates[0])
        if root is not None:
            return settings, root  # (the import root manage.py's folder gave)
        depth = len(settings.module.split(".")) + settings.path.endswith("__init__.py")
        parts = settings.path.split("/")
        return settings, "/".join(parts[: max(len(parts) - depth, 0)])

    # ---- settings --------------------------------------------------------------------------

    def _sites(self, facts: PythonFacts, name: str) -> list[DjangoSetting]:
        if facts.django is None:
            return []
        return [s for s in facts.django.settings if s.name == name]

    def _star_sources(self, facts: PythonFacts) -> list[PythonFacts]:
        out = []
        for binding in facts.imports:
            if binding.local == "*":
                module = self.index.find(absolute_module(facts, binding), facts.path)
                if module is not None and module is not facts:
                    out.append(module)
        return out

    def setting(
        self, facts: PythonFacts, name: str, depth: int = 0
    ) -> tuple[list[Value], list[DjangoSetting], PythonFacts] | None:
        """The values a setting may have at the end of a settings module (alternatives),
        the statements that set it, and the module holding them; star-imported settings
        (`from .base import *`) are followed."""
        if depth > MAX_SETTINGS_DEPTH:
            return None
        sites = self._sites(facts, name)
        inherited: list[Value] | None = None
        if not sites or sites[0].action != "assign":
            for source in self._star_sources(facts):
                found = self.setting(source, name, depth + 1)
                if found is not None:
                    inherited = found[0]
                    sites = [*found[1], *sites]
        if not sites and inherited is None:
            return None
        values: list[Value] = list(inherited or [])
        for site in sites:
            if site.action == "assign" and site.value is not None and not site.path:
                module = self._module_of(site, facts)
                evaluated = list(self.evaluator.evaluate(site.value, Frame(module)))
                known = [v for v in evaluated if not isinstance(v, Unknown)]
                if not site.conditional:
                    values = known or values or evaluated
                else:
                    values = values + [v for v in known if v not in values]
        return values, sites, facts

    def _module_of(self, site: DjangoSetting, fallback: PythonFacts) -> PythonFacts:
        for facts in self.modules:
            if facts.django is not None and site in facts.django.settings:
                return facts
        return fallback

    def _read_settings(self, project: DjangoProject) -> None:
        settings = project.settings
        if settings is None:
            return
        self._installed_apps(project, settings)
        found = self.setting(settings, "AUTH_USER_MODEL")
        if found is not None:
            value = next((v.value for v in found[0] if isinstance(v, StrV)), None)
            if value:
                project.auth_user_model = value
                site = next((s for s in reversed(found[1]) if s.action == "assign"), None)
                if site is not None:
                    project.auth_user_model_at = (self._module_of(site, settings).path, site.line)
        self._engines(project, settings)

    def _installed_apps(self, project: DjangoProject, settings: PythonFacts) -> None:
        apps, partial = self._app_list(settings, "INSTALLED_APPS", 0) or ([], [])
        project.installed = apps
        project.installed_partial = "; ".join(partial)
        if partial:
            project.diagnostics.append(
                DjangoDiagnostic(
                    "django-settings-partial", settings.path, None,
                    f"{'; '.join(partial)}: apps missing from the static list are not read",
                )
            )

    def _apps_value(
        self, value: ir.Expr, frame: Frame, settings: PythonFacts, depth: int
    ) -> Values:
        """A list of apps as a setting's statement gives it: `TENANT_APPS + [...]`, where a
        helper list (`*_APPS`) is what its own statements make of it, appends included."""
        if isinstance(value, ir.BinOp) and value.op == "+":
            left = self._apps_value(value.left, frame, settings, depth)
            right = self._apps_value(value.right, frame, settings, depth)
            if (
                len(left) == 1 and len(right) == 1
                and isinstance(left[0], SeqV) and isinstance(right[0], SeqV)
            ):
                return (SeqV("list", left[0].items + right[0].items),)
            return self.evaluator.evaluate(value, frame)
        if (
            isinstance(value, ir.Global)
            and is_setting_name(value.name)
            and value.name != "INSTALLED_APPS"
            and depth < MAX_SETTINGS_DEPTH
        ):
            found = self._app_list(settings, value.name, depth + 1)
            if found is not None and not found[1]:
                return (SeqV("list", tuple(StrV(app) for app in found[0])),)
        return self.evaluator.evaluate(value, frame)

    def _app_list(
        self, settings: PythonFacts, name: str, depth: int
    ) -> tuple[list[str], list[str]] | None:
        """The apps a list setting holds at the end of the settings module (INSTALLED_APPS,
        or a helper list it is built from), and what stays unknown about it; None when no
        statement sets it."""
        found = self.setting(settings, name)
        if found is None:
            return None
        sites: list[DjangoSetting] = found[1]
        apps: list[str] = []
        partial: list[str] = []
        for site in sites:
            module = self._module_of(site, settings)
            frame = Frame(module)
            where = f"{module.path}:{site.line}"
            if site.value is None:
                continue
            values = self._apps_value(site.value, frame, settings, depth)
            items = _string_items(values)
            known = _known_string_items(values) if items is None else None
            if known is not None and site.action in ("assign", "extend"):
                # `[..., "documents", *env_apps]`: the listed apps are installed; those the
                # starred value adds at run time are not known
                items, unknown = known
                partial.append(
                    f"{name} at {where} also holds apps known only at run time ({unknown})"
                )
            if site.action == "assign":
                if items is None:
                    if not apps:
                        partial.append(f"{name} at {where} is computed at run time")
                    else:
                        partial.append(
                            f"{name} is reassigned at {where} from a value computed at "
                            "run time; the apps listed before are kept"
                        )
                    continue
                if site.conditional and apps:
                    apps.extend(a for a in items if a not in apps)
                else:
                    apps = list(items)
            elif site.action in ("extend", "append", "insert"):
                added = _string_items(values) if site.action == "extend" else (
                    [one_string(values)] if one_string(values) else None
                )
                if added is None:
                    partial.append(f"{where} adds apps known only at run time (plugins?)")
                    continue
                apps.extend(a for a in added if a not in apps)
            elif site.action == "remove":
                removed = one_string(values)
                if removed and not site.conditional and removed in apps:
                    apps.remove(removed)
        return apps, partial

    def _engines(self, project: DjangoProject, settings: PythonFacts) -> None:
        found = self.setting(settings, "DATABASES")
        if found is None:
            return
        _values, sites, _ = found
        engines: list[tuple[str, str, int]] = []
        for site in sites:
            module = self._module_of(site, settings)
            frame = Frame(module)
            if site.value is None:
                continue
            candidates: list[str] = []
            if site.action == "assign" and not site.path:
                candidates = self._engine_of(site.value, frame, ("default", "ENGINE"))
            elif site.action == "update":
                path = [one_string(self.evaluator.evaluate(p, frame)) for p in site.path]
                if path in (["default"], []):
                    rest = ("ENGINE",) if path == ["default"] else ("default", "ENGINE")
                    candidates = self._engine_of(site.value, frame, rest)
            elif site.action == "setitem":
                path = [one_string(self.evaluator.evaluate(p, frame)) for p in site.path]
                if path == ["default", "ENGINE"]:
                    candidates = self._engine_of(site.value, frame, ())
                elif path == ["default"]:
                    candidates = self._engine_of(site.value, frame, ("ENGINE",))
            if not candidates:
                continue
            if not site.conditional:
                engines = []
            for engine in candidates:
                if all(engine != e for e, _, _ in engines):
                    engines.append((engine, module.path, site.line))
        project.engines = engines

    def _engine_of(self, expr: ir.Expr, frame: Frame, keys: tuple[str, ...]) -> list[str]:
        """ENGINE strings (or database URLs) the expression may give under `keys`."""
        node = expr
        for index, key in enumerate(keys):
            if isinstance(node, ir.Mapping):
                match = [v for k, v in node.items if isinstance(k, ir.Str) and k.value == key]
                if not match:
                    return []
                node = match[0]
                continue
            url = self._database_url(node, frame)
            if url:
                return url
            values = self.evaluator.evaluate(node, frame)
            for remaining in keys[index:]:
                values = tuple(
                    next((val for k, val in v.items if k == StrV(remaining)), Unknown())
                    if isinstance(v, MapV) else Unknown()
                    for v in values
                )
            return [v.value for v in values if isinstance(v, StrV)]
        url = self._database_url(node, frame)
        if url:
            return url
        return [v.value for v in self.evaluator.evaluate(node, frame) if isinstance(v, StrV)]

    def _database_url(self, node: ir.Expr, frame: Frame) -> list[str]:
        """`dj_database_url.config(default="postgres://...")`, `.parse("...")`,
        `env.db(default=...)`: the URL, whose scheme names the engine."""
        if not isinstance(node, ir.Call):
            return []
        called = self.evaluator.evaluate(node.func, frame)
        paths = [v.path for v in called if isinstance(v, ExternalV | ExternalResultV)]
        if not any(
            p.startswith(("dj_database_url", "environ")) or p.endswith((".db", ".db_url"))
            for p in paths
        ):
            return []
        argument = _kwarg(node, "default", 0 if not node.kwargs else None) or _kwarg(
            node, "url", 0
        )
        if argument is None:
            return []
        return [
            v.value for v in self.evaluator.evaluate(argument, frame)
            if isinstance(v, StrV) and "://" in v.value
        ]

    def dialects(self, project: DjangoProject) -> list[str]:
        out: list[str] = []
        for engine, _, _ in project.engines:
            dialect = engine_dialect(engine)
            if dialect and dialect not in out:
                out.append(dialect)
        return out

    # ---- apps ------------------------------------------------------------------------------

    def find(self, project: DjangoProject, name: str) -> PythonFacts | None:
        """A module of the project by the name Django imports it with."""
        if project.prefix:
            found = self.index.find(f"{project.prefix}.{name}")
            if found is not None:
                return found
        found = self.index.find(name)
        if found is not None and project.contains(found):
            return found
        if found is not None and self.single_project:
            # the repository's own package, outside the project's folder (an example or
            # sandbox project using the package the repository ships, installed from
            # `src/`): the only project imports it
            package = _package_folder(found)
            if package is not None:
                if package not in project.packages:  # (`contains` reads this list per module)
                    project.packages.append(package)
                return found
        return None

    def is_package(self, project: DjangoProject, name: str) -> bool:
        full = f"{project.prefix}.{name}" if project.prefix else name
        return self.index.is_package(full) or self.find(project, name) is not None

    def _apps(self, project: DjangoProject) -> None:
        settings_path = project.settings.path if project.settings else None
        for entry in project.installed:
            app = self._app(project, entry)
            if app is None:
                continue
            app.path = settings_path
            if app.label in project.apps:
                if not _label_guessed(app) and not _label_guessed(project.apps[app.label]):
                    project.diagnostics.append(
                        DjangoDiagnostic(
                            "django-duplicate-label", settings_path or "", None,
                            f"two installed apps have the label {app.label!r} ({entry} and "
                            f"{project.apps[app.label].name}); Django refuses to start",
                        )
                    )
                continue
            project.apps[app.label] = app

    def _app(self, project: DjangoProject, entry: str) -> DjangoApp | None:
        module = self.find(project, entry)
        if module is not None or self.is_package(project, entry):
            return self._package_app(project, entry, module)
        head, _, tail = entry.rpartition(".")
        if head:
            holder = self.find(project, head)
            if holder is not None:
                fact = holder.classes.get(tail)
                if fact is not None:
                    return self._config_app(project, ClassV(holder.module, tail), entry)
        label = contrib_label(entry)
        if label is not None:
            name = entry.split(".apps.")[0]
            return DjangoApp(label, name, None, None)
        name = entry
        if tail[:1].isupper() and head:
            name = head.removesuffix(".apps")
        return DjangoApp(name.rsplit(".", 1)[-1], name, None, None)

    def _package_app(
        self, project: DjangoProject, name: str, module: PythonFacts | None
    ) -> DjangoApp:
        # The package's `default_app_config` (Django before 4.1 follows it first), else, as
        # Django's `AppConfig.create` does since 3.2, the apps module's one AppConfig subclass
        # (defined or imported there) not saying `default = False`, or the one saying
        # `default = True`
        chosen = self._default_app_config(project, module) if module is not None else None
        configs = [
            c for c in self.app_configs(project, name)
            if self._class_value(c, "default") != ConstV(False)
        ] if chosen is None else []
        if len(configs) == 1:
            chosen = configs[0]
        elif configs:
            defaults = [c for c in configs if self._class_value(c, "default") == ConstV(True)]
            if len(defaults) == 1:
                chosen = defaults[0]
        if chosen is not None:
            return self._config_app(project, chosen, name)
        folder = self._folder_of(project, name, module)
        repo_module = module.module if module else (
            f"{project.prefix}.{name}" if project.prefix else name
        )
        return DjangoApp(name.rsplit(".", 1)[-1], name, repo_module, folder)

    def _folder_of(
        self, project: DjangoProject, name: str, module: PythonFacts | None
    ) -> str:
        if module is not None:
            return _folder(module.path) if module.path.endswith("__init__.py") else (
                module.path.removesuffix(".py")
            )
        base = "/".join(p for p in (project.root, name.replace(".", "/")) if p)
        return base

    def app_configs(self, project: DjangoProject, name: str) -> list[ClassV]:
        """The AppConfig subclasses of the app's `apps` module, as `inspect.getmembers`
        gives them to Django: those it defines and those it imports (a project's base
        config), by name."""
        apps = self.find(project, f"{name}.apps")
        if apps is None:
            return []
        found: dict[str, ClassV] = {}
        for qualname in apps.classes:
            if "." not in qualname:
                found[qualname] = ClassV(apps.module, qualname)
        for local, binding in apps.names.items():
            if binding.kind == "import" and local not in found:
                values = self.evaluator.name(apps, local)
                if len(values) == 1 and isinstance(values[0], ClassV):
                    found[local] = values[0]
        return [
            cls for _, cls in sorted(found.items())
            if _is_app_config(self.ancestry(cls)[1])
        ]

    def _default_app_config(self, project: DjangoProject, package: PythonFacts) -> ClassV | None:
        """`default_app_config = "blog.apps.BlogConfig"` in the app's package: Django before
        3.2 knows no other way to choose a config, 3.2 and 4.0 follow it before their own
        discovery (4.1 ignores it, but a project on 4.1 has no reason left to write it)."""
        binding = package.names.get("default_app_config")
        if binding is None or binding.kind != "value" or binding.value is None:
            return None
        path = one_string(self.evaluator.evaluate(binding.value, Frame(package)))
        head, _, tail = (path or "").rpartition(".")
        holder = self.find(project, head) if head else None
        if holder is None or tail not in holder.classes:
            return None
        return ClassV(holder.module, tail)

    def _config_app(self, project: DjangoProject, config: ClassV, entry: str) -> DjangoApp:
        name_value = self._class_value(config, "name")
        name = name_value.value if isinstance(name_value, StrV) else entry
        label_value = self._class_value(config, "label")
        label = label_value.value if isinstance(label_value, StrV) else name.rsplit(".", 1)[-1]
        module = self.find(project, name)
        folder = self._folder_of(project, name, module) if (
            module is not None or self.is_package(project, name)
        ) else None
        repo_module = module.module if module else (
            (f"{project.prefix}.{name}" if project.prefix else name) if folder else None
        )
        return DjangoApp(label, name, repo_module, folder)

    def _class_value(self, cls: ClassV, name: str) -> Value | None:
        """A class attribute set in the class or a repository ancestor (None: not set)."""
        for owner in self.evaluator.mro(cls):
            found = self.evaluator.class_fact(owner)
            if found is None:
                continue
            facts, fact = found
            binding = fact.names.get(name)
            if binding is not None and binding.kind == "value" and binding.value is not None:
                values = self.evaluator.evaluate(binding.value, Frame(facts))
                return values[0] if len(values) == 1 else Unknown("several values")
        return None

    # ---- class ancestry --------------------------------------------------------------------

    def ancestry(self, cls: ClassV) -> tuple[list[ClassV], list[str]]:
        """Repository ancestors (the class first) and the external bases they reach."""
        found = self._ancestry.get(cls)
        if found is None:
            order: list[ClassV] = []
            externals: list[str] = []
            stack = [cls]
            while stack and len(order) < 64:
                current = stack.pop(0)
                if current in order:
                    continue
                order.append(current)
                for base in self.evaluator.bases(current):
                    if isinstance(base, ClassV):
                        stack.append(base)
                    elif isinstance(base, ExternalV | ExternalResultV) and (
                        base.path not in externals
                    ):
                        externals.append(base.path)
            found = self._ancestry[cls] = (order, externals)
        return found

    def is_model_class(self, cls: ClassV) -> bool:
        """Bases that reach `django.db.models.Model`, a contrib abstract model, or a contrib
        concrete model (a multi-table child of `ContentType`)."""
        externals = self.ancestry(cls)[1]
        return any(
            path in MODEL_BASES or path in ABSTRACT_MODELS or contrib_model_named(path)
            for path in externals
        )

    # ---- models ----------------------------------------------------------------------------

    def models(self, project: DjangoProject, bare: bool = False) -> None:
        """Every model class of the project's modules, then contrib models, relations and
        reverse accessors. From then on the evaluator reads `Model._meta.db_table` of them
        (`meta_of`)."""
        builder = _ModelBuilder(self, project, bare)
        builder.contrib()
        for facts in self.modules:
            if not project.contains(facts) or _is_migration(facts):
                continue
            for qualname, fact in facts.classes.items():
                if "." in qualname:
                    continue
                builder.model(ClassV(facts.module, qualname), facts, fact)
        builder.finish()
        self._with_models.append(project)
        self._metas = None
        self.evaluator.django_meta = self.meta_of

    def meta_of(self, value: Value) -> ModelMetaV | None:
        """`_meta` of a model class or of `apps.get_model(label, name)`, when every project
        built so far that has the model gives it the same table (None otherwise: the
        evaluator then says why it cannot read it)."""
        if self._metas is None:
            by_class: dict[ClassV, set[ModelMetaV]] = {}
            by_label: dict[str, set[ModelMetaV]] = {}
            by_name: dict[str, set[ModelMetaV]] = {}
            for project in self._with_models:
                for model in project.models.values():
                    if model.table is None:
                        continue
                    meta = ModelMetaV(model.app_label, model.name.lower(), model.table.name)
                    if model.cls is not None:
                        by_class.setdefault(model.cls, set()).add(meta)
                    by_label.setdefault(model.key, set()).add(meta)
                    by_name.setdefault(model.name.lower(), set()).add(meta)
            self._metas = (by_class, by_label, by_name)
        by_class, by_label, by_name = self._metas
        if isinstance(value, ExternalResultV) and value.path.endswith("get_user_model"):
            # `get_user_model()`: each project's AUTH_USER_MODEL (contrib's `auth.User` by
            # default), one table when they agree
            found = {
                meta for project in self._with_models
                if (user := project.user_model) is not None and user.table is not None
                for meta in by_label.get(user.key, set())
            }
        elif isinstance(value, ClassV):
            found = by_class.get(value, set())
        elif isinstance(value, ModelLookupV):
            found = (
                by_label.get(f"{value.app_label}.{value.model_name}".lower(), set())
                if value.app_label else by_name.get(value.model_name.lower(), set())
            )
        else:
            return None
        return next(iter(found)) if len(found) == 1 else None

    def auto_tables(self, project: DjangoProject) -> list[AutoTable]:
        """Auto-created many-to-many tables of the project's local concrete models."""
        out: list[AutoTable] = []
        for model in sorted(project.models.values(), key=lambda m: m.key):
            if model.owner is not None or model.abstract or model.proxy or model.table is None:
                continue
            for item in model.fields:
                table = self.auto_table(project, model, item)
                if table is not None:
                    out.append(table)
        return out

    def auto_table(
        self, project: DjangoProject, model: DjangoModel, item: ModelField
    ) -> AutoTable | None:
        if item.kind != "m2m" or item.through is not None or model.table is None:
            return None
        name = item.db_table or truncate_name(f"{model.table.name}_{item.name}", self.max_name)
        target = self.target(project, item.target, model)
        source_name = model.name.lower()
        target_name = (
            target.name.lower() if target is not None else _model_name_of(item.target)
        )
        if target_name is None:
            columns: tuple[str, ...] = ()
        elif target_name == source_name:
            columns = ("id", f"from_{source_name}_id", f"to_{source_name}_id")
        else:
            columns = ("id", f"{source_name}_id", f"{target_name}_id")
        return AutoTable(
            model, item, TableKey(model.table.schema, name), columns, item.path, item.line
        )

    def target(
        self, project: DjangoProject, ref: Value | str | None, model: DjangoModel | None
    ) -> DjangoModel | None:
        """The model a relation points to: a class, a contrib path, "app.Model", "Model",
        "self" or the AUTH_USER_MODEL setting."""
        if ref is None:
            return None
        if isinstance(ref, ClassV):
            for candidate in project.models.values():
                if candidate.cls == ref:
                    return candidate
            return None
        if isinstance(ref, ExternalV):
            if ref.path == SETTINGS_PREFIX + "AUTH_USER_MODEL":
                return project.model(project.auth_user_model)
            return self.external_model(project, ref.path)
        if isinstance(ref, StrV):
            ref = ref.value
        if not isinstance(ref, str):
            return None
        if ref == "AUTH_USER_MODEL":
            return project.model(project.auth_user_model)
        if ref == "self":
            return model
        if "." not in ref:
            if model is None:
                return None
            return project.model(f"{model.app_label}.{ref}")
        return project.model(ref)

    def external_model(self, project: DjangoProject, path: str) -> DjangoModel | None:
        """A model outside the repository by the path it is imported from: a contrib model
        (from the catalogue, wherever re-exported), or a third-party app's model whose table
        Django names `<label>_<model>`."""
        for candidate in project.models.values():
            if candidate.owner is not None and candidate.cls is None and (
                path == f"{candidate.owner}.models.{candidate.name}"
            ):
                return candidate
        if path.startswith("django."):
            catalog = contrib_model_named(path)
            return project.model(catalog.label) if catalog is not None else None
        module, _, name = path.rpartition(".")
        if not name[:1].isupper() or ".models" not in f".{module}":
            return None
        app_module = module.rsplit(".models", 1)[0]
        app = next(
            (a for a in project.apps.values() if a.external and a.name == app_module), None
        )
        if app is None:
            return None
        guessed = DjangoModel(app.label, name, None, 0, owner=app.name, guessed=True,
                              columns_known=False)
        guessed.table = TableKey(
            self.default_schema, truncate_name(f"{app.label}_{name.lower()}", self.max_name)
        )
        project.models.setdefault(guessed.key, guessed)
        return project.models[guessed.key]


def _label_guessed(app: DjangoApp) -> bool:
    """A third-party app's label is Django's default, its module's last name, unless its
    AppConfig (outside the repository, not read) sets another: `hijack.contrib.admin`'s is
    `hijack_admin`, so its clash with `django.contrib.admin` is no clash."""
    return app.external and contrib_label(app.name) is None


def _model_name_of(ref: Value | str | None) -> str | None:
    if isinstance(ref, StrV):
        ref = ref.value
    if isinstance(ref, str) and ref not in ("self", "AUTH_USER_MODEL"):
        return ref.rsplit(".", 1)[-1].lower()
    return None


def _known_string_items(values: Values) -> tuple[list[str], str] | None:
    """The strings of a list/tuple value some of whose items are unknown (`*env_apps`), and
    what the first unknown one is; None unless every item is a string or unknown."""
    if len(values) != 1 or not isinstance(values[0], SeqV):
        return None
    items = values[0].items
    strings = [item.value for item in items if isinstance(item, StrV)]
    unknown = [item for item in items if isinstance(item, Unknown)]
    if not unknown or len(strings) + len(unknown) != len(items):
        return None
    return strings, unknown[0].why


def _string_items(values: Values) -> list[str] | None:
    """The strings of a list/tuple value (None unless every item of one value is a string)."""
    if len(values) != 1 or not isinstance(values[0], SeqV):
        return None
    items = values[0].items
    strings = [item.value for item in items if isinstance(item, StrV)]
    return strings if len(strings) == len(items) else None


def _is_settings_file(facts: PythonFacts) -> bool:
    name = PurePosixPath(facts.path)
    is_settings = name.name == "settings.py" or (
        name.name == "__init__.py" and name.parent.name == "settings"
    )
    return bool(
        is_settings and facts.django is not None
        and any(s.name == "INSTALLED_APPS" for s in facts.django.settings)
    )


def _is_migration(facts: PythonFacts) -> bool:
    return facts.django is not None and facts.django.migration is not None


# --------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------


class _ModelBuilder:
    def __init__(self, resolver: DjangoResolver, project: DjangoProject, bare: bool) -> None:
        self.resolver = resolver
        self.evaluator = resolver.evaluator
        self.project = project
        self.bare = bare
        self.by_class: dict[ClassV, DjangoModel | None] = {}
        self._building: set[ClassV] = set()
        self._fields: dict[ClassV, list[ModelField]] = {}
        self.outside: dict[str, list[str]] = {}

    # ---- entry points ----------------------------------------------------------------------

    def model(self, cls: ClassV, facts: PythonFacts, fact: ClassFact) -> DjangoModel | None:
        if cls in self.by_class:
            return self.by_class[cls]
        if cls in self._building:
            return None
        guessed = False
        if not self.resolver.is_model_class(cls):
            if not self._third_party_model(cls, facts, fact):
                return None
            guessed = True
        self._building.add(cls)
        try:
            built = self._build(cls, facts, fact)
        finally:
            self._building.discard(cls)
        if built is not None and guessed:
            built.columns_known = False
        self.by_class[cls] = built
        if built is not None and not built.abstract:
            existing = self.project.models.get(built.key)
            if existing is None:
                self.project.models[built.key] = built
        return built

    def finish(self) -> None:
        for module, names in sorted(self.outside.items()):
            facts = self.resolver.index.find(module)
            self.project.diagnostics.append(
                DjangoDiagnostic(
                    "django-model-outside-apps", facts.path if facts else module, None,
                    f"model{'s' if len(names) > 1 else ''} {', '.join(sorted(names))} "
                    "belong to no installed app and set no Meta.app_label: Django refuses "
                    "to load them, so their tables are not reported",
                )
            )
        self._reverse()

    def _third_party_model(self, cls: ClassV, facts: PythonFacts, fact: ClassFact) -> bool:
        """A class of a models module (`models`, `abstract_models`...) whose bases leave the
        repository for a package tabletrace does not know (taggit's `GenericTaggedItemBase`,
        treebeard's `MP_Node`) and that declares Django fields, itself or through a
        repository ancestor (django-oscar's `Category(AbstractCategory)`, the abstract parent
        deriving from `MP_Node`): a model whose inherited columns are unknown."""
        if not any(part == "models" or part.endswith("_models")
                   for part in facts.module.split(".")):
            return False
        ancestors, externals = self.resolver.ancestry(cls)
        if not any(not _is_mixin_path(path) for path in externals):
            return False
        return any(self._declares_fields(ancestor) for ancestor in ancestors)

    def _declares_fields(self, cls: ClassV) -> bool:
        """Whether the class body assigns a Django model field (`models.CharField(...)`)."""
        found = self.evaluator.class_fact(cls)
        if found is None:
            return False
        facts, fact = found
        for binding in fact.names.values():
            if binding.kind != "value" or not isinstance(binding.value, ir.Call):
                continue
            for value in self.evaluator.evaluate(binding.value.func, Frame(facts)):
                if isinstance(value, ExternalV) and value.path.startswith(
                    ("django.db.models.", "django.contrib.")
                ) and _external_field_kind(value.path) is not None:
                    return True
        return False

    # ---- one class -------------------------------------------------------------------------

    def _model_of(self, cls: ClassV) -> DjangoModel | None:
        found = self.evaluator.class_fact(cls)
        if found is None:
            return None
        return self.model(cls, found[0], found[1])

    def _own_meta(self, cls: ClassV) -> ClassV | None:
        found = self.evaluator.class_fact(cls)
        if found is None:
            return None
        facts, _ = found
        qualname = f"{cls.qualname}.Meta"
        return ClassV(facts.module, qualname) if qualname in facts.classes else None

    def _meta_chain(self, cls: ClassV) -> list[ClassV]:
        """The Meta classes whose options apply, in lookup order: the class's own Meta and its
        bases (`class Meta(Parent.Meta)`), else an abstract parent's Meta."""
        own = self._own_meta(cls)
        if own is not None:
            return self.evaluator.mro(own)
        for ancestor in self.resolver.ancestry(cls)[0][1:]:
            meta = self._own_meta(ancestor)
            if meta is not None and self._own_option(ancestor, "abstract") is True:
                return self.evaluator.mro(meta)
        return []

    def _option(self, cls: ClassV, name: str) -> Values | None:
        for meta in self._meta_chain(cls):
            found = self.evaluator.class_fact(meta)
            if found is None:
                continue
            facts, fact = found
            binding = fact.names.get(name)
            if binding is not None and binding.kind == "value" and binding.value is not None:
                return self.evaluator.evaluate(binding.value, Frame(facts))
        return None

    def _metaclass_makes_proxy(self, cls: ClassV) -> bool:
        """A metaclass of the class or of a base (`metaclass=TypeclassBase`) whose `__new__`
        defines `class Meta: proxy = True` for the classes it makes (evennia's typeclasses,
        each a proxy of its database model, and so their subclasses): Django then sees a
        proxy, whatever the class body says."""
        for owner in self.evaluator.mro(cls):
            found = self.evaluator.class_fact(owner)
            if found is None:
                continue
            facts, fact = found
            for key, value in fact.keywords:
                if key != "metaclass":
                    continue
                for meta in self.evaluator.evaluate(value, Frame(facts)):
                    if isinstance(meta, ClassV) and self._new_sets_proxy(meta):
                        return True
        return False

    def _new_sets_proxy(self, meta: ClassV) -> bool:
        facts = self.evaluator.module(meta.module)
        nested = facts.classes.get(f"{meta.qualname}.__new__.Meta") if facts else None
        binding = nested.names.get("proxy") if nested is not None else None
        return binding is not None and binding.value == ir.Const(True)

    def _own_option(self, cls: ClassV, name: str) -> bool | None:
        meta = self._own_meta(cls)
        if meta is None:
            return None
        found = self.evaluator.class_fact(meta)
        if found is None:
            return None
        facts, fact = found
        binding = fact.names.get(name)
        if binding is None or binding.value is None:
            return None
        return one_bool(self.evaluator.evaluate(binding.value, Frame(facts)))

    def _build(self, cls: ClassV, facts: PythonFacts, fact: ClassFact) -> DjangoModel | None:
        project = self.project
        abstract = self._own_option(cls, "abstract") is True
        label_values = self._option(cls, "app_label")
        app_label = one_string(label_values) if label_values else None
        forced_proxy = not abstract and self._metaclass_makes_proxy(cls)
        if app_label is None and forced_proxy:
            # the metaclass gives the proxy its concrete model's app (evennia's typeclasses)
            app_label = next((
                parent.app_label for base in self.evaluator.bases(cls)
                if isinstance(base, ClassV) and (parent := self._model_of(base)) is not None
            ), None)
        if app_label is None and not abstract:
            app = project.app_of_module(project.django_name(facts.module))
            if app is not None:
                app_label = app.label
            elif self.bare:
                app_label = self.resolver.bare_label(project, _package_of(facts.module))
            else:
                self.outside.setdefault(facts.module, []).append(cls.name)
                return None
        model = DjangoModel(app_label or "", cls.name, facts.path, fact.line, cls=cls,
                            abstract=abstract)
        proxy = self._option(cls, "proxy")
        model.proxy = bool(proxy and one_bool(proxy)) or forced_proxy
        managed = self._option(cls, "managed")
        model.managed = one_bool(managed) is not False if managed else True
        table = self._option(cls, "db_table")
        model.db_table = one_string(table) if table else None
        model.managers = self._managers(cls)
        bases = self.evaluator.bases(cls)
        unknown_bases = [
            path for path in self.resolver.ancestry(cls)[1]
            if path not in MODEL_BASES and path not in ABSTRACT_MODELS
            and not contrib_model_named(path) and not _is_mixin_path(path)
        ]
        model.columns_known = not unknown_bases
        parents: list[DjangoModel] = []
        for base in bases:
            parent = None
            if isinstance(base, ClassV):
                parent = self._model_of(base)
            elif isinstance(base, ExternalV) and contrib_model_named(base.path):
                parent = self.resolver.external_model(project, base.path)
            if parent is not None and not parent.abstract:
                parents.append(parent)
            elif parent is not None:
                # an abstract model under a concrete one (`class BookStatus(Status): abstract`)
                # passes that parent on: Django makes `status_ptr` its children's key too
                parents.extend(p for p in parent.parents if p not in parents)
        if model.proxy:
            concrete = next((p for p in parents), None)
            model.concrete = concrete.concrete or concrete if concrete else None
            model.parents = []
            model.fields = []
            model.table = model.concrete.table if model.concrete else None
            return model
        model.parents = parents
        model.fields = self._local_fields(cls, model, parents)
        if not abstract:
            name = model.db_table or truncate_name(
                f"{model.app_label}_{model.name.lower()}", self.resolver.max_name
            )
            model.table = TableKey(self.resolver.default_schema, name)
            model.history = self._history(cls, model)
        return model

    def _history(self, cls: ClassV, model: DjangoModel) -> HistoryTable | None:
        """The historical model's table: `table_name=`, else Django's default name of
        `custom_model_name=` (a string) or `Historical<Model>`, in the app `app=` names or the
        model's own. A `HistoricalRecords` of an ancestor counts with `inherit=True`."""
        for owner in self.resolver.ancestry(cls)[0]:
            found = self.evaluator.class_fact(owner)
            if found is None:
                continue
            facts, fact = found
            frame = Frame(facts)
            for attribute, binding in fact.names.items():
                call = binding.value
                if binding.kind != "value" or not isinstance(call, ir.Call) or not any(
                    self._historical_records(value)
                    for value in self.evaluator.evaluate(call.func, frame)
                ):
                    continue

                def option(key: str, call: ir.Call = call, frame: Frame = frame) -> Values:
                    expr = _kwarg(call, key, None)
                    return self.evaluator.evaluate(expr, frame) if expr is not None else ()

                if owner != cls and one_bool(option("inherit")) is not True:
                    continue
                table_name = option("table_name")
                table = one_string(table_name) if table_name else None
                if table is None:
                    custom = option("custom_model_name")
                    name = one_string(custom) if custom else f"Historical{model.name}"
                    app = option("app")
                    label = one_string(app) if app else model.app_label
                    if name is None or label is None:
                        return None
                    table = truncate_name(f"{label}_{name.lower()}", self.resolver.max_name)
                return HistoryTable(
                    TableKey(self.resolver.default_schema, table), facts.path, facts.module,
                    binding.line, attribute,
                )
        return None

    def _historical_records(self, value: Value) -> bool:
        """`HistoricalRecords`, or a repository class deriving from it."""
        if isinstance(value, ExternalV):
            return value.path == HISTORICAL_RECORDS
        return isinstance(value, ClassV) and HISTORICAL_RECORDS in self.resolver.ancestry(value)[1]

    def _managers(self, cls: ClassV) -> set[str]:
        names = {"objects", "_default_manager", "_base_manager"}
        for owner in self.resolver.ancestry(cls)[0]:
            found = self.evaluator.class_fact(owner)
            if found is None:
                continue
            facts, fact = found
            for name, binding in fact.names.items():
                if binding.kind == "value" and isinstance(binding.value, ir.Call) and (
                    self._is_manager(binding.value, facts)
                ):
                    names.add(name)
        return names

    def _is_manager(self, call: ir.Call, facts: PythonFacts) -> bool:
        func = call.func
        if isinstance(func, ir.Attr) and func.attr == "as_manager":
            return True
        for value in self.evaluator.evaluate(func, Frame(facts)):
            if isinstance(value, ExternalV | ExternalResultV) and (
                value.path.endswith("Manager") or "from_queryset" in value.path
            ):
                return True
            if isinstance(value, ClassV):
                externals = self.resolver.ancestry(value)[1]
                if any(p.endswith("Manager") or "from_queryset" in p for p in externals):
                    return True
        return False

    # ---- fields ----------------------------------------------------------------------------

    def _local_fields(
        self, cls: ClassV, model: DjangoModel, parents: list[DjangoModel]
    ) -> list[ModelField]:
        found = self.evaluator.class_fact(cls)
        assert found is not None
        facts, fact = found
        fields: dict[str, ModelField] = {}
        inherited = self._inherited(cls, set())
        for item in inherited:
            fields[item.name] = ModelField(
                item.name, item.kind, item.column, fact.line, facts.path, item.target,
                item.through, item.db_table, item.related_name, item.primary_key,
                item.parent_link,
            )
        for name, binding in fact.names.items():
            own = self._field(facts, name, binding)
            if own is None:
                # an abstract parent's field the class binds to something else is not inherited
                # (Django copies it only when the name is not in the class's own namespace):
                # `created_by = None`, a method, `@property def created_by(self)`, a constant.
                # A call may be a field tabletrace does not read: the field stays.
                if name in fields and (
                    binding.kind == "function"
                    or (binding.kind == "value" and not isinstance(binding.value, ir.Call))
                ):
                    del fields[name]
                continue
            self._place(fields, facts, name, binding, own)
        ordered = list(fields.values())
        links = [f for f in ordered if f.parent_link]
        for parent in parents:
            if any(self.resolver.target(self.project, f.target, model) is parent for f in links):
                continue
            name = f"{parent.name.lower()}_ptr"
            ordered.insert(
                0,
                ModelField(name, "o2o", f"{name}_id", fact.line, facts.path, parent.cls,
                           primary_key=True, parent_link=True, auto=True),
            )
        if not model.abstract and not any(f.primary_key for f in ordered):
            ordered.insert(0, ModelField("id", "column", "id", fact.line, facts.path,
                                         primary_key=True, auto=True))
        return ordered

    def _inherited(self, cls: ClassV, seen: set[ClassV]) -> list[ModelField]:
        """Fields a class gets from its abstract ancestors, most basic first."""
        out: dict[str, ModelField] = {}
        for base in self.evaluator.bases(cls):
            if isinstance(base, ClassV) and base not in seen:
                seen.add(base)
                parent = self._model_of(base)
                if parent is None or not parent.abstract:
                    continue
                found = self.evaluator.class_fact(base)
                if found is None:
                    continue
                facts, fact = found
                for item in self._inherited(base, seen):
                    out.pop(item.name, None)
                    out[item.name] = item
                for name, binding in fact.names.items():
                    own = self._field(facts, name, binding)
                    if own is not None:
                        self._place(out, facts, name, binding, own)
            elif isinstance(base, ExternalV) and base.path in ABSTRACT_MODELS:
                for item in _catalog_fields(ABSTRACT_MODELS[base.path], 0, ""):
                    out.pop(item.name, None)
                    out[item.name] = item
        return list(out.values())

    def _field(self, facts: PythonFacts, name: str, binding: NameFact) -> ModelField | None:
        if binding.kind != "value" or not isinstance(binding.value, ir.Call):
            return None
        call = binding.value
        kind = self._field_kind(call.func, facts)
        if kind is None and call.args and isinstance(call.args[0], ir.Call):
            # `secret = encrypt(models.TextField())`, `NUMP(models.TextField())`: a function
            # wrapping a field (an encrypting or history library's) gives the field back
            inner = call.args[0]
            kind = self._field_kind(inner.func, facts)
            call = inner
        if kind is None:
            return None
        frame = Frame(facts)

        def value(key: str, position: int | None = None) -> Values | None:
            expr = _kwarg(call, key, position)
            return self.evaluator.evaluate(expr, frame) if expr is not None else None

        db_column = value("db_column")
        column_name = one_string(db_column) if db_column else None
        if kind in ("fk", "o2o"):
            column: str | None = column_name or f"{name}_id"
        elif kind == "column":
            column = column_name or name
        else:
            column = None
        target = through = None
        if kind in ("fk", "o2o", "m2m", "none"):
            found = value("to", 0)
            target = _reference(found)
            through_values = value("through")
            through = _reference(through_values) if through_values else None
            if kind == "m2m" and through is None:
                through = self._tag_manager_through(call.func, facts)
                if target is None and isinstance(through, ExternalV):
                    target = ExternalV(TAGGIT_TAG)  # the stock manager's `to`
        db_table = value("db_table")
        related = value("related_name")
        primary = value("primary_key")
        parent_link = value("parent_link")
        return ModelField(
            name, kind, column, binding.line, facts.path, target, through,
            one_string(db_table) if db_table else None,
            one_string(related) if related else None,
            bool(primary and one_bool(primary)),
            bool(parent_link and one_bool(parent_link)),
        )

    def _place(
        self, fields: dict[str, ModelField], facts: PythonFacts, name: str, binding: NameFact,
        own: ModelField,
    ) -> None:
        """Put the field `own` last in `fields` (in Django's order of a class's fields), with
        the fields it adds to its model beside itself (`_companions`) before or after it."""
        fields.pop(name, None)
        before, after = self._companions(facts, name, binding)
        for companion in before:
            fields.pop(companion.name, None)
            fields[companion.name] = companion
        fields[name] = own
        for companion in after:
            fields.pop(companion.name, None)
            fields[companion.name] = companion

    def _companions(
        self, facts: PythonFacts, name: str, binding: NameFact
    ) -> tuple[list[ModelField], list[ModelField]]:
        """Fields a field adds to its model beside itself, (before it, after it):

        * django-money's `MoneyField` adds its currency, `<name>_currency` (or
          `currency_field_name=`), before it (`add_currency_field` in `contribute_to_class`);
        * django-markupfield's `MarkupField` adds `<name>_markup_type` and `_<name>_rendered`
          after it (their creation counters follow its own), unless `rendered_field=` is
          given: its migrations' copy says `rendered_field=True` and declares the two
          itself. An abstract model gets none; each concrete subclass its own."""
        call = binding.value
        if not isinstance(call, ir.Call):
            return [], []
        paths: set[str] = set()
        for value in self.evaluator.evaluate(call.func, Frame(facts)):
            if isinstance(value, ExternalV):
                paths.add(value.path)
            elif isinstance(value, ClassV):
                paths.update(self.resolver.ancestry(value)[1])
        if paths & MARKUP_FIELDS:
            written = _kwarg(call, "rendered_field", None)
            if written is not None and one_bool(
                self.evaluator.evaluate(written, Frame(facts))
            ) is not False:
                return [], []
            return [], [
                ModelField(column, "column", column, binding.line, facts.path)
                for column in (f"{name}_markup_type", f"_{name}_rendered")
            ]
        if not paths & MONEY_FIELDS:
            return [], []
        written = _kwarg(call, "currency_field_name", None)
        chosen = (
            one_string(self.evaluator.evaluate(written, Frame(facts)))
            if written is not None else None
        )
        column = chosen or f"{name}_currency"
        return [ModelField(column, "column", column, binding.line, facts.path)], []

    def _tag_manager_through(self, func: ir.Expr, facts: PythonFacts) -> Value | str | None:
        """django-taggit's `TaggableManager()` makes no join table of its own: its rows are
        in its `through` model, taggit's generic `TaggedItem` by default. A repository
        subclass may choose another in its constructor (`kwargs.setdefault("through", ...)`),
        which is not read: its through model is unknown (`UNKNOWN_THROUGH`), never a
        `<model>_tags` table."""
        for value in self.evaluator.evaluate(func, Frame(facts)):
            if isinstance(value, ExternalV) and value.path in TAG_MANAGERS:
                return ExternalV(TAGGIT_THROUGH)
            if isinstance(value, ClassV) and any(
                path in TAG_MANAGERS for path in self.resolver.ancestry(value)[1]
            ):
                return UNKNOWN_THROUGH
        return None

    def _field_kind(self, func: ir.Expr, facts: PythonFacts) -> str | None:
        for value in self.evaluator.evaluate(func, Frame(facts)):
            if isinstance(value, ExternalV):
                kind = _external_field_kind(value.path)
                if kind is not None:
                    return kind
            elif isinstance(value, ClassV):
                if self._private_field(value):
                    return "none"
                for path in self.resolver.ancestry(value)[1]:
                    kind = _external_field_kind(path)
                    if kind is not None:
                        return kind
        return None

    def _private_field(self, cls: ClassV) -> bool:
        """A repository field class that makes no column: `concrete = False`, or a reverse /
        generic relation (`one_to_many = True`, as GenericRelation-like fields declare)."""
        for owner in self.resolver.ancestry(cls)[0]:
            found = self.evaluator.class_fact(owner)
            if found is None:
                continue
            facts, fact = found
            for name, wanted in (("concrete", False), ("one_to_many", True)):
                binding = fact.names.get(name)
                if binding is not None and binding.value is not None:
                    values = self.evaluator.evaluate(binding.value, Frame(facts))
                    if one_bool(values) is wanted:
                        return True
        return False

    # ---- contrib and relations -------------------------------------------------------------

    def contrib(self) -> None:
        """Models of the installed contrib apps (before the project's: a project model may be a
        multi-table child of one)."""
        project = self.project
        installed = {app.name for app in project.apps.values() if app.external}
        for module, catalog in CONTRIB_MODELS:
            if module not in installed:
                continue
            label = catalog.app_label
            local = project.apps.get(label)
            if local is not None and not local.external:
                continue  # a repository app took the label (saleor.auth): its own migrations
            if catalog.swappable and project.auth_user_model.lower() != catalog.label.lower():
                continue
            model = DjangoModel(label, catalog.name, None, 0, owner=module)
            model.fields = list(_catalog_fields(catalog, 0, ""))
            assert catalog.table is not None
            model.table = TableKey(self.resolver.default_schema, catalog.table)
            project.models.setdefault(model.key, model)

    def _reverse(self) -> None:
        project = self.project
        for model in list(project.models.values()):
            for item in model.fields:
                if item.kind not in ("fk", "o2o", "m2m") or item.parent_link:
                    continue
                target = self.resolver.target(project, item.target, model)
                if target is None:
                    continue
                related = item.related_name
                if related is not None:
                    related = related.replace("%(class)s", model.name.lower()).replace(
                        "%(app_label)s", model.app_label.lower()
                    )
                    if related.endswith("+"):
                        continue
                else:
                    related = model.name.lower() + ("" if item.kind == "o2o" else "_set")
                target.reverse.setdefault(related, (model, item))


def _catalog_fields(catalog: CatalogModel, line: int, path: str) -> list[ModelField]:
    return [
        ModelField(
            item.name, item.kind, item.column, line, path,
            target=item.target, primary_key=item.primary_key,
        )
        for item in catalog.fields
    ]


#: django-money's field, which adds a currency column beside its amount (`_companions`).
MONEY_FIELDS = frozenset({"djmoney.models.fields.MoneyField", "djmoney.models.MoneyField"})
#: django-markupfield's field, which adds its markup type and rendered text (`_companions`).
MARKUP_FIELDS = frozenset({"markupfield.fields.MarkupField"})


def _external_field_kind(path: str) -> str | None:
    name = path.rsplit(".", 1)[-1]
    kind = field_kind(name)
    if kind is None:
        return None
    if path.startswith("django.") or kind != "column" or name.endswith("Field"):
        return kind
    return None


def _reference(values: Values | None) -> Value | str | None:
    if not values:
        return None
    value = values[0]
    if isinstance(value, StrV):
        return value.value
    if isinstance(value, ClassV | ExternalV):
        return value
    return None


def _package_of(module: str) -> str:
    """The app package of a models module (`shop.models`, `shop.models.orders`, `shop.x`)."""
    parts = module.split(".")
    if "models" in parts[1:]:
        return ".".join(parts[: parts.index("models", 1)])
    return ".".join(parts[:-1]) if len(parts) > 1 else parts[0]


def _is_app_config(externals: list[str]) -> bool:
    """Bases outside the repository that make a class an AppConfig: Django's, or a
    third-party app's config it specialises (`modelsearch.apps.ModelSearchAppConfig`, whose
    own bases are not read)."""
    return any(
        path in APP_CONFIG_BASES or path.rsplit(".", 1)[-1].endswith("AppConfig")
        for path in externals
    )


def _is_mixin_path(path: str) -> bool:
    """External bases that add no columns: typing generics, plain `object`, Django's own
    non-field classes."""
    return path.startswith(("typing.", "builtins.", "abc.", "django.")) or path in (
        "object", "Generic"
    )
