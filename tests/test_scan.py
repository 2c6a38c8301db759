"""End-to-end behaviour of `analyzer.scan` on small repositories built in each test."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from analyzer import ConfigError, ScanError, scan
from tests.conftest import table_names, uses_of

QUERIES = '''\
"""Query constants."""

USERS_TABLE = "users"
GET_USER = "SELECT id, name FROM users WHERE id = $1"
FULL = f"SELECT * FROM {USERS_TABLE} WHERE active"
'''


def test_constants_resolve_across_modules_and_import_styles(make_repo) -> None:
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/db/__init__.py": "",
            "app/db/queries.py": QUERIES,
            "app/service.py": (
                "from app.db.queries import GET_USER, USERS_TABLE\n"
                "from app.db import queries as q\n"
                "import app.db.queries\n"
                "\n"
                "async def load(conn, uid):\n"
                "    await conn.fetch(GET_USER, uid)\n"
                "    await conn.fetch(q.FULL)\n"
                '    await conn.execute(f"DELETE FROM {USERS_TABLE} WHERE id = {uid}")\n'
                "    await conn.fetch(app.db.queries.GET_USER, uid)\n"
            ),
            "app/sub/__init__.py": "",
            "app/sub/rel.py": (
                "from ..db.queries import USERS_TABLE as T\n"
                "def f(cur):\n"
                '    cur.execute("UPDATE " + T + " SET name = %s", ("x",))\n'
            ),
        }
    )
    report = scan(root)
    assert uses_of(report, "users") == {
        ("app/db/queries.py", 4, "read"),
        ("app/db/queries.py", 5, "read"),
        ("app/service.py", 6, "read"),
        ("app/service.py", 7, "read"),
        ("app/service.py", 8, "write"),
        ("app/service.py", 9, "read"),
        ("app/sub/rel.py", 3, "write"),
    }
    assert table_names(report) == {"public.users"}
    assert not [f for f in report.findings if f.name == "dynamic-table-name"]


def test_dynamic_table_name_is_reported_not_guessed(make_repo) -> None:
    root = make_repo(
        {
            "app/purge.py": (
                "async def purge(conn, table_name, days):\n"
                "    await conn.execute(\n"
                '        f"DELETE FROM {table_name} WHERE created < now() - {days} '
                'AND owner IN (SELECT id FROM owners)"\n'
                "    )\n"
            )
        }
    )
    report = scan(root)
    dynamic = [f for f in report.findings if f.name == "dynamic-table-name"]
    assert [(f.path, f.line, f.table) for f in dynamic] == [("app/purge.py", 3, None)]
    assert "`table_name`" in dynamic[0].message
    assert uses_of(report, "owners") == {("app/purge.py", 3, "read")}
    assert table_names(report) == {"public.owners"}


def test_statement_kinds_and_cte_exclusion(make_repo) -> None:
    root = make_repo(
        {
            "app/jobs.py": (
                "def run(cur):\n"
                '    cur.execute("""\n'
                "        WITH recent AS (\n"
                "            SELECT user_id FROM events WHERE ts > now()\n"
                "        )\n"
                "        INSERT INTO digests (user_id)\n"
                "        SELECT r.user_id FROM recent r JOIN users u ON u.id = r.user_id\n"
                '    """)\n'
                '    cur.execute("TRUNCATE staging")\n'
                '    cur.execute("UPDATE users SET seen = true FROM events e WHERE e.id = 1")\n'
                '    cur.execute("DELETE FROM sessions USING users WHERE users.id = 1")\n'
            ),
        }
    )
    report = scan(root)
    assert uses_of(report, "events") == {("app/jobs.py", 4, "read"), ("app/jobs.py", 10, "read")}
    assert uses_of(report, "digests") == {("app/jobs.py", 6, "write")}
    assert uses_of(report, "users") == {
        ("app/jobs.py", 7, "read"),
        ("app/jobs.py", 10, "write"),
        ("app/jobs.py", 11, "read"),
    }
    assert uses_of(report, "staging") == {("app/jobs.py", 9, "write")}
    assert uses_of(report, "sessions") == {("app/jobs.py", 11, "write")}
    assert "public.recent" not in table_names(report)


