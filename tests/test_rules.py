"""Every rule against its own examples (what it must catch and what it must not)."""

from __future__ import annotations

import pytest

from analyzer import scan
from analyzer.rules import RULES
from analyzer.rules.base import Example, Rule
from tests.pg import MakeDatabase, make_database, pg_server

__all__ = ["make_database", "pg_server"]  # fixtures used by name below

# Rules that need a database run their examples in tests/test_database_rules.py.
CASES = [
    pytest.param(rule, example, id=f"{rule.code}-{rule.name}-{index}")
    for rule in RULES
    if not rule.requires_database
    for index, example in enumerate(rule.examples)
]


def test_every_rule_has_a_catching_and_a_silent_example() -> None:
    for rule in RULES:
        assert any(example.expected for example in rule.examples), rule.name
        assert any(not example.expected for example in rule.examples), rule.name


def test_database_rules_find_nothing_without_a_database(tmp_path) -> None:
    """Their evidence is a database: a plain scan of their catching examples stays silent."""
    for rule in RULES:
        for index, example in enumerate(rule.examples if rule.requires_database else ()):
            root = tmp_path / f"{rule.name}-{index}"
            for relative, text in example.files.items():
                (root / relative).parent.mkdir(parents=True, exist_ok=True)
                (root / relative).write_text(text, encoding="utf-8")
            assert not [f for f in scan(root).findings if f.code == rule.code], rule.name


def test_codes_and_names_are_unique() -> None:
    assert len({rule.code for rule in RULES}) == len(RULES)
    assert len({rule.name for rule in RULES}) == len(RULES)


@pytest.mark.parametrize(("rule", "example"), CASES)
def test_rule_example(rule: Rule, example: Example, make_repo) -> None:
    report = scan(make_repo(example.files))
    reported = {
        finding.table or f"{finding.path}:{finding.line}"
        for finding in report.findings
        if finding.code == rule.code
    }
    assert reported == set(example.expected)
    for finding in report.findings:
        assert finding.locations, finding
        assert finding.message


# A base class creates its staging table under a name its subclasses give at run time.
STAGING_BASE = '''\
class StagedTable:
    def __init__(self, name):
        self.staging_name = name + "_staging"

    def build(self, cur):
        cur.execute(f"CREATE TABLE {self.staging_name} (id int)")
        cur.execute(f"CREATE INDEX ON {self.staging_name} (id)")  # creates no table
'''
STAGING_USER = '''\
def swap(cur):
    cur.execute("INSERT INTO scores SELECT * FROM scores_staging")
'''


def test_an_undefined_table_is_hedged_when_dynamic_ddl_may_create_it(make_repo) -> None:
    """`CREATE TABLE {self.staging_name}`: tabletrace cannot tell which tables this creates,
    so a table no source creates may be one of them: confidence medium, and the message says
    where that DDL is. Without it the same table is undefined with confidence high."""
    files = {"etl/staging.py": STAGING_BASE, "etl/swap.py": STAGING_USER}
    hedged = scan(make_repo(files))
    assert sorted(
        (f.table, f.path, f.line, f.confidence, f.message)
        for f in hedged.findings
        if f.name == "undefined-table"
    ) == [
        (
            table,
            "etl/swap.py",
            2,
            "medium",
            f"{table} is used by 1 module (etl.swap) but created by no migration, SQL file or "
            "runtime DDL: add a migration that creates it, or fix the name (confidence medium: "
            "1 statement in application code creates a table whose name it takes at run time, "
            "the first at etl/staging.py:3, see dynamic-table-name; one of them may create it)",
        )
        for table in ("public.scores", "public.scores_staging")
    ]
    root = make_repo(files)
    (root / "etl/staging.py").unlink()
    sure = scan(root)
    assert sorted(
        (f.table, f.confidence) for f in sure.findings if f.name == "undefined-table"
    ) == [("public.scores", "high"), ("public.scores_staging", "high")]


