"""Django on small repositories: one idiom per test, with the look-alikes that must not count.

Each repository is written here (never copied from a real project); the idioms are those of
/work/wt/django-notes.md (healthchecks, netbox, saleor) and issue 11. The sample project
(sample_repo/backoffice) is held to its ground truth in tests/test_sample_django.py, itself
proved against real Django by tests/test_django_real.py.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from analyzer import Report, scan
from tests.conftest import MakeRepo

MANAGE = '''import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "{settings}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
'''


def site(
    installed: str,
    files: dict[str, str],
    *,
    root: str = "web",
    settings_extra: str = "",
    engine: str = "django.db.backends.postgresql",
) -> dict[str, str]:
    """A project whose manage.py sits in `root/` (the import root), with settings
    `config/settings.py` listing `installed` (Python source of the list)."""
    prefix = f"{root}/" if root else ""
    out = {
        f"{prefix}manage.py": MANAGE.format(settings="config.settings"),
        f"{prefix}config/__init__.py": "",
        f"{prefix}config/settings.py": (
            f"INSTALLED_APPS = {installed}\n"
            f"DATABASES = {{'default': {{'ENGINE': '{engine}', 'NAME': 'x'}}}}\n"
            + settings_extra
        ),
    }
    out.update({f"{prefix}{path}": text for path, text in files.items()})
    return out


def app(name: str, models: str = "", migrations: dict[str, str] | None = None) -> dict[str, str]:
    files = {f"{name}/__init__.py": "", f"{name}/models.py": models}
    if migrations is not None:
        files[f"{name}/migrations/__init__.py"] = ""
        for file, text in migrations.items():
            files[f"{name}/migrations/{file}"] = text
    return files


def migration(dependencies: str, operations: str, extra: str = "", head: str = "") -> str:
    return (
        "from django.conf import settings\nfrom django.db import migrations, models\n"
        f"{head}\n\nclass Migration(migrations.Migration):\n{extra}"
        f"    dependencies = {dependencies}\n    operations = [\n{operations}\n    ]\n"
    )


def create(name: str, fields: str, options: str = "") -> str:
    option = f", options={options}" if options else ""
    return f"        migrations.CreateModel(name={name!r}, fields=[{fields}]{option}),"


ID = "('id', models.BigAutoField(primary_key=True))"


def one_model(name: str, fields: str = "x = models.IntegerField()") -> str:
    return f"from django.db import models\n\n\nclass {name}(models.Model):\n    {fields}\n"


def run_in_django(
    root: Path, code: str, *commands: tuple[str, ...], settings: str = "proj.settings",
    **env: str,
) -> str:
    """Real Django on the test project at `root` (settings `proj.settings`): each
    `manage.py` command, then `code` in a new interpreter after `django.setup()` with
    `settings`; its output. `env`: more environment variables (a database path, a
    `PYTHONPATH`)."""
    import os
    import subprocess
    import sys

    environ = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env}
    for command in commands:
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], cwd=root,
                       check=True, env=environ)
    probe = (
        "import os, sys; sys.path.insert(0, sys.argv[1]); "
        f"os.environ['DJANGO_SETTINGS_MODULE'] = {settings!r}; "
        "import django; django.setup(); " + code
    )
    return subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True,
                          text=True, check=True, env=environ).stdout


def after_migrate(root: Path, names: str) -> list[str]:
    """The names `names` (an expression over Django's `connection`) gives on the test
    project's database (`shop_project(shop_db=True)`) once real `migrate` ran."""
    return run_in_django(
        root, f"from django.db import connection; print(' '.join({names}))", ("migrate",),
        SHOP_DB=str(root / "shop.sqlite3"),
    ).split()


def captured_sql(
    root: Path, setup: str, calls: str, *commands: tuple[str, ...], **env: str
) -> list[str]:
    """The SQL real Django runs for `calls` (one line of statements) after `setup` (imports,
    objects made first), on the test project at `root` whose database is its `shop.sqlite3`
    (`shop_project(shop_db=True)`), after the `manage.py` commands (`run_in_django`)."""
    import json

    code = (
        "import json; from django.db import connection; "
        f"from django.test.utils import CaptureQueriesContext; {setup}\n"
        f"with CaptureQueriesContext(connection) as seen:\n    {calls}\n"
        "print(json.dumps([q['sql'] for q in seen.captured_queries]))"
    )
    out = run_in_django(root, code, *commands, SHOP_DB=str(root / "shop.sqlite3"), **env)
    return json.loads(out)  # type: ignore[no-any-return]


def shop_project(
    files: dict[str, str], *, apps: tuple[str, ...] = (), shop_db: bool = False
) -> dict[str, str]:
    """The Django project `run_in_django` runs (settings `proj.settings`) with the app `shop`,
    and `files` in it: `manage.py`, the settings (INSTALLED_APPS contenttypes, `apps`, shop;
    the SQLite file named by `$SHOP_DB` with `shop_db`, else one never opened) and the
    package markers."""
    installed = ", ".join(f'"{app}"' for app in ("django.contrib.contenttypes", *apps, "shop"))
    database = "__import__('os').environ['SHOP_DB']" if shop_db else "'x'"
    return {
        "manage.py": MANAGE.format(settings="proj.settings") + "\n\nmain()\n",
        "proj/__init__.py": "",
        "proj/settings.py": (
            f"INSTALLED_APPS = [{installed}]\n"
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', "
            f"'NAME': {database}}}}}\n"
            'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n'
        ),
        "shop/__init__.py": "",
        "shop/migrations/__init__.py": "",
        **files,
    }


def states(report: Report, kind: str) -> dict[str, tuple[str, ...] | None]:
    found: dict[str, tuple[str, ...] | None] = {}
    for table in report.tables:
        for state in table.states:
            if state.source_kind == kind:
                found[table.name] = tuple(state.columns) if state.columns is not None else None
    return found


def uses(report: Report, via: str | None = None) -> set[tuple[str, int, str, str]]:
    return {
        (use.path.rsplit("/", 1)[-1], use.line, table.name, use.kind)
        for table in report.tables
        for use in table.uses
        if via is None or use.via == via
    }


def findings(report: Report, name: str) -> set[str]:
    return {f.table.removeprefix("public.") for f in report.findings if f.name == name and f.table}


def codes(report: Report) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for diagnostic in report.diagnostics:
        out.setdefault(diagnostic.code, []).append(diagnostic.message)
    return out


def status(report: Report, name: str) -> str:
    table = report.table(name)
    assert table is not None, name
    return table.status


# --------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------

SHOP_MODELS = '''from django.conf import settings
from django.db import models


class Stamped(models.Model):
    created = models.DateTimeField()

    class Meta:
        abstract = True
        ordering = ["created"]


class Item(Stamped):
    name = models.CharField(max_length=10, db_column="label")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    tags = models.ManyToManyField("Tag")
    pinned = models.ManyToManyField("Tag", related_name="+", db_table="shop_pins")

    class Meta(Stamped.Meta):
        db_table = "shop_items"


class Tag(models.Model):
    word = models.SlugField()


class Special(Item):
    note = models.TextField()


class Cheap(Item):
    class Meta:
        proxy = True


class Legacy(models.Model):
    code = models.CharField(max_length=3, primary_key=True)

    class Meta:
        managed = False
        db_table = "legacy_codes"
'''


def test_model_tables_columns_and_kinds(make_repo: MakeRepo) -> None:
    report = scan(make_repo(site('["django.contrib.auth", "shop"]', app("shop", SHOP_MODELS))))
    assert states(report, "model") == {
        # Meta(Stamped.Meta) keeps the parent's options and sets db_table; abstract parent's
        # field first, db_column, ForeignKey as <name>_id
        "shop_items": ("id", "created", "label", "owner_id"),
        "shop_items_tags": ("id", "item_id", "tag_id"),  # the model's db_table + field
        "shop_pins": ("id", "item_id", "tag_id"),  # db_table on the field
        "shop_tag": ("id", "word"),
        "shop_special": ("item_ptr_id", "note"),  # multi-table: parent link, own fields
        "legacy_codes": ("code",),  # unmanaged, explicit primary key
    }
    # no migration at all: makemigrations would create every managed table
    assert findings(report, "model-without-migration") == {
        "shop_items", "shop_items_tags", "shop_pins", "shop_tag", "shop_special",
    }
    assert status(report, "legacy_codes") == "external"  # unmanaged, created by nobody here
    assert status(report, "auth_user") == "external"  # contrib's user model is not swapped


def test_a_class_named_model_and_pydantic_models_are_not_tables(make_repo: MakeRepo) -> None:
    models = '''from dataclasses import dataclass

from django.db import models as dj
from pydantic import BaseModel


class Model:
    name = dj.CharField(max_length=3)

    class Meta:
        db_table = "not_a_table"


class Scoring(Model):
    pass


class Payload(BaseModel):
    id: int
    name: str = ""


@dataclass
class Row:
    id: int


class Real(dj.Model):
    name = dj.CharField(max_length=3)
'''
    report = scan(make_repo(site('["shop"]', app("shop", models))))
    assert states(report, "model") == {"shop_real": ("id", "name")}


def test_app_labels_come_from_appconfig_and_meta(make_repo: MakeRepo) -> None:
    files = {
        **app("bridge", "from django.db.models import Model, CharField\n\n\n"
              "class Cursor(Model):\n    at = CharField(max_length=3)\n"),
        "bridge/apps.py": (
            "from django.apps import AppConfig as Base\n\n\n"
            "class BridgeConfig(Base):\n    name = 'bridge'\n    label = 'lumen'\n"
        ),
        "core/__init__.py": "",
        "core/models.py": (
            "from django.db import models\n\n\nclass Event(models.Model):\n"
            "    kind = models.TextField()\n\n    class Meta:\n        app_label = 'bridge'\n"
        ),
        "loose/__init__.py": "",
        "loose/models.py": (
            "from django.db import models\n\n\nclass Orphan(models.Model):\n"
            "    kind = models.TextField()\n"
        ),
    }
    report = scan(make_repo(site('["bridge"]', files)))
    # the label, not the package; Meta.app_label = "bridge" is that app's label... which is
    # "lumen" for Django only when the label matches: app_label names a label, not a package
    assert set(states(report, "model")) == {"lumen_cursor", "bridge_event"}
    assert any("Orphan" in m for m in codes(report)["django-model-outside-apps"])


def test_managers_from_querysets_and_custom_managers(make_repo: MakeRepo) -> None:
    models = '''from django.db import models


class PageQuerySet(models.QuerySet):
    def published(self):
        return self.filter(live=True)


PageManager = models.Manager.from_queryset(PageQuerySet)


class Page(models.Model):
    live = models.BooleanField()
    objects = PageManager()
    drafts = PageQuerySet.as_manager()
'''
    service = '''from shop.models import Page


def listing():
    return list(Page.objects.published())


def drafts():
    return Page.drafts.filter(live=False).count()


def not_a_manager():
    return Page.live.filter(1)
'''
    report = scan(make_repo(site('["shop"]', {**app("shop", models), "shop/views.py": service})))
    assert uses(report, "orm") == {
        ("views.py", 5, "shop_page", "read"),
        ("views.py", 9, "shop_page", "read"),
    }


def test_long_table_names_are_truncated_as_django_does(make_repo: MakeRepo) -> None:
    name = "A" + "b" * 70
    models = one_model(name)
    report = scan(make_repo(site('["shop"]', app("shop", models))))
    (table,) = states(report, "model")
    # postgres: 63 characters, the last 4 a digest (django.db.backends.utils.truncate_name)
    assert len(table) == 63 and table.startswith("shop_abbbb")


def test_a_model_imported_twice_is_still_the_model(make_repo: MakeRepo) -> None:
    """`from shop.models import Thing` and `from .models import Thing` in one module (or an
    import tried, then another on ImportError): the name is bound twice, to one class, and its
    uses count."""
    service = (
        "from shop.models import Thing\n"
        "from .models import Thing\n"
        "try:\n"
        "    from shop.models import Crate\n"
        "except ImportError:\n"
        "    from legacy.models import Crate\n\n\n"
        "def things():\n"
        "    return Thing.objects.all()\n\n\n"
        "def crates():\n"
        "    return Crate.objects.filter(open=True)\n"
    )
    models = (
        one_model("Thing") + "\n\nclass Crate(models.Model):\n    open = models.BooleanField()\n"
    )
    report = scan(make_repo(site('["shop", "legacy"]', {
        **app("shop", models),
        **app("legacy", one_model("Crate", "open = models.BooleanField()")),
        "shop/services.py": service,
    })))
    # a receiver that may be either class is typed as the first found: the import tried first
    assert uses(report, "orm") == {
        ("services.py", 10, "shop_thing", "read"),
        ("services.py", 14, "shop_crate", "read"),
    }


# --------------------------------------------------------------------------------------------
# settings and layout
# --------------------------------------------------------------------------------------------


def test_settings_read_statically(make_repo: MakeRepo) -> None:
    extra = '''import os

if os.environ.get("WITH_SHOP"):
    INSTALLED_APPS += ["shop"]
for plugin in os.environ.get("PLUGINS", "").split():
    INSTALLED_APPS.append(plugin)
INSTALLED_APPS = list(sorted(INSTALLED_APPS))
if os.getenv("DB") == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3"}}
'''
    models = one_model("Thing")
    report = scan(make_repo(site('["base"]', {**app("base"), **app("shop", models)},
                                 settings_extra=extra)))
    assert set(states(report, "model")) == {"shop_thing"}  # added under a condition: kept
    found = codes(report)
    assert any("plugins" in m and "reassigned" in m for m in found["django-settings-partial"])
    (dialect,) = found["django-dialect"]
    assert "postgresql" in dialect and "sqlite3" in dialect and "reads SQL as postgres" in dialect


def test_apps_listed_beside_a_starred_run_time_list_are_installed(make_repo: MakeRepo) -> None:
    """`INSTALLED_APPS = ["shop", *ENV_APPS]`: `shop` is installed (its migrations run, its
    model has a table); the apps `ENV_APPS` adds at run time are not known, and a diagnostic
    says so. A migration deleting from `django_migrations` needs nothing: `migrate` made it."""
    extra = """import os

ENV_APPS = os.environ.get("EXTRA_APPS", "").split(",")
INSTALLED_APPS = ["django.contrib.contenttypes", "shop", *ENV_APPS]
"""
    migrations = {
        "0001_initial.py": migration(
            "[]", create("Thing", "('id', models.AutoField(primary_key=True)), "
                                  "('x', models.IntegerField())"),
        ),
        "0002_forget_plugin.py": migration(
            '[("shop", "0001_initial")]',
            "        migrations.RunSQL(\"DELETE FROM django_migrations WHERE app = 'old'\"),",
        ),
    }
    report = scan(make_repo(site("[]", app("shop", one_model("Thing"), migrations),
                                 settings_extra=extra)))
    assert states(report, "django") == {"shop_thing": ("id", "x")}
    assert states(report, "model") == {"shop_thing": ("id", "x")}
    assert codes(report)["django-settings-partial"] == [
        "INSTALLED_APPS at web/config/settings.py:6 also holds apps known only at run time "
        "(`*ENV_APPS` is not a known list): apps missing from the static list are not read"
    ]
    assert status(report, "django_migrations") == "system"
    # no migration-order fault for the DELETE; the model is simply unused here
    assert [(f.name, f.table) for f in report.findings] == [("dead-table", "public.shop_thing")]


def test_database_url_names_the_engine(make_repo: MakeRepo) -> None:
    extra = '''import dj_database_url

DATABASES = {"default": dj_database_url.config(default="mysql://u@h/db")}
'''
    report = scan(make_repo(site('["base"]', app("base"), settings_extra=extra)))
    (message,) = codes(report)["django-dialect"]
    assert "mysql://u@h/db" in message and 'dialect = "mysql"' in message


def test_settings_split_in_a_package_with_star_imports(make_repo: MakeRepo) -> None:
    files = {
        "manage.py": MANAGE.format(settings="proj.settings.dev"),
        "proj/__init__.py": "",
        "proj/settings/__init__.py": "",
        "proj/settings/base.py": 'INSTALLED_APPS = ["django.contrib.auth", "shop"]\n',
        "proj/settings/dev.py": (
            "from .base import *\n\nINSTALLED_APPS += ['extra']\n"
            "AUTH_USER_MODEL = 'shop.Person'\n"
        ),
        **app("shop", "from django.contrib.auth.models import AbstractUser\n\n\n"
                      "class Person(AbstractUser):\n    pass\n"),
        **app("extra", "from django.db import models\n\n\nclass X(models.Model):\n    pass\n"),
    }
    report = scan(make_repo(files))
    assert set(states(report, "model")) == {
        "shop_person", "shop_person_groups", "shop_person_user_permissions", "extra_x",
    }
    assert "public.auth_user" not in {t.qualified_name for t in report.tables}  # swapped out


# --------------------------------------------------------------------------------------------
# migrations
# --------------------------------------------------------------------------------------------


def test_squash_whose_replaced_files_are_gone(make_repo: MakeRepo) -> None:
    shop = app("shop", "", {
        "0001_squashed_0004.py": migration(
            "[]", create("Box", ID), extra="    replaces = [('shop', '0001_initial'), "
            "('shop', '0004_more')]\n"),
        "0005_late.py": migration(
            "[('shop', '0004_more')]",  # a replaced name: remapped onto the squash
            "        migrations.AddField('box', 'size', models.IntegerField()),"),
    })
    other = app("other", "", {
        "0001_initial.py": migration(
            "[('shop', '0001_squashed_0004')]",
            create("Crate", f"{ID}, ('box', models.ForeignKey('shop.box', "
                   "on_delete=models.CASCADE))")),
    })
    report = scan(make_repo(site('["shop", "other"]', {**shop, **other})))
    assert states(report, "django") == {
        "shop_box": ("id", "size"),
        "other_crate": ("id", "box_id"),
    }
    (source,) = [s for s in report.sources if s.kind == "django"]
    # Django's plan: leaves in label order ("other" before "shop"), dependencies first
    assert [f.rsplit("/", 1)[-1] for f in source.files] == [
        "0001_squashed_0004.py", "0001_initial.py", "0005_late.py",
    ]
    assert "django-missing-dependency" not in codes(report)


def test_replaces_naming_another_app_and_a_project_auth_app(make_repo: MakeRepo) -> None:
    """An app renamed from `profiles` to `accounts` (its migrations replace the old label's),
    and a project package labelled `auth` that owns contrib's old tables."""
    accounts = app("accounts", "", {
        "0001_initial.py": migration(
            "[('auth', '0001_initial')]",
            create("Member", f"{ID}, ('group', models.ForeignKey('auth.group', "
                   "on_delete=models.CASCADE))"),
            extra="    replaces = [('profiles', '0001_initial')]\n"),
    })
    later = app("later", "", {
        "0001_initial.py": migration("[('profiles', '0001_initial')]", create("Note", ID)),
    })
    auth = {
        "auth/__init__.py": "",
        "auth/migrations/__init__.py": "",
        "auth/migrations/0001_initial.py": migration(
            "[]", create("Group", f"{ID}, ('name', models.CharField(max_length=9))")),
    }
    report = scan(make_repo(site('["auth", "accounts", "later"]', {**accounts, **later, **auth})))
    assert set(states(report, "django")) == {"auth_group", "accounts_member", "later_note"}
    assert "external" not in {t.status for t in report.tables}
    (source,) = [s for s in report.sources if s.kind == "django"]
    order = [f.split("/")[-3] for f in source.files]
    assert order.index("accounts") < order.index("later")  # the replaced name maps to it


def test_runsql_in_constants_lists_and_reverse_sql(make_repo: MakeRepo) -> None:
    head = '''
CREATE = """
CREATE TABLE archive (id int, at timestamp)
"""
DROP = "DROP TABLE archive"
'''
    ops = '''        migrations.RunSQL(CREATE, reverse_sql=DROP),
        migrations.RunSQL(["CREATE TABLE a1 (x int)", ("CREATE TABLE a2 (y int)", [])]),
        migrations.RunSQL(migrations.RunSQL.noop, reverse_sql="CREATE TABLE never (z int)"),
        migrations.RunSQL("ALTER TABLE shop_box_id_seq RENAME TO shop_crate_id_seq"),
        migrations.RunSQL("INSERT INTO a1 VALUES (1)"),'''
    shop = app("shop", "", {
        "0001_initial.py": migration("[]", create("Box", ID)),
        "0002_sql.py": migration("[('shop', '0001_initial')]", ops, head=head),
    })
    report = scan(make_repo(site('["shop"]', shop)))
    assert states(report, "django") == {
        "shop_box": ("id",), "archive": ("id", "at"), "a1": ("x",), "a2": ("y",),
    }
    # migration files are never application code: no uses, no runtime DDL, no findings there
    assert uses(report) == set()
    assert not [s for s in report.sources if s.kind == "runtime"]
    defs = {(d.line, t.name, d.operation) for t in report.tables for d in t.definitions}
    assert (13, "archive", "create") in defs  # a constant's SQL: at the line of its use
    assert (17, "a1", "data") in defs  # data only: not a schema change
    assert not [name for _, name, _ in defs if name.endswith("_seq")]  # a sequence
    assert "django-dynamic-sql" not in codes(report)


def test_rename_alter_table_and_separate_database_and_state(make_repo: MakeRepo) -> None:
    shop = app("shop", "", {
        "0001_initial.py": migration("[]", "\n".join([
            create("Flag", f"{ID}, ('tags', models.ManyToManyField('shop.tag'))"),
            create("Tag", ID),
            create("Fixed", ID, "{'db_table': 'fixed_name'}"),
        ])),
        "0002_renames.py": migration("[('shop', '0001_initial')]", "\n".join([
            "        migrations.RenameModel('Flag', 'Report'),",
            "        migrations.RenameModel('Fixed', 'Still'),",  # db_table fixed: no rename
            "        migrations.AlterModelTable('still', None),",  # back to the default name
            "        migrations.RenameField('report', 'tags', 'labels'),",
            "        migrations.SeparateDatabaseAndState(",
            "            database_operations=[migrations.RunSQL('DROP TABLE shop_tag')],",
            f"            state_operations=[migrations.CreateModel('Ghost', fields=[{ID}])],",
            "        ),",
        ])),
    })
    report = scan(make_repo(site('["shop"]', shop)))
    assert states(report, "django") == {
        "shop_report": ("id",),
        "shop_report_labels": ("id", "report_id", "tag_id"),  # renamed twice, column too
        "shop_still": ("id",),
        "shop_ghost": ("id",),  # state only: Django believes it exists
    }
    assert "shop_flag" in {t.name for t in report.tables}  # in history only
    assert any("shop.Ghost" in m for m in codes(report)["django-state-only-table"])


def test_runpython_alter_db_table_is_read(make_repo: MakeRepo) -> None:
    head = '''

def forwards(apps, schema_editor):
    Model = apps.get_model("shop", "Box")
    schema_editor.alter_db_table(Model, "shop_box", "store_box")


def backwards(apps, schema_editor):
    schema_editor.alter_db_table(None, "store_box", "shop_box")
'''
    shop = app("shop", "", {
        "0001_initial.py": migration("[]", create("Box", ID)),
        "0002_move.py": migration(
            "[('shop', '0001_initial')]",
            "        migrations.RunPython(forwards, backwards),", head=head),
    })
    report = scan(make_repo(site('["shop"]', shop)))
    assert set(states(report, "django")) == {"store_box"}


def test_state_only_field_removal_is_not_drift(make_repo: MakeRepo) -> None:
    models = one_model("Box", "size = models.IntegerField()")
    shop = app("shop", models, {
        "0001_initial.py": migration("[]", create(
            "Box", f"{ID}, ('size', models.IntegerField()), ('legacy', models.TextField()), "
            "('old', models.TextField())")),
        "0002_state.py": migration("[('shop', '0001_initial')]", "\n".join([
            "        migrations.SeparateDatabaseAndState(state_operations=[",
            "            migrations.RemoveField('box', 'legacy')]),",
        ])),
    })
    report = scan(make_repo(site('["shop"]', shop)))
    (message,) = [f.message for f in report.findings if f.name == "model-drift"]
    assert "lacks old," in message and "legacy" not in message


def test_migration_graph_problems_are_diagnostics(make_repo: MakeRepo) -> None:
    shop = app("shop", "", {
        "0001_initial.py": migration("[('shop', '0000_gone')]", create("Box", ID)),
        "0002_loop.py": migration("[('shop', '0003_back')]", "        migrations.RunPython(f),"),
        "0003_back.py": migration("[('shop', '0002_loop')]", "        custom_operation(),"),
    })
    stray = app("stray", "", {"0001_initial.py": migration("[]", create("Lost", ID))})
    report = scan(make_repo(site('["shop"]', {**shop, **stray})))
    found = codes(report)
    assert set(found) >= {
        "django-missing-dependency", "django-migration-cycle", "django-migrations-outside-apps",
    }
    assert "shop_box" in states(report, "django")  # the scan went on
    assert "stray_lost" not in states(report, "django")


def test_two_leaf_migrations_of_one_app_are_a_conflict(make_repo: MakeRepo) -> None:
    shop = app("shop", "", {
        "0001_initial.py": migration("[]", create("Box", ID)),
        "0002_a.py": migration("[('shop', '0001_initial')]", create("A", ID)),
        "0002_b.py": migration("[('shop', '0001_initial')]", create("B", ID)),
    })
    report = scan(make_repo(site('["shop"]', shop)))
    (message,) = codes(report)["django-conflicting-migrations"]
    assert "0002_a, 0002_b" in message and "--merge" in message
    assert set(states(report, "django")) == {"shop_box", "shop_a", "shop_b"}


def test_import_cycle_through_star_imports_finishes(make_repo: MakeRepo) -> None:
    """netbox's dcim.forms: a package __init__ star-imports submodules, one of which imports
    the package back (`from . import x`, `from pkg import Name`). It crashed with
    RecursionError before bounded resolution (issue 11; checked against 3caedee^: the SQL
    constants make every module relevant to that version's pre-filter)."""
    files = {
        **app("dcim", "from django.db import models\n\n\nclass Site(models.Model):\n"
                      "    name = models.TextField()\n"),
        "dcim/forms/__init__.py": (
            "from .bulk_create import *\nfrom .object_create import *\n"
            "from .model_forms import *\n\nCOUNT = 'SELECT count(*) FROM dcim_site'\n"
        ),
        "dcim/forms/model_forms.py": (
            "from dcim.forms import ComponentCreateForm\nfrom dcim.models import Site\n\n"
            "__all__ = ['SiteForm']\n\n\nclass SiteForm(ComponentCreateForm):\n"
            "    def load(self):\n        return Site.objects.filter(name=self.name)\n"
        ),
        "dcim/forms/object_create.py": (
            "from . import model_forms\n\nORDER = 'SELECT id FROM dcim_site ORDER BY name'\n"
            "__all__ = ['ComponentCreateForm']\n\n\n"
            "class ComponentCreateForm(model_forms.SiteForm):\n    pass\n"
        ),
        "dcim/forms/bulk_create.py": (
            "from .object_create import ComponentCreateForm\n\n__all__ = ['Bulk']\n\n\n"
            "class Bulk(ComponentCreateForm):\n    model = ComponentCreateForm\n"
        ),
    }
    report = scan(make_repo(site('["dcim"]', files)))
    assert uses(report) == {
        ("model_forms.py", 9, "dcim_site", "read"),
        ("__init__.py", 5, "dcim_site", "read"),
        ("object_create.py", 3, "dcim_site", "read"),
    }


# --------------------------------------------------------------------------------------------
# uses
# --------------------------------------------------------------------------------------------

USES_MODELS = '''from django.db import models


class Author(models.Model):
    name = models.TextField()


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    readers = models.ManyToManyField(Author, related_name="read_books")


class Chapter(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
'''
USES_CODE = '''from django.contrib import admin
from django.contrib.admin import AdminSite
from django.db import connection
from django.shortcuts import get_object_or_404

from .models import Author, Book, Chapter


class Site(AdminSite):
    pass


site = Site()
site.register([Author, Book])


def detail(pk):
    book = get_object_or_404(Book, pk=pk)
    names = list(book.readers.values_list("name"))
    chapters = book.chapter_set.all()
    return book.author.books.count(), names, chapters


def deep():
    return Chapter.objects.select_related("book__author").prefetch_related("book__readers")


def writes(author: Author):
    author.books.update(author=None)
    author.read_books.add(1)
    author.save()


def raw():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM shop_book_readers")
    return Book.objects.extra(tables=["legacy_stats"])


class BookForm:
    class Meta:
        model = Book


def not_uses(things):
    Book(author=None)
    things.filter(1).count()
    return Author
'''


def test_orm_chains_related_managers_paths_admin_and_raw_sql(make_repo: MakeRepo) -> None:
    files = {**app("shop", USES_MODELS), "shop/views.py": USES_CODE}
    report = scan(make_repo(site('["django.contrib.admin", "shop"]', files)))
    found = uses(report)
    expected = {
        ("views.py", 14, "shop_author", "read"), ("views.py", 14, "shop_author", "write"),
        ("views.py", 14, "shop_book", "read"), ("views.py", 14, "shop_book", "write"),
        ("views.py", 18, "shop_book", "read"),  # get_object_or_404(Book, ...)
        ("views.py", 19, "shop_book_readers", "read"),  # M2M: through and target
        ("views.py", 19, "shop_author", "read"),
        ("views.py", 20, "shop_chapter", "read"),  # reverse FK, default accessor
        ("views.py", 21, "shop_book", "read"),  # book.author.books: related_name
        ("views.py", 25, "shop_chapter", "read"),
        ("views.py", 25, "shop_book", "read"),  # select_related("book__author"): each hop
        ("views.py", 25, "shop_author", "read"),
        ("views.py", 25, "shop_book_readers", "read"),  # prefetch_related("book__readers")
        ("views.py", 29, "shop_book", "write"),  # reverse FK update
        ("views.py", 30, "shop_book_readers", "write"),  # reverse M2M add: through only
        ("views.py", 31, "shop_author", "write"),  # instance save
        ("views.py", 36, "shop_book_readers", "read"),  # raw SQL
        ("views.py", 37, "shop_book", "read"),
        ("views.py", 37, "legacy_stats", "read"),  # .extra(tables=[...])
        ("views.py", 42, "shop_book", "read"),  # Meta.model = Book (low confidence)
    }
    assert found == expected
    low = {(u.line, t.name) for t in report.tables for u in t.uses if u.confidence == "low"}
    assert low == {(42, "shop_book")}


# --------------------------------------------------------------------------------------------
# the per-file reader
# --------------------------------------------------------------------------------------------


def test_reader_keeps_operations_fields_nested_lists_and_sql_with_their_lines() -> None:
    from analyzer.facts import Hole, Literal
    from analyzer.readers.python_module import read_python

    source = migration(
        "[('shop', '0001_initial'), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]",
        "\n".join([
            create("Box", f"{ID},\n            ('size', models.IntegerField())"),
            "        migrations.SeparateDatabaseAndState(",
            "            database_operations=[migrations.RunSQL(SQL, reverse_sql='x')],",
            "            state_operations=OPS,",
            "        ),",
            "        *EXTRA,",
        ]),
        head="SQL = 'DROP TABLE old'\nOPS = [migrations.DeleteModel('Old')]\n",
    )
    facts = read_python("shop/migrations/0002_x.py", source.encode(), "shop.migrations.0002_x")
    django = facts.facts.django
    assert django is not None and django.migration is not None
    read = django.migration
    assert len(read.dependencies) == 2
    create_op, separate, starred = read.operations
    assert [op.line for op in read.operations] == [10, 12, 16]
    assert starred.opaque == "it is not a call of an operation"  # `*EXTRA`: said, not dropped
    assert [field.line for field in create_op.fields] == [10, 11]
    nested = dict(separate.nested)
    (run_sql,) = nested["database_operations"]
    (delete,) = nested["state_operations"]  # a module-level list, followed
    assert (run_sql.line, delete.line) == (13, 4)
    sql = dict(run_sql.sql)
    assert len(sql["sql"]) == 1 and isinstance(sql["sql"][0], Hole)  # the constant SQL
    assert sql["sql"][0].expr == "SQL"
    assert sql["reverse_sql"] == (Literal("x", 13),)  # kept, never replayed
    elsewhere = read_python("shop/models.py", source.encode(), "shop.models").facts.django
    assert elsewhere is None or elsewhere.migration is None  # only a migrations folder's


def test_installed_apps_built_from_helper_lists_changed_in_place(make_repo: MakeRepo) -> None:
    """`TENANT_APPS = [...]`, `if ...: TENANT_APPS.append(...)`, `INSTALLED_APPS =
    TENANT_APPS + [...]` in a settings package, the module manage.py names holding only
    `from .common import *` and `DEBUG = True`: the apps are the helper list's (appends
    included) and the listed ones; real Django gives the same list. With the pre-filter on or
    off the report is the same."""
    import json
    import os
    import subprocess
    import sys

    files = {
        "manage.py": MANAGE.format(settings="proj.settings.devel"),
        "proj/__init__.py": "",
        "proj/settings/__init__.py": "",
        "proj/settings/common.py": (
            "import os\n\n"
            'TENANT_APPS = ["shop"]\n'
            'if os.environ.get("WITH_BILLING", "1"):\n'
            '    TENANT_APPS.append("billing")\n'
            'INSTALLED_APPS = TENANT_APPS + ["django.contrib.contenttypes"]\n'
            "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'x'}}\n"
        ),
        "proj/settings/devel.py": "from .common import *  # noqa\n\nDEBUG = True\n",
        **app("shop", one_model("Item"), {"0001_initial.py": migration(
            "[]", create("Item", f"{ID}, ('x', models.IntegerField())")
        )}),
        **app("billing", one_model("Invoice"), {"0001_initial.py": migration(
            "[]", create("Invoice", f"{ID}, ('x', models.IntegerField())")
        )}),
    }
    root = make_repo(files)
    report = scan(root)
    assert sorted(t.qualified_name for t in report.tables if t.status != "external") == [
        "public.billing_invoice", "public.shop_item",
    ]
    assert [d.code for d in report.diagnostics if "outside" in d.code] == []
    assert scan(root, prefilter=False).model_dump() == report.model_dump()
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    probe = (
        "import json, os, sys; sys.path.insert(0, sys.argv[1]); "
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'proj.settings.devel'; "
        "from django.conf import settings; print(json.dumps(settings.INSTALLED_APPS))"
    )
    env = {key: value for key, value in os.environ.items() if key != "WITH_BILLING"}
    real = subprocess.run(
        [sys.executable, "-c", probe, str(root)], capture_output=True, text=True, check=True,
        env=env,
    )
    assert json.loads(real.stdout) == ["shop", "billing", "django.contrib.contenttypes"]


HISTORY_MODELS = '''from django.db import models
from simple_history.models import HistoricalRecords


class TrackedHistory(HistoricalRecords):
    """The project's own flavour of history."""


class Stamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords(inherit=True)

    class Meta:
        abstract = True


class Item(models.Model):
    name = models.CharField(max_length=20)
    history = HistoricalRecords()


class Price(models.Model):
    amount = models.IntegerField()
    log = TrackedHistory(table_name="shop_price_log")


class Tag(models.Model):
    label = models.CharField(max_length=20)
    history = HistoricalRecords(custom_model_name="TagAudit")


class Order(Stamped):
    total = models.IntegerField()


class Note(models.Model):
    text = models.TextField()
    history = HistoricalRecords()
'''

HISTORY_CODE = '''from shop.models import Item, Order, Price, Tag


def add_item(name):
    Item.objects.create(name=name)


def reprice(pk):
    price = Price.objects.get(pk=pk)
    price.amount += 1
    price.save()


def labels():
    return [tag.label for tag in Tag.objects.all()]


def totals():
    return Order.objects.filter(total__gt=0).count()
'''


def test_simple_history_tables_are_written_with_their_model(make_repo: MakeRepo) -> None:
    """django-simple-history's `history = HistoricalRecords()` makes a historical model whose
    table its signals write at each save and delete of the model: one write at the
    declaration when code uses the model (high confidence when code writes it, medium when it
    only reads it), with the table named as simple-history names it (`table_name=`,
    `custom_model_name=`, a project subclass, `inherit=True` on an abstract base). A model
    nothing uses keeps a dead historical table. Real Django, after a real `makemigrations`,
    names the same tables; with the pre-filter on or off the report is the same."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    pytest.importorskip("simple_history", reason="pip install -e '.[test]'")
    files = shop_project(
        {"shop/models.py": HISTORY_MODELS, "shop/services.py": HISTORY_CODE},
        apps=("django.contrib.auth", "simple_history"),
    )
    root = make_repo(files)
    real = run_in_django(
        root,
        "import json; from django.apps import apps; "
        "print(json.dumps(sorted(m._meta.db_table for m in apps.get_app_config('shop')"
        ".get_models())))",
        ("makemigrations", "shop"),
    )
    report = scan(root)
    shop = {t.name: t for t in report.tables if t.name.startswith("shop_")}
    assert sorted(shop) == json.loads(real) == [
        "shop_historicalitem", "shop_historicalnote", "shop_historicalorder", "shop_item",
        "shop_note", "shop_order", "shop_price", "shop_price_log", "shop_tag", "shop_tagaudit",
    ]
    history = {
        name: sorted((u.path, u.line, u.kind, u.confidence) for u in shop[name].uses)
        for name in ("shop_historicalitem", "shop_price_log", "shop_tagaudit",
                     "shop_historicalorder", "shop_historicalnote")
    }
    assert history == {
        "shop_historicalitem": [("shop/models.py", 19, "write", "high")],
        "shop_price_log": [("shop/models.py", 24, "write", "high")],
        "shop_tagaudit": [("shop/models.py", 29, "write", "medium")],
        "shop_historicalorder": [("shop/models.py", 11, "write", "medium")],
        "shop_historicalnote": [],
    }
    assert sorted(f.table for f in report.findings if f.name == "dead-table") == [
        "public.shop_historicalnote", "public.shop_note",
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


SANDBOX_FILES = {
    "sandbox/manage.py": MANAGE.format(settings="settings") + "\n\nmain()\n",
    "sandbox/settings.py": (
        'INSTALLED_APPS = ["django.contrib.contenttypes", '
        '"shoplib.catalogue.apps.CatalogueConfig", "shoplib.basket"]\n'
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'x'}}\n"
        'DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n'
    ),
    "src/shoplib/__init__.py": "",
    "src/shoplib/core/__init__.py": "",
    "src/shoplib/core/loading.py": (
        "from django.apps import apps\n\nMOVED = {'old_catalogue': 'catalogue'}\n\n\n"
        "def get_model(app_label, model_name):\n"
        "    if app_label in MOVED:\n"
        "        app_label = MOVED[app_label]\n"
        "    return apps.get_model(app_label, model_name)\n"
    ),
    "src/shoplib/catalogue/__init__.py": "",
    "src/shoplib/catalogue/apps.py": (
        "from django.apps import AppConfig\n\n\nclass CatalogueConfig(AppConfig):\n"
        '    label = "catalogue"\n    name = "shoplib.catalogue"\n'
    ),
    "src/shoplib/catalogue/models.py": (
        "from django.db import models\n\n\nclass Product(models.Model):\n"
        "    title = models.CharField(max_length=50)\n\n\nclass Line(models.Model):\n"
        "    title = models.CharField(max_length=50)\n"
    ),
    "src/shoplib/catalogue/migrations/__init__.py": "",
    "src/shoplib/catalogue/views.py": (
        "from django.apps import apps\n\nfrom shoplib.core.loading import get_model\n\n"
        'Product = get_model("catalogue", "Product")\nLine = get_model("catalogue", "Line")\n\n\n'
        "def titles():\n"
        '    return list(Product.objects.values_list("title", flat=True))\n\n\n'
        "def count():\n"
        '    return apps.get_model("catalogue.Product").objects.count()\n\n\n'
        "def lines():\n    return Line.objects.count()\n\n\n"
        "def lines_of(app_label):\n"
        '    return get_model(app_label, "Line").objects.count()\n'
    ),
    "src/shoplib/basket/__init__.py": "",
    "src/shoplib/basket/models.py": (
        "from django.db import models\n\n\nclass Line(models.Model):\n"
        "    quantity = models.IntegerField()\n"
    ),
    "src/shoplib/basket/migrations/__init__.py": "",
}


def test_a_sandbox_project_installs_the_repositorys_own_apps(make_repo: MakeRepo) -> None:
    """`sandbox/manage.py` installs apps of the package the repository ships from `src/`
    (django-oscar's layout): they are the project's apps, with their models, migrations and
    uses. Models reached through `apps.get_model("catalogue", "Product")`, `"app.Model"` or
    a project wrapper (which may rename the label: either label) are used; `Line` looked up
    with a label known only at run time, which two apps have, stays unresolved (a
    diagnostic, and dead-table says it may be wrong). Real Django, after a real
    `makemigrations`, names the same tables."""
    import json
    import os
    import subprocess
    import sys

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(SANDBOX_FILES)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
           "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root / "sandbox")])}
    subprocess.run([sys.executable, "manage.py", "makemigrations", "-v", "0"],
                   cwd=root / "sandbox", check=True, env=env)
    probe = (
        "import json, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'settings'; "
        "import django; django.setup(); from django.apps import apps; "
        "print(json.dumps(sorted(m._meta.db_table for m in apps.get_models() "
        "if m._meta.app_label in ('catalogue', 'basket'))))"
    )
    real = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, env=env, cwd=root / "sandbox")
    report = scan(root)
    ours = {t.name: sorted((u.path, u.line, u.kind) for u in t.uses)
            for t in report.tables if t.name.startswith(("catalogue_", "basket_"))}
    assert sorted(ours) == json.loads(real.stdout) == [
        "basket_line", "catalogue_line", "catalogue_product",
    ]
    assert ours == {
        "catalogue_product": [
            ("src/shoplib/catalogue/views.py", 10, "read"),
            ("src/shoplib/catalogue/views.py", 14, "read"),
        ],
        "catalogue_line": [("src/shoplib/catalogue/views.py", 18, "read")],
        "basket_line": [],
    }
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("django-dialect", "sandbox/settings.py", 2),
        ("django-model-lookup", "src/shoplib/catalogue/views.py", 22),
    ]
    assert sorted((f.name, f.table, f.confidence) for f in report.findings) == [
        ("dead-table", "public.basket_line", "medium"),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


TREE_PACKAGE = {
    # A third-party package outside the scanned repository (as django-treebeard or django-mptt
    # are): an abstract model base tabletrace cannot read.
    "treelib/__init__.py": "",
    "treelib/models.py": (
        "from django.db import models\n\n\nclass TreeNode(models.Model):\n"
        "    path = models.CharField(max_length=255, unique=True)\n"
        "    depth = models.PositiveIntegerField()\n\n"
        "    class Meta:\n        abstract = True\n"
    ),
}

TREE_FILES = shop_project({
    "shop/abstract_models.py": (
        "from django.db import models\nfrom treelib.models import TreeNode\n\n\n"
        "class AbstractCategory(TreeNode):\n"
        "    name = models.CharField(max_length=50)\n\n"
        "    class Meta:\n        abstract = True\n"
    ),
    "shop/models.py": (
        "from django import forms\nfrom django.db import models\nfrom treelib.models import "
        "TreeNode\n\nfrom shop.abstract_models import AbstractCategory\n\n\n"
        "class Category(AbstractCategory):\n    pass\n\n\n"
        "class Region(TreeNode):\n    title = models.CharField(max_length=50)\n\n\n"
        "class RegionForm(forms.Form):\n    title = forms.CharField(max_length=50)\n\n\n"
        "class Product(models.Model):\n"
        '    category = models.ForeignKey("shop.Category", on_delete=models.CASCADE)\n'
    ),
    "shop/services.py": (
        "from shop.models import Category, Product\n\n\n"
        "def roots():\n    return Category.objects.filter(depth=1).count()\n\n\n"
        "def products():\n    return Product.objects.count()\n"
    ),
})


def test_a_model_reaching_a_third_party_base_through_an_abstract_parent(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """`class Category(AbstractCategory)` in a models module, where the abstract parent (in
    `abstract_models.py`) declares Django fields and derives from a third-party abstract base
    tabletrace cannot read (django-treebeard's `MP_Node`, django-mptt's `MPTTModel`): both are
    models, and the concrete one has its table, as for a class deriving from that base
    directly. A form deriving from an unknown base is not a model. Real Django, after a real
    `makemigrations`, names the same tables."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    outside = tmp_path / "site-packages"
    for relative, text in TREE_PACKAGE.items():
        (outside / relative).parent.mkdir(parents=True, exist_ok=True)
        (outside / relative).write_text(text, encoding="utf-8")
    root = make_repo(TREE_FILES)
    real = run_in_django(
        root,
        "import json; from django.apps import apps; "
        "print(json.dumps(sorted(m._meta.db_table for m in apps.get_app_config('shop')"
        ".get_models())))",
        ("makemigrations", "shop"),
        PYTHONPATH=str(outside),
    )
    report = scan(root)
    shop = {t.name: sorted((u.path, u.line, u.kind) for u in t.uses)
            for t in report.tables if t.name.startswith("shop_")}
    assert sorted(shop) == json.loads(real) == [
        "shop_category", "shop_product", "shop_region",
    ]
    assert shop["shop_category"] == [("shop/services.py", 5, "read")]
    assert shop["shop_product"] == [("shop/services.py", 9, "read")]
    assert [d.code for d in report.diagnostics] == ["django-dialect"]
    assert sorted((f.name, f.table) for f in report.findings) == [
        ("dead-table", "public.shop_region"),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


ACCESSOR_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Order(models.Model):\n    total = models.IntegerField()\n\n\n"
        "class Line(models.Model):\n"
        "    order = models.ForeignKey(Order, on_delete=models.CASCADE)\n\n\n"
        "class Discount(models.Model):\n"
        '    line = models.ForeignKey(Line, on_delete=models.CASCADE, related_name="discounts")\n'
        "    amount = models.IntegerField()\n\n\n"
        "class Note(models.Model):\n"
        "    order = models.ForeignKey(Order, on_delete=models.CASCADE)\n"
    ),
    "shop/services.py": (
        "from shop.models import Line, Order\n\n\n"
        "def place(total):\n    order = Order.objects.create(total=total)\n"
        "    line = Line.objects.create(order=order)\n    record(line)\n\n\n"
        "def record(order_line):\n    order_line.discounts.create(amount=1)\n\n\n"
        "class Basket:\n    def __init__(self):\n        self.discounts = []\n\n"
        "    def notes(self):\n        return self.note_set.count()\n"
    ),
})


