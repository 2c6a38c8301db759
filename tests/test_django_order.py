"""TT015 migration-order for Django: each migration replayed from what its dependencies leave.

`migrate` on an empty database runs a migration only after the migrations it depends on
(`dependencies`, and `run_before` seen from the other side); two apps that do not depend on
each other may run in either order (`migrate billing` runs billing alone). A step that needs a
table or column none of its ancestors creates fails there. Tables of apps outside the
repository (contrib, third party) exist before: their migrations run first. The first test
asks real Django (`migrate` on SQLite, in a subprocess: the project is never imported here).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer import Report, scan
from tests.conftest import MakeRepo
from tests.test_django import ID, app, create, migration, one_model, site

PRODUCT = one_model("Product", "name = models.CharField(max_length=20)")
INSTALLED = '["django.contrib.auth", "django.contrib.contenttypes", "shop", "billing"]'
SQLITE = "django.db.backends.sqlite3"


def shop(*later: tuple[str, str]) -> dict[str, str]:
    """App shop: 0001 creates shop_product (id, name); `later` are further (file, operations)."""
    migrations = {
        "0001_initial.py": migration(
            "[]", create("Product", f"{ID}, ('name', models.CharField(max_length=20))")
        )
    }
    previous = "0001_initial"
    for file, operations in later:
        migrations[file] = migration(f"[('shop', {previous!r})]", operations)
        previous = file.removesuffix(".py")
    return app("shop", PRODUCT, migrations)


def order_findings(report: Report) -> set[tuple[str, str, int, str]]:
    return {
        (f.table or "", f.path or "", f.line or 0, f.severity)
        for f in report.findings
        if f.name == "migration-order"
    }


def message(report: Report, table: str) -> str:
    return next(
        f.message for f in report.findings if f.name == "migration-order" and f.table == table
    )


DROP_LEGACY_FAX = '        migrations.RunSQL("ALTER TABLE shop_legacy DROP COLUMN fax"),'
BILLING = migration(  # depends on shop and on contrib auth: both tables exist before it runs
    "[('shop', '0001_initial'), ('auth', '0012_alter_user_first_name_max_length')]",
    '        migrations.RunSQL("INSERT INTO shop_product (name) VALUES (\'gift\')"),\n'
    '        migrations.RunSQL("UPDATE auth_user SET is_staff = 0 WHERE id = 0"),\n'
    '        migrations.RunSQL("DROP TABLE IF EXISTS billing_scratch"),',
)


def test_a_runsql_on_a_table_no_migration_creates(make_repo: MakeRepo) -> None:
    files = site(
        INSTALLED,
        {
            **shop(("0002_drop_fax.py", DROP_LEGACY_FAX)),
            **app("billing", "", {"0001_initial.py": BILLING}),
        },
        engine=SQLITE,
    )
    root = make_repo(files)
    report = scan(root)
    assert order_findings(report) == {
        ("public.shop_legacy", "web/shop/migrations/0002_drop_fax.py", 8, "error")
    }
    assert message(report, "public.shop_legacy") == (
        "`migrate` on an empty database stops at migration shop.0002_drop_fax "
        "(web/shop/migrations/0002_drop_fax.py:8): `ALTER TABLE shop_legacy DROP COLUMN fax` "
        "needs table public.shop_legacy, which no migration it depends on creates, and no other "
        "source creates it: create it in an earlier migration, or remove the step"
    )
    _real_migrate_stops_at(root / "web", "shop.0002_drop_fax", "no such table: shop_legacy")


def _real_migrate(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`migrate [args]` on an empty SQLite database, in a subprocess."""
    pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")
    database = project / "db.sqlite3"
    database.unlink(missing_ok=True)
    script = (
        "import django, os\n"
        "from django.conf import settings\n"
        "from django.core.management import call_command\n"
        "import config.settings as s\n"
        f"settings.configure(INSTALLED_APPS=s.INSTALLED_APPS, DATABASES={{'default': "
        f"{{'ENGINE': {SQLITE!r}, 'NAME': {str(database)!r}}}}}, "
        "DEFAULT_AUTO_FIELD='django.db.models.BigAutoField')\n"
        "django.setup()\n"
        f"call_command('migrate', *{list(args)!r}, verbosity=1, interactive=False)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run(
        [sys.executable, "-c", script], cwd=project, capture_output=True, text=True,
        env=env, timeout=120, check=False,
    )


def _real_migrate_stops_at(
    project: Path, migration_label: str, error: str, *args: str
) -> None:
    """`migrate [args]` on an empty SQLite database fails at that migration."""
    result = _real_migrate(project, *args)
    assert result.returncode != 0, result.stdout
    applied = [line.strip() for line in result.stdout.splitlines() if "Applying" in line]
    assert applied[-1] == f"Applying {migration_label}...", result.stdout
    assert error in result.stderr, result.stderr[-2000:]


