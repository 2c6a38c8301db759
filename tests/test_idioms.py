"""How real projects name their tables, resolved statically (issue: one evaluator for all).

Each test is a small repository written here showing one idiom, with the exact tables, kinds
and lines tabletrace must report, and the negative case next to it.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from analyzer import Report, scan
from analyzer.database.url import DatabaseUrl, parse_database_url
from tests.conftest import (
    ALEMBIC_ENV_PY,
    MakeRepo,
    alembic_config,
    importable,
    table_names,
    uses_of,
)
from tests.pg import MakeDatabase, make_database, pg_server

__all__ = ["make_database", "pg_server"]  # fixtures, imported for the tests asking PostgreSQL

INI = {"alembic.ini": "[alembic]\nscript_location = migrations\n"}
V = "migrations/versions"


def revision(rev: str, down: str | None, body: str, header: str = "") -> str:
    return (
        f'"""{rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n{header}\n\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n\ndef upgrade():\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "    ")
    )


def definitions(report: Report, table: str) -> list[tuple[str, int, str]]:
    found = report.table(table)
    assert found is not None, f"{table} not in {sorted(table_names(report))}"
    return sorted((d.path, d.line, d.operation) for d in found.definitions)


def dynamic(report: Report) -> list[tuple[str | None, int | None]]:
    return sorted((f.path, f.line) for f in report.findings if f.name == "dynamic-table-name")


def every_use(report: Report) -> list[tuple[str, str, int, str, str, str]]:
    """Each table's uses in report order: table, path, line, kind, operation, confidence."""
    return [
        (t.qualified_name, u.path, u.line, u.kind, u.operation, u.confidence)
        for t in report.tables
        for u in t.uses
    ]


def diagnostics(report: Report, code: str) -> list[tuple[str, int | None]]:
    return sorted((d.path, d.line) for d in report.diagnostics if d.code == code)


MODELS = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Tag(Base):
    __tablename__ = "tags"
    id = Column(Integer, primary_key=True)
    name = Column(String)
"""


# --------------------------------------------------------------------------------------------
# 1. attributes of mapped classes as table names
# --------------------------------------------------------------------------------------------


def test_mapped_class_attributes_name_tables_in_migrations_and_code(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            **INI,
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/cleanup.py": (
                "from app.models import Tag as T\n\n\n"
                "def purge(cur):\n"
                '    cur.execute(f"DELETE FROM {T.__tablename__} WHERE name IS NULL")\n'
                '    cur.execute("SELECT count(*) FROM %s" % T.__table__.name)\n'
            ),
            f"{V}/a.py": revision(
                "a", None,
                """
                op.create_table(Tag.__tablename__, sa.Column("id", sa.Integer), sa.Column("name"))
                op.bulk_insert(Tag.__table__, [{"id": 1, "name": "x"}])
                op.rename_table(Tag.__table__.name, "labels")
                """,
                header="from app.models import Tag",
            ),
        }
    )
    report = scan(root)
    assert definitions(report, "tags") == [
        ("app/models.py", 9, "declare"),
        (f"{V}/a.py", 11, "create"),
        (f"{V}/a.py", 12, "data"),
        (f"{V}/a.py", 13, "rename_from"),
    ]
    assert definitions(report, "labels") == [(f"{V}/a.py", 13, "rename_to")]
    assert uses_of(report, "tags") == {
        ("app/cleanup.py", 5, "write"),
        ("app/cleanup.py", 6, "read"),
    }
    assert dynamic(report) == []
    assert diagnostics(report, "alembic-dynamic-name") == []


def test_an_unmapped_class_attribute_stays_dynamic_with_the_reason(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/models.py": "class NotAModel:\n    pass\n",
            "app/cleanup.py": (
                "from app.models import NotAModel\n\n\ndef purge(cur):\n"
                '    cur.execute(f"DELETE FROM {NotAModel.__tablename__}")\n'
            ),
        }
    )
    report = scan(root)
    (finding,) = [f for f in report.findings if f.name == "dynamic-table-name"]
    assert (finding.path, finding.line) == ("app/cleanup.py", 5)
    assert "NotAModel is not a mapped class" in finding.message


# --------------------------------------------------------------------------------------------
# 2. loops and comprehensions over literal collections
# --------------------------------------------------------------------------------------------


def test_loops_over_constants_are_one_operation_per_element(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **INI,
            "app/__init__.py": "",
            "app/schema_names.py": (
                'RENAMES = (("old_a", "new_a"), ("old_b", "new_b"))\n'
                'LEGACY = {"legacy_x": "x", "legacy_y": "y"}\n'
            ),
            f"{V}/a.py": revision(
                "a", None,
                """
                for name in ("old_a", "old_b", "legacy_x", "legacy_y", "gone"):
                    op.create_table(name, sa.Column("id"))
                """,
            ),
            f"{V}/b.py": revision(
                "b", "a",
                """
                for old, new in RENAMES:
                    op.rename_table(old, new)
                for table in LEGACY.keys():
                    op.drop_table(table)
                [op.drop_table(t) for t in ["gone"]]
                for unknown in fetch_names():
                    op.drop_table(unknown)
                """,
                header="from app.schema_names import LEGACY, RENAMES",
            ),
        }
    )
    report = scan(root)
    head = next(s for s in report.sources if s.kind == "alembic")
    assert head.tables == ["public.new_a", "public.new_b"]
    new_a = report.table("new_a")
    assert new_a is not None
    assert [(d.path, d.line, d.operation, d.snippet) for d in new_a.definitions] == [
        (f"{V}/b.py", 12, "rename_to", "op.rename_table(old, new)  [for old='old_a', new='new_a']")
    ]
    assert definitions(report, "legacy_y") == [
        (f"{V}/a.py", 12, "create"),
        (f"{V}/b.py", 14, "drop"),
    ]
    assert definitions(report, "gone") == [(f"{V}/a.py", 12, "create"), (f"{V}/b.py", 15, "drop")]
    # the loop over a call is not guessed: a diagnostic says why
    (problem,) = [d for d in report.diagnostics if d.code == "alembic-dynamic-name"]
    assert (problem.path, problem.line) == (f"{V}/b.py", 17)
    assert "`unknown`" in problem.message and "`fetch_names` is not defined" in problem.message


def test_loops_in_application_code(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/purge.py": (
                'TABLES = ("sessions", "tokens")\n\n\n'
                "def purge(cur, extra):\n"
                "    for table in TABLES:\n"
                '        cur.execute(f"DELETE FROM {table}")\n'
                "    for table in extra:\n"
                '        cur.execute(f"TRUNCATE {table}")\n'
            ),
        }
    )
    report = scan(root)
    assert uses_of(report, "sessions") == {("app/purge.py", 6, "write")}
    assert uses_of(report, "tokens") == {("app/purge.py", 6, "write")}
    assert dynamic(report) == [("app/purge.py", 8)]


def test_a_template_keeps_the_strongest_reading_of_each_table(make_repo: MakeRepo) -> None:
    """Both fillings write `events`: sqlglot parses only the second (`INSERT IGNORE` is
    MySQL's), the token scan reads the first. The use is the parsed one, high, with its
    snippet, though the unparsed filling came first; the token scan's reading is the
    diagnostic's."""
    root = make_repo(
        {
            "app/store.py": (
                "def save_event(cur, mysql, name):\n"
                '    verb = "INSERT IGNORE" if mysql else "INSERT"\n'
                '    cur.execute(f"{verb} INTO events (name) VALUES (%s)", (name,))\n'
            ),
        }
    )
    report = scan(root)
    events = report.table("events")
    assert events is not None
    assert [(u.path, u.line, u.kind, u.confidence, u.snippet) for u in events.uses] == [
        ("app/store.py", 3, "write", "high", "INSERT INTO events (name) VALUES (%s)")
    ]
    (unparsed,) = [d for d in report.diagnostics if d.code == "sql-unparsed"]
    assert (unparsed.path, unparsed.line) == ("app/store.py", 3)


def test_a_mysql_project_with_format_parameters(make_repo: MakeRepo) -> None:
    """PyMySQL's `%s` and `%(name)s` under `dialect = "mysql"`, and MySQL's REPLACE: every
    statement parsed, every use high, no `sql-unparsed` diagnostic."""
    root = make_repo(
        {
            "pyproject.toml": '[tool.tabletrace]\ndialect = "mysql"\n',
            "app/store.py": (
                "import pymysql\n"
                "\n"
                "\n"
                "def save(conn, player):\n"
                "    with conn.cursor() as cur:\n"
                '        cur.execute("SELECT slime FROM players WHERE id = %s", (player.id,))\n'
                "        cur.execute(\n"
                '            "REPLACE INTO players (id, slime) VALUES (%(id)s, %(slime)s)",\n'
                '            {"id": player.id, "slime": player.slime},\n'
                "        )\n"
                '        cur.execute("UPDATE markets SET rate = rate % 7 WHERE id = %s", (1,))\n'
            ),
        }
    )
    report = scan(root)
    assert every_use(report) == [
        ("public.markets", "app/store.py", 11, "write", "update", "high"),
        ("public.players", "app/store.py", 6, "read", "select", "high"),
        ("public.players", "app/store.py", 8, "write", "insert", "high"),
    ]
    assert report.diagnostics == []


MYSQL_SCHEMA = """\
CREATE TABLE players (
  id int NOT NULL AUTO_INCREMENT,
  slime int,
  PRIMARY KEY (id)
) ENGINE=InnoDB;

CREATE TABLE markets (id int PRIMARY KEY, rate int) ENGINE=InnoDB;

CREATE TABLE notes (id int PRIMARY KEY);
"""


def test_a_mysql_schema_read_as_postgres_names_the_setting(make_repo: MakeRepo) -> None:
    """PostgreSQL rejects the MySQL CREATEs: each is a broken-definition finding, and one
    diagnostic, at the first, says which setting reads them as written. With it set, neither
    the findings nor the diagnostic remain, and both tables are created."""
    files = {
        "setup.sql": MYSQL_SCHEMA,
        "app/store.py": (
            "def save(cur, player):\n"
            '    cur.execute("REPLACE INTO players (id, slime) VALUES (%s, %s)", player)\n'
            '    cur.execute("SELECT rate FROM markets")\n'
            '    cur.execute("SELECT id FROM notes")\n'
        ),
    }
    report = scan(make_repo(files))
    assert sorted((f.name, f.table, f.line) for f in report.findings) == [
        ("broken-definition", "public.markets", 7),
        ("broken-definition", "public.players", 1),
    ]
    (note,) = [d for d in report.diagnostics if d.code == "sql-dialect"]
    assert (note.path, note.line) == ("setup.sql", 1)
    assert note.message == (
        "2 definitions in the one .sql file that defines tables use MySQL syntax that "
        "PostgreSQL rejects (the first here), and SQL is read as postgres: if the database is "
        'MySQL, set `dialect = "mysql"` in [tool.tabletrace]; until then each is a '
        "broken-definition finding"
    )
    mysql = scan(make_repo({**files, "pyproject.toml": '[tool.tabletrace]\ndialect = "mysql"\n'}))
    assert [f.name for f in mysql.findings] == []
    assert mysql.diagnostics == []
    head = next(s for s in mysql.sources if s.kind == "sql")
    assert head.tables == ["public.markets", "public.notes", "public.players"]
    # one file of three: a project with an old file for another engine gets no note
    mixed = scan(make_repo({
        **files, "pyproject.toml": "",
        "sql/001_init.sql": "CREATE TABLE events (id int PRIMARY KEY);\n",
        "sql/002_more.sql": "CREATE TABLE audits (id int PRIMARY KEY);\n",
    }))
    assert sorted(f.table for f in mixed.findings if f.name == "broken-definition") == [
        "public.markets", "public.players"
    ]
    assert [d.code for d in mixed.diagnostics] == []


def test_a_column_named_at_run_time_is_shown_as_its_expression(make_repo: MakeRepo) -> None:
    """`ADD COLUMN {column_name}` (backquoted too, as a SQLite settings migrator writes it):
    the definition's detail names the expression, never the parser's placeholder."""
    root = make_repo(
        {
            "app/settings_db.py": (
                "def add_missing(db, column_name, kind):\n"
                '    db.execute("CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY)")\n'
                '    db.execute(f"ALTER TABLE settings ADD COLUMN `{column_name}` {kind}")\n'
                '    db.execute(f"ALTER TABLE settings RENAME COLUMN old_name TO {column_name}")\n'
            ),
        }
    )
    settings = scan(root).table("settings")
    assert settings is not None
    assert [(d.path, d.line, d.operation, d.detail) for d in settings.definitions] == [
        ("app/settings_db.py", 2, "create", None),
        ("app/settings_db.py", 3, "alter", "add column {column_name}"),
        ("app/settings_db.py", 4, "alter", "rename column old_name to {column_name}"),
    ]


def test_an_unknown_table_is_shown_by_the_filling_sqlglot_parsed(make_repo: MakeRepo) -> None:
    """Both fillings delete from an unknown table; sqlglot parses only the second. The
    finding quotes the parsed one, so a better token scan cannot change its fingerprint."""
    root = make_repo(
        {
            "app/purge.py": (
                "def purge(cur, table, many):\n"
                '    match = "IN (VALUES ?)" if many else "= (?, ?)"\n'
                '    cur.execute(f"DELETE FROM {table} WHERE (room, user) {match}")\n'
            ),
        }
    )
    report = scan(root)
    (finding,) = [f for f in report.findings if f.name == "dynamic-table-name"]
    assert [(loc.path, loc.line, loc.snippet) for loc in finding.locations] == [
        ("app/purge.py", 3, "DELETE FROM {table} WHERE (room, user) = (?, ?)")
    ]
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("sql-unparsed", "app/purge.py", 3)
    ]


# --------------------------------------------------------------------------------------------
# 3. helpers that take the table name as a parameter
# --------------------------------------------------------------------------------------------

DATABASE = """\
class Connection:
    def __init__(self, raw):
        self.raw = raw

    async def insert(self, table_name: str, row: dict) -> None:
        columns = ", ".join(row)
        await self.raw.execute(f"INSERT INTO {table_name} ({columns}) VALUES (:values)", row)

    async def fetch_page(self, query: str, table_name: str | None = None) -> list:
        if table_name and not table_name.isidentifier():
            raise ValueError(table_name)
        return await self.raw.fetch(query)


class Database:
    def __init__(self, name: str) -> None:
        self.name = name

    async def insert(self, table_name: str, row: dict) -> None:
        async with self.connect() as conn:
            await conn.insert(table_name, row)


db = Database("main")
"""


def test_helpers_resolved_at_their_call_sites(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/db.py": DATABASE,
            "app/accounts.py": (
                "from typing import Optional\n\n"
                "from app.db import Connection, db\n\n\n"
                "async def create(account: dict, conn: Optional[Connection] = None) -> None:\n"
                '    await (conn or db).insert("accounts", account)\n\n\n'
                "async def page(conn: Connection) -> list:\n"
                '    return await conn.fetch_page("SELECT * FROM wallets", table_name="wallets")\n'
            ),
            "app/untyped.py": (
                "async def audit(something, row):\n"
                '    await something.insert("audit_log", row)\n'
            ),
            "schema.sql": (
                "CREATE TABLE accounts (id int);\nCREATE TABLE wallets (id int);\n"
                "CREATE TABLE audit_log (id int);\n"
            ),
        }
    )
    report = scan(root)
    accounts = report.table("accounts")
    assert accounts is not None
    assert [(u.path, u.line, u.kind, u.confidence, u.function) for u in accounts.uses] == [
        ("app/accounts.py", 7, "write", "high", "create")
    ]
    assert accounts.uses[0].snippet.startswith("INSERT INTO accounts (")
    # the name given to fetch_page is only validated, never put in SQL: not a second use
    assert uses_of(report, "wallets") == {("app/accounts.py", 11, "read")}
    # an untyped receiver: the only helper named `insert` that builds SQL from its parameter
    audit = report.table("audit_log")
    assert audit is not None
    assert [(u.path, u.line, u.kind, u.confidence) for u in audit.uses] == [
        ("app/untyped.py", 2, "write", "medium")
    ]
    assert dynamic(report) == []


def test_a_call_reached_through_a_runner_keeps_its_strongest_use(make_repo: MakeRepo) -> None:
    """`select_list` hands `select_list_txn` to a runner: the call site is reached through
    both, once with the empty `WHERE` filling (sqlglot cannot parse it: low) and once with
    the other (medium, the receiver's type is read from an annotation). One use, the
    stronger."""
    root = make_repo(
        {
            "app/pool.py": (
                "class Pool:\n"
                "    async def run(self, desc, func, *args):\n"
                "        return func(None, *args)\n"
                "\n"
                "    async def select_list(self, table, keyvalues, retcols):\n"
                "        return await self.run(\n"
                '            "select_list", self.select_list_txn, table, keyvalues, retcols\n'
                "        )\n"
                "\n"
                "    def select_list_txn(self, txn, table, keyvalues, retcols):\n"
                "        if keyvalues:\n"
                '            where = " AND ".join("%s = ?" % k for k in keyvalues)\n'
                '            columns = ", ".join(retcols)\n'
                '            sql = "SELECT %s FROM %s WHERE %s" % (columns, table, where)\n'
                "        else:\n"
                '            sql = "SELECT %s FROM %s" % (", ".join(retcols), table)\n'
                "        txn.execute(sql, list(keyvalues.values()))\n"
            ),
            "app/rooms.py": (
                "from app.pool import Pool\n"
                "\n"
                "\n"
                "class Rooms:\n"
                "    def __init__(self, pool: Pool):\n"
                "        self.pool = pool\n"
                "\n"
                "    async def servers(self):\n"
                "        return await self.pool.select_list(\n"
                '            table="partial_rooms", keyvalues={}, retcols=("room_id",)\n'
                "        )\n"
            ),
        }
    )
    report = scan(root)
    rooms = report.table("partial_rooms")
    assert rooms is not None
    assert [(u.path, u.line, u.kind, u.confidence, u.snippet) for u in rooms.uses] == [
        ("app/rooms.py", 9, "read", "medium", "SELECT room_id FROM partial_rooms")
    ]


def test_a_helper_with_no_readable_call_stays_dynamic(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/db.py": (
                "def purge(cur, table):\n"
                '    cur.execute(f"DELETE FROM {table}")\n\n\n'
                "def nightly(cur, names):\n"
                "    for name in names:\n"
                "        purge(cur, name)\n"
            ),
        }
    )
    report = scan(root)
    (finding,) = [f for f in report.findings if f.name == "dynamic-table-name"]
    assert (finding.path, finding.line) == ("app/db.py", 7)
    assert "purge()" in finding.message and "parameter" in finding.message


RUNNER_POOL = """\
class Pool:
    def run_in_transaction(self, desc, func, *args, **kwargs):
        with self.connection() as txn:
            return func(txn, *args, **kwargs)

    def select_value(self, table, keyvalues, column, allow_none=False, desc="select_value"):
        return self.run_in_transaction(
            desc, self.select_value_txn, table, keyvalues, column, allow_none=allow_none,
            autocommit=True,
        )

    @classmethod
    def select_value_txn(cls, txn, table, keyvalues, column, allow_none=False):
        sql = "SELECT %(column)s FROM %(table)s" % {"column": column, "table": table}
        txn.execute(sql + " WHERE " + " AND ".join(f"{k} = ?" for k in keyvalues))
        return txn.fetchone()

    def insert(self, table, values, desc="insert"):
        return self.run_in_transaction(desc, self.insert_txn, table, values)

    @staticmethod
    def insert_txn(txn, table, values):
        txn.execute("INSERT INTO %s (%s) VALUES (?)" % (table, ", ".join(values)))

    def upsert(self, table, keyvalues, values, where=None, desc="upsert"):
        # every argument given, the defaulted one too: the names say where they go
        return self.run_in_transaction(desc, self.upsert_txn, table, keyvalues, values, where)

    def upsert_txn(self, txn, table, keyvalues, values, where=None):
        txn.execute(f"INSERT INTO {table} VALUES (?) ON CONFLICT DO UPDATE SET v = ?")
"""


def test_helpers_handed_to_a_runner_with_their_arguments(make_repo: MakeRepo) -> None:
    """`run_in_transaction(desc, self.insert_txn, table, values)` calls `insert_txn(txn,
    table, values)`: the runner supplies the first argument, the rest bind in order."""
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/pool.py": RUNNER_POOL,
            "app/store.py": (
                "import asyncio\n\n"
                "from app.pool import Pool\n\n\n"
                "class RoomStore:\n"
                "    def __init__(self, pool: Pool) -> None:\n"
                "        self.pool = pool\n\n"
                "    def is_blocked(self, room_id):\n"
                "        return self.pool.select_value(\n"
                '            table="blocked_rooms", keyvalues={"room_id": room_id}, column="1"\n'
                "        )\n\n"
                "    def report(self, room_id):\n"
                '        self.pool.insert("room_reports", {"room_id": room_id})\n'
                '        self.pool.upsert("room_stats", {"room_id": room_id}, {"v": 1})\n\n\n'
                "def archive(cur, table, row):\n"
                '    cur.execute(f"INSERT INTO {table} VALUES (%s)", row)\n\n\n'
                "async def archive_later(cur, row):\n"
                '    await asyncio.to_thread(archive, cur, "room_archive", row)\n\n\n'
                "def schedule(callbacks):\n"
                "    callbacks.append(archive)  # handed over, but with no arguments: no use\n"
            ),
            "schema.sql": (
                "CREATE TABLE blocked_rooms (room_id text);\n"
                "CREATE TABLE room_reports (room_id text);\n"
                "CREATE TABLE room_archive (room_id text);\n"
                "CREATE TABLE room_stats (room_id text, v int);\n"
            ),
        }
    )
    report = scan(root)
    found = {
        (t.name, u.path, u.line, u.kind, u.confidence, u.function)
        for t in report.tables
        for u in t.uses
    }
    assert found == {
        ("blocked_rooms", "app/store.py", 11, "read", "medium", "RoomStore.is_blocked"),
        ("room_reports", "app/store.py", 16, "write", "medium", "RoomStore.report"),
        ("room_stats", "app/store.py", 17, "write", "medium", "RoomStore.report"),
        ("room_archive", "app/store.py", 25, "write", "medium", "archive_later"),
    }
    assert [f.table for f in report.findings if f.name == "dead-table"] == []
    assert dynamic(report) == []
    assert report.to_json() == scan(root, prefilter=False).to_json()


def test_a_runner_whose_arguments_cannot_bind_is_no_use(make_repo: MakeRepo) -> None:
    """More arguments than the function takes are not a call the runner can make: no use,
    and the helper, never called, stays dynamic."""
    root = make_repo(
        {
            "app/jobs.py": (
                "def purge(cur, table, before):\n"
                '    cur.execute(f"DELETE FROM {table} WHERE ts < %s", (before,))\n\n\n'
                "def nightly(executor):\n"
                '    executor.submit(purge, "events", 1, 2, 3)\n'
            ),
            "schema.sql": "CREATE TABLE events (ts int);\n",
        }
    )
    report = scan(root)
    assert uses_of(report, "events") == set()
    assert dynamic(report) == [("app/jobs.py", 2)]


def test_a_cte_defined_in_one_string_and_read_in_pieces_is_no_table(make_repo: MakeRepo) -> None:
    """Query builders keep the `WITH RECURSIVE` head in one string and the pieces reading the
    CTE in others; the CTE's name is not a table in that function, and only there."""
    root = make_repo(
        {
            "app/state.py": (
                "def latest_state(txn, group, conditions):\n"
                '    sql = """\n'
                "        WITH RECURSIVE chain(state_group) AS (\n"
                "            VALUES(?::bigint)\n"
                "            UNION ALL\n"
                "            SELECT prev FROM state_edges e, chain c WHERE c.state_group = e.g\n"
                "        )\n"
                "        %s\n"
                '    """\n'
                "    pieces = []\n"
                "    for condition in conditions:\n"
                "        pieces.append(\n"
                '            f"(SELECT event_id FROM state_rows JOIN chain USING (state_group)"\n'
                '            f" WHERE {condition})"\n'
                "        )\n"
                '    txn.execute(sql % (" UNION ".join(pieces),), [group])\n\n\n'
                "def archived(txn):\n"
                '    txn.execute("SELECT * FROM chain WHERE archived")  # a real table here\n'
            ),
            "schema.sql": (
                "CREATE TABLE state_edges (g int, prev int);\n"
                "CREATE TABLE state_rows (state_group int, event_id text);\n"
                "CREATE TABLE chain (archived bool);\n"
            ),
        }
    )
    report = scan(root)
    assert uses_of(report, "state_edges") == {("app/state.py", 6, "read")}
    assert uses_of(report, "state_rows") == {("app/state.py", 13, "read")}
    assert uses_of(report, "chain") == {("app/state.py", 20, "read")}
    assert [f.table for f in report.findings if f.name == "undefined-table"] == []


def test_a_cte_defined_by_a_piece_of_a_list_is_no_table(make_repo: MakeRepo) -> None:
    """A query built as a list of pieces (`parts.extend([",", "allowed AS (", ...])`, joined
    later): the piece starting `allowed AS (` defines a CTE (no statement starts so, and no
    alias is followed by `(`), so the pieces reading `allowed` read no table. sqlite3 runs
    the joined query."""
    import sqlite3

    root = make_repo({
        "app/__init__.py": "",
        "app/grants.py": (
            "def allowed_children(conn, rules):\n"
            '    parts = ["WITH base AS (SELECT parent, child FROM grants)"]\n'
            "    if rules:\n"
            "        parts.extend([\n"
            '            ",",\n'
            '            "allowed AS (",\n'
            '            " UNION ALL ".join(rules),\n'
            '            ")",\n'
            "        ])\n"
            '        parts.append("SELECT child FROM base WHERE child IN "\n'
            '                     "(SELECT child FROM allowed)")\n'
            "    else:\n"
            '        parts.append("SELECT child FROM base")\n'
            '    return conn.execute(" ".join(parts)).fetchall()\n'
        ),
        "schema.sql": "CREATE TABLE grants (parent text, child text);\n",
    })
    report = scan(root)
    assert {t.name: sorted((u.line, u.kind) for u in t.uses) for t in report.tables} == {
        "grants": [(2, "read")],
    }
    assert report.findings == []
    with importable(root), sqlite3.connect(":memory:") as db:
        from app.grants import allowed_children  # type: ignore[import-not-found]

        db.executescript("CREATE TABLE grants (parent text, child text);"
                         "INSERT INTO grants VALUES ('a', 'b'), ('a', 'c');")
        rules = ["SELECT 'b' AS child"]
        assert allowed_children(db, rules) == [("b",)]
        assert allowed_children(db, []) == [("b",), ("c",)]