def test_an_undefined_table_read_only_by_the_token_scan_has_confidence_low(make_repo) -> None:
    """sqlglot cannot parse the first statement (an unclosed bracket): its table comes from the
    token scan, which may cut a name short, so the finding says so; the parsed one is sure."""
    report = scan(make_repo({
        "app/repo.py": (
            "def f(cur):\n"
            '    cur.execute("SELECT id FROM ghosts WHERE (id = 1")\n'
            '    cur.execute("SELECT id FROM spirits WHERE id = 1")\n'
        ),
    }))
    assert sorted(
        (f.table, f.line, f.confidence, f.message.split(": ", 1)[1])
        for f in report.findings
        if f.name == "undefined-table"
    ) == [
        (
            "public.ghosts", 2, "low",
            "add a migration that creates it, or fix the name (confidence low: every use was "
            "read by a token scan, not by sqlglot's parser, see the sql-unparsed diagnostics; "
            "the name may be cut short there)",
        ),
        ("public.spirits", 3, "high", "add a migration that creates it, or fix the name"),
    ]


def test_a_table_declared_in_a_loop_is_said_unknown_and_hedges_undefined(make_repo) -> None:
    """`for entity in <run-time list>: Table(f"{entity}_role_map", Base.metadata, ...)` at
    module level: tabletrace cannot name the tables, so it says so (orm-dynamic-tablename), and
    a table the code uses but no source creates may be one of them (undefined-table, confidence
    medium). A loop over constants is one table per element (test_idioms)."""
    report = scan(make_repo({
        "app/models.py": (
            "import os\n\n"
            "from sqlalchemy import Column, Integer, Table\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n"
            'for entity in os.environ["ENTITIES"].split(","):\n'
            "    Table(\n"
            '        f"{entity}_role_map", Base.metadata, Column("role_id", Integer),\n'
            "    )\n"
        ),
        "app/repo.py": 'def f(cur):\n    cur.execute("SELECT role_id FROM user_role_map")\n',
    }))
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("orm-dynamic-tablename", "app/models.py", 9)
    ]
    assert (
        "cannot be computed (`entity`: the loop's collection is unknown: "
        "os.environ['ENTITIES'])" in report.diagnostics[0].message
    )
    assert [(f.name, f.table, f.confidence) for f in report.findings] == [
        ("undefined-table", "public.user_role_map", "medium")
    ]
    assert report.findings[0].message.endswith(
        "(confidence medium: the repository has 1 model or Table whose table name cannot be "
        "computed, see the orm-dynamic-tablename diagnostics; one of them may declare it)"
    )


def test_a_metadata_none_of_whose_tables_is_created_may_be_another_programs(make_repo) -> None:
    """Two MetaData: the app's own, built by create_all, and one for a database another
    program owns (only opened, never built here). Its models are still reported, with
    confidence low and the reason; a repository whose only MetaData is uncreated keeps them
    certain (nothing shows the database is someone else's)."""
    files = {
        "app/own.py": (
            "from sqlalchemy import Column, Integer\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Setting(Base):\n    __tablename__ = 'settings'\n"
            "    id = Column(Integer, primary_key=True)\n\n\n"
            "def init(engine):\n    Base.metadata.create_all(engine)\n"
        ),
        "app/library.py": (
            "from sqlalchemy import Column, Integer\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "LibraryBase = declarative_base()\n\n\n"
            "class Book(LibraryBase):\n    __tablename__ = 'books'\n"
            "    id = Column(Integer, primary_key=True)\n\n\n"
            "class Author(LibraryBase):\n    __tablename__ = 'authors'\n"
            "    id = Column(Integer, primary_key=True)\n"
        ),
    }
    report = scan(make_repo(files))
    found = [
        (f.table, f.confidence) for f in report.findings if f.name == "model-without-migration"
    ]
    assert found == [("public.authors", "low"), ("public.books", "low")]
    tt012 = next(f for f in report.findings if f.name == "model-without-migration")
    assert tt012.message.endswith(
        "or drop the model (confidence low: no source of the repository creates any of the 2 "
        "tables of its MetaData (app/library.py:LibraryBase), while it creates those of "
        "another: the database may be another program's; if so, list its tables in "
        "ignore_tables)"
    )
    files["app/own.py"] = ""  # the same directory: the app's own MetaData gone
    report = scan(make_repo(files))
    assert [
        (f.table, f.confidence) for f in report.findings if f.name == "model-without-migration"
    ] == [("public.authors", "high"), ("public.books", "high")]