def test_a_step_needs_what_its_dependencies_create_not_a_sibling_app(
    make_repo: MakeRepo,
) -> None:
    """billing reads shop_product without depending on shop: `migrate billing` fails there, and
    the finding names shop's migration that creates it. A column shop_product never has is a
    column fault; IF EXISTS and contrib tables are never faults."""
    billing = migration(
        "[('auth', '0012_alter_user_first_name_max_length')]",
        '        migrations.RunSQL("INSERT INTO shop_product (name) VALUES (\'gift\')"),\n'
        '        migrations.RunSQL("UPDATE auth_user SET is_staff = 0 WHERE id = 0"),\n'
        '        migrations.RunSQL("ALTER TABLE IF EXISTS shop_legacy DROP COLUMN fax"),',
    )
    drop_fax = '        migrations.RunSQL("ALTER TABLE shop_product DROP COLUMN fax"),'
    report = scan(
        make_repo(
            site(
                INSTALLED,
                {
                    **shop(("0002_product_fax.py", drop_fax)),
                    **app("billing", "", {"0001_initial.py": billing}),
                },
            )
        )
    )
    assert order_findings(report) == {
        ("public.shop_product", "web/billing/migrations/0001_initial.py", 8, "error"),
        ("public.shop_product", "web/shop/migrations/0002_product_fax.py", 8, "error"),
    }
    assert message(report, "public.shop_product").endswith(
        "needs table public.shop_product, which no migration it depends on creates; the Django "
        "migration at web/shop/migrations/0001_initial.py:8 (migration shop.0001_initial) of "
        "the same source creates it, but not before this step on every path `migrate` may "
        "take: add that migration to this one's `dependencies`, or move the step"
    )


def test_dependencies_across_apps_and_squashes_order_the_steps(make_repo: MakeRepo) -> None:
    """With the dependency, billing's steps find shop_product; a DeleteModel of a model whose
    table only a state operation created is a fault (the DROP finds no table)."""
    state_only = (
        "        migrations.SeparateDatabaseAndState(state_operations=["
        + create("Ghost", ID).strip().rstrip(",")
        + "]),"
    )
    report = scan(
        make_repo(
            site(
                INSTALLED,
                {
                    **shop(
                        ("0002_ghost.py", state_only),
                        ("0003_delete_ghost.py", "        migrations.DeleteModel('Ghost'),"),
                    ),
                    **app("billing", "", {"0001_initial.py": BILLING}),
                },
            )
        )
    )
    assert order_findings(report) == {
        ("public.shop_ghost", "web/shop/migrations/0003_delete_ghost.py", 8, "error")
    }


def test_a_runsql_create_that_cannot_run_is_a_broken_definition(make_repo: MakeRepo) -> None:
    """PostgreSQL's parser rejects the CREATE: it defines nothing, so the ALTER after it needs
    a table no migration creates."""
    broken = (
        '        migrations.RunSQL("CREATE TABLE shop_legacy (id int,, fax text)"),\n'
        '        migrations.RunSQL("ALTER TABLE shop_legacy DROP COLUMN fax"),'
    )
    report = scan(make_repo(site(INSTALLED, shop(("0002_legacy.py", broken)))))
    assert {
        (f.name, f.table, f.path, f.line, f.confidence)
        for f in report.findings
        if f.name in ("broken-definition", "migration-order")
    } == {
        ("broken-definition", "public.shop_legacy", "web/shop/migrations/0002_legacy.py", 8,
         "high"),
        ("migration-order", "public.shop_legacy", "web/shop/migrations/0002_legacy.py", 9,
         "high"),
    }
    legacy = report.table("shop_legacy")
    assert legacy is not None and legacy.status == "broken"


def test_a_step_the_full_plan_saves_only_by_its_order(make_repo: MakeRepo) -> None:
    """billing reads shop_product without depending on shop, but app `alpha` (whose leaf the
    plan walks first) depends on shop: the full `migrate` runs shop.0001 before billing and
    passes; `migrate billing` alone stops at billing.0001. A warning that says so."""
    billing = migration(
        "[]", '        migrations.RunSQL("INSERT INTO shop_product (name) VALUES (\'gift\')"),'
    )
    alpha = migration("[('shop', '0001_initial')]", "")
    installed = '["django.contrib.auth", "django.contrib.contenttypes", "shop", "billing", "alpha"]'
    root = make_repo(
        site(
            installed,
            {
                **shop(),
                **app("billing", "", {"0001_initial.py": billing}),
                **app("alpha", "", {"0001_initial.py": alpha}),
            },
            engine=SQLITE,
        )
    )
    report = scan(root)
    assert order_findings(report) == {
        ("public.shop_product", "web/billing/migrations/0001_initial.py", 8, "warning")
    }
    text = message(report, "public.shop_product")
    assert text.startswith(
        "`migrate billing` on an empty database stops at migration billing.0001_initial "
        "(web/billing/migrations/0001_initial.py:8)"
    )
    assert text.endswith(
        "The full `migrate` passes: its plan happens to run the other branch first"
    )
    full = _real_migrate(root / "web")
    assert full.returncode == 0, full.stderr[-2000:]
    _real_migrate_stops_at(
        root / "web", "billing.0001_initial", "no such table: shop_product", "billing"
    )


