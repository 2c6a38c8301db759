"""Hand-written ground truth for ``sample_repo/backoffice/`` (the Django back-office of lumen).

The back-office is a Django project that shares lumen's PostgreSQL database: its own apps
create their tables with Django migrations, and ``lumen_bridge`` maps tables that other code
owns (``managed = False``). Tests hold the Django reader to these constants; nothing here is
computed. ``tests/test_django_real.py`` asks real Django (``apps.get_models()``, ``migrate`` on
SQLite, ``makemigrations --check``, the migration loader and the SQL Django runs for each use)
that every fact that Django itself can confirm is true.
If you edit a file under ``sample_repo/backoffice/``, re-check every line number that follows.

Conventions (those of ``tests/sample_expectations.py`` unless said otherwise)
---------------------------------------------------------------------------
* Paths are relative to ``sample_repo/`` and ``/``-separated; lines are 1-based.
* Tables are ``"public.<name>"``: the settings name the PostgreSQL engine, so the dialect is
  postgres and every Django table is in the default schema.
* A model's columns are listed in ``_meta.local_concrete_fields`` order: fields inherited
  from an abstract base and the auto-created ``id`` / parent link come first (their creation
  counters are lower), then the class's own fields in source order. A ``ForeignKey`` ``x`` is
  column ``x_id`` unless ``db_column`` names it. ``ManyToManyField``s are not columns.
* A migration head lists columns in the order ``migrate`` builds them, which differs from the
  model order: ``makemigrations`` writes relation fields (ForeignKey, OneToOne) after the
  plain fields of a ``CreateModel``, and ``AddField`` appends.
* Application code = every ``.py`` file under ``backoffice/`` except ``*/migrations/*``,
  ``manage.py`` and the settings package. Uses inside migrations (``RunSQL``) are not uses.

Django idioms each entry stands for
-----------------------------------
settings (``backoffice/backoffice/settings.py``, found through ``manage.py`` in the
``backoffice/`` subfolder: ``os.environ.setdefault("DJANGO_SETTINGS_MODULE", ...)``):
``INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS`` (a concatenation of two module lists), contrib
apps by module path, local apps by package (``accounts``, ``support``: their ``apps.py`` holds
one ``AppConfig``, which Django uses) or by ``AppConfig`` path; ``AUTH_USER_MODEL`` swapped to
``accounts.StaffUser``; ``DATABASES["default"]["ENGINE"]`` postgresql.

models:
  accounts/models.py     StaffUser(AbstractUser): the swappable user model; it inherits
                         AbstractUser's columns (from contrib) and PermissionsMixin's two M2M
                         (groups, user_permissions) whose auto tables are named after IT:
                         accounts_staffuser_groups, ..._user_permissions; db_column
                         "universal_id". Team: plain model + plain auto M2M (members).
  lumen_bridge/models.py app label "lumen" (apps.py ``label``), not the package name.
                         Character: ``managed = False`` over lumen's ``characters`` table,
                         subclass of ``Model`` imported as ``from django.db.models import
                         Model``. BillingSubscription: ``managed = False``, a table that no
                         source in sample_repo creates (external). SyncCursor: plain model
                         whose table gets the label prefix: lumen_synccursor.
  core/models.py         ``core`` is NOT an installed app. TimeStampedModel: abstract base
                         (created_at, updated_at). AuditEvent: ``Meta.app_label =
                         "moderation"``: registered under moderation (moderation's migrations
                         create it), table moderation_auditevent; registered because
                         moderation/models.py imports it.
  moderation/models.py   Report(TimeStampedModel): inherited fields, FK to an unmanaged model
                         (character_id), FK to settings.AUTH_USER_MODEL with db_column
                         (reviewed_by), M2M with ``db_table`` on the field (labels), M2M with
                         ``through=`` (watchers: no auto table), a QuerySet ``as_manager()``
                         and a custom manager ``open``. Watch: the through model. Note: FK
                         with related_name "notes". OpenReport: proxy (Report's table).
                         EscalatedReport: multi-table inheritance (own table, report_ptr_id).
                         CannedReply: moved here from support (was support.Macro).
  support/models.py      Ticket: ``Meta.db_table = "support_tickets"``, so its auto M2M table is
                         support_tickets_cc (auto M2M names derive from the model's db_table,
                         not from app_label + model name); its ``priority`` field has no
                         migration (model drift). SlaPolicy: no migration at all
                         (model-without-migration). TicketSummary (a dataclass) and
                         TicketWebhook (a pydantic BaseModel) are not tables.
  moderation/classifier.py  a class named ``Model`` (not Django's) and ToxicityModel(Model)
                         with an inner ``class Meta: db_table = ...``: not tables.

migrations (``<app>/migrations/NNNN_*.py``, as ``makemigrations`` / ``squashmigrations``
write them without black; RunSQL and SeparateDatabaseAndState written by hand):
  accounts   0001: CreateModel StaffUser (options abstract False, managers, contrib M2M),
             Team; depends on contrib ("auth", "0012_alter_user_first_name_max_length").
  lumen      0001: CreateModel of two unmanaged models (no table) and SyncCursor;
             0002: RunSQL INSERT (data only) with reverse_sql, and ``run_before =
             [("moderation", "0001_initial")]``.
  support    0001 (Macro, Ticket + auto M2M cc, TicketExport), 0002 DeleteModel
             TicketExport, 0003 AlterModelTable ticket -> support_tickets (also renames the
             auto M2M table support_ticket_cc -> support_tickets_cc), the squash
             0001_squashed_0003_alter_ticket_table (``replaces`` the three, which stay on
             disk; Django uses the squash on a fresh database), 0004: SeparateDatabaseAndState
             whose database_operations rename support_macro -> moderation_cannedreply and whose
             state_operations delete Macro. 0004 depends on the REPLACED 0003: Django remaps
             that dependency onto the squash.
  moderation 0001 (Tag, AuditEvent, Flag + auto M2M tags), 0002 RenameModel Flag -> Report
             (renames moderation_flag and the auto M2M moderation_flag_tags ->
             moderation_report_tags, whose flag_id column becomes report_id), 0003 (multi-table
             child, proxy, Note, Watch, M2M AddField with through=: no table), 0004 M2M
             RemoveField tags (drops moderation_report_tags) + AddField labels with db_table,
             0005 RunSQL CREATE TABLE moderation_report_archive (reverse_sql DROP TABLE: never
             replayed), 0006 SeparateDatabaseAndState(state_operations=[CreateModel
             CannedReply]): state only; depends on ("support", "0004_move_macro_to_moderation").
  ``swappable_dependency(settings.AUTH_USER_MODEL)`` is ("accounts", "__first__").

uses: ``Model.objects`` / custom managers / custom QuerySet methods, ``get_user_model()``
(module-level ``User = get_user_model()`` too), related managers on instances whose model is
known (parameter annotation, or a variable assigned from ``M.objects.create/get(...)`` or
``get_object_or_404(M...)``), ``select_related`` / ``prefetch_related`` path strings,
``Model.objects.raw("SQL")``, ``connection.cursor()`` in ``with`` and chained,
``RawSQL("SQL", params)``, ``.extra(tables=[...])``, contrib models (Group, LogEntry,
ContentType), admin registrations.

findings: raw SQL on moderation_flag (renamed away by moderation 0002) -> dropped-table-in-use;
support.SlaPolicy -> model-without-migration; Ticket.priority -> model-drift; lumen_synccursor
-> dead-table (only a migration's RunSQL writes it).

Decisions (phase 2, tested by tests/test_sample_django.py against tabletrace's report)
--------------------------------------------------------------------------------------
* Admin registrations (``admin.site.register(M)``, ``@admin.register(M)``, a custom
  AdminSite's ``register``) are uses, read AND write, at the line of the model name: the admin
  lists and edits the table, and a table only the admin touches is not dead (CannedReply).
* ``get_or_create`` / ``update_or_create`` are a read and a write (SELECT, then INSERT).
* Tables contrib uses because of a setting are uses at that setting (INSTALLED_APP_USES).
* Contrib apps' tables (and an unmanaged model's table that no source creates) get status
  ``external`` and a source of kind ``external`` whose id names the owner (``external:auth``,
  ``external:lumen (managed = False)``): never undefined-table, never dead-table.
* Django migrations are a source of kind ``django`` (one per project, id
  ``django:backoffice``, files in plan order); model classes a source of kind ``model`` per
  models file, like SQLAlchemy's. Migration files are never application code.
"""