REPORTING_FILES = {
    "db/schema.sql": (
        "CREATE TABLE annotation (id int, body text);\n"
        "CREATE SCHEMA report;\n"
        "CREATE TABLE report.daily (day date, n int);\n"
        "CREATE MATERIALIZED VIEW report.totals AS SELECT count(*) AS n FROM annotation;\n"
        "CREATE TABLE report.legacy (id int);\n"
        "INSERT INTO report.legacy VALUES (1);\n"
    ),
    "tasks/refresh/01_daily.sql": (
        "INSERT INTO report.daily (day, n)\n"
        "SELECT current_date, count(*) FROM annotation;\n"
    ),
    "tasks/refresh/02_views.sql": "REFRESH MATERIALIZED VIEW report.totals;\n",
    "db/upgrade/002_note.sql": (
        "ALTER TABLE report.legacy ADD COLUMN note text;\n"
        "UPDATE report.legacy SET note = 'x';\n"
    ),
    "app/notes.py": (
        "def add(cur, body):\n"
        '    cur.execute("INSERT INTO annotation (body) VALUES (%s)", (body,))\n'
    ),
}


def test_a_table_a_sql_script_fills_is_dead_with_medium_confidence(make_repo) -> None:
    """`INSERT INTO report.daily SELECT ... FROM annotation` and `REFRESH MATERIALIZED VIEW
    report.totals` in `.sql` files a scheduler runs: no application code uses the tables,
    but those scripts do a job's work on their rows, so the dead-table says so at confidence
    medium, citing the script. A table only a schema's seed rows (`INSERT ... VALUES`) or a
    migration's backfill (an UPDATE beside the ALTER it completes) write stays dead at high
    confidence."""
    report = scan(make_repo(REPORTING_FILES))
    dead = {
        f.table: (f.confidence, f.message.rsplit("(confidence", 1)[-1])
        for f in report.findings if f.name == "dead-table"
    }
    assert sorted(dead) == ["report.daily", "report.legacy", "report.totals"]
    assert dead["report.daily"] == (
        "medium", " medium: the SQL script tasks/refresh/01_daily.sql:1 writes its rows; if a "
        "job or an operator runs it, the table is in use)",
    )
    assert dead["report.totals"][0] == "medium"
    assert "tasks/refresh/02_views.sql:1 writes its rows" in dead["report.totals"][1]
    assert dead["report.legacy"][0] == "high"


def test_postgresql_runs_the_reporting_scripts_on_the_schema(make_database: MakeDatabase) -> None:
    """PostgreSQL (CI provides it) runs the two scripts on the schema: the INSERT ... SELECT
    adds a row to report.daily and the REFRESH fills report.totals, the rows those dead
    tables get from a job."""
    import psycopg

    from analyzer.database.url import parse_database_url

    url = make_database(REPORTING_FILES["db/schema.sql"])
    with psycopg.connect(parse_database_url(url).conninfo, autocommit=True) as conn:
        conn.execute("INSERT INTO annotation VALUES (1, 'a')")
        conn.execute(REPORTING_FILES["tasks/refresh/01_daily.sql"])
        conn.execute(REPORTING_FILES["tasks/refresh/02_views.sql"])
        daily = conn.execute("SELECT n FROM report.daily").fetchall()
        totals = conn.execute("SELECT n FROM report.totals").fetchall()
    assert (daily, totals) == ([(1,)], [(1,)])


DANGLING_FILES = {
    "app/__init__.py": "",
    "app/store.py": (
        "import sqlite3\n\n\n"
        "class Store:\n"
        "    schema = [\n"
        '        "CREATE TABLE scan_instance (guid TEXT PRIMARY KEY)",\n'
        '        "CREATE TABLE scan_result (scan_guid TEXT REFERENCES scan_instances (guid))",\n'
        '        "CREATE TABLE scan_log (scan_guid TEXT, FOREIGN KEY (scan_guid) "\n'
        '        "REFERENCES scan_instance (guid))",\n'
        "    ]\n\n"
        "    def __init__(self, path):\n"
        "        self.conn = sqlite3.connect(path)\n"
        "        for statement in self.schema:\n"
        "            self.conn.execute(statement)\n\n"
        "    def add(self, guid):\n"
        '        self.conn.execute("INSERT INTO scan_result (scan_guid) VALUES (?)", [guid])\n'
        '        self.conn.execute("INSERT INTO scan_log (scan_guid) VALUES (?)", [guid])\n'
    ),
}