def test_a_parent_that_is_an_older_ancestor_does_not_hide_newer_columns(
    make_repo: MakeRepo,
) -> None:
    """shop.0003 depends on billing.0001 (which saw shop_product at shop.0001) and on
    shop.0002 (which added fax): the newer picture of the table wins, so removing fax is fine.
    Removing a column no migration added is still a fault."""
    add_fax = "        migrations.AddField('product', 'fax', models.CharField(max_length=9)),"
    remove_fax = "        migrations.RemoveField('product', 'fax'),"
    files = site(
        INSTALLED,
        {
            **shop(("0002_fax.py", add_fax)),
            **app("billing", "", {"0001_initial.py": migration("[('shop', '0001_initial')]", "")}),
        },
    )
    files["web/shop/migrations/0003_no_fax.py"] = migration(
        "[('billing', '0001_initial'), ('shop', '0002_fax')]", remove_fax
    )
    assert order_findings(scan(make_repo(files))) == set()
    drop_phone = "        migrations.RunSQL('ALTER TABLE shop_product DROP COLUMN phone'),"
    files["web/shop/migrations/0004_no_phone.py"] = migration(
        "[('shop', '0003_no_fax')]", drop_phone
    )
    assert order_findings(scan(make_repo(files))) == {
        ("public.shop_product", "web/shop/migrations/0004_no_phone.py", 8, "error")
    }


def test_a_merge_migration_keeps_the_columns_of_both_branches(make_repo: MakeRepo) -> None:
    """0002_fax and 0002_phone both change shop_product, 0003 merges them: removing both
    columns after the merge is fine, whichever branch touched the table last."""
    files = site(INSTALLED, shop())
    for name, column in (("0002_fax", "fax"), ("0002_phone", "phone")):
        files[f"web/shop/migrations/{name}.py"] = migration(
            "[('shop', '0001_initial')]",
            f"        migrations.AddField('product', {column!r}, models.CharField(max_length=9)),",
        )
    files["web/shop/migrations/0003_merge.py"] = migration(
        "[('shop', '0002_fax'), ('shop', '0002_phone')]", ""
    )
    files["web/shop/migrations/0004_neither.py"] = migration(
        "[('shop', '0003_merge')]",
        "        migrations.RemoveField('product', 'fax'),\n"
        "        migrations.RemoveField('product', 'phone'),",
    )
    assert order_findings(scan(make_repo(files))) == set()


def test_a_step_on_an_outside_apps_table_may_stop_and_names_the_apps(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """A data migration updating `thirdapp_token`, a table of an installed app outside the
    repository (umap's `UPDATE social_auth_usersocialauth`): that app's migrations, which
    tabletrace cannot read, may create it, so `migrate` *may* stop there (a warning naming
    the outside apps, not an error saying it stops). Real Django: `migrate` stops there
    when the plan runs `shop` first, and passes once the step depends on the app's
    migration, as the finding advises."""
    outside = tmp_path / "outside"
    for path, text in {
        "thirdapp/__init__.py": "",
        "thirdapp/models.py": (
            "from django.db import models\n\n\n"
            "class Token(models.Model):\n    provider = models.CharField(max_length=20)\n"
        ),
        "thirdapp/migrations/__init__.py": "",
        "thirdapp/migrations/0001_initial.py": migration(
            "[]", create("Token", f"{ID}, ('provider', models.CharField(max_length=20))")
        ),
    }.items():
        (outside / path).parent.mkdir(parents=True, exist_ok=True)
        (outside / path).write_text(text)
    update = '        migrations.RunSQL("UPDATE thirdapp_token SET provider = \'osm2\'"),'
    root = make_repo(site(
        '["thirdapp", "shop"]', shop(("0002_rename_provider.py", update)), engine=SQLITE,
    ))
    report = scan(root)
    assert order_findings(report) == {
        ("public.thirdapp_token", "web/shop/migrations/0002_rename_provider.py", 8, "warning")
    }
    assert message(report, "public.thirdapp_token") == (
        "`migrate` on an empty database may stop at migration shop.0002_rename_provider "
        "(web/shop/migrations/0002_rename_provider.py:8): `UPDATE thirdapp_token SET provider "
        "= 'osm2'` needs table public.thirdapp_token, which no migration it depends on "
        "creates, and no source of the repository creates it. The project installs apps "
        "outside the repository (thirdapp) whose migrations may create it: if one does, make "
        "this migration depend on that app's migration"
    )
    saved = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(outside)
    try:
        _real_migrate_stops_at(
            root / "web", "shop.0002_rename_provider", "no such table: thirdapp_token"
        )
        step = root / "web/shop/migrations/0002_rename_provider.py"
        step.write_text(step.read_text().replace(
            "[('shop', '0001_initial')]", "[('shop', '0001_initial'), ('thirdapp', '0001_initial')]"
        ))
        assert _real_migrate(root / "web").returncode == 0
    finally:
        if saved is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = saved
