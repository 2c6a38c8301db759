"""Every schema source, replayed in order (issue: create_all, migration modules,
migration-order faults, Alembic's own file rules, broken definitions, one truth for status)."""

from __future__ import annotations

import textwrap

from analyzer import Report, scan
from tests.conftest import MakeRepo
from tests.pg import MakeDatabase, make_database, pg_server

__all__ = ["make_database", "pg_server"]  # fixtures used by name below

INI = {"alembic.ini": "[alembic]\nscript_location = migrations\n"}
V = "migrations/versions"


def revision(rev: str, down: str | None, body: str, header: str = "") -> str:
    return (
        f'"""{rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n{header}\n\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n\ndef upgrade():\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "    ")
    )


def names(report: Report, rule: str) -> list[tuple[str | None, str | None, int | None]]:
    return sorted((f.table, f.path, f.line) for f in report.findings if f.name == rule)


def test_alembic_loads_no_init_file_and_no_editor_lock_file(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/__init__.py": "",
            f"{V}/.#a.py": "",  # an editor's lock file
            f"{V}/a.py": revision("a", None, 'op.create_table("t", sa.Column("id"))'),
        }
    )
    report = scan(root)
    assert names(report, "broken-revision-graph") == []
    assert [(r.revision, r.path) for r in report.revisions] == [("a", f"{V}/a.py")]


# --- broken definitions --------------------------------------------------------------------

BROKEN_SCHEMA = (
    '"""Schema of the billing service."""\n'  # a Python docstring: swallows the first CREATE
    "CREATE TABLE invoices (id int);\n"
    "CREATE TABLE payments (id int);\n"
    "CREATE TABLE refunds (id int,, total numeric);\n"
)
BILLING_CODE = (
    "def report(cur):\n"
    '    cur.execute("SELECT * FROM invoices JOIN payments ON true JOIN refunds ON true")\n'
)


def broken_findings(report: Report) -> list[tuple[str | None, str | None, int | None, str, str]]:
    return sorted(
        (f.table, f.path, f.line, f.severity, f.confidence)
        for f in report.findings
        if f.name == "broken-definition"
    )


def test_a_create_that_cannot_run_defines_nothing(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "db/schema.sql": BROKEN_SCHEMA,
            "db/refunds.sql": "CREATE TABLE refunds (id int);\n",
            "app/billing.py": BILLING_CODE,
        }
    )
    report = scan(root)
    assert broken_findings(report) == [
        ("public.invoices", "db/schema.sql", 2, "error", "high"),
        ("public.refunds", "db/schema.sql", 4, "warning", "high"),
    ]
    tables = {t.qualified_name: t for t in report.tables}
    assert {name: t.status for name, t in tables.items()} == {
        "public.invoices": "broken",
        "public.payments": "used",
        "public.refunds": "used",
    }
    assert tables["public.invoices"].present_in == []
    assert [(d.operation, d.path, d.line) for d in tables["public.invoices"].definitions] == [
        ("broken", "db/schema.sql", 2)
    ]
    assert names(report, "undefined-table") == []
    message = next(f.message for f in report.findings if f.table == "public.invoices")
    assert "does not start with a SQL command" in message
    assert "only definition of public.invoices" in message and "app.billing" in message
    refunds = next(f.message for f in report.findings if f.table == "public.refunds")
    assert "still created by db/refunds.sql:1" in refunds


def test_a_docstring_header_is_a_broken_definition_but_a_comment_header_is_not(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            "db/commented.sql": (
                "-- Schema of the billing service.\nCREATE TABLE invoices (id int);\n"
            ),
            "app/billing.py": 'def f(cur):\n    cur.execute("SELECT * FROM invoices")\n',
        }
    )
    report = scan(root)
    assert broken_findings(report) == []
    assert {t.qualified_name: t.status for t in report.tables} == {"public.invoices": "used"}