def test_a_relation_accessor_on_an_untyped_value_makes_dead_uncertain(
    make_repo: MakeRepo,
) -> None:
    """`order_line.discounts.create(...)` with `order_line` an untyped parameter: tabletrace
    cannot tell the receiver's model, so it reports no use, but `discounts` is the reverse
    accessor of `Discount.line` (real Django says so), so "the discount table is dead" is
    said with medium confidence, naming the line that may use it. `self.note_set` on an
    instance of a class that is no model is no such doubt: the note table is dead with high
    confidence."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(ACCESSOR_FILES)
    real = run_in_django(
        root,
        "from shop.models import Line, Order; import json; "
        "print(json.dumps([Line.discounts.rel.related_model._meta.db_table, "
        "Order.note_set.rel.related_model._meta.db_table]))",
        ("makemigrations", "shop"),
    )
    assert json.loads(real) == ["shop_discount", "shop_note"]
    report = scan(root)
    dead = {f.table: (f.confidence, f.message) for f in report.findings
            if f.name == "dead-table"}
    assert sorted(dead) == ["public.shop_discount", "public.shop_note"]
    assert dead["public.shop_discount"][0] == "medium"
    assert dead["public.shop_discount"][1].endswith(
        "(confidence medium: `.discounts` at shop/services.py:11 may be its relation, on a "
        "value whose model tabletrace cannot tell)"
    )
    assert dead["public.shop_note"][0] == "high"
    assert scan(root, prefilter=False).to_json() == report.to_json()


META_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Item(models.Model):\n    position = models.IntegerField(default=0)\n\n\n"
        "class Task(models.Model):\n    position = models.IntegerField(default=0)\n\n"
        '    class Meta:\n        db_table = "work_tasks"\n'
    ),
    "shop/db.py": (
        "from django.db import connection\n\n\n"
        "def reorder(model, positions):\n"
        '    sql = "UPDATE {tbl} SET position = %s WHERE id = %s".format(\n'
        "        tbl=model._meta.db_table)\n"
        "    with connection.cursor() as cursor:\n"
        "        for pk, position in positions.items():\n"
        "            cursor.execute(sql, [position, pk])\n\n\n"
        "def count(app_label, name):\n"
        "    from django.apps import apps\n"
        "    table = apps.get_model(app_label, name)._meta.db_table\n"
        "    with connection.cursor() as cursor:\n"
        '        cursor.execute(f"SELECT count(*) FROM {table}")\n'
        "        return cursor.fetchone()[0]\n"
    ),
    "shop/services.py": (
        "from shop import db\nfrom shop.models import Item, Task\n\n\n"
        "def run():\n"
        "    db.reorder(Item, {1: 2})\n    db.reorder(Task, {1: 3})\n"
        '    return db.count("shop", "Task")\n'
    ),
}, shop_db=True)


def test_a_table_named_by_a_models_meta_db_table(make_repo: MakeRepo, tmp_path: Path) -> None:
    """`model._meta.db_table` (a helper given the model class; `apps.get_model(...)._meta`)
    is the model's table, as Django names it (`Meta.db_table` included): the SQL built from
    it uses that table where the helper is called for each model, and no
    dynamic-table-name is reported. Real Django, after a real `migrate`, runs that SQL."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(META_FILES)
    real = run_in_django(
        root, "from shop.services import run; print(run())",
        ("makemigrations", "shop"), ("migrate",), SHOP_DB=str(tmp_path / "shop.sqlite3"),
    )
    assert real.strip() == "0"
    report = scan(root)
    sql_uses = {
        (t.name, u.path, u.line, u.kind) for t in report.tables for u in t.uses if u.via == "sql"
    }
    assert sql_uses == {  # a helper taking the table: a use where it is called for one
        ("shop_item", "shop/services.py", 6, "write"),
        ("work_tasks", "shop/services.py", 7, "write"),
        ("work_tasks", "shop/services.py", 8, "read"),
    }
    assert [f.name for f in report.findings] == []
    assert scan(root, prefilter=False).to_json() == report.to_json()