def test_a_local_string_a_sink_reads_in_part_is_counted_at_the_sink(
    make_repo: MakeRepo,
) -> None:
    """`sql = "SELECT ... WHERE "` then `execute(sql + clause)`: the local is a piece of the
    sink's statement, read there, not a statement of its own (on its own it is a fragment
    sqlglot cannot parse, and a complete one, `sql + " WHERE " + cond`, was counted twice).
    A local a sink also reads whole stays counted where it is written, as before. sqlite3
    refuses the fragment alone and runs each assembled statement."""
    import sqlite3

    root = make_repo({
        "app/__init__.py": "",
        "app/store.py": (
            "def in_clause(column, values):\n"
            '    return "%s IN (%s)" % (column, ",".join("?" for _ in values)), list(values)\n'
            "\n\n"
            "def redactions_of(db, event_ids):\n"
            '    sql = "SELECT event_id FROM redactions WHERE "\n'
            '    clause, args = in_clause("redacts", event_ids)\n'
            "    return db.execute(sql + clause, args).fetchall()\n"
            "\n\n"
            "def widgets_where(db, where):\n"
            '    sql = "SELECT id FROM widgets WHERE "\n'
            "    return db.execute(sql + where).fetchall()\n"
            "\n\n"
            "def gadgets_where(db, where):\n"
            '    sql = "SELECT id FROM gadgets"\n'
            '    return db.execute(sql + " WHERE " + where).fetchall()\n'
            "\n\n"
            "def gizmos(db, where):\n"
            '    sql = "SELECT id FROM gizmos"\n'
            "    everything = db.execute(sql).fetchall()\n"
            '    return everything, db.execute(sql + " WHERE " + where).fetchall()\n'
        ),
    })
    report = scan(root)
    assert sorted(every_use(report)) == [
        ("public.gadgets", "app/store.py", 18, "read", "select", "high"),
        ("public.gizmos", "app/store.py", 22, "read", "select", "high"),
        ("public.gizmos", "app/store.py", 24, "read", "select", "high"),
        ("public.redactions", "app/store.py", 8, "read", "select", "high"),
        ("public.widgets", "app/store.py", 13, "read", "select", "high"),
    ]
    assert report.diagnostics == []
    with importable(root), sqlite3.connect(":memory:") as db:
        from app.store import (  # type: ignore[import-not-found]
            gadgets_where,
            gizmos,
            redactions_of,
            widgets_where,
        )

        db.executescript(
            "CREATE TABLE redactions (event_id text, redacts text);"
            "CREATE TABLE widgets (id int); CREATE TABLE gadgets (id int);"
            "CREATE TABLE gizmos (id int);"
            "INSERT INTO redactions VALUES ('e1', 'a'), ('e2', 'b');"
        )
        with pytest.raises(sqlite3.OperationalError, match="incomplete input"):
            db.execute("SELECT event_id FROM redactions WHERE ")
        assert redactions_of(db, ["a", "c"]) == [("e1",)]
        assert widgets_where(db, "id = 1") == gadgets_where(db, "id = 1") == []
        assert gizmos(db, "id = 1") == ([], [])


def test_a_repeated_placeholder_list_is_one_statement(make_repo: MakeRepo) -> None:
    """`"?," * (len(ids) - 1)` then a last `?`, and `["?"] * len(ids)` joined: how many
    placeholders there are changes no table, so the statement is read with the pieces once
    (a hole glued to the last `?` had read as PostgreSQL's `?` operator: unparsable, low).
    A known count is the repetition itself. sqlite3 runs each query with one and with three
    ids."""
    import sqlite3

    root = make_repo({
        "app/__init__.py": "",
        "app/blocks.py": (
            "def by_heights(db, heights):\n"
            '    query = f"SELECT block FROM full_blocks WHERE height IN "\\\n'
            "            f\"({'?,' * (len(heights) - 1)}?)\"\n"
            "    return db.execute(query, heights).fetchall()\n"
            "\n\n"
            "def by_hashes(db, hashes):\n"
            '    marks = ", ".join(["?"] * len(hashes))\n'
            '    return db.execute(f"SELECT block FROM block_records WHERE hash IN ({marks})",\n'
            "                      hashes).fetchall()\n"
            "\n\n"
            "def first_three(db, a, b, c):\n"
            '    return db.execute("SELECT block FROM sub_blocks WHERE height IN (" + "?, " * 2\n'
            '                      + "?)", (a, b, c)).fetchall()\n'
        ),
    })
    report = scan(root)
    assert sorted(every_use(report)) == [
        ("public.block_records", "app/blocks.py", 9, "read", "select", "high"),
        ("public.full_blocks", "app/blocks.py", 2, "read", "select", "high"),
        ("public.sub_blocks", "app/blocks.py", 14, "read", "select", "high"),
    ]
    assert report.diagnostics == []
    sub_blocks = report.table("sub_blocks")
    assert sub_blocks is not None
    assert [u.snippet for u in sub_blocks.uses] == [
        "SELECT block FROM sub_blocks WHERE height IN (?, ?, ?)"
    ]
    with importable(root), sqlite3.connect(":memory:") as db:
        from app.blocks import by_hashes, by_heights, first_three  # type: ignore[import-not-found]

        db.executescript(
            "CREATE TABLE full_blocks (block text, height int);"
            "CREATE TABLE block_records (block text, hash text);"
            "CREATE TABLE sub_blocks (block text, height int);"
            "INSERT INTO full_blocks VALUES ('b1', 1), ('b2', 2), ('b3', 3);"
        )
        assert by_heights(db, [2]) == [("b2",)]
        assert sorted(by_heights(db, [1, 2, 3])) == [("b1",), ("b2",), ("b3",)]
        assert by_hashes(db, ["x"]) == by_hashes(db, ["x", "y", "z"]) == []
        assert first_three(db, 1, 2, 3) == []


def test_a_sqlite_script_after_pragmas_and_main_qualified_names(make_repo: MakeRepo) -> None:
    """A schema script that starts with SQLite's settings (`pragma foreign_keys = on;`) is
    read for the statements after them (it had been no SQL at all: every table it creates
    was undefined), and under `dialect = "sqlite"` a name in `main`, the connection's own
    database, is the unqualified table. sqlite3 runs the script and the query."""
    import sqlite3

    root = make_repo({
        "pyproject.toml": '[tool.tabletrace]\ndialect = "sqlite"\n',
        "app/__init__.py": "",
        "app/storage.py": (
            "class Storage:\n"
            '    CREATE_TABLES = """\n'
            "        pragma journal_mode = wal;\n"
            "        pragma foreign_keys = on;\n"
            "        create table if not exists blob (blob_hash text primary key);\n"
            "        create table if not exists stream (\n"
            "            sd_hash text references blob (blob_hash)\n"
            "        );\n"
            '    """\n'
            "\n"
            "    def __init__(self, db):\n"
            "        self.db = db\n"
            "        db.executescript(self.CREATE_TABLES)\n"
            "\n"
            "    def hashes(self):\n"
            '        return self.db.execute("select sd_hash from main.stream").fetchall()\n'
            "\n"
            "    def add(self, blob_hash):\n"
            '        self.db.execute("insert into main.blob values (?)", (blob_hash,))\n'
        ),
    })
    report = scan(root)
    assert sorted(every_use(report)) == [
        ("public.blob", "app/storage.py", 5, "ddl", "create", "high"),
        ("public.blob", "app/storage.py", 19, "write", "insert", "high"),
        ("public.stream", "app/storage.py", 6, "ddl", "create", "high"),
        ("public.stream", "app/storage.py", 16, "read", "select", "high"),
    ]
    assert [(f.name, f.table) for f in report.findings] == [
        ("runtime-created-table", "public.blob"), ("runtime-created-table", "public.stream"),
    ]
    with importable(root), sqlite3.connect(":memory:") as db:
        from app.storage import Storage  # type: ignore[import-not-found]

        storage = Storage(db)
        storage.add("b")
        db.execute("insert into stream values ('b')")
        assert storage.hashes() == [("b",)]
        assert db.execute("pragma foreign_keys").fetchone() == (1,)


def test_sqlite_pragma_functions_are_system_tables(make_repo: MakeRepo) -> None:
    """SQLite's table-valued pragma functions (`pragma_table_list`, `pragma_table_info(?)`)
    are the database's, like `sqlite_master`: status `system`, never undefined. sqlite3
    answers them on a database that created no table of those names."""
    import sqlite3

    root = make_repo({
        "app/__init__.py": "",
        "app/introspect.py": (
            "def table_type(conn, name):\n"
            '    row = conn.execute("SELECT type FROM pragma_table_list WHERE name = ?",\n'
            "                       (name,)).fetchone()\n"
            "    return row[0] if row else None\n\n\n"
            "def columns(conn, name):\n"
            '    return [r[0] for r in conn.execute("SELECT name FROM pragma_table_info(?)",\n'
            "                                          (name,))]\n"
        ),
        "schema.sql": "CREATE TABLE notes (id integer, body text);\n",
    })
    report = scan(root)
    # (`pragma_table_info(?)` is read as the function call it is, no table at all)
    assert {t.name: t.status for t in report.tables} == {
        "notes": "dead", "pragma_table_list": "system",
    }
    assert [(f.name, f.table) for f in report.findings] == [("dead-table", "public.notes")]
    with importable(root), sqlite3.connect(":memory:") as db:
        from app.introspect import columns, table_type  # type: ignore[import-not-found]

        db.execute("CREATE TABLE notes (id integer, body text)")
        assert table_type(db, "notes") == "table"
        assert columns(db, "notes") == ["id", "body"]


def test_s3_select_queries_the_object_not_a_table(make_repo: MakeRepo) -> None:
    """Amazon S3 Select's SQL always reads `FROM S3Object`: the object the request names, not
    a database table, so never an undefined one."""
    root = make_repo({
        "app/__init__.py": "",
        "app/archive.py": (
            "def compile_select(fields, alias=\"s\"):\n"
            "    columns = \", \".join(f\"{alias}.{f}\" for f in fields) or \"*\"\n"
            "    return f\"SELECT {columns} FROM S3Object {alias} WHERE {alias}.org_id = 1\"\n\n\n"
            "def rows(client, bucket, key):\n"
            "    return client.select_object_content(\n"
            "        Bucket=bucket, Key=key, ExpressionType=\"SQL\",\n"
            "        Expression=compile_select([\"id\", \"text\"]),\n"
            "    )\n\n\n"
            "def count(conn):\n"
            "    return conn.execute(\"SELECT count(*) FROM archives\").fetchone()[0]\n"
        ),
        "schema.sql": "CREATE TABLE archives (id integer);\n",
    })
    report = scan(root)
    assert {t.name: (t.status, [(u.line, u.kind) for u in t.uses]) for t in report.tables} == {
        "archives": ("used", [(14, "read")]),
        "s3object": ("system", [(3, "read")]),
    }
    assert report.findings == []


CHECKED_FOR = {
    "app/__init__.py": "",
    "app/search.py": (
        "def search(conn, term):\n"
        "    found = conn.execute(\n"
        "        \"SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'notes_fts'\"\n"
        "    ).fetchone()\n"
        "    if found is None:\n"
        "        return None  # no full-text index: the caller scans the notes itself\n"
        "    rows = conn.execute(\"SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?\",\n"
        "                        (term,))\n"
        "    return [row[0] for row in rows]\n\n\n"
        "def notes(conn):\n"
        "    return conn.execute(\"SELECT id, body FROM notes\").fetchall()\n"
    ),
    "schema.sql": "CREATE TABLE notes (id integer PRIMARY KEY, body text);\n",
}


def test_a_table_the_code_checks_for_is_external(make_repo: MakeRepo) -> None:
    """Code that asks the catalog whether a table exists before using it (`... FROM
    sqlite_master WHERE name = 'notes_fts'`) uses an optional table another program or an
    extension makes: an external table at that query, never an undefined one. sqlite3 runs
    the code without the table (it falls back) and with an FTS5 table (it finds the row)."""
    import sqlite3

    root = make_repo(CHECKED_FOR)
    report = scan(root)
    assert {t.name: (t.status, [(u.line, u.kind) for u in t.uses]) for t in report.tables} == {
        "notes": ("used", [(13, "read")]),
        "notes_fts": ("external", [(7, "read")]),
        "sqlite_master": ("system", [(3, "read")]),
    }
    (checked,) = [s for s in report.sources if s.kind == "external"]
    assert (checked.id, checked.tables) == (
        "external:checked for (app/search.py:3) public.notes_fts", ["public.notes_fts"],
    )
    assert report.findings == []
    with importable(root), sqlite3.connect(":memory:") as db:
        from app.search import search  # type: ignore[import-not-found]

        db.executescript(CHECKED_FOR["schema.sql"])
        db.execute("INSERT INTO notes VALUES (1, 'tabletrace reads code')")
        assert search(db, "reads") is None
        db.execute("CREATE VIRTUAL TABLE notes_fts USING fts5(body)")
        db.execute("INSERT INTO notes_fts (rowid, body) SELECT id, body FROM notes")
        assert search(db, "reads") == [1]


def test_alembic_helpers_in_another_module(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **INI,
            "app/__init__.py": "",
            "app/migration_utils.py": (
                "from alembic import op\n\n\n"
                "def drop_fk(table, name):\n"
                '    op.drop_constraint(name, table, type_="foreignkey")\n\n\n'
                "def recreate(table, *columns):\n"
                "    op.drop_table(table)\n"
                "    op.create_table(table, *columns)\n"
            ),
            f"{V}/a.py": revision(
                "a", None,
                """
                op.create_table("orders", sa.Column("id"))
                op.create_table("order_lines", sa.Column("id"))
                """,
            ),
            f"{V}/b.py": revision(
                "b", "a",
                """
                migration_utils.drop_fk("order_lines", "fk_order")
                recreate("orders", sa.Column("id"), sa.Column("total"))
                """,
                header="from app import migration_utils\nfrom app.migration_utils import recreate",
            ),
        }
    )
    report = scan(root)
    assert definitions(report, "orders") == [
        ("app/migration_utils.py", 9, "drop"),
        ("app/migration_utils.py", 10, "create"),
        (f"{V}/a.py", 11, "create"),
    ]
    revisions = {r.revision: r for r in report.revisions}
    assert revisions["b"].category == "schema"
    assert [(t.table, t.operation, t.path, t.line) for t in revisions["b"].tables] == [
        ("public.order_lines", "constraint", "app/migration_utils.py", 5),
        ("public.orders", "drop", "app/migration_utils.py", 9),
        ("public.orders", "create", "app/migration_utils.py", 10),
    ]


# --------------------------------------------------------------------------------------------
# 6. SQL files read by migration code
# --------------------------------------------------------------------------------------------


def test_sql_files_read_through_paths_built_from_file(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision(
                "a", None,
                """
                op.execute(Path(__file__).with_name("a.sql").read_text())
                with open(os.path.join(HERE, "..", "sql", "b.sql")) as handle:
                    op.execute(handle.read())
                """,
                header="import os\nfrom pathlib import Path\nHERE = os.path.dirname(__file__)",
            ),
            f"{V}/a.sql": "CREATE TABLE from_a (id int);\n",
            "migrations/sql/b.sql": "CREATE TABLE from_b (id int, note text);\n",
        }
    )
    report = scan(root)
    head = next(s for s in report.sources if s.kind == "alembic")
    assert head.tables == ["public.from_a", "public.from_b"]
    assert definitions(report, "from_b") == [("migrations/sql/b.sql", 1, "create")]
    assert [s.kind for s in report.sources] == ["alembic"]  # not also a SQL source


# --------------------------------------------------------------------------------------------
# 4. computed model table names
# --------------------------------------------------------------------------------------------

COMPUTED_BASE = """\
import re

from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from app.naming import pluralize

CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


class Base(DeclarativeBase):
    @declared_attr.directive
    def __tablename__(cls) -> str:
        return CAMEL.sub("_", cls.__name__).lower()

    id: Mapped[int] = mapped_column(primary_key=True)


class Plural:
    @declared_attr
    def __tablename__(cls):
        return pluralize(cls.__name__)


class Mystery:
    @declared_attr
    def __tablename__(cls):
        return lookup_name(cls)
"""


def test_declared_attr_table_names_are_computed_per_subclass(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/naming.py": 'def pluralize(name: str) -> str:\n    return f"{name.lower()}s"\n',
            "app/base.py": COMPUTED_BASE,
            "app/models.py": (
                "from app.base import Base, Mystery, Plural\n\n\n"
                "class FlowRun(Base):\n    pass\n\n\n"
                "class TaskRunState(Base):\n    pass\n\n\n"
                "class Tag(Plural, Base):\n    pass\n\n\n"
                'class Named(Base):\n    __tablename__ = "custom_named"\n\n\n'
                "class Unknowable(Mystery, Base):\n    pass\n"
            ),
        }
    )
    report = scan(root)
    models = sorted(
        t.qualified_name for t in report.tables if "model" in t.present_in
    )
    assert models == [
        "public.custom_named",
        "public.flow_run",
        "public.tags",
        "public.task_run_state",
    ]
    (problem,) = [d for d in report.diagnostics if d.code == "orm-dynamic-tablename"]
    assert (problem.path, problem.line) == ("app/models.py", 20)
    assert "Mystery.__tablename__()" in problem.message and "lookup_name" in problem.message


# --------------------------------------------------------------------------------------------
# 5. models reached through an injected registry
# --------------------------------------------------------------------------------------------


def test_models_through_an_injected_interface(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/orm.py": MODELS.replace("Tag", "FlowRun").replace('"tags"', '"flow_runs"'),
            "app/interface.py": (
                "from app import orm\n\n\n"
                "class Interface:\n"
                "    @property\n"
                "    def FlowRun(self) -> type[orm.FlowRun]:\n"
                "        return orm.FlowRun\n\n\n"
                "def provide() -> Interface:\n    return Interface()\n"
            ),
            "app/api.py": (
                "import sqlalchemy as sa\nfrom fastapi import Depends\n\n"
                "from app.interface import Interface, provide\n\n\n"
                "async def read(session, db: Interface = Depends(provide)):\n"
                "    return await session.execute(sa.select(db.FlowRun))\n\n\n"
                "async def delete(session, db: Interface):\n"
                "    FlowRun = db.FlowRun\n"
                "    await session.execute(sa.delete(FlowRun).where(FlowRun.id == 1))\n\n\n"
                "async def untyped(session, db):\n"
                "    return await session.execute(sa.select(db.FlowRun))\n\n\n"
                "def create(session, db: Interface):\n"
                "    session.add(db.FlowRun(id=1))\n\n\n"
                "def create_aliased(session, db: Interface):\n"
                "    model = db.FlowRun\n"
                "    session.add(model(id=2))\n"
            ),
        }
    )
    report = scan(root)
    assert uses_of(report, "flow_runs") == {
        ("app/api.py", 8, "read"),
        ("app/api.py", 13, "write"),
        ("app/api.py", 21, "write"),  # a constructor of the injected model inside add()
        ("app/api.py", 26, "write"),  # ... through a local alias
        ("app/interface.py", 7, "read"),  # the model passed around: confidence low
    }
    # an untyped parameter is not guessed
    assert ("app/api.py", 17, "read") not in uses_of(report, "flow_runs")


# --------------------------------------------------------------------------------------------
# 6. association tables, custom declarative bases, names that cannot be computed
# --------------------------------------------------------------------------------------------

ASSOCIATIONS = """\
import re

from sqlalchemy import Column, ForeignKey, Integer, Table
from sqlalchemy.orm import declarative_base, declared_attr, relationship


def table_name(name):
    return "_".join(part.lower() for part in re.split("(?=[A-Z])", name) if part)


class CustomBase:
    @declared_attr
    def __tablename__(cls):
        return table_name(cls.__name__)


Base = declarative_base(cls=CustomBase)

document_tags = Table(
    "assoc_document_tags",
    Base.metadata,
    Column("document_id", ForeignKey("document.id")),
    Column("tag_id", ForeignKey("search_tag.id")),
)
Table(
    "assoc_document_terms",
    Base.metadata,
    Column("document_id", ForeignKey("document.id")),
    Column("tag_id", ForeignKey("search_tag.id")),
)
forgotten = Table("assoc_forgotten", Base.metadata, Column("x", Integer))


class SearchTag(Base):
    id = Column(Integer, primary_key=True)


class Document(Base):
    id = Column(Integer, primary_key=True)
    tags = relationship("SearchTag", document_tags)
    terms = relationship("SearchTag", secondary="assoc_document_terms")
"""


def test_association_tables_are_used_with_their_class(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/models.py": ASSOCIATIONS,
            "app/service.py": (
                "from app.models import Document\n\n\n"
                "def get(session, id):\n    return session.get(Document, id)\n"
            ),
        }
    )
    report = scan(root)
    assert uses_of(report, "public.assoc_document_tags") == {("app/models.py", 40, "read")}
    assert uses_of(report, "public.assoc_document_terms") == {("app/models.py", 41, "read")}
    assert uses_of(report, "public.assoc_forgotten") == set()
    # declarative_base(cls=CustomBase): its declared_attr names every model
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.assoc_document_tags": "used",
        "public.assoc_document_terms": "used",
        "public.assoc_forgotten": "dead",
        "public.document": "used",
        # reached through Document.tags and Document.terms: loading them reads it
        "public.search_tag": "used",
    }


def test_association_tables_against_sqlalchemy(make_repo: MakeRepo) -> None:
    """What SQLAlchemy itself maps: the computed names and each relationship's secondary."""
    import importlib.util

    root = make_repo({"models.py": ASSOCIATIONS})
    spec = importlib.util.spec_from_file_location("tabletrace_assoc_models", root / "models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.Document.__table__.name == "document"
    assert module.SearchTag.__table__.name == "search_tag"
    assert module.Document.tags.property.secondary.name == "assoc_document_tags"
    assert module.Document.terms.property.secondary.name == "assoc_document_terms"


def test_a_model_whose_name_cannot_be_computed_is_a_diagnostic(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/models.py": (
                "from sqlalchemy import Column, Integer\n"
                "from sqlalchemy.orm import DeclarativeBase\n"
                "from app.settings import PREFIX\n\n\n"
                "class Base(DeclarativeBase):\n    pass\n\n\n"
                "class Event(Base):\n"
                '    __tablename__ = PREFIX + "events"\n'
                "    id = Column(Integer, primary_key=True)\n\n\n"
                "class Orphan(Base):\n"
                "    id = Column(Integer, primary_key=True)\n"
            ),
            "app/settings.py": "import os\n\nPREFIX = os.environ['PREFIX']\n",
        }
    )
    report = scan(root)
    assert table_names(report) == set()
    assert diagnostics(report, "orm-dynamic-tablename") == [
        ("app/models.py", 10),
        ("app/models.py", 15),
    ]
    messages = sorted(d.message for d in report.diagnostics)
    assert "its __tablename__ cannot be evaluated statically" in messages[0]
    assert "no __tablename__ or __table__" in messages[1]


LOOP_TABLES = """\
from sqlalchemy import Boolean, Column, ForeignKey, Integer, Table
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

KINDS = ("user", "team")


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    roles = relationship("Role", secondary="user_role_link")


class Team(Base):
    __tablename__ = "teams"
    id = Column(Integer, primary_key=True)


class Role(Base):
    __tablename__ = "roles"
    id = Column(Integer, primary_key=True)


links = {}
for owner in KINDS:
    links[owner] = Table(
        f"{owner}_role_link",
        Base.metadata,
        Column(f"{owner}_id", ForeignKey(f"{owner}s.id"), primary_key=True),
        Column("role_id", ForeignKey("roles.id"), primary_key=True),
        Column("inherited", Boolean, default=False),
    )
"""


def test_a_table_declared_in_a_module_level_loop_is_one_table_per_element(
    make_repo: MakeRepo,
) -> None:
    """`for owner in KINDS: Table(f"{owner}_role_link", md, Column(f"{owner}_id", ...))`: one
    table per element, each with its own columns and foreign key, the element in the evidence."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": LOOP_TABLES,
        "app/service.py": (
            "from app.models import User\n\n\n"
            "def get(session, id):\n    return session.get(User, id)\n"
        ),
    })
    report = scan(root)
    assert diagnostics(report, "orm-dynamic-tablename") == []
    declared = {
        t.qualified_name: [(d.line, d.columns, d.snippet) for d in t.definitions]
        for t in report.tables
        if t.name.endswith("_role_link")
    }
    assert declared == {
        "public.team_role_link": [
            (27, ["team_id", "role_id", "inherited"], "Table(...)  [for owner='team']"),
        ],
        "public.user_role_link": [
            (27, ["user_id", "role_id", "inherited"], "Table(...)  [for owner='user']"),
        ],
    }
    references = {
        t.qualified_name: sorted((r.table, r.line) for r in t.references)
        for t in report.tables
        if t.name.endswith("_role_link")
    }
    assert references == {
        "public.team_role_link": [("public.roles", 31), ("public.teams", 30)],
        "public.user_role_link": [("public.roles", 31), ("public.users", 30)],
    }
    # the user link is the secondary of User.roles; nothing reaches the team link
    assert {t.qualified_name: t.status for t in report.tables if "link" in t.name} == {
        "public.team_role_link": "dead",
        "public.user_role_link": "used",
    }


def test_loop_tables_against_sqlalchemy(make_repo: MakeRepo) -> None:
    """What SQLAlchemy itself builds from the loop: the tables, their columns in order and the
    foreign keys, exactly what tabletrace reads without running it."""
    import importlib.util

    root = make_repo({"app/__init__.py": "", "app/models.py": LOOP_TABLES})
    spec = importlib.util.spec_from_file_location("tabletrace_loop_models", root / "app/models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    real = {
        f"public.{table.name}": (
            [column.name for column in table.columns],
            sorted(f"public.{fk.column.table.name}" for fk in table.foreign_keys),
        )
        for table in module.Base.metadata.tables.values()
        if table.name.endswith("_role_link")
    }
    report = scan(root)
    read = {
        t.qualified_name: (
            t.definitions[0].columns, sorted(r.table for r in t.references)
        )
        for t in report.tables
        if t.name.endswith("_role_link")
    }
    assert read == real


FLASK_ALIAS_FILES = {
    "app/__init__.py": "",
    "app/extensions.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    "app/database.py": (
        "from typing import TYPE_CHECKING\n\n"
        "from app.extensions import db\n\n"
        "if TYPE_CHECKING:\n"
        "    from flask_sqlalchemy.model import Model as BaseModel\n"
        "else:\n"
        "    BaseModel = db.Model\n\n"
        "Model = db.Model\n"
    ),
    "app/models.py": (
        "from sqlalchemy import Column, ForeignKey, Integer, String\n\n"
        "from app.database import BaseModel, Model\n"
        "from app.extensions import db\n\n"
        "members = db.Table(\n"
        '    "members",\n'
        '    Column("user_id", ForeignKey("users.id"), primary_key=True),\n'
        '    Column("team_id", ForeignKey("team.id"), primary_key=True),\n'
        ")\n\n\n"
        "class User(BaseModel):\n"
        '    __tablename__ = "users"\n'
        "    id = Column(Integer, primary_key=True)\n"
        "    name = Column(String(80))\n\n\n"
        "class Team(Model):\n"
        "    id = Column(Integer, primary_key=True)\n"
    ),
    "app/service.py": (
        "from app.models import Team, User\n\n\n"
        "def names():\n    return [user.name for user in User.query.all()]\n\n\n"
        "def teams(session):\n    return session.query(Team).all()\n"
    ),
    "app/manage.py": (
        "from app import extensions\n\n\n"
        "def init_db():\n    extensions.db.create_all()\n"
    ),
}


def test_a_base_named_by_an_alias_of_db_model_maps_its_classes(make_repo: MakeRepo) -> None:
    """`BaseModel = db.Model` (in the `else:` of `if TYPE_CHECKING:`, or plain): its subclasses
    are models of `db`'s MetaData, which `db.create_all()` creates along with `db.Table(...)`
    tables, whose MetaData Flask-SQLAlchemy passes itself."""
    report = scan(make_repo(FLASK_ALIAS_FILES))
    assert {
        t.qualified_name: sorted((d.source_kind, d.path, d.line) for d in t.definitions)
        for t in report.tables
    } == {
        "public.members": [
            ("create_all", "app/manage.py", 5), ("model", "app/models.py", 6),
        ],
        "public.team": [("create_all", "app/manage.py", 5), ("model", "app/models.py", 19)],
        "public.users": [("create_all", "app/manage.py", 5), ("model", "app/models.py", 13)],
    }
    assert uses_of(report, "public.users") == {("app/service.py", 5, "read")}
    assert uses_of(report, "public.team") == {("app/service.py", 9, "read")}
    assert [f.name for f in report.findings] == ["dead-table"]
    assert report.findings[0].table == "public.members"


def test_alias_models_against_flask_sqlalchemy(make_repo: MakeRepo) -> None:
    """Flask-SQLAlchemy itself, imported: the tables and columns of `db.metadata` are those
    tabletrace reads as created by `db.create_all()`."""
    import importlib

    root = make_repo(FLASK_ALIAS_FILES)
    with importable(root):
        models = importlib.import_module("app.models")
        extensions = importlib.import_module("app.extensions")
        real = {
            f"public.{table.name}": [column.name for column in table.columns]
            for table in extensions.db.metadata.tables.values()
        }
        assert models.Team.__table__.name == "team"
    report = scan(root)
    built = {
        t.qualified_name: state.columns
        for t in report.tables
        for state in t.states
        if state.source_kind == "create_all"
    }
    assert built == real


CLASS_METADATA = """\
import sqlalchemy as sa
from alembic import command