from __future__ import annotations

_B = "backoffice/"  # the Django project's folder inside sample_repo/

# =============================================================================================
# Project layout and settings, as a static reader must find them
# =============================================================================================
MANAGE_PY = _B + "manage.py"
SETTINGS_MODULE = "backoffice.settings"  # from manage.py's os.environ.setdefault(...)
SETTINGS_FILE = _B + "backoffice/settings.py"
# the import root of the project: the folder of manage.py (`import accounts` works from there)
PROJECT_ROOT = "backoffice"

# INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS, evaluated, in order
INSTALLED_APPS: tuple[str, ...] = (
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "accounts",
    "lumen_bridge.apps.LumenBridgeConfig",
    "moderation.apps.ModerationConfig",
    "support",
)
AUTH_USER_MODEL = "accounts.StaffUser"
DATABASE_ENGINE = "django.db.backends.postgresql"
DIALECT = "postgres"

# ---------------------------------------------------------------------------------------------
# LOCAL_APPS: app label -> (package folder relative to sample_repo/, AppConfig class path).
# The label comes from AppConfig.label, else the last component of AppConfig.name. "accounts"
# and "support" are listed by package; Django then uses the single AppConfig of their apps.py.
# ---------------------------------------------------------------------------------------------
LOCAL_APPS: dict[str, tuple[str, str]] = {
    "accounts": (_B + "accounts", "accounts.apps.AccountsConfig"),
    "lumen": (_B + "lumen_bridge", "lumen_bridge.apps.LumenBridgeConfig"),  # label = "lumen"
    "moderation": (_B + "moderation", "moderation.apps.ModerationConfig"),
    "support": (_B + "support", "support.apps.SupportConfig"),
}

# contrib apps: label -> module, as Django reports them (their tables are external)
CONTRIB_APPS: dict[str, str] = {
    "admin": "django.contrib.admin",
    "auth": "django.contrib.auth",
    "contenttypes": "django.contrib.contenttypes",
    "sessions": "django.contrib.sessions",
    "messages": "django.contrib.messages",  # no models
}

# =============================================================================================
# Models
# =============================================================================================
_ACCOUNTS = _B + "accounts/models.py"
_LUMEN = _B + "lumen_bridge/models.py"
_CORE = _B + "core/models.py"
_MODERATION = _B + "moderation/models.py"
_SUPPORT = _B + "support/models.py"

_STAFFUSER_COLUMNS = (
    # AbstractBaseUser, PermissionsMixin, AbstractUser (django.contrib.auth), then own fields
    "id",
    "password",
    "last_login",
    "is_superuser",
    "username",
    "first_name",
    "last_name",
    "email",
    "is_staff",
    "is_active",
    "date_joined",
    "display_name",
    "universal_id",  # lumen_universal_id = CharField(db_column="universal_id")
)

# ---------------------------------------------------------------------------------------------
# DJANGO_MODELS: "app_label.ModelName" -> (path, line of the `class` statement, table, columns
# of _meta.local_concrete_fields). Every model that apps.get_models() lists for the local apps
# (auto-created M2M models are in AUTO_M2M_TABLES instead). A proxy has no local columns and
# its parent's table. A multi-table child lists only its own table's columns.
# ---------------------------------------------------------------------------------------------
DJANGO_MODELS: dict[str, tuple[str, int, str, tuple[str, ...]]] = {
    # the swappable user model: AUTH_USER_MODEL
    "accounts.StaffUser": (_ACCOUNTS, 7, "public.accounts_staffuser", _STAFFUSER_COLUMNS),
    "accounts.Team": (_ACCOUNTS, 18, "public.accounts_team", ("id", "name")),
    # managed = False, Meta.db_table; base class `Model` from `from django.db.models import Model`
    "lumen.Character": (
        _LUMEN,
        7,
        "public.characters",
        ("id", "name", "normalized_name", "bot_name", "archetype", "is_active", "created_at"),
    ),
    # managed = False, explicit primary key: no id column
    "lumen.BillingSubscription": (
        _LUMEN,
        25,
        "public.billing_subscriptions",
        ("universal_id", "plan", "renews_at"),
    ),
    # label "lumen" from LumenBridgeConfig.label, not the package lumen_bridge
    "lumen.SyncCursor": (
        _LUMEN,
        38,
        "public.lumen_synccursor",
        ("id", "source", "position", "updated_at"),
    ),
    # Meta.app_label = "moderation" in core/models.py; abstract base columns first
    "moderation.AuditEvent": (
        _CORE,
        15,
        "public.moderation_auditevent",
        ("id", "created_at", "updated_at", "actor_id", "action", "payload"),
    ),
    "moderation.Tag": (_MODERATION, 10, "public.moderation_tag", ("id", "name")),
    # abstract base columns first; FK character -> character_id; FK reviewer db_column
    "moderation.Report": (
        _MODERATION,
        27,
        "public.moderation_report",
        ("id", "created_at", "updated_at", "character_id", "reviewed_by", "status", "reason"),
    ),
    # the through model of Report.watchers
    "moderation.Watch": (
        _MODERATION,
        50,
        "public.moderation_watch",
        ("id", "report_id", "user_id", "since"),
    ),
    "moderation.Note": (
        _MODERATION,
        56,
        "public.moderation_note",
        ("id", "report_id", "author_id", "body", "written_at"),
    ),
    # proxy: Report's table, no columns of its own
    "moderation.OpenReport": (_MODERATION, 63, "public.moderation_report", ()),
    # multi-table inheritance: own table, the parent link report_ptr_id is its primary key
    "moderation.EscalatedReport": (
        _MODERATION,
        72,
        "public.moderation_escalatedreport",
        ("report_ptr_id", "escalated_to", "deadline"),
    ),
    "moderation.CannedReply": (
        _MODERATION,
        79,
        "public.moderation_cannedreply",
        ("id", "title", "body"),
    ),
    # Meta.db_table; priority has no migration yet
    "support.Ticket": (
        _SUPPORT,
        13,
        "public.support_tickets",
        (
            "id",
            "subject",
            "body",
            "status",
            "character_id",
            "requester_universal_id",
            "assignee_id",
            "opened_at",
            "priority",
        ),
    ),
    # no migration creates it
    "support.SlaPolicy": (
        _SUPPORT,
        36,
        "public.support_slapolicy",
        ("id", "priority", "first_response_minutes", "resolution_minutes"),
    ),
}