SERVICE_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Order(models.Model):\n    total = models.IntegerField(default=0)\n\n\n"
        "class Refund(models.Model):\n    amount = models.IntegerField(default=0)\n\n\n"
        "class Note(models.Model):\n    text = models.TextField()\n"
    ),
    "shop/base.py": (
        "class ModelService:\n"
        "    model = None\n\n"
        "    def count(self):\n"
        "        return self.model.objects.count()\n"
    ),
    "shop/services.py": (
        "from shop.base import ModelService\nfrom shop.models import Order, Refund\n\n\n"
        "class OrderService(ModelService):\n    model = Order\n\n\n"
        "class RefundService(ModelService):\n    model = Refund\n\n\n"
        "def totals():\n    return OrderService().count(), RefundService().count()\n"
    ),
}, shop_db=True)


def test_a_base_service_queries_each_subclass_model(make_repo: MakeRepo, tmp_path: Path) -> None:
    """`self.model.objects.count()` in a base class whose subclasses set `model = Order`:
    the chain reads each subclass model's table at the base class's line; a model no service
    names stays dead. Real Django, after a real `migrate`, runs the services."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(SERVICE_FILES)
    real = run_in_django(
        root, "from shop.services import totals; print(totals())",
        ("makemigrations", "shop"), ("migrate",), SHOP_DB=str(tmp_path / "shop.sqlite3"),
    )
    assert real.strip() == "(0, 0)"
    report = scan(root)
    reads = {t.name: sorted((u.path, u.line, u.kind) for u in t.uses if u.via == "orm")
             for t in report.tables if t.name.startswith("shop_")}
    assert reads == {  # (and `model = Order` itself, a low-confidence read)
        "shop_order": [("shop/base.py", 5, "read"), ("shop/services.py", 6, "read")],
        "shop_refund": [("shop/base.py", 5, "read"), ("shop/services.py", 10, "read")],
        "shop_note": [],
    }
    assert sorted(f.table for f in report.findings if f.name == "dead-table") == [
        "public.shop_note",
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


INHERITED_M2M_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Author(models.Model):\n    name = models.TextField()\n\n\n"
        "class Book(models.Model):\n"
        "    title = models.TextField()\n"
        "    authors = models.ManyToManyField(Author)\n\n\n"
        "class Edition(Book):\n    isbn = models.TextField()\n\n\n"
        "class Tagged(models.Model):\n"
        "    tags = models.ManyToManyField(Author, related_name='+')\n\n"
        "    class Meta:\n        abstract = True\n\n\n"
        "class Shelf(Tagged):\n    label = models.TextField()\n"
    ),
    "shop/services.py": (
        "from shop.models import Edition, Shelf\n\n\n"
        "def credits(edition: Edition):\n    return list(edition.authors.all())\n\n\n"
        "def editions():\n    return list(Edition.objects.prefetch_related('authors'))\n\n\n"
        "def shelf_tags(shelf: Shelf):\n    return list(shelf.tags.all())\n"
    ),
}, shop_db=True)


def test_a_many_to_many_field_of_a_multi_table_parent_keeps_the_parents_table(
    make_repo: MakeRepo,
) -> None:
    """`Edition(Book)` (multi-table inheritance) reaches `authors`, a field of `Book`,
    through `shop_book_authors`: the table is the declaring model's (it was reported as
    `shop_edition_authors`, undefined). A field of an abstract base is each concrete
    model's own (`shop_shelf_tags`). Real Django, after a real `makemigrations` and
    `migrate`, runs the code and its queries name exactly those tables."""
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(INHERITED_M2M_FILES)
    real = captured_sql(
        root,
        "from shop import services; from shop.models import Edition, Shelf; "
        "edition = Edition.objects.create(title='t', isbn='i'); "
        "shelf = Shelf.objects.create(label='l')",
        "services.credits(edition); services.editions(); services.shelf_tags(shelf)",
        ("makemigrations", "shop"), ("migrate",),
    )
    queried = [set(re.findall(r'"(shop_\w+)"', sql)) for sql in real]
    assert queried == [
        {"shop_author", "shop_book_authors"},
        {"shop_edition", "shop_book"},  # the editions, then their authors:
        {"shop_author", "shop_book_authors"},
        {"shop_author", "shop_shelf_tags"},
    ]
    report = scan(root)
    used = {t.name: sorted((u.line, u.kind) for u in t.uses)
            for t in report.tables if t.uses and t.name.startswith("shop_")}
    assert used == {
        "shop_author": [(5, "read"), (9, "read"), (13, "read")],
        "shop_book": [(9, "read")],
        "shop_book_authors": [(5, "read"), (9, "read")],
        "shop_edition": [(9, "read")],
        "shop_shelf_tags": [(13, "read")],
    }
    assert [f.name for f in report.findings if f.severity == "error"] == []
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_settings_the_repository_lacks_are_stood_in_for_by_their_sample(
    make_repo: MakeRepo,
) -> None:
    """`manage.py` names `proj.settings`, which each deployment writes (git-ignored) from
    `proj/settings_dev.py`, built on `proj/settings_common.py`: the module beside it that sets
    INSTALLED_APPS is read in its place, and a diagnostic says so. Without it no contrib app
    is installed and `Group.objects` would be no use of `auth_group`. Real Django, set up with
    the sample, installs the same apps and names the same tables."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    files = shop_project(
        {
            "shop/models.py": (
                "from django.conf import settings\nfrom django.db import models\n\n\n"
                "class Order(models.Model):\n"
                "    owner = models.ForeignKey(settings.AUTH_USER_MODEL, "
                "on_delete=models.CASCADE)\n"
            ),
            "shop/services.py": (
                "from django.contrib.auth.models import Group\n\n"
                "from shop.models import Order\n\n\n"
                "def staff():\n"
                "    return list(Group.objects.filter(name=\"staff\"))\n\n\n"
                "def orders():\n"
                "    return Order.objects.count()\n"
            ),
        },
        apps=("django.contrib.auth",),
    )
    files["proj/settings_common.py"] = files.pop("proj/settings.py")
    files["proj/settings_dev.py"] = "from proj.settings_common import *  # noqa\n\nDEBUG = True\n"
    root = make_repo(files)
    report = scan(root)
    # (the sample's SQLite engine is not the dialect scanned for: said too)
    assert sorted((d.code, d.path, d.line) for d in report.diagnostics) == [
        ("django-dialect", "proj/settings_common.py", 2),
        ("django-settings-stand-in", "manage.py", 6),
    ]
    (diagnostic,) = [d for d in report.diagnostics if d.code == "django-settings-stand-in"]
    assert "proj/settings_common.py" in diagnostic.message
    tables = {t.name: (t.status, [(u.path, u.line) for u in t.uses]) for t in report.tables}
    assert {name: tables[name] for name in ("auth_group", "shop_order")} == {
        "auth_group": ("external", [("shop/services.py", 7)]),
        "shop_order": ("used", [("shop/services.py", 11)]),
    }
    real = json.loads(run_in_django(
        root,
        "import json; from django.apps import apps; "
        "print(json.dumps(sorted(m._meta.db_table "
        "for m in apps.get_models(include_auto_created=True))))",
        settings="proj.settings_dev",
    ))
    # every table of the installed apps, the contrib ones as external
    assert sorted(tables) == real == [
        "auth_group", "auth_group_permissions", "auth_permission", "auth_user",
        "auth_user_groups", "auth_user_user_permissions", "django_content_type", "shop_order",
    ]
    assert {name for name, (status, _) in tables.items() if status == "external"} == (
        set(real) - {"shop_order"}
    )
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_an_empty_queryset_queries_nothing(make_repo: MakeRepo) -> None:
    """`Model.objects.none()` is an empty queryset that Django never sends to the database,
    counted, filtered or iterated: no use of the table (it was a `high` read). Real Django,
    after a real `migrate`, captures no query for it and one for the real count."""
    import json
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(
        {
            "shop/models.py": one_model("Coupon", "code = models.CharField(max_length=20)"),
            "shop/services.py": (
                "from shop.models import Coupon\n\n\n"
                "def no_coupons():\n"
                "    return Coupon.objects.none().filter(code=\"x\").count()\n\n\n"
                "def coupons():\n"
                "    return Coupon.objects.count()\n"
            ),
        },
        shop_db=True,
    ))
    db = root / "shop.sqlite3"
    real = run_in_django(
        root,
        "import json; from django.db import connection; "
        "from django.test.utils import CaptureQueriesContext; from shop import services\n"
        "with CaptureQueriesContext(connection) as empty:\n"
        "    assert services.no_coupons() == 0\n"
        "with CaptureQueriesContext(connection) as counted:\n"
        "    assert services.coupons() == 0\n"
        "print(json.dumps([len(empty.captured_queries), "
        "[q['sql'] for q in counted.captured_queries]]))",
        ("makemigrations", "shop"), ("migrate",), SHOP_DB=str(db),
    )
    empty, counted = json.loads(real)
    assert empty == 0
    assert [re.findall(r'"(shop_\w+)"', sql) for sql in counted] == [["shop_coupon"]]
    report = scan(root)
    (coupon,) = [t for t in report.tables if t.name == "shop_coupon"]
    assert [(u.path, u.line, u.kind) for u in coupon.uses] == [("shop/services.py", 9, "read")]