class Schema:
    metadata = sa.MetaData()

    users = sa.Table(
        "users", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
    )
    logins = sa.Table(
        "logins", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id")),
    )

    def build(self, conn, config):
        Schema.metadata.create_all(conn)
        command.stamp(config, "head")
"""


def test_a_metadata_bound_in_a_class_body_is_created_by_its_create_all(
    make_repo: MakeRepo,
) -> None:
    """`class Schema: metadata = sa.MetaData(); users = sa.Table("users", metadata, ...)` and
    `Schema.metadata.create_all(conn)`: the class attribute is one MetaData, whose create_all
    builds its tables (and, stamped, is the bootstrap of a fresh database)."""
    report = scan(make_repo({"app/__init__.py": "", "app/schema.py": CLASS_METADATA}))
    assert {
        t.qualified_name: sorted((s.source_kind, tuple(s.columns or ())) for s in t.states)
        for t in report.tables
    } == {
        "public.logins": [
            ("create_all", ("id", "user_id")), ("model", ("id", "user_id")),
        ],
        "public.users": [("create_all", ("id", "name")), ("model", ("id", "name"))],
    }
    assert not [f for f in report.findings if f.name == "model-without-migration"]
    assert report.diagnostics == []


def test_class_metadata_against_sqlalchemy(make_repo: MakeRepo) -> None:
    """SQLAlchemy's own view: the tables of `Schema.metadata` and their columns."""
    import importlib.util

    root = make_repo({"app/__init__.py": "", "app/schema.py": CLASS_METADATA})
    spec = importlib.util.spec_from_file_location("tabletrace_class_md", root / "app/schema.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    real = {
        f"public.{table.name}": tuple(column.name for column in table.columns)
        for table in module.Schema.metadata.tables.values()
    }
    report = scan(root)
    built = {
        t.qualified_name: tuple(s.columns or ())
        for t in report.tables
        for s in t.states
        if s.source_kind == "create_all"
    }
    assert built == real


BASE_WITH_OWN_METADATA = {
    "app/__init__.py": "",
    "app/db.py": (
        "import sqlalchemy\nfrom sqlalchemy.orm import DeclarativeBase\n\n\n"
        "class Base(DeclarativeBase):\n"
        '    metadata = sqlalchemy.MetaData(naming_convention={"pk": "pk__%(table_name)s"})\n'
    ),
    "app/models.py": (
        "import sqlalchemy as sa\nfrom app.db import Base\n\n\n"
        "class Widget(Base):\n"
        '    __tablename__ = "widget"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n\n\n"
        'LINK = sa.Table("widget_link", Base.metadata, sa.Column("widget_id", sa.Integer))\n\n\n'
        "def count(session):\n"
        "    return session.query(Widget).count() + len(session.execute(LINK.select()).all())\n"
    ),
    "app/init_db.py": (
        "from app import models  # noqa: F401\nfrom app.db import Base\n\n\n"
        "def create(engine):\n    Base.metadata.create_all(engine)\n"
    ),
}


def test_a_declarative_base_with_its_own_metadata_is_built_by_its_create_all(
    make_repo: MakeRepo,
) -> None:
    """`class Base(DeclarativeBase): metadata = MetaData(naming_convention=...)`: the models'
    MetaData is the one `Base.metadata.create_all()` and `Table("t", Base.metadata)` name, so
    it builds the models' tables too (they had been `model-without-migration`)."""
    report = scan(make_repo(BASE_WITH_OWN_METADATA))
    assert {
        t.qualified_name: sorted((s.source_kind, tuple(s.columns or ())) for s in t.states)
        for t in report.tables
    } == {
        "public.widget": [("create_all", ("id",)), ("model", ("id",))],
        "public.widget_link": [("create_all", ("widget_id",)), ("model", ("widget_id",))],
    }
    assert [s.id for s in report.sources] == ["create_all:app/init_db.py:6", "model:app/models.py"]
    assert report.findings == []


def test_create_all_of_a_repository_class_instance_is_its_own_method(
    make_repo: MakeRepo,
) -> None:
    """`Seeder(session, rows).create_all()`: the method of a class of the repository (a
    development data seeder), not a MetaData's: no source, no assumed MetaData."""
    files = dict(BASE_WITH_OWN_METADATA)
    files["app/devdata.py"] = (
        "from app.models import Widget\n\n\n"
        "class Seeder:\n"
        "    def __init__(self, session):\n        self.session = session\n\n"
        "    def create_all(self):\n        self.session.add(Widget(id=1))\n\n\n"
        "def seed(session):\n    Seeder(\n        session,\n    ).create_all()\n"
    )
    report = scan(make_repo(files))
    assert [s.id for s in report.sources] == ["create_all:app/init_db.py:6", "model:app/models.py"]
    assert report.diagnostics == []
    assert uses_of(report, "public.widget") == {
        ("app/models.py", 14, "read"), ("app/devdata.py", 9, "write"),
    }


def test_a_base_with_its_own_metadata_against_sqlalchemy(make_repo: MakeRepo) -> None:
    """SQLAlchemy's own view: `Base.metadata` holds the model's table and the Core table."""
    import subprocess
    import sys

    root = make_repo(BASE_WITH_OWN_METADATA)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from app import models\nfrom app.db import Base\n"
        "print(sorted(Base.metadata.tables))\n"
    )
    real = subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True,
                          text=True, check=True).stdout.strip()
    report = scan(root)
    built = sorted(
        t.name for t in report.tables for s in t.states if s.source_kind == "create_all"
    )
    assert real == str(built) == "['widget', 'widget_link']"


def test_geoalchemy_alembic_helpers_are_the_operations_they_wrap(make_repo: MakeRepo) -> None:
    """GeoAlchemy2's `op.add_geospatial_column` / `batch_op.add_geospatial_column` /
    `op.create_geospatial_table` take the plain operation's arguments: replayed as it."""
    root = make_repo({
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/versions/a1.py": (
            "import sqlalchemy as sa\nfrom alembic import op\nfrom geoalchemy2 import Geometry\n\n"
            'revision = "a1"\ndown_revision = None\n\n\n'
            "def upgrade():\n"
            '    op.create_geospatial_table("places", sa.Column("id", sa.Integer))\n'
            '    op.add_geospatial_column("places", sa.Column("area", Geometry("POLYGON")))\n'
            '    with op.batch_alter_table("places") as batch_op:\n'
            '        batch_op.add_geospatial_column(sa.Column("centre", Geometry("POINT")))\n'
        ),
    })
    report = scan(root)
    (places,) = report.tables
    assert places.qualified_name == "public.places"
    assert [(d.line, d.operation, d.detail) for d in places.definitions] == [
        (10, "create", None), (11, "alter", "add column area"), (13, "alter", "add column centre"),
    ]
    assert [s.columns for s in places.states] == [["id", "area", "centre"]]
    assert report.diagnostics == []


def test_secondary_given_as_a_model_table_and_index_columns(make_repo: MakeRepo) -> None:
    """`relationship(..., secondary=Link.__table__)` uses the table of the mapped class Link;
    `Index("ix", links.c.a)` beside a Table declares schema and reads nothing."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "from sqlalchemy import Column, ForeignKey, Index, Integer, Table\n"
            "from sqlalchemy.orm import DeclarativeBase, relationship\n\n\n"
            "class Base(DeclarativeBase):\n    pass\n\n\n"
            "class Link(Base):\n"
            '    __tablename__ = "store_wallets"\n'
            '    store_id = Column(ForeignKey("stores.id"), primary_key=True)\n'
            '    wallet_id = Column(ForeignKey("wallets.id"), primary_key=True)\n\n\n'
            "class Wallet(Base):\n"
            '    __tablename__ = "wallets"\n'
            "    id = Column(Integer, primary_key=True)\n\n\n"
            "class Store(Base):\n"
            '    __tablename__ = "stores"\n'
            "    id = Column(Integer, primary_key=True)\n"
            '    wallets = relationship("Wallet", secondary=Link.__table__)\n\n\n'
            'orphans = Table("orphans", Base.metadata, Column("a", Integer))\n'
            'Index("orphans_a", orphans.c.a)\n'
        ),
        "app/service.py": (
            "from app.models import Store\n\n\n"
            "def get(session, id):\n    return session.get(Store, id)\n"
        ),
    })
    report = scan(root)
    assert uses_of(report, "public.store_wallets") == {("app/models.py", 23, "read")}
    assert uses_of(report, "public.orphans") == set()
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.orphans": "dead",
        "public.store_wallets": "used",
        "public.stores": "used",
        "public.wallets": "used",
    }


def test_a_name_bound_again_is_the_binding_that_reaches_the_use(make_repo: MakeRepo) -> None:
    """`stmt = text(...); op.execute(stmt); stmt = text(...); op.execute(stmt)` in a revision:
    each execute runs the assignment straight-line code gives it, also in a loop body and
    through `.bindparams(...)`; a binding under an `if` leaves the name unknown (either may
    reach: a diagnostic), and so does one that a loop brings round again after the use; bound
    and used in one `if` block, the block's binding reaches."""
    root = make_repo({
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/versions/a1.py": (
            "from alembic import op\nfrom sqlalchemy import text\n\n"
            'revision = "a1"\ndown_revision = None\n\n\n'
            "def upgrade():\n"
            '    stmt = text("CREATE TABLE accounts (id int, plan text)")\n'
            "    op.execute(stmt)\n"
            '    stmt = text("CREATE TABLE audit (id int)")\n'
            "    stmt = stmt.bindparams()\n"
            "    op.execute(stmt)\n"
            '    for name in ("invoices", "refunds"):\n'
            '        stmt = text(f"CREATE TABLE {name} (id int)")\n'
            "        op.execute(stmt)\n"
            '    sql = "CREATE TABLE plans (id int)"\n'
            "    if op.get_context().dialect.name == 'sqlite':\n"
            '        sql = "CREATE TABLE plans (id integer)"\n'
            "    op.execute(sql)\n"
            '    sql = "CREATE TABLE day_one (id int)"\n'
            '    for day in ("mon", "tue"):\n'
            "        op.execute(sql)\n"
            '        sql = "CREATE TABLE day_next (id int)"\n'
            "    if op.get_context().dialect.name == 'postgresql':\n"
            '        stmt = text("CREATE TABLE pg_only (id int)")\n'
            "        op.execute(stmt)\n"
        ),
    })
    report = scan(root)
    created = {
        t.qualified_name: [(d.line, d.operation) for d in t.definitions] for t in report.tables
    }
    assert created == {
        # the SQL where its text is written, as a string local's; bound again through
        # `.bindparams()` it is the value the execute runs, cited there
        "public.accounts": [(9, "create")],
        "public.audit": [(13, "create")],
        "public.invoices": [(15, "create")],
        "public.refunds": [(15, "create")],
        # bound and used in one guarded block: the binding there reaches the use
        "public.pg_only": [(26, "create")],
    }
    assert [(d.code, d.line) for d in report.diagnostics] == [
        ("alembic-dynamic-sql", 20), ("alembic-dynamic-sql", 23),
    ]
    assert "`sql` is bound 4 times in upgrade()" in report.diagnostics[0].message