# models whose table Django never creates (managed = False): table -> model
UNMANAGED_MODELS: dict[str, str] = {
    # lumen creates it (sql/00_init.sql, Alembic baseline): once the backoffice/ exclude is
    # lifted, a scan of sample_repo/ finds it created by lumen's sources (not external)
    "public.characters": "lumen.Character",
    # created by no source in sample_repo: external
    "public.billing_subscriptions": "lumen.BillingSubscription",
}
PROXY_MODELS: dict[str, str] = {"moderation.OpenReport": "moderation.Report"}
MULTI_TABLE_CHILDREN: dict[str, str] = {"moderation.EscalatedReport": "moderation.Report"}

# ---------------------------------------------------------------------------------------------
# AUTO_M2M_TABLES: auto-created many-to-many tables: table -> (path, line of the field or of
# the class that inherits it, "app_label.Model.field", columns). Name: the field's db_table if
# set, else "<the model's db_table>_<field name>"; columns id, <model>_id, <target>_id (model
# names lower-cased). A field with through= has no auto table (Report.watchers -> Watch).
# ---------------------------------------------------------------------------------------------
AUTO_M2M_TABLES: dict[str, tuple[str, int, str, tuple[str, ...]]] = {
    # inherited from PermissionsMixin (contrib) by the swappable user model: line of the class
    "public.accounts_staffuser_groups": (
        _ACCOUNTS,
        7,
        "accounts.StaffUser.groups",
        ("id", "staffuser_id", "group_id"),
    ),
    "public.accounts_staffuser_user_permissions": (
        _ACCOUNTS,
        7,
        "accounts.StaffUser.user_permissions",
        ("id", "staffuser_id", "permission_id"),
    ),
    # plain: <app>_<model>_<field>
    "public.accounts_team_members": (
        _ACCOUNTS,
        22,
        "accounts.Team.members",
        ("id", "team_id", "staffuser_id"),
    ),
    # db_table on the field
    "public.moderation_report_labels": (
        _MODERATION,
        41,
        "moderation.Report.labels",
        ("id", "report_id", "tag_id"),
    ),
    # the model's Meta.db_table + "_cc"
    "public.support_tickets_cc": (
        _SUPPORT,
        28,
        "support.Ticket.cc",
        ("id", "ticket_id", "staffuser_id"),
    ),
}

# ---------------------------------------------------------------------------------------------
# MODEL_TABLES: every table the local apps' models map (unmanaged included, proxies add none),
# with the model's column order. = DJANGO_MODELS tables + AUTO_M2M_TABLES.
# ---------------------------------------------------------------------------------------------
MODEL_TABLES: dict[str, tuple[str, ...]] = {
    "public.accounts_staffuser": _STAFFUSER_COLUMNS,
    "public.accounts_staffuser_groups": ("id", "staffuser_id", "group_id"),
    "public.accounts_staffuser_user_permissions": ("id", "staffuser_id", "permission_id"),
    "public.accounts_team": ("id", "name"),
    "public.accounts_team_members": ("id", "team_id", "staffuser_id"),
    "public.characters": (
        "id",
        "name",
        "normalized_name",
        "bot_name",
        "archetype",
        "is_active",
        "created_at",
    ),
    "public.billing_subscriptions": ("universal_id", "plan", "renews_at"),
    "public.lumen_synccursor": ("id", "source", "position", "updated_at"),
    "public.moderation_auditevent": (
        "id",
        "created_at",
        "updated_at",
        "actor_id",
        "action",
        "payload",
    ),
    "public.moderation_tag": ("id", "name"),
    "public.moderation_report": (
        "id",
        "created_at",
        "updated_at",
        "character_id",
        "reviewed_by",
        "status",
        "reason",
    ),
    "public.moderation_report_labels": ("id", "report_id", "tag_id"),
    "public.moderation_watch": ("id", "report_id", "user_id", "since"),
    "public.moderation_note": ("id", "report_id", "author_id", "body", "written_at"),
    "public.moderation_escalatedreport": ("report_ptr_id", "escalated_to", "deadline"),
    "public.moderation_cannedreply": ("id", "title", "body"),
    "public.support_tickets": (
        "id",
        "subject",
        "body",
        "status",
        "character_id",
        "requester_universal_id",
        "assignee_id",
        "opened_at",
        "priority",
    ),
    "public.support_tickets_cc": ("id", "ticket_id", "staffuser_id"),
    "public.support_slapolicy": ("id", "priority", "first_response_minutes", "resolution_minutes"),
}

