"""A table name given to a class's constructor: the repository-class idiom.

A base class takes its table when made (`def __init__(self, conn, table): self.table =
table`) and its methods build SQL from `self.table`; each subclass passes its own on
(`super().__init__(conn, "users")`), or the base is made directly (`Repository(conn,
"audit_log")`). tabletrace follows the constructors up the ancestry (`Evaluator.constructed`)
and reads each construction as a call of a helper (`CodeSqlResolver`), so those tables are
used, not dead, and no warning says their names are unknown. sqlite3 runs the same code and
reports, through its authorizer, exactly the tables each statement reads and writes.
"""

from __future__ import annotations

import os
import sqlite3

from analyzer import Report, scan
from analyzer.database.url import parse_database_url
from tests.conftest import MakeRepo, importable
from tests.pg import MakeDatabase, make_database, pg_server

__all__ = ["make_database", "pg_server"]  # fixtures, imported for the test asking PostgreSQL

BASE = """\
import sqlite3


class Repository:
    def __init__(self, conn: sqlite3.Connection, table: str) -> None:
        self.conn = conn
        self.table = table
        self.staging = table + "_staging"

    def count(self) -> int:
        return self.conn.execute(f"SELECT count(*) FROM {self.table}").fetchone()[0]

    def load(self) -> None:
        self.conn.execute(f"INSERT INTO {self.table} (id) SELECT id FROM {self.staging}")

    def clear_staging(self) -> None:
        self.conn.execute(f"DELETE FROM {self.staging}")
"""

FILES = {
    "app/__init__.py": "",
    "app/base.py": BASE,
    "app/names.py": 'USERS_TABLE = "users"\n',
    # a subclass passing a constant of another module (no SQL here: read for the base)
    "app/users.py": (
        "from app.base import Repository\n"
        "from app.names import USERS_TABLE\n\n\n"
        "class UserRepository(Repository):\n"
        "    def __init__(self, conn):\n"
        "        super().__init__(conn, USERS_TABLE)\n"
    ),
    # a class in between passing its own parameter on, and a keyword argument below it
    "app/middle.py": (
        "from app.base import Repository\n\n\n"
        "class CacheRepository(Repository):\n"
        "    def __init__(self, conn, name):\n"
        '        super().__init__(conn, "cache_" + name)\n\n\n'
        "class ArtistCache(CacheRepository):\n"
        "    def __init__(self, conn):\n"
        '        super().__init__(conn, name="artists")\n'
    ),
    # the base made directly, and through a function passing its parameter on
    "app/audit.py": (
        "from app.base import Repository\n\n\n"
        "def open_audit(conn):\n"
        '    return Repository(conn, "audit_log")\n\n\n'
        "def repository_of(conn, table):\n"
        "    return Repository(conn, table)\n\n\n"
        "def events(conn):\n"
        '    return repository_of(conn, "events")\n'
    ),
    "schema.sql": "".join(
        f"CREATE TABLE {name} (id INTEGER PRIMARY KEY);\n"
        for name in (
            "users", "users_staging", "cache_artists", "cache_artists_staging", "audit_log",
            "audit_log_staging", "events", "events_staging", "unused",
        )
    ),
}


def uses(report: Report) -> dict[str, list[tuple[str, int, str, str]]]:
    return {
        t.name: [(u.path, u.line, u.kind, u.confidence) for u in t.uses] for t in report.tables
    }