def test_models_on_another_librarys_base_and_a_repository_model_type(
    make_repo: MakeRepo,
) -> None:
    """`class Base(UUIDBase)` from a library tabletrace does not read (advanced_alchemy's,
    litestar's): a subclass setting `__tablename__` is a mapped model, whose missing columns
    that base may add; `model_type = Invoice` in a generic repository class is a read of the
    model (confidence low: which methods run is not read)."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "from advanced_alchemy.base import UUIDBase\n"
            "from sqlalchemy import Column, String\n\n\n"
            "class Model(UUIDBase):\n"
            "    __abstract__ = True\n\n\n"
            "class Store(Model):\n"
            '    __tablename__ = "stores"\n'
            "    name = Column(String(50))\n\n\n"
            "class Invoice(Model):\n"
            '    __tablename__ = "invoices"\n'
            "    status = Column(String(20))\n"
        ),
        "app/repositories.py": (
            "from advanced_alchemy.repository import SQLAlchemyAsyncRepository\n"
            "from sqlalchemy import select\n\n"
            "from app import models\n\n\n"
            "class InvoiceRepository(SQLAlchemyAsyncRepository[models.Invoice]):\n"
            "    model_type = models.Invoice\n\n\n"
            "async def stores(session):\n"
            "    return await session.scalars(select(models.Store))\n"
        ),
    })
    report = scan(root)
    assert {
        t.qualified_name: (t.status, sorted((d.source_kind, d.line) for d in t.definitions))
        for t in report.tables
    } == {
        "public.invoices": ("used", [("model", 14)]),
        "public.stores": ("used", [("model", 9)]),
    }
    invoices = next(t for t in report.tables if t.name == "invoices")
    assert [(u.path, u.line, u.kind, u.confidence) for u in invoices.uses] == [
        ("app/repositories.py", 8, "read", "low"),
    ]


def test_psycopg_sql_composables_are_their_text(make_repo: MakeRepo) -> None:
    """psycopg's `sql.SQL("... {table} ...").format(table=sql.Identifier(...))`: the
    composable is its text, whose fields `.format()` fills (an `Identifier` of a known name is
    that table, of a parameter a dynamic name); a composable bound first and formatted at the
    execute is read where it runs."""
    root = make_repo({
        "app/__init__.py": "",
        "app/repo.py": (
            "from psycopg2 import sql\n\n\n"
            "def purge(cur, table):\n"
            '    cur.execute(sql.SQL("DELETE FROM {t} WHERE id = %s").format('
            't=sql.Identifier(table)), (1,))\n'
            '    cur.execute(sql.SQL("SELECT * FROM {} JOIN users ON true").format('
            'sql.Identifier("accounts")))\n'
            '    query = sql.SQL("UPDATE {table} SET seen = {v}")\n'
            '    cur.execute(query.format(table=sql.Identifier("audit", "sessions"), '
            'v=sql.Literal(1)))\n'
        ),
    })
    report = scan(root)
    assert uses_of(report, "public.accounts") == {("app/repo.py", 6, "read")}
    assert uses_of(report, "public.users") == {("app/repo.py", 6, "read")}
    assert uses_of(report, "audit.sessions") == {("app/repo.py", 8, "write")}
    assert dynamic(report) == [("app/repo.py", 5), ("app/repo.py", 7)]
    assert diagnostics(report, "sql-unparsed") == []


def test_an_untyped_call_of_a_dict_method_name_is_no_helper_call(make_repo: MakeRepo) -> None:
    """One helper method named `get` (or any dict/list/str method name) must not claim
    `params.get("format")` on an untyped receiver; a helper method with its own name still
    matches an untyped receiver, with confidence medium; a module-level function is never
    reached that way (its module would be typed)."""
    root = make_repo({
        "app/__init__.py": "",
        "app/store.py": (
            "class Store:\n"
            "    def get(self, cur, table):\n"
            '        return cur.execute(f"SELECT * FROM {table}")\n\n'
            "    def fetch_all(self, cur, table):\n"
            '        return cur.execute(f"SELECT * FROM {table}")\n\n\n'
            "def count(cur, table):\n"
            '    return cur.execute(f"SELECT count(*) FROM {table}")\n'
        ),
        "app/views.py": (
            "def show(params, store, registry, cur):\n"
            '    kind = params.get(cur, "format")\n'
            '    rows = store.fetch_all(cur, "accounts")\n'
            '    total = registry.count(cur, "xml")\n'
            "    return kind, rows, total\n"
        ),
    })
    report = scan(root)
    assert {t.qualified_name for t in report.tables} == {"public.accounts"}
    accounts = report.tables[0]
    assert [(u.path, u.line, u.confidence) for u in accounts.uses] == [
        ("app/views.py", 3, "medium"),
    ]


def test_an_untyped_call_that_cannot_bind_to_the_helper_is_none_of_its_calls(
    make_repo: MakeRepo,
) -> None:
    """A helper method matched by its name alone (an untyped receiver) must take the call's
    arguments: `image.save(buffer, format="JPEG")` (a keyword `Store.save` has no parameter
    for) and `other.save(a, b, c)` (more positional arguments than it takes) are another
    library's methods, neither a use nor a dynamic name at the call; `store.save("audit",
    row)` is the helper's, medium."""
    root = make_repo({
        "app/__init__.py": "",
        "app/store.py": (
            "class Store:\n"
            "    def save(self, table, row):\n"
            '        self.cur.execute(f"INSERT INTO {table} VALUES (?)", (row,))\n'
        ),
        "app/views.py": (
            "import io\n\n\n"
            "def publish(image, store, other, row):\n"
            "    buffer = io.BytesIO()\n"
            '    image.save(buffer, format="JPEG", progressive=True)\n'
            "    other.save(buffer, row, 3)\n"
            '    store.save("audit", row)\n'
        ),
    })
    report = scan(root)
    assert {t.qualified_name for t in report.tables} == {"public.audit"}
    (audit,) = report.tables
    assert [(u.path, u.line, u.kind, u.confidence) for u in audit.uses] == [
        ("app/views.py", 8, "write", "medium"),
    ]
    assert [(f.name, f.line) for f in report.findings] == [("undefined-table", 8)]


def test_a_foreign_key_to_another_schema_checks_that_schemas_table(make_repo: MakeRepo) -> None:
    """`op.create_foreign_key(None, "plain", "labels", ..., referent_schema="events")`: the
    referenced table is `events.labels`, which the revision created just before; a target the
    history never created still stops `alembic upgrade head`."""
    root = make_repo({
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/versions/a1.py": (
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            'revision = "a1"\ndown_revision = None\n\n\n'
            "def upgrade():\n"
            '    op.create_table("labels", sa.Column("id", sa.Integer), schema="events")\n'
            '    op.create_table("plain", sa.Column("label_id", sa.Integer), schema="events")\n'
            '    op.create_foreign_key(None, "plain", "labels", ["label_id"], ["id"],\n'
            '                          source_schema="events", referent_schema="events")\n'
            '    op.create_foreign_key(None, "plain", "tags", ["label_id"], ["id"],\n'
            '                          source_schema="events", referent_schema="events")\n'
        ),
    })
    report = scan(root)
    assert [
        (f.name, f.table, f.line) for f in report.findings if f.name == "migration-order"
    ] == [("migration-order", "events.tags", 13)]


def test_a_stamp_then_a_helper_that_runs_create_all_is_the_bootstrap(make_repo: MakeRepo) -> None:
    """`def prepare_db(): flask_migrate.stamp(revision="heads"); create_all_tables(db)`, the
    helper in another module running `db.create_all()`: a fresh database is built from the
    models and stamped, so revisions that only alter tables are no failure of its build (one
    info), and create_all is no rival owner; Alembic version tables renamed per environment
    (`alembic_version_plugin_chat`) are bookkeeping, not undefined."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
            "class Event(db.Model):\n"
            '    __tablename__ = "events"\n'
            "    id = db.Column(db.Integer, primary_key=True)\n"
            "    title = db.Column(db.String(50))\n"
        ),
        "app/management.py": (
            "from app.models import db\n\n\ndef create_all_tables():\n    db.create_all()\n"
        ),
        "app/cli.py": (
            "import flask_migrate\n\nfrom app.management import create_all_tables\n"
            "from app.models import Event\n\n\n"
            "def prepare_db():\n"
            '    flask_migrate.stamp(revision="heads")\n'
            "    create_all_tables()\n\n\n"
            "def titles(session):\n"
            "    return session.query(Event).all()\n\n\n"
            "def reset_plugins(conn):\n"
            '    conn.execute("DELETE FROM alembic_version_plugin_chat")\n'
        ),
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/versions/a1.py": (
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            'revision = "a1"\ndown_revision = None\n\n\n'
            "def upgrade():\n"
            '    op.add_column("events", sa.Column("title", sa.String(50)))\n'
        ),
    })
    report = scan(root)
    assert [(f.name, f.severity, f.table) for f in report.findings] == [
        ("migration-order", "info", "public.events"),
    ]


HELD_TABLES = {
    "app/__init__.py": "",
    "app/db/__init__.py": "",
    "app/util/__init__.py": "",
    "app/util/tables.py": """\
import sqlalchemy as sa


def Table(*args, **kwargs):
    \"\"\"Every table of the service, with its storage options.\"\"\"
    kwargs["mysql_charset"] = "utf8"
    return sa.Table(*args, **kwargs)
""",
    "app/db/model.py": """\
import sqlalchemy as sa

from app.util import tables


class Model:
    metadata = sa.MetaData()

    users = sa.Table(
        "users", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(50)),
    )
    orders = tables.Table(
        "orders", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
    )
    audit_log = tables.Table(
        "audit_log", metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        schema="audit",
    )
    unused = tables.Table("unused", metadata, sa.Column("id", sa.Integer, primary_key=True))

    def __init__(self, connector):
        self.db = connector

    def create(self, engine):
        Model.metadata.create_all(bind=engine)
""",
    "app/db/connector.py": """\
from app.db import model
from app.db import users


class Connector:
    def __init__(self):
        self.model = model.Model(self)
        self.users = users.UsersComponent(self)
""",
    "app/db/base.py": """\
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.db.connector import Connector


class Component:
    def __init__(self, connector: Connector) -> None:
        self.db = connector
""",
    "app/db/users.py": """\
import sqlalchemy as sa

from app.db import base


class UsersComponent(base.Component):
    def names(self, conn):
        tbl = self.db.model.users
        return conn.execute(sa.select(tbl.c.name)).fetchall()

    def add_order(self, conn):
        conn.execute(self.db.model.orders.insert().values(id=1))

    def log(self, conn):
        tbl = self.db.model.audit_log
        conn.execute(tbl.insert())

    def not_tables(self, conn, rows):
        rows.insert(0, None)
        self.__dict__.update(rows=rows)
""",
}


def test_tables_held_by_an_object_are_used_through_its_attributes(make_repo: MakeRepo) -> None:
    """`self.db.model.users.c.name`, `tbl.insert()`: a Table held as a class attribute of an
    object another object holds (typed by an annotated parameter, assigned in `__init__`) is
    used where code reads its columns or builds a statement on it; a project's `Table(*args,
    **kwargs)` wrapper hands its caller's name and schema on to `sa.Table`. `rows.insert(0,
    None)` on a list is no table."""
    root = make_repo(HELD_TABLES)
    report = scan(root)
    assert uses_of(report, "public.users") == {("app/db/users.py", 9, "read")}
    assert uses_of(report, "public.orders") == {("app/db/users.py", 12, "write")}
    assert uses_of(report, "audit.audit_log") == {("app/db/users.py", 16, "write")}
    assert uses_of(report, "public.unused") == set()
    assert [(f.name, f.table) for f in report.findings] == [("dead-table", "public.unused")]
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_held_tables_against_sqlalchemy(make_repo: MakeRepo) -> None:
    """SQLAlchemy's own view of the wrapper: the tables `Model.metadata` holds, with their
    schemas, are the ones the report says the model defines."""
    import importlib

    root = make_repo(HELD_TABLES)
    with importable(root):
        module = importlib.import_module("app.db.model")
        real = {
            f"{table.schema or 'public'}.{table.name}"
            for table in module.Model.metadata.tables.values()
        }
        assert module.Model.orders.kwargs["mysql_charset"] == "utf8"
    assert real == table_names(scan(root))


CONTINUUM_MODELS = """\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship
from sqlalchemy_continuum import make_versioned

make_versioned(user_cls=None)

Base = declarative_base()

tags = sa.Table(
    "article_tags", Base.metadata,
    sa.Column("article_id", sa.Integer, sa.ForeignKey("article.id"), primary_key=True),
    sa.Column("tag_id", sa.Integer, sa.ForeignKey("tag.id"), primary_key=True),
)


class Versioned:
    __versioned__ = {}


class Article(Base):
    __versioned__ = {}
    __tablename__ = "article"
    id = sa.Column(sa.Integer, primary_key=True)
    title = sa.Column(sa.String(50))
    tags = relationship("Tag", secondary=tags)


class Tag(Versioned, Base):
    __tablename__ = "tag"
    id = sa.Column(sa.Integer, primary_key=True)


class Comment(Base):
    __versioned__ = {"table_name": "%s_history"}
    __tablename__ = "comment"
    id = sa.Column(sa.Integer, primary_key=True)


class Draft(Base):
    __versioned__ = {}
    __tablename__ = "draft"
    id = sa.Column(sa.Integer, primary_key=True)


sa.orm.configure_mappers()
"""

CONTINUUM_CODE = """\
from app.models import Article, Comment, Tag


def publish(session, title):
    session.add(Article(title=title))


def comments(session):
    return session.query(Comment).all()


def tag_count(session):
    return session.query(Tag).count()
"""


def test_continuum_version_tables_are_written_with_their_class(make_repo: MakeRepo) -> None:
    """SQLAlchemy-Continuum's `__versioned__` (on the class or a base of it) keeps a version
    table per class (`%s_version`, or the class's `table_name`), one per association table of
    its relationships, and a `transaction` table, written at each flush that changes the class:
    one write at the `__versioned__` line when code uses the class (high confidence when code
    writes it, medium when it only reads it). A class nothing uses leaves its version table
    unused."""
    root = make_repo({"app/__init__.py": "", "app/models.py": CONTINUUM_MODELS,
                      "app/service.py": CONTINUUM_CODE})
    report = scan(root)
    assert scan(root, prefilter=False).to_json() == report.to_json()
    versions = {
        t.qualified_name: sorted((u.path, u.line, u.kind, u.confidence) for u in t.uses)
        for t in report.tables
        if t.name.endswith(("_version", "_history")) or t.name == "transaction"
    }
    assert versions == {
        "public.article_version": [("app/models.py", 21, "write", "high")],
        "public.article_tags_version": [("app/models.py", 21, "write", "high")],
        "public.tag_version": [("app/models.py", 17, "write", "medium")],
        "public.comment_history": [("app/models.py", 34, "write", "medium")],
        "public.transaction": [
            ("app/models.py", 17, "write", "medium"), ("app/models.py", 21, "write", "high"),
            ("app/models.py", 34, "write", "medium"),
        ],
    }


def test_continuum_tables_against_sqlalchemy_continuum(make_repo: MakeRepo) -> None:
    """Continuum's own view (in a process of its own: `configure_mappers()` configures every
    mapper of the process): after it, the version and transaction tables it adds to the
    metadata are the ones the report says code writes, and the unused class's."""
    import json
    import subprocess
    import sys

    pytest.importorskip("sqlalchemy_continuum", reason="pip install -e '.[test]'")
    root = make_repo({"app/__init__.py": "", "app/models.py": CONTINUUM_MODELS,
                      "app/service.py": CONTINUUM_CODE})
    probe = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import app.models as m; "
        "print(json.dumps(sorted(m.Base.metadata.tables)))"
    )
    real = subprocess.run(
        [sys.executable, "-c", probe, str(root)], capture_output=True, text=True, check=True,
    )
    own = {"article", "tag", "comment", "draft", "article_tags"}
    added = set(json.loads(real.stdout)) - own
    report = scan(root)
    written = {t.name for t in report.tables if t.uses and t.name not in own}
    assert added == written | {"draft_version"}


def test_table_names_given_by_constants(make_repo: MakeRepo) -> None:
    """`__tablename__ = AUDIT_TABLE` (a module constant), `__tablename__ = names.USERS` (an
    imported one) and `Table(LOG_TABLE, metadata, ...)`: the table is the constant's value,
    with its uses, and no diagnostic. SQLAlchemy's own metadata names the same tables."""
    import importlib

    files = {
        "app/__init__.py": "",
        "app/names.py": 'USERS = "app_users"\n',
        "app/models.py": """\
import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app import names

AUDIT_TABLE = "pidea_audit"
LOG_TABLE = "event_log"


class Base(DeclarativeBase):
    pass


class Audit(Base):
    __tablename__ = AUDIT_TABLE
    id: Mapped[int] = mapped_column(primary_key=True)


class User(Base):
    __tablename__ = names.USERS
    id: Mapped[int] = mapped_column(primary_key=True)


event_log = sa.Table(LOG_TABLE, Base.metadata, sa.Column("id", sa.Integer, primary_key=True))
""",
        "app/service.py": """\
from app.models import Audit, User, event_log


def record(session):
    session.add(Audit())
    session.add(User())
    session.execute(event_log.insert())
""",
    }
    root = make_repo(files)
    report = scan(root)
    assert {
        t.qualified_name: sorted((u.path, u.line, u.kind) for u in t.uses) for t in report.tables
    } == {
        "public.pidea_audit": [("app/service.py", 5, "write")],
        "public.app_users": [("app/service.py", 6, "write")],
        "public.event_log": [("app/service.py", 7, "write")],
    }
    assert report.diagnostics == []
    assert scan(root, prefilter=False).to_json() == report.to_json()
    with importable(root):
        module = importlib.import_module("app.models")
        assert set(module.Base.metadata.tables) == {"pidea_audit", "app_users", "event_log"}


def test_create_all_then_an_aliased_stamp_is_the_bootstrap(make_repo: MakeRepo) -> None:
    """`from flask_migrate import stamp as fm_stamp`; `db.create_all()` then, unless told
    not to, `fm_stamp()`: the fresh database is built from the models and stamped, so the
    revision creating the same table is no rival definition (without the alias it is read
    as the same bootstrap too). With the pre-filter on or off the report is the same."""
    files = {
        "app/__init__.py": "",
        "app/models.py": (
            "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
            "class Token(db.Model):\n"
            '    __tablename__ = "token"\n'
            "    id = db.Column(db.Integer, primary_key=True)\n\n\n"
            "def tokens(session):\n    return session.query(Token).all()\n"
        ),
        "app/setup.py": (
            "from flask_migrate import stamp as fm_stamp\n\nfrom app.models import db\n\n\n"
            "def create_tables(no_stamp=False):\n"
            "    db.create_all()\n"
            "    if not no_stamp:\n"
            "        fm_stamp()\n"
        ),
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/versions/a1.py": (
            "import sqlalchemy as sa\nfrom alembic import op\n\n"
            'revision = "a1"\ndown_revision = None\n\n\n'
            "def upgrade():\n"
            '    op.create_table("token", sa.Column("id", sa.Integer, primary_key=True))\n'
        ),
    }
    root = make_repo(files)
    report = scan(root)
    assert [(f.name, f.table) for f in report.findings] == []
    assert scan(root, prefilter=False).to_json() == report.to_json()
    plain = make_repo({**files, "app/setup.py": files["app/setup.py"].replace(
        "from flask_migrate import stamp as fm_stamp", "from flask_migrate import stamp"
    ).replace("fm_stamp()", "stamp()")})
    assert [(f.name, f.table) for f in scan(plain).findings] == []


def test_models_served_by_generic_admin_views_are_used(make_repo: MakeRepo) -> None:
    """`datamodel = SQLAInterface(Contact)` in a Flask-AppBuilder view's class body and
    `admin.add_view(ModelView(Tag, db.session))` (Flask-Admin): the library's generic views
    read and write the model's table, a use of low confidence (the queries are the
    library's). Another call in a class body (`columns = Column(...)`) is still no use, and a
    `ModelView` given something else names no table."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
            "class Contact(db.Model):\n"
            '    __tablename__ = "contact"\n'
            "    id = db.Column(db.Integer, primary_key=True)\n\n\n"
            "class Tag(db.Model):\n"
            '    __tablename__ = "tag"\n'
            "    id = db.Column(db.Integer, primary_key=True)\n\n\n"
            "class Unused(db.Model):\n"
            '    __tablename__ = "unused"\n'
            "    id = db.Column(db.Integer, primary_key=True)\n"
        ),
        "app/views.py": (
            "from flask_admin.contrib.sqla import ModelView\n"
            "from flask_appbuilder import ModelView as AppBuilderView\n"
            "from flask_appbuilder.models.sqla.interface import SQLAInterface\n\n"
            "from app.models import Contact, Tag, Unused, db\n\n\n"
            "class ContactView(AppBuilderView):\n"
            "    datamodel = SQLAInterface(Contact)\n"
            "    extra = sorted(Unused.__table__.columns)\n\n\n"
            "def register(admin, settings):\n"
            "    admin.add_view(ModelView(Tag, db.session))\n"
            "    admin.add_view(ModelView(settings, db.session))\n"
        ),
    })
    report = scan(root)
    assert {
        t.qualified_name: sorted((u.path, u.line, u.kind, u.confidence) for u in t.uses)
        for t in report.tables
    } == {
        "public.contact": [("app/views.py", 9, "read", "low")],
        "public.tag": [("app/views.py", 14, "read", "low")],
        "public.unused": [],
    }
    assert [(u.operation) for u in report.table("contact").uses] == ["admin view"]
    assert scan(root, prefilter=False).to_json() == report.to_json()


SAME_TABLE_SUBCLASS = """\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "ab_user"
    __table_args__ = {"extend_existing": True}
    id = sa.Column(sa.Integer, primary_key=True)
    username = sa.Column(sa.String(64))


class MyUser(User):
    __tablename__ = "ab_user"
    __table_args__ = {"extend_existing": True}
    emp_number = sa.Column(sa.String(150))
"""


def test_a_subclass_naming_its_parents_table_adds_columns_to_it(make_repo: MakeRepo) -> None:
    """`class MyUser(User): __tablename__ = "ab_user"` (the parent's own table, allowed by
    `extend_existing`): one table with the parent's and the subclass's columns, as SQLAlchemy
    itself builds it, declared by both classes."""
    import importlib.util

    root = make_repo({"app/__init__.py": "", "app/models.py": SAME_TABLE_SUBCLASS})
    report = scan(root)
    (table,) = report.tables
    assert table.qualified_name == "public.ab_user"
    assert [(d.path, d.line, tuple(d.columns or ())) for d in table.definitions] == [
        ("app/models.py", 7, ("id", "username", "emp_number")),
        ("app/models.py", 14, ("id", "username", "emp_number")),
    ]
    spec = importlib.util.spec_from_file_location("tabletrace_same_table", root / "app/models.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert [c.name for c in module.Base.metadata.tables["ab_user"].columns] == [
        "id", "username", "emp_number",
    ]


def test_a_revision_creating_a_sequence_changes_no_table(make_repo: MakeRepo) -> None:
    """`op.execute(CreateSequence(Sequence("ids_seq")))`, directly or through a helper of the
    revision: SQLAlchemy's DDL for a sequence (it compiles to CREATE SEQUENCE, naming no
    table), an operation on no table: no "SQL built at run time" diagnostic, and the
    revision is no documentation-only one."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateSequence, Sequence

    header = "from sqlalchemy.schema import CreateSequence, Sequence\n\n\n" \
        "def create_seq(seq):\n    op.execute(CreateSequence(seq))\n"
    root = make_repo({
        **INI,
        f"{V}/a.py": revision("a", None, """
            op.create_table("ids", sa.Column("id", sa.Integer, primary_key=True))
            """),
        f"{V}/b.py": revision("b", "a", """
            op.execute(sa.schema.CreateSequence(sa.Sequence("ids_seq")))
            create_seq(Sequence("other_seq"))
            """, header=header),
    })
    report = scan(root)
    assert report.diagnostics == []
    assert [f.name for f in report.findings] == ["dead-table"]
    assert str(CreateSequence(Sequence("ids_seq")).compile(dialect=postgresql.dialect())) == (
        "CREATE SEQUENCE ids_seq"
    )


def test_sql_dedented_by_the_standard_library_is_read(make_repo: MakeRepo) -> None:
    """`op.execute(textwrap.dedent(\"\"\"CREATE TABLE ...\"\"\"))`: the text Python computes
    (dedent keeps every line where it is, so the evidence is the statement's own line); the
    revision creates the table. `inspect.cleandoc`, which drops a leading blank line, is not
    read that way."""
    import textwrap

    body = '''
        op.execute(textwrap.dedent("""
            CREATE TABLE audit_log (
                id integer PRIMARY KEY
            )
        """))
        '''
    root = make_repo({**INI, f"{V}/a.py": revision("a", None, body, header="import textwrap\n")})
    report = scan(root)
    assert definitions(report, "audit_log") == [(f"{V}/a.py", 13, "create")]
    assert report.diagnostics == []
    text = textwrap.dedent('''
        CREATE TABLE audit_log (
            id integer PRIMARY KEY
        )
    ''')
    assert text.splitlines()[1] == "CREATE TABLE audit_log ("


def test_helper_modules_of_an_unconfigured_alembic_environment_are_migration_tooling(
    make_repo: MakeRepo,
) -> None:
    """No alembic.ini names the environment (its revisions and `env.py` find it): a helper
    module beside `versions/` (`migrations/utils/legacy.py`, which a revision calls to export
    rows just before dropping their table) is migration tooling, as everything under a
    configured `script_location` is: its reads are no application uses, so the drop is no
    `dropped-table-in-use`."""
    root = make_repo({
        "app/__init__.py": "",
        "app/jobs.py": 'def jobs(cur):\n    cur.execute("SELECT id FROM jobs")\n',
        "app/migrations/__init__.py": "",
        "app/migrations/env.py": "from alembic import context\n",
        "app/migrations/utils/__init__.py": "",
        "app/migrations/utils/legacy.py": (
            "import sqlalchemy as sa\n\n"
            'workflows = sa.table("workflows", sa.column("id"))\n\n\n'
            "def export_workflows(conn):\n"
            "    return conn.execute(sa.select(workflows)).fetchall()\n"
        ),
        "app/migrations/versions/a1.py": revision("a1", None, """
            op.create_table("workflows", sa.Column("id", sa.Integer))
            op.create_table("jobs", sa.Column("id", sa.Integer))
            """),
        "app/migrations/versions/b2.py": revision("b2", "a1", """
            export_workflows(op.get_bind())
            op.drop_table("workflows")
            """, header="from app.migrations.utils.legacy import export_workflows\n"),
    })
    report = scan(root)
    assert [(f.name, f.table) for f in report.findings] == []
    assert uses_of(report, "jobs") == {("app/jobs.py", 2, "read")}
    assert uses_of(report, "workflows") == set()
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_a_default_then_a_conditional_override_is_either(make_repo: MakeRepo) -> None:
    """`table = "events"` then `if archived: table = "old_events"`: after the `if`, the name is
    one or the other, so the statement uses both tables. Bound again in both branches of an
    `if`/`else` after a default, or under an `if` inside a loop, the name stays unknown."""
    root = make_repo({
        "app/__init__.py": "",
        "app/purge.py": (
            "def purge(cur, archived):\n"
            '    table = "events"\n'
            "    if archived:\n"
            '        table = "old_events"\n'
            '    cur.execute(f"DELETE FROM {table}")\n\n\n'
            "def either(cur, flag):\n"
            '    target = "a"\n'
            "    if flag:\n"
            '        target = "b"\n'
            "    else:\n"
            '        target = "c"\n'
            '    cur.execute(f"SELECT * FROM {target}")\n\n\n'
            "def looped(cur, rows):\n"
            '    target = "a"\n'
            "    for row in rows:\n"
            "        if row:\n"
            '            target = "b"\n'
            '        cur.execute(f"SELECT * FROM {target}")\n'
        ),
    })
    report = scan(root)
    assert {t.qualified_name: sorted((u.path, u.line, u.kind) for u in t.uses)
            for t in report.tables} == {
        "public.events": [("app/purge.py", 5, "write")],
        "public.old_events": [("app/purge.py", 5, "write")],
    }
    assert sorted((f.name, f.table, f.line) for f in report.findings) == [
        ("dynamic-table-name", None, 14), ("dynamic-table-name", None, 22),
        ("undefined-table", "public.events", 5), ("undefined-table", "public.old_events", 5),
    ]


def test_names_overridden_together_are_never_mixed(make_repo: MakeRepo) -> None:
    """`cte = ""; join = ""` then `if filtered: cte = "ids (id) AS (VALUES %s), "; join =
    "JOIN ids ON ..."`: the statement is built either with both defaults or with both
    overrides, so `ids` is always the CTE the override defines, never a table."""
    root = make_repo({
        "app/__init__.py": "",
        "app/releases.py": (
            "def releases(cur, ids=None):\n"
            '    cte = ""\n'
            '    join = ""\n'
            "    if ids:\n"
            '        cte = "ids (id) AS (VALUES %s), "\n'
            '        join = "JOIN ids ON ids.id = r.id"\n'
            '    cur.execute(f"WITH {cte} recent AS (SELECT * FROM releases) "\n'
            '                f"SELECT * FROM recent r {join}")\n'
        ),
    })
    report = scan(root)
    assert {t.qualified_name: sorted((u.path, u.line, u.kind) for u in t.uses)
            for t in report.tables} == {"public.releases": [("app/releases.py", 7, "read")]}
    assert [(f.name, f.table) for f in report.findings] == [
        ("undefined-table", "public.releases"),
    ]


BACKREF_MODELS = """\
import sqlalchemy as sa
from sqlalchemy.orm import backref, declarative_base, relationship

Base = declarative_base()


class Parent(Base):
    __tablename__ = "parent"
    id = sa.Column(sa.Integer, primary_key=True)


class Child(Base):
    __tablename__ = "child"
    id = sa.Column(sa.Integer, primary_key=True)
    parent_id = sa.Column(sa.Integer, sa.ForeignKey("parent.id"))
    parent = relationship("Parent", backref=backref("children", cascade="all, delete-orphan"))


class Note(Base):
    __tablename__ = "note"
    id = sa.Column(sa.Integer, primary_key=True)
    parent_id = sa.Column(sa.Integer, sa.ForeignKey("parent.id"))
    parent = relationship("Parent")


def init(engine):
    Base.metadata.create_all(engine)
"""


def test_a_backref_makes_the_child_reached_from_its_parent(make_repo: MakeRepo) -> None:
    """`parent = relationship("Parent", backref=backref("children", cascade=...))` on the
    child: the parent gets a `children` relationship (SQLAlchemy adds it, in a process of its
    own), loaded and cascaded whenever code uses the parent, so the child's table is not dead.
    A relationship without a backref gives the parent nothing: `note` stays dead."""
    import subprocess
    import sys

    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": BACKREF_MODELS,
        "app/service.py": (
            "from app.models import Parent\n\n\n"
            "def remove(session, pk):\n    session.delete(session.get(Parent, pk))\n"
        ),
    })
    report = scan(root)
    assert [(f.name, f.table) for f in report.findings] == [("dead-table", "public.note")]
    assert scan(root, prefilter=False).to_json() == report.to_json()
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import sqlalchemy as sa; "
        "import app.models as m; sa.orm.configure_mappers(); "
        "print(sorted(r.key for r in sa.inspect(m.Parent).relationships))"
    )
    real = subprocess.run([sys.executable, "-c", probe, str(root)], capture_output=True,
                          text=True, check=True)
    assert real.stdout.strip() == "['children']"


def test_an_unresolved_derived_table_is_a_subquery_not_a_table_name(
    make_repo: MakeRepo,
) -> None:
    """`FROM ({query}) AS sub` with `query` a parameter (a pagination helper's count): the
    hole fills a whole derived table, so the finding says a subquery's tables are unknown,
    not that a table name is; a hole inside a written subquery is still a table name
    (PostgreSQL refuses a table name in brackets there: the next test asks it)."""
    root = make_repo({
        "app/paging.py": (
            "def count(cur, query, params):\n"
            '    cur.execute(f"SELECT count(*) FROM ({query}) AS sub", params)\n\n\n'
            "def newest(cur, table):\n"
            '    cur.execute(f"SELECT * FROM (SELECT * FROM {table}) AS t LIMIT 1")\n'
        ),
    })
    report = scan(root)
    found = sorted((f.name, f.path, f.line, f.message.split(",")[0]) for f in report.findings)
    assert found == [
        ("dynamic-table-name", "app/paging.py", 2, "a subquery comes from `query`"),
        ("dynamic-table-name", "app/paging.py", 6, "table name comes from `table`"),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_postgresql_takes_a_query_not_a_table_name_as_a_derived_table(
    pg_server: DatabaseUrl,
) -> None:
    """What the test above relies on, asked of PostgreSQL itself."""
    import psycopg

    with psycopg.connect(pg_server.conninfo, autocommit=True) as conn:
        assert conn.execute(
            "SELECT count(*) FROM (SELECT relname FROM pg_class) AS sub"
        ).fetchone()[0] > 0
        with pytest.raises(psycopg.errors.SyntaxError):
            conn.execute("SELECT count(*) FROM (pg_class) AS sub")


SQL_BUILDER_FILES = {
    "app/__init__.py": "",
    "app/queries.py": (
        "def select_by_id(table):\n"
        '    return f"SELECT id FROM {table} WHERE id = ?"\n\n\n'
        "def count_rows(table):\n"
        '    sql = "SELECT count(*) FROM {table}"\n'
        "    sql = sql.format(table=table)\n"
        "    return sql\n"
    ),
    "app/repo.py": (
        "import uuid\n\nfrom sqlalchemy import text\n\n"
        "from app.queries import count_rows, select_by_id\n\n\n"
        "def payment(cur, ident):\n"
        '    cur.execute(select_by_id("payments"), (ident,))\n'
        "    return cur.fetchone()\n\n\n"
        "def refunds(cur):\n"
        '    cur.execute(count_rows("refunds"))\n'
        "    return cur.fetchone()[0]\n\n\n"
        "def opaque(cur):\n"
        "    cur.execute(uuid.uuid4().hex)\n\n\n"
        "def ledger(session):\n"
        '    sql = "SELECT id FROM ledger"\n'
        "    return session.execute(text(sql))\n\n\n"
        "def audit(session, cutoff):\n"
        "    return session.execute(\n"
        '        text("SELECT id FROM audit WHERE at < :cutoff").bindparams(cutoff=cutoff)\n'
        "    )\n\n\n"
        "def purge(session):\n"
        '    for table in ("sessions", "tokens"):\n'
        '        query = text(f"DELETE FROM {table}")\n'
        "        session.execute(query)\n"
    ),
}


def test_sql_returned_by_a_repository_function_called_in_the_sink(make_repo: MakeRepo) -> None:
    """`cur.execute(select_by_id("payments"), ...)`: the SQL argument is the result of a
    repository function, evaluated with the call's arguments (an f-string, or a template
    `.format`-ted in the function), as when the result is first bound to a name. A call whose
    result cannot be read (a library's) is no finding, and `execute(text(sql))`,
    `execute(text("...").bindparams(...))` or `q = text(...); execute(q)` counts the statement
    once, where it is written. SQLite runs the same statements."""
    import sqlite3

    root = make_repo(SQL_BUILDER_FILES)
    report = scan(root)
    assert {t.name: sorted((u.path, u.line, u.kind) for u in t.uses) for t in report.tables} == {
        "payments": [("app/repo.py", 9, "read")],
        "refunds": [("app/repo.py", 14, "read")],
        "ledger": [("app/repo.py", 23, "read")],  # once: `text(sql)` reads the literal
        "audit": [("app/repo.py", 29, "read")],  # once, as written in `text(...)`
        "sessions": [("app/repo.py", 35, "write")],  # `text(...)` bound first: once, there
        "tokens": [("app/repo.py", 35, "write")],
    }
    assert [f.name for f in report.findings] == ["undefined-table"] * 6
    assert scan(root, prefilter=False).to_json() == report.to_json()
    with importable(root):
        from app import repo  # type: ignore[import-not-found]

        with sqlite3.connect(":memory:") as db:
            db.execute("CREATE TABLE payments (id int)")
            db.execute("CREATE TABLE refunds (id int)")
            db.execute("INSERT INTO payments VALUES (7)")
            cur = db.cursor()
            assert repo.payment(cur, 7) == (7,)
            assert repo.refunds(cur) == 0


REPOSITORY_FILES = {
    "app/__init__.py": "",
    "app/repo.py": (
        "class BaseRepo:\n"
        "    table: str\n"
        '    key = "id"\n\n'
        "    def __init__(self, conn):\n"
        "        self.conn = conn\n\n"
        "    def get(self, ident):\n"
        "        return self.conn.execute(\n"
        '            f"SELECT * FROM {self.table} WHERE {self.key} = ?", (ident,)\n'
        "        ).fetchone()\n\n"
        "    @classmethod\n"
        "    def purge_sql(cls):\n"
        '        return f"DELETE FROM {cls.table}"\n'
    ),
    "app/users.py": (
        "from app.repo import BaseRepo\n\n\n"
        "class UserRepo(BaseRepo):\n"
        '    table = "users"\n'
        '    key = "user_id"\n'
    ),
    "app/billing/__init__.py": "",
    "app/billing/orders.py": (
        "from app import repo\n\n\n"
        "class OrderRepo(repo.BaseRepo):\n"
        "    def __init__(self, conn):\n"
        "        super().__init__(conn)\n"
        '        self.table = "orders"\n\n\n'
        "class ArchivedOrderRepo(OrderRepo):\n"
        '    table = "orders_archive"\n'
    ),
    "app/service.py": (
        "from app.billing.orders import OrderRepo\nfrom app.users import UserRepo\n\n\n"
        "def show(conn, ident):\n"
        "    return UserRepo(conn).get(ident), OrderRepo(conn).get(ident)\n"
    ),
}


def test_a_base_class_reads_its_subclasses_table_attribute(make_repo: MakeRepo) -> None:
    """A repository base class building SQL from `self.table` (only annotated there) and
    subclasses naming their table (`table = "users"`, `self.table = "orders"` in `__init__`,
    a subclass of a subclass): the statement uses each subclass's table, at its line; a
    classmethod's `cls.table` the class attributes only. The subclasses live in modules the
    first look skips (no SQL of their own): the report is the same with and without the
    pre-filter. SQLite runs the statements for each subclass, and `cls.table` of OrderRepo
    fails as Python says."""
    import sqlite3

    root = make_repo(REPOSITORY_FILES)
    report = scan(root)
    assert {t.name: sorted((u.path, u.line, u.kind) for u in t.uses) for t in report.tables} == {
        "users": [("app/repo.py", 10, "read"), ("app/repo.py", 15, "write")],
        # `cls.table` of OrderRepo is no attribute (it is set on instances): only `self.table`
        "orders": [("app/repo.py", 10, "read")],
        "orders_archive": [("app/repo.py", 10, "read"), ("app/repo.py", 15, "write")],
    }
    assert [f.name for f in report.findings] == ["undefined-table"] * 3
    assert scan(root, prefilter=False).to_json() == report.to_json()
    with importable(root):
        from app.billing.orders import ArchivedOrderRepo, OrderRepo  # type: ignore[import-not-found]
        from app.users import UserRepo  # type: ignore[import-not-found]

        with sqlite3.connect(":memory:") as db:
            for table, key in (("users", "user_id"), ("orders", "id"),
                               ("orders_archive", "id")):
                db.execute(f"CREATE TABLE {table} ({key} int)")
                db.execute(f"INSERT INTO {table} VALUES (1)")
            for repo in (UserRepo, OrderRepo, ArchivedOrderRepo):
                assert repo(db).get(1) == (1,)
            assert [repo.purge_sql() for repo in (UserRepo, ArchivedOrderRepo)] == [
                "DELETE FROM users", "DELETE FROM orders_archive",
            ]
            with pytest.raises(AttributeError):
                OrderRepo.purge_sql()


GENERIC_REPOSITORY_FILES = {
    "app/__init__.py": "",
    "app/models.py": (
        "from sqlalchemy import Integer\n"
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class User(Base):\n"
        '    __tablename__ = "users"\n'
        "    id: Mapped[int] = mapped_column(Integer, primary_key=True)\n\n\n"
        "class Order(Base):\n"
        '    __tablename__ = "orders"\n'
        "    id: Mapped[int] = mapped_column(Integer, primary_key=True)\n\n\n"
        "class Audit(Base):\n"
        '    __tablename__ = "audit_log"\n'
        "    id: Mapped[int] = mapped_column(Integer, primary_key=True)\n"
    ),
    "app/repository.py": (
        "from sqlalchemy import select\n\n\n"
        "class Repository:\n"
        "    model: type\n\n"
        "    def __init__(self, session):\n"
        "        self.session = session\n\n"
        "    def base_statement(self):\n"
        "        return select(self.model)\n"
    ),
    "app/repos.py": (
        "from app.models import Order, User\n"
        "from app.repository import Repository\n\n\n"
        "class UserRepository(Repository):\n    model = User\n\n\n"
        "class OrderRepository(Repository):\n    model = Order\n"
    ),
}


def test_a_generic_repository_reads_each_subclass_model(make_repo: MakeRepo) -> None:
    """`select(self.model)` in a generic repository base class, each subclass naming its
    model (`model = User`): the statement reads each subclass model's table, at its line; a
    model no repository names stays dead. Real SQLAlchemy compiles the same statements; the
    report is the same with and without the pre-filter."""
    root = make_repo(GENERIC_REPOSITORY_FILES)
    report = scan(root)
    assert uses_of(report, "public.users") == {  # (and `model = User`, a low-confidence read)
        ("app/repository.py", 11, "read"), ("app/repos.py", 6, "read"),
    }
    assert uses_of(report, "public.orders") == {
        ("app/repository.py", 11, "read"), ("app/repos.py", 10, "read"),
    }
    assert uses_of(report, "public.audit_log") == set()
    assert sorted(f.table for f in report.findings if f.name == "dead-table") == [
        "public.audit_log",
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()
    with importable(root):
        from app.repos import OrderRepository, UserRepository  # type: ignore[import-not-found]

        compiled = [str(repo(None).base_statement()) for repo in (UserRepository, OrderRepository)]
    assert [text.split("FROM ")[1] for text in compiled] == ["users", "orders"]


REPR_FIELD_FILES = {
    "app/__init__.py": "",
    "app/purge.py": (
        'TABLE = "legacy_rows"\n\n\n'
        "def purge(cur):\n"
        '    cur.execute("DELETE FROM %r WHERE id < 0" % (TABLE,))\n'
        '    cur.execute(f"SELECT * FROM {TABLE!r}")\n'
        '    cur.execute("SELECT * FROM {!a}".format(TABLE))\n'
        '    cur.execute("SELECT * FROM %s" % TABLE)\n'
        "    for kind in (int, str):\n"
        '        cur.execute("%r rows" % (kind,))\n'
    ),
}


def test_repr_fields_are_written_as_python_writes_them(make_repo: MakeRepo) -> None:
    """`%r`, `{x!r}` and `{!a}` write a string quoted (`'legacy_rows'`, which SQLite and
    sqlglot read as the table's name), `%s` unquoted: each use's snippet is the statement the
    function really hands to its cursor. A statement starting with a repr() is no SQL,
    whatever the value."""
    root = make_repo(REPR_FIELD_FILES)
    report = scan(root)
    table = report.table("legacy_rows")
    assert table is not None
    found = [(u.line, u.kind, u.snippet) for u in table.uses]
    with importable(root):
        from app.purge import purge  # type: ignore[import-not-found]

        class Recorder:
            def __init__(self) -> None:
                self.statements: list[str] = []

            def execute(self, statement: str) -> None:
                self.statements.append(statement)

        cursor = Recorder()
        purge(cursor)
    assert found == [
        (5, "write", cursor.statements[0]), (6, "read", cursor.statements[1]),
        (7, "read", cursor.statements[2]), (8, "read", cursor.statements[3]),
    ]
    assert [snippet for _, _, snippet in found] == [
        "DELETE FROM 'legacy_rows' WHERE id < 0", "SELECT * FROM 'legacy_rows'",
        "SELECT * FROM 'legacy_rows'", "SELECT * FROM legacy_rows",
    ]
    assert table_names(report) == {"public.legacy_rows"}
    assert report.diagnostics == []
    assert scan(root, prefilter=False).to_json() == report.to_json()


LINES_DB = """\
import sqlite3


class Database:
    def __init__(self, path):
        self.path = path

    def execute(self, statement, args=()):
        if isinstance(statement, (list, tuple)):
            statement = " ".join(statement)
        with sqlite3.connect(self.path) as con:
            return con.execute(statement, args)
"""

LINES_STORE = """\
class Notes:
    def __init__(self, db):
        self.db = db
        self.db.execute([
            "CREATE TABLE IF NOT EXISTS notes (",
            "    id INTEGER PRIMARY KEY, topic INTEGER REFERENCES topics (id),",
            "    body VARCHAR NOT NULL)"])
        self.db.execute((
            "CREATE TABLE IF NOT EXISTS topics (id INTEGER PRIMARY KEY,",
            "title VARCHAR)",
        ))

    def add(self, topic, body):
        self.db.execute([
            "INSERT INTO notes (topic, body)",
            "VALUES (?, ?)"], (topic, body))

    def count(self, title):
        return self.db.execute([
            "SELECT count(*) FROM notes WHERE",
            "    topic = (SELECT id FROM topics WHERE title = ?)"], (title,)).fetchone()[0]
"""


def test_a_statement_given_to_a_wrapper_as_its_lines(make_repo: MakeRepo, tmp_path) -> None:
    """`db.execute(["SELECT ... WHERE", "topic = ?"])`: no driver takes a list, the wrapper
    joins the lines, so they are one statement, each table at the line its item is on. Read
    alone, `"CREATE TABLE IF NOT EXISTS notes ("` and `"SELECT ... WHERE"` were statements
    sqlglot could not parse. The wrapper, run with sqlite3, creates exactly those tables."""
    root = make_repo({"app/__init__.py": "", "app/db.py": LINES_DB, "app/notes.py": LINES_STORE})
    report = scan(root)
    assert every_use(report) == [
        ("public.notes", "app/notes.py", 5, "ddl", "create", "high"),
        ("public.notes", "app/notes.py", 15, "write", "insert", "high"),
        ("public.notes", "app/notes.py", 20, "read", "select", "high"),
        ("public.topics", "app/notes.py", 9, "ddl", "create", "high"),
        ("public.topics", "app/notes.py", 21, "read", "select", "high"),
    ]
    assert definitions(report, "notes") == [("app/notes.py", 5, "create")]
    assert definitions(report, "topics") == [("app/notes.py", 9, "create")]
    assert report.diagnostics == []
    with importable(root):
        from app.db import Database  # type: ignore[import-not-found]
        from app.notes import Notes  # type: ignore[import-not-found]

        db = Database(str(tmp_path / "notes.sqlite"))
        notes = Notes(db)
        notes.add(1, "first")
        assert notes.count("none") == 0
        created = db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert {f"public.{name}" for (name,) in created} == table_names(report)


def test_a_list_with_an_item_that_is_not_text_is_read_item_by_item(make_repo: MakeRepo) -> None:
    """A computed item (`",".join(...)`) is no literal line: each literal item is read on its
    own, as any string is."""
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/db.py": LINES_DB,
            "app/edit.py": (
                "def update(db, id, data):\n"
                "    db.execute([\n"
                '        "UPDATE notes SET",\n'
                '        ",".join(key + "=?" for key in data),\n'
                '        "WHERE id = ?"], [*data.values(), id])\n'
            ),
        }
    )
    report = scan(root)
    assert [(u.path, u.line, u.kind, u.confidence) for u in report.table("notes").uses] == [
        ("app/edit.py", 3, "write", "high")
    ]


def test_a_parameter_reassigned_from_itself(make_repo: MakeRepo) -> None:
    """`table = table.lower()` reads the parameter: the binding on the use's own line is not
    yet made, and a parameter reaches every use before another binding. Likewise inside a
    value spanning several lines, and under an `if` (`statement = " ".join(statement)`). In a
    loop the rebinding comes round (`table = table + suffix`): the name stays unknown."""
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/store.py": (
                "class Store:\n"
                "    def __init__(self, con):\n"
                "        self.con = con\n"
                "\n"
                "    def count(self, table):\n"
                "        table = table.lower()\n"
                '        return self.con.execute(f"SELECT count(*) FROM {table}")\n'
                "\n"
                "    def clear(self, table):\n"
                "        table = (\n"
                '            table.strip()\n'
                "        )\n"
                '        self.con.execute(f"DELETE FROM {table}")\n'
                "\n"
                "    def drop(self, table, schema=None):\n"
                "        if schema:\n"
                '            table = schema + "." + table\n'
                '        self.con.execute(f"DROP TABLE {table}")\n'
                "\n"
                "    def shards(self, table):\n"
                '        for suffix in ("_a", "_b"):\n'
                "            table = table + suffix\n"
                '            self.con.execute(f"SELECT * FROM {table}")\n'
            ),
            "app/jobs.py": (
                "from app.store import Store\n"
                "\n"
                "\n"
                "def nightly(store: Store):\n"
                '    store.count("Visits")\n'
                '    store.clear("sessions")\n'
                '    store.drop("scratch", schema="tmp")\n'
                '    store.shards("events")\n'
            ),
        }
    )
    report = scan(root)
    assert every_use(report) == [
        ("public.scratch", "app/jobs.py", 7, "ddl", "drop", "high"),
        ("public.sessions", "app/jobs.py", 6, "write", "delete", "high"),
        ("public.visits", "app/jobs.py", 5, "read", "select", "high"),
        ("tmp.scratch", "app/jobs.py", 7, "ddl", "drop", "high"),
    ]
    assert dynamic(report) == [("app/store.py", 23)]


REBUILD = """\
import sqlite3


def upgrade(con: sqlite3.Connection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY, page TEXT, at INT)")
    con.execute("CREATE TABLE IF NOT EXISTS visits_new (id INTEGER PRIMARY KEY, page TEXT)")
    con.execute("INSERT INTO visits_new (id, page) SELECT id, page FROM visits")
    con.execute("DROP TABLE visits")
    con.execute("ALTER TABLE visits_new RENAME TO visits")
    legacy = con.execute("SELECT name FROM sqlite_master WHERE name = 'hits'").fetchall()
    if legacy:
        for (page,) in con.execute("SELECT page FROM hits").fetchall():
            con.execute("INSERT INTO visits (page) VALUES (?)", (page,))
        con.execute("DROP TABLE hits")


def pages(con: sqlite3.Connection) -> list[str]:
    return [page for (page,) in con.execute("SELECT page FROM visits")]


def stale(con: sqlite3.Connection) -> int:
    return con.execute("SELECT count(*) FROM clicks").fetchone()[0]


def purge(con: sqlite3.Connection) -> None:
    con.execute("DROP TABLE IF EXISTS clicks")
"""


def test_a_table_rebuilt_or_emptied_by_the_code_that_drops_it(make_repo: MakeRepo) -> None:
    """SQLite's rebuild recipe in application code: `visits_new` is filled, then renamed into
    place; the legacy `hits` is read, then dropped, by the same function. Those uses run
    while the table exists: no `dropped-table-in-use`, no `undefined-table`, status
    `removed`. `clicks`, read by one function and dropped by another, is still undefined.
    sqlite3 runs the upgrade: the database it leaves has exactly the runtime-only table."""
    root = make_repo({"app/__init__.py": "", "app/upgrade.py": REBUILD})
    report = scan(root)
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.clicks": "undefined",
        "public.hits": "removed",
        "public.sqlite_master": "system",
        "public.visits": "runtime-only",
        "public.visits_new": "removed",
    }
    assert sorted((f.name, f.table) for f in report.findings) == [
        ("runtime-created-table", "public.visits"),
        ("undefined-table", "public.clicks"),
    ]
    with importable(root):
        import sqlite3

        from app.upgrade import upgrade  # type: ignore[import-not-found]

        con = sqlite3.connect(":memory:")
        con.execute("CREATE TABLE hits (page TEXT)")
        con.execute("INSERT INTO hits VALUES ('/')")
        upgrade(con)
        left = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert [f"public.{name}" for (name,) in left] == [
        t.qualified_name for t in report.tables if t.status == "runtime-only"
    ]


ATTACHING = """\
import sqlite3


def setup(con: sqlite3.Connection) -> None:
    con.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT)")


def import_backup(con: sqlite3.Connection, path: str) -> int:
    con.execute("ATTACH DATABASE ? AS backup", (path,))
    version = con.execute("SELECT value FROM backup.settings WHERE key = 'version'").fetchone()
    names = con.execute("SELECT name FROM backup.sqlite_master WHERE type = 'table'").fetchall()
    con.execute("INSERT INTO notes (body) SELECT body FROM backup.notes")
    con.execute("INSERT INTO notes (body) SELECT body FROM backup.legacy_notes")
    con.commit()
    con.execute("DETACH DATABASE backup")
    return len(names) + int(version[0])


def count(con: sqlite3.Connection) -> int:
    return con.execute("SELECT count(*) FROM archive.notes").fetchone()[0]
"""


def test_tables_of_an_attached_database_are_external(make_repo: MakeRepo, tmp_path) -> None:
    """`ATTACH DATABASE ? AS backup`: `backup.notes` and `backup.settings` are tables of
    another database file, owned outside the repository: status `external`, from a source
    placed at the ATTACH, never `undefined-table`. Its catalog stays a system table;
    `archive.notes`, a schema nothing attaches, is still undefined. sqlite3 runs the import
    against such a file: its tables are the report's external ones."""
    root = make_repo({"app/__init__.py": "", "app/backup.py": ATTACHING})
    report = scan(root)
    assert {t.qualified_name: t.status for t in report.tables} == {
        "archive.notes": "undefined",
        "backup.legacy_notes": "external",
        "backup.notes": "external",
        "backup.settings": "external",
        "backup.sqlite_master": "system",
        "public.notes": "runtime-only",
    }
    assert [(s.id, s.kind, s.path, s.tables) for s in report.sources if s.kind == "external"] == [
        (
            "external:ATTACH backup (app/backup.py:9)", "external", "app/backup.py",
            ["backup.legacy_notes", "backup.notes", "backup.settings"],
        )
    ]
    assert sorted((f.name, f.table) for f in report.findings) == [
        ("runtime-created-table", "public.notes"),
        ("undefined-table", "archive.notes"),
    ]
    assert report.diagnostics == []
    import sqlite3

    backup = tmp_path / "backup.sqlite"
    with sqlite3.connect(backup) as old:
        old.execute("CREATE TABLE settings (key TEXT, value TEXT)")
        old.execute("INSERT INTO settings VALUES ('version', '2')")
        old.execute("CREATE TABLE notes (body TEXT)")
        old.execute("CREATE TABLE legacy_notes (body TEXT)")
        old.execute("INSERT INTO notes VALUES ('kept')")
    with importable(root):
        from app.backup import import_backup, setup  # type: ignore[import-not-found]

        con = sqlite3.connect(":memory:")
        setup(con)
        assert import_backup(con, str(backup)) == 5
        assert con.execute("SELECT body FROM notes").fetchall() == [("kept",)]
    with sqlite3.connect(backup) as old:
        tables = old.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert sorted(f"backup.{name}" for (name,) in tables) == [
        t.qualified_name for t in report.tables if t.status == "external"
    ]


PLUGIN_CORE = """\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import as_declarative, declarative_base

Base = declarative_base()


class SchemaVersion(Base):
    __tablename__ = "schema_version"
    plugin = Column(String, primary_key=True)
    version = Column(Integer)


def plugin_base(plugin, version):
    @as_declarative(metadata=Base.metadata)
    class PluginBase:
        _plugin = plugin
        _version = version

    return PluginBase


def create_tables(engine):
    Base.metadata.create_all(bind=engine)
"""

PLUGIN_SEEN = """\
from sqlalchemy import Column, Integer, String

from app import core

Base = core.plugin_base("seen", 2)


class SeenEntry(Base):
    __tablename__ = "seen_entry"
    id = Column(Integer, primary_key=True)
    title = Column(String)


def forget(session, title):
    session.query(SeenEntry).filter(SeenEntry.title == title).delete()
"""

PLUGIN_CACHE = """\
from typing import TYPE_CHECKING

from sqlalchemy import Column, Integer

from app.core import plugin_base

if TYPE_CHECKING:

    class Base:
        pass

else:
    Base = plugin_base("cache", 1)


class CacheEntry(Base):
    __tablename__ = "cache_entry"
    id = Column(Integer, primary_key=True)


def entries(session):
    return session.query(CacheEntry).all()
"""


def test_models_on_a_base_a_repository_function_returns(make_repo: MakeRepo) -> None:
    """`Base = core.plugin_base("seen", 2)`: a function returning an `@as_declarative(metadata=
    Base.metadata)` class it defines, one per plugin; also bound in the `else:` of `if
    TYPE_CHECKING:` (the type checker's class is never run). The models are mapped on the
    shared MetaData, which `create_all` creates: no table undefined. SQLAlchemy, importing
    the repository, creates exactly those tables."""
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/core.py": PLUGIN_CORE,
            "app/seen.py": PLUGIN_SEEN,
            "app/cache.py": PLUGIN_CACHE,
        }
    )
    report = scan(root)
    assert {t.qualified_name: (t.status, sorted(t.present_in)) for t in report.tables} == {
        "public.cache_entry": ("used", ["create_all", "model"]),
        "public.schema_version": ("dead", ["create_all", "model"]),
        "public.seen_entry": ("used", ["create_all", "model"]),
    }
    assert uses_of(report, "seen_entry") == {
        ("app/seen.py", 15, "read"), ("app/seen.py", 15, "write")
    }
    assert uses_of(report, "cache_entry") == {("app/cache.py", 22, "read")}
    with importable(root):
        import app.cache  # type: ignore[import-not-found]
        import app.seen  # type: ignore[import-not-found]  # noqa: F401
        import sqlalchemy as sa
        from app.core import create_tables  # type: ignore[import-not-found]

        engine = sa.create_engine("sqlite://")
        create_tables(engine)
        created = sa.inspect(engine).get_table_names()
    assert sorted(f"public.{name}" for name in created) == sorted(table_names(report))


BRACKETS_DB = """\
import sqlite3


class Connection:
    def __init__(self, path):
        self.con = sqlite3.connect(path)

    def action(self, query, args=()):
        return self.con.execute(query, args)


class ProviderCache(Connection):
    def __init__(self, path, provider):
        super().__init__(path)
        self.action("CREATE TABLE IF NOT EXISTS [{name}] (title TEXT)".format(name=provider))


def create(db):
    db.action("CREATE TABLE IF NOT EXISTS blockList (show INTEGER, keyword TEXT)")
    db.action("CREATE TABLE IF NOT EXISTS allowList (show INTEGER, keyword TEXT)")
"""

BRACKETS_KEYWORDS = """\
class Keywords:
    def __init__(self, db):
        self.db = db

    def _load(self, table):
        query = "SELECT keyword FROM [{table}] WHERE show = ?".format(table=table)
        return self.db.action(query, (1,)).fetchall()

    def _clear(self, table):
        self.db.action("DELETE FROM [%s] WHERE show = ?" % table, (1,))

    def load(self):
        return self._load("blockList") + self._load("allowList")

    def reset(self):
        self._clear("blockList")
"""

BRACKETS_ERRORS = """\
class FetchError(Exception):
    def __init__(self, message, status):
        Exception.__init__(self, message)
        self.status = status
"""


def test_names_in_brackets_through_helpers(make_repo: MakeRepo, tmp_path) -> None:
    """SQLite's `FROM [{table}]` in helpers called with `"blockList"`: the tables `CREATE
    TABLE blockList` made (brackets and case do not matter to SQLite), not dead, no
    diagnostic. `Exception.__init__(self, message)` is no call of the one helper named
    `__init__` (a dunder method is never matched by name). sqlite3 runs the code: the
    tables it made are the report's, compared without case as SQLite compares them."""
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/db.py": BRACKETS_DB,
            "app/keywords.py": BRACKETS_KEYWORDS,
            "app/errors.py": BRACKETS_ERRORS,
        }
    )
    report = scan(root)
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.allowlist": "runtime-only",
        "public.blocklist": "runtime-only",
    }
    assert uses_of(report, "blocklist") == {
        ("app/db.py", 19, "ddl"), ("app/keywords.py", 13, "read"),
        ("app/keywords.py", 16, "write"),
    }
    assert uses_of(report, "allowlist") == {
        ("app/db.py", 20, "ddl"), ("app/keywords.py", 13, "read")
    }
    assert dynamic(report) == [("app/db.py", 15)]
    assert report.diagnostics == []
    with importable(root):
        from app.db import Connection, create  # type: ignore[import-not-found]
        from app.keywords import Keywords  # type: ignore[import-not-found]

        db = Connection(str(tmp_path / "main.sqlite"))
        create(db)
        keywords = Keywords(db)
        assert keywords.load() == []
        keywords.reset()
        made = db.action("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert sorted(f"public.{name.lower()}" for (name,) in made) == sorted(table_names(report))


CLAUSE_HOLES = """\
def plays(db, since, user_cond, grouping, order):
    group_by = "history.reference_id" if grouping else "history.id"
    query = (
        "SELECT h.day, COUNT(*) FROM (SELECT *, date(started) AS day FROM history "
        "WHERE stopped >= %s %s GROUP BY day, %s) AS h "
        "JOIN history_meta AS m ON m.id = h.id "
        "ORDER BY %s" % (since, user_cond, group_by, order)
    )
    return db.select(query)


def shards(db, prefix, where):
    return db.select("SELECT * FROM %s_events %s" % (prefix, where))
"""


def test_holes_that_stand_for_clauses_are_left_out(make_repo: MakeRepo) -> None:
    """`WHERE stopped >= %s %s GROUP BY ...`, the holes a value and a clause known only at
    run time: sqlglot cannot parse the template with them, so it is read with the value as
    `0` and the clause left out. The tables its own text names are uses of medium
    confidence, not the token scan's low, and there is no `sql-unparsed`. A hole glued to a
    name (`%s_events`) is never left out: the name stays dynamic."""
    root = make_repo({"app/__init__.py": "", "app/stats.py": CLAUSE_HOLES})
    report = scan(root)
    assert every_use(report) == [
        ("public.history", "app/stats.py", 4, "read", "select", "medium"),
        ("public.history_meta", "app/stats.py", 6, "read", "select", "medium"),
    ]
    assert dynamic(report) == [("app/stats.py", 13)]
    assert report.diagnostics == []


TEMPORARY_PURGE = """\
import sqlite3


def purge_room(con: sqlite3.Connection, room: str) -> int:
    con.execute("CREATE TEMPORARY TABLE events_to_purge (id INTEGER)")
    con.execute("INSERT INTO events_to_purge SELECT id FROM events WHERE room = ?", (room,))
    con.execute("DELETE FROM events WHERE id IN (SELECT id FROM events_to_purge)")
    count = con.execute("SELECT count(*) FROM events_to_purge").fetchone()[0]
    return count


def recent(con: sqlite3.Connection) -> list:
    con.execute("CREATE TEMP VIEW IF NOT EXISTS recent_events AS SELECT * FROM events WHERE id > 1")
    return con.execute("SELECT room FROM recent_events").fetchall()
"""


def test_temporary_tables_live_in_the_session_not_in_a_schema(make_repo: MakeRepo) -> None:
    """`CREATE TEMPORARY TABLE` and `CREATE TEMP VIEW` in application code and in a migration
    file: a temporary table exists in the session that creates it, so a migration could not
    create it for the code. Status `temporary`, no `runtime-created-table` ("move the DDL
    into a migration" is advice nobody can follow), no `dead-table` for the migration's
    scratch table; the creations stay in the table's definitions. sqlite3 runs the migrations
    and the code: the database keeps exactly the tables the report calls present, and the
    session's temporary schema holds exactly the ones it calls temporary."""
    root = make_repo({
        "db/001_init.sql": "CREATE TABLE events (id INTEGER PRIMARY KEY, room TEXT);\n",
        "db/002_dedupe.sql": (
            "CREATE TEMP TABLE kept AS SELECT min(id) AS id FROM events GROUP BY room;\n"
            "DELETE FROM events WHERE id NOT IN (SELECT id FROM kept);\n"
        ),
        "app/__init__.py": "",
        "app/purge.py": TEMPORARY_PURGE,
    })
    report = scan(root)
    assert {t.qualified_name: (t.status, t.object_type) for t in report.tables} == {
        "public.events": ("used", "table"),
        "public.events_to_purge": ("temporary", "table"),
        "public.kept": ("temporary", "table"),
        "public.recent_events": ("temporary", "view"),
    }
    assert report.findings == []
    assert definitions(report, "public.events_to_purge") == [
        ("app/purge.py", 5, "create_temporary"),
    ]
    assert definitions(report, "public.kept") == [("db/002_dedupe.sql", 1, "create_temporary")]
    assert definitions(report, "public.recent_events") == [
        ("app/purge.py", 13, "create_temporary"),
    ]
    assert [u for u in every_use(report) if u[0] != "public.events"] == [
        ("public.events_to_purge", "app/purge.py", 5, "ddl", "create_temporary", "high"),
        ("public.events_to_purge", "app/purge.py", 6, "write", "insert", "high"),
        ("public.events_to_purge", "app/purge.py", 7, "read", "select", "high"),
        ("public.events_to_purge", "app/purge.py", 8, "read", "select", "high"),
        ("public.recent_events", "app/purge.py", 13, "ddl", "create_temporary", "high"),
        ("public.recent_events", "app/purge.py", 14, "read", "select", "high"),
    ]
    with importable(root):
        import sqlite3

        from app.purge import purge_room, recent  # type: ignore[import-not-found]

        con = sqlite3.connect(":memory:")
        for name in ("001_init.sql", "002_dedupe.sql"):
            con.executescript((root / "db" / name).read_text())
        con.execute("INSERT INTO events (room) VALUES ('a'), ('a'), ('b')")
        purge_room(con, "b")
        recent(con)
        kept = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        scratch = con.execute("SELECT name FROM sqlite_temp_master").fetchall()
    assert sorted(f"public.{name}" for (name,) in kept) == [
        t.qualified_name for t in report.tables if t.present_in
    ]
    assert sorted(f"public.{name}" for (name,) in scratch) == [
        t.qualified_name for t in report.tables if t.status == "temporary"
    ]


SHOP_FRESH = """\
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT, email TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total INTEGER);
"""
SHOP_STEPS = {
    # a 0.9 database has customers (id, name)
    "db/update_shop_0.9_to_0.10.sql": (
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER);\n"
        "CREATE TABLE cart (id INTEGER PRIMARY KEY, customer_id INTEGER);\n"
    ),
    "db/update_shop_0.10_to_0.11.sql": (
        "ALTER TABLE customers ADD COLUMN email TEXT;\n"
        "ALTER TABLE orders ADD COLUMN total INTEGER;\n"
        "DROP TABLE cart;\n"
    ),
}
SHOP_CODE = """\
def order_totals(con):
    return con.execute(
        "SELECT c.email, sum(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id"
        " GROUP BY c.email"
    ).fetchall()
"""


