"""tabletrace's report on sample_repo's Django back-office against its hand-written ground truth.

tests/sample_django_expectations.py was written by reading `sample_repo/backoffice/` and proved
against real Django by tests/test_django_real.py (apps.get_models(), a real `migrate`,
`makemigrations --check`). Here the static scan of the whole sample_repo must give exactly the
same model tables and columns, auto-created many-to-many tables, migration plan, head tables
and columns, definitions, uses, findings and external tables.
"""

from __future__ import annotations

from analyzer import Report
from tests import sample_django_expectations as expected

B = "backoffice/"
SCHEMA_OPERATIONS = {"create", "drop", "rename_from", "rename_to", "alter"}


def _states(report: Report, kind: str, prefix: str = "") -> dict[str, tuple[str, ...] | None]:
    found: dict[str, tuple[str, ...] | None] = {}
    for table in report.tables:
        for state in table.states:
            if state.source_kind == kind and state.source.startswith(prefix):
                found[table.qualified_name] = (
                    tuple(state.columns) if state.columns is not None else None
                )
    return found


def _uses(report: Report, via: str) -> set[tuple[str, int, str, str]]:
    return {
        (use.path, use.line, table.qualified_name, use.kind)
        for table in report.tables
        for use in table.uses
        if use.via == via and use.path.startswith(B)
    }


def test_model_tables_and_columns(sample_report: Report) -> None:
    found = _states(sample_report, "model", "model:" + B)
    assert found == expected.MODEL_TABLES  # columns in Django's order
    for table, columns in expected.MODEL_TABLES.items():
        assert found[table] == columns, table


def test_model_declarations_point_at_classes_and_fields(sample_report: Report) -> None:
    found = {
        (d.path, d.line, table.qualified_name)
        for table in sample_report.tables
        for d in table.definitions
        if d.source_kind == "model" and d.path.startswith(B)
    }
    models = {
        (path, line, table)
        for label, (path, line, table, _columns) in expected.DJANGO_MODELS.items()
        if label not in expected.PROXY_MODELS
    }
    auto = {(path, line, table) for table, (path, line, _f, _c) in expected.AUTO_M2M_TABLES.items()}
    assert found == models | auto
    declared_at = {(path, line) for path, line, _table in found}
    for path, line, _name in expected.NOT_MODELS:
        assert (path, line) not in declared_at


def test_migration_plan_and_replaced_migrations(sample_report: Report) -> None:
    (source,) = [s for s in sample_report.sources if s.kind == "django"]
    assert source.id == "django:backoffice"
    assert source.ordered
    assert source.files == [expected.MIGRATIONS[key][0] for key in expected.MIGRATION_PLAN]
    replaced = {expected.MIGRATIONS[key][0] for key in expected.REPLACED_MIGRATIONS}
    assert not replaced & set(source.files)
    assert sample_report.stats.django_migrations == len(expected.MIGRATIONS)


def test_migration_head_tables_and_columns(sample_report: Report) -> None:
    found = _states(sample_report, "django")
    assert found == expected.MIGRATION_HEAD_TABLES
    for table, columns in expected.MIGRATION_HEAD_TABLES.items():
        assert found[table] == columns, table  # in the order `migrate` builds them


def test_migration_definitions(sample_report: Report) -> None:
    found = {
        (d.path, d.line, table.qualified_name, d.operation, d.revision)
        for table in sample_report.tables
        for d in table.definitions
        if d.source_kind == "django" and d.operation in SCHEMA_OPERATIONS
    }
    assert found - expected.MIGRATION_DEFINITIONS == set(), "reported but not expected"
    assert expected.MIGRATION_DEFINITIONS - found == set(), "expected but not reported"
    every = {
        (d.path, d.line)
        for table in sample_report.tables
        for d in table.definitions
        if d.source_kind == "django"
    }
    assert every & expected.STATE_ONLY_OPERATIONS == set()
    replaced = {expected.MIGRATIONS[key][0] for key in expected.REPLACED_MIGRATIONS}
    assert {path for path, _line in every} & replaced == set()


def test_dropped_and_renamed_tables_leave_the_head(sample_report: Report) -> None:
    for table, (_what, revision) in expected.DROPPED_OR_RENAMED.items():
        found = sample_report.table(table)
        assert found is not None, table
        assert "django" not in found.present_in
        removals = [
            d for d in found.definitions if d.operation in ("drop", "rename_from")
        ]
        assert {d.revision for d in removals} == {revision}, table


