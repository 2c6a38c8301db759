"""The Django ground truth of tests/sample_django_expectations.py, proved by asking real Django.

``tests/django_probe.py`` runs in a subprocess (the sample's settings, models and services are
never imported into the test process) with the project's settings, DATABASES overridden to
SQLite in a temporary folder. It reports what Django itself sees: ``apps.get_models()``, the
migration loader and plan, the catalog after a real ``migrate`` on an empty database,
``makemigrations --check --dry-run``, the admin registry, and the SQL each application
function runs. The tests below compare that, table for table, with the hand-written ground
truth, as tests/test_alembic_real_upgrade.py does for Alembic.

Needs the ``django`` package (the ``test`` extra); skips with a reason without it.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot import exp

from tests import sample_django_expectations as expected
from tests.conftest import SAMPLE

pytest.importorskip("django", reason="Django is not installed (pip install -e '.[test]')")

PROBE = Path(__file__).with_name("django_probe.py")
PROJECT = SAMPLE / "backoffice"
LOCAL = set(expected.LOCAL_APPS)

Probe = dict[str, Any]


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> Probe:
    workdir = tmp_path_factory.mktemp("django")
    database = workdir / "db.sqlite3"
    (workdir / "tabletrace_probe_settings.py").write_text(
        "from backoffice.settings import *  # noqa: F403\n"
        "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', "
        f"'NAME': {str(database)!r}}}}}\n",
        encoding="utf-8",
    )
    env = {
        name: value
        for name, value in os.environ.items()
        if name != "DJANGO_SETTINGS_MODULE" and not name.startswith("LUMEN_")
    }
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # nothing written into sample_repo/
    result = subprocess.run(
        [sys.executable, str(PROBE), str(PROJECT), str(workdir)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=workdir,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads((workdir / "probe.json").read_text(encoding="utf-8"))


def _public(table: str) -> str:
    return f"public.{table}"


def _local_models(probe: Probe, *, auto_created: bool) -> list[dict[str, Any]]:
    return [
        m for m in probe["models"] if m["app_label"] in LOCAL and m["auto_created"] is auto_created
    ]


# ---------------------------------------------------------------------------------------------
# settings and apps
# ---------------------------------------------------------------------------------------------


def test_settings_are_what_django_reads(probe: Probe) -> None:
    settings = probe["settings"]
    assert tuple(settings["INSTALLED_APPS"]) == expected.INSTALLED_APPS
    assert settings["AUTH_USER_MODEL"] == expected.AUTH_USER_MODEL
    assert settings["ENGINE"] == expected.DATABASE_ENGINE
    manage = (SAMPLE / expected.MANAGE_PY).read_text(encoding="utf-8")
    assert f'"DJANGO_SETTINGS_MODULE", "{expected.SETTINGS_MODULE}"' in manage
    module_file = expected.SETTINGS_MODULE.replace(".", "/") + ".py"
    assert f"{expected.PROJECT_ROOT}/{module_file}" == expected.SETTINGS_FILE


def test_app_labels_are_django_labels(probe: Probe) -> None:
    apps = probe["apps"]
    local = {label: (a["path"], a["class"]) for label, a in apps.items() if a["path"]}
    assert local == expected.LOCAL_APPS
    contrib = {label: a["name"] for label, a in apps.items() if a["path"] is None}
    assert contrib == expected.CONTRIB_APPS


# ---------------------------------------------------------------------------------------------
# models: apps.get_models(include_auto_created=True)
# ---------------------------------------------------------------------------------------------


def test_model_tables_and_columns_are_djangos(probe: Probe) -> None:
    found = {
        m["label"]: (m["path"], m["line"], _public(m["table"]), tuple(m["columns"]))
        for m in _local_models(probe, auto_created=False)
    }
    assert found == expected.DJANGO_MODELS


def test_model_kinds_are_djangos(probe: Probe) -> None:
    models = {m["label"]: m for m in _local_models(probe, auto_created=False)}
    unmanaged = {_public(m["table"]): label for label, m in models.items() if not m["managed"]}
    assert unmanaged == expected.UNMANAGED_MODELS
    proxies = {label for label, m in models.items() if m["proxy"]}
    assert proxies == set(expected.PROXY_MODELS)
    for child, parent in expected.MULTI_TABLE_CHILDREN.items():
        parent_table = models[parent]["table"]
        assert [r for r in models[child]["relations"] if r[0].endswith("_ptr")] == [
            [f"{parent.split('.')[1].lower()}_ptr", parent_table, None]
        ]


def test_auto_created_m2m_tables_are_djangos(probe: Probe) -> None:
    found = {
        _public(m["table"]): (m["m2m_field"], tuple(m["columns"]))
        for m in _local_models(probe, auto_created=True)
    }
    assert found == {t: (v[2], v[3]) for t, v in expected.AUTO_M2M_TABLES.items()}


def test_auto_created_m2m_lines_name_the_field() -> None:
    for path, line, field, _columns in expected.AUTO_M2M_TABLES.values():
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        model, name = field.split(".")[1:]
        # a field of the class, or inherited by the class on that line
        assert f"{name} = models.ManyToManyField(" in text or f"class {model}(" in text, text


def test_model_tables_are_the_non_proxy_tables(probe: Probe) -> None:
    found: dict[str, tuple[str, ...]] = {}
    for m in probe["models"]:
        if m["app_label"] in LOCAL and not m["proxy"]:
            found[_public(m["table"])] = tuple(m["columns"])
    assert found == expected.MODEL_TABLES


def test_references_are_the_forward_relations(probe: Probe) -> None:
    found = set()
    for m in _local_models(probe, auto_created=False):
        if m["proxy"]:
            continue
        for _name, table, through in m["forward"]:
            if through is None:
                found.add((_public(m["table"]), _public(table), "foreign_key"))
            else:
                found.add((_public(m["table"]), _public(through), "many_to_many"))
    assert found == expected.DJANGO_REFERENCES


def test_non_models_are_not_registered(probe: Probe) -> None:
    names = {m["label"].split(".")[1] for m in probe["models"]}
    for path, line, name in expected.NOT_MODELS:
        assert name not in names
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert text.startswith(f"class {name}"), (path, line, text)
    tables = {_public(m["table"]) for m in probe["models"]}
    assert not tables & expected.ABSENT_TABLES


def test_external_tables_are_the_contrib_tables(probe: Probe) -> None:
    contrib = {
        _public(m["table"]): m["app_label"]
        for m in probe["models"]
        if m["app_label"] not in LOCAL and m["managed"] and not m["proxy"]
    }
    unmanaged_external = {"public.billing_subscriptions": "lumen (managed = False)"}
    assert contrib | unmanaged_external == expected.EXTERNAL_TABLES
    # the swapped-out auth.User is not a model Django lists (nor are its M2M tables)
    assert not {m["label"] for m in probe["models"]} & {"auth.User", "auth.User_groups"}


# ---------------------------------------------------------------------------------------------
# migrations: the loader, the plan, a real `migrate` on an empty SQLite database
# ---------------------------------------------------------------------------------------------


def test_migration_files_are_what_the_loader_reads(probe: Probe) -> None:
    found = {
        tuple(key.split(".", 1)): (
            m["path"],
            tuple(tuple(d) for d in m["dependencies"]),
            tuple(tuple(r) for r in m["replaces"]),
            tuple(tuple(r) for r in m["run_before"]),
        )
        for key, m in probe["migrations"].items()
    }
    assert found == expected.MIGRATIONS


def test_migrate_plan_uses_the_squash_and_run_before(probe: Probe) -> None:
    plan = [tuple(step) for step in probe["plan"] if step[0] in LOCAL]
    assert tuple(plan) == expected.MIGRATION_PLAN
    assert not set(plan) & expected.REPLACED_MIGRATIONS
    assert set(plan) | expected.REPLACED_MIGRATIONS == set(expected.MIGRATIONS)


def test_migrate_builds_the_head_state(probe: Probe) -> None:
    head = {_public(name): tuple(columns) for name, columns in probe["head"].items()}
    external = set(expected.EXTERNAL_TABLES) - set(expected.UNMANAGED_MODELS)
    local = {t: c for t, c in head.items() if t not in external | {expected.DJANGO_LEDGER_TABLE}}
    assert local == expected.MIGRATION_HEAD_TABLES
    assert external | {expected.DJANGO_LEDGER_TABLE} <= set(head)
    assert not set(head) & set(expected.DROPPED_OR_RENAMED)
    assert not set(head) & (expected.ABSENT_TABLES - {expected.DJANGO_LEDGER_TABLE})


def test_migration_definitions_point_at_operations() -> None:
    """Guards MIGRATION_DEFINITIONS / STATE_ONLY_OPERATIONS against edits of the files."""
    created: set[str] = set()
    removed: set[str] = set()
    for path, line, table, operation, migration in expected.MIGRATION_DEFINITIONS:
        app, name = migration.split(".")
        assert expected.MIGRATIONS[(app, name)][0] == path
        assert (app, name) in expected.MIGRATION_PLAN
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        bare = table.removeprefix("public.")
        names_it = re.search(rf"\b{bare}\b", text)
        assert names_it or re.search(r"migrations\.\w+\(|\('\w+', models\.", text), text
        if operation in {"create", "rename_to"}:
            created.add(table)
        if operation in {"drop", "rename_from"}:
            removed.add(table)
    # the head is exactly what was created and not removed, with the unmanaged tables left out
    assert created - removed == set(expected.MIGRATION_HEAD_TABLES)
    assert removed == set(expected.DROPPED_OR_RENAMED)
    for path, line in expected.STATE_ONLY_OPERATIONS:
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert re.search(r"migrations\.(CreateModel|DeleteModel|AddField)\(", text), text


def test_makemigrations_reports_the_model_without_migration_and_the_drift(probe: Probe) -> None:
    result = probe["makemigrations"]
    assert result["status"] == 1  # --check: changes are pending
    pending: set[tuple[str, str]] = set()
    app = None
    for line in result["output"].splitlines():
        if match := re.match(r"Migrations for '(\w+)':", line):
            app = match.group(1)
        elif match := re.match(r"\s+[-+~*]\s+(.*)", line):
            pending.add((str(app), match.group(1)))
    assert pending == expected.MAKEMIGRATIONS_PENDING


def test_findings_follow_from_models_and_head(probe: Probe) -> None:
    managed = {
        _public(m["table"]): tuple(m["columns"])
        for m in probe["models"]
        if m["app_label"] in LOCAL and m["managed"] and not m["proxy"]
    }
    head = {_public(name): tuple(columns) for name, columns in probe["head"].items()}
    assert set(managed) - set(head) == expected.MODEL_WITHOUT_MIGRATION
    drift = {
        table: (set(head[table]) - set(columns), set(columns) - set(head[table]))
        for table, columns in managed.items()
        if table in head and set(head[table]) != set(columns)
    }
    assert drift == expected.MODEL_DRIFT


# ---------------------------------------------------------------------------------------------
# uses: the SQL Django runs for each application function
# ---------------------------------------------------------------------------------------------

# What a function runs beyond its static uses, and why (runtime detail, not a use).
RUNTIME_ONLY: dict[tuple[str, str], set[tuple[str, str]]] = {
    # QuerySet.delete() collects the rows first, looks for multi-table children, and deletes
    # what cascades (Note, Watch, the labels M2M rows): ON DELETE behaviour of the models, not
    # uses of the code; the static use is the DELETE of moderation_report
    ("backoffice/moderation/services.py", "close_stale"): {
        ("public.moderation_report", "read"),
        ("public.moderation_escalatedreport", "read"),
        ("public.moderation_note", "write"),
        ("public.moderation_watch", "write"),
        ("public.moderation_report_labels", "write"),
    },
}


@cache
def _functions(path: str) -> list[tuple[int, int, str]]:
    tree = ast.parse((SAMPLE / path).read_text(encoding="utf-8"))
    return [
        (node.lineno, node.end_lineno or node.lineno, node.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def _function_at(path: str, line: int) -> str:
    enclosing = [f for f in _functions(path) if f[0] <= line <= f[1]]
    assert enclosing, (path, line)
    return max(enclosing)[2]  # the innermost


def _statement_uses(sql: str) -> set[tuple[str, str]]:
    head = sql.strip().split(None, 1)[0].upper() if sql.strip() else ""
    if head in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}:
        return set()
    tree = sqlglot.parse_one(sql, read="sqlite")
    target = None
    if isinstance(tree, exp.Insert | exp.Update | exp.Delete):
        target = tree.this if isinstance(tree.this, exp.Table) else tree.this.find(exp.Table)
    return {
        (_public(table.name), "write" if table is target else "read")
        for table in tree.find_all(exp.Table)
    }


def _static_uses_by_function() -> dict[tuple[str, str], set[tuple[str, str]]]:
    by_function: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for path, line, table, kind in expected.DJANGO_ORM_USES | expected.DJANGO_SQL_USES:
        by_function.setdefault((path, _function_at(path, line)), set()).add((table, kind))
    return by_function


def test_every_use_is_what_django_runs(probe: Probe) -> None:
    runtime: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for scenario in probe["scenarios"]:
        key = (scenario["path"], scenario["function"])
        runtime[key] = set().union(*(_statement_uses(sql) for sql in scenario["sql"]))
    static = _static_uses_by_function()
    assert set(runtime) == set(static)  # every function with a use ran, and only those
    for key, uses in static.items():
        assert runtime[key] == uses | RUNTIME_ONLY.get(key, set()), key


def test_the_renamed_table_fails_at_run_time(probe: Probe) -> None:
    """dropped-table-in-use is a real bug: the query fails on a database built by migrate."""
    errors = {(s["path"], s["function"]): s["error"] for s in probe["scenarios"] if s["error"]}
    expected_errors = {
        (path, _function_at(path, line)): f"OperationalError: no such table: {table[7:]}"
        for table, path, line, _migration in expected.DROPPED_TABLE_IN_USE
    }
    assert errors == expected_errors


def test_use_lines_name_the_table_model_or_relation(probe: Probe) -> None:
    """Guards the lines of the uses: each names the table (SQL) or a model / relation of it."""
    words: dict[str, set[str]] = {}
    for m in probe["models"]:
        table = _public(m["table"])
        words.setdefault(table, set()).add(m["label"].split(".")[1])
        for name, target, through in m["relations"]:
            words.setdefault(_public(target), set()).add(name)
            if name.endswith("_ptr"):  # a multi-table child also uses its parent's table
                words[_public(target)].add(m["label"].split(".")[1])
            if through:
                words.setdefault(_public(through), set()).add(name)
    user_table = expected.DJANGO_MODELS[expected.AUTH_USER_MODEL][2]
    words[user_table] |= {"User", "get_user_model"}
    for path, line, table, _kind in expected.DJANGO_ORM_USES:
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert any(re.search(rf"\b{w}\b", text) for w in words[table]), (path, line, table)
    for path, line, table, _kind in expected.DJANGO_SQL_USES:
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert re.search(rf"\b{table.removeprefix('public.')}\b", text), (path, line, text)


def test_admin_registrations_are_djangos(probe: Probe) -> None:
    registered = {(label, _public(table)) for label, table in probe["admin"]}
    local = {(label, table) for label, table in registered if label.split(".")[0] in LOCAL}
    assert {table for _label, table in local} == {t for _p, _l, t, _k in expected.ADMIN_USES}
    for path, line, table, _kind in expected.ADMIN_USES:
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        (name,) = re.findall(r"register\((\w+)", text)
        assert any(label.endswith(f".{name}") and t == table for label, t in local), text


def test_dead_tables_are_the_unused_head_tables() -> None:
    used = {t for _p, _l, t, _k in expected.DJANGO_ORM_USES | expected.DJANGO_SQL_USES}
    used |= {t for _p, _l, t, _k in expected.ADMIN_USES} | set(expected.USED_BY_INSTALLED_APPS)
    assert set(expected.MIGRATION_HEAD_TABLES) - used == expected.DEAD_TABLES
    known = set(expected.MIGRATION_HEAD_TABLES) | set(expected.EXTERNAL_TABLES)
    known |= set(expected.UNMANAGED_MODELS) | expected.MODEL_WITHOUT_MIGRATION
    dropped = {table for table, *_rest in expected.DROPPED_TABLE_IN_USE}
    assert used - known == dropped | expected.UNDEFINED_TABLES
    assert dropped <= set(expected.DROPPED_OR_RENAMED)


def test_not_uses_are_not_uses() -> None:
    uses = expected.DJANGO_ORM_USES | expected.DJANGO_SQL_USES | expected.ADMIN_USES
    for path, line, table in expected.NOT_USES:
        text = (SAMPLE / path).read_text(encoding="utf-8").splitlines()[line - 1]
        assert text.strip(), (path, line)  # a look-alike is on that line
        clashing = {u for u in uses if u[0] == path and u[1] == line}
        if table is None:
            assert not clashing, (path, line)
        else:
            assert not {u for u in clashing if u[2] == table}, (path, line, table)