LOOKUP_MODELS = """from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=50)


class Tag(models.Model):
    name = models.CharField(max_length=50)


class Book(models.Model):
    title = models.CharField(max_length=50)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    tags = models.ManyToManyField(Tag)
"""

LOOKUP_CODE = """from django.db.models import Count, Q

from shop.models import Author, Book


def by_author_name():
    return Book.objects.filter(author__name="a").count()


def by_author(author):
    return Book.objects.filter(author=author).count()


def by_tag_name():
    return Book.objects.filter(tags__name="t").count()


def by_tag_ids():
    return Book.objects.exclude(tags__in=[1]).count()


def authors_of(title):
    return Author.objects.filter(book__title=title).count()


def by_author_order():
    return list(Book.objects.order_by("-author__name"))


def with_counts():
    return list(Author.objects.annotate(n=Count("book")))


def either():
    return Book.objects.filter(Q(author__name="a") | Q(title="b")).count()
"""


def test_lookups_join_the_tables_django_joins(make_repo: MakeRepo) -> None:
    """A lookup path reads the tables Django joins for it: `author__name` the author's table,
    `tags__name` the through table and the tag's, a reverse relation (`book__title`,
    `Count("book")`) the related table; a path ending at a forward relation compared by its
    key (`author=x`, `tags__in=...`) only what holds the key (Django trims the join). Real
    Django runs each function; the tables in its SQL are those the report gives its line."""
    import json
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(
        {"shop/models.py": LOOKUP_MODELS, "shop/services.py": LOOKUP_CODE}, shop_db=True,
    ))
    db = root / "shop.sqlite3"
    functions = [
        "by_author_name", "by_author", "by_tag_name", "by_tag_ids", "authors_of",
        "by_author_order", "with_counts", "either",
    ]
    real = run_in_django(
        root,
        "import json; from django.db import connection; "
        "from django.test.utils import CaptureQueriesContext; from shop import services\n"
        "from shop.models import Author\n"
        "author = Author.objects.create(name='a')\n"
        "seen = {}\n"
        f"for name in {functions!r}:\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        function = getattr(services, name)\n"
        "        function(author) if name == 'by_author' else function('t') "
        "if name == 'authors_of' else function()\n"
        "    seen[name] = sorted({t for q in queries.captured_queries "
        "for t in __import__('re').findall(r'\"(shop_\\w+)\"', q['sql'])})\n"
        "print(json.dumps(seen))",
        ("makemigrations", "shop"), ("migrate",), SHOP_DB=str(db),
    )
    queried = json.loads(real)
    assert queried == {
        "by_author_name": ["shop_author", "shop_book"],
        "by_author": ["shop_book"],
        "by_tag_name": ["shop_book", "shop_book_tags", "shop_tag"],
        "by_tag_ids": ["shop_book", "shop_book_tags"],
        "authors_of": ["shop_author", "shop_book"],
        "by_author_order": ["shop_author", "shop_book"],
        "with_counts": ["shop_author", "shop_book"],
        "either": ["shop_author", "shop_book"],
    }
    report = scan(root)
    source = LOOKUP_CODE.splitlines()
    lines = {  # each function's one statement, the line below its `def`
        name: next(i for i, text in enumerate(source) if text.startswith(f"def {name}(")) + 2
        for name in functions
    }
    by_line: dict[int, set[str]] = {}
    for table in report.tables:
        for use in table.uses:
            if use.path == "shop/services.py":
                by_line.setdefault(use.line, set()).add(table.name)
    assert {name: sorted(by_line.get(line, ())) for name, line in lines.items()} == queried
    assert not re.search("error", " ".join(f.severity for f in report.findings))
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_an_instance_made_by_its_class_then_saved_writes_its_table(make_repo: MakeRepo) -> None:
    """`t = Thing(name="x"); t.save()` and `Thing(name="y").save()` insert a row: a write of
    the model's table at each `save()` (there was no use at all, and the table was dead).
    Real Django, after a real `migrate`, runs both and captures one INSERT each."""
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(
        {
            "shop/models.py": one_model("Thing", "name = models.CharField(max_length=20)"),
            "shop/services.py": (
                "from shop.models import Thing\n\n\n"
                "def make():\n"
                "    t = Thing(name=\"x\")\n"
                "    t.save()\n\n\n"
                "def make_inline():\n"
                "    Thing(name=\"y\").save()\n"
            ),
        },
        shop_db=True,
    ))
    real = captured_sql(
        root, "from shop import services", "services.make(); services.make_inline()",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [re.match(r'INSERT INTO "(\w+)"', sql).group(1)  # type: ignore[union-attr]
            for sql in real] == ["shop_thing", "shop_thing"]
    report = scan(root)
    (thing,) = [t for t in report.tables if t.name == "shop_thing"]
    assert (thing.status, [(u.path, u.line, u.kind, u.operation) for u in thing.uses]) == (
        "used",
        [("shop/services.py", 6, "write", "save"), ("shop/services.py", 10, "write", "save")],
    )
    assert scan(root, prefilter=False).to_json() == report.to_json()


SQUASHED_COUNTS = """from django.db import connection, models


class BaseCount(models.Model):
    count = models.IntegerField()

    class Meta:
        abstract = True

    @classmethod
    def squash(cls):
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {cls._meta.db_table} WHERE count = 0")


class ItemCount(BaseCount):
    item = models.CharField(max_length=20)


class DailyCount(BaseCount):
    day = models.DateField()
"""


def test_an_abstract_models_method_reads_each_concrete_models_meta(make_repo: MakeRepo) -> None:
    """`cls._meta.db_table` in a classmethod of an abstract model is each concrete model's
    table: the statement writes `shop_itemcount` and `shop_dailycount`, no dynamic name.
    Real Django runs `squash()` on each model and deletes from exactly those tables."""
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project({"shop/models.py": SQUASHED_COUNTS}, shop_db=True))
    real = captured_sql(
        root, "from shop.models import DailyCount, ItemCount",
        "ItemCount.squash(); DailyCount.squash()", ("makemigrations", "shop"), ("migrate",),
    )
    deleted = [re.match(r"DELETE FROM (\w+)", sql).group(1)  # type: ignore[union-attr]
               for sql in real]
    assert deleted == ["shop_itemcount", "shop_dailycount"]
    report = scan(root)
    assert [f for f in report.findings if f.name == "dynamic-table-name"] == []
    written = {t.name: [(u.line, u.kind) for u in t.uses] for t in report.tables
               if t.name in deleted}
    assert written == {"shop_itemcount": [(13, "write")], "shop_dailycount": [(13, "write")]}
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_a_model_read_on_its_models_module_is_typed(make_repo: MakeRepo) -> None:
    """`from shop import models` then `models.Coupon.objects.filter(...)`: the chain starts at
    a module, the model is its attribute (babybuddy's reports: two tables were dead). Real
    Django captures the query on `shop_coupon`."""
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(
        {
            "shop/models.py": one_model("Coupon", "code = models.CharField(max_length=20)"),
            "shop/reports.py": (
                "from shop import models\n\n\n"
                "def active(code):\n"
                "    return models.Coupon.objects.filter(code=code).count()\n"
            ),
        },
        shop_db=True,
    ))
    real = captured_sql(
        root, "from shop import reports", "reports.active('x')",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [set(re.findall(r'"(shop_\w+)"', sql)) for sql in real] == [
        {"shop_coupon"},
    ]
    report = scan(root)
    (coupon,) = [t for t in report.tables if t.name == "shop_coupon"]
    assert (coupon.status, [(u.path, u.line, u.kind) for u in coupon.uses]) == (
        "used", [("shop/reports.py", 5, "read")],
    )
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_a_model_looked_up_whose_class_lives_outside_the_repository(
    make_repo: MakeRepo, tmp_path: Path,
) -> None:
    """A forked app (django-oscar's way): `basket/models.py` star-imports its models from a
    package outside the repository, and code loads them by name, `get_model("basket",
    "Line")` (oscar's loader, here a stand-in). The app's own migrations create
    `basket_line`: that table, a model guessed (medium), and no `django-model-lookup`
    diagnostic. Real Django, the package on its path, queries `basket_line`."""
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    vendor = tmp_path / "vendor"
    for relative, text in {
        "oscar/__init__.py": "",
        "oscar/core/__init__.py": "",
        "oscar/core/loading.py": (
            "from django.apps import apps\n\n\n"
            "def get_model(app_label, model_name):\n"
            "    return apps.get_model(app_label, model_name)\n"
        ),
        "oscar/apps/__init__.py": "",
        "oscar/apps/basket/__init__.py": "",
        "oscar/apps/basket/models.py": (
            "from django.db import models\n\n\n"
            "class Line(models.Model):\n"
            "    quantity = models.IntegerField(default=1)\n\n"
            "    class Meta:\n"
            '        app_label = "basket"\n'
        ),
    }.items():
        (vendor / relative).parent.mkdir(parents=True, exist_ok=True)
        (vendor / relative).write_text(text)
    files = shop_project(
        {
            "shop/services.py": (
                "from oscar.core.loading import get_model\n\n"
                'Line = get_model("basket", "Line")\n\n\n'
                "def lines():\n"
                "    return Line.objects.count()\n"
            ),
        },
        apps=("basket",), shop_db=True,
    )
    files.update({
        "basket/__init__.py": "",
        "basket/models.py": "from oscar.apps.basket.models import *  # noqa\n",
        "basket/migrations/__init__.py": "",
        "basket/migrations/0001_initial.py": migration(
            "[]", create("Line", f"{ID}, ('quantity', models.IntegerField(default=1))"),
        ),
    })
    root = make_repo(files)
    real = captured_sql(
        root, "from shop import services", "services.lines()", ("migrate",),
        PYTHONPATH=str(vendor),
    )
    assert [set(re.findall(r'"(\w+)"', sql)) & {"basket_line"} for sql in real] == [
        {"basket_line"},
    ]
    report = scan(root)
    (line,) = [t for t in report.tables if t.name == "basket_line"]
    assert (line.status, [(u.path, u.line, u.kind, u.confidence) for u in line.uses]) == (
        "used", [("shop/services.py", 7, "read", "medium")],
    )
    assert [d.code for d in report.diagnostics if d.code == "django-model-lookup"] == []
    assert scan(root, prefilter=False).to_json() == report.to_json()


TAGS_FIELDS = '''from taggit.managers import TaggableManager


class LabelsField(TaggableManager):
    def __init__(self, *args, **kwargs):
        from shop.tag_models import LabelledItem

        kwargs.setdefault("through", LabelledItem)
        super().__init__(*args, **kwargs)
'''
TAGS_MODELS = '''from django.db import models
from taggit.managers import TaggableManager

from shop.fields import LabelsField


class Product(models.Model):
    name = models.CharField(max_length=20)
    tags = TaggableManager()
    labels = LabelsField(related_name="labelled_products")
'''
TAG_MODELS = '''from django.db import models
from taggit.models import TaggedItemBase


class LabelledItem(TaggedItemBase):
    content_object = models.ForeignKey("shop.Product", on_delete=models.CASCADE)
'''
TAGS_CODE = '''from shop.models import Product


def red_ones():
    return list(Product.objects.filter(tags__name__in=["red"]))
'''


def test_taggit_managers_make_no_join_table_of_their_own(make_repo: MakeRepo) -> None:
    """django-taggit's `TaggableManager()` is a relation through taggit's generic
    `TaggedItem` to its `Tag`: no `shop_product_tags` table (tabletrace had invented one per
    model, each a `model-without-migration`); a lookup through it joins taggit's two tables.
    A project subclass choosing its `through` in its constructor has an unknown through
    model, and no table either. Real Django, after a real `makemigrations` and `migrate`,
    has exactly the shop tables tabletrace lists, and its SQL for the lookup joins exactly
    the tables tabletrace reports read at that line."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    pytest.importorskip("taggit", reason="pip install -e '.[test]'")
    files = shop_project(
        {"shop/fields.py": TAGS_FIELDS, "shop/models.py": TAGS_MODELS,
         "shop/tag_models.py": TAG_MODELS, "shop/services.py": TAGS_CODE},
        apps=("taggit",), shop_db=True,
    )
    root = make_repo(files)
    seen = captured_sql(
        root, "from shop.services import red_ones", "red_ones()",
        ("makemigrations", "shop"), ("migrate",),
    )
    real = json.loads(run_in_django(
        root,
        "import json; from django.db import connection; "
        "print(json.dumps(sorted(connection.introspection.table_names())))",
        SHOP_DB=str(root / "shop.sqlite3"),
    ))
    report = scan(root)
    assert sorted(t.name for t in report.tables if t.name.startswith("shop_")) == [
        name for name in real if name.startswith("shop_")
    ] == ["shop_labelleditem", "shop_product"]
    # no code reads the labels: their through model's table is dead, truly
    assert [(f.name, f.table) for f in report.findings] == [
        ("dead-table", "public.shop_labelleditem")
    ]
    # (Django first looks the product's content type up, once per process: its cache)
    (query,) = [q for q in seen if "shop_product" in q]
    assert {
        (t.name, u.operation, u.confidence) for t in report.tables for u in t.uses
        if u.path == "shop/services.py" and u.line == 5
    } == {
        ("shop_product", "filter", "high"),
        ("taggit_taggeditem", "filter", "medium"),
        ("taggit_tag", "filter", "medium"),
    }
    assert {name for name in real if f'"{name}"' in query} == {
        "shop_product", "taggit_taggeditem", "taggit_tag"
    }
    assert scan(root, prefilter=False).to_json() == report.to_json()


REGISTRY_MODELS = '''from django.db import models


class Status(models.Model):
    name = models.CharField(max_length=20, unique=True)


class Role(models.Model):
    name = models.CharField(max_length=20, unique=True)
'''
REGISTRY_CODE = '''from django.apps import apps as global_apps


def populate_statuses(apps=global_apps, schema_editor=None):
    Status = apps.get_model("shop", "Status")
    Status.objects.get_or_create(name="active")


def role_names():
    Role = global_apps.get_model("shop", "Role")
    return list(Role.objects.values_list("name", flat=True))
'''


def test_a_registry_parameter_defaulting_to_djangos_is_the_registry(
    make_repo: MakeRepo,
) -> None:
    """`def populate_statuses(apps=global_apps, schema_editor=None)`: a function that
    migrations call with their historical registry and the running app with Django's
    (its default): `apps.get_model("shop", "Status")` is the project's model, and the
    `get_or_create` reads and writes its table, as Django's own registry does. (A registry
    parameter without that default stays unknown: it may be a migration's, whose models are
    historical.) Real Django runs both functions: their SQL names exactly those tables."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    files = shop_project(
        {"shop/models.py": REGISTRY_MODELS, "shop/setup.py": REGISTRY_CODE}, shop_db=True
    )
    root = make_repo(files)
    seen = captured_sql(
        root, "from shop.setup import *", "populate_statuses(); role_names()",
        ("makemigrations", "shop"), ("migrate",),
    )
    report = scan(root)
    assert {
        (t.name, u.line, u.kind) for t in report.tables for u in t.uses
        if u.path == "shop/setup.py"
    } == {("shop_status", 6, "read"), ("shop_status", 6, "write"), ("shop_role", 11, "read")}
    assert {t for q in seen for t in ("shop_status", "shop_role") if f'"{t}"' in q} == {
        "shop_status", "shop_role"
    }
    assert [(f.name, f.table) for f in report.findings] == []
    assert scan(root, prefilter=False).to_json() == report.to_json()