def test_tables_given_to_constructors_are_used_where_they_are_read_or_given(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(FILES)
    report = scan(root)
    assert uses(report) == {
        # through a subclass's constructor: read where the base's SQL is (line 11: count,
        # 14: load), the staging table where its name is made (line 8)
        "users": [("app/base.py", 11, "read", "high"), ("app/base.py", 14, "write", "high")],
        # (`clear_staging` reads only `self.staging`, read as its value: the constructor's
        # parameter itself)
        "users_staging": [("app/base.py", 8, "read", "high"), ("app/base.py", 8, "write", "high")],
        "cache_artists": [
            ("app/base.py", 11, "read", "high"), ("app/base.py", 14, "write", "high"),
        ],
        "cache_artists_staging": [
            ("app/base.py", 8, "read", "high"), ("app/base.py", 8, "write", "high"),
        ],
        # the base made directly: used where it is made
        "audit_log": [("app/audit.py", 5, "read", "high"), ("app/audit.py", 5, "write", "high")],
        "audit_log_staging": [
            ("app/audit.py", 5, "read", "high"), ("app/audit.py", 5, "write", "high"),
        ],
        "events": [("app/audit.py", 13, "read", "high"), ("app/audit.py", 13, "write", "high")],
        "events_staging": [
            ("app/audit.py", 13, "read", "high"), ("app/audit.py", 13, "write", "high"),
        ],
        "unused": [],
    }
    assert [(f.name, f.table) for f in report.findings] == [("dead-table", "public.unused")]
    (dead,) = report.findings
    assert dead.confidence == "high"
    assert scan(root, prefilter=False).to_json() == report.to_json()
    assert scan(root, jobs=2).to_json() == report.to_json()


def tables_touched(run: object) -> dict[str, set[str]]:
    """What sqlite3's authorizer sees `run(conn)` read and write, by table."""
    touched: dict[str, set[str]] = {"read": set(), "write": set()}

    def authorizer(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table:
            touched["read"].add(table)
        elif action in (sqlite3.SQLITE_INSERT, sqlite3.SQLITE_DELETE, sqlite3.SQLITE_UPDATE):
            touched["write"].add(table or "")
        return sqlite3.SQLITE_OK

    with sqlite3.connect(":memory:") as conn:
        conn.executescript(FILES["schema.sql"])
        conn.set_authorizer(authorizer)
        run(conn)  # type: ignore[operator]
        conn.set_authorizer(None)
    return touched


def test_sqlite_reads_and_writes_exactly_the_tables_reported(make_repo: MakeRepo) -> None:
    root = make_repo(FILES)
    report = scan(root)
    reported = {
        kind: {t.name for t in report.tables for u in t.uses if u.kind == kind}
        for kind in ("read", "write")
    }
    with importable(root):
        from app.audit import events, open_audit  # type: ignore[import-not-found]
        from app.middle import ArtistCache  # type: ignore[import-not-found]
        from app.users import UserRepository  # type: ignore[import-not-found]

        def run(conn: sqlite3.Connection) -> None:
            for repository in (
                UserRepository(conn), ArtistCache(conn), open_audit(conn), events(conn),
            ):
                assert repository.count() == 0
                repository.load()
                repository.clear_staging()

        assert tables_touched(run) == reported
    assert reported == {
        "read": {
            "users", "users_staging", "cache_artists", "cache_artists_staging", "audit_log",
            "audit_log_staging", "events", "events_staging",
        },
        "write": {
            "users", "cache_artists", "audit_log", "events", "users_staging",
            "cache_artists_staging", "audit_log_staging", "events_staging",
        },
    }


def test_a_constructor_followed_no_further_than_it_can_be_read(make_repo: MakeRepo) -> None:
    """Where the table given cannot be known, the base's SQL stays a dynamic name with its
    reason, and nothing is guessed: a subclass choosing between two calls of its base's
    constructor, one whose module binds its own `super`, and a base nobody makes."""
    root = make_repo({
        "app/__init__.py": "",
        "app/base.py": BASE,
        "app/branches.py": (
            "from app.base import Repository\n\n\n"
            "class Either(Repository):\n"
            "    def __init__(self, conn, old):\n"
            "        if old:\n"
            '            super().__init__(conn, "old_users")\n'
            "        else:\n"
            '            super().__init__(conn, "new_users")\n'
        ),
        "app/shadowed.py": (
            "from app.base import Repository\n\n"
            "super = None\n\n\n"
            "class Shadowed(Repository):\n"
            "    def __init__(self, conn):\n"
            '        super().__init__(conn, "shadowed")\n'
        ),
        "schema.sql": "CREATE TABLE old_users (id int);\nCREATE TABLE shadowed (id int);\n",
    })
    report = scan(root)
    assert uses(report) == {"old_users": [], "shadowed": []}
    dynamic = sorted(
        (f.path, f.line, f.confidence) for f in report.findings if f.name == "dynamic-table-name"
    )
    # (line 8 names the table twice: one statement, one finding)
    assert dynamic == [("app/base.py", 8, "high"), ("app/base.py", 11, "high"),
                       ("app/base.py", 14, "high")]
    assert all(
        "is a parameter of Repository.__init__()" in f.message
        for f in report.findings if f.name == "dynamic-table-name"
    )
    dead = [(f.table, f.confidence) for f in report.findings if f.name == "dead-table"]
    assert dead == [("public.old_users", "medium"), ("public.shadowed", "medium")]
    assert scan(root, prefilter=False).to_json() == report.to_json()


SEQUENCES = {
    "app/__init__.py": "",
    "app/ids.py": (
        "class IdGenerator:\n"
        "    def __init__(self, sequence_name):\n"
        "        self._sequence_name = sequence_name\n\n"
        "    def current(self, cur):\n"
        '        cur.execute(f"SELECT last_value FROM {self._sequence_name}")\n'
        "        return cur.fetchone()[0]\n\n\n"
        "class EventIds(IdGenerator):\n"
        "    def __init__(self):\n"
        '        super().__init__("events_stream_seq")\n\n\n'
        "def ticket_ids():\n"
        '    return IdGenerator("ticket_seq")\n\n\n'
        "def count_events(cur):\n"
        '    cur.execute("SELECT count(*) FROM events")\n'
        "    return cur.fetchone()[0]\n"
    ),
    "schema.sql": (
        "CREATE TABLE events (id bigint PRIMARY KEY);\n"
        "CREATE SEQUENCE IF NOT EXISTS events_stream_seq;\n"
        "CREATE SEQUENCE ticket_seq START 10;\n"
    ),
}


def test_a_sequence_read_as_a_relation_is_no_table(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """PostgreSQL reads a sequence as a relation (`SELECT last_value FROM events_stream_seq`);
    a name the repository creates with `CREATE SEQUENCE` is no table, so neither
    `undefined-table` nor a use. PostgreSQL runs the code's queries and says which relation
    is a sequence (`relkind` S) and which a table."""
    import psycopg

    root = make_repo(SEQUENCES)
    report = scan(root)
    assert uses(report) == {"events": [("app/ids.py", 20, "read", "high")]}
    assert report.findings == []
    assert scan(root, prefilter=False).to_json() == report.to_json()
    url = make_database(SEQUENCES["schema.sql"])
    with importable(root), psycopg.connect(parse_database_url(url).conninfo) as conn:
        from app.ids import EventIds, count_events, ticket_ids  # type: ignore[import-not-found]

        cur = conn.cursor()
        assert EventIds().current(cur) == 1
        assert ticket_ids().current(cur) == 10
        assert count_events(cur) == 0
        kinds = dict(conn.execute(
            "SELECT relname, relkind FROM pg_class WHERE relname = ANY(%s)",
            (["events", "events_stream_seq", "ticket_seq"],),
        ).fetchall())
    assert kinds == {"events": "r", "events_stream_seq": "S", "ticket_seq": "S"}


def test_a_staging_table_renamed_to_a_name_known_at_run_time_stays_where_it_was(
    make_repo: MakeRepo,
) -> None:
    """`ALTER TABLE {self.staging} RENAME TO {target}`, the target unknown: the rename moves
    nothing (no table named by a hole, and the staging table is not "renamed away" while code
    still fills it); the new name is the dynamic one."""
    root = make_repo({
        "app/__init__.py": "",
        "app/bulk.py": (
            "class Bulk:\n"
            "    def __init__(self, conn, table):\n"
            "        self.conn = conn\n"
            "        self.staging = table + \"_tmp\"\n\n"
            "    def create(self):\n"
            "        self.conn.execute(f\"CREATE TABLE {self.staging} (id int)\")\n\n"
            "    def fill(self, rows):\n"
            "        self.conn.executemany(f\"INSERT INTO {self.staging} VALUES (?)\", rows)\n\n"
            "    def swap(self, target):\n"
            "        self.conn.execute(f\"ALTER TABLE {self.staging} RENAME TO {target}\")\n\n\n"
            "class Releases(Bulk):\n"
            "    def __init__(self, conn):\n"
            "        super().__init__(conn, \"releases\")\n"
        ),
        "schema.sql": "CREATE TABLE releases (id int);\n",
    })
    report = scan(root)
    assert {t.name: (t.status, [(u.line, u.kind, u.operation) for u in t.uses])
            for t in report.tables} == {
        "releases": ("dead", []),
        "releases_tmp": (
            "runtime-only",
            [(4, "ddl", "create"), (4, "ddl", "rename_from"), (4, "write", "insert")],
        ),
    }
    (renamed,) = [
        d for d in report.table("releases_tmp").definitions  # type: ignore[union-attr]
        if d.operation == "rename_from"
    ]
    assert (renamed.line, renamed.detail) == (4, None)
    # every `Bulk` is a `Releases` (nothing calls `Bulk` itself, and its only subclass makes
    # it through a constructor of its own): its staging name is known wherever it is read;
    # `swap`'s target is its caller's
    assert sorted((f.name, f.line) for f in report.findings) == [
        ("dead-table", 1), ("dynamic-table-name", 13), ("runtime-created-table", 4),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_a_constructor_running_sql_on_what_it_keeps(make_repo: MakeRepo) -> None:
    """SQL in the constructor itself reading `self.name`, which it has just assigned: the
    table is the one each construction gives, created and read at that line."""
    root = make_repo({
        "app/__init__.py": "",
        "app/kv.py": (
            "class Table:\n"
            "    def __init__(self, conn, name):\n"
            "        self.conn = conn\n"
            "        self.name = name\n"
            '        conn.execute(f"CREATE TABLE IF NOT EXISTS {self.name} (k text, v text)")\n\n'
            "    def get(self, k):\n"
            '        return self.conn.execute(f"SELECT v FROM {self.name} WHERE k = ?", (k,))\n\n\n'
            "def open_jobs(conn):\n"
            '    return Table(conn, "jobs")\n'
        ),
    })
    report = scan(root)
    assert {t.name: (t.status, [(u.path, u.line, u.kind, u.operation) for u in t.uses])
            for t in report.tables} == {
        "jobs": ("runtime-only", [
            ("app/kv.py", 12, "ddl", "create"), ("app/kv.py", 12, "read", "select"),
        ]),
    }
    assert [(f.name, f.line) for f in report.findings] == [("runtime-created-table", 12)]
    with importable(root), sqlite3.connect(":memory:") as conn:
        from app.kv import open_jobs  # type: ignore[import-not-found]

        assert open_jobs(conn).get("x").fetchall() == []
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("jobs",)]


TABLES = {
    "app/__init__.py": "",
    "app/table.py": (
        "class Table:\n"
        "    def __init__(self, conn, name):\n"
        "        self.conn = conn\n"
        "        self._name = name\n\n"
        "    def create(self):\n"
        '        self.conn.execute(f"CREATE TABLE IF NOT EXISTS {self._name} (id INTEGER)")\n\n'
        "    def rows(self):\n"
        '        return self.conn.execute(f"SELECT id FROM {self._name}").fetchall()\n'
    ),
    # the only subclasses, each through a constructor of its own (no SQL in this module)
    "app/history.py": (
        "from app.table import Table\n\n\n"
        "class History(Table):\n"
        "    def __init__(self, conn):\n"
        '        super().__init__(conn, "history")\n\n\n'
        "class Bookmarks(Table):\n"
        "    def __init__(self, conn):\n"
        '        super().__init__(conn, "bookmarks")\n'
    ),
}


def test_a_base_made_only_through_its_subclasses_constructors_names_no_unknown_table(
    make_repo: MakeRepo,
) -> None:
    """Nothing calls `Table` itself and each subclass makes it through a constructor of its
    own: every instance is one of theirs, so the base's SQL names their tables and nothing
    else. A subclass inheriting the base's constructor (made by its own name with any
    table), or a call of the base with a parameter of a function nothing calls, may make it
    with any table: then the base's own statements stay dynamic names."""
    root = make_repo(TABLES)
    report = scan(root)
    assert {t.name: (t.status, [(u.line, u.kind) for u in t.uses]) for t in report.tables} == {
        "bookmarks": ("runtime-only", [(7, "ddl"), (10, "read")]),
        "history": ("runtime-only", [(7, "ddl"), (10, "read")]),
    }
    assert sorted((f.name, f.table, f.line) for f in report.findings) == [
        ("runtime-created-table", "public.bookmarks", 7),
        ("runtime-created-table", "public.history", 7),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()
    with importable(root):
        from app.history import Bookmarks, History  # type: ignore[import-not-found]

        touched: set[str] = set()

        def authorizer(action: int, first: str | None, *_: object) -> int:
            if action == sqlite3.SQLITE_CREATE_TABLE or action == sqlite3.SQLITE_READ:
                touched.add(first or "")
            return sqlite3.SQLITE_OK

        with sqlite3.connect(":memory:") as conn:
            conn.set_authorizer(authorizer)
            for table in (History(conn), Bookmarks(conn)):
                table.create()
                assert table.rows() == []
    assert touched - {"sqlite_master"} == {t.name for t in report.tables}

    # a subclass that inherits the constructor, in a module without SQL
    inherits = make_repo({
        **TABLES,
        "app/audit.py": "from app.table import Table\n\n\nclass Audit(Table):\n    pass\n",
    })
    report = scan(inherits)
    assert sorted((f.name, f.line) for f in report.findings if f.name == "dynamic-table-name") == [
        ("dynamic-table-name", 7), ("dynamic-table-name", 10),
    ]
    assert scan(inherits, prefilter=False).to_json() == report.to_json()


def test_a_base_made_by_a_function_nothing_calls_may_have_any_table(
    make_repo: MakeRepo,
) -> None:
    """`Database.table(name)` makes a `Table` with its own parameter, and nothing calls it:
    like a helper function only a never-called function calls, the base's statements are
    dynamic names (`name` unknown), besides the subclasses' tables."""
    root = make_repo({
        **TABLES,
        "app/db.py": (
            "from app.table import Table\n\n\n"
            "class Database:\n"
            "    def table(self, name):\n"
            "        return Table(self, name)\n"
        ),
    })
    report = scan(root)
    dynamic = [f for f in report.findings if f.name == "dynamic-table-name"]
    assert [(f.path, f.line) for f in dynamic] == [("app/table.py", 7), ("app/table.py", 10)]
    assert all("`name` is a parameter of Table.__init__()" in f.message for f in dynamic)
    assert scan(root, prefilter=False).to_json() == report.to_json()


CLAUSES = {
    "app/__init__.py": "",
    "app/tables.py": '''\
import os


class Table:
    def __init__(self, name):
        self.name = name

    def _cascade(self):
        if os.environ.get("KEEP"):
            return ""
        dependants = os.environ.get("DEPENDANTS")
        if dependants:
            return f" CASCADE /* {dependants} */"
        return ""

    def empty(self, cur):
        cur.execute(f"TRUNCATE {self.name}{self._cascade()}")


def empty_events(cur):
    Table("events").empty(cur)


def drop_old(cur, force):
    cascade = f" CASCADE /* {force} */" if force else ""
    cur.execute(f"DROP TABLE IF EXISTS events_old{cascade}")
''',
    "schema.sql": "CREATE TABLE events (id int);\nCREATE TABLE events_old (id int);\n",
}


def test_a_clause_or_nothing_written_right_after_a_table_name_is_not_part_of_it(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """`f"TRUNCATE {self.name}{self._cascade()}"` and `f"DROP TABLE IF EXISTS
    events_old{cascade}"`, where the clause is "" or starts with a space (`" CASCADE ..."`, a
    part of it unknown): whatever it is, it cannot continue the name, so the tables are
    `events` (given to the constructor) and `events_old`, not names known only at run time
    (snuba's `{table_name}{on_cluster}`: 1,050 dynamic-table-name warnings). PostgreSQL
    runs both statements with and without the clause."""
    import psycopg

    root = make_repo(CLAUSES)
    report = scan(root)
    assert uses(report) == {
        "events": [("app/tables.py", 21, "write", "high")],
        "events_old": [("app/tables.py", 26, "ddl", "high")],
    }
    # (only DDL touches events_old: dead, truly; no dynamic-table-name)
    assert [(f.name, f.table) for f in report.findings] == [("dead-table", "public.events_old")]
    assert scan(root, prefilter=False).to_json() == report.to_json()
    url = make_database(CLAUSES["schema.sql"])
    with importable(root), psycopg.connect(parse_database_url(url).conninfo) as conn:
        from app.tables import Table, drop_old, empty_events  # type: ignore[import-not-found]

        cur = conn.cursor()
        empty_events(cur)
        os.environ["DEPENDANTS"] = "reports"
        try:
            Table("events").empty(cur)
        finally:
            del os.environ["DEPENDANTS"]
        drop_old(cur, "")
        cur.execute("CREATE TABLE events_old (id int)")
        drop_old(cur, "reports")
        left = [row[0] for row in conn.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE 'events%' AND relkind = 'r'"
        )]
    assert left == ["events"]