def test_orm_uses(sample_report: Report) -> None:
    found = _uses(sample_report, "orm")
    wanted = expected.DJANGO_ORM_USES | expected.ADMIN_USES | expected.INSTALLED_APP_USES
    assert found - wanted == set(), "reported but not expected"
    assert wanted - found == set(), "expected but not reported"


def test_sql_uses(sample_report: Report) -> None:
    found = _uses(sample_report, "sql")
    assert found - expected.DJANGO_SQL_USES == set(), "reported but not expected"
    assert expected.DJANGO_SQL_USES - found == set(), "expected but not reported"


def test_look_alikes_and_migrations_are_not_uses(sample_report: Report) -> None:
    uses = {
        (use.path, use.line, table.qualified_name)
        for table in sample_report.tables
        for use in table.uses
    }
    for path, line, table in expected.NOT_USES:
        clashing = {u for u in uses if u[:2] == (path, line)}
        assert not {u for u in clashing if table is None or u[2] == table}, (path, line)
    migration_files = {path for path, *_rest in expected.MIGRATIONS.values()}
    assert {path for path, _line, _table in uses} & migration_files == set()


def test_findings(sample_report: Report) -> None:
    def findings(name: str) -> list:
        return [f for f in sample_report.findings if f.name == name]

    django_tables = set(expected.MODEL_TABLES) | set(expected.MIGRATION_HEAD_TABLES) | set(
        expected.EXTERNAL_TABLES
    ) | set(expected.DROPPED_OR_RENAMED)
    dropped = set()
    for finding in findings("dropped-table-in-use"):
        table = sample_report.table(finding.table or "")
        if table is None or table.qualified_name not in django_tables:
            continue
        removed_by = {d.revision for d in table.definitions if d.operation in (
            "drop", "rename_from"
        )}
        uses = {(use.path, use.line) for use in table.uses}
        dropped |= {
            (table.qualified_name, loc.path, loc.line, revision)
            for loc in finding.locations
            if (loc.path, loc.line) in uses
            for revision in removed_by
        }
    assert dropped == expected.DROPPED_TABLE_IN_USE
    without = {f.table for f in findings("model-without-migration")} & django_tables
    assert without == expected.MODEL_WITHOUT_MIGRATION
    drift = {f.table: f.message for f in findings("model-drift")}
    assert set(drift) & django_tables == set(expected.MODEL_DRIFT) | set(
        expected.COMBINED_MODEL_DRIFT
    )
    for table, (missing, extra) in expected.MODEL_DRIFT.items():
        parts = []
        if missing:
            parts.append(f"lacks {', '.join(sorted(missing))}, which the table has")
        if extra:
            parts.append(f"declares {', '.join(sorted(extra))}, which the table does not have")
        assert f"the model in {B}support/models.py {' and '.join(parts)}." in drift[table]
    for table, (path, missing, extra) in expected.COMBINED_MODEL_DRIFT.items():
        part = drift[table].split(f"the model in {path} ")[1].split(";")[0].split(". ")[0]
        assert part == (
            f"lacks {', '.join(sorted(missing))}, which the table has and declares "
            f"{', '.join(sorted(extra))}, which the table does not have"
        )
    dead = {f.table for f in findings("dead-table")} & django_tables
    assert dead == expected.DEAD_TABLES
    undefined = {f.table for f in findings("undefined-table")} & django_tables
    assert undefined == expected.UNDEFINED_TABLES


def test_external_tables_and_their_owners(sample_report: Report) -> None:
    external = {t.qualified_name: t for t in sample_report.tables if t.status == "external"}
    assert set(external) == set(expected.EXTERNAL_TABLES)
    owners = {
        table: source.id.removeprefix("external:")
        for source in sample_report.sources
        if source.kind == "external"
        for table in source.tables
    }
    assert owners == expected.EXTERNAL_TABLES
    for table, unmanaged in expected.UNMANAGED_MODELS.items():
        found = sample_report.table(table)
        assert found is not None
        # created by lumen's sources (characters) or by nobody (billing_subscriptions)
        assert (found.status == "external") == (table in expected.EXTERNAL_TABLES), unmanaged


def test_references(sample_report: Report) -> None:
    found = {
        (table.qualified_name, link.table, link.via)
        for table in sample_report.tables
        for link in table.references
        if link.path.startswith(B)
    }
    assert found == expected.DJANGO_REFERENCES


def test_absent_tables_appear_nowhere(sample_report: Report) -> None:
    names = {t.qualified_name for t in sample_report.tables}
    text = sample_report.to_json()
    for table in expected.ABSENT_TABLES:
        assert table not in names, table
        assert f'"{table}"' not in text, table