def test_a_foreign_key_to_a_table_no_source_creates(make_repo) -> None:
    """`REFERENCES scan_instances (guid)` where the table is `scan_instance`: one
    dangling-foreign-key for the statement, at the literal and at the call running it; the
    table-level `FOREIGN KEY ... REFERENCES scan_instance` is fine. SQLite creates the table,
    then fails the insert once foreign keys are on."""
    import sqlite3

    root = make_repo(DANGLING_FILES)
    report = scan(root)
    (finding,) = [f for f in report.findings if f.name == "dangling-foreign-key"]
    assert (finding.table, finding.path, [loc.line for loc in finding.locations]) == (
        "public.scan_instances", "app/store.py", [7, 15],
    )
    statements = [
        "CREATE TABLE scan_instance (guid TEXT PRIMARY KEY)",
        "CREATE TABLE scan_result (scan_guid TEXT REFERENCES scan_instances (guid))",
    ]
    with sqlite3.connect(":memory:") as conn:
        for statement in statements:
            conn.execute(statement)
        conn.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.OperationalError, match=r"no such table: main\.scan_instances"):
            conn.execute("INSERT INTO scan_result VALUES ('a')")


SCRIPT_DANGLING_FILES = {
    "app/__init__.py": "",
    "app/store.py": (
        "import sqlite3\n\n"
        "SCHEMA = \"\"\"\n"
        "CREATE TABLE IF NOT EXISTS folder (id INTEGER PRIMARY KEY);\n"
        "CREATE TABLE IF NOT EXISTS note (\n"
        "    id INTEGER PRIMARY KEY,\n"
        "    folder_id INTEGER REFERENCES folder (id),\n"
        "    author_id INTEGER REFERENCES authors (id)\n"
        ");\n"
        "\"\"\"\n\n\n"
        "def open_store(path):\n"
        "    conn = sqlite3.connect(path)\n"
        "    conn.executescript(SCHEMA)\n"
        "    conn.execute(\"INSERT INTO note (folder_id) VALUES (?)\", [1])\n"
        "    return conn\n"
    ),
}


def test_a_foreign_key_in_a_script_of_several_statements(make_repo) -> None:
    """One string holding several CREATE statements (`executescript`): each piece's foreign
    keys are checked as a single statement's are. `authors` is created nowhere: one
    dangling-foreign-key, at its statement (line 5) and at the call running the script;
    `folder`, which the same script creates, is fine. SQLite runs the script, then refuses
    the insert once foreign keys are on."""
    import sqlite3

    root = make_repo(SCRIPT_DANGLING_FILES)
    report = scan(root)
    dangling = [f for f in report.findings if f.name == "dangling-foreign-key"]
    assert [(f.table, f.path, [loc.line for loc in f.locations]) for f in dangling] == [
        ("public.authors", "app/store.py", [5, 15]),
    ]
    script = SCRIPT_DANGLING_FILES["app/store.py"].split('"""')[1]
    with sqlite3.connect(":memory:") as conn:
        conn.executescript(script)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("INSERT INTO folder (id) VALUES (1)")
        with pytest.raises(sqlite3.OperationalError, match=r"no such table: main\.authors"):
            conn.execute("INSERT INTO note (folder_id) VALUES (1)")


def test_postgresql_refuses_the_dangling_foreign_key(make_database: MakeDatabase) -> None:
    """PostgreSQL (CI provides it) refuses the CREATE: relation does not exist."""
    import psycopg

    from analyzer.database.url import parse_database_url

    url = make_database("CREATE TABLE scan_instance (guid text PRIMARY KEY);")
    with (
        psycopg.connect(parse_database_url(url).conninfo, autocommit=True) as conn,
        pytest.raises(psycopg.errors.UndefinedTable, match="scan_instances"),
    ):
        conn.execute("CREATE TABLE scan_result (scan_guid text REFERENCES scan_instances (guid))")


def test_a_foreign_key_in_another_database_of_an_init_script_is_no_dangling_one(
    make_repo,
) -> None:
    """A container's init script builds another service's database after `\\connect dns`:
    `records` references `domains` there, which the same file creates (in no source of this
    repository's database): no dangling-foreign-key."""
    report = scan(make_repo({
        "docker/init.sql": (
            "CREATE DATABASE dns;\n\\connect dns\n"
            "CREATE TABLE domains (id serial PRIMARY KEY);\n"
            "CREATE TABLE records (domain_id int REFERENCES domains (id));\n"
        ),
    }))
    assert [f.name for f in report.findings if f.name == "dangling-foreign-key"] == []
