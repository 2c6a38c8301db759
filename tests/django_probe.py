"""Ask real Django about sample_repo/backoffice/; run as a script by tests/test_django_real.py.

Never imported by the test process: importing the sample (its settings, models and services)
is exactly what a subprocess is for. Usage:

    python tests/django_probe.py <project dir (holds manage.py)> <work dir>

<work dir> must hold ``tabletrace_probe_settings.py`` (the project's settings with DATABASES
overridden to SQLite in <work dir>). Writes one JSON document, <work dir>/probe.json:

* ``settings``: INSTALLED_APPS, AUTH_USER_MODEL and the engine the project's own settings name;
  ``apps``: label -> AppConfig name, class path and folder, for every installed app;
* ``models``: every model of ``apps.get_models(include_auto_created=True)`` with its table,
  ``local_concrete_fields`` columns, flags, source file and ``class`` line; ``admin``: the
  models registered on the admin site;
* ``migrations`` (what the loader read from disk), ``plan`` (what ``migrate`` applies to an
  empty database, in order), ``head`` (sqlite_master / PRAGMA table_info after a real
  ``migrate``), ``makemigrations`` (exit status and output of ``makemigrations --check
  --dry-run``);
* ``scenarios``: the SQL Django runs for each application function that uses a table, each
  called once on the migrated database completed with what no migration creates (the unmanaged
  tables, the model without migration, the field without migration).
"""

from __future__ import annotations

import importlib
import inspect
import io
import json
import os
import sqlite3
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any


def _source_of(obj: Any, root: Path) -> tuple[str | None, int | None]:
    try:
        path = Path(inspect.getsourcefile(obj) or "").resolve()
        line = inspect.getsourcelines(obj)[1]
    except (OSError, TypeError):
        return None, None
    try:
        return path.relative_to(root).as_posix(), line
    except ValueError:
        return None, None  # outside the sample (django.contrib)


def _through_table(field: Any) -> str | None:
    """The table of an M2M relation (forward field or reverse rel); None for other relations."""
    if not field.many_to_many:
        return None
    rel = field if hasattr(field, "get_accessor_name") else field.remote_field
    return rel.through._meta.db_table


def _catalog(database: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(database)
    try:
        names = [
            row[0]
            for row in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'sqlite_sequence'"
            )
        ]
        return {
            name: [row[1] for row in con.execute(f'PRAGMA table_info("{name}")')]
            for name in sorted(names)
        }
    finally:
        con.close()


def main(project: Path, workdir: Path) -> None:
    sample_root = project.parent
    sys.path[:0] = [str(workdir), str(project)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "tabletrace_probe_settings"

    import django

    django.setup()

    from django.apps import apps
    from django.conf import settings
    from django.contrib import admin
    from django.core.management import call_command
    from django.db import DEFAULT_DB_ALIAS, connection, connections
    from django.db.migrations.executor import MigrationExecutor
    from django.db.migrations.loader import MigrationLoader

    project_settings = importlib.import_module("backoffice.settings")
    out: dict[str, Any] = {
        "settings": {
            "INSTALLED_APPS": list(settings.INSTALLED_APPS),
            "AUTH_USER_MODEL": settings.AUTH_USER_MODEL,
            "ENGINE": project_settings.DATABASES["default"]["ENGINE"],
        },
        "apps": {
            config.label: {
                "name": config.name,
                "class": f"{type(config).__module__}.{type(config).__qualname__}",
                "path": Path(config.path).resolve().relative_to(sample_root).as_posix()
                if Path(config.path).resolve().is_relative_to(sample_root)
                else None,
            }
            for config in apps.get_app_configs()
        },
    }

    models = []
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        path, line = _source_of(model, sample_root)
        entry: dict[str, Any] = {
            "label": opts.label,
            "app_label": opts.app_label,
            "table": opts.db_table,
            "columns": [field.column for field in opts.local_concrete_fields],
            "managed": opts.managed,
            "proxy": opts.proxy,
            "auto_created": bool(opts.auto_created),
            "path": None if opts.auto_created else path,
            "line": None if opts.auto_created else line,
        }
        entry["relations"] = [
            [
                field.get_accessor_name() if hasattr(field, "get_accessor_name") else field.name,
                field.related_model._meta.db_table,
                _through_table(field),
            ]
            for field in opts.get_fields()
            if field.is_relation and field.related_model is not None
        ]
        # forward relations declared on (or inherited into) this model's own table
        entry["forward"] = [
            [field.name, field.related_model._meta.concrete_model._meta.db_table,
             _through_table(field)]
            for field in [*opts.local_fields, *opts.local_many_to_many]
            if field.is_relation and field.related_model is not None
        ]
        if opts.auto_created:  # the M2M field whose through model this is
            (field,) = [
                f
                for f in opts.auto_created._meta.get_fields()
                if f.many_to_many and not f.auto_created and f.remote_field.through is model
            ]
            entry["m2m_field"] = f"{opts.auto_created._meta.label}.{field.name}"
        models.append(entry)
    out["models"] = models
    out["admin"] = sorted(
        [model._meta.label, model._meta.db_table] for model in admin.site._registry
    )

    loader = MigrationLoader(None, ignore_no_migrations=True)
    out["migrations"] = {
        f"{app}.{name}": {
            "path": Path(inspect.getsourcefile(type(migration)) or "")
            .resolve()
            .relative_to(sample_root)
            .as_posix(),
            "dependencies": [list(dep) for dep in migration.dependencies],
            "replaces": [list(rep) for rep in migration.replaces],
            "run_before": [list(rb) for rb in migration.run_before],
        }
        for (app, name), migration in loader.disk_migrations.items()
        if app in {"accounts", "lumen", "moderation", "support"}
    }
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes(), clean_start=True)
    out["plan"] = [[migration.app_label, migration.name] for migration, _backwards in plan]

    call_command("migrate", verbosity=0, interactive=False)
    out["head"] = _catalog(Path(settings.DATABASES["default"]["NAME"]))

    stdout = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=stdout, stderr=stdout)
        status = 0
    except SystemExit as exc:  # --check exits 1 when there are changes
        status = int(exc.code or 0)
    out["makemigrations"] = {"status": status, "output": stdout.getvalue()}

    out["scenarios"] = _scenarios(sample_root, connection, call_command)
    (workdir / "probe.json").write_text(json.dumps(out), encoding="utf-8")