# ---------------------------------------------------------------------------------------------
# NOT_MODELS: (path, line, class): classes that declare no table. Abstract bases, managers and
# querysets, non-Django classes in models.py, a non-Django class named Model and its subclass
# (with an inner Meta that has a db_table!).
# ---------------------------------------------------------------------------------------------
NOT_MODELS: set[tuple[str, int, str]] = {
    (_CORE, 7, "TimeStampedModel"),  # Meta.abstract = True
    (_MODERATION, 17, "ReportQuerySet"),  # models.QuerySet
    (_MODERATION, 22, "OpenReportManager"),  # models.Manager
    (_SUPPORT, 45, "TicketSummary"),  # @dataclass in models.py
    (_SUPPORT, 53, "TicketWebhook"),  # pydantic BaseModel in models.py
    (_B + "moderation/classifier.py", 6, "Model"),  # a class named Model, not Django's
    (_B + "moderation/classifier.py", 17, "ToxicityModel"),  # subclass of it, inner Meta
}

# =============================================================================================
# External tables: owned by installed apps outside the repository (django.contrib), or mapped
# by an unmanaged model that no source creates. Status "external": never undefined-table,
# never dead-table, listed with their owner. Created by `migrate` (contrib migrations) except
# billing_subscriptions. auth_user / auth_user_groups / auth_user_user_permissions are NOT
# created (auth.User is swapped out by AUTH_USER_MODEL): see ABSENT_TABLES.
# django_migrations is Django's ledger, like alembic_version: never reported (ABSENT_TABLES).
# =============================================================================================
EXTERNAL_TABLES: dict[str, str] = {
    "public.auth_group": "auth",
    "public.auth_group_permissions": "auth",  # auto M2M of Group.permissions
    "public.auth_permission": "auth",
    "public.django_content_type": "contenttypes",
    "public.django_admin_log": "admin",
    "public.django_session": "sessions",
    "public.billing_subscriptions": "lumen (managed = False)",
}
DJANGO_LEDGER_TABLE = "public.django_migrations"

# =============================================================================================
# Migrations
# =============================================================================================
_ACC_MIG = _B + "accounts/migrations/"
_LUM_MIG = _B + "lumen_bridge/migrations/"
_MOD_MIG = _B + "moderation/migrations/"
_SUP_MIG = _B + "support/migrations/"
_SQUASH = "0001_squashed_0003_alter_ticket_table"
_FIRST_USER = ("accounts", "__first__")  # migrations.swappable_dependency(AUTH_USER_MODEL)

# ---------------------------------------------------------------------------------------------
# MIGRATIONS: (app_label, name) -> (path, dependencies as written (swappable resolved),
# replaces, run_before). Every migration file on disk, the replaced ones included.
# ---------------------------------------------------------------------------------------------
_Keys = tuple[tuple[str, str], ...]
MIGRATIONS: dict[tuple[str, str], tuple[str, _Keys, _Keys, _Keys]] = {
    ("accounts", "0001_initial"): (
        _ACC_MIG + "0001_initial.py",
        (("auth", "0012_alter_user_first_name_max_length"),),
        (),
        (),
    ),
    ("lumen", "0001_initial"): (_LUM_MIG + "0001_initial.py", (), (), ()),
    ("lumen", "0002_seed_sync_cursor"): (
        _LUM_MIG + "0002_seed_sync_cursor.py",
        (("lumen", "0001_initial"),),
        (),
        (("moderation", "0001_initial"),),
    ),
    ("moderation", "0001_initial"): (
        _MOD_MIG + "0001_initial.py",
        (("lumen", "0001_initial"), _FIRST_USER),
        (),
        (),
    ),
    ("moderation", "0002_rename_flag_report"): (
        _MOD_MIG + "0002_rename_flag_report.py",
        (("lumen", "0001_initial"), ("moderation", "0001_initial"), _FIRST_USER),
        (),
        (),
    ),
    ("moderation", "0003_escalatedreport_openreport_note_watch_and_more"): (
        _MOD_MIG + "0003_escalatedreport_openreport_note_watch_and_more.py",
        (("moderation", "0002_rename_flag_report"), _FIRST_USER),
        (),
        (),
    ),
    ("moderation", "0004_remove_report_tags_report_labels"): (
        _MOD_MIG + "0004_remove_report_tags_report_labels.py",
        (("moderation", "0003_escalatedreport_openreport_note_watch_and_more"),),
        (),
        (),
    ),
    ("moderation", "0005_report_archive"): (
        _MOD_MIG + "0005_report_archive.py",
        (("moderation", "0004_remove_report_tags_report_labels"),),
        (),
        (),
    ),
    ("moderation", "0006_cannedreply"): (
        _MOD_MIG + "0006_cannedreply.py",
        (("moderation", "0005_report_archive"), ("support", "0004_move_macro_to_moderation")),
        (),
        (),
    ),
    ("support", "0001_initial"): (
        _SUP_MIG + "0001_initial.py",
        (("lumen", "0001_initial"), _FIRST_USER),
        (),
        (),
    ),
    ("support", "0002_delete_ticketexport"): (
        _SUP_MIG + "0002_delete_ticketexport.py",
        (("support", "0001_initial"),),
        (),
        (),
    ),
    ("support", "0003_alter_ticket_table"): (
        _SUP_MIG + "0003_alter_ticket_table.py",
        (("support", "0002_delete_ticketexport"),),
        (),
        (),
    ),
    ("support", _SQUASH): (
        _SUP_MIG + _SQUASH + ".py",
        (("lumen", "0001_initial"), _FIRST_USER),
        (
            ("support", "0001_initial"),
            ("support", "0002_delete_ticketexport"),
            ("support", "0003_alter_ticket_table"),
        ),
        (),
    ),
    ("support", "0004_move_macro_to_moderation"): (
        _SUP_MIG + "0004_move_macro_to_moderation.py",
        # the replaced 0003: Django remaps it onto the squash
        (("support", "0003_alter_ticket_table"),),
        (),
        (),
    ),
}

# the squash is used instead of these on a fresh database (all replaced ones are on disk and
# none is applied); they are never replayed
REPLACED_MIGRATIONS: set[tuple[str, str]] = {
    ("support", "0001_initial"),
    ("support", "0002_delete_ticketexport"),
    ("support", "0003_alter_ticket_table"),
}

# ---------------------------------------------------------------------------------------------
# MIGRATION_PLAN: the local apps' migrations in the order `migrate` applies them to an empty
# database (Django's plan, contrib migrations left out). Any topological order of the graph is
# valid; this is the one Django picks. lumen 0002 comes before moderation 0001 only because
# of its run_before.
# ---------------------------------------------------------------------------------------------
MIGRATION_PLAN: tuple[tuple[str, str], ...] = (
    ("accounts", "0001_initial"),
    ("lumen", "0001_initial"),
    ("lumen", "0002_seed_sync_cursor"),
    ("support", _SQUASH),
    ("support", "0004_move_macro_to_moderation"),
    ("moderation", "0001_initial"),
    ("moderation", "0002_rename_flag_report"),
    ("moderation", "0003_escalatedreport_openreport_note_watch_and_more"),
    ("moderation", "0004_remove_report_tags_report_labels"),
    ("moderation", "0005_report_archive"),
    ("moderation", "0006_cannedreply"),
)