def test_a_chain_of_upgrade_scripts_beside_the_fresh_schema(make_repo: MakeRepo) -> None:
    """`create_shop.sql` builds the latest schema; `update_shop_0.9_to_0.10.sql` and
    `update_shop_0.10_to_0.11.sql` upgrade an existing database one version at a time. The
    steps are one ordered source, in version order (0.9 before 0.10, which a plain sort puts
    the other way: `cart` dropped before it is created), and the fresh script is its
    alternative: no `duplicate-definition` for `orders`, no `migration-order`, `cart` is
    history (`removed`), not dead. sqlite3 builds both ways, the chain in the report's order
    on a 0.9 database: the same tables and columns, as the replayed states say."""
    root = make_repo({
        "db/create_shop.sql": SHOP_FRESH, **SHOP_STEPS, "app/__init__.py": "",
        "app/shop.py": SHOP_CODE,
    })
    report = scan(root)
    assert [(s.id, s.ordered, s.files) for s in report.sources] == [
        ("sql:db/create_shop.sql", False, ["db/create_shop.sql"]),
        ("sql:db/update_shop*", True, [
            "db/update_shop_0.9_to_0.10.sql", "db/update_shop_0.10_to_0.11.sql",
        ]),
    ]
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.cart": "removed",
        "public.customers": "used",
        "public.orders": "used",
    }
    assert report.findings == []
    states = {
        (t.qualified_name, s.source): s.columns for t in report.tables for s in t.states
    }
    assert states == {
        ("public.customers", "sql:db/create_shop.sql"): ["id", "name", "email"],
        ("public.orders", "sql:db/create_shop.sql"): ["id", "customer_id", "total"],
        ("public.orders", "sql:db/update_shop*"): ["id", "customer_id", "total"],
    }
    import sqlite3

    fresh = sqlite3.connect(":memory:")
    fresh.executescript(SHOP_FRESH)
    upgraded = sqlite3.connect(":memory:")
    upgraded.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    for path in report.sources[1].files:
        upgraded.executescript((root / path).read_text())

    def schema(con: sqlite3.Connection) -> dict[str, list[str]]:
        names = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        return {
            name: [row[1] for row in con.execute(f"PRAGMA table_info({name})")]
            for (name,) in sorted(names)
        }

    assert schema(fresh) == schema(upgraded) == {
        "customers": states[("public.customers", "sql:db/create_shop.sql")],
        "orders": states[("public.orders", "sql:db/update_shop*")],
    }


def test_a_chain_that_forgets_a_column_drifts_from_the_fresh_schema(make_repo: MakeRepo) -> None:
    """The upgrade path leaves `orders` without `total`, which the fresh script has: the
    databases of new and of upgraded installations differ, and `definition-drift` says
    where, while the two still share the table without `duplicate-definition`."""
    steps = dict(SHOP_STEPS)
    steps["db/update_shop_0.10_to_0.11.sql"] = (
        "ALTER TABLE customers ADD COLUMN email TEXT;\nDROP TABLE cart;\n"
    )
    root = make_repo({"db/create_shop.sql": SHOP_FRESH, **steps, "app/shop.py": SHOP_CODE})
    report = scan(root)
    assert [(f.name, f.table, f.path, f.line) for f in report.findings] == [
        ("definition-drift", "public.orders", "db/create_shop.sql", 2),
    ]
    assert "db/update_shop* lacks total" in report.findings[0].message


SPARK_JOB = """\
from pyspark.sql import DataFrame, SparkSession

LISTENS = "listens"


def register(df: DataFrame, name: str) -> None:
    df.createOrReplaceTempView(name)


def top_artists(spark: SparkSession, listens: DataFrame, artists: DataFrame) -> DataFrame:
    listens.createOrReplaceTempView(LISTENS)
    register(artists, "artists")
    artists.createOrReplaceGlobalTempView(name="artist_names")
    return spark.sql(
        f"SELECT n.name, count(*) FROM {LISTENS} l JOIN artists a USING (artist_id)"
        " JOIN global_temp.artist_names n USING (artist_id) GROUP BY n.name"
    )


def stats(spark: SparkSession) -> DataFrame:
    return spark.sql("SELECT count(*) FROM listens_per_day")


def stage(df: DataFrame, prefix: str) -> None:
    df.createOrReplaceTempView(f"{prefix}_stage")
"""