COMMAND_NAMED_LIKE_A_TEST = '''from django.core.management.base import BaseCommand

from shop.models import Alert


class Command(BaseCommand):
    def handle(self, *args, **options):
        Alert.objects.create(name="test alert")
'''


def test_a_management_command_named_like_a_test_is_application_code(
    make_repo: MakeRepo,
) -> None:
    """`management/commands/test_alert_email.py` is the command `manage.py test_alert_email`,
    not a test module: its write counts (the table had looked dead). Real Django lists it
    among its commands."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    files = shop_project({
        "shop/models.py": (
            "from django.db import models\n\n\n"
            "class Alert(models.Model):\n    name = models.CharField(max_length=20)\n"
        ),
        "shop/management/__init__.py": "",
        "shop/management/commands/__init__.py": "",
        "shop/management/commands/test_alert_email.py": COMMAND_NAMED_LIKE_A_TEST,
    })
    root = make_repo(files)
    commands = run_in_django(
        root, "from django.core.management import get_commands; "
        "print(get_commands()['test_alert_email'])",
    )
    assert commands.strip() == "shop"
    report = scan(root)
    alert = report.table("public.shop_alert")
    assert alert is not None
    assert [(u.path, u.line, u.kind) for u in alert.uses] == [
        ("shop/management/commands/test_alert_email.py", 8, "write")
    ]


LOOPED_MODELS = '''from django.db import models


class Color(models.Model):
    name = models.CharField(max_length=10)


class Size(models.Model):
    name = models.CharField(max_length=10)
'''
LOOPED_CODE = '''from shop.models import Color, Size


class Copier:
    TABLES = [Color, Size]

    def wipe(self):
        for model in self.TABLES:
            model.objects.all().delete()


LOOKUPS = (Color, Size)


def count_all():
    return [model.objects.count() for model in LOOKUPS]


def wipe_all():
    for model in LOOKUPS:
        model.objects.all().delete()
'''


def test_a_loop_over_models_uses_each(make_repo: MakeRepo) -> None:
    """`for model in LOOKUPS: model.objects.all().delete()` (a module constant, a class
    attribute read through `self`, a comprehension): the chain runs once per model, so each
    table is used at that line (none was: a loop variable was unknown). Real Django's SQL
    for the three functions names both tables, each statement as reported."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    files = shop_project({"shop/models.py": LOOPED_MODELS, "shop/copy.py": LOOPED_CODE},
                         shop_db=True)
    root = make_repo(files)
    seen = captured_sql(
        root, "from shop.copy import *", "Copier().wipe(); count_all(); wipe_all()",
        ("makemigrations", "shop"), ("migrate",),
    )
    report = scan(root)
    assert {
        (t.name, u.line, u.operation, u.kind) for t in report.tables for u in t.uses
    } == {
        (table, line, operation, kind)
        for table in ("shop_color", "shop_size")
        for line, operation, kind in ((9, "delete", "write"), (16, "count", "read"),
                                      (21, "delete", "write"))
    }
    def tables(prefix: str) -> set[str]:
        return {t for q in seen if q.startswith(prefix) for t in ("shop_color", "shop_size")
                if f'"{t}"' in q}

    assert tables("DELETE") == tables("SELECT COUNT") == {"shop_color", "shop_size"}
    assert scan(root, prefilter=False).to_json() == report.to_json()


BUMPED_ORDER = """\
from django.db import models


class Order(models.Model):
    total = models.IntegerField(default=0)

    def bump(self):
        self.total += 1
        self.save()

    def discard(self):
        self.delete()

    def reload(self):
        self.refresh_from_db()


class Note(models.Model):
    text = models.TextField()
"""


def test_self_save_in_a_models_method_writes_its_table(make_repo: MakeRepo) -> None:
    """`self.save()`, `self.delete()` and `self.refresh_from_db()` in a model's own method
    query its table (DMOJ: 11 such `self.save()` were missed; a model used only so was a
    false `dead-table`). Real Django runs an UPDATE, a DELETE and a SELECT on `shop_order`."""
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project({"shop/models.py": BUMPED_ORDER}, shop_db=True))
    real = captured_sql(
        root, "from shop.models import Order; order = Order.objects.create()",
        "order.bump(); order.reload(); order.discard()", ("makemigrations", "shop"), ("migrate",),
    )
    statements = [re.match(r'(\w+) .*?"?(shop_\w+)', sql).groups()  # type: ignore[union-attr]
                  for sql in real]
    assert ("UPDATE", "shop_order") in statements and ("DELETE", "shop_order") in statements
    assert ("SELECT", "shop_order") in statements
    report = scan(root)
    order = report.table("public.shop_order")
    assert order is not None and order.status == "used"
    assert sorted((u.path, u.line, u.kind) for u in order.uses) == [
        ("shop/models.py", 9, "write"), ("shop/models.py", 12, "write"),
        ("shop/models.py", 15, "read"),
    ]
    assert [(f.name, f.table) for f in report.findings if f.name == "dead-table"] == [
        ("dead-table", "public.shop_note")
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


OVERRIDDEN_FIELDS = """\
from django.db import models


class Stamped(models.Model):
    created_by = models.CharField(max_length=20)
    note = models.TextField()
    size = models.IntegerField()

    class Meta:
        abstract = True


class Report(Stamped):
    title = models.CharField(max_length=20)
    size = 0

    @property
    def created_by(self):
        return "system"
"""


def test_an_abstract_parents_field_the_model_binds_otherwise_is_not_inherited(
    make_repo: MakeRepo,
) -> None:
    """`@property def created_by(self)` (or `size = 0`) in a model whose abstract parent
    declares a `created_by` field: Django copies an abstract parent's field only when the name
    is not bound in the class, so the table has no such column (ArchiveBox: a false
    `model-drift`). Real Django's concrete fields and its migration agree."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project({"shop/models.py": OVERRIDDEN_FIELDS}))
    real = json.loads(run_in_django(
        root, "import json; from shop.models import Report; "
        "print(json.dumps([f.column for f in Report._meta.concrete_fields]))",
        ("makemigrations", "shop"),
    ))
    assert real == ["id", "note", "title"]
    report = scan(root)
    table = report.table("public.shop_report")
    assert table is not None
    assert {s.source_kind: s.columns for s in table.states} == {
        "django": real, "model": real,
    }
    assert [f.name for f in report.findings if f.name == "model-drift"] == []


MONEY_FILES = shop_project({
    "shop/fields.py": "def encrypted(field):\n    return field\n",
    "shop/models.py": (
        "from django.db import models\nfrom djmoney.models.fields import MoneyField\n\n"
        "from shop.fields import encrypted\n\n\n"
        "class Priced(models.Model):\n"
        "    price = MoneyField(max_digits=10, decimal_places=2, default_currency='EUR')\n\n"
        "    class Meta:\n        abstract = True\n\n\n"
        "class Licence(Priced):\n"
        "    name = models.CharField(max_length=10)\n"
        "    key = encrypted(models.TextField(db_column='licence_key'))\n"
        "    fee = MoneyField(max_digits=8, decimal_places=2, default_currency='EUR',\n"
        "                     currency_field_name='fee_unit')\n"
    ),
}, apps=("djmoney",))


def test_a_money_field_adds_its_currency_and_a_wrapped_field_is_a_field(
    make_repo: MakeRepo,
) -> None:
    """django-money's `MoneyField` adds `<name>_currency` (or `currency_field_name=`) beside
    its amount, also from an abstract parent; `encrypted(models.TextField(...))`, a function
    wrapping a field, is that field. Real `makemigrations` writes the same columns, so the
    model agrees with its migration: no model-drift (it had said "lacks price_currency" and
    left `key` out)."""
    pytest.importorskip("djmoney")
    root = make_repo(MONEY_FILES)
    run_in_django(root, "", ("makemigrations", "shop"))
    real = run_in_django(
        root,
        "from shop.models import Licence; "
        "print([f.column for f in Licence._meta.local_concrete_fields])",
    ).strip()
    report = scan(root)
    assert states(report, "model") == states(report, "django") == {
        "shop_licence": (
            "id", "price_currency", "price", "name", "licence_key", "fee_unit", "fee",
        ),
    }
    assert real == str(list(states(report, "model")["shop_licence"] or ()))
    assert [f.name for f in report.findings if f.name == "model-drift"] == []


def test_an_app_config_on_the_projects_own_base(make_repo: MakeRepo) -> None:
    """An app's `apps.py` importing the project's base config (`from core.config import
    BaseConfig`, no Django import of its own) and defining `BlogConfig(BaseConfig)`: Django
    counts both classes, so only `default = True` makes `BlogConfig` the app's config, whose
    `label` names its tables (`journal_post`); `NotesConfig` without it is not chosen, the
    app keeps its default label (`notes_note`). The pre-filter reads such an apps.py (it had
    skipped it). Real Django names the same tables."""
    base = "from core.config import BaseConfig\n\n\n"
    files = shop_project({
        "core/__init__.py": "",
        "core/config.py": (
            "from django.apps import AppConfig\n\n\n"
            "class BaseConfig(AppConfig):\n"
            '    default_auto_field = "django.db.models.BigAutoField"\n'
        ),
        "blog/__init__.py": "",
        "blog/apps.py": (
            base + "class BlogConfig(BaseConfig):\n"
            '    name = "blog"\n    label = "journal"\n    default = True\n'
        ),
        "blog/models.py": one_model("Post"),
        "notes/__init__.py": "",
        "notes/apps.py": (
            base + "class NotesConfig(BaseConfig):\n"
            '    name = "notes"\n    label = "memo"\n'
        ),
        "notes/models.py": one_model("Note"),
    }, apps=("blog", "notes"))
    root = make_repo(files)
    report = scan(root)
    assert [d.code for d in report.diagnostics] == ["django-dialect"]  # SQLite settings
    assert sorted(
        t.name for t in report.tables if t.name.endswith(("_post", "_note"))
    ) == ["journal_post", "notes_note"]
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    real = run_in_django(
        root,
        "from blog.models import Post; from notes.models import Note; "
        "print(Post._meta.db_table, Note._meta.db_table)",
    ).split()
    assert real == ["journal_post", "notes_note"]


def test_default_app_config_chooses_the_config(make_repo: MakeRepo) -> None:
    """`default_app_config = "backoffice.apps.BackofficeConfig"` in the app's package (Django
    before 4.1 follows it): its `label` names the app, so a second `admin` label is no
    duplicate (it had been a false `django-duplicate-label`: the apps module, importing the
    project's base config, was skipped)."""
    root = make_repo(shop_project({
        "core/__init__.py": "",
        "core/config.py": (
            "from django.apps import AppConfig\n\n\nclass BaseConfig(AppConfig):\n    pass\n"
        ),
        "backoffice/admin/__init__.py": (
            'default_app_config = "backoffice.admin.apps.BackofficeConfig"\n'
        ),
        "backoffice/__init__.py": "",
        "backoffice/admin/apps.py": (
            "from core.config import BaseConfig\n\n\n"
            "class BackofficeConfig(BaseConfig):\n"
            '    name = "backoffice.admin"\n    label = "backoffice_admin"\n'
        ),
        "backoffice/admin/models.py": one_model("Banner"),
    }, apps=("django.contrib.admin", "django.contrib.auth", "backoffice.admin")))
    report = scan(root)
    assert [d.code for d in report.diagnostics] == ["django-dialect"]
    assert [t.name for t in report.tables if t.name.endswith("_banner")] == [
        "backoffice_admin_banner"
    ]
    assert report.model_dump() == scan(root, prefilter=False).model_dump()


def test_admin_registration_through_a_partial_or_a_bare_register(make_repo: MakeRepo) -> None:
    """`register = partial(admin.register, site=ops_site)` then `@register(Widget)`, and
    `from django.contrib.admin import register` then `@register(Gadget)`: the admin lists and
    edits both tables (they had been dead). Real Django's sites hold both models."""
    files = shop_project({
        "shop/models.py": (
            "from django.db import models\n\n\n"
            "class Widget(models.Model):\n    name = models.CharField(max_length=10)\n\n\n"
            "class Gadget(models.Model):\n    name = models.CharField(max_length=10)\n"
        ),
        "shop/sites.py": (
            "from functools import partial\n\n"
            "from django.contrib import admin\n"
            "from django.contrib.admin.sites import AdminSite\n\n\n"
            "class OpsSite(AdminSite):\n    site_header = 'ops'\n\n\n"
            "ops_site = OpsSite(name='ops')\n"
            "register = partial(admin.register, site=ops_site)\n"
        ),
        "shop/migrations/0001_initial.py": migration("[]", "\n".join([
            create("Widget", f"{ID}, ('name', models.CharField(max_length=10))"),
            create("Gadget", f"{ID}, ('name', models.CharField(max_length=10))"),
        ])),
        "shop/admin.py": (
            "from django.contrib import admin\n"
            "from django.contrib.admin import register as admin_register\n\n"
            "from shop.models import Gadget, Widget\n"
            "from shop.sites import register\n\n\n"
            "@register(Widget)\n"
            "class WidgetAdmin(admin.ModelAdmin):\n    pass\n\n\n"
            "@admin_register(Gadget)\n"
            "class GadgetAdmin(admin.ModelAdmin):\n    pass\n"
        ),
    }, apps=("django.contrib.admin", "django.contrib.auth", "django.contrib.messages",
             "django.contrib.sessions"))
    root = make_repo(files)
    report = scan(root)
    assert sorted(
        (u.path, u.line, t.name, u.kind, u.operation)
        for t in report.tables if t.name.startswith("shop_") for u in t.uses
    ) == [
        ("shop/admin.py", 8, "shop_widget", "read", "admin"),
        ("shop/admin.py", 8, "shop_widget", "write", "admin"),
        ("shop/admin.py", 13, "shop_gadget", "read", "admin"),
        ("shop/admin.py", 13, "shop_gadget", "write", "admin"),
    ]
    assert [f.name for f in report.findings] == []
    real = run_in_django(
        root,
        "import shop.admin; from django.contrib import admin; from shop.sites import ops_site; "
        "from shop.models import Gadget, Widget; "
        "print(Widget in ops_site._registry, Gadget in admin.site._registry)",
    ).split()
    assert real == ["True", "True"]


def test_a_project_operation_building_its_own_lists_is_unknown(make_repo: MakeRepo) -> None:
    """`class RenameKey(SeparateDatabaseAndState)` whose `__init__` builds its operation
    lists from its own arguments (`RenameKey("Widget", "code", "sku")`): its call's
    arguments are not SeparateDatabaseAndState's, so it is a `django-unknown-operation`
    (it had been read as one doing nothing, silently), and a drift of the model it names is
    hedged by it. A subclass that only sets attributes, hands its constructor's `*args` on,
    or runs the base's `database_forwards` under a condition is still read as its base.
    Real `migrate` renames the column and builds the three tables."""
    helpers = (
        "from django.db import migrations\n\n\n"
        "class RenameKey(migrations.SeparateDatabaseAndState):\n"
        "    def __init__(self, model_name, old, new):\n"
        "        super().__init__(database_operations=[\n"
        "            migrations.RenameField(model_name, old, new)])\n\n\n"
        "class QuietSQL(migrations.RunSQL):\n"
        "    elidable = True\n\n\n"
        "class AtomicSQL(migrations.RunSQL):\n"
        "    def __init__(self, *args, **kwargs):\n"
        "        super().__init__(*args, elidable=True, **kwargs)\n\n\n"
        "class SQLiteOnlySQL(migrations.RunSQL):\n"
        "    def database_forwards(self, app_label, schema_editor, from_state, to_state):\n"
        "        if schema_editor.connection.vendor == 'sqlite':\n"
        "            super().database_forwards(app_label, schema_editor, from_state, to_state)\n"
    )
    root = make_repo(shop_project({
        "shop/ops.py": helpers,
        "shop/models.py": one_model("Widget", "sku = models.CharField(max_length=5)"),
        "shop/migrations/0001_initial.py": migration(
            "[]", create("Widget", f"{ID}, ('code', models.CharField(max_length=5))")
        ),
        "shop/migrations/0002_rename.py": migration(
            "[('shop', '0001_initial')]",
            "        RenameKey('Widget', 'code', 'sku'),\n"
            "        QuietSQL('CREATE TABLE shop_note (id integer)'),\n"
            "        AtomicSQL('CREATE TABLE shop_tag (id integer)'),\n"
            "        SQLiteOnlySQL(sql='CREATE TABLE shop_log (id integer)'),",
            head="from shop.ops import AtomicSQL, QuietSQL, RenameKey, SQLiteOnlySQL",
        ),
    }, shop_db=True))
    report = scan(root)
    assert [(d.code, d.path, d.line) for d in report.diagnostics if d.code != "django-dialect"] == [
        ("django-unknown-operation", "shop/migrations/0002_rename.py", 8),
    ]
    assert states(report, "django") == {
        "shop_widget": ("id", "code"), "shop_note": ("id",), "shop_tag": ("id",),
        "shop_log": ("id",),
    }
    # the model (`sku`, as the real table) differs from that state only by what the unknown
    # operation naming it may change: said, at medium confidence
    (drift,) = [f for f in report.findings if f.name == "model-drift"]
    assert drift.confidence == "medium"
    assert "unless the operation tabletrace cannot read at shop/migrations/0002_rename.py:8 " \
        "changes them" in drift.message
    real = run_in_django(
        root,
        "from django.db import connection; c = connection.cursor(); "
        "print([r[1] for r in c.execute('PRAGMA table_info(shop_widget)')], "
        "sorted(connection.introspection.table_names()))",
        ("migrate", "shop"), SHOP_DB=str(root / "shop.sqlite3"),
    ).strip()
    assert real == (
        "['id', 'sku'] ['django_migrations', 'shop_log', 'shop_note', 'shop_tag', "
        "'shop_widget']"
    )


LINK_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class StorageLink(models.Model):\n"
        "    key = models.CharField(max_length=80)\n\n"
        "    class Meta:\n        abstract = True\n\n"
        "    @classmethod\n"
        "    def exists(cls, key):\n"
        "        return cls.objects.filter(key=key).exists()\n\n"
        "    @classmethod\n"
        "    def add(cls, key):\n"
        "        return cls.objects.get_or_create(key=key)\n\n\n"
        "class DiskLink(StorageLink):\n    pass\n\n\n"
        "class CloudLink(StorageLink):\n    bucket = models.CharField(max_length=80)\n"
    ),
    "shop/sync.py": (
        "from shop.models import CloudLink, DiskLink\n\n\n"
        "def sync(keys):\n"
        "    for key in keys:\n"
        "        if not DiskLink.exists(key):\n"
        "            DiskLink.add(key)\n"
        "    CloudLink.add(keys[0])\n"
    ),
}, shop_db=True)