# ---------------------------------------------------------------------------------------------
# MIGRATION_DEFINITIONS: (path, line, table, operation, "app.migration") for every operation
# of a PLANNED migration that creates, drops or renames a table, or adds/drops/renames a
# column of one (operation create / drop / rename_from / rename_to / alter).
# line = the line of the `migrations.X(` call; an auto M2M table created by a CreateModel: the
# line of its field tuple; RunSQL: the line of the table name inside the SQL.
# NOT definitions: CreateModel of an unmanaged or proxy model (lumen 0001: lines 14, 26;
# moderation 0003: 28), AddField of an M2M with through= (moderation 0003: 58),
# state_operations of SeparateDatabaseAndState (moderation 0006: 16; support 0004: 21),
# reverse_sql, RunSQL INSERT (lumen 0002: data only), the replaced support 0001-0003.
# ---------------------------------------------------------------------------------------------
_M1 = "moderation.0001_initial"
_M2 = "moderation.0002_rename_flag_report"
_M3 = "moderation.0003_escalatedreport_openreport_note_watch_and_more"
_M4 = "moderation.0004_remove_report_tags_report_labels"
_M5 = "moderation.0005_report_archive"
_S_SQUASH = "support." + _SQUASH
_S4 = "support.0004_move_macro_to_moderation"
_A1 = "accounts.0001_initial"
_ACC1_FILE = _ACC_MIG + "0001_initial.py"
_LUM1_FILE = _LUM_MIG + "0001_initial.py"
_MOD1_FILE = _MOD_MIG + "0001_initial.py"
_MOD2_FILE = _MOD_MIG + "0002_rename_flag_report.py"
_MOD3_FILE = _MOD_MIG + "0003_escalatedreport_openreport_note_watch_and_more.py"
_MOD4_FILE = _MOD_MIG + "0004_remove_report_tags_report_labels.py"
_MOD5_FILE = _MOD_MIG + "0005_report_archive.py"
_MOD6_FILE = _MOD_MIG + "0006_cannedreply.py"
_SQUASH_FILE = _SUP_MIG + _SQUASH + ".py"
_SUP4_FILE = _SUP_MIG + "0004_move_macro_to_moderation.py"
MIGRATION_DEFINITIONS: set[tuple[str, int, str, str, str]] = {
    # accounts 0001: the swappable user model, its two contrib M2M, Team + M2M
    (_ACC1_FILE, 19, "public.accounts_staffuser", "create", _A1),
    (_ACC1_FILE, 35, "public.accounts_staffuser_groups", "create", _A1),
    (_ACC1_FILE, 36, "public.accounts_staffuser_user_permissions", "create", _A1),
    (_ACC1_FILE, 47, "public.accounts_team", "create", _A1),
    (_ACC1_FILE, 52, "public.accounts_team_members", "create", _A1),
    # lumen 0001: only SyncCursor is managed
    (_LUM1_FILE, 42, "public.lumen_synccursor", "create", "lumen.0001_initial"),
    # support squash: Macro, Ticket with db_table (optimized from CreateModel + AlterModelTable)
    # and its auto M2M named after that db_table; TicketExport is optimized away
    (_SQUASH_FILE, 20, "public.support_macro", "create", _S_SQUASH),
    (_SQUASH_FILE, 28, "public.support_tickets", "create", _S_SQUASH),
    (_SQUASH_FILE, 38, "public.support_tickets_cc", "create", _S_SQUASH),
    # support 0004: database_operations AlterModelTable (state: DeleteModel only)
    (_SUP4_FILE, 15, "public.support_macro", "rename_from", _S4),
    (_SUP4_FILE, 15, "public.moderation_cannedreply", "rename_to", _S4),
    # moderation 0001
    (_MOD1_FILE, 18, "public.moderation_tag", "create", _M1),
    (_MOD1_FILE, 25, "public.moderation_auditevent", "create", _M1),
    (_MOD1_FILE, 36, "public.moderation_flag", "create", _M1),
    (_MOD1_FILE, 46, "public.moderation_flag_tags", "create", _M1),
    # moderation 0002 RenameModel: the model's table and its auto M2M table (whose flag_id
    # column becomes report_id: an alter of the renamed table)
    (_MOD2_FILE, 16, "public.moderation_flag", "rename_from", _M2),
    (_MOD2_FILE, 16, "public.moderation_report", "rename_to", _M2),
    (_MOD2_FILE, 16, "public.moderation_flag_tags", "rename_from", _M2),
    (_MOD2_FILE, 16, "public.moderation_report_tags", "rename_to", _M2),
    (_MOD2_FILE, 16, "public.moderation_report_tags", "alter", _M2),
    # moderation 0003
    (_MOD3_FILE, 16, "public.moderation_escalatedreport", "create", _M3),
    (_MOD3_FILE, 39, "public.moderation_note", "create", _M3),
    (_MOD3_FILE, 49, "public.moderation_watch", "create", _M3),
    # moderation 0004: M2M RemoveField drops the auto table, M2M AddField with db_table
    (_MOD4_FILE, 13, "public.moderation_report_tags", "drop", _M4),
    (_MOD4_FILE, 17, "public.moderation_report_labels", "create", _M4),
    # moderation 0005: RunSQL CREATE TABLE (the name is on line 15)
    (_MOD5_FILE, 15, "public.moderation_report_archive", "create", _M5),
}

# ---------------------------------------------------------------------------------------------
# STATE_ONLY_OPERATIONS: (path, line): operations that change Django's model state and no
# table. A reader must replay them into the model state (makemigrations compares that state
# with the models) and never into the database head.
# ---------------------------------------------------------------------------------------------
STATE_ONLY_OPERATIONS: set[tuple[str, int]] = {
    (_LUM1_FILE, 14),  # CreateModel BillingSubscription, managed False
    (_LUM1_FILE, 26),  # CreateModel Character, managed False
    (_MOD3_FILE, 28),  # CreateModel OpenReport, proxy
    (_MOD3_FILE, 58),  # AddField watchers, M2M through=Watch
    (_MOD6_FILE, 16),  # state_operations: CreateModel CannedReply
    (_SUP4_FILE, 21),  # state_operations: DeleteModel Macro
}