def _listing(function: Callable[[], Any]) -> Callable[[], list]:
    """Call a function returning a lazy QuerySet, and run the query."""
    return lambda: list(function())


def _scenarios(sample_root: Path, connection: Any, call_command: Callable[..., Any]) -> list:
    """Each application function that uses a table, called once; the SQL it ran."""
    from accounts import services as accounts_services
    from accounts.models import StaffUser, Team
    from django.contrib.contenttypes.models import ContentType
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from lumen_bridge.models import BillingSubscription, Character
    from moderation import reports, services
    from moderation.models import Note, Report
    from support import views
    from support.management.commands.close_idle_tickets import Command
    from support.models import SlaPolicy, Ticket

    # what no migration creates: the unmanaged tables, SlaPolicy, Ticket.priority; and the
    # table only RunSQL creates is there already (migrate ran it)
    with connection.schema_editor() as editor:
        for model in (Character, BillingSubscription, SlaPolicy):
            editor.create_model(model)
        editor.add_field(Ticket, Ticket._meta.get_field("priority"))

    now = timezone.now()
    character = Character.objects.create(
        id=1, name="Aria", normalized_name="aria", created_at=now, is_active=True
    )
    operator = StaffUser.objects.create_user("mod", email="mod@x.org", is_staff=True)
    team = Team.objects.create(name="desk")
    team.members.add(operator)
    ticket = Ticket.objects.create(
        subject="stuck", body="the bot stopped", character=character, requester_universal_id="u1"
    )
    ticket.cc.add(operator)
    BillingSubscription.objects.create(universal_id="u1", plan="pro")
    SlaPolicy.objects.create(priority=3, first_response_minutes=30, resolution_minutes=600)
    # a closed report old enough for close_stale(), with a note that cascades
    stale = Report.objects.create(character=character, reason="old", status="closed")
    Report.objects.filter(pk=stale.pk).update(updated_at=now - timedelta(days=400))
    Note.objects.create(report=stale, author=operator, body="closed as duplicate")
    factory = RequestFactory()
    report: Any = None

    def file_report() -> None:
        nonlocal report
        report = services.file_report(character.pk, "kill threat", ["spam"])

    imported = [{"character_id": character.pk, "reason": "spam"}]
    chat = json.dumps({"universal_id": "u2", "subject": "hi", "body": "help"})
    calls: list[tuple[Callable[..., Any], Callable[[], Any]]] = [
        (services.file_report, file_report),
        (services.open_queue, services.open_queue),
        (services.assign, lambda: services.assign(report.pk, operator)),
        (services.close_stale, services.close_stale),
        (services.import_reports, lambda: services.import_reports(imported)),
        (services.counts_by_status, services.counts_by_status),
        (services.desk_totals, services.desk_totals),
        (services.notes_of, lambda: list(services.notes_of(report))),
        (services.watchers_of, lambda: services.watchers_of(report)),
        (services.overdue_escalations, lambda: list(services.overdue_escalations())),
        (services.active_character_names, services.active_character_names),
        (reports.reports_with_status, lambda: list(reports.reports_with_status("open"))),
        (reports.status_totals, reports.status_totals),
        (reports.archive_closed, reports.archive_closed),
        (reports.purge_archive, lambda: reports.purge_archive(now - timedelta(days=365))),
        (reports.characters_with_open_tickets, _listing(reports.characters_with_open_tickets)),
        (reports.reports_on_active_characters, _listing(reports.reports_on_active_characters)),
        (accounts_services.active_operators, _listing(accounts_services.active_operators)),
        (accounts_services.find_operator, lambda: accounts_services.find_operator("mod@x.org")),
        (accounts_services.team_members, lambda: accounts_services.team_members(team.pk)),
        (accounts_services.make_moderator, lambda: accounts_services.make_moderator(operator)),
        (views.ticket_detail, lambda: views.ticket_detail(factory.get("/"), ticket.pk)),
        (
            views.open_from_chat,
            lambda: views.open_from_chat(
                factory.post("/", data=chat, content_type="application/json")
            ),
        ),
        (
            Command.handle,
            lambda: call_command("close_idle_tickets", "--days", "1", stdout=io.StringIO()),
        ),
    ]
    results = []
    for function, call in calls:
        ContentType.objects.clear_cache()  # get_for_model would answer from its cache
        path, _line = _source_of(inspect.unwrap(function), sample_root)
        error = None
        with CaptureQueriesContext(connection) as captured:
            try:
                call()
            except Exception as exc:  # a scenario may fail on purpose (a dropped table)
                error = f"{type(exc).__name__}: {exc}"
        results.append(
            {
                "path": path,
                "function": function.__name__,
                "sql": [query["sql"] for query in captured.captured_queries],
                "error": error,
            }
        )
    return results


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
