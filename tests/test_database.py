"""Database mode against a real PostgreSQL: verify, live comparison, statistics, safety.

Server tests use ``TABLETRACE_PG_URL`` (see tests/pg.py) and skip with the reason when it is
absent; URL, plan and type-mapping tests need no server.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from analyzer import scan
from analyzer.cli import app
from analyzer.database import DatabaseError
from analyzer.database.build import SCRATCH_PREFIX, run_build, skip_reason
from analyzer.database.compare import confirm_predictions
from analyzer.database.plan import build_plan, postgres_type
from analyzer.database.run import compare_with_database, verify_repository
from analyzer.database.url import mask, parse_database_url
from analyzer.models import Finding, Location, Report
from tests.pg import MakeDatabase, dev_database, make_database, pg_server, scratch_databases, url_of

__all__ = ["dev_database", "make_database", "pg_server"]  # fixtures used by name below

runner = CliRunner()
SECRET = "s3cr3t-Pa55"

REVISION = '''"""baseline"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(200)),
    )
    op.create_table("invoices", sa.Column("id", sa.Integer, primary_key=True))
    op.create_table("audit_log", sa.Column("id", sa.Integer), sa.Column("body", sa.Text))
'''
ALEMBIC_REPO = {
    "alembic.ini": "[alembic]\nscript_location = migrations\n",
    "migrations/versions/a1_baseline.py": REVISION,
    "app/billing.py": (
        "def f(cur):\n"
        '    cur.execute("SELECT id, email FROM users")\n'
        '    cur.execute("SELECT id FROM invoices")\n'
    ),
}


def findings(report: Report, name: str) -> dict[str, Finding]:
    found = {f.table or f"{f.path}:{f.line}": f for f in report.findings if f.name == name}
    assert len(found) == sum(1 for f in report.findings if f.name == name)
    return found


def verify(root: Path, dev_url: str, **options: object) -> Report:
    report, _ = verify_repository(scan(root), root, dev_url, **options)  # type: ignore[arg-type]
    return report


# ---------------------------------------------------------------------------------------------
# URLs and masking (no server)
# ---------------------------------------------------------------------------------------------


def test_urls_are_parsed_and_masked() -> None:
    url = parse_database_url(f"postgresql+psycopg2://app:{SECRET}@db.internal:5433/prod")
    assert url.kind == "postgresql"
    assert url.conninfo == f"postgresql://app:{SECRET}@db.internal:5433/prod"
    assert url.display == "postgresql://app:***@db.internal:5433/prod"
    assert SECRET not in repr(url) and SECRET not in str(url)
    query = parse_database_url(f"postgres://app@h/db?password={SECRET}&sslmode=require")
    assert query.display == "postgresql://app@h/db?password=***&sslmode=require"
    assert mask(f"postgresql://u:{SECRET}@h/db") == "postgresql://u:***@h/db"
    assert url.scrub(f"failed for app:{SECRET} password={SECRET}") == (
        "failed for app:*** password=***"
    )
    sqlite = parse_database_url("sqlite:///data/app.db")
    assert (sqlite.kind, sqlite.sqlite_path) == ("sqlite", "data/app.db")
    assert parse_database_url("sqlite:////tmp/x.db").sqlite_path == "/tmp/x.db"


def test_bad_urls_give_a_masked_message() -> None:
    with pytest.raises(DatabaseError) as error:
        parse_database_url(f"mysql://root:{SECRET}@h/db")
    assert SECRET not in str(error.value) and "mysql://root:***@h/db" in str(error.value)
    with pytest.raises(DatabaseError, match="not a database URL"):
        parse_database_url("localhost")


def test_unreachable_server_error_never_shows_the_password(make_repo) -> None:
    pytest.importorskip("psycopg")
    result = runner.invoke(
        app,
        ["scan", str(make_repo(ALEMBIC_REPO)), "--no-cache", "--database-url",
         f"postgresql://app:{SECRET}@127.0.0.1:1/prod"],
    )
    assert result.exit_code == 2
    assert SECRET not in result.output
    assert "cannot connect to postgresql://app:***@127.0.0.1:1/prod" in result.output


def test_missing_driver_gives_a_one_line_hint(make_repo, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    root = str(make_repo(ALEMBIC_REPO))
    result = runner.invoke(
        app, ["scan", root, "--no-cache", "--database-url", "postgresql://u@h/db"]
    )
    assert result.exit_code == 2
    assert result.output.strip() == (
        "tabletrace: --database-url: PostgreSQL access needs the PostgreSQL extra: "
        "pip install 'tabletrace[postgres]'"
    )
    result = runner.invoke(app, ["verify", root, "--no-cache", "--dev-url", "postgresql://u@h/db"])
    assert result.exit_code == 2
    assert "pip install 'tabletrace[postgres]'" in result.output


# ---------------------------------------------------------------------------------------------
# The build plan (no server)
# ---------------------------------------------------------------------------------------------


def test_plan_orders_sql_files_then_generated_head_tables(make_repo) -> None:
    root = make_repo(
        {
            **ALEMBIC_REPO,
            "db/10_b.sql": "CREATE TABLE b (id int);\n",
            "db/9_a.sql": "CREATE TABLE a (id int);\nCOPY a (id) FROM stdin;\n1\n2\n\\.\n",
        }
    )
    plan = build_plan(scan(root), root)
    assert [(s.path, s.line, s.generated) for s in plan.steps] == [
        ("db/9_a.sql", 1, False),
        ("db/9_a.sql", 2, False),
        ("db/10_b.sql", 1, False),
        ("migrations/versions/a1_baseline.py", 16, True),
        ("migrations/versions/a1_baseline.py", 15, True),
        ("migrations/versions/a1_baseline.py", 10, True),
    ]
    assert plan.steps[1].copy_data == "1\n2\n"
    assert plan.steps[-1].sql == (
        'CREATE TABLE IF NOT EXISTS "public"."users" ("id" text, "email" text)'
    )
    assert plan.steps[-1].revision == "a1"


def test_postgres_type_mapping() -> None:
    assert postgres_type(None) == "text"
    assert postgres_type("sa.Integer()") == "integer"
    assert postgres_type("sa.String(50)") == "varchar(50)"
    assert postgres_type("String") == "varchar"
    assert postgres_type("sa.DateTime(timezone=True)") == "timestamptz"
    assert postgres_type("sa.Numeric(10, 2)") == "numeric(10, 2)"
    assert postgres_type("postgresql.JSONB") == "jsonb"
    assert postgres_type("TIMESTAMPTZ") == "timestamptz"
    assert postgres_type("int); DROP TABLE users; --") == "text"
    assert postgres_type("MyCustomType()") == "text"


def test_statements_acting_outside_the_scratch_are_never_run() -> None:
    assert skip_reason("CREATE DATABASE other") is not None
    assert skip_reason("DROP ROLE app") is not None
    assert skip_reason("ALTER TABLE public.users OWNER TO lumen") is not None
    assert skip_reason("GRANT SELECT ON users TO reporting") is not None
    assert skip_reason("COPY users TO '/tmp/users.csv'") is not None
    assert skip_reason("COPY users FROM PROGRAM 'curl example.org'") is not None
    assert skip_reason("ALTER SYSTEM SET work_mem = '1GB'") is not None
    assert skip_reason("COPY users (id) FROM stdin") is None
    assert skip_reason("CREATE TABLE owner_notes (owner text)") is None
    assert skip_reason("ALTER TABLE users ADD COLUMN owner text") is None


# ---------------------------------------------------------------------------------------------
# verify against a real PostgreSQL
# ---------------------------------------------------------------------------------------------

VIEW_MISSING_FUNCTION = {
    "sql/readings.sql": (
        "CREATE TABLE readings (id int PRIMARY KEY, value double precision);\n"
        "CREATE VIEW rounded_readings AS\n"
        "    SELECT id,\n"
        "           round(value, 2) AS value\n"
        "    FROM readings;\n"
    ),
    "app/readings.py": 'def f(cur):\n    cur.execute("SELECT * FROM rounded_readings")\n',
}


def test_view_calling_a_missing_function(make_repo, dev_database: str) -> None:
    report = verify(make_repo(VIEW_MISSING_FUNCTION), dev_database)
    failed = findings(report, "fails-on-database")
    assert set(failed) == {"public.rounded_readings"}
    finding = failed["public.rounded_readings"]
    assert (finding.path, finding.line, finding.severity) == ("sql/readings.sql", 2, "error")
    assert "42883 function round(double precision, integer) does not exist" in finding.message
    assert "at line 4" in finding.message  # the line PostgreSQL pointed at
    assert [(loc.path, loc.line) for loc in finding.locations] == [
        ("sql/readings.sql", 2),
        ("sql/readings.sql", 4),
    ]
    unbuilt = findings(report, "unbuilt-table")
    assert set(unbuilt) == {"public.rounded_readings"}
    assert unbuilt["public.rounded_readings"].severity == "error"  # code reads it
    assert report.verification is not None
    assert (report.verification.steps, report.verification.applied) == (2, 1)
    assert report.verification.rejected == 1


def test_foreign_key_to_a_missing_column(make_repo, dev_database: str) -> None:
    root = make_repo(
        {
            "sql/schema.sql": (
                "CREATE TABLE owners (id int PRIMARY KEY, name text);\n"
                "CREATE TABLE pets (\n"
                "    id int PRIMARY KEY,\n"
                "    owner_nickname text REFERENCES owners (nickname)\n"
                ");\n"
            )
        }
    )
    report = verify(root, dev_database)
    failed = findings(report, "fails-on-database")
    assert set(failed) == {"public.pets"}
    assert (failed["public.pets"].path, failed["public.pets"].line) == ("sql/schema.sql", 2)
    assert (
        '42703 column "nickname" referenced in foreign key constraint does not exist'
        in failed["public.pets"].message
    )
    assert set(findings(report, "unbuilt-table")) == {"public.pets"}


def test_docstring_headed_sql_file_loses_its_first_table(
    make_repo, dev_database: str
) -> None:
    root = make_repo(
        {
            "sql/reporting.sql": (
                '"""Reporting tables.\n\nApply with psql -f sql/reporting.sql.\n"""\n'
                "CREATE TABLE monthly_reports (id int PRIMARY KEY, month date NOT NULL);\n"
                "CREATE TABLE report_lines (\n"
                "    id int PRIMARY KEY,\n"
                "    report_id int REFERENCES monthly_reports (id)\n"
                ");\n"
            ),
            "app/reports.py": (
                "def f(cur):\n"
                '    cur.execute("SELECT * FROM monthly_reports JOIN report_lines ON true")\n'
            ),
        }
    )
    static = scan(root)
    # PostgreSQL's parser, read statically, already rejects the first CREATE
    assert static.table("monthly_reports").status == "broken"
    assert static.table("report_lines").status == "used"
    report = verify(root, dev_database)
    failed = findings(report, "fails-on-database")
    assert set(failed) == {"public.monthly_reports", "public.report_lines"}
    docstring = failed["public.monthly_reports"]
    assert (docstring.path, docstring.line) == ("sql/reporting.sql", 1)
    assert "42601 syntax error" in docstring.message
    assert "a Python docstring is not SQL" in docstring.message
    cascade = failed["public.report_lines"]
    assert '42P01 relation "monthly_reports" does not exist' in cascade.message
    assert "monthly_reports was not built: sql/reporting.sql:1 was rejected" in cascade.message
    unbuilt = findings(report, "unbuilt-table")  # monthly_reports defines nothing already
    assert set(unbuilt) == {"public.report_lines"}
    assert unbuilt["public.report_lines"].severity == "error"
    assert {f.table for f in report.findings if f.name == "broken-definition"} == {
        "public.monthly_reports"
    }


def test_copy_data_transactions_and_sessions(make_repo, dev_database: str) -> None:
    """COPY rows are sent and checked; a failure inside BEGIN...COMMIT rolls the whole block
    back (as psql does); each file starts a fresh session (search_path set by one file does
    not leak into the next); percent signs are not placeholders."""
    root = make_repo(
        {
            "db/1_base.sql": (
                "CREATE SCHEMA app;\n"
                "SET search_path = app;\n"
                "CREATE TABLE levels (id int PRIMARY KEY, label text DEFAULT '100%');\n"
                "COPY levels (id, label) FROM stdin;\n1\tlow\nnot-a-number\thigh\n\\.\n"
            ),
            "db/2_tx.sql": (
                "BEGIN;\n"
                "CREATE TABLE staged (id int);\n"
                "INSERT INTO staged VALUES ('x');\n"
                "CREATE TABLE after_failure (id int);\n"
                "COMMIT;\n"
                "CREATE TABLE plain (id int);\n"
            ),
        }
    )
    report, build = verify_repository(scan(root), root, dev_database)
    statuses = [(o.step.path, o.step.line, o.status, o.sqlstate) for o in build.outcomes]
    assert statuses == [
        ("db/1_base.sql", 1, "applied", None),
        ("db/1_base.sql", 2, "applied", None),
        ("db/1_base.sql", 3, "applied", None),
        ("db/1_base.sql", 4, "rejected", "22P02"),
        ("db/2_tx.sql", 1, "applied", None),
        ("db/2_tx.sql", 2, "applied", None),
        ("db/2_tx.sql", 3, "rejected", "22P02"),
        ("db/2_tx.sql", 4, "aborted", "25P02"),
        ("db/2_tx.sql", 5, "applied", None),
        ("db/2_tx.sql", 6, "applied", None),
    ]
    assert build.built is not None
    assert sorted(build.built.tables) == [("app", "levels"), ("public", "plain")]
    unbuilt = findings(report, "unbuilt-table")
    assert set(unbuilt) == {"public.staged", "public.after_failure"}
    assert "db/2_tx.sql:2 ran, but was rolled back or undone later" in (
        unbuilt["public.staged"].message
    )
    assert "db/2_tx.sql:4 was not run" in unbuilt["public.after_failure"].message


def test_generated_head_tables_fill_the_gaps(make_repo, dev_database: str) -> None:
    root = make_repo(
        {
            **ALEMBIC_REPO,
            "sql/extra.sql": "CREATE TABLE users (id serial PRIMARY KEY, email varchar(200));\n",
            "sql/views.sql": "CREATE VIEW invoice_ids AS SELECT id FROM invoices;\n",
        }
    )
    report, build = verify_repository(scan(root), root, dev_database)
    assert [(o.step.path, o.step.generated, o.status) for o in build.outcomes] == [
        ("sql/extra.sql", False, "applied"),
        ("sql/views.sql", False, "rejected"),  # invoices comes from the Alembic layer, later
        ("migrations/versions/a1_baseline.py", True, "applied"),
        ("migrations/versions/a1_baseline.py", True, "applied"),
        ("migrations/versions/a1_baseline.py", True, "applied"),
    ]
    assert build.built is not None
    users = build.built.tables[("public", "users")]
    assert users.column_types == ("integer", "character varying(200)")
    assert build.built.tables[("public", "invoices")].column_types == ("text",)
    assert report.verification is not None and report.verification.generated == 3


def test_refuses_a_database_that_holds_tables(make_repo, make_database: MakeDatabase) -> None:
    root = make_repo(VIEW_MISSING_FUNCTION)
    busy = make_database("CREATE TABLE customers (id int);")
    with pytest.raises(DatabaseError, match=r"already holds 1 table\(s\) \(public.customers\)"):
        verify(root, busy)
    report = verify(root, busy, force_scratch=True)
    assert set(findings(report, "fails-on-database")) == {"public.rounded_readings"}


def test_transaction_fallback_gives_the_same_verdicts_and_leaves_nothing(
    make_repo, dev_database: str, pg_server
) -> None:
    import psycopg

    root = make_repo(
        {
            **VIEW_MISSING_FUNCTION,
            "sql/z_concurrent.sql": (
                "CREATE INDEX CONCURRENTLY readings_value ON readings (value);\n"
            ),
        }
    )
    dev = dev_database
    build = run_build(build_plan(scan(root), root), parse_database_url(dev), mode="transaction")
    assert build.scratch == "transaction"
    assert [(o.step.path, o.status, o.sqlstate) for o in build.outcomes] == [
        ("sql/readings.sql", "applied", None),
        ("sql/readings.sql", "rejected", "42883"),
        ("sql/z_concurrent.sql", "skipped", None),
    ]
    with psycopg.connect(parse_database_url(dev).conninfo) as conn:
        count = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        ).fetchone()[0]
    assert count == 0


def test_migration_order_predictions_are_confirmed_or_refuted(
    make_repo, dev_database: str
) -> None:
    root = make_repo(
        {
            **VIEW_MISSING_FUNCTION,
            "sql/a_early.sql": "CREATE VIEW early AS SELECT id FROM readings;\n",
        }
    )
    _, build = verify_repository(scan(root), root, dev_database)

    def predicted(path: str, line: int, name: str = "migration-order") -> Finding:
        return Finding(
            code="TT014", name=name, severity="error", table=None, path=path, line=line,
            message="predicted to fail", locations=[Location(path=path, line=line)],
        )

    confirmed, rejected, accepted, other = confirm_predictions(
        [
            predicted("sql/a_early.sql", 1),
            predicted("sql/readings.sql", 3),
            predicted("sql/readings.sql", 1),
            predicted("sql/readings.sql", 1, "dead-table"),
        ],
        build,
    )
    assert confirmed.message == (
        'predicted to fail; PostgreSQL confirms: 42P01 relation "readings" does not exist'
    )
    assert other == predicted("sql/readings.sql", 1, "dead-table")
    assert rejected.message == (
        "predicted to fail; PostgreSQL rejects it for another reason: 42883 function "
        "round(double precision, integer) does not exist"
    )
    assert rejected.severity == "error"
    assert accepted.severity == "info"
    assert "the prediction is refuted" in accepted.message


def test_interrupting_verify_leaves_no_scratch_database(
    make_repo, dev_database: str, pg_server
) -> None:
    """Interrupted while PostgreSQL runs its SQL, `verify` drops its scratch database. Only
    the interrupted process's own scratch databases are looked at (their names carry its
    pid): other tests may build and drop theirs meanwhile."""
    root = make_repo({"sql/slow.sql": "CREATE TABLE t (id int);\nSELECT pg_sleep(60);\n"})
    dev = dev_database
    for signum in (signal.SIGINT, signal.SIGTERM):
        process = subprocess.Popen(
            [sys.executable, "-c", "from analyzer.cli import main; main()", "verify", str(root),
             "--dev-url", dev, "--no-cache"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        )
        own = f"{SCRATCH_PREFIX}{process.pid}_"
        deadline = time.monotonic() + 60
        while not _named_from(scratch_databases(pg_server), own):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "verify never created its scratch database"
            time.sleep(0.1)
        time.sleep(0.5)  # inside pg_sleep by now
        process.send_signal(signum)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 130, stderr
        assert "interrupted; the scratch database was dropped" in stderr
        assert _named_from(scratch_databases(pg_server), own) == [], signal.Signals(signum).name


def _named_from(names: list[str], prefix: str) -> list[str]:
    return [name for name in names if name.startswith(prefix)]


# ---------------------------------------------------------------------------------------------
# --database-url against a live PostgreSQL
# ---------------------------------------------------------------------------------------------

LIVE_SQL = """
CREATE TABLE users (id int PRIMARY KEY, email text, nickname text);
CREATE TABLE audit_log (id int, body text);
CREATE TABLE hand_made_backup (id int);
CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);
"""


def test_live_database_extra_missing_and_changed(make_repo, make_database: MakeDatabase) -> None:
    root = make_repo(ALEMBIC_REPO)
    report = compare_with_database(scan(root), make_database(LIVE_SQL))
    unmanaged = findings(report, "unmanaged-table")
    assert set(unmanaged) == {"public.hand_made_backup"}
    missing = findings(report, "missing-in-database")
    assert set(missing) == {"public.invoices"}
    assert missing["public.invoices"].severity == "error"  # app/billing.py reads it
    assert [(loc.path, loc.line) for loc in missing["public.invoices"].locations] == [
        ("migrations/versions/a1_baseline.py", 15),
        ("app/billing.py", 3),
    ]
    drift = findings(report, "database-drift")
    assert set(drift) == {"public.users"}
    assert "lacks" not in drift["public.users"].message
    assert "has nickname (in no revision)" in drift["public.users"].message
    backup = report.table("hand_made_backup")
    assert backup is not None and backup.status == "unmanaged"
    assert backup.database is not None and backup.database.columns == ["id"]
    assert report.table("alembic_version") is None  # Alembic's bookkeeping, not a finding
    invoices = report.table("invoices")
    assert invoices is not None and invoices.database is not None
    assert invoices.database.present is False
    assert report.database is not None and report.database.tables == 4
    assert report.stats.findings["unmanaged-table"] == 1


def test_statistics_mark_a_statically_dead_table_as_active(
    make_repo, make_database: MakeDatabase
) -> None:
    root = make_repo(
        {
            "sql/schema.sql": (
                "CREATE TABLE users (id int PRIMARY KEY);\n"
                "CREATE TABLE partner_feed (id int PRIMARY KEY, payload text);\n"
                "CREATE TABLE old_audit (id int PRIMARY KEY);\n"
            ),
            "app/users.py": 'def f(cur):\n    cur.execute("SELECT * FROM users")\n',
        }
    )
    static = scan(root)
    assert set(findings(static, "dead-table")) == {"public.partner_feed", "public.old_audit"}
    live = make_database(
        (root / "sql/schema.sql").read_text()
        + "INSERT INTO partner_feed VALUES (1, 'a'), (2, 'b');"
        + "UPDATE partner_feed SET payload = 'c' WHERE id = 1;"
        + "SELECT * FROM partner_feed WHERE id = 2;"
    )
    report = compare_with_database(static, live)
    assert set(findings(report, "dead-table")) == {"public.old_audit"}
    active = findings(report, "externally-used-table")
    assert set(active) == {"public.partner_feed"}
    assert "2 inserted, 1 updated, 0 deleted" in active["public.partner_feed"].message
    assert "about 2 live rows" in active["public.partner_feed"].message
    dead = findings(report, "dead-table")["public.old_audit"].message
    assert "agrees: 0 scans and 0 writes since statistics" in dead
    assert "(not counting 1 sequential scan: building its indexes" in dead
    feed = report.table("partner_feed")
    assert feed is not None and feed.database is not None and feed.database.statistics
    assert feed.database.statistics.n_tup_ins == 2
    assert feed.database.statistics.n_tup_upd == 1
    assert feed.database.statistics.idx_scan >= 1


def test_password_never_printed(make_repo, make_database: MakeDatabase, pg_server) -> None:
    """Console, JSON, explain and error output with a URL whose password is real."""
    import psycopg

    role = f"tt_secret_{os.getpid()}"
    root = make_repo(ALEMBIC_REPO)
    live = make_database(LIVE_SQL)
    with psycopg.connect(pg_server.conninfo, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{SECRET}'")
    try:
        with psycopg.connect(parse_database_url(live).conninfo, autocommit=True) as conn:
            conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        server = parse_database_url(live)
        secret_url = server.conninfo.replace(
            server.conninfo.split("://", 1)[1].split("@", 1)[0], f"{role}:{SECRET}", 1
        )
        outputs = []
        for args in (
            ["scan", str(root), "--fail-on", "never"],  # invoices is missing: an error
            ["scan", str(root), "--format", "json", "--fail-on", "never"],
            ["explain", str(root), "users"],
            ["explain", str(root), "users", "--format", "json"],
            ["verify", str(root), "--dev-url", secret_url],  # refused: the db holds tables
        ):
            option = [] if args[0] == "verify" else ["--database-url", secret_url]
            result = runner.invoke(app, [*args, "--no-cache", *option])
            outputs.append(result.output)
            assert result.exit_code == (2 if args[0] == "verify" else 0), result.output
        wrong = secret_url.replace(SECRET, SECRET + "x")
        result = runner.invoke(app, ["scan", str(root), "--no-cache", "--database-url", wrong])
        assert result.exit_code == 2
        outputs.append(result.output)
        for output in outputs:
            assert SECRET not in output
        assert f"{role}:***@" in outputs[0] and f"{role}:***@" in outputs[1]
        assert json.loads(outputs[1])["database"]["url"].startswith(f"postgresql://{role}:***@")
        assert "password authentication failed" in outputs[-1]
    finally:
        with psycopg.connect(parse_database_url(live).conninfo, autocommit=True) as conn:
            conn.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}")
        with psycopg.connect(pg_server.conninfo, autocommit=True) as admin:
            admin.execute(f"DROP ROLE {role}")


def test_live_connection_is_read_only(make_database: MakeDatabase) -> None:
    import psycopg

    from analyzer.database.catalog import connect_read_only

    live = make_database("CREATE TABLE t (id int);")
    with connect_read_only(parse_database_url(live)) as conn:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("INSERT INTO t VALUES (1)")
        assert conn.execute("SHOW statement_timeout").fetchone()[0] == "10s"


def test_explain_shows_the_database_evidence(make_repo, make_database: MakeDatabase) -> None:
    root = make_repo(ALEMBIC_REPO)
    live = make_database(LIVE_SQL + "INSERT INTO users VALUES (1, 'a@b', NULL);")
    result = runner.invoke(
        app, ["explain", str(root), "users", "--no-cache", "--database-url", live]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "table: id, email, nickname" in text
    assert (
        "1 sequential scan, 0 index scans; 1 inserted, 0 updated, 0 deleted; 1 live row, "
        "since statistics" in text
    )
    assert "TT103 database-drift" in text


# ---------------------------------------------------------------------------------------------
# SQLite files: the catalogue only
# ---------------------------------------------------------------------------------------------


def test_sqlite_catalogue_comparison(make_repo, tmp_path: Path) -> None:
    root = make_repo(ALEMBIC_REPO)
    database = tmp_path / "app.db"
    with sqlite3.connect(database) as conn:
        conn.executescript(LIVE_SQL)
    report = compare_with_database(scan(root), f"sqlite:///{database}")
    assert set(findings(report, "unmanaged-table")) == {"public.hand_made_backup"}
    assert set(findings(report, "missing-in-database")) == {"public.invoices"}
    assert set(findings(report, "database-drift")) == {"public.users"}
    assert set(findings(report, "externally-used-table")) == set()
    assert report.database is not None and report.database.has_statistics is False
    users = report.table("users")
    assert users is not None and users.database is not None
    assert users.database.statistics is None
    with pytest.raises(DatabaseError, match="cannot open SQLite file"):
        compare_with_database(scan(root), f"sqlite:///{tmp_path / 'absent.db'}")


def test_url_of_points_at_another_database(pg_server) -> None:
    assert url_of(pg_server, "other").endswith("/other")


def test_verify_builds_the_fresh_script_not_the_upgrades_beside_it(
    make_repo, dev_database: str
) -> None:
    """A fresh-install script and the chain of upgrades beside it are two ways to one schema:
    `verify` builds the script (the chain needs an older database to start from), and
    PostgreSQL applies every statement. Building both on one scratch database failed on the
    upgrades' first CREATE."""
    root = make_repo({
        "db/create_shop.sql": (
            "CREATE TABLE customers (id int PRIMARY KEY, email text);\n"
            "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers);\n"
        ),
        "db/update_shop_1_to_2.sql": "CREATE TABLE orders (id int PRIMARY KEY);\n",
        "db/update_shop_2_to_3.sql": "ALTER TABLE orders ADD COLUMN customer_id int;\n",
    })
    report = scan(root)
    assert [(s.id, s.alternative_of) for s in report.sources] == [
        ("sql:db/create_shop.sql", "sql:db/update_shop*"),
        ("sql:db/update_shop*", "sql:db/update_shop*"),
    ]
    plan = build_plan(report, root)
    assert [(s.path, s.line) for s in plan.steps] == [
        ("db/create_shop.sql", 1), ("db/create_shop.sql", 2),
    ]
    build = run_build(plan, parse_database_url(dev_database), mode="transaction")
    assert [(o.step.line, o.status) for o in build.outcomes] == [(1, "applied"), (2, "applied")]