# ---------------------------------------------------------------------------------------------
# MIGRATION_HEAD_TABLES: the local apps' tables after a real `migrate` on an empty database,
# columns in catalog order (checked on SQLite by tests/test_django_real.py). Relation columns
# come after the plain ones (makemigrations' CreateModel order). Absent: the unmanaged tables,
# support_slapolicy (no migration), Ticket.priority (no migration), every table dropped or
# renamed away (ABSENT_TABLES, DROPPED_OR_RENAMED).
# ---------------------------------------------------------------------------------------------
MIGRATION_HEAD_TABLES: dict[str, tuple[str, ...]] = {
    "public.accounts_staffuser": _STAFFUSER_COLUMNS,
    "public.accounts_staffuser_groups": ("id", "staffuser_id", "group_id"),
    "public.accounts_staffuser_user_permissions": ("id", "staffuser_id", "permission_id"),
    "public.accounts_team": ("id", "name"),
    "public.accounts_team_members": ("id", "team_id", "staffuser_id"),
    "public.lumen_synccursor": ("id", "source", "position", "updated_at"),
    "public.moderation_auditevent": (
        "id",
        "created_at",
        "updated_at",
        "action",
        "payload",
        "actor_id",
    ),
    "public.moderation_cannedreply": ("id", "title", "body"),  # the renamed support_macro
    "public.moderation_escalatedreport": ("report_ptr_id", "escalated_to", "deadline"),
    "public.moderation_note": ("id", "body", "written_at", "author_id", "report_id"),
    "public.moderation_report": (
        "id",
        "created_at",
        "updated_at",
        "status",
        "reason",
        "character_id",
        "reviewed_by",
    ),
    # RunSQL; reverse_sql (DROP TABLE) never runs forwards
    "public.moderation_report_archive": ("report_id", "character_id", "status", "archived_at"),
    "public.moderation_report_labels": ("id", "report_id", "tag_id"),
    "public.moderation_tag": ("id", "name"),
    "public.moderation_watch": ("id", "since", "report_id", "user_id"),
    "public.support_tickets": (
        "id",
        "subject",
        "body",
        "status",
        "requester_universal_id",
        "opened_at",
        "assignee_id",
        "character_id",
    ),
    "public.support_tickets_cc": ("id", "ticket_id", "staffuser_id"),
}

# tables some planned migration creates and a later one drops or renames away (the head lacks
# them): table -> (what removed it, "app.migration")
DROPPED_OR_RENAMED: dict[str, tuple[str, str]] = {
    "public.moderation_flag": ("renamed to moderation_report", _M2),
    "public.moderation_flag_tags": ("renamed to moderation_report_tags", _M2),
    "public.moderation_report_tags": ("dropped by RemoveField tags", _M4),
    "public.support_macro": ("renamed to moderation_cannedreply", _S4),
}

# ---------------------------------------------------------------------------------------------
# MAKEMIGRATIONS_PENDING: what `makemigrations --check --dry-run` reports: (app label,
# operation description). It exits 1. model-without-migration and model-drift are the static
# form of this.
# ---------------------------------------------------------------------------------------------
MAKEMIGRATIONS_PENDING: set[tuple[str, str]] = {
    ("support", "Create model SlaPolicy"),
    ("support", "Add field priority to ticket"),
}

# =============================================================================================
# Uses in application code
# =============================================================================================
# One (path, line, table, kind) counts once. Kinds:
#  * a manager chain (M.objects..., M.<custom manager>..., a custom QuerySet method, a
#    related manager) is `write` when it ends in create / update / delete / bulk_create /
#    bulk_update or a related manager's add / remove / set / clear; `read` and `write` for
#    get_or_create / update_or_create (SELECT, then INSERT); `read` otherwise (filter, get,
#    values, values_list, aggregate, annotate, count, first, order_by, all, get_for_model, a
#    QuerySet passed to get_object_or_404, ...).
#  * line = the line of the model name (or of `get_user_model()`, the module-level `User`
#    alias, the instance variable of a related manager) that starts the chain.
#  * a proxy uses its concrete model's table; a multi-table child reads its own table AND its
#    parent's (the SELECT joins them).
#  * select_related("a", "b"): a read of each related model's table, at the line of the
#    string. prefetch_related("m2m"): a read of the M2M table and of the target's table.
#  * a related manager reads (writes) the related model's table; for an M2M, the through table
#    AND the target table when reading, the through table when adding.
#  * raw SQL (Model.objects.raw, cursor.execute, RawSQL, .extra(tables=[...])) follows
#    tests/sample_expectations.py: the line of the table NAME token; `.raw(...)` by itself
#    is no use of the model's table, `.extra(...)` is (it adds to a normal queryset).
#  * NOT uses: model constructors `M(...)` (no query until save), class references passed as
#    arguments (get_for_model(Ticket)), annotations, imports, the where= fragments of
#    .extra() (qualifiers only), a correlated `characters.id` inside RawSQL, ON DELETE
#    cascades that Django runs for a delete.
# ---------------------------------------------------------------------------------------------
_MSVC = _B + "moderation/services.py"
_MREP = _B + "moderation/reports.py"
_ASVC = _B + "accounts/services.py"
_VIEWS = _B + "support/views.py"
_CMD = _B + "support/management/commands/close_idle_tickets.py"

