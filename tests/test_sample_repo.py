"""tabletrace's report on sample_repo against the hand-written ground truth.

tests/sample_expectations.py was written by reading the sample's sources, not by running
tabletrace: every use, definition, final state and look-alike is listed there with its line.
The Django back-office (`backoffice/`) has its own ground truth and test
(tests/sample_django_expectations.py, tests/test_sample_django.py); here it counts only where
one scan of both changes a lumen table (findings, statuses).
"""

from __future__ import annotations

import re
from pathlib import Path

from analyzer import Report
from tests import sample_django_expectations as django
from tests import sample_expectations as expected
from tests.conftest import SAMPLE

BACKOFFICE = "backoffice/"


def _lumen(path: str) -> bool:
    return not path.startswith(BACKOFFICE)


def _sql_uses(report: Report) -> set[tuple[str, int, str, str]]:
    return {
        (use.path, use.line, table.qualified_name, use.kind)
        for table in report.tables
        for use in table.uses
        if use.via == "sql" and _lumen(use.path)
    }


def _definitions(report: Report, kind: str) -> set[tuple[str, int, str, str]]:
    return {
        (d.path, d.line, table.qualified_name, d.operation)
        for table in report.tables
        for d in table.definitions
        if d.source_kind == kind and _lumen(d.path)
    }


def test_every_sql_use_in_application_code(sample_report: Report) -> None:
    found = _sql_uses(sample_report)
    assert found - expected.USES == set(), "reported but not expected"
    assert expected.USES - found == set(), "expected but not reported"


def test_dynamic_table_names(sample_report: Report) -> None:
    found = set()
    for finding in sample_report.findings:
        if finding.name == "dynamic-table-name":
            named = finding.message.split(", which cannot be resolved")[0]
            expressions = re.findall(r"`([^`]+)`", named)
            found.update((finding.path, finding.line, e) for e in expressions)
    assert found == expected.DYNAMIC_TABLE_NAMES


def test_sql_file_definitions(sample_report: Report) -> None:
    found = _definitions(sample_report, "sql")
    assert found - expected.SQL_DEFINITIONS == set(), "reported but not expected"
    assert expected.SQL_DEFINITIONS - found == set(), "expected but not reported"


def test_runtime_definitions(sample_report: Report) -> None:
    assert _definitions(sample_report, "runtime") == expected.RUNTIME_DEFINITIONS


def test_sql_final_states_with_columns(sample_report: Report) -> None:
    found: dict[str, dict[str, tuple[str, ...] | None]] = {}
    for table in sample_report.tables:
        for state in table.states:
            if state.source_kind == "sql":
                columns = tuple(state.columns) if state.columns is not None else None
                found.setdefault(state.source.removeprefix("sql:"), {})[
                    table.qualified_name
                ] = columns
    assert found == expected.SQL_FINAL_STATES
    sources = {s.id.removeprefix("sql:"): set(s.tables) for s in sample_report.sources}
    for key, tables in expected.SQL_FINAL_STATES.items():
        assert sources[key] == set(tables)


def test_absent_tables_appear_nowhere(sample_report: Report) -> None:
    text = sample_report.to_json()
    names = {t.qualified_name for t in sample_report.tables}
    for table in expected.ABSENT_TABLES:
        assert table not in names
        assert f'"table": "{table}"' not in text


def test_expected_diagnostics(sample_report: Report) -> None:
    found = {(d.path, d.code) for d in sample_report.diagnostics}
    assert found >= expected.EXPECTED_DIAGNOSTIC_FILES


def test_look_alikes_give_nothing(sample_report: Report) -> None:
    reported: set[tuple[str, int]] = set()
    for table in sample_report.tables:
        reported.update((use.path, use.line) for use in table.uses)
    for finding in sample_report.findings:
        reported.update((loc.path, loc.line) for loc in finding.locations if loc.line)
    reported.update((d.path, d.line) for d in sample_report.diagnostics if d.line)
    assert reported & expected.NO_USE_LOCATIONS == set()


def test_alembic_and_tests_are_not_application_code(sample_report: Report) -> None:
    paths = {use.path for table in sample_report.tables for use in table.uses}
    assert not {p for p in paths if p.startswith(("alembic/", "tests/", "scripts/scratch/"))}
    assert sample_report.stats.alembic_files >= 9
    assert sample_report.stats.excluded_files == 1  # scripts/scratch/**


SCHEMA_OPERATIONS = {"create", "drop", "rename_from", "rename_to", "alter"}


def test_alembic_definitions(sample_report: Report) -> None:
    found = {
        (d.path, d.line, table.qualified_name, d.operation, d.revision)
        for table in sample_report.tables
        for d in table.definitions
        if d.source_kind == "alembic" and d.operation in SCHEMA_OPERATIONS
    }
    assert found - expected.ALEMBIC_DEFINITIONS == set(), "reported but not expected"
    assert expected.ALEMBIC_DEFINITIONS - found == set(), "expected but not reported"