def test_schema_qualified_and_quoted_names(make_repo) -> None:
    root = make_repo(
        {
            "schema.sql": (
                'CREATE TABLE public."Accounts" (id int);\n'
                "CREATE TABLE accounts (id int);\n"
                "CREATE TABLE analytics.Daily (day date);\n"
            ),
            "app/a.py": (
                "def f(cur):\n"
                '    cur.execute(\'SELECT * FROM "Accounts"\')\n'
                '    cur.execute("SELECT * FROM PUBLIC.ACCOUNTS")\n'
                '    cur.execute("SELECT * FROM analytics.daily")\n'
            ),
        }
    )
    report = scan(root)
    assert table_names(report) == {'public."Accounts"', "public.accounts", "analytics.daily"}
    assert uses_of(report, 'public."Accounts"') == {("app/a.py", 2, "read")}
    assert uses_of(report, "public.accounts") == {("app/a.py", 3, "read")}
    assert uses_of(report, "analytics.daily") == {("app/a.py", 4, "read")}
    quoted = report.table('public."Accounts"')
    assert quoted is not None and quoted.name == "Accounts" and quoted.schema_name == "public"


def test_prose_and_docstrings_are_never_sql(make_repo) -> None:
    root = make_repo(
        {
            "app/ui.py": (
                '"""Helpers. Example: SELECT * FROM users WHERE id = 1."""\n'
                "import logging\n"
                "log = logging.getLogger(__name__)\n"
                "# SELECT * FROM comments_table\n"
                "def menu():\n"
                '    """Run SELECT name FROM docs_table to list them."""\n'
                '    log.info("select from the menu")\n'
                '    print("Select a user from the list")\n'
                '    return ["Update your profile settings", "Delete this item?"]\n'
            )
        }
    )
    report = scan(root)
    assert report.tables == []
    assert report.stats.sql_strings == 0


def test_runtime_ddl_is_a_source_and_a_use(make_repo) -> None:
    root = make_repo(
        {
            "app/cache.py": (
                "def init(cur):\n"
                '    cur.execute("CREATE TABLE IF NOT EXISTS cache (k text PRIMARY KEY, v text)")\n'
                '    cur.execute("DROP TABLE IF EXISTS cache_old")\n'
                '    cur.execute("ALTER TABLE cache_tmp RENAME TO cache_archive")\n'
                '    cur.execute("SELECT v FROM cache WHERE k = %s", ("a",))\n'
            )
        }
    )
    report = scan(root)
    cache = report.table("cache")
    assert cache is not None
    assert cache.present_in == ["runtime"]
    assert [(d.source_kind, d.path, d.line, d.operation, d.columns) for d in cache.definitions] == [
        ("runtime", "app/cache.py", 2, "create", ["k", "v"])
    ]
    assert uses_of(report, "cache") == {("app/cache.py", 2, "ddl"), ("app/cache.py", 5, "read")}
    archive = report.table("cache_archive")
    assert archive is not None and archive.present_in == ["runtime"]
    assert [(d.operation, d.detail) for d in archive.definitions] == [
        ("rename_to", "renamed from public.cache_tmp")
    ]
    old = report.table("cache_old")
    assert old is not None and old.present_in == []
    runtime = [f for f in report.findings if f.name == "runtime-created-table"]
    assert [(f.table, f.severity, f.line) for f in runtime] == [("public.cache", "warning", 2)]
    assert [s.id for s in report.sources] == ["runtime:app/cache.py"]