DJANGO_ORM_USES: set[tuple[str, int, str, str]] = {
    # --- moderation/services.py -----------------------------------------------------------------
    (_MSVC, 18, "public.moderation_report", "read"),  # Report.open (custom manager)
    (_MSVC, 18, "public.characters", "read"),  # select_related("character", ...)
    (_MSVC, 18, "public.accounts_staffuser", "read"),  # ... "reviewer" -> AUTH_USER_MODEL
    (_MSVC, 19, "public.moderation_report_labels", "read"),  # prefetch_related("labels"): M2M
    (_MSVC, 19, "public.moderation_tag", "read"),  # ... and its target
    (_MSVC, 25, "public.moderation_report", "write"),  # Report.objects.create
    (_MSVC, 27, "public.moderation_tag", "read"),  # Tag.objects.get_or_create
    (_MSVC, 27, "public.moderation_tag", "write"),
    (_MSVC, 28, "public.moderation_report_labels", "write"),  # report.labels.add(tag)
    (_MSVC, 30, "public.moderation_auditevent", "write"),  # AuditEvent (app_label) create
    (_MSVC, 35, "public.moderation_report", "write"),  # filter(...).update(...)
    (_MSVC, 38, "public.moderation_watch", "read"),  # Watch.objects.get_or_create
    (_MSVC, 38, "public.moderation_watch", "write"),
    (_MSVC, 44, "public.moderation_report", "write"),  # filter(...).delete()
    (_MSVC, 49, "public.moderation_report", "write"),  # bulk_create([Report(...) ...])
    (_MSVC, 55, "public.moderation_report", "read"),  # custom QuerySet method .unresolved()
    (_MSVC, 60, "public.moderation_report", "read"),  # aggregate(...)
    (_MSVC, 63, "public.moderation_report", "read"),  # OpenReport (proxy).objects.count()
    (_MSVC, 68, "public.moderation_note", "read"),  # report.notes (reverse FK, related_name)
    (_MSVC, 72, "public.moderation_watch", "read"),  # report.watchers: through model table
    (_MSVC, 72, "public.accounts_staffuser", "read"),  # ... and the target
    (_MSVC, 76, "public.moderation_escalatedreport", "read"),  # multi-table child
    (_MSVC, 76, "public.moderation_report", "read"),  # ... joined to its parent
    (_MSVC, 76, "public.accounts_staffuser", "read"),  # select_related("reviewer")
    (_MSVC, 80, "public.characters", "read"),  # unmanaged model
    # --- moderation/reports.py: ORM parts ------------------------------------------------------
    (_MREP, 43, "public.characters", "read"),  # Character.objects.annotate(RawSQL(...))
    (_MREP, 51, "public.moderation_report", "read"),  # Report.objects.extra(...)
    # --- accounts/services.py -------------------------------------------------------------------
    (_ASVC, 12, "public.accounts_staffuser", "read"),  # User = get_user_model(); User.objects
    (_ASVC, 16, "public.accounts_staffuser", "read"),  # get_user_model().objects
    (_ASVC, 20, "public.accounts_team", "read"),  # Team.objects.get
    (_ASVC, 21, "public.accounts_team_members", "read"),  # team.members.all(): M2M
    (_ASVC, 21, "public.accounts_staffuser", "read"),
    (_ASVC, 25, "public.auth_group", "read"),  # contrib Group.objects.get_or_create
    (_ASVC, 25, "public.auth_group", "write"),
    (_ASVC, 26, "public.accounts_staffuser_groups", "write"),  # user.groups.add: inherited M2M
    # --- support/views.py -----------------------------------------------------------------------
    # get_object_or_404(Ticket.objects.select_related("character", "assignee"), ...)
    (_VIEWS, 15, "public.support_tickets", "read"),
    (_VIEWS, 15, "public.characters", "read"),
    (_VIEWS, 15, "public.accounts_staffuser", "read"),
    (_VIEWS, 16, "public.django_admin_log", "read"),  # contrib LogEntry
    (_VIEWS, 17, "public.django_content_type", "read"),  # ContentType.objects.get_for_model
    (_VIEWS, 19, "public.support_slapolicy", "read"),  # a model without migration
    (_VIEWS, 21, "public.billing_subscriptions", "read"),  # unmanaged, external
    # ticket = get_object_or_404(Ticket...): ticket.cc is the M2M of Ticket
    (_VIEWS, 29, "public.support_tickets_cc", "read"),
    (_VIEWS, 29, "public.accounts_staffuser", "read"),
    (_VIEWS, 40, "public.support_tickets", "write"),  # Ticket.objects.create
    # --- support/management/commands/close_idle_tickets.py -----------------------------------
    (_CMD, 17, "public.support_tickets", "write"),  # filter(...).update(...)
}

DJANGO_SQL_USES: set[tuple[str, int, str, str]] = {
    (_MREP, 13, "public.moderation_report", "read"),  # Report.objects.raw("SELECT ...")
    # with connection.cursor() as cursor: renamed away by moderation 0002 -> finding
    (_MREP, 20, "public.moderation_flag", "read"),
    (_MREP, 28, "public.moderation_report_archive", "write"),  # INSERT ... SELECT
    (_MREP, 30, "public.moderation_report", "read"),
    (_MREP, 38, "public.moderation_report_archive", "write"),  # connection.cursor().execute
    (_MREP, 45, "public.support_tickets", "read"),  # RawSQL("SELECT COUNT(*) FROM ...")
    (_MREP, 52, "public.characters", "read"),  # .extra(tables=["characters"])
}

# ---------------------------------------------------------------------------------------------
# ADMIN_USES: admin.site.register(M) / @admin.register(M): the admin lists and edits M's
# table: read and write at the line of the model name. A proxy: its concrete table.
# ---------------------------------------------------------------------------------------------
_MADM = _B + "moderation/admin.py"
_AADM = _B + "accounts/admin.py"
_SADM = _B + "support/admin.py"
ADMIN_USES: set[tuple[str, int, str, str]] = {
    (path, line, table, kind)
    for path, line, table in (
        (_MADM, 6, "public.moderation_report"),
        (_MADM, 13, "public.moderation_report"),  # OpenReport: proxy
        (_MADM, 18, "public.moderation_tag"),
        (_MADM, 19, "public.moderation_cannedreply"),  # used by the admin only
        (_AADM, 6, "public.accounts_staffuser"),
        (_AADM, 7, "public.accounts_team"),
        (_SADM, 6, "public.support_tickets"),
    )
    for kind in ("read", "write")
}

# ---------------------------------------------------------------------------------------------
# USED_BY_INSTALLED_APPS: tables that contrib code reads and writes at run time although the
# repository never names them in a query: the swappable user model's tables (login, the
# ModelBackend's permission queries, django_admin_log's FK). Never dead.
# ---------------------------------------------------------------------------------------------
USED_BY_INSTALLED_APPS: dict[str, str] = {
    "public.accounts_staffuser": "auth (AUTH_USER_MODEL)",
    "public.accounts_staffuser_groups": "auth (ModelBackend permissions)",
    "public.accounts_staffuser_user_permissions": "auth (ModelBackend permissions)",
}
# DECIDED (issue 11, phase 2): tabletrace reports these as uses (via "orm", read and write) AT
# THE SETTING that makes contrib use them: `AUTH_USER_MODEL = "accounts.StaffUser"`
# (settings.py:69), only when django.contrib.auth is installed: the user table and the two
# tables ModelBackend queries (groups, user_permissions), not the user model's other M2M.
INSTALLED_APP_USES: set[tuple[str, int, str, str]] = {
    (SETTINGS_FILE, 69, table, kind)
    for table in USED_BY_INSTALLED_APPS
    for kind in ("read", "write")
}