def test_dataframes_registered_as_temporary_views(make_repo: MakeRepo) -> None:
    """PySpark's `df.createOrReplaceTempView(name)` names a DataFrame for the session's SQL:
    it is that session's `CREATE OR REPLACE TEMPORARY VIEW name`, through a constant, a
    helper taking the name and a keyword, and a global view in Spark's `global_temp`. Those
    views are `temporary`, never `undefined-table`; a view nothing registers still is (its
    confidence medium: the view named at run time may be it). That run-time name is an
    `info`, not a warning: it matters only to its own session's queries."""
    root = make_repo({"jobs/__init__.py": "", "jobs/artists.py": SPARK_JOB})
    report = scan(root)
    assert {t.qualified_name: (t.status, t.object_type) for t in report.tables} == {
        "global_temp.artist_names": ("temporary", "view"),
        "public.artists": ("temporary", "view"),
        "public.listens": ("temporary", "view"),
        "public.listens_per_day": ("undefined", "table"),
    }
    assert [(f.name, f.table, f.severity, f.line, f.confidence) for f in report.findings] == [
        ("undefined-table", "public.listens_per_day", "error", 21, "medium"),
        ("dynamic-table-name", None, "info", 25, "high"),
    ]
    assert definitions(report, "public.listens") == [("jobs/artists.py", 11, "create_temporary")]
    assert definitions(report, "public.artists") == [("jobs/artists.py", 12, "create_temporary")]
    assert definitions(report, "global_temp.artist_names") == [
        ("jobs/artists.py", 13, "create_temporary"),
    ]
    assert [u for u in every_use(report) if u[4] == "create_temporary"] == [
        ("global_temp.artist_names", "jobs/artists.py", 13, "ddl", "create_temporary", "high"),
        ("public.artists", "jobs/artists.py", 12, "ddl", "create_temporary", "high"),
        ("public.listens", "jobs/artists.py", 11, "ddl", "create_temporary", "high"),
    ]
    listens = report.table("public.listens")
    assert listens is not None
    assert [u.snippet for u in listens.uses if u.kind == "ddl"] == [
        "CREATE OR REPLACE TEMPORARY VIEW listens",
    ]


BILLING_CODE = """\
def invoices_of(cur, customer_id):
    cur.execute("SELECT * FROM billing.invoices WHERE customer_id = %s", (customer_id,))
    cur.execute("SELECT * FROM billing.credits WHERE customer_id = %s", (customer_id,))
    cur.execute("SELECT name FROM mb.artist JOIN mb.release USING (artist_id)")
    cur.execute("SELECT * FROM ledger")
    return cur.fetchall()
"""


def test_tables_another_application_owns_are_declared_external(make_repo: MakeRepo) -> None:
    """`external_tables` names the tables of a database the code reads but another
    application manages: each used table that matches and no source creates is `external`
    (source `external:external_tables`), with its uses, never `undefined-table`. A matching
    table the repository's own migration creates stays that migration's; a table matching
    nothing is still undefined. `--external-table` on the command line does the same."""
    files = {
        "db/001_credits.sql": "CREATE SCHEMA billing;\nCREATE TABLE billing.credits (id int);\n",
        "app/billing.py": BILLING_CODE,
    }
    root = make_repo({
        **files,
        "pyproject.toml": '[tool.tabletrace]\nexternal_tables = ["billing.*", "mb.*"]\n',
    })
    report = scan(root)
    assert {t.qualified_name: (t.status, t.present_in) for t in report.tables} == {
        "billing.credits": ("used", ["sql"]),
        "billing.invoices": ("external", ["external"]),
        "mb.artist": ("external", ["external"]),
        "mb.release": ("external", ["external"]),
        "public.ledger": ("undefined", []),
    }
    assert [(f.name, f.table) for f in report.findings] == [
        ("undefined-table", "public.ledger"),
    ]
    assert [(s.id, s.kind, s.tables) for s in report.sources if s.kind == "external"] == [
        ("external:external_tables", "external",
         ["billing.invoices", "mb.artist", "mb.release"]),
    ]
    assert [u[:4] for u in every_use(report) if u[0].startswith("mb.")] == [
        ("mb.artist", "app/billing.py", 4, "read"),
        ("mb.release", "app/billing.py", 4, "read"),
    ]
    plain = make_repo(files)
    from_the_command_line = scan(plain, {"external_tables": ["billing.*", "mb.*"]})
    assert [(t.qualified_name, t.status) for t in from_the_command_line.tables] == [
        (t.qualified_name, t.status) for t in report.tables
    ]


def test_dated_updates_beside_the_fresh_schema_are_its_alternative(make_repo: MakeRepo) -> None:
    """`admin/create_tables.sql` builds the latest schema, `admin/updates/` (numbered by
    date) upgrades an existing database; both create `listen_cache` without `IF NOT
    EXISTS`, so running one after the other would fail: they are two ways to one schema, no
    `duplicate-definition`; so are `meta/sql/create_tables.sql` and `meta/schema_changes/`
    beside it. `init.sql` with `migrations/001_more.sql` that both create `audit` `IF NOT
    EXISTS` may run in turn: that duplicate is still reported."""
    root = make_repo({
        "admin/create_tables.sql": (
            "CREATE TABLE listens (id int, user_id int);\n"
            "CREATE TABLE listen_cache (id int, payload text);\n"
        ),
        "admin/updates/2023-01-05-add-listen-cache.sql": (
            "CREATE TABLE listen_cache (id int);\n"
        ),
        "admin/updates/2023-02-10-cache-payload.sql": (
            "ALTER TABLE listen_cache ADD COLUMN payload text;\n"
        ),
        "store/init.sql": "CREATE TABLE IF NOT EXISTS audit (id int);\n",
        "store/migrations/001_more.sql": "CREATE TABLE IF NOT EXISTS audit (id int);\n",
        # beside each other: `meta/sql/` builds, `meta/schema_changes/` upgrades
        "meta/sql/create_tables.sql": "CREATE TABLE review (id int, body text);\n",
        "meta/schema_changes/1.sql": "CREATE TABLE review (id int);\n",
        "meta/schema_changes/2.sql": "ALTER TABLE review ADD COLUMN body text;\n",
        "app/q.py": (
            "def f(cur):\n"
            '    cur.execute("SELECT * FROM listens JOIN listen_cache USING (id)")\n'
            '    cur.execute("SELECT * FROM audit")\n'
            '    cur.execute("SELECT * FROM review")\n'
        ),
    })
    report = scan(root)
    assert [(f.name, f.table, [(loc.path, loc.line) for loc in f.locations])
            for f in report.findings] == [
        ("duplicate-definition", "public.audit",
         [("store/init.sql", 1), ("store/migrations/001_more.sql", 1)]),
    ]
    assert [(s.id, s.ordered) for s in report.sources] == [
        ("sql:admin/create_tables.sql", False),
        ("sql:admin/updates", True),
        ("sql:meta/schema_changes", True),
        ("sql:meta/sql/create_tables.sql", False),
        ("sql:store/init.sql", False),
        ("sql:store/migrations", True),
    ]


ROUTINES_SCHEMA = """\
CREATE TABLE packages (name text PRIMARY KEY, description text);
CREATE TABLE downloads (name text, at timestamp DEFAULT now());
CREATE TABLE search_log (term text);
CREATE TABLE build_log (msg text);

CREATE FUNCTION add_package(pkg text, descr text) RETURNS boolean
    LANGUAGE plpgsql AS $body$
DECLARE n int;
BEGIN
    SELECT count(*) INTO n FROM packages WHERE name = pkg;
    IF n > 0 THEN
        RETURN false;
    END IF;
    INSERT INTO packages (name, description) VALUES (pkg, descr);
    RETURN true;
END;
$body$;

CREATE FUNCTION public.package_downloads(pkg text) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT count(*) FROM downloads WHERE name = pkg;
$$;

CREATE PROCEDURE log_search(t text) LANGUAGE sql
BEGIN ATOMIC
    INSERT INTO search_log VALUES (t);
END;

CREATE FUNCTION record(msg text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO build_log VALUES (msg);
$$;
"""
ROUTINES_UPGRADE = """\
CREATE TABLE events (msg text);
CREATE OR REPLACE FUNCTION record(msg text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO events VALUES (msg);
$$;
DROP TABLE build_log;
"""
ROUTINES_CODE = """\
def add(conn, name, description):
    return conn.execute("VALUES (add_package(%s, %s))", (name, description)).fetchone()[0]


def downloads(conn, name):
    return conn.execute("SELECT package_downloads(%s)", (name,)).fetchone()[0]


def search(conn, term):
    conn.execute("CALL log_search(%s)", (term,))


def record(conn, message):
    conn.execute("SELECT record(%s)", (message,))
"""


def test_tables_used_through_database_functions(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """The code calls functions and a procedure that `.sql` files define; only their bodies
    name the tables. Each call is a use of what the body reads and writes (`plpgsql`, `sql`
    and `BEGIN ATOMIC` bodies; `SELECT ... INTO n` assigns a variable), `confidence:
    medium`, the definition in the snippet. `record()` is redefined by the second step to
    write `events`, and the step drops `build_log`: the final definition counts, so no
    `dropped-table-in-use`. PostgreSQL runs the steps and the code: the rows land in
    exactly the tables the report says are written, and `build_log` is gone."""
    root = make_repo({
        "db/001_schema.sql": ROUTINES_SCHEMA,
        "db/002_events.sql": ROUTINES_UPGRADE,
        "app/__init__.py": "",
        "app/store.py": ROUTINES_CODE,
    })
    report = scan(root)
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.build_log": "removed",
        "public.downloads": "used",
        "public.events": "used",
        "public.packages": "used",
        "public.search_log": "used",
    }
    assert report.findings == []
    assert every_use(report) == [
        ("public.downloads", "app/store.py", 6, "read", "select", "medium"),
        ("public.events", "app/store.py", 14, "write", "insert", "medium"),
        ("public.packages", "app/store.py", 2, "read", "select", "medium"),
        ("public.packages", "app/store.py", 2, "write", "insert", "medium"),
        ("public.search_log", "app/store.py", 10, "write", "insert", "medium"),
    ]
    packages = report.table("public.packages")
    assert packages is not None
    assert [u.snippet for u in packages.uses] == [
        "VALUES (add_package(%s, %s)) -> add_package() at db/001_schema.sql:10",
        "VALUES (add_package(%s, %s)) -> add_package() at db/001_schema.sql:14",
    ]
    downloads = report.table("public.downloads")
    assert downloads is not None
    assert [u.snippet for u in downloads.uses] == [
        "SELECT package_downloads(%s) -> public.package_downloads() at db/001_schema.sql:20",
    ]
    import psycopg

    url = make_database(ROUTINES_SCHEMA + ROUTINES_UPGRADE)
    with importable(root), psycopg.connect(
        parse_database_url(url).conninfo, autocommit=True
    ) as conn:
        from app import store  # type: ignore[import-not-found]

        assert store.add(conn, "tabletrace", "static analysis") is True
        assert store.downloads(conn, "tabletrace") == 0
        store.search(conn, "sql")
        store.record(conn, "built")
        written = {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("packages", "search_log", "events", "downloads")
        }
        remaining = {
            name for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        }
    assert {table for table, rows in written.items() if rows} == {
        t.qualified_name.removeprefix("public.") for t in report.tables
        if any(u.kind == "write" for u in t.uses)
    }
    assert remaining == {
        t.qualified_name.removeprefix("public.") for t in report.tables if t.present_in
    }


UPGRADE_PACKAGE = {
    "bot/__init__.py": "",
    "bot/db/__init__.py": "",
    "bot/db/upgrade/__init__.py": (
        "from mautrix.util.async_db import UpgradeTable\n\n"
        "upgrade_table = UpgradeTable()\n\n"
        "from . import v01_initial, v02_notes  # noqa: E402,F401  (registers the steps)\n"
    ),
    "bot/db/upgrade/v01_initial.py": """\
from mautrix.util.async_db import Connection

from . import upgrade_table


@upgrade_table.register(description="Initial revision")
async def upgrade_v1(conn: Connection) -> None:
    if await conn.table_exists("legacy_rooms"):
        await migrate_legacy(conn)
    else:
        await create_tables(conn)


async def create_tables(conn: Connection) -> None:
    await conn.execute("CREATE TABLE room (id TEXT PRIMARY KEY, name TEXT)")
    await conn.execute("CREATE TABLE reminder (id INTEGER PRIMARY KEY, room_id TEXT)")


async def migrate_legacy(conn: Connection) -> None:
    await conn.execute("ALTER TABLE legacy_rooms RENAME TO room")
    await conn.execute("CREATE TABLE reminder (id INTEGER PRIMARY KEY, room_id TEXT)")
""",
    "bot/db/upgrade/v02_notes.py": """\
from mautrix.util.async_db import Connection

from . import upgrade_table


@upgrade_table.register(description="Notes on reminders")
async def upgrade_v2(conn: Connection) -> None:
    await conn.execute("ALTER TABLE reminder ADD COLUMN note TEXT")
""",
    "bot/store.py": """\
async def add_reminder(db, room_id: str, note: str) -> None:
    await db.execute("INSERT INTO reminder (room_id, note) VALUES ($1, $2)", room_id, note)


async def rooms(db) -> list:
    return await db.fetch("SELECT id, name FROM room")
""",
}


def test_upgrades_registered_with_mautrix_upgrade_table(make_repo: MakeRepo, tmp_path) -> None:
    """maubot's and the mautrix bridges' migrations: `@upgrade_table.register(...)` on
    `upgrade_v1`, `upgrade_v2` in `db/upgrade/v01_...`, `v02_...`, their SQL partly in
    helpers the step calls under a condition (a legacy database, or a fresh one). One
    ordered `migration-module` source, module by module; the helpers' statements are the
    migration's (no `runtime-created-table`) and may not run (conditional: the legacy
    branch's rename of `legacy_rooms` is no `migration-order` error). mautrix itself runs the
    upgrades on SQLite: it leaves the tables and columns the replayed state has, besides
    its own `version` table."""
    root = make_repo(UPGRADE_PACKAGE)
    report = scan(root)
    assert [(s.id, s.kind, s.ordered, s.files) for s in report.sources] == [
        ("migration-module:bot/db/upgrade", "migration-module", True,
         ["bot/db/upgrade/v01_initial.py", "bot/db/upgrade/v02_notes.py"]),
    ]
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.legacy_rooms": "removed",
        "public.reminder": "used",
        "public.room": "used",
    }
    assert report.findings == []
    assert sorted(
        (d.path, d.line, d.operation, d.revision, d.detail)
        for t in report.tables for d in t.definitions
    ) == [
        ("bot/db/upgrade/v01_initial.py", 15, "create", "create_tables",
         "conditional (under an if/try, or in a helper a registered step calls)"),
        ("bot/db/upgrade/v01_initial.py", 16, "create", "create_tables",
         "conditional (under an if/try, or in a helper a registered step calls)"),
        ("bot/db/upgrade/v01_initial.py", 20, "rename_from", "migrate_legacy",
         "renamed to public.room; conditional (under an if/try, or in a helper a registered "
         "step calls)"),
        ("bot/db/upgrade/v01_initial.py", 20, "rename_to", "migrate_legacy",
         "renamed from public.legacy_rooms; conditional (under an if/try, or in a helper a "
         "registered step calls)"),
        ("bot/db/upgrade/v01_initial.py", 21, "create", "migrate_legacy",
         "conditional (under an if/try, or in a helper a registered step calls)"),
        ("bot/db/upgrade/v02_notes.py", 8, "alter", "upgrade_v2", "add column note"),
    ]
    import asyncio
    import sqlite3

    database = tmp_path / "bot.db"
    with importable(root):
        from bot.db.upgrade import upgrade_table  # type: ignore[import-not-found]
        from mautrix.util.async_db import Database

        async def upgrade() -> None:
            db = Database.create(f"sqlite:{database}", upgrade_table=upgrade_table)
            await db.start()
            await db.stop()

        asyncio.run(upgrade())
    con = sqlite3.connect(database)
    built = {
        name: [row[1] for row in con.execute(f"PRAGMA table_info({name})")]
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if name != "version"  # the registry's own bookkeeping
    }
    assert built == {
        t.qualified_name.removeprefix("public."): t.states[0].columns
        for t in report.tables if t.present_in
    }


def test_code_that_reads_another_applications_database(make_repo: MakeRepo) -> None:
    """`external_code` names the files whose SQL runs on another application's database
    (a second connection: `mb_conn.execute("SELECT ... FROM artist")`): the tables they use
    that no source creates are external, their uses kept. The same unqualified name used by
    other code and created by the repository stays the repository's; a table other code
    uses and nothing creates is still undefined."""
    root = make_repo({
        "db/001_init.sql": "CREATE TABLE orders (id int, artist_id int);\n",
        "app/external/musicbrainz.py": (
            "def artist_name(mb_conn, artist_id):\n"
            '    return mb_conn.execute("SELECT name FROM artist WHERE id = %s", (artist_id,))\n'
            "\n\ndef recent(mb_conn):\n"
            '    return mb_conn.execute("SELECT * FROM orders")\n'
        ),
        "app/local.py": (
            "def f(cur):\n"
            '    cur.execute("SELECT * FROM orders JOIN ledger USING (id)")\n'
        ),
        "pyproject.toml": '[tool.tabletrace]\nexternal_code = ["app/external/**"]\n',
    })
    report = scan(root)
    assert {t.qualified_name: (t.status, t.present_in) for t in report.tables} == {
        "public.artist": ("external", ["external"]),
        "public.ledger": ("undefined", []),
        "public.orders": ("used", ["sql"]),
    }
    assert [(f.name, f.table) for f in report.findings] == [("undefined-table", "public.ledger")]
    assert every_use(report)[0] == (
        "public.artist", "app/external/musicbrainz.py", 2, "read", "select", "high"
    )


def test_a_module_that_only_registers_a_view_is_read(make_repo: MakeRepo) -> None:
    """The first look keeps a module whose only database code is a view's registration, by
    keyword too, so the view another module's query reads is the session's, not undefined."""
    root = make_repo({
        "jobs/__init__.py": "",
        "jobs/register.py": "def register(df):\n    df.createOrReplaceTempView(name='daily')\n",
        "jobs/query.py": "def daily(spark):\n    return spark.sql('SELECT count(*) FROM daily')\n",
    })
    for prefilter in (True, False):
        report = scan(root, prefilter=prefilter)
        assert [(t.qualified_name, t.status) for t in report.tables] == [
            ("public.daily", "temporary")
        ]
        assert definitions(report, "public.daily") == [("jobs/register.py", 2, "create_temporary")]


def test_a_dropped_table_the_code_checks_for_stays_removed(make_repo: MakeRepo) -> None:
    """Code checking whether an old table is still there to move its rows and drop it: the
    table is the runtime source's (`removed`), not an external one."""
    report = scan(make_repo({
        "app/__init__.py": "",
        "app/upgrade.py": (
            "def migrate_posters(conn):\n"
            "    old = conn.execute(\n"
            "        \"SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'posters'\"\n"
            "    ).fetchone()\n"
            "    if old:\n"
            "        conn.execute(\"INSERT INTO images SELECT * FROM posters\")\n"
            "        conn.execute(\"DROP TABLE posters\")\n"
        ),
        "schema.sql": "CREATE TABLE images (id integer);\n",
    }))
    assert {t.name: t.status for t in report.tables} == {
        "images": "used", "posters": "removed", "sqlite_master": "system",
    }
    assert [s.kind for s in report.sources if s.kind == "external"] == []


def test_a_jinja_sql_template_is_no_schema_source(make_repo: MakeRepo) -> None:
    """A `.sql` file with Jinja markup (`{{ conn|qtIdent(data.name) }}`, `{% if %}`) is
    rendered by code at run time: one `sql-template` diagnostic, no table, no unparsed
    statement. PostgreSQL's array literals (`'{{1,2}}'`) are no markup. Jinja itself finds the
    template's run-time variables."""
    import jinja2
    from jinja2 import meta

    template = (
        "{% if data.columns %}\n"
        "CREATE TABLE {{ conn|qtIdent(data.schema, data.name) }} (\n"
        "    {{ data.columns|join(', ') }}\n"
        ");\n"
        "{% endif %}\n"
    )
    root = make_repo({
        "app/templates/tables/create.sql": template,
        "schema.sql": "CREATE TABLE grids (id integer, cells integer[][]);\n"
                      "INSERT INTO grids VALUES (1, '{{1,2},{3,4}}');\n",
    })
    report = scan(root)
    assert {t.name: t.status for t in report.tables} == {"grids": "dead"}
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("sql-template", "app/templates/tables/create.sql", 1),
    ]
    parsed = jinja2.Environment().parse(template)
    assert meta.find_undeclared_variables(parsed) == {"conn", "data"}


LIBRARY_VIEWER = {
    "app/__init__.py": "",
    "app/library.py": (
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import Session, declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class Book(Base):\n"
        '    __tablename__ = "books"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
        "    title = sa.Column(sa.String)\n\n\n"
        "def open_library(path):\n"
        '    engine = sa.create_engine("sqlite://")\n'
        "    conn = engine.connect()\n"
        "    conn.execute(sa.text(f\"ATTACH DATABASE '{path}' AS calibre\"))\n"
        "    return conn\n\n\n"
        "def titles(conn):\n"
        "    with Session(bind=conn) as session:\n"
        "        return [book.title for book in session.query(Book)]\n\n\n"
        "def authors(conn):\n"
        '    return conn.execute(sa.text("SELECT name FROM authors")).fetchall()\n'
    ),
}


def test_tables_of_a_database_attached_to_an_empty_in_memory_one_are_external(
    make_repo: MakeRepo, tmp_path: Path,
) -> None:
    """`create_engine("sqlite://")` then `ATTACH ... AS calibre`: the main database is empty,
    so SQLite finds `books` and `authors`, used unqualified, in the attached file. They are
    another program's tables (external), not models without a migration or undefined
    tables. SQLite runs the same code against such a file."""
    import sqlite3

    root = make_repo(LIBRARY_VIEWER)
    report = scan(root)
    assert {t.name: t.status for t in report.tables} == {"authors": "external", "books": "external"}
    assert report.findings == []
    (source,) = [s for s in report.sources if s.kind == "external"]
    assert (source.id, source.tables) == (
        "external:ATTACH calibre to in-memory SQLite (app/library.py:16)",
        ["public.authors", "public.books"],
    )
    library = tmp_path / "metadata.db"
    with sqlite3.connect(library) as db:
        db.executescript("CREATE TABLE books (id integer PRIMARY KEY, title text);"
                         "CREATE TABLE authors (name text);"
                         "INSERT INTO books VALUES (1, 'Dune'); INSERT INTO authors VALUES ('F');")
    with importable(root):
        from app.library import authors, open_library, titles  # type: ignore[import-not-found]

        conn = open_library(library)
        assert (titles(conn), [tuple(r) for r in authors(conn)]) == (["Dune"], [("F",)])
        conn.close()


INIT_SCRIPTS = {
    "docker/postgres-init.sql": (
        "CREATE DATABASE dns OWNER dns;\n"
        "\\connect dns\n"
        "CREATE TABLE domains (id SERIAL PRIMARY KEY, name VARCHAR(255) NOT NULL);\n"
        "CREATE TABLE records (id BIGSERIAL PRIMARY KEY, domain_id INT);\n"
    ),
    "docker/mysql-init.sql": (
        "CREATE DATABASE IF NOT EXISTS dns;\n"
        "USE dns;\n"
        "CREATE TABLE domains (id INT AUTO_INCREMENT, name VARCHAR(255) NOT NULL,\n"
        "  PRIMARY KEY (id)) Engine=InnoDB;\n"
        "CREATE TABLE records (id BIGINT AUTO_INCREMENT, domain_id INT,\n"
        "  PRIMARY KEY (id)) Engine=InnoDB;\n"
    ),
    "schema.sql": "CREATE TABLE settings (name text PRIMARY KEY, value text);\n",
    "app/__init__.py": "",
    "app/settings.py": (
        "def value(conn, name):\n"
        '    return conn.execute("SELECT value FROM settings WHERE name = %s", (name,))\n'
    ),
}


def test_an_init_script_building_another_database_is_external(make_repo: MakeRepo) -> None:
    """A container's init scripts, one per engine (`postgres-init.sql`, `mysql-init.sql`:
    each read in its engine's dialect, alternatives of each other), that switch to another
    database (`\\connect dns`, `USE dns`) and build a service's tables there: those tables
    are that database's (`dns.domains`), external, never dead; MySQL's `AUTO_INCREMENT` is no
    broken definition."""
    import sqlglot

    report = scan(make_repo(INIT_SCRIPTS))
    assert {t.qualified_name: t.status for t in report.tables} == {
        "dns.domains": "external", "dns.records": "external", "public.settings": "used",
    }
    assert report.findings == []
    assert sorted(s.id for s in report.sources if s.kind == "external") == [
        "external:database dns (docker/mysql-init.sql)",
        "external:database dns (docker/postgres-init.sql)",
    ]
    mysql = INIT_SCRIPTS["docker/mysql-init.sql"]
    assert [type(e).__name__ for e in sqlglot.parse(mysql, read="mysql")] == [
        "Create", "Use", "Create", "Create",
    ]


def test_an_engine_named_in_a_sql_files_name_is_its_dialect() -> None:
    from analyzer.sql.engine_files import engine_of, variant_family

    assert [engine_of(p) for p in (
        "docker/mysql-init.sql", "docker/postgres-init.sql", "db/schema_sqlite.sql",
        "db/init.mariadb.sql", "a/full.sql.postgres", "db/pg_dump.sql", "db/schema.sql",
        "db/mysql_to_postgres.sql",
    )] == ["mysql", "postgres", "sqlite", "mysql", "postgres", None, None, None]
    assert variant_family("docker/mysql-init.sql") == variant_family("docker/postgres-init.sql")
    assert variant_family("docker/mysql-init.sql") == "docker/*-init.sql"


def test_a_dumps_use_of_the_applications_own_database_keeps_its_tables(
    make_repo: MakeRepo,
) -> None:
    """A MySQL dump starting `USE shop;` builds the application's own database: the code uses
    one of its tables by name, so every table after the switch stays the dump's (`orders`
    used, `legacy_carts` dead)."""
    report = scan(make_repo({
        "db/mysql-dump.sql": (
            "CREATE DATABASE IF NOT EXISTS shop;\nUSE shop;\n"
            "CREATE TABLE orders (id INT AUTO_INCREMENT, PRIMARY KEY (id));\n"
            "CREATE TABLE legacy_carts (id INT);\n"
        ),
        "app/__init__.py": "",
        "app/orders.py": (
            'def count(conn):\n    return conn.execute("SELECT count(*) FROM orders")\n'
        ),
    }))
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.orders": "used", "public.legacy_carts": "dead",
    }
    assert [(f.name, f.table) for f in report.findings] == [
        ("dead-table", "public.legacy_carts"),
    ]


def test_no_python_application_code_makes_dead_tables_uncertain(make_repo: MakeRepo) -> None:
    """A service written in another language keeping its SQL migrations in the repository
    (mautrix-telegram's Go bridge): no Python code uses its tables, which says nothing, so
    `dead-table` is medium and says why. With Python application code that uses none of
    them, it stays high."""
    files: dict[str, str | bytes] = {
        "store/upgrades/00-latest.sql": "CREATE TABLE portal (id bigint PRIMARY KEY);\n",
        "store/portal.go": 'package store\n\nconst getPortal = "SELECT id FROM portal"\n',
    }
    (dead,) = scan(make_repo(files)).findings
    assert (dead.name, dead.confidence) == ("dead-table", "medium")
    assert dead.message.endswith(
        "(confidence medium: the repository has no Python application code, and tabletrace "
        "reads Python only: code in another language may use it)"
    )
    files["tools/report.py"] = "def report():\n    return 'nothing'\n"
    (dead,) = scan(make_repo(files)).findings
    assert (dead.name, dead.confidence) == ("dead-table", "high")


# --- PostgreSQL's temporary-table lifetime and row-lock targets --------------------------------