PG_DUMP = """\
--
-- PostgreSQL database dump
--
\\restrict abc123
SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE FUNCTION public.touch() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at = now(); -- DROP TABLE users;
    RETURN NEW;
END;
$$;

CREATE TABLE public.users (
    id integer NOT NULL,
    email text,
    CONSTRAINT email_check CHECK ((email <> ''::text))
);

CREATE SEQUENCE public.users_id_seq START WITH 1;
ALTER SEQUENCE public.users_id_seq OWNED BY public.users.id;
COMMENT ON TABLE public.users IS 'people; DROP TABLE nothing';
/* block comment: CREATE TABLE ghost (id int); */
CREATE TRIGGER users_touch BEFORE UPDATE ON public.users
    FOR EACH ROW EXECUTE FUNCTION public.touch();

COPY public.users (id, email) FROM stdin;
1\tDROP TABLE users;
2\tb@example.com
\\.

CREATE VIEW public.active_users AS SELECT id FROM public.users;
CREATE MATERIALIZED VIEW public.user_counts AS SELECT count(*) FROM public.users;
"""


def test_pg_dump_file_is_read_correctly(make_repo) -> None:
    root = make_repo({"sql/00_init.sql": PG_DUMP})
    report = scan(root)
    assert table_names(report) == {"public.users", "public.active_users", "public.user_counts"}
    users = report.table("users")
    assert users is not None
    assert [(d.path, d.line, d.operation, d.columns) for d in users.definitions] == [
        ("sql/00_init.sql", 17, "create", ["id", "email"])
    ]
    assert [(s.source, s.columns) for s in users.states] == [("sql:sql", ["id", "email"])]
    view = report.table("active_users")
    assert view is not None and view.object_type == "view"
    matview = report.table("user_counts")
    assert matview is not None and matview.object_type == "materialized_view"
    assert [d.code for d in report.diagnostics] == []


def test_numbered_sql_files_form_one_history_in_numeric_order(make_repo) -> None:
    root = make_repo(
        {
            "db/9_create.sql": "CREATE TABLE prompts (id int);\nCREATE TABLE keep (id int);\n",
            "db/10_drop.sql": (
                "DROP TABLE prompts;\n"
                "ALTER TABLE keep ADD COLUMN note text;\n"
                "ALTER TABLE keep RENAME TO kept;\n"
            ),
            "db/adhoc.sql": "CREATE TABLE adhoc (id int);\n",
        }
    )
    report = scan(root)
    sources = {s.id: s for s in report.sources}
    assert sources["sql:db"].files == ["db/9_create.sql", "db/10_drop.sql"]
    assert sources["sql:db"].ordered is True
    assert sources["sql:db"].tables == ["public.kept"]
    assert sources["sql:db/adhoc.sql"].tables == ["public.adhoc"]
    kept = report.table("kept")
    assert kept is not None
    assert [s.columns for s in kept.states] == [["id", "note"]]
    prompts = report.table("prompts")
    assert prompts is not None and prompts.present_in == []
    assert [(d.path, d.line, d.operation) for d in prompts.definitions] == [
        ("db/10_drop.sql", 1, "drop"),
        ("db/9_create.sql", 1, "create"),
    ]


def test_backup_files_and_tests_are_not_sources_or_uses(make_repo) -> None:
    root = make_repo(
        {
            "sql/007_x.sql.backup": "CREATE TABLE backup_only (id int);\n",
            "tests/test_db.py": 'def test(cur):\n    cur.execute("SELECT * FROM fixtures")\n',
            "app/conftest.py": 'X = "SELECT * FROM conf_only"\n',
            "app/x_test.py": 'X = "SELECT * FROM suffix_only"\n',
        }
    )
    report = scan(root)
    assert report.tables == []
    assert report.stats.skipped_test_files == 3
    with_tests = scan(root, {"include_tests": True})
    assert table_names(with_tests) == {
        "public.fixtures", "public.conf_only", "public.suffix_only"
    }


