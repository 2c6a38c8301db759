"""What tabletrace knows of Django itself: contrib apps, their models and tables, the abstract
models a project inherits from, and how field classes map to columns.

Django's own code is never scanned (it is not in the repository), yet a project's models
inherit columns from `AbstractUser`, its code queries `Group` and `ContentType`, and its
admin writes `django_admin_log`. These facts are stable across Django releases 3.2-5.2 (the
tables and columns below are what `migrate` creates for each contrib app, checked by
tests/test_django_real.py against real Django).
"""

from __future__ import annotations

from dataclasses import dataclass

#: INSTALLED_APPS module -> app label, for Django's own apps.
CONTRIB_APPS: dict[str, str] = {
    "django.contrib.admin": "admin",
    "django.contrib.admindocs": "admindocs",
    "django.contrib.auth": "auth",
    "django.contrib.contenttypes": "contenttypes",
    "django.contrib.flatpages": "flatpages",
    "django.contrib.gis": "gis",
    "django.contrib.humanize": "humanize",
    "django.contrib.messages": "messages",
    "django.contrib.postgres": "postgres",
    "django.contrib.redirects": "redirects",
    "django.contrib.sessions": "sessions",
    "django.contrib.sitemaps": "sitemaps",
    "django.contrib.sites": "sites",
    "django.contrib.staticfiles": "staticfiles",
    "django.contrib.syndication": "syndication",
}


@dataclass(frozen=True, slots=True)
class CatalogField:
    """A field of a Django model: `kind` is column | fk | o2o | m2m; `target` a model label
    ("auth.Group") or "AUTH_USER_MODEL" for relations."""

    name: str
    kind: str = "column"
    target: str | None = None
    primary_key: bool = False

    @property
    def column(self) -> str | None:
        if self.kind == "m2m":
            return None
        return f"{self.name}_id" if self.kind in ("fk", "o2o") else self.name


@dataclass(frozen=True, slots=True)
class CatalogModel:
    app_label: str
    name: str
    table: str | None  # None: abstract
    fields: tuple[CatalogField, ...]
    swappable: str | None = None  # the setting that can replace it (AUTH_USER_MODEL)

    @property
    def label(self) -> str:
        return f"{self.app_label}.{self.name}"


def _columns(*names: str) -> tuple[CatalogField, ...]:
    return tuple(CatalogField(name) for name in names)


_BASE_USER = _columns("password", "last_login")
_PERMISSIONS = (
    CatalogField("is_superuser"),
    CatalogField("groups", "m2m", "auth.Group"),
    CatalogField("user_permissions", "m2m", "auth.Permission"),
)
_ABSTRACT_USER = (
    *_BASE_USER,
    *_PERMISSIONS,
    *_columns(
        "username", "first_name", "last_name", "email", "is_staff", "is_active", "date_joined"
    ),
)
_SESSION = (CatalogField("session_key", primary_key=True), *_columns("session_data", "expire_date"))

#: Abstract models of contrib, by every path a project imports them from.
ABSTRACT_MODELS: dict[str, CatalogModel] = {}
for _paths, _model in (
    (
        ("django.contrib.auth.base_user.AbstractBaseUser", "django.contrib.auth.models."
         "AbstractBaseUser"),
        CatalogModel("auth", "AbstractBaseUser", None, _BASE_USER),
    ),
    (
        ("django.contrib.auth.models.PermissionsMixin",),
        CatalogModel("auth", "PermissionsMixin", None, _PERMISSIONS),
    ),
    (
        ("django.contrib.auth.models.AbstractUser",),
        CatalogModel("auth", "AbstractUser", None, _ABSTRACT_USER),
    ),
    (
        ("django.contrib.sessions.base_session.AbstractBaseSession",),
        CatalogModel("sessions", "AbstractBaseSession", None, _SESSION),
    ),
    # django-mptt: the tree columns its model base adds to every subclass
    (
        ("mptt.models.MPTTModel",),
        CatalogModel("mptt", "MPTTModel", None, _columns("lft", "rght", "tree_id", "level")),
    ),
):
    for _path in _paths:
        ABSTRACT_MODELS[_path] = _model

_ID = CatalogField("id", primary_key=True)
#: Concrete models of contrib apps: (app module, model) -> model.
CONTRIB_MODELS: tuple[tuple[str, CatalogModel], ...] = (
    (
        "django.contrib.auth",
        CatalogModel(
            "auth", "Permission", "auth_permission",
            (_ID, CatalogField("name"), CatalogField("content_type", "fk",
                                                     "contenttypes.ContentType"),
             CatalogField("codename")),
        ),
    ),
    (
        "django.contrib.auth",
        CatalogModel(
            "auth", "Group", "auth_group",
            (_ID, CatalogField("name"), CatalogField("permissions", "m2m", "auth.Permission")),
        ),
    ),
    (
        "django.contrib.auth",
        CatalogModel("auth", "User", "auth_user", (_ID, *_ABSTRACT_USER), "AUTH_USER_MODEL"),
    ),
    (
        "django.contrib.contenttypes",
        CatalogModel(
            "contenttypes", "ContentType", "django_content_type",
            (_ID, *_columns("app_label", "model")),
        ),
    ),
    (
        "django.contrib.admin",
        CatalogModel(
            "admin", "LogEntry", "django_admin_log",
            (
                _ID, CatalogField("action_time"), CatalogField("user", "fk", "AUTH_USER_MODEL"),
                CatalogField("content_type", "fk", "contenttypes.ContentType"),
                *_columns("object_id", "object_repr", "action_flag", "change_message"),
            ),
        ),
    ),
    ("django.contrib.sessions", CatalogModel("sessions", "Session", "django_session", _SESSION)),
    ("django.contrib.sites", CatalogModel("sites", "Site", "django_site",
                                          (_ID, *_columns("domain", "name")))),
    (
        "django.contrib.flatpages",
        CatalogModel(
            "flatpages", "FlatPage", "django_flatpage",
            (
                _ID,
                *_columns("url", "title", "content", "enable_comments", "template_name",
                          "registration_required"),
                CatalogField("sites", "m2m", "sites.Site"),
            ),
        ),
    ),
    (
        "django.contrib.redirects",
        CatalogModel(
            "redirects", "Redirect", "django_redirect",
            (_ID, CatalogField("site", "fk", "sites.Site"), *_columns("old_path", "new_path")),
        ),
    ),
)