def test_cls_objects_in_a_classmethod_of_an_abstract_model(make_repo: MakeRepo) -> None:
    """`cls.objects.filter(...)` in a classmethod of an abstract model runs for a concrete
    subclass (`DiskLink.exists(key)`), on that subclass's own table: each concrete model
    below it is read (and written, `get_or_create`) there. Both tables had been dead. Real
    Django, after a real `migrate`, queries both tables from those lines."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(LINK_FILES)
    queries = captured_sql(
        root, "from shop.sync import sync", "sync(['a'])",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert {
        name for q in queries for name in re.findall(r'(?:FROM|INTO) "(\w+)"', q)
    } == {
        "shop_disklink", "shop_cloudlink",
    }
    report = scan(root)
    assert sorted(
        (t.name, u.path, u.line, u.kind, u.operation)
        for t in report.tables if t.name in ("shop_disklink", "shop_cloudlink")
        for u in t.uses
    ) == [
        ("shop_cloudlink", "shop/models.py", 12, "read", "exists"),
        ("shop_cloudlink", "shop/models.py", 16, "read", "get_or_create"),
        ("shop_cloudlink", "shop/models.py", 16, "write", "get_or_create"),
        ("shop_disklink", "shop/models.py", 12, "read", "exists"),
        ("shop_disklink", "shop/models.py", 16, "read", "get_or_create"),
        ("shop_disklink", "shop/models.py", 16, "write", "get_or_create"),
    ]
    assert [f.name for f in report.findings if f.name == "dead-table"] == []
    assert scan(root, prefilter=False).to_json() == report.to_json()


THROUGH_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Tag(models.Model):\n    name = models.TextField()\n\n\n"
        "class Member(models.Model):\n"
        "    tag = models.ForeignKey(Tag, on_delete=models.CASCADE)\n"
        "    item = models.ForeignKey('Item', on_delete=models.CASCADE)\n\n\n"
        "class Item(models.Model):\n"
        "    tags = models.ManyToManyField(Tag)\n"
        "    members = models.ManyToManyField(Tag, through=Member, related_name='+')\n"
    ),
    "shop/services.py": (
        "from shop.models import Item, Tag\n\n\n"
        "def tag_all(ids, tag):\n"
        "    Link = Item.tags.through\n"
        "    Link.objects.bulk_create([Link(item_id=i, tag=tag) for i in ids])\n\n\n"
        "def untag(ids, tag):\n"
        "    Item.tags.through.objects.filter(item_id__in=ids, tag=tag).delete()\n\n\n"
        "def member_count():\n"
        "    return Item.members.through.objects.count()\n"
    ),
}, shop_db=True)


def test_a_many_to_many_fields_through_model_queries_its_table(make_repo: MakeRepo) -> None:
    """`Item.tags.through` is the model of the relation's table (Django makes one for an
    auto-created table): `Link = Item.tags.through; Link.objects.bulk_create(...)` writes
    `shop_item_tags`, `.filter(...).delete()` on it deletes from it, and an explicit
    `through=Member`'s `.objects.count()` reads `shop_member`. Real Django, after a real
    `makemigrations` and `migrate`, runs the three and names exactly those tables."""
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(THROUGH_FILES)
    real = captured_sql(
        root,
        "from shop import services; from shop.models import Item, Tag; "
        "tag = Tag.objects.create(name='t'); item = Item.objects.create()",
        "services.tag_all([item.pk], tag); services.untag([item.pk], tag); "
        "services.member_count()",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [
        (sql.split()[0], sorted(set(re.findall(r'"(shop_\w+)"', sql)))) for sql in real
        if sql.split()[0] not in ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
    ] == [
        ("INSERT", ["shop_item_tags"]),
        ("DELETE", ["shop_item_tags"]),
        ("SELECT", ["shop_member"]),
    ]
    report = scan(root)
    used = {t.name: sorted((u.line, u.kind, u.operation) for u in t.uses)
            for t in report.tables if t.uses and t.name.startswith("shop_")}
    assert used == {
        "shop_item_tags": [(6, "write", "bulk_create"), (10, "write", "delete")],
        "shop_member": [(14, "read", "count")],
    }
    assert scan(root, prefilter=False).to_json() == report.to_json()


MARKUP_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\nfrom markupfield.fields import MarkupField\n\n\n"
        "class Written(models.Model):\n"
        "    body = MarkupField(default_markup_type='plain')\n\n"
        "    class Meta:\n        abstract = True\n\n\n"
        "class Page(Written):\n"
        "    title = models.CharField(max_length=10)\n"
        "    summary = MarkupField(default_markup_type='plain', blank=True)\n"
        "    slug = models.SlugField()\n"
        "    note = MarkupField(rendered_field=True)\n"
    ),
})


def test_a_markup_field_adds_its_markup_type_and_rendered_columns(
    make_repo: MakeRepo,
) -> None:
    """django-markupfield's `MarkupField` adds `<name>_markup_type` and `_<name>_rendered`
    beside itself, also from an abstract parent (to the concrete model);
    `rendered_field=True`, as its migrations write it, adds neither. Real `makemigrations`
    writes the same columns, so the model agrees with its migration: no model-drift
    (pythondotorg's 16 model-drift warnings said "lacks content_markup_type")."""
    import ast

    pytest.importorskip("markupfield")
    root = make_repo(MARKUP_FILES)
    run_in_django(root, "", ("makemigrations", "shop"))
    real = run_in_django(
        root,
        "from shop.models import Page; "
        "print([f.column for f in Page._meta.local_concrete_fields])",
    ).strip()
    report = scan(root)
    # Django orders them by creation counters the two share with the fields declared next,
    # its migration too; tabletrace puts them right after the field: the same columns
    assert real == str([
        "id", "body", "title", "body_markup_type", "summary", "_body_rendered",
        "summary_markup_type", "slug", "_summary_rendered", "note",
    ])
    assert states(report, "django") == {"shop_page": tuple(ast.literal_eval(real))}
    assert states(report, "model") == {
        "shop_page": (
            "id", "body", "body_markup_type", "_body_rendered", "title", "summary",
            "summary_markup_type", "_summary_rendered", "slug", "note",
        ),
    }
    assert [f.name for f in report.findings if f.name == "model-drift"] == []


LOG_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Item(models.Model):\n    name = models.TextField()\n"
    ),
    "shop/audit.py": (
        "from django.contrib.admin.models import ADDITION, LogEntry\n\n\n"
        "def record(user, items):\n"
        "    LogEntry.objects.log_actions(user.pk, items, ADDITION)\n\n\n"
        "def history(user):\n"
        "    return list(LogEntry.objects.filter(user=user))\n"
    ),
}, apps=("django.contrib.auth", "django.contrib.admin", "django.contrib.messages",
         "django.contrib.sessions"), shop_db=True)
LOG_FILES["proj/settings.py"] += (  # the admin's site, which the test never serves
    'SILENCED_SYSTEM_CHECKS = ["admin.E403", "admin.E408", "admin.E409", "admin.E410"]\n'
)


def test_the_admin_log_managers_log_actions_is_a_write(make_repo: MakeRepo) -> None:
    """`LogEntry.objects.log_actions(...)` (and `log_action`, before Django 5.1) inserts the
    entries: a write of `django_admin_log`, not a read (pythondotorg's was a read). Real
    Django, after a real `makemigrations` and `migrate`, inserts into that table."""
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(LOG_FILES)
    real = captured_sql(
        root,
        "from shop import audit; from shop.models import Item; "
        "from django.contrib.auth.models import User; "
        "user = User.objects.create(username='u'); item = Item.objects.create(name='i')",
        "audit.record(user, [item]); audit.history(user)",
        ("makemigrations", "shop"), ("migrate",),
    )
    written = [
        (sql.split()[0], sorted(set(re.findall(r'"(django_admin_log)"', sql)))) for sql in real
        if sql.split()[0] in ("INSERT", "SELECT") and "django_admin_log" in sql
    ]
    assert written[0] == ("INSERT", ["django_admin_log"])
    assert written[-1] == ("SELECT", ["django_admin_log"])
    report = scan(root)
    log = report.table("public.django_admin_log")
    assert log is not None
    assert sorted((u.path, u.line, u.kind, u.operation) for u in log.uses) == [
        ("shop/audit.py", 5, "write", "log_actions"),
        ("shop/audit.py", 9, "read", "filter"),
    ]


RETURNED_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Item(models.Model):\n    name = models.TextField()\n"
    ),
    "shop/access.py": (
        "from django.http import Http404\n\n"
        "from shop.models import Item\n\n\n"
        "def item_write(owner, pk):\n"
        "    try:\n"
        "        return Item.objects.get(pk=pk)\n"
        "    except Item.DoesNotExist:\n"
        "        raise Http404('no item') from None\n\n\n"
        "def item_read(owner, pk):\n"
        "    return item_write(owner, pk)\n"
    ),
    "shop/views.py": (
        "from django.http import HttpResponse\n\n"
        "from shop import access\n\n\n"
        "def remove(owner, pk):\n"
        "    item = access.item_write(owner, pk)\n"
        "    item.delete()\n"
        "    return HttpResponse()\n\n\n"
        "def touch(owner, pk):\n"
        "    item = access.item_read(owner, pk)\n"
        "    item.save()\n"
        "    return HttpResponse()\n"
    ),
}, shop_db=True)