def test_configuration_from_pyproject_and_overrides(make_repo) -> None:
    root = make_repo(
        {
            "pyproject.toml": (
                "[tool.tabletrace]\n"
                'exclude = ["scratch/**"]\n'
                'ignore_tables = ["tmp_*"]\n'
                'default_schema = "app"\n'
            ),
            "scratch/try.py": 'X = "SELECT * FROM scratch_table"\n',
            "app/a.py": 'A = "SELECT * FROM users JOIN tmp_x ON true"\n',
        }
    )
    report = scan(root)
    assert table_names(report) == {"app.users"}
    assert report.stats.excluded_files == 1
    assert report.config["default_schema"] == "app"
    overridden = scan(root, {"default_schema": "public", "ignore_tables": []})
    assert table_names(overridden) == {"public.users", "public.tmp_x"}


def test_bad_configuration_and_path_are_clear_errors(make_repo, tmp_path: Path) -> None:
    root = make_repo({"pyproject.toml": "[tool.tabletrace]\ninclude_tests = 'maybe'\nbogus = 1\n"})
    with pytest.raises(ConfigError) as info:
        scan(root)
    assert "include_tests" in str(info.value) and "bogus" in str(info.value)
    with pytest.raises(ScanError):
        scan(tmp_path / "missing")


def test_broken_files_become_diagnostics_and_the_scan_goes_on(make_repo) -> None:
    root = make_repo(
        {
            "app/py2.py": (
                'def f(cur):\n    print "hi"\n    cur.execute("SELECT * FROM py2_table")\n'
            ),
            "app/bin.py": b"\x00\x01\x02SELECT * FROM bin_table",
            "app/latin.py": b"X = 'caf\xe9'\nQ = \"SELECT * FROM latin_table\"\n",
            "app/ok.py": 'Q = "SELECT * FROM ok_table"\n',
            "sql/bad.sql": "CREATE TABLE ok_table (id int);\nCREATE TABLE ( broken;\n",
        }
    )
    report = scan(root)
    assert table_names(report) == {"public.ok_table"}
    diagnosed = {(d.path, d.code) for d in report.diagnostics}
    assert ("app/py2.py", "python-syntax-error") in diagnosed
    assert any(path == "app/bin.py" for path, _ in diagnosed)
    assert any(path == "app/latin.py" for path, _ in diagnosed)
    assert any(path == "sql/bad.sql" for path, _ in diagnosed)
    for diagnostic in report.diagnostics:
        assert diagnostic.message


def test_report_json_is_deterministic_and_relative(make_repo, tmp_path: Path) -> None:
    files = {
        "app/a.py": 'Q = "SELECT * FROM b_table JOIN a_table ON true"\n',
        "app/z.py": 'Q = "INSERT INTO a_table SELECT * FROM c_table"\n',
        "sql/00_init.sql": "CREATE TABLE a_table (id int);\nCREATE TABLE dead_one (id int);\n",
    }
    first = make_repo(files)
    second = tmp_path / "elsewhere" / "repo"
    shutil.copytree(first, second)
    one, two = scan(first).to_json(), scan(second).to_json()
    assert one == two
    data = json.loads(one)
    assert str(tmp_path) not in one
    assert data["schema_version"] == "1.1"
    table = data["tables"][0]
    assert set(table) >= {"name", "schema", "present_in", "definitions", "uses"}
    assert set(table["uses"][0]) >= {
        "path", "line", "module", "kind", "via", "confidence", "snippet"
    }
    assert set(data["findings"][0]) >= {
        "code", "name", "severity", "table", "path", "line", "message", "locations"
    }
    assert set(data) >= {"tables", "findings", "diagnostics", "sources", "stats"}


def test_report_round_trips_and_matches_its_json_schema(sample_report) -> None:
    import jsonschema

    from analyzer.models import Report, report_json_schema

    text = sample_report.to_json()
    assert Report.model_validate_json(text) == sample_report
    jsonschema.validate(json.loads(text), report_json_schema())


def test_relative_and_absolute_roots_give_the_same_bytes(monkeypatch) -> None:
    from tests.conftest import SAMPLE

    monkeypatch.chdir(SAMPLE.parent)
    assert scan("sample_repo").to_json() == scan(SAMPLE).to_json()
    monkeypatch.chdir(SAMPLE / "app")
    assert scan("..").to_json() == scan(SAMPLE).to_json()