PAYDAY_SCHEMA = """
CREATE TABLE participants (id int PRIMARY KEY, balance int NOT NULL DEFAULT 0);
CREATE TABLE tips (id int PRIMARY KEY, tipper int, tippee int, amount int);
"""
PAYDAY_CODE = '''def prepare(cursor):
    cursor.run("""
        CREATE TEMP TABLE payday_tips ON COMMIT DROP AS
            SELECT t.id, t.tipper, t.tippee, t.amount FROM tips t;
        CREATE TABLE payday_log (id int);
        INSERT INTO payday_log SELECT id FROM payday_tips;
    """)


def lock_payer(cursor, payer):
    return cursor.one(
        "SELECT p.balance FROM participants p JOIN tips t ON t.tipper = p.id"
        " WHERE p.id = %s FOR UPDATE OF p",
        (payer,),
    )
'''


def test_temporary_table_on_commit_and_row_lock_targets(
    make_repo: MakeRepo, pg_server: DatabaseUrl, make_database: MakeDatabase
) -> None:
    """`CREATE TEMP TABLE t ON COMMIT DROP AS SELECT ...` is a statement (the detector had
    rejected the string away from a known sink, and with it the two statements after it),
    read exactly; `FOR UPDATE OF p` locks a FROM item by its alias, no table `p`. PostgreSQL
    runs both, and rejects a lock target that is not in the FROM clause."""
    report = scan(make_repo({
        "sql/schema.sql": PAYDAY_SCHEMA,
        "app/__init__.py": "",
        "app/payday.py": PAYDAY_CODE,
    }))
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.participants": "used",
        "public.tips": "used",
        "public.payday_tips": "temporary",
        "public.payday_log": "runtime-only",
    }
    assert {
        (t.qualified_name, u.line, u.operation, u.kind, u.confidence)
        for t in report.tables for u in t.uses
    } == {
        ("public.payday_tips", 3, "create_temporary", "ddl", "high"),
        ("public.tips", 4, "select", "read", "high"),
        ("public.payday_log", 5, "create", "ddl", "high"),
        ("public.payday_log", 6, "insert", "write", "high"),
        ("public.payday_tips", 6, "select", "read", "high"),
        ("public.participants", 12, "select", "read", "high"),
        ("public.tips", 12, "select", "read", "high"),
    }
    assert [d for d in report.diagnostics if d.code == "sql-unparsed"] == []

    import psycopg

    url = make_database(PAYDAY_SCHEMA)
    with psycopg.connect(parse_database_url(url).conninfo) as conn:
        conn.execute(
            "CREATE TEMP TABLE payday_tips ON COMMIT DROP AS "
            "SELECT t.id, t.tipper, t.tippee, t.amount FROM tips t"
        )
        conn.execute(
            "SELECT p.balance FROM participants p JOIN tips t ON t.tipper = p.id"
            " WHERE p.id = %s FOR UPDATE OF p", (1,),
        )
        conn.commit()
        assert conn.execute("SELECT to_regclass('pg_temp.payday_tips')").fetchone() == (None,)
        with pytest.raises(
            psycopg.errors.UndefinedTable, match=r'"p" in FOR UPDATE clause not found in FROM'
        ):
            conn.execute("SELECT balance FROM participants FOR UPDATE OF p")


BRANCHED_NAME_CODE = '''def leaderboard(conn, info=None):
    view = "users_rank"
    if info:
        view = "users_rank_%s" % info
    conn.execute('CREATE TABLE "{}" AS SELECT id FROM accounts'.format(view))


def ranks(conn):
    return conn.execute("SELECT * FROM users_rank").fetchall()
'''


@pytest.mark.parametrize("prefilter", [True, False])
def test_a_name_with_a_literal_default_is_that_name_and_a_dynamic_one(
    make_repo: MakeRepo, tmp_path: Path, prefilter: bool
) -> None:
    """`view = "users_rank"`, overridden only under `if info:` by a name built at run time:
    the statement runs with `users_rank` (the default) and with a name known only at run
    time. `users_rank` is created by that code (runtime-created-table, no undefined-table
    for the query reading it), and the other name stays a dynamic-table-name. SQLite runs
    the default path: the table it creates is `users_rank`."""
    import sqlite3

    root = make_repo({
        "sql/schema.sql": "CREATE TABLE accounts (id int);\n",
        "app/__init__.py": "",
        "app/ranks.py": BRANCHED_NAME_CODE,
    })
    report = scan(root, prefilter=prefilter)
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.accounts": "used", "public.users_rank": "runtime-only",
    }
    assert sorted((f.name, f.table, f.line) for f in report.findings) == [
        ("dynamic-table-name", None, 5),
        ("runtime-created-table", "public.users_rank", 5),
    ]
    with importable(root):
        from app import ranks  # type: ignore[import-not-found]

        conn = sqlite3.connect(tmp_path / "ranks.db")
        conn.execute("CREATE TABLE accounts (id int)")
        ranks.leaderboard(conn)
        assert ranks.ranks(conn) == []
        assert [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        )] == ["accounts", "users_rank"]
        conn.close()


INDEX_RENAME_REVISIONS = {
    **INI,
    f"{V}/a1.py": revision("a1", None, """
        op.create_table("app", sa.Column("id", sa.Integer, primary_key=True),
                        sa.Column("name", sa.Text, unique=True))
    """),
    f"{V}/b2.py": revision("b2", "a1", """
        op.execute("ALTER TABLE app RENAME TO project")
        op.execute("ALTER TABLE app_pkey RENAME TO project_pkey")
        op.execute("ALTER TABLE app_name_key RENAME TO project_name_key")
    """),
    "app/__init__.py": "",
    "app/store.py": 'def names(cur):\n    cur.execute("SELECT name FROM project")\n',
}


def test_alter_table_renaming_an_index_renames_no_table(
    make_repo: MakeRepo, pg_server: DatabaseUrl, make_database: MakeDatabase
) -> None:
    """`ALTER TABLE app_pkey RENAME TO project_pkey`: PostgreSQL's ALTER TABLE renames a
    table's implicit index too. A name no source creates, named like an index of a table the
    sources name (`app`), is no table: no invented `project_pkey` (a dead table) or
    `app_pkey`, and an `index-rename` diagnostic per rename. PostgreSQL runs the statements:
    the renamed objects are indexes, and the only table is `project`."""
    report = scan(make_repo(INDEX_RENAME_REVISIONS))
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.app": "removed", "public.project": "used",
    }
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("index-rename", f"{V}/b2.py", 12), ("index-rename", f"{V}/b2.py", 13),
    ]
    assert report.findings == []
    import psycopg

    url = make_database(
        "CREATE TABLE app (id int PRIMARY KEY, name text UNIQUE);"
        "ALTER TABLE app RENAME TO project;"
        "ALTER TABLE app_pkey RENAME TO project_pkey;"
        "ALTER TABLE app_name_key RENAME TO project_name_key;"
    )
    with psycopg.connect(parse_database_url(url).conninfo, autocommit=True) as conn:
        kinds = dict(conn.execute(
            "SELECT relname, relkind FROM pg_class WHERE relnamespace = 'public'::regnamespace"
        ).fetchall())
    assert kinds == {"project": "r", "project_pkey": "i", "project_name_key": "i"}


RECREATED_AT_RUN_TIME = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    f"{V}/a1.py": revision("a1", None, """
        op.create_table("accounts", sa.Column("id", sa.Integer, primary_key=True))
        op.create_table("ranks", sa.Column("id", sa.Integer))
    """),
    f"{V}/b2.py": revision("b2", "a1", 'op.drop_table("ranks")'),
    "app/__init__.py": "",
    "app/board.py": (
        "def refresh(conn):\n"
        '    conn.execute("CREATE TABLE IF NOT EXISTS ranks AS SELECT id FROM accounts")\n\n\n'
        "def top(conn):\n"
        '    return conn.execute("SELECT id FROM ranks").fetchall()\n'
    ),
}


def test_a_table_a_revision_drops_and_the_code_creates_again_is_runtime_created(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """A revision drops `ranks` (to change what it is built from) and a job creates it again
    at run time: the code's query finds it once that job ran, so no `dropped-table-in-use`
    (which said "no source recreates it") but `runtime-created-table`. Real Alembic
    upgrades a database to head, then the code runs: the query succeeds."""
    import sqlite3

    from alembic import command

    root = make_repo(RECREATED_AT_RUN_TIME)
    report = scan(root)
    assert sorted((f.name, f.table) for f in report.findings) == [
        ("runtime-created-table", "public.ranks")
    ]
    url = tmp_path / "app.db"
    config = alembic_config(root, f"sqlite:///{url}")
    command.upgrade(config, "head")
    with importable(root):
        from app import board  # type: ignore[import-not-found]

        conn = sqlite3.connect(url)
        board.refresh(conn)
        assert board.top(conn) == []
        conn.close()


CATALOG_RUNNER = '''def oracle_columns(cur):
    cur.execute("SELECT owner, table_name, column_name FROM all_tab_cols WHERE owner = :o")
    cur.execute("SELECT 1 FROM dual")


def redshift_columns(cur):
    cur.execute("SELECT schemaname, tablename, columnname FROM svv_columns")
    cur.execute("SELECT * FROM stl_query WHERE userid > 1")


def db2_tables(cur):
    cur.execute("SELECT tabschema, tabname FROM syscat.tables")
    cur.execute("SELECT 1 FROM sysibm.sysdummy1")


def clickhouse_columns(cur):
    cur.execute("SELECT database, table, name FROM system.columns")


def cassandra_columns(cur):
    cur.execute("SELECT keyspace_name, table_name FROM system_schema.columns")


def exasol_columns(cur):
    cur.execute("SELECT column_schema, column_table FROM exa_all_columns")


def own(cur):
    cur.execute("SELECT id FROM data_sources")
'''


def test_other_engines_catalogs_are_system_tables(make_repo: MakeRepo) -> None:
    """A query runner reading the catalogs of the engines it connects to (Oracle's
    `all_tab_cols` and `dual`, Redshift's `svv_`/`stl_` views, DB2's `syscat`/`sysibm`,
    ClickHouse's `system`, Cassandra's `system_schema`, Exasol's `exa_all_*`): the engine's
    own tables, status `system`, never `undefined-table` (redash: 13 such errors). No engine
    here can be asked; the names are the vendors' documented catalogs. The application's own
    table stays undefined."""
    report = scan(make_repo({"app/__init__.py": "", "app/runners.py": CATALOG_RUNNER}))
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.all_tab_cols": "system", "public.dual": "system",
        "public.svv_columns": "system", "public.stl_query": "system",
        "syscat.tables": "system", "sysibm.sysdummy1": "system",
        "system.columns": "system", "system_schema.columns": "system",
        "public.exa_all_columns": "system", "public.data_sources": "undefined",
    }
    assert [(f.name, f.table) for f in report.findings] == [
        ("undefined-table", "public.data_sources")
    ]


REBOUND_QUERY = '''import sqlalchemy as sa


def describe_all(conn):
    query = 'SELECT id, info FROM "apps";'
    rows = conn.execute(sa.text(query)).fetchall()
    for row in rows:
        query = sa.text("""
            UPDATE apps SET info=:info
            WHERE id=:id""")
        conn.execute(query, {"info": "x", "id": row.id})
    return rows
'''


@pytest.mark.parametrize("prefilter", [True, False])
def test_a_query_name_bound_again_in_a_later_loop_counts_each_statement_once(
    make_repo: MakeRepo, prefilter: bool
) -> None:
    """`query = "SELECT ..."; execute(query)`, then in a loop `query = text("UPDATE ...");
    execute(query, ...)`: each statement is a use where it is written, once (each had been
    counted again at its `execute`, the name bound twice leaving unknown which binding
    reached it; the sink's loops decide it). SQLAlchemy runs exactly those two statements."""
    root = make_repo({"app/__init__.py": "", "app/cli.py": REBOUND_QUERY})
    report = scan(root, prefilter=prefilter)
    assert sorted((u.line, u.operation) for t in report.tables for u in t.uses) == [
        (5, "select"), (9, "update"),
    ]
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE apps (id int, info text)"))
        conn.execute(sa.text("INSERT INTO apps VALUES (1, 'a'), (2, 'b')"))
        ran: list[str] = []
        sa.event.listen(engine, "before_cursor_execute", lambda *args: ran.append(args[2]))
        with importable(root):
            from app import cli  # type: ignore[import-not-found]

            assert len(cli.describe_all(conn)) == 2
    assert sorted({" ".join(s.split()).split()[0] for s in ran}) == ["SELECT", "UPDATE"]


LABELLED_BRANCHES = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    "app/__init__.py": "",
    "app/branches.py": 'EXPAND = "expand"\nCONTRACT = "contract"\n',
    f"{V}/a1.py": revision("a1", None, """
        op.create_table("accounts", sa.Column("id", sa.Integer, primary_key=True))
        op.create_table("legacy", sa.Column("id", sa.Integer))
    """),
    f"{V}/e1.py": revision(
        "e1", "a1", 'op.add_column("accounts", sa.Column("email", sa.String(80)))',
        header="from app import branches\nbranch_labels = (branches.EXPAND,)",
    ),
    f"{V}/c1.py": revision(
        "c1", "a1", 'op.drop_table("legacy")',
        header="from app.branches import CONTRACT\nbranch_labels = [CONTRACT]",
    ),
    "app/users.py": 'def emails(conn):\n    return conn.execute("SELECT email FROM accounts")\n',
}


def test_branch_labels_named_by_constants_of_another_module(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """`branch_labels = (cli.EXPAND_BRANCH,)` (neutron's expand / contract branches): the
    labels are the constants' values, so the two heads each end a branch of its own name, no
    `multiple-heads` error. A label no evaluation can read is ignored with a diagnostic, as a
    label that is no literal was before. Real Alembic loads the same labels and upgrades to
    both heads."""
    from alembic import command
    from alembic.script import ScriptDirectory

    root = make_repo(LABELLED_BRANCHES)
    report = scan(root)
    assert [(f.name, f.table) for f in report.findings] == []
    assert diagnostics(report, "alembic-dynamic-identifier") == []
    # the module binding the labels is read whether or not the pre-filter skipped it first
    assert scan(root, prefilter=False).to_json() == report.to_json()
    config = alembic_config(root, f"sqlite:///{tmp_path / 'app.db'}")
    with importable(root):
        script = ScriptDirectory.from_config(config)
        labels = {rev: set(script.get_revision(rev).branch_labels) for rev in script.get_heads()}
        assert labels == {"e1": {"expand"}, "c1": {"contract"}}
        command.upgrade(config, "heads")
    guessed = make_repo({
        **LABELLED_BRANCHES,
        f"{V}/c1.py": revision(
            "c1", "a1", 'op.drop_table("legacy")',
            header="import os\nbranch_labels = (os.environ['LABEL'],)",
        ),
    })
    unread = scan(guessed)
    assert diagnostics(unread, "alembic-dynamic-identifier") == [(f"{V}/c1.py", 5)]
    assert [(f.name, f.table) for f in unread.findings] == [("multiple-heads", None)]


QUERY_BUILDER = '''\
def build(kind, start_at=None):
    q_select = "SELECT key FROM things"
    q_where = "WHERE kind = '%s'" % kind
    if start_at:
        q_where += " AND key >= '%s'" % start_at
    return f"{q_select} {q_where}"


def count(conn, kind, start_at=None):
    q = build(kind, start_at)
    return conn.execute("SELECT COUNT(*) FROM (%s) AS sub" % q).fetchone()[0]
'''


def test_a_subquery_a_builder_function_returns_is_read(make_repo: MakeRepo) -> None:
    """`q = build(kind)` returning `f"{q_select} {q_where}"`, whose WHERE clause is bound in
    branches, then `"SELECT COUNT(*) FROM (%s) AS sub" % q`: the subquery's known text is
    read (its FROM names `things`), only the clause stays a hole. It was a dynamic subquery,
    a `dynamic-table-name` warning that also hedged every dead table. SQLite runs the
    statement on a `things` table."""
    import sqlite3

    root = make_repo({"app/__init__.py": "", "app/jobs.py": QUERY_BUILDER})
    report = scan(root)
    assert dynamic(report) == []
    things = report.table("public.things")
    assert things is not None
    assert [(u.line, u.kind, u.function) for u in things.uses] == [
        (2, "read", "build"), (6, "read", "build"), (11, "read", "count")
    ]
    with importable(root):
        from app import jobs  # type: ignore[import-not-found]

        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE things (key TEXT, kind TEXT)")
        conn.execute("INSERT INTO things VALUES ('a', 'work'), ('b', 'work'), ('c', 'list')")
        assert jobs.count(conn, "work") == 2
        assert jobs.count(conn, "work", start_at="b") == 1
        conn.close()


RECREATED_BY_CREATE_ALL = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    f"{V}/a1.py": revision("a1", None, """
        op.create_table("accounts", sa.Column("id", sa.Integer, primary_key=True))
        op.create_table("tokens", sa.Column("id", sa.Integer, primary_key=True))
    """),
    f"{V}/b2.py": revision("b2", "a1", 'op.drop_table("tokens")'),
    "app/__init__.py": "",
    "app/models.py": (
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class Account(Base):\n"
        '    __tablename__ = "accounts"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n\n\n"
        "class Token(Base):\n"
        '    __tablename__ = "tokens"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
    ),
    "app/startup.py": (
        "import sqlalchemy as sa\n"
        "from alembic import command\n\n"
        "from app.models import Base\n\n\n"
        "def start(config, engine):\n"
        "    if not sa.inspect(engine).get_table_names():\n"
        '        command.stamp(config, "head")  # a fresh database: create_all builds it\n'
        "    else:\n"
        '        command.upgrade(config, "head")\n'
        "    Base.metadata.create_all(engine)\n"
    ),
    "app/tokens.py": (
        "from app.models import Account, Token\n\n\n"
        "def count(session):\n"
        "    return session.query(Token).count() + session.query(Account).count()\n"
    ),
}


def test_a_table_a_revision_drops_and_create_all_builds_again_at_start(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """A revision drops `tokens` on purpose; the application stamps a fresh database or
    upgrades an existing one, then runs `Base.metadata.create_all()` at every start
    (jupyterhub): create_all builds the missing table again, so no `dropped-table-in-use`
    error ("no source recreates it"). Real Alembic and SQLAlchemy run the start on a fresh
    database and on one at the first revision: the query succeeds on both."""
    import sqlalchemy as sa
    from alembic import command
    from sqlalchemy.orm import Session

    root = make_repo(RECREATED_BY_CREATE_ALL)
    report = scan(root)
    assert [(f.name, f.table) for f in report.findings] == []
    assert {t.name: t.status for t in report.tables} == {"accounts": "used", "tokens": "used"}
    with importable(root):
        from app import startup, tokens  # type: ignore[import-not-found]

        for name, first in (("fresh.db", None), ("old.db", "a1")):
            url = f"sqlite:///{tmp_path / name}"
            config = alembic_config(root, url)
            if first is not None:
                command.upgrade(config, first)
            engine = sa.create_engine(url)
            startup.start(config, engine)
            with Session(engine) as session:
                assert tokens.count(session) == 0
            engine.dispose()


FILLED_ELSEWHERE = {
    "pkg/__init__.py": "PENDING = []\n",
    "pkg/queue.py": "import pkg\n\n\ndef load(rows):\n    pkg.PENDING = [r[0] for r in rows]\n",
    "pkg/worker.py": (
        "import pkg\n\n\n"
        "def flush(db):\n"
        "    for job in pkg.PENDING:\n"
        '        db.execute("DELETE FROM jobs WHERE id = ?", [job])\n\n\n'
        "def purge(db):\n"
        "    for name in pkg.PENDING:\n"
        '        db.execute(f"DELETE FROM {name}")\n'
    ),
}


def test_a_loop_over_a_collection_empty_where_it_is_bound_still_runs(
    make_repo: MakeRepo,
) -> None:
    """`PENDING = []` in a package, filled by another module (`pkg.PENDING = [...]`): a loop
    over it runs with elements tabletrace does not know, not never. Its statement is a use
    (it had been dropped as dead code), and a table named by the element is dynamic. Python
    runs the DELETE once the list is filled."""
    import sqlite3
    import sys

    root = make_repo(FILLED_ELSEWHERE)
    report = scan(root)
    assert uses_of(report, "public.jobs") == {("pkg/worker.py", 6, "write")}
    assert [(f.name, f.path, f.line) for f in report.findings] == [
        ("undefined-table", "pkg/worker.py", 6),
        ("dynamic-table-name", "pkg/worker.py", 11),
    ]
    assert "the loop's collection is empty where it is bound" in report.findings[1].message
    sys.path.insert(0, str(root))
    try:
        import pkg.queue
        import pkg.worker

        with sqlite3.connect(":memory:") as conn:
            conn.execute("CREATE TABLE jobs (id int)")
            conn.execute("INSERT INTO jobs VALUES (1)")
            pkg.queue.load([(1,)])
            pkg.worker.flush(conn)
            assert conn.execute("SELECT count(*) FROM jobs").fetchone() == (0,)
    finally:
        sys.path.remove(str(root))
        for name in ("pkg.worker", "pkg.queue", "pkg"):
            sys.modules.pop(name, None)


BRANCH_TABLES = {
    "app/__init__.py": "",
    "app/db.py": (
        "class Store:\n"
        "    def __init__(self, conn):\n        self.conn = conn\n\n"
        "    def mark(self, table_name, key):\n"
        '        self.conn.execute(f"UPDATE {table_name} SET status = 1 WHERE id = ?", [key])\n'
    ),
    "app/mark.py": (
        "from app.db import Store\n\n\n"
        "def mark(conn, key, annual):\n"
        "    store = Store(conn)\n"
        "    if annual:\n"
        '        table = "annuals"\n'
        "    else:\n"
        '        table = "issues"\n'
        "    store.mark(table, key)\n\n\n"
        "def mark_inline(conn, key, annual):\n"
        '    table = "annuals" if annual else "issues"\n'
        "    Store(conn).mark(table, key)\n\n\n"
        "def purge(conn, kind):\n"
        '    if kind == "arc":\n'
        '        target = "storyarcs"\n'
        '    elif kind == "pull":\n'
        '        target = "weekly"\n'
        "    conn.execute(f\"DELETE FROM {target}\")\n"
    ),
}


def test_a_table_name_bound_in_if_else_arms_is_each_of_them(make_repo: MakeRepo) -> None:
    """`if annual: table = "annuals"` / `else: table = "issues"` (or `elif` arms, or `x if c
    else y`), then the name given to a helper or a sink: each arm's table is used there (the
    call had been left out: neither a use nor a dynamic name). Python runs each arm."""
    import sqlite3
    import sys

    root = make_repo(BRANCH_TABLES)
    report = scan(root)
    assert {t.name: sorted({(u.path, u.line, u.kind) for u in t.uses}) for t in report.tables} == {
        "annuals": [("app/mark.py", 10, "write"), ("app/mark.py", 15, "write")],
        "issues": [("app/mark.py", 10, "write"), ("app/mark.py", 15, "write")],
        "storyarcs": [("app/mark.py", 23, "write")],
        "weekly": [("app/mark.py", 23, "write")],
    }
    assert not [f for f in report.findings if f.name == "dynamic-table-name"]
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    sys.path.insert(0, str(root))
    try:
        import app.mark

        with sqlite3.connect(":memory:") as conn:
            for table in ("annuals", "issues", "storyarcs", "weekly"):
                conn.execute(f"CREATE TABLE {table} (id int, status int)")
                conn.execute(f"INSERT INTO {table} VALUES (1, 0)")
            app.mark.mark(conn, 1, True)
            app.mark.mark_inline(conn, 1, False)
            app.mark.purge(conn, "arc")
            app.mark.purge(conn, "pull")
            assert [
                conn.execute(f"SELECT count(*), sum(status) FROM {t}").fetchone()
                for t in ("annuals", "issues", "storyarcs", "weekly")
            ] == [(1, 1), (1, 1), (0, None), (0, None)]
    finally:
        sys.path.remove(str(root))
        for name in ("app.mark", "app.db", "app"):
            sys.modules.pop(name, None)


def test_an_identifier_of_parts_with_alternatives_is_each_name(make_repo: MakeRepo) -> None:
    """`sql.Identifier("popularity", prefix + entity)` with `prefix = "mlhd_" if is_mlhd else
    ""`: one name per combination of the parts' values (it had been "an Identifier() of names
    that are not all known", a dynamic-table-name at each call). psycopg renders each."""
    from psycopg import sql

    root = make_repo({
        "app/__init__.py": "",
        "app/dump.py": (
            "from psycopg import sql\n\n\n"
            "def popularity(cursor, entity, is_mlhd):\n"
            '    prefix = "mlhd_" if is_mlhd else ""\n'
            '    table = sql.Identifier("popularity", prefix + entity)\n'
            '    cursor.execute(sql.SQL("SELECT * FROM {table}").format(table=table))\n\n\n'
            "def dump(cursor):\n"
            "    for is_mlhd in (True, False):\n"
            '        popularity(cursor, "recording", is_mlhd)\n'
        ),
    })
    report = scan(root)
    assert {t.qualified_name: sorted((u.path, u.line) for u in t.uses) for t in report.tables} == {
        "popularity.mlhd_recording": [("app/dump.py", 12)],
        "popularity.recording": [("app/dump.py", 12)],
    }
    assert not [f for f in report.findings if f.name == "dynamic-table-name"]
    rendered = {
        sql.SQL("SELECT * FROM {t}").format(
            t=sql.Identifier("popularity", prefix + "recording")
        ).as_string(None)
        for prefix in ("mlhd_", "")
    }
    assert rendered == {
        'SELECT * FROM "popularity"."mlhd_recording"', 'SELECT * FROM "popularity"."recording"',
    }


APPENDED_QUERY = {
    "app/__init__.py": "",
    "app/q.py": (
        "def children(c, cid=None):\n"
        '    qry = "SELECT p.id FROM parent p"\n'
        "    if cid:\n"
        '        qry += ", child c"\n'
        '    qry += " WHERE 1=1"\n'
        "    if cid:\n"
        '        qry += " AND c.pid = p.id AND c.id = ?"\n'
        "        return c.execute(qry, [cid]).fetchall()\n"
        "    return c.execute(qry).fetchall()\n"
    ),
}


def test_a_query_built_with_plus_equals_is_read_whole(make_repo: MakeRepo) -> None:
    """`qry = "SELECT ... FROM parent p"`, then `if cid: qry += ", child c"` and more `+=`
    pieces, then `c.execute(qry)`: the statement run is the first value with each piece
    appended (a guarded piece or not), so `child` is read there too (it had been missed:
    a table only such a piece names was dead). SQLite runs both shapes."""
    import sqlite3
    import sys

    root = make_repo(APPENDED_QUERY)
    report = scan(root)
    assert {t.name: sorted({(u.line, u.kind) for u in t.uses}) for t in report.tables} == {
        "child": [(8, "read"), (9, "read")],
        "parent": [(2, "read"), (8, "read"), (9, "read")],
    }
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    sys.path.insert(0, str(root))
    try:
        import app.q

        with sqlite3.connect(":memory:") as conn:
            conn.execute("CREATE TABLE parent (id int)")
            conn.execute("CREATE TABLE child (id int, pid int)")
            conn.execute("INSERT INTO parent VALUES (1)")
            conn.execute("INSERT INTO child VALUES (5, 1)")
            assert (app.q.children(conn), app.q.children(conn, 5)) == ([(1,)], [(1,)])
    finally:
        sys.path.remove(str(root))
        for name in ("app.q", "app"):
            sys.modules.pop(name, None)


def test_plus_equals_pieces_in_if_else_arms_are_either(make_repo: MakeRepo) -> None:
    """`qry += " ORDER BY generated "`, then `if reverse: qry += "ASC"` / `else: qry +=
    "DESC"`: the arms are read as one choice or the other, never both (`... ASCDESC` had been
    an unparsable statement, a `sql-unparsed` diagnostic)."""
    root = make_repo({
        "app/__init__.py": "",
        "app/q.py": (
            "def logs(c, reverse):\n"
            '    qry = "SELECT message FROM scan_log WHERE scan_id = ?"\n'
            '    qry += " ORDER BY generated "\n'
            "    if reverse:\n"
            '        qry += "ASC"\n'
            "    else:\n"
            '        qry += "DESC"\n'
            "    c.execute(qry)\n"
        ),
    })
    report = scan(root)
    assert report.diagnostics == []
    assert {(t.name, u.line, u.confidence) for t in report.tables for u in t.uses} == {
        ("scan_log", 2, "high"), ("scan_log", 8, "high"),
    }


GROWN_LIST_DROPS = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    f"{V}/a1.py": revision("a1", None, """
        op.create_table("accounts", sa.Column("id", sa.Integer, primary_key=True))
        op.create_table("tags", sa.Column("id", sa.Integer))
        op.create_table("labels", sa.Column("id", sa.Integer))
        op.create_table("notes", sa.Column("id", sa.Integer))
    """),
    f"{V}/b2.py": revision("b2", "a1", """
        # the tables in reverse order of their creation
        table_names = []
        table_names.append("notes")
        table_names.extend(["labels", "tags"])

        for table_name in table_names:
            op.drop_table(table_name=table_name)
        table_names.append("accounts")
    """),
    "app/__init__.py": "",
    "app/accounts.py": (
        "def ids(conn):\n"
        '    return conn.execute("SELECT id FROM accounts").fetchall()\n'
    ),
}