#: Contrib apps whose migrations depend on the user model's app
#: (`swappable_dependency(settings.AUTH_USER_MODEL)`): Django's plan visits them, so the
#: user app's first migration comes before the other apps' (with their label's order).
USER_MODEL_DEPENDENTS = frozenset({"admin"})

#: Base classes that make a class a Django model (with the catalogue's abstract models).
MODEL_BASES = frozenset(
    {"django.db.models.Model", "django.db.models.base.Model", "django.contrib.gis.db.models.Model"}
)
#: Base classes of an app's configuration.
APP_CONFIG_BASES = frozenset({"django.apps.AppConfig", "django.apps.config.AppConfig"})
#: Base classes of migrations and of the operations tabletrace replays.
MIGRATION_BASES = frozenset({"django.db.migrations.Migration",
                             "django.db.migrations.migration.Migration"})

#: Field classes that make no column (generic relations, reverse descriptors).
NO_COLUMN_FIELDS = frozenset(
    {"GenericForeignKey", "GenericRelation", "ForeignObject", "ForeignObjectRel",
     "ManyToOneRel", "OneToOneRel", "ManyToManyRel", "GeneratedField"}
)
#: Third-party many-to-many managers that are fields (django-taggit).
M2M_LIKE = frozenset({"TaggableManager"})
#: Third-party foreign keys not named so: django-modelcluster's `ParentalKey` (a ForeignKey
#: subclass every Wagtail site uses for inline children), making the column `<name>_id`.
FK_LIKE = frozenset({"ParentalKey"})
#: django-taggit's manager by the paths it is imported from: a relation through a model
#: (`TAGGIT_THROUGH`, its generic tagged item, unless `through=` names another), never a
#: join table of the model's own.
TAG_MANAGERS = frozenset({"taggit.managers.TaggableManager", "taggit.TaggableManager"})
TAGGIT_THROUGH = "taggit.models.TaggedItem"
TAGGIT_TAG = "taggit.models.Tag"
#: The through model of a relation whose field class chooses it where tabletrace does not
#: read (a repository subclass of `TaggableManager` setting `through` in its constructor).
UNKNOWN_THROUGH = "?"

#: Maximum identifier length per dialect (Django's connection.ops.max_name_length()).
MAX_NAME_LENGTH: dict[str, int | None] = {
    "postgres": 63,
    "mysql": 64,
    "oracle": 30,
    "sqlite": None,
}


def field_kind(class_name: str) -> str | None:
    """column | fk | o2o | m2m | none for a field class name; None: not a field class."""
    if class_name in NO_COLUMN_FIELDS:
        return "none"
    if class_name.endswith("ManyToManyField") or class_name in M2M_LIKE:
        return "m2m"
    if class_name.endswith("OneToOneField"):
        return "o2o"
    if class_name.endswith("ForeignKey") or class_name in FK_LIKE:
        return "fk"
    if class_name.endswith("Field"):
        return "column"
    return None


def contrib_label(entry: str) -> str | None:
    """The label of a contrib app listed by module or AppConfig path."""
    for module, label in CONTRIB_APPS.items():
        if entry == module or entry.startswith(module + ".apps."):
            return label
    return None


def contrib_module(label: str) -> str | None:
    for module, known in CONTRIB_APPS.items():
        if known == label:
            return module
    return None


def model_at(path: str) -> tuple[str, CatalogModel] | None:
    """The contrib model a dotted path names (`django.contrib.auth.models.Group`)."""
    for module, model in CONTRIB_MODELS:
        if path == f"{module}.models.{model.name}":
            return module, model
    return None


def contrib_model_named(path: str) -> CatalogModel | None:
    """The contrib model a `django.contrib...` path names, wherever it is re-exported from
    (`django.contrib.auth.models.ContentType` is contenttypes' model)."""
    if not path.startswith("django.contrib."):
        return None
    name = path.rsplit(".", 1)[-1]
    for _module, model in CONTRIB_MODELS:
        if model.name == name:
            return model
    return None


def engine_dialect(engine: str) -> str | None:
    """sqlglot dialect of a DATABASES ENGINE (`django.db.backends.postgresql`, a third-party
    backend whose name ends the same way, PostGIS...) or of a database URL scheme."""
    name = engine.rsplit(".", 1)[-1].lower()
    scheme = engine.split("://", 1)[0].lower() if "://" in engine else None
    word = scheme or name
    if word.startswith(("postgres", "postgis", "pgsql", "psql")):
        return "postgres"
    if word.startswith(("sqlite", "spatialite")):
        return "sqlite"
    if word.startswith(("mysql", "mariadb")):
        return "mysql"
    if word.startswith("oracle"):
        return "oracle"
    return None