def test_alembic_head_states(sample_report: Report) -> None:
    found: dict[str, dict[str, tuple[str, ...]]] = {}
    for table in sample_report.tables:
        for state in table.states:
            if state.source_kind == "alembic":
                env = state.source.removeprefix("alembic:")
                found.setdefault(env, {})[table.qualified_name] = tuple(state.columns or ())
    assert found == expected.ALEMBIC_HEAD_TABLES


def test_alembic_revision_graph(sample_report: Report) -> None:
    revisions: dict[str, dict[str, tuple[str, ...]]] = {}
    heads: dict[str, set[str]] = {}
    for revision in sample_report.revisions:
        revisions.setdefault(revision.environment, {})[revision.revision] = tuple(
            revision.down_revisions
        )
        if revision.is_head:
            heads.setdefault(revision.environment, set()).add(revision.revision)
    assert revisions == expected.ALEMBIC_REVISIONS
    assert heads == expected.ALEMBIC_HEADS
    by_id = {r.revision: r for r in sample_report.revisions}
    assert {r: tuple(by_id[r].branch_labels) for r in expected.ALEMBIC_BRANCH_LABELS} == (
        expected.ALEMBIC_BRANCH_LABELS
    )
    assert {r: tuple(by_id[r].depends_on) for r in expected.ALEMBIC_DEPENDS_ON} == (
        expected.ALEMBIC_DEPENDS_ON
    )


def test_alembic_revision_categories(sample_report: Report) -> None:
    categories = {r.revision: r.category for r in sample_report.revisions}
    assert {r for r, c in categories.items() if c == "merge"} == expected.MERGE_REVISIONS
    assert {r for r, c in categories.items() if c == "data"} == expected.DATA_ONLY_REVISIONS
    assert {r for r, c in categories.items() if c == "documentation"} == set(
        expected.DOCUMENTATION_ONLY_REVISIONS
    )
    documented: dict[str, set[str]] = {}
    for table in sample_report.tables:
        for d in table.definitions:
            if d.operation == "document":
                documented.setdefault(d.revision or "", set()).add(table.qualified_name)
    assert documented == expected.DOCUMENTATION_ONLY_REVISIONS
    findings = [f for f in sample_report.findings if f.name == "documentation-only-migration"]
    assert len(findings) == len(expected.DOCUMENTATION_ONLY_REVISIONS)


def test_alembic_conditional_operations(sample_report: Report) -> None:
    found = {
        (item.path, item.line)
        for revision in sample_report.revisions
        for item in revision.tables
        if item.conditional
    }
    assert found == expected.ALEMBIC_CONDITIONAL


def test_model_declarations(sample_report: Report) -> None:
    found = {
        (d.path, d.line, table.qualified_name)
        for table in sample_report.tables
        for d in table.definitions
        if d.source_kind == "model" and _lumen(d.path)
    }
    assert found == {(path, line, table) for path, line, table, _ in expected.MODEL_DECLARATIONS}


def test_orm_uses(sample_report: Report) -> None:
    found = {
        (use.path, use.line, table.qualified_name, use.kind)
        for table in sample_report.tables
        for use in table.uses
        if use.via == "orm" and _lumen(use.path)
    }
    assert found - expected.ORM_USES == set(), "reported but not expected"
    assert expected.ORM_USES - found == set(), "expected but not reported"
    low = {
        (use.path, use.line, table.qualified_name, use.kind)
        for table in sample_report.tables
        for use in table.uses
        if use.via == "orm" and use.confidence == "low" and _lumen(use.path)
    }
    assert low == expected.ORM_LOW_CONFIDENCE


def test_orm_look_alikes_are_not_uses(sample_report: Report) -> None:
    used = {(u.path, u.line) for t in sample_report.tables for u in t.uses}
    assert used & expected.ORM_NOT_USES == set()


def test_model_findings(sample_report: Report) -> None:
    without = {
        f.table for f in sample_report.findings if f.name == "model-without-migration"
    }
    assert without == expected.MODEL_WITHOUT_MIGRATION | django.MODEL_WITHOUT_MIGRATION
    drift = {f.table: f.message for f in sample_report.findings if f.name == "model-drift"}
    assert set(drift) == set(expected.MODEL_DRIFT) | set(django.MODEL_DRIFT)
    for table, (missing, extra) in expected.MODEL_DRIFT.items():
        for column in missing:
            assert column in drift[table].split("lacks ")[1].split(" and ")[0]
        for column in extra:
            assert column in drift[table].split("declares ")[1]