def test_an_instance_a_function_of_the_repository_returns_is_its_models(
    make_repo: MakeRepo,
) -> None:
    """`item = access.item_write(owner, pk)` (a function returning `Item.objects.get(...)`,
    or a function returning what that one returns), then `item.delete()` or `.save()`:
    writes of the model's table where they are called (linkding's views deleting and saving
    what `access.bookmark_write(...)` returns had no use). Real Django, after a real
    `makemigrations` and `migrate`, runs the DELETE and the UPDATE on `shop_item`."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(RETURNED_FILES)
    real = captured_sql(
        root,
        "from shop import views; from shop.models import Item; "
        "Item.objects.create(pk=1, name='a'); Item.objects.create(pk=2, name='b')",
        "views.remove(None, 1); views.touch(None, 2)",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [" ".join(sql.split()[:3]) for sql in real if not sql.startswith("SELECT")] == [
        'DELETE FROM "shop_item"', 'UPDATE "shop_item" SET',
    ]
    report = scan(root)
    item = report.table("public.shop_item")
    assert item is not None
    assert sorted((u.path, u.line, u.kind, u.operation) for u in item.uses) == [
        ("shop/access.py", 8, "read", "get"),
        ("shop/views.py", 8, "write", "delete"),
        ("shop/views.py", 14, "write", "save"),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


REQUEST_USER_FILES = shop_project({
    "shop/models.py": (
        "from django.conf import settings\nfrom django.db import models\n\n\n"
        "class Profile(models.Model):\n"
        "    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,\n"
        "                                related_name='profile')\n"
        "    theme = models.TextField()\n"
    ),
    "shop/views.py": (
        "from django.http import HttpRequest, HttpResponse\n"
        "from django.views import View\n\n\n"
        "def my_groups(request):\n"
        "    return HttpResponse(', '.join(g.name for g in request.user.groups.all()))\n\n\n"
        "def set_theme(req: HttpRequest, theme):\n"
        "    profile = req.user.profile\n"
        "    profile.theme = theme\n"
        "    req.user.profile.save()\n"
        "    return HttpResponse()\n\n\n"
        "class Permissions(View):\n"
        "    def get(self, *args):\n"
        "        return HttpResponse(str(list(self.request.user.user_permissions.all())))\n"
    ),
}, apps=("django.contrib.auth",), shop_db=True)


def test_the_requests_user_is_the_user_models_instance(make_repo: MakeRepo) -> None:
    """`request.user` (a view's `request` parameter, one annotated `HttpRequest`, a view's
    `self.request`) is the logged-in user, an instance of the user model: its many-to-many
    managers read their tables and a reverse one-to-one's `.save()` writes its model's
    (linkding's and pythondotorg's `request.user....` had no use). Real Django, after a real
    `makemigrations` and `migrate`, runs the views on a request of a user and queries those
    tables."""
    import re

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(REQUEST_USER_FILES)
    real = captured_sql(
        root,
        "from django.test import RequestFactory; from django.contrib.auth.models import User; "
        "from shop import views; from shop.models import Profile; "
        "user = User.objects.create(username='u'); Profile.objects.create(user=user, theme='a'); "
        "request = RequestFactory().get('/'); request.user = User.objects.get(pk=user.pk)",
        "views.my_groups(request); views.set_theme(request, 'b'); "
        "views.Permissions.as_view()(request)",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [sorted(set(re.findall(r'"((?:auth|shop)_\w+)"', sql))) for sql in real] == [
        ["auth_group", "auth_user_groups"],
        ["shop_profile"],
        ["shop_profile"],
        ["auth_permission", "auth_user_user_permissions"],
    ]
    report = scan(root)
    used = {t.name: sorted((u.line, u.kind) for u in t.uses)
            for t in report.tables if t.uses and t.name.startswith(("auth_", "shop_"))}
    assert used == {
        "auth_group": [(6, "read")],
        "auth_user_groups": [(6, "read")],
        "shop_profile": [(12, "write")],
        "auth_permission": [(18, "read")],
        "auth_user_user_permissions": [(18, "read")],
    }
    assert scan(root, prefilter=False).to_json() == report.to_json()


EDITING_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Note(models.Model):\n    text = models.TextField()\n"
    ),
    "shop/edit.py": (
        "from django import forms\n"
        "from django.views.generic import CreateView, DeleteView, DetailView\n\n"
        "from shop.models import Note\n\n\n"
        "class NoteCreate(CreateView):\n"
        "    model = Note\n"
        "    fields = ['text']\n"
        "    success_url = '/'\n\n\n"
        "class NoteDetail(DetailView):\n"
        "    model = Note\n\n\n"
        "class NoteDelete(DeleteView):\n"
        "    model = Note\n"
        "    success_url = '/'\n\n\n"
        "class NoteForm(forms.ModelForm):\n"
        "    class Meta:\n"
        "        model = Note\n"
        "        fields = ['text']\n"
    ),
}, shop_db=True)


def test_an_editing_view_or_model_form_writes_its_model(make_repo: MakeRepo) -> None:
    """A generic editing view (`CreateView`, `DeleteView`) or a `ModelForm`'s `Meta` naming
    `model = Note` saves it: a write of its table besides the read (umap's and opencve's
    create, update and delete views were reads only); a `DetailView` only reads. Real Django,
    after a real `makemigrations` and `migrate`, inserts and deletes through them."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(EDITING_FILES)
    real = captured_sql(
        root,
        "from django.test import RequestFactory; from shop import edit; "
        "post = RequestFactory().post('/', {'text': 'a'})",
        "edit.NoteCreate.as_view()(post); edit.NoteForm({'text': 'b'}).save(); "
        "edit.NoteDelete.as_view()(post, pk=1)",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [" ".join(sql.split()[:3]) for sql in real if sql.split()[0] != "SELECT"] == [
        'INSERT INTO "shop_note"', 'INSERT INTO "shop_note"', 'DELETE FROM "shop_note"',
    ]
    report = scan(root)
    note = report.table("public.shop_note")
    assert note is not None
    assert sorted((u.line, u.kind) for u in note.uses) == [
        (8, "read"), (8, "write"), (14, "read"), (18, "read"), (18, "write"),
        (24, "read"), (24, "write"),
    ]


LATER_NAME_FILES = shop_project({
    "shop/models.py": (
        "from django.conf import settings\nfrom django.db import models\n\n\n"
        "class Map(models.Model):\n"
        "    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,\n"
        "                              related_name='owned_maps')\n"
        "    editors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name='+')\n"
        "    settings = models.JSONField(default=dict)\n"
    ),
    "shop/views.py": (
        "from django.http import HttpResponse\n\n\n"
        "def mine(request):\n"
        "    return HttpResponse(str(list(request.user.owned_maps.all())))\n"
    ),
}, apps=("django.contrib.auth",))


def test_a_class_body_reads_a_name_it_binds_only_later_from_the_module(
    make_repo: MakeRepo,
) -> None:
    """A class body runs top to bottom: `ForeignKey(settings.AUTH_USER_MODEL)` read before
    the field `settings = JSONField()` is bound is `django.conf.settings`'s, so the foreign
    key and the many-to-many table point at the user model (umap's `Map.owner` had lost its
    reference, its editors table its columns, and `user.owned_maps` its uses). Real Django,
    after `makemigrations`, relates them to `auth.User` and names the same columns."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(LATER_NAME_FILES)
    run_in_django(root, "", ("makemigrations", "shop"))
    real = json.loads(run_in_django(
        root,
        "import json; from shop.models import Map; "
        "editors = Map._meta.get_field('editors').remote_field.through; "
        "print(json.dumps([Map._meta.get_field('owner').related_model._meta.db_table, "
        "[f.column for f in Map._meta.local_concrete_fields], "
        "[f.column for f in editors._meta.local_concrete_fields]]))",
    ))
    report = scan(root)
    shop_map = report.table("public.shop_map")
    editors = report.table("public.shop_map_editors")
    assert shop_map is not None and editors is not None
    model = states(report, "model")
    assert real == [
        "auth_user", list(model["shop_map"] or ()), list(model["shop_map_editors"] or ()),
    ] == ["auth_user", ["id", "owner_id", "settings"], ["id", "map_id", "user_id"]]
    assert ("public.auth_user", "foreign_key") in {
        (r.table, r.via) for r in shop_map.references
    }
    assert [(u.path, u.line, u.kind) for u in shop_map.uses] == [("shop/views.py", 5, "read")]


LOOP_FILES = shop_project({
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Note(models.Model):\n    text = models.TextField()\n"
    ),
    "shop/purge.py": (
        "from django.http import HttpResponse\n\n"
        "from shop.models import Note\n\n\n"
        "def purge():\n"
        "    for note in Note.objects.filter(text='old'):\n"
        "        note.delete()\n"
        "    for note in Note.objects.all().iterator():\n"
        "        note.text = note.text.strip()\n"
        "        note.save()\n"
        "    return HttpResponse()\n"
    ),
}, shop_db=True)


def test_an_element_of_a_queryset_a_loop_runs_over_is_its_models(make_repo: MakeRepo) -> None:
    """`for note in Note.objects.filter(...): note.delete()` (or `.iterator()`, then
    `note.save()`): each element is an instance of the model, so the call writes its table
    (umap's loops over query results had no write). Real Django, after a real
    `makemigrations` and `migrate`, deletes and updates rows of `shop_note`."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(LOOP_FILES)
    real = captured_sql(
        root,
        "from shop import purge; from shop.models import Note; "
        "Note.objects.create(text='old'); Note.objects.create(text=' new ')",
        "purge.purge()",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [" ".join(sql.split()[:3]) for sql in real if sql.split()[0] != "SELECT"] == [
        'DELETE FROM "shop_note"', 'UPDATE "shop_note" SET',
    ]
    report = scan(root)
    note = report.table("public.shop_note")
    assert note is not None
    assert sorted((u.line, u.kind, u.operation) for u in note.uses) == [
        (7, "read", "filter"), (8, "write", "delete"), (9, "read", "iterator"),
        (11, "write", "save"),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_a_package_module_setting_installed_apps_stands_in_for_missing_settings(
    make_repo: MakeRepo,
) -> None:
    """`manage.py` names `proj.conf.settings`, which each deployment writes (git-ignored)
    from `settings.py.example`, star-importing `proj/conf/base.py`: with no module named
    after the settings, the module of their package that sets INSTALLED_APPS stands in, the
    project's import root staying manage.py's folder (opencve's `migrate` error and its
    contrib tables). A third-party app whose default label clashes with another
    (`hijack.contrib.admin`'s AppConfig sets its own) is no `django-duplicate-label`. Real
    Django, set up with the sample, installs the same apps and names the same tables."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    files = shop_project(
        {
            "shop/models.py": (
                "from django.conf import settings\nfrom django.db import models\n\n\n"
                "class Order(models.Model):\n"
                "    owner = models.ForeignKey(settings.AUTH_USER_MODEL, "
                "on_delete=models.CASCADE)\n"
            ),
            "shop/services.py": (
                "from django.contrib.auth.models import Group\n\n\n"
                "def staff():\n"
                "    return list(Group.objects.filter(name=\"staff\"))\n"
            ),
        },
        apps=("django.contrib.auth",),
    )
    base = files.pop("proj/settings.py").replace(
        '"shop"]', '"shop", "hijack.contrib.auth"]'
    )
    files["manage.py"] = files["manage.py"].replace("proj.settings", "proj.conf.settings")
    files["proj/conf/__init__.py"] = ""
    files["proj/conf/base.py"] = base
    files["proj/conf/settings.py.example"] = "from proj.conf.base import *  # noqa\n"
    root = make_repo(files)
    report = scan(root)
    assert sorted((d.code, d.path, d.line) for d in report.diagnostics) == [
        ("django-dialect", "proj/conf/base.py", 2),
        ("django-settings-stand-in", "manage.py", 6),
    ]
    tables = {t.name: (t.status, [(u.path, u.line) for u in t.uses]) for t in report.tables}
    assert tables["auth_group"] == ("external", [("shop/services.py", 5)])
    assert tables["shop_order"] == ("dead", [])
    assert scan(root, prefilter=False).to_json() == report.to_json()
    (root / "proj/conf/sample_settings.py").write_text(
        base.replace('"hijack.contrib.auth"', "").replace(', ]', "]")
    )
    real = json.loads(run_in_django(
        root,
        "import json; from django.apps import apps; "
        "print(json.dumps(sorted(m._meta.db_table "
        "for m in apps.get_models(include_auto_created=True))))",
        settings="proj.conf.sample_settings",
    ))
    assert sorted(tables) == real


ABSTRACT_UNDER_CONCRETE = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Post(models.Model):\n"
        "    content = models.TextField()\n\n\n"
        "class BookPost(Post):\n"
        "    book = models.CharField(max_length=20)\n\n"
        "    class Meta:\n        abstract = True\n\n\n"
        "class Review(BookPost):\n"
        "    rating = models.IntegerField()\n\n\n"
        "class Quote(BookPost):\n"
        "    passage = models.TextField()\n"
    ),
}


def test_an_abstract_model_under_a_concrete_one_passes_its_parent_on(
    make_repo: MakeRepo,
) -> None:
    """`class BookPost(Post)` with `abstract = True`, then `class Review(BookPost)`: Django
    passes the abstract model's concrete parent on, so `Review` is a multi-table child of
    `Post`, keyed by `post_ptr_id` (bookwyrm: three false model-drift warnings, "lacks
    status_ptr_id, declares id"). Real `makemigrations` and Django's fields agree."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(ABSTRACT_UNDER_CONCRETE))
    real = json.loads(run_in_django(
        root, "import json; from shop.models import Quote, Review; print(json.dumps("
        "[[f.column for f in m._meta.local_concrete_fields] for m in (Review, Quote)]))",
        ("makemigrations", "shop"),
    ))
    assert real == [["post_ptr_id", "book", "rating"], ["post_ptr_id", "book", "passage"]]
    report = scan(root)
    assert states(report, "model") == states(report, "django") == {
        "shop_post": ("id", "content"),
        "shop_review": ("post_ptr_id", "book", "rating"),
        "shop_quote": ("post_ptr_id", "book", "passage"),
    }
    assert [f.name for f in report.findings if f.name == "model-drift"] == []


MODEL_HANDED_ON = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Visible(models.Model):\n"
        "    class Meta:\n        abstract = True\n\n"
        "    @classmethod\n"
        "    def visible_to(cls, viewer):\n"
        "        return cls.objects.filter(owner=viewer)\n\n\n"
        "class Picture(models.Model):\n"
        "    url = models.TextField()\n\n\n"
        "class Post(Visible):\n"
        "    owner = models.IntegerField()\n"
        "    pictures = models.ManyToManyField(Picture)\n\n\n"
        "class MergedSeries(models.Model):\n"
        "    deleted_id = models.IntegerField()\n\n\n"
        "class Series(models.Model):\n"
        "    merged_model = MergedSeries\n"
        "    name = models.TextField()\n\n"
        "    def merge(self):\n"
        "        self.merged_model.objects.create(deleted_id=self.id)\n"
    ),
    "shop/views.py": (
        "from shop import models\n\n\n"
        "def feed(viewer):\n"
        "    return list(models.Post.visible_to(viewer).prefetch_related(\"pictures\"))\n\n\n"
        "def get_mergeable(klass, pk):\n"
        "    return klass.objects.filter(deleted_id=pk).first()\n\n\n"
        "def merged(pk):\n"
        "    return get_mergeable(models.MergedSeries, pk)\n"
    ),
}


def test_models_reached_through_a_classmethod_an_attribute_and_a_parameter(
    make_repo: MakeRepo,
) -> None:
    """Three ways real code hands a model on (bookwyrm): a classmethod of an abstract base
    returning `cls.objects.filter(...)`, chained on (`Post.visible_to(u).prefetch_related(
    "pictures")`); a class attribute holding another model (`merged_model = MergedSeries`,
    then `self.merged_model.objects.create(...)`); a model passed to a helper
    (`get_mergeable(models.MergedSeries, pk)`, `klass.objects...` in it: a use at the call,
    confidence medium). Each had been missed (the pictures tables dead). Real Django runs
    the same tables."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(MODEL_HANDED_ON, shop_db=True))
    real = captured_sql(
        root, "from shop import models, views",
        "views.feed(1); models.Series(id=1, name='s').merge(); views.merged(1)",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [sorted(set(re.findall(r'(?:FROM|INTO|JOIN) "(\w+)"', sql))) for sql in real] == [
        ["shop_post"],
        ["shop_mergedseries"],
        ["shop_mergedseries"],
    ]  # (no post, so no prefetch query: the prefetch reads the link and the pictures)
    report = scan(root)
    assert {
        t.name: sorted({(u.path, u.line, u.kind, u.operation, u.confidence) for u in t.uses})
        for t in report.tables if t.name.startswith("shop_")
    } == {
        "shop_mergedseries": [
            ("shop/models.py", 27, "read", "model attribute", "low"),
            ("shop/models.py", 31, "write", "create", "high"),
            ("shop/views.py", 13, "read", "first", "medium"),
        ],
        "shop_picture": [("shop/views.py", 5, "read", "prefetch_related", "high")],
        "shop_post": [
            ("shop/models.py", 10, "read", "filter", "high"),
            ("shop/views.py", 5, "read", "prefetch_related", "high"),
        ],
        "shop_post_pictures": [("shop/views.py", 5, "read", "prefetch_related", "high")],
        "shop_series": [],
    }
    assert scan(root, prefilter=False).to_json() == report.to_json()


TYPED_LOCALS = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class ThingManager(models.Manager):\n"
        "    def for_name(self, name):\n"
        "        thing, _ = self.get_or_create(name=name)\n"
        "        return thing\n\n\n"
        "class Thing(models.Model):\n"
        "    name = models.CharField(max_length=10)\n"
        "    objects = ThingManager()\n\n\n"
        "class Note(models.Model):\n"
        "    thing = models.ForeignKey(Thing, models.CASCADE)\n"
    ),
    "shop/views.py": (
        "import copy\n\n"
        "from django.contrib.auth.models import User\n"
        "from django.db.models import QuerySet\n\n"
        "from shop.models import Thing\n\n\n"
        "def _pair(pk):\n"
        "    return Thing.objects.get(pk=pk), True\n\n\n"
        "def _annotated(pk) -> \"Thing\":\n"
        "    return lookup(pk)\n\n\n"
        "def lookup(pk):\n"
        "    return Thing.objects.filter(pk=pk).first()\n\n\n"
        "def unpacked(pk):\n"
        "    thing, _ = _pair(pk)\n"
        "    thing.note_set.all().delete()\n\n\n"
        "def annotated(pk):\n"
        "    _annotated(pk).save()\n\n\n"
        "def branches(pk, fresh):\n"
        "    if fresh:\n"
        "        thing = Thing.objects.get(pk=pk)\n"
        "    else:\n"
        "        thing = Thing.objects.filter(pk=pk).get()\n"
        "    thing.save()\n\n\n"
        "def action(queryset: QuerySet[Thing]):\n"
        "    for thing in queryset:\n"
        "        thing.save()\n\n\n"
        "def indexed():\n"
        "    first = Thing.objects.order_by('pk')[0]\n"
        "    copy.copy(first).save()\n\n\n"
        "def named(name):\n"
        "    Thing.objects.for_name(name).save()\n\n\n"
        "def make_user():\n"
        "    user = User(username='x')\n"
        "    user.save()\n\n\n"
        "def close(request):\n"
        "    user = request.user\n"
        "    user.delete()\n"
    ),
}


def test_instances_typed_through_tuples_annotations_branches_and_copies(
    make_repo: MakeRepo,
) -> None:
    """How views get hold of a row (healthchecks, wger): an item of the tuple a helper
    returns (`thing, rw = _get(pk)`), a helper whose return annotation names the model, a
    name bound in `if`/`else` arms, a parameter annotated `QuerySet[Thing]`, an indexed
    queryset and its `copy.copy`, a custom manager method returning one row (`save()` is a
    write, never a read), a contrib model made by its constructor, and a local bound to
    `request.user`. Each use had been missed or read as a read. Real Django runs the same
    statements on the same tables."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(TYPED_LOCALS, apps=("django.contrib.auth",), shop_db=True))
    real = captured_sql(
        root,
        "from shop import views; from shop.models import Thing; "
        "from django.contrib.auth.models import User; "
        "Thing.objects.create(pk=1, name='a'); "
        "request = type('R', (), {'user': User.objects.create(username='u')})()",
        "views.unpacked(1); views.annotated(1); views.branches(1, True); "
        "views.action(Thing.objects.all()); views.indexed(); views.named('a'); "
        "views.make_user(); views.close(request)",
        ("makemigrations", "shop"), ("migrate",),
    )
    written = sorted({
        match.group(1) for sql in real
        if (match := re.match(r'(?:INSERT INTO|UPDATE|DELETE FROM) "(\w+)"', sql))
    })
    # (deleting a user also deletes its group and permission links)
    assert written == [
        "auth_user", "auth_user_groups", "auth_user_user_permissions", "shop_note", "shop_thing"
    ]
    report = scan(root)
    writes = sorted(
        (u.path, u.line, t.name, u.operation)
        for t in report.tables for u in t.uses if u.kind == "write" and u.path == "shop/views.py"
    )
    assert writes == [
        ("shop/views.py", 23, "shop_note", "delete"),
        ("shop/views.py", 27, "shop_thing", "save"),
        ("shop/views.py", 35, "shop_thing", "save"),
        ("shop/views.py", 40, "shop_thing", "save"),
        ("shop/views.py", 45, "shop_thing", "save"),
        ("shop/views.py", 49, "shop_thing", "save"),
        ("shop/views.py", 54, "auth_user", "save"),
        ("shop/views.py", 59, "auth_user", "delete"),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


EDITED_LINKS = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Tag(models.Model):\n"
        "    label = models.CharField(max_length=10)\n\n\n"
        "class Post(models.Model):\n"
        "    title = models.CharField(max_length=10)\n"
        "    tags = models.ManyToManyField(Tag)\n"
        "    watchers = models.ManyToManyField(Tag, related_name='watched')\n"
    ),
    "shop/forms.py": (
        "from django import forms\n\n"
        "from shop.models import Post\n\n\n"
        "class PostForm(forms.ModelForm):\n"
        "    class Meta:\n"
        "        model = Post\n"
        "        fields = ('title', 'tags')\n"
    ),
}


def test_a_model_form_editing_a_many_to_many_field_writes_its_link_table(
    make_repo: MakeRepo,
) -> None:
    """A ModelForm (or editing view) whose `fields` name a many-to-many field: saving it
    writes the field's link table and its choices read the target's (wger's contract
    options had no use; a sketch's tag table was reported dead). A field the form leaves
    out (`watchers`) is not edited. Real Django's form save runs those statements."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(EDITED_LINKS, shop_db=True))
    real = captured_sql(
        root, "from shop.forms import PostForm; from shop.models import Tag; "
        "tag = Tag.objects.create(label='a')",
        "form = PostForm(data={'title': 'x', 'tags': [tag.pk]}); form.is_valid(); form.save()",
        ("makemigrations", "shop"), ("migrate",),
    )
    touched = sorted({
        (match.group(1).split()[0], match.group(2)) for sql in real
        if (match := re.match(r'(SELECT|INSERT (?:OR IGNORE )?INTO) .*?"(shop_\w+)"', sql))
    })
    assert touched == [
        ("INSERT", "shop_post"), ("INSERT", "shop_post_tags"), ("SELECT", "shop_tag"),
    ]
    report = scan(root)
    assert sorted(
        (t.name, u.line, u.kind) for t in report.tables for u in t.uses
        if u.path == "shop/forms.py"
    ) == [
        ("shop_post", 8, "read"), ("shop_post", 8, "write"),
        ("shop_post_tags", 9, "write"), ("shop_tag", 9, "read"),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


SUMMED_DEPENDENCIES = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Item(models.Model):\n"
        "    name = models.CharField(max_length=10)\n"
        "    size = models.IntegerField(default=0)\n"
    ),
    "shop/migrations/0001_initial.py": (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    dependencies = []\n"
        "    operations = [migrations.CreateModel(name='Item', fields=[\n"
        "        ('id', models.BigAutoField(auto_created=True, primary_key=True,"
        " serialize=False, verbose_name='ID')),\n"
        "        ('name', models.CharField(max_length=10)),\n"
        "    ])]\n"
    ),
    "shop/migrations/0002_item_size.py": (
        "from django.conf import settings\n"
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    dependencies = [('shop', '0001_initial')] + getattr(settings, 'EXTRA_DEPS', [])\n"
        "    operations = [\n"
        "        migrations.AddField(model_name='item', name='size',\n"
        "                            field=models.IntegerField(default=0)),\n"
        "    ]\n"
    ),
}


def test_migration_dependencies_summed_with_a_setting_keep_the_listed_ones(
    make_repo: MakeRepo,
) -> None:
    """`dependencies = [("shop", "0001_initial")] + getattr(settings, "EXTRA_DEPS", [])`
    (django-helpdesk): the listed dependency is kept and only the setting's part is left out
    (with a diagnostic); the whole list had been dropped, so 0002 floated free of 0001 and
    its AddField was a migration-order warning on an empty database. Real `migrate` runs."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(SUMMED_DEPENDENCIES, shop_db=True))
    real = run_in_django(
        root, "from django.db import connection; print([c.name for c in "
        "connection.introspection.get_table_description(connection.cursor(), 'shop_item')])",
        ("migrate",), SHOP_DB=str(root / "shop.sqlite3"),
    )
    assert real.strip() == "['id', 'name', 'size']"
    report = scan(root)
    assert [f.name for f in report.findings] == ["dead-table"]  # (no code uses it)
    assert states(report, "django") == {"shop_item": ("id", "name", "size")}
    assert [
        (d.code, d.path) for d in report.diagnostics if d.code != "django-dialect"
    ] == [("django-unreadable-migration", "shop/migrations/0002_item_size.py")]


METACLASS_PROXIES = {
    "shop/models.py": (
        "from django.db import models\n"
        "from django.db.models.base import ModelBase\n\n\n"
        "class ProxyBase(ModelBase):\n"
        "    def __new__(cls, name, bases, attrs, **kwargs):\n"
        "        if 'Meta' not in attrs:\n\n"
        "            class Meta:\n"
        "                proxy = True\n\n"
        "            attrs['Meta'] = Meta\n"
        "        attrs['Meta'].proxy = True\n"
        "        return super().__new__(cls, name, bases, attrs, **kwargs)\n\n\n"
        "class ThingDB(models.Model):\n"
        "    key = models.CharField(max_length=10)\n\n\n"
        "class Thing(ThingDB, metaclass=ProxyBase):\n"
        "    pass\n\n\n"
        "class Widget(Thing):\n"
        "    def rename(self, key):\n"
        "        self.key = key\n"
        "        self.save()\n"
    ),
}


def test_proxies_made_by_a_model_metaclass(make_repo: MakeRepo) -> None:
    """A metaclass deriving from `ModelBase` whose `__new__` gives every class it makes
    `class Meta: proxy = True` (evennia's typeclasses): `Thing` and its subclass `Widget`
    are proxies of `ThingDB`, sharing its table; each had been a multi-table child with a
    table of its own (evennia: 17 model-without-migration and 3 dead-table warnings on
    tables that do not exist). Real `makemigrations` and Django's options agree."""
    import json

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(METACLASS_PROXIES))
    real = json.loads(run_in_django(
        root, "import json; from shop.models import Thing, Widget; print(json.dumps("
        "[[m._meta.proxy, m._meta.db_table] for m in (Thing, Widget)]))",
        ("makemigrations", "shop"),
    ))
    assert real == [[True, "shop_thingdb"], [True, "shop_thingdb"]]
    report = scan(root)
    assert sorted(t.name for t in report.tables if t.name.startswith("shop_")) == [
        "shop_thingdb"
    ]
    (thing,) = [t for t in report.tables if t.name == "shop_thingdb"]
    assert [(u.path, u.line, u.kind) for u in thing.uses] == [("shop/models.py", 28, "write")]
    assert [f.name for f in report.findings] == []