def test_a_list_grown_by_appends_then_looped_over_is_its_items(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """`table_names = []`, `.append(...)` and `.extend([...])` in straight-line code, then
    `for table_name in table_names: op.drop_table(...)`: the loop runs over what was added
    before it (an append after the loop changes nothing it read). The three drops had not
    been replayed: the tables stayed in the final schema, dead. Real Alembic upgrades a
    database to head and leaves only `accounts`."""
    import sqlite3

    from alembic import command

    root = make_repo(GROWN_LIST_DROPS)
    report = scan(root)
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.accounts": "used", "public.labels": "removed", "public.notes": "removed",
        "public.tags": "removed",
    }
    assert [
        (d.path, d.line, d.operation) for t in report.tables if t.name == "labels"
        for d in t.definitions
    ] == [(f"{V}/a1.py", 13, "create"), (f"{V}/b2.py", 17, "drop")]
    assert report.findings == []
    assert report.diagnostics == []
    url = tmp_path / "app.db"
    command.upgrade(alembic_config(root, f"sqlite:///{url}"), "head")
    with sqlite3.connect(url) as conn:
        tables = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'"
        )}
    assert tables == {"accounts", "alembic_version"}


CONTEXT_MANAGED = {
    "app/__init__.py": "",
    "app/db.py": textwrap.dedent('''\
        import sqlite3
        from contextlib import asynccontextmanager, contextmanager


        def update_query(table_name: str, where: str = "WHERE id = :id") -> str:
            return f"UPDATE {table_name} SET name = :name {where}"


        class Connection:
            def __init__(self, conn: sqlite3.Connection) -> None:
                self.conn = conn

            def update(self, table_name: str, row: dict, where: str = "WHERE id = :id") -> None:
                self.conn.execute(update_query(table_name, where), row)

            def count(self, table_name: str) -> int:
                return self.conn.execute(f"SELECT count(*) FROM {table_name}").fetchone()[0]

            def __enter__(self) -> "Connection":
                return self

            def __exit__(self, *exc: object) -> None:
                self.conn.commit()


        class Database:
            def __init__(self, path: str) -> None:
                self.path = path
                self.raw = sqlite3.connect(path)

            @contextmanager
            def connect(self):
                wrapped = Connection(self.raw)
                yield wrapped
                self.raw.commit()

            @asynccontextmanager
            async def aconnect(self):
                yield Connection(self.raw)

            def update(self, table_name: str, row: dict) -> None:
                with self.connect() as conn:
                    conn.update(table_name, row)

            async def acount(self, table_name: str) -> int:
                async with self.aconnect() as conn:
                    return conn.count(table_name)

            def direct(self, table_name: str) -> int:
                with Connection(self.raw) as conn:
                    return conn.count(table_name)
        '''),
    "app/crud.py": textwrap.dedent('''\
        from app.db import Database


        def rename_account(db: Database, row: dict) -> None:
            db.update("accounts", row)


        async def count_wallets(db: Database) -> int:
            return await db.acount("wallets")


        def count_audits(db: Database) -> int:
            return db.direct("audit_log")
        '''),
    "schema.sql": (
        "CREATE TABLE accounts (id int primary key, name text);\n"
        "CREATE TABLE wallets (id int primary key, name text);\n"
        "CREATE TABLE audit_log (id int primary key, name text);\n"
    ),
}


def test_with_binds_what_a_context_manager_yields_or_enters(make_repo: MakeRepo) -> None:
    """`with self.connect() as conn` where `connect` is a `@contextmanager` (or
    `@asynccontextmanager`) method of the repository yielding a wrapper: `conn` is that
    wrapper, so `conn.update(table_name, ...)` is a call of its helper and each call site
    uses its table; likewise `with Connection(raw) as conn` whose `__enter__` returns self.
    And a helper whose SQL is what another function returns for its parameter
    (`update_query(table_name)`) is a helper of its own: no dynamic name at its definition
    when every call gives the table (the name had been reported as dynamic)."""
    import asyncio

    root = make_repo(CONTEXT_MANAGED)
    report = scan(root)
    assert {t.name: sorted({(u.path, u.line, u.kind) for u in t.uses}) for t in report.tables} == {
        "accounts": [("app/crud.py", 5, "write")],
        "audit_log": [("app/crud.py", 13, "read")],
        "wallets": [("app/crud.py", 9, "read")],
    }
    assert dynamic(report) == []
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    with importable(root):
        import app.crud
        import app.db

        database = app.db.Database(":memory:")
        database.raw.executescript((root / "schema.sql").read_text())
        database.raw.execute("INSERT INTO accounts VALUES (1, 'old')")
        database.raw.execute("INSERT INTO wallets VALUES (1, 'w'), (2, 'x')")
        app.crud.rename_account(database, {"id": 1, "name": "new"})
        assert database.raw.execute("SELECT name FROM accounts").fetchall() == [("new",)]
        assert asyncio.run(app.crud.count_wallets(database)) == 2
        assert app.crud.count_audits(database) == 0


def test_a_query_bound_in_if_else_arms_is_counted_where_written(make_repo: MakeRepo) -> None:
    """`if soft: query = "UPDATE ..."` / `else: query = "DELETE ..."`, then
    `conn.execute(text(query))`: each statement is used where it is written, once, as with a
    single binding; the sink had counted both again at its own line (kinto, synapse). An arm
    that is not a string (`query = build()`) keeps the sink's own reading."""
    root = make_repo({
        "app/__init__.py": "",
        "app/store.py": (
            "import sqlalchemy as sa\n\n\n"
            "def delete(conn, soft):\n"
            "    if soft:\n"
            "        query = \"UPDATE objects SET deleted = TRUE WHERE id = :id\"\n"
            "    else:\n"
            "        query = \"DELETE FROM objects WHERE id = :id\"\n"
            "    return conn.execute(sa.text(query), {\"id\": 1})\n\n\n"
            "def build():\n"
            "    return \"SELECT id FROM archive\"\n\n\n"
            "def count(conn, live):\n"
            "    if live:\n"
            "        query = \"SELECT count(*) FROM objects\"\n"
            "    else:\n"
            "        query = build()\n"
            "    return conn.execute(sa.text(query))\n"
        ),
    })
    report = scan(root)
    assert every_use(report) == [
        ("public.archive", "app/store.py", 13, "read", "select", "high"),
        ("public.archive", "app/store.py", 21, "read", "select", "high"),
        ("public.objects", "app/store.py", 6, "write", "update", "high"),
        ("public.objects", "app/store.py", 8, "write", "delete", "high"),
        ("public.objects", "app/store.py", 18, "read", "select", "high"),
        ("public.objects", "app/store.py", 21, "read", "select", "high"),
    ]
    assert report.model_dump() == scan(root, prefilter=False).model_dump()


def test_a_helper_given_an_unknown_name_is_one_finding_per_call(make_repo: MakeRepo) -> None:
    """A helper running three statements on the table it is given (`CREATE`, `INSERT`,
    `SELECT`), called with names known only at run time: one dynamic name per call, the one
    that may create a table, not one per statement and call (Medusa's provider caches: six
    findings at one call; redash: two per call). A call with a known name still gives each
    statement's use."""
    root = make_repo({
        "app/__init__.py": "",
        "app/cache.py": (
            "import os\n\n\n"
            "def ensure_cache(cur, table, rows):\n"
            '    cur.execute(f"CREATE TABLE IF NOT EXISTS {table} (name text)")\n'
            '    cur.executemany(f"INSERT INTO {table} VALUES (?)", rows)\n'
            '    return cur.execute(f"SELECT name FROM {table}").fetchall()\n\n\n'
            "def per_provider(cur):\n"
            '    return ensure_cache(cur, os.environ["PROVIDER"], [])\n\n\n'
            "def per_query(cur, ids):\n"
            "    for query_id in ids:\n"
            '        ensure_cache(cur, "query_{0}".format(query_id), [])\n\n\n'
            "def known(cur):\n"
            '    return ensure_cache(cur, "lookups", [])\n'
        ),
    })
    report = scan(root)
    assert [
        (f.path, f.line, f.message.split(":")[0]) for f in report.findings
        if f.name == "dynamic-table-name"
    ] == [
        ("app/cache.py", 11, "table name comes from `table`, which cannot be resolved "
         "statically (the table name given to ensure_cache() here"),
        ("app/cache.py", 16, "table name comes from `table`, which cannot be resolved "
         "statically (the table name given to ensure_cache() here"),
    ]
    assert sorted((u.line, u.kind, u.operation) for u in report.tables[0].uses) == [
        (20, "ddl", "create"), (20, "read", "select"), (20, "write", "insert"),
    ]
    assert report.model_dump() == scan(root, prefilter=False).model_dump()


def test_format_fields_reading_an_items_item_or_attribute(make_repo: MakeRepo) -> None:
    """`"SELECT {c[1]} FROM {c[0]}".format(c=cfg)` over a constant tuple of pairs, and
    `"{0[name]}"` of a dict: `str.format` reads the argument's item (or attribute), so the
    table is known (Medusa: two dynamic names). Real sqlite3 runs them on those tables."""
    import sqlite3

    root = make_repo({
        "app/__init__.py": "",
        "app/db.py": (
            "def fix(con):\n"
            '    for cfg in (("blacklist", "show_id"), ("whitelist", "show_id")):\n'
            '        con.execute("SELECT {c[1]} FROM {c[0]}".format(c=cfg))\n'
            '    for item in ({"name": "a_table"},):\n'
            '        con.execute("SELECT * FROM {0[name]}".format(item))\n'
        ),
    })
    report = scan(root)
    assert every_use(report) == [
        ("public.a_table", "app/db.py", 5, "read", "select", "high"),
        ("public.blacklist", "app/db.py", 3, "read", "select", "high"),
        ("public.whitelist", "app/db.py", 3, "read", "select", "high"),
    ]
    assert dynamic(report) == []
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    with importable(root):
        import app.db

        with sqlite3.connect(":memory:") as con:
            for table in ("blacklist", "whitelist", "a_table"):
                con.execute(f"CREATE TABLE {table} (show_id int)")
            app.db.fix(con)
            with pytest.raises(sqlite3.OperationalError, match="no such table: blacklist"):
                con.execute("DROP TABLE blacklist")
                app.db.fix(con)


def test_a_loop_over_a_slice_of_a_constant_tuple(make_repo: MakeRepo) -> None:
    """`for table in NAMES[:-1]` over a constant tuple (datasette's catalog tables): the
    items the slice keeps, each its own use; the slice had made the name dynamic. Real
    sqlite3 runs the same statements."""
    import sqlite3

    root = make_repo({
        "app/__init__.py": "",
        "app/db.py": (
            'NAMES = ("notes", "tags", "scratch")\n\n\n'
            "def count_all(conn):\n"
            "    for table in NAMES[:-1]:\n"
            '        conn.execute("select count(*) from {}".format(table))\n'
            "    for table in NAMES[2:]:\n"
            '        conn.execute(f"delete from {table}")\n'
        ),
    })
    report = scan(root)
    assert every_use(report) == [
        ("public.notes", "app/db.py", 6, "read", "select", "high"),
        ("public.scratch", "app/db.py", 8, "write", "delete", "high"),
        ("public.tags", "app/db.py", 6, "read", "select", "high"),
    ]
    assert dynamic(report) == []
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    with importable(root):
        import app.db

        with sqlite3.connect(":memory:") as con:
            for table in ("notes", "tags", "scratch"):
                con.execute(f"CREATE TABLE {table} (id int)")
            con.execute("INSERT INTO scratch VALUES (1)")
            app.db.count_all(con)
            assert con.execute("SELECT count(*) FROM scratch").fetchone() == (0,)


COLUMNS_ADDED_IN_A_LOOP = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    f"{V}/a1.py": revision("a1", None, """
        op.create_table("shared", sa.Column("id", sa.Integer, primary_key=True))
    """),
    f"{V}/b2.py": revision("b2", "a1", """
        new_columns = [
            sa.Column("tags", sa.JSON(), nullable=True),
            sa.Column("owner", sa.String(20)),
        ]
        with op.batch_alter_table("shared") as batch_op:
            for col in new_columns:
                batch_op.add_column(col)
        for column in EXTRA:
            op.add_column("shared", column)
        existing = {"id"}
        missing = [col for name, col in PAIRS if name not in existing]
        for col in missing:
            op.add_column("shared", col)
    """, header=(
        'EXTRA = (sa.Column("note", sa.Text()),)\n'
        'PAIRS = [("flag", sa.Column("flag", sa.Boolean())), ("id", sa.Column("id", sa.Integer))]'
    )),
    "app/__init__.py": "",
    "app/models.py": (
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class Shared(Base):\n"
        '    __tablename__ = "shared"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
        "    tags = sa.Column(sa.JSON)\n"
        "    owner = sa.Column(sa.String(20))\n"
        "    note = sa.Column(sa.Text)\n"
        "    flag = sa.Column(sa.Boolean)\n\n\n"
        "def notes(session):\n"
        "    return session.query(Shared).all()\n"
    ),
}


def test_columns_a_revision_adds_in_a_loop_over_columns_it_spells_out(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """`for col in new_columns: batch_op.add_column(col)` over a list of `sa.Column(...)`
    the revision writes (or a module constant, or a comprehension picking them from (name,
    column) pairs the table lacks: each a conditional addition): each iteration adds that
    column. They had been columns "tabletrace cannot read", and the model declaring them
    drifted (pgAdmin: a false `model-drift` on five columns). Real Alembic's upgrade adds the
    same columns."""
    import sqlalchemy as sa
    from alembic import command

    root = make_repo(COLUMNS_ADDED_IN_A_LOOP)
    report = scan(root)
    assert report.findings == []
    assert report.diagnostics == []
    (head,) = [s for s in report.table("public.shared").states if s.source_kind == "alembic"]
    assert head.columns == ["id", "tags", "owner", "note", "flag"]
    url = tmp_path / "app.db"
    command.upgrade(alembic_config(root, f"sqlite:///{url}"), "head")
    engine = sa.create_engine(f"sqlite:///{url}")
    assert [c["name"] for c in sa.inspect(engine).get_columns("shared")] == head.columns
    engine.dispose()


def test_a_name_written_twice_in_one_statement_is_one_dynamic_finding(
    make_repo: MakeRepo,
) -> None:
    """`DELETE FROM {t} WHERE id < (SELECT MIN(id) FROM {t})`: one statement, one place to
    look at, one `dynamic-table-name` naming its expressions once (Tautulli had two findings
    for it, the second fingerprinted `#2`). A name read by two statements stays two."""
    report = scan(make_repo({
        "app/__init__.py": "",
        "app/purge.py": (
            "def purge(cur, table, keep):\n"
            '    cur.execute(f"DELETE FROM {table} WHERE id < (SELECT MIN(id) FROM {table})")\n'
            '    cur.execute(f"DELETE FROM {keep} WHERE id < 0")\n'
            '    cur.execute(f"DELETE FROM {table}_copy")\n'
        ),
    }))
    assert [(f.line, f.message.split(",")[0]) for f in report.findings] == [
        (2, "table name comes from `table`"),
        (3, "table name comes from `keep`"),
        (4, "table name comes from `table`"),
    ]


FOREIGN_SCHEMA = {
    "schema.sql": "CREATE TABLE review (id int PRIMARY KEY, body text);\n",
    "app/__init__.py": "",
    "app/mb.py": (
        "import psycopg2\n\n\n"
        "def genres(config):\n"
        '    conn = psycopg2.connect(config["MB_DATABASE_URI"])\n'
        "    with conn.cursor() as cur:\n"
        '        cur.execute("SELECT g.name FROM genre g JOIN musicbrainz.area a ON a.id = g.id")\n'
        '        cur.execute("SELECT * FROM musicbrainz.recording")\n'
        "        return cur.fetchall()\n"
    ),
    "app/reviews.py": (
        "def latest(cur):\n"
        '    cur.execute("SELECT * FROM review JOIN reviewer ON reviewer.id = review.id")\n'
        "    return cur.fetchall()\n"
    ),
}


def test_tables_of_a_schema_no_source_has_a_table_in_are_another_databases(
    make_repo: MakeRepo,
) -> None:
    """`musicbrainz.area` while no migration, `.sql` file, model or runtime DDL has a table
    in schema `musicbrainz` (listenbrainz and critiquebrainz read MusicBrainz's database
    through a second connection): external, with a `foreign-schema` diagnostic at its first
    use, not an undefined table each (64 errors on listenbrainz, 21 on critiquebrainz). The
    unqualified `genre` its statement joins is that database's too; `reviewer`, named
    beside the repository's own `review`, stays undefined."""
    report = scan(make_repo(FOREIGN_SCHEMA))
    assert {t.qualified_name: t.status for t in report.tables} == {
        "musicbrainz.area": "external", "musicbrainz.recording": "external",
        "public.genre": "external", "public.review": "used", "public.reviewer": "undefined",
    }
    assert [(f.name, f.table) for f in report.findings] == [
        ("undefined-table", "public.reviewer")
    ]
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("foreign-schema", "app/mb.py", 7)
    ]
    assert "3 tables: musicbrainz.area, musicbrainz.recording, public.genre" in (
        report.diagnostics[0].message
    )


SCRATCH_TABLES = {
    "schema.sql": "CREATE TABLE notes (id int);\n",
    "app/__init__.py": "",
    "app/merge.py": (
        "def merge(c):\n"
        '    c.execute("CREATE TABLE notes_copy AS SELECT * FROM notes")\n'
        '    c.execute("UPDATE notes_copy SET id = id + 1000")\n'
        '    c.execute("INSERT INTO notes SELECT * FROM notes_copy")\n'
        '    c.execute("DROP TABLE notes_copy")\n\n\n'
        "def stage(c):\n"
        '    c.execute("CREATE TABLE IF NOT EXISTS staging (id int)")\n'
        '    c.execute("INSERT INTO staging VALUES (1)")\n\n\n'
        "def unstage(c):\n"
        '    c.execute("DROP TABLE staging")\n'
    ),
}


def test_a_table_one_function_creates_and_drops_is_its_scratch_table(
    make_repo: MakeRepo,
) -> None:
    """`CREATE TABLE notes_copy AS SELECT ...`, work on it, `DROP TABLE notes_copy`, in one
    function (Tautulli's merge of an imported database): the call's own scratch table, as a
    temporary one is its session's: status `temporary`, no `runtime-created-table` (Tautulli:
    3 false ones). A table one function creates and another drops (`staging`) stays
    runtime-only. sqlite3 runs the functions: `merge` leaves no table behind."""
    import sqlite3

    root = make_repo(SCRATCH_TABLES)
    report = scan(root)
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.notes": "used", "public.notes_copy": "temporary", "public.staging": "runtime-only",
    }
    assert [(f.name, f.table) for f in report.findings] == [
        ("runtime-created-table", "public.staging")
    ]
    with importable(root):
        from app.merge import merge, stage  # type: ignore[import-not-found]

        conn = sqlite3.connect(":memory:")
        conn.execute("CREATE TABLE notes (id int)")
        conn.execute("INSERT INTO notes VALUES (1)")
        merge(conn)
        stage(conn)
        tables = [name for (name,) in conn.execute("SELECT name FROM sqlite_master")]
        conn.close()
    assert tables == ["notes", "staging"]


SPARK_JOBS = {
    "schema.sql": "CREATE TABLE listens (user_id int, recording text);\n",
    "app/__init__.py": "",
    "app/db.py": (
        "import psycopg2\n\n\n"
        "def recent(dsn):\n"
        "    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:\n"
        '        cur.execute("SELECT recording FROM listens")\n'
        "        return cur.fetchall()\n"
    ),
    "jobs/__init__.py": (
        "from pyspark.sql import SparkSession\n\n"
        "session = None\n\n\n"
        "def init(name):\n"
        "    global session\n"
        "    session = SparkSession.builder.appName(name).getOrCreate()\n"
    ),
    "jobs/utils.py": (
        "from pyspark.sql import DataFrame\n\n"
        "import jobs\n\n\n"
        "def run_query(query: str) -> DataFrame:\n"
        "    return jobs.session.sql(query)\n"
    ),
    "jobs/stats.py": (
        "from jobs.utils import run_query\n\n\n"
        "def top(df, table):\n"
        '    df.createOrReplaceTempView("listens")\n'
        '    run_query("SELECT recording, count(*) FROM listens GROUP BY recording")\n'
        '    run_query(f"SELECT * FROM {table}")\n'
        '    return run_query("SELECT * FROM parquet.`/data/listens` JOIN mapping USING (id)")\n'
    ),
}


def test_run_time_names_of_a_spark_package_are_its_sessions(make_repo: MakeRepo) -> None:
    """A package importing PySpark and no database library (listenbrainz's
    `listenbrainz_spark`, its session made in an `__init__.py` the first look skips) runs its
    SQL in Spark: a name known only at run time there is one of the session's views or
    catalog tables, an info, not a warning (114 on listenbrainz); a file read as
    `parquet.`...`` is no table (no undefined `parquet`). The view it registers stays
    temporary there (the table of the same name the application reads is its own: `used`)."""
    report = scan(make_repo(SPARK_JOBS))
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.listens": "used", "public.mapping": "undefined",
    }
    assert uses_of(report, "public.listens") == {
        ("app/db.py", 6, "read"), ("jobs/stats.py", 5, "ddl"), ("jobs/stats.py", 6, "read"),
    }
    assert [(f.name, f.severity, f.path, f.line) for f in report.findings] == [
        ("undefined-table", "error", "jobs/stats.py", 8),
        ("dynamic-table-name", "info", "jobs/stats.py", 7),
    ]
    assert "a name Spark SQL reads comes from `table`" in report.findings[1].message
    assert scan(make_repo(SPARK_JOBS), prefilter=False).to_json() == report.to_json()


ALLOWED_TABLES = {
    "schema.sql": (
        "CREATE TABLE sessions (id int);\nCREATE TABLE session_history (id int);\n"
        "CREATE TABLE themoviedb_lookup (id int);\nCREATE TABLE tvmaze_lookup (id int);\n"
    ),
    "app/__init__.py": "",
    "app/purge.py": (
        'LOOKUPS = ("themoviedb_lookup", "tvmaze_lookup")\n\n\n'
        "def purge(cur, table):\n"
        '    if table in ("sessions", "session_history"):\n'
        '        cur.execute(f"DELETE FROM {table} WHERE id < 0")\n\n\n'
        "def clear(cur, table):\n"
        "    if table not in LOOKUPS:\n"
        "        raise ValueError(table)\n"
        '    cur.execute(f"DELETE FROM {table}")\n'
        "    return cur.rowcount\n\n\n"
        "def unchecked(cur, table):\n"
        '    cur.execute(f"DELETE FROM {table}")\n'
    ),
}


def test_a_table_parameter_checked_against_allowed_names(make_repo: MakeRepo) -> None:
    """`if table in ("sessions", "session_history"):` around the statement, or `if table
    not in LOOKUPS: raise ...` before it (a check against allowed names before building
    SQL; Tautulli): the statement names one of them, each a write there, when no call of
    the function is read (read calls give their own tables, as before). Without a check the
    name stays dynamic. sqlite3 runs them: each allowed table is accepted, another refused."""
    import sqlite3

    root = make_repo(ALLOWED_TABLES)
    report = scan(root)
    assert sorted(
        (u.path, u.line, t.name, u.kind) for t in report.tables for u in t.uses
    ) == [
        ("app/purge.py", 6, "session_history", "write"),
        ("app/purge.py", 6, "sessions", "write"),
        ("app/purge.py", 12, "themoviedb_lookup", "write"),
        ("app/purge.py", 12, "tvmaze_lookup", "write"),
    ]
    assert [(f.name, f.line) for f in report.findings] == [("dynamic-table-name", 17)]
    with importable(root):
        from app.purge import clear, purge  # type: ignore[import-not-found]

        conn = sqlite3.connect(":memory:")
        conn.executescript((root / "schema.sql").read_text())
        cur = conn.cursor()
        for table in ("sessions", "session_history"):
            purge(cur, table)
        assert [clear(cur, table) for table in ("themoviedb_lookup", "tvmaze_lookup")] == [0, 0]
        with pytest.raises(ValueError):
            clear(cur, "sessions")
        conn.close()


CURSOR_COPIES = {
    "schema.sql": (
        "CREATE TABLE review (id int);\nCREATE TABLE vote (id int);\n"
        "CREATE TABLE revision (id int);\n"
    ),
    "app/__init__.py": "",
    "app/dump.py": (
        "def dump(cur, f):\n"
        '    cur.copy_to(f, "review")\n'
        '    cur.copy_to(f, table="vote")\n\n\n'
        "def load(cur, f, table):\n"
        '    cur.copy_from(f, table, columns=("id",))\n\n\n'
        "def restore(cur, f):\n"
        '    load(cur, f, "revision")\n'
        '    load(cur, f, "review")\n'
    ),
}


def test_a_cursors_copy_methods_read_and_write_the_table_they_are_given(
    make_repo: MakeRepo, pg_server: DatabaseUrl, make_database: MakeDatabase
) -> None:
    """psycopg2's `cur.copy_to(f, "review")` is `COPY review TO STDOUT` (a read) and
    `cur.copy_from(f, table)` `COPY table FROM STDIN` (a write), the table also a helper's
    parameter read at its calls (critiquebrainz's dumps: 3 reads and 6 writes missed).
    PostgreSQL, through psycopg2, copies the rows so."""
    import io

    import psycopg2

    root = make_repo(CURSOR_COPIES)
    report = scan(root)
    assert sorted((t.name, u.line, u.kind) for t in report.tables for u in t.uses) == [
        ("review", 2, "read"), ("review", 12, "write"), ("revision", 11, "write"),
        ("vote", 3, "read"),
    ]
    assert report.findings == []
    assert scan(root, prefilter=False).to_json() == report.to_json()
    url = make_database((root / "schema.sql").read_text() + "INSERT INTO review VALUES (7);")
    with importable(root):
        from app.dump import dump, restore  # type: ignore[import-not-found]

        conn = psycopg2.connect(parse_database_url(url).conninfo)
        try:
            cur = conn.cursor()
            out = io.StringIO()
            dump(cur, out)
            assert out.getvalue() == "7\n"
            restore(cur, io.StringIO("8\n"))
            cur.execute("SELECT (SELECT count(*) FROM revision), (SELECT count(*) FROM review)")
            assert cur.fetchone() == (1, 1)
        finally:
            conn.close()