def test_orm_references(sample_report: Report) -> None:
    found = {
        (table.qualified_name, link.table)
        for table in sample_report.tables
        for link in table.references
        if _lumen(link.path)
    }
    assert found == expected.REFERENCES


def test_broken_definitions(sample_report: Report) -> None:
    found = {
        (d.path, d.line, table.qualified_name)
        for table in sample_report.tables
        for d in table.definitions
        if d.operation == "broken"
    }
    assert found == expected.BROKEN_DEFINITIONS
    assert {t.qualified_name for t in sample_report.tables if t.status == "broken"} == (
        expected.BROKEN_TABLES
    )
    reported = {
        (f.table, f.path, f.line)
        for f in sample_report.findings
        if f.name == "broken-definition"
    }
    assert reported == {(table, path, line) for path, line, table in expected.BROKEN_DEFINITIONS}


def test_create_all_and_migration_module_sources(sample_report: Report) -> None:
    kinds = {"create_all", "migration-module"}
    found = {
        (d.path, d.line, table.qualified_name, d.operation, d.source_kind)
        for table in sample_report.tables
        for d in table.definitions
        if d.source_kind in kinds
    }
    assert found == expected.OTHER_SOURCE_DEFINITIONS
    states: dict[str, dict[str, tuple[str, tuple[str, ...] | None]]] = {}
    for table in sample_report.tables:
        for state in table.states:
            if state.source_kind in kinds:
                columns = tuple(state.columns) if state.columns is not None else None
                states.setdefault(state.source, {})[table.qualified_name] = (
                    table.object_type,
                    columns,
                )
    assert states == expected.OTHER_SOURCE_STATES
    # a table the migration module creates and drops again is in no final state
    audit = sample_report.table("plugin_audit")
    assert audit is not None and audit.status == "removed" and audit.present_in == []


def test_migration_module_replay_equals_running_it(tmp_path: Path) -> None:
    """The plugin store's steps run for real on SQLite, in the order its own runner picks
    (the runner is imported in the test, never by tabletrace): the tables, their columns and
    the views are the migration-module source's final state."""
    import importlib
    import sqlite3
    import sys

    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if name.startswith("app")}
    sys.path.insert(0, str(SAMPLE))
    try:
        runner = importlib.import_module("app.plugins.runner")
        with sqlite3.connect(tmp_path / "plugins.db") as db:
            for step in runner.pending_steps(0):
                step(db)
            objects = db.execute("SELECT type, name FROM sqlite_master ORDER BY name").fetchall()
            built = {
                f"public.{name}": (
                    kind,
                    tuple(row[1] for row in db.execute(f"PRAGMA table_info({name})"))
                    if kind == "table"
                    else None,
                )
                for kind, name in objects
                if kind in ("table", "view") and not name.startswith("sqlite_")
            }
    finally:
        sys.path.remove(str(SAMPLE))
        for name in [name for name in sys.modules if name.startswith("app")]:
            del sys.modules[name]
        sys.modules.update(saved)
    assert built == expected.OTHER_SOURCE_STATES["migration-module:app/plugins/migrations.py"]


# ---------------------------------------------------------------------------------------------
# Issue 9 idioms (see the last section of tests/sample_expectations.py)
# ---------------------------------------------------------------------------------------------


def test_sql_use_confidence(sample_report: Report) -> None:
    found = {
        (use.path, use.line, table.qualified_name, use.kind): use.confidence
        for table in sample_report.tables
        for use in table.uses
        if use.via == "sql" and use.confidence != "high"
    }
    assert found == expected.SQL_USE_CONFIDENCE


def test_helper_uses_are_at_the_call_site_with_the_helpers_sql(sample_report: Report) -> None:
    snippets = {
        (use.path, use.line, table.qualified_name): use.snippet
        for table in sample_report.tables
        for use in table.uses
        if use.via == "sql"
    }
    for key, sql in expected.HELPER_CALL_SNIPPETS.items():
        assert snippets.get(key) == sql, key


def test_loop_iterations_carry_their_binding(sample_report: Report) -> None:
    found = {
        (d.path, d.line, table.qualified_name, d.operation): d.snippet
        for table in sample_report.tables
        for d in table.definitions
        if d.source_kind == "alembic"
    }
    for key, binding in expected.ALEMBIC_LOOP_BINDINGS.items():
        assert found[key].endswith(f"  {binding}"), (key, found[key])


def test_revision_operations(sample_report: Report) -> None:
    by_id = {r.revision: r for r in sample_report.revisions}
    for revision, operations in expected.ALEMBIC_REVISION_OPERATIONS.items():
        found = [(t.table, t.operation, t.path, t.line) for t in by_id[revision].tables]
        assert len(found) == len(set(found)), found
        assert set(found) == operations