LAZY_GLOBAL_IMPORTS = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Account(models.Model):\n"
        "    name = models.CharField(max_length=10)\n\n\n"
        "class Ticket(models.Model):\n"
        "    title = models.CharField(max_length=10)\n"
    ),
    # a package filling its public names in an init function, against import cycles
    "shop/api.py": (
        "Ticket = None\n\n\n"
        "def init():\n"
        "    global Ticket\n"
        "    from shop.models import Ticket\n"
    ),
    "shop/services.py": (
        "from shop import api\n\n"
        "_Account = None\n\n\n"
        "def delayed_import():\n"
        "    global _Account\n"
        "    if not _Account:\n"
        "        from shop.models import Account as _Account\n\n\n"
        "def active():\n"
        "    delayed_import()\n"
        "    return _Account.objects.filter(name='a').count()\n\n\n"
        "def open_tickets():\n"
        "    return api.Ticket.objects.filter(title='t').count()\n"
    ),
}


def test_lazy_imports_into_module_level_placeholders(make_repo: MakeRepo) -> None:
    """`_Account = None` at module level and `global _Account; from shop.models import
    Account as _Account` in a function (evennia's `delayed_import()` and its package's
    `_init()`, against import cycles): code reading `_Account.objects` runs once the import
    filled the name, so it is the model (evennia: 81 uses missed). Real Django runs the
    queries on the models' tables."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(LAZY_GLOBAL_IMPORTS, shop_db=True))
    real = captured_sql(
        root, "from shop import api, services; api.init()",
        "services.active(); services.open_tickets()",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [re.findall(r'FROM "(\w+)"', sql) for sql in real] == [
        ["shop_account"], ["shop_ticket"]
    ]
    report = scan(root)
    uses = {
        t.name: [(u.path, u.line, u.kind, u.operation, u.confidence) for u in t.uses]
        for t in report.tables if t.name.startswith("shop_")
    }
    assert uses == {
        "shop_account": [("shop/services.py", 14, "read", "count", "high")],
        "shop_ticket": [("shop/services.py", 18, "read", "count", "high")],
    }


LABELLED_LIBRARY = {
    "lib/__init__.py": "",
    "lib/core/__init__.py": "",
    "lib/core/apps.py": (
        "from django.apps import AppConfig\n\n\n"
        "class CoreConfig(AppConfig):\n"
        '    name = "lib.core"\n'
        '    label = "libcore"\n'
    ),
    "lib/core/models.py": (
        "from django.db import models\n\n\n"
        "class Thing(models.Model):\n"
        "    title = models.CharField(max_length=10)\n"
        "    name = models.CharField(max_length=10)\n\n\n"
        "def count():\n"
        "    return Thing.objects.count()\n"
    ),
    "lib/core/migrations/__init__.py": "",
    "lib/core/migrations/0001_initial.py": (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    dependencies = []\n"
        "    operations = [\n"
        "        migrations.CreateModel(\n"
        '            name="Thing",\n'
        "            fields=[\n"
        '                ("id", models.AutoField(auto_created=True, primary_key=True, '
        'serialize=False, verbose_name="ID")),\n'
        '                ("title", models.CharField(max_length=10)),\n'
        "            ],\n"
        "        ),\n"
        "    ]\n"
    ),
    "lib/core/migrations/0002_thing_name.py": (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("libcore", "0001_initial")]\n'
        "    operations = [\n"
        '        migrations.AddField("thing", "name", models.CharField(default="", '
        "max_length=10), preserve_default=False),\n"
        "    ]\n"
    ),
    "lib/search/__init__.py": "",
    "lib/search/apps.py": (
        "from indexing.apps import IndexingAppConfig\n\n\n"
        "class SearchConfig(IndexingAppConfig):\n"
        '    name = "lib.search"\n'
        '    label = "libsearch"\n'
    ),
    "lib/search/models.py": (
        "from django.db import models\n\n\n"
        "class Entry(models.Model):\n"
        "    key = models.CharField(max_length=10)\n\n\n"
        "def keys():\n"
        "    return Entry.objects.values_list('key')\n"
    ),
    "lib/search/migrations/__init__.py": "",
    "lib/search/migrations/0001_initial.py": (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        '    dependencies = [("libcore", "0002_thing_name")]\n'
        "    operations = [\n"
        "        migrations.CreateModel(\n"
        '            name="Entry",\n'
        "            fields=[\n"
        '                ("id", models.AutoField(auto_created=True, primary_key=True, '
        'serialize=False, verbose_name="ID")),\n'
        '                ("key", models.CharField(max_length=10)),\n'
        "            ],\n"
        "        ),\n"
        "    ]\n"
    ),
}


def test_a_library_without_settings_labels_its_apps_as_their_configs_do(
    make_repo: MakeRepo,
) -> None:
    """A reusable app without settings (wagtail): each app is labelled by the AppConfig of
    its `apps` module (`label = "libcore"`), also one specialising a third-party app's
    config, not by its folder name, so its migrations' dependencies on
    `("libcore", "0001_initial")` are found (wagtail: 45 false migration-order warnings, a
    false error and 10 conflicting-migrations diagnostics; its tables named `images_image`
    for `wagtailimages_image`). Real Django, given settings installing the app, names the
    table and plans the migrations so."""
    import json
    import subprocess
    import sys

    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    files = dict(LABELLED_LIBRARY)
    root = make_repo(files)
    report = scan(root)
    assert {t.name: t.status for t in report.tables} == {
        "libcore_thing": "used", "libsearch_entry": "used",
    }
    assert report.findings == []
    assert [d.code for d in report.diagnostics if d.code.startswith("django")] == []
    assert scan(root, prefilter=False).to_json() == report.to_json()
    indexing = root.parent / "indexing_pkg"
    (indexing / "indexing").mkdir(parents=True)
    (indexing / "indexing" / "__init__.py").write_text("")
    (indexing / "indexing" / "apps.py").write_text(
        "from django.apps import AppConfig\n\n\nclass IndexingAppConfig(AppConfig):\n"
        "    default = False\n"
    )
    probe = (
        "import json, sys; sys.path[:0] = sys.argv[1:3]; import django; "
        "from django.conf import settings; settings.configure(INSTALLED_APPS=["
        "'lib.core.apps.CoreConfig', 'lib.search.apps.SearchConfig'], DATABASES={'default': "
        "{'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}); django.setup(); "
        "from django.apps import apps; from django.db import connection; "
        "from django.db.migrations.loader import MigrationLoader; "
        "plan = MigrationLoader(connection).graph.forwards_plan(('libsearch', '0001_initial')); "
        "print(json.dumps([[m._meta.db_table for m in apps.get_models()], plan]))"
    )
    real = json.loads(subprocess.run(
        [sys.executable, "-c", probe, str(root), str(indexing)], capture_output=True,
        text=True, check=True,
    ).stdout)
    assert real == [
        ["libcore_thing", "libsearch_entry"],
        [["libcore", "0001_initial"], ["libcore", "0002_thing_name"],
         ["libsearch", "0001_initial"]],
    ]


def test_modelclusters_parental_key_is_a_foreign_key(make_repo: MakeRepo) -> None:
    """django-modelcluster's `ParentalKey` (Wagtail's inline children) is a ForeignKey:
    its column is `<name>_id`, as the migration's `ParentalKey` says, not a plain column the
    model lacks (wagtail: two false model-drift warnings)."""
    models = (
        "from django.db import models\n"
        "from modelcluster.fields import ParentalKey\n\n\n"
        "class Thing(models.Model):\n"
        "    title = models.CharField(max_length=10)\n\n\n"
        "class Part(models.Model):\n"
        '    thing = ParentalKey(Thing, on_delete=models.CASCADE, related_name="parts")\n\n\n'
        "def parts(thing):\n"
        "    return Part.objects.filter(thing=thing).count(), Thing.objects.count()\n"
    )
    migration = (
        "import django.db.models.deletion\n"
        "import modelcluster.fields\n"
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    dependencies = []\n"
        "    operations = [\n"
        '        migrations.CreateModel(name="Thing", fields=[\n'
        '            ("id", models.AutoField(primary_key=True, serialize=False)),\n'
        '            ("title", models.CharField(max_length=10)),\n'
        "        ]),\n"
        '        migrations.CreateModel(name="Part", fields=[\n'
        '            ("id", models.AutoField(primary_key=True, serialize=False)),\n'
        '            ("thing", modelcluster.fields.ParentalKey(on_delete=django.db.models.'
        'deletion.CASCADE, related_name="parts", to="shop.thing")),\n'
        "        ]),\n"
        "    ]\n"
    )
    root = make_repo(shop_project({
        "shop/models.py": models, "shop/migrations/0001_initial.py": migration,
    }))
    report = scan(root)
    assert report.findings == []
    assert states(report, "django") == {
        "shop_part": ("id", "thing_id"), "shop_thing": ("id", "title"),
    }


REPOINTED_M2M = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Store(models.Model):\n"
        "    name = models.CharField(max_length=10)\n\n\n"
        "class Label(models.Model):\n"
        "    name = models.CharField(max_length=10)\n\n\n"
        "class Item(models.Model):\n"
        "    labels = models.ManyToManyField(Label)\n\n\n"
        "def labelled(label):\n"
        "    return Item.objects.filter(labels=label).count(), Store.objects.count(), (\n"
        "        Label.objects.count())\n"
    ),
    "shop/migrations/0001_initial.py": (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    dependencies = []\n"
        "    operations = [\n"
        '        migrations.CreateModel(name="Store", fields=[\n'
        '            ("id", models.BigAutoField(auto_created=True, primary_key=True, '
        'serialize=False, verbose_name="ID")),\n'
        '            ("name", models.CharField(max_length=10)),\n'
        "        ]),\n"
        '        migrations.CreateModel(name="Label", fields=[\n'
        '            ("id", models.BigAutoField(auto_created=True, primary_key=True, '
        'serialize=False, verbose_name="ID")),\n'
        '            ("name", models.CharField(max_length=10)),\n'
        "        ]),\n"
        '        migrations.CreateModel(name="Item", fields=[\n'
        '            ("id", models.BigAutoField(auto_created=True, primary_key=True, '
        'serialize=False, verbose_name="ID")),\n'
        '            ("labels", models.ManyToManyField(to="shop.store")),\n'
        "        ]),\n"
        "    ]\n"
    ),
    "shop/migrations/0002_repoint.py": (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [\n"
        '        migrations.AlterField(\n'
        '            "item", "labels", models.ManyToManyField(to="shop.label")),\n'
        "    ]\n"
    ),
}


def test_an_alter_field_repointing_a_many_to_many_renames_its_join_column(
    make_repo: MakeRepo,
) -> None:
    """`AlterField("item", "labels", ManyToManyField(to="shop.label"))` on a field that
    pointed at `shop.store`: Django alters the join table's foreign key to the new target,
    its column `store_id` becoming `label_id` (kitsune's and bookwyrm's false model-drift on
    the join table). Real `migrate` builds the columns the replay ends with."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(REPOINTED_M2M, shop_db=True))
    real = after_migrate(root, "[c.name for c in connection.introspection"
                               ".get_table_description(connection.cursor(), 'shop_item_labels')]")
    assert real == ["id", "item_id", "label_id"]
    report = scan(root)
    assert states(report, "django")["shop_item_labels"] == tuple(real)
    assert report.findings == []


SWAPPED_IN_RUN_PYTHON = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Entry(models.Model):\n"
        "    body = models.TextField()\n\n\n"
        "def count():\n"
        "    return Entry.objects.count()\n"
    ),
    "shop/migrations/0001_initial.py": (
        "from django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        "    initial = True\n"
        "    dependencies = []\n"
        "    operations = [\n"
        '        migrations.CreateModel(name="Entry", fields=[\n'
        '            ("id", models.BigAutoField(auto_created=True, primary_key=True, '
        'serialize=False, verbose_name="ID")),\n'
        '            ("body", models.TextField()),\n'
        "        ]),\n"
        "    ]\n"
    ),
    "shop/migrations/0002_rebuild.py": (
        "from django.db import connection, migrations\n\n\n"
        "def swap(apps, schema_editor):\n"
        "    cursor = connection.cursor()\n"
        '    cursor.execute("DROP TABLE shop_entry")\n'
        '    cursor.execute("ALTER TABLE shop_entry_new RENAME TO shop_entry")\n\n\n'
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("shop", "0001_initial")]\n'
        "    operations = [\n"
        "        migrations.RunSQL(\n"
        '            "CREATE TABLE shop_entry_new AS SELECT * FROM shop_entry ORDER BY id"\n'
        "        ),\n"
        "        migrations.RunPython(swap),\n"
        "    ]\n"
    ),
}


def test_literal_sql_a_run_python_function_runs_is_replayed(make_repo: MakeRepo) -> None:
    """`migrations.RunSQL("CREATE TABLE shop_entry_new AS ...")` then `RunPython(swap)`,
    whose function drops `shop_entry` and renames the new table into place with
    `connection.cursor().execute(...)` (taiga's rebuild of its history table): the swap is
    replayed, so `shop_entry_new` is no dead table left behind. Real `migrate` leaves
    exactly `shop_entry`."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(SWAPPED_IN_RUN_PYTHON, shop_db=True))
    real = after_migrate(
        root, "sorted(t for t in connection.introspection.table_names() if t.startswith('shop_'))"
    )
    assert real == ["shop_entry"]
    report = scan(root)
    assert {t.name: t.status for t in report.tables if t.name.startswith("shop_")} == {
        "shop_entry": "used", "shop_entry_new": "removed",
    }
    assert report.findings == []


USER_MODEL_IN_SQL = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Shelf(models.Model):\n"
        "    name = models.CharField(max_length=10)\n"
    ),
    "shop/queries.py": (
        "from django.contrib.auth import get_user_model\n"
        "from django.db import connection\n\n"
        "from shop.models import Shelf\n\n"
        "User = get_user_model()\n\n\n"
        "def active():\n"
        '    sql = "SELECT u.id FROM {t} u JOIN {s} s ON s.id = u.id".format(\n'
        "        t=User._meta.db_table, s=Shelf._meta.db_table\n"
        "    )\n"
        "    with connection.cursor() as cur:\n"
        "        cur.execute(sql)\n"
        "        return cur.fetchall()\n"
    ),
}


def test_the_user_models_table_named_through_get_user_model(make_repo: MakeRepo) -> None:
    """`get_user_model()._meta.db_table` in a query's text (kitsune's tidings): the table of
    AUTH_USER_MODEL, contrib's `auth_user` here, as `Shelf._meta.db_table` is the shelf's
    (kitsune: a false dynamic-table-name, and `auth_user` missing from the statement's
    uses). Real Django runs the query on those tables."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(USER_MODEL_IN_SQL, apps=("django.contrib.auth",), shop_db=True))
    real = captured_sql(
        root, "from shop import queries", "queries.active()",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert real == ['SELECT u.id FROM auth_user u JOIN shop_shelf s ON s.id = u.id']
    report = scan(root)
    assert [f.name for f in report.findings] == []
    uses = {
        t.name: [(u.path, u.line, u.kind) for u in t.uses]
        for t in report.tables if t.uses
    }
    # (at the line of the expressions naming them)
    assert uses == {
        "auth_user": [("shop/queries.py", 11, "read")],
        "shop_shelf": [("shop/queries.py", 11, "read")],
    }


COMPILED_QUERYSET = {
    "shop/models.py": (
        "from django.db import models\n\n\n"
        "class Entry(models.Model):\n"
        "    body = models.TextField()\n"
    ),
    "shop/search.py": (
        "from shop.models import Entry\n\n\n"
        "def search(term):\n"
        "    qs = Entry.objects.filter(body__startswith=term)\n"
        "    sql, params = qs.query.sql_with_params()\n"
        '    return list(Entry.objects.raw(f"SELECT * FROM ({sql}) t WHERE t.id > 0", params))\n'
    ),
}


def test_a_subquery_of_a_querysets_compiled_sql_is_no_dynamic_name(make_repo: MakeRepo) -> None:
    """`sql, params = qs.query.sql_with_params()` then `raw(f"SELECT * FROM ({sql}) t")`
    (netbox's search backend): the subquery is the SQL Django compiles for the queryset,
    whose table the ORM chain building it already reads; no dynamic-table-name. Real Django
    runs it on that table."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    root = make_repo(shop_project(COMPILED_QUERYSET, shop_db=True))
    real = captured_sql(
        root, "from shop import search", "search.search('a')",
        ("makemigrations", "shop"), ("migrate",),
    )
    assert [set(re.findall(r'"(shop_\w+)"', sql)) for sql in real] == [{"shop_entry"}]
    report = scan(root)
    assert [f.name for f in report.findings] == []
    (entry,) = [t for t in report.tables if t.name == "shop_entry"]
    assert [(u.path, u.line, u.kind) for u in entry.uses] == [("shop/search.py", 5, "read")]