def test_postgres_syntax_sqlglot_does_not_model_still_defines(make_repo: MakeRepo) -> None:
    """sqlglot fails on `NO INHERIT` and reads `CREATE FOREIGN TABLE` as an opaque command;
    PostgreSQL's own parser accepts both, so both define their table."""
    root = make_repo(
        {
            "db/schema.sql": (
                "CREATE TABLE IF NOT EXISTS limits (a int CHECK (a > 0) NO INHERIT);\n"
                "CREATE FOREIGN TABLE remote_rates (id int) SERVER rates_server;\n"
            ),
            "app/rates.py": (
                'def f(cur):\n    cur.execute("SELECT * FROM limits JOIN remote_rates ON true")\n'
            ),
        }
    )
    report = scan(root)
    assert broken_findings(report) == []
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.limits": "used",
        "public.remote_rates": "used",
    }


def test_outside_postgres_a_sqlglot_failure_is_a_probable_fault(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "pyproject.toml": '[tool.tabletrace]\ndialect = "sqlite"\n',
            "db/schema.sql": BROKEN_SCHEMA.replace(",, total", " total"),
            "app/billing.py": BILLING_CODE,
        }
    )
    report = scan(root)
    # The docstring is certain on any database; a missing comma is sqlglot's word only.
    assert broken_findings(report) == [
        ("public.invoices", "db/schema.sql", 2, "error", "high"),
        ("public.refunds", "db/schema.sql", 4, "error", "medium"),
    ]
    refunds = next(f.message for f in report.findings if f.table == "public.refunds")
    assert "sqlglot cannot parse it as sqlite SQL" in refunds and "tabletrace verify" in refunds


def test_broken_definitions_in_an_alembic_revisions_sql_are_not_in_its_head(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision(
                "a",
                None,
                """
                op.execute(open(os.path.join(os.path.dirname(__file__), "a.sql")).read())
                op.execute('CREATE TABLE audit (id int,, at timestamptz)')
                """,
                header="import os",
            ),
            f"{V}/a.sql": BROKEN_SCHEMA,
            "app/billing.py": BILLING_CODE.replace("refunds", "audit"),
        }
    )
    report = scan(root)
    assert broken_findings(report) == [
        ("public.audit", f"{V}/a.py", 12, "error", "high"),
        ("public.invoices", f"{V}/a.sql", 2, "error", "high"),
        ("public.refunds", f"{V}/a.sql", 4, "error", "high"),
    ]
    head = {s.qualified_name for s in report.tables if "alembic" in s.present_in}
    assert head == {"public.payments"}


def _statements_sqlite_rejects(sql: str) -> set[int]:
    """Lines of the statements SQLite itself refuses, run one by one on an empty database."""
    import sqlite3

    from analyzer.sql.split import split_statements

    statements, _ = split_statements(sql)
    connection = sqlite3.connect(":memory:")
    rejected = set()
    for statement in statements:
        try:
            connection.execute(statement.text)
        except sqlite3.Error:
            rejected.add(statement.line)
    return rejected


def test_the_broken_verdict_is_what_a_real_database_does(make_repo: MakeRepo) -> None:
    """SQLite rejects exactly the statements reported broken (its CREATE lines)."""
    root = make_repo({"db/schema.sql": BROKEN_SCHEMA, "app/billing.py": BILLING_CODE})
    report = scan(root)
    reported = {line for _, _, line, _, _ in broken_findings(report)}
    # The docstring's statement starts on line 1; its CREATE (the finding's line) is line 2.
    assert _statements_sqlite_rejects(BROKEN_SCHEMA) == {1, 4}
    assert reported == {2, 4}


def test_the_broken_verdict_is_what_postgresql_does(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """On a real PostgreSQL, exactly the reported statements fail (CI provides the server)."""
    import psycopg

    from analyzer.database.url import parse_database_url
    from analyzer.sql.split import split_statements

    sql = BROKEN_SCHEMA + "CREATE TABLE IF NOT EXISTS limits (a int CHECK (a > 0) NO INHERIT);\n"
    report = scan(make_repo({"db/schema.sql": sql, "app/billing.py": BILLING_CODE}))
    url = parse_database_url(make_database(""))
    statements, _ = split_statements(sql)
    rejected = set()
    with psycopg.connect(url.conninfo, autocommit=True) as conn:
        for statement in statements:
            try:
                conn.execute(statement.text)
            except psycopg.errors.SyntaxError:
                rejected.add(statement.line)
    assert rejected == {1, 4}
    assert {line for _, _, line, _, _ in broken_findings(report)} == {2, 4}