# ---------------------------------------------------------------------------------------------
# NOT_USES: (path, line, table or None): no use of that table (None: of any table) may be
# reported there.
# ---------------------------------------------------------------------------------------------
NOT_USES: set[tuple[str, int, str | None]] = {
    (_MSVC, 12, None),  # from .models import ...
    (_MSVC, 15, None),  # -> list[Report]
    (_MSVC, 29, None),  # triage(reason): classifier, not Django
    (_MSVC, 34, None),  # reviewer: StaffUser
    (_MSVC, 36, None),  # reviewer=reviewer in update(...)
    (_MSVC, 50, None),  # Report(...) constructors inside bulk_create (the use is on 49)
    (_MSVC, 61, "public.characters"),  # Count("character"): a column of moderation_report
    (_MSVC, 67, None),  # def notes_of(report: Report)
    (_MSVC, 71, None),  # def watchers_of(report: Report) -> list[StaffUser]
    (_MREP, 12, "public.moderation_report"),  # Report.objects.raw( : the SQL decides (line 13)
    (_MREP, 18, None),  # comment naming Flag
    (_MREP, 45, "public.characters"),  # correlated characters.id inside RawSQL
    (_MREP, 53, None),  # where=["characters.id = moderation_report.character_id", ...]
    (_ASVC, 8, None),  # User = get_user_model()
    (_ASVC, 24, None),  # user: StaffUser
    (_VIEWS, 11, None),  # from .models import SlaPolicy, Ticket, TicketSummary, TicketWebhook
    (_VIEWS, 17, "public.support_tickets"),  # get_for_model(Ticket): a class reference
    (_VIEWS, 25, None),  # TicketSummary(...): a dataclass
    (_VIEWS, 39, None),  # TicketWebhook.model_validate_json(...): pydantic
    (_B + "moderation/classifier.py", 33, None),  # ToxicityModel(): not Django
    (_MODERATION, 19, None),  # self.exclude(...) inside the QuerySet class
    (_MODERATION, 24, None),  # super().get_queryset().filter(...) inside the manager
}

# =============================================================================================
# Findings and statuses
# =============================================================================================
# dropped-table-in-use: (table, path, line of the use, "app.migration" that removed it)
DROPPED_TABLE_IN_USE: set[tuple[str, str, int, str]] = {
    ("public.moderation_flag", _MREP, 20, _M2),
}
# model-without-migration: models whose table no migration (nor other source) creates
MODEL_WITHOUT_MIGRATION: set[str] = {"public.support_slapolicy"}
# model-drift: table -> (columns the model lacks vs the migration head, columns it adds)
MODEL_DRIFT: dict[str, tuple[set[str], set[str]]] = {
    "public.support_tickets": (set(), {"priority"}),
}
# dead-table: in the migration head, used by no application code, no admin registration and
# no installed app (only migration lumen 0002's RunSQL INSERT writes it)
DEAD_TABLES: set[str] = {"public.lumen_synccursor"}
# undefined-table: none (every used table is created by a migration, is external, is the
# model-without-migration's, or is the dropped moderation_flag)
UNDEFINED_TABLES: set[str] = set()

# Once lumen's sources are in the same scan (the exclude of backoffice/ is gone), the
# unmanaged Character is compared with the table lumen's Alembic head builds (Django's head
# does not have it): it declares bot_name, archetype and is_active, which that table lacks
# (queries through it fail there), and lacks description. One model-drift finding on
# characters names both lumen's SQLAlchemy model and this one: (path, lacks, declares).
COMBINED_MODEL_DRIFT: dict[str, tuple[str, set[str], set[str]]] = {
    "public.characters": (_LUMEN, {"description"}, {"archetype", "bot_name", "is_active"}),
}

# ---------------------------------------------------------------------------------------------
# DJANGO_REFERENCES: (from table, to table, via) for every forward relation of a local concrete
# model: ForeignKey / OneToOneField (the parent link too) -> the related model's table
# ("foreign_key"); ManyToManyField -> its join table, auto-created or the through model's
# ("many_to_many"). Proxies add none; unmanaged lumen models have no relations.
# ---------------------------------------------------------------------------------------------
_STAFF = "public.accounts_staffuser"
_REPORT = "public.moderation_report"
DJANGO_REFERENCES: set[tuple[str, str, str]] = {
    (_STAFF, "public.accounts_staffuser_groups", "many_to_many"),
    (_STAFF, "public.accounts_staffuser_user_permissions", "many_to_many"),
    ("public.accounts_team", "public.accounts_team_members", "many_to_many"),
    ("public.moderation_auditevent", _STAFF, "foreign_key"),  # actor
    (_REPORT, "public.characters", "foreign_key"),  # character (unmanaged target)
    (_REPORT, _STAFF, "foreign_key"),  # reviewer
    (_REPORT, "public.moderation_report_labels", "many_to_many"),  # labels (db_table)
    (_REPORT, "public.moderation_watch", "many_to_many"),  # watchers (through=Watch)
    ("public.moderation_watch", _REPORT, "foreign_key"),
    ("public.moderation_watch", _STAFF, "foreign_key"),
    ("public.moderation_note", _REPORT, "foreign_key"),
    ("public.moderation_note", _STAFF, "foreign_key"),
    ("public.moderation_escalatedreport", _REPORT, "foreign_key"),  # report_ptr
    ("public.support_tickets", "public.characters", "foreign_key"),
    ("public.support_tickets", _STAFF, "foreign_key"),  # assignee
    ("public.support_tickets", "public.support_tickets_cc", "many_to_many"),
}

# must appear nowhere in the report: no use, no definition, no node, no finding
ABSENT_TABLES: set[str] = {
    # auth.User is swapped out: its migration's CreateModel creates nothing
    "public.auth_user",
    "public.auth_user_groups",
    "public.auth_user_user_permissions",
    # the label is "lumen", not the package name; non-Django classes
    "public.lumen_bridge_synccursor",
    "public.moderation_model",
    "public.moderation_toxicitymodel",
    "public.toxicity_evaluations",
    "public.support_ticketsummary",
    "public.support_ticketwebhook",
    "public.core_timestampedmodel",
    "public.moderation_timestampedmodel",
    "public.core_auditevent",  # app_label "moderation"
    # proxy and through= M2M: no table of their own
    "public.moderation_openreport",
    "public.moderation_report_watchers",
    # only in the replaced support 0001-0003, which are never replayed
    "public.support_ticket",
    "public.support_ticket_cc",
    "public.support_ticketexport",
    # Django's ledger (like alembic_version)
    "public.django_migrations",
}
