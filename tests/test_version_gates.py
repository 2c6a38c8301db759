"""Upgrades written as version checks in one function (`if version < 2: ...`) are an ordered
migration source, and the `.sql` baseline beside them, which they upgrade, runs first.

The fixtures are this test's own code: SQLite runs them to say what a real database holds.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import libcst as cst

from analyzer import Report, scan
from analyzer.python.gates import _version_check
from tests.conftest import MakeRepo, uses_of

UPGRADE = '''\
import os


class Store:
    def __init__(self, conn):
        self.conn = conn

    def version(self):
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def set_version(self, number):
        self.conn.execute("PRAGMA user_version = %d" % number)

    def prepare(self):
        if self.version() == 0:
            self.load_baseline()
        self.upgrade()

    def load_baseline(self):
        folder = os.path.dirname(__file__)
        for name in sorted(os.listdir(folder)):
            if name.endswith(".sql"):
                with open(os.path.join(folder, name)) as handle:
                    self.conn.executescript(handle.read())

    def upgrade(self):
        current = self.version()
        if current < 1:
            self.conn.execute("ALTER TABLE items RENAME TO old_items")
            self.conn.execute("CREATE TABLE items (id integer primary key, label text)")
            self.conn.execute("INSERT INTO items (label) SELECT label FROM old_items")
            self.conn.execute("DROP TABLE old_items")
            self.set_version(1)
        if current < 2:
            self.conn.execute("ALTER TABLE items ADD COLUMN archived integer")
            self.conn.execute("CREATE TABLE tags (item_id integer, tag text)")
            self.set_version(2)
        if 3 > current:
            self.conn.execute("CREATE INDEX tags_by_item ON tags (item_id)")
            self.set_version(3)
'''
BASELINE = "CREATE TABLE items (label text NOT NULL);\n"
OTHER_BASELINE = "CREATE TABLE notes (body text);\n"
CODE = '''\
def archived(conn):
    return conn.execute("SELECT label FROM items JOIN tags ON tags.item_id = items.id "
                        "WHERE archived = 1").fetchall()


def note(conn, body):
    conn.execute("INSERT INTO notes (body) VALUES (?)", (body,))
'''


def _repo(make_repo: MakeRepo) -> Path:
    return make_repo(
        {
            "store/__init__.py": "",
            "store/db.py": UPGRADE,
            "store/items.sql": BASELINE,
            "store/notes.sql": OTHER_BASELINE,
            "app/__init__.py": "",
            "app/queries.py": CODE,
        }
    )


def _tables(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Each table of a SQLite database with its columns (SQLite's own tables left out)."""
    names = [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )]
    return {name: [row[1] for row in conn.execute(f"PRAGMA table_info({name})")]
            for name in names}


def _built_by(root: Path, code: str) -> dict[str, list[str]]:
    """Run `code`, the fixture's own runner, in a new interpreter with `root` importable and
    `path` the database file it builds, then list the tables SQLite holds there."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "built.db")
        script = f"import sys\nsys.path.insert(0, {str(root)!r})\npath = {path!r}\n{code}"
        subprocess.run([sys.executable, "-c", script], check=True)
        conn = sqlite3.connect(path)
        try:
            return _tables(conn)
        finally:
            conn.close()


def _columns(report: Report) -> dict[str, list[str] | None]:
    return {
        t.name: next((s.columns for s in t.states if s.source.startswith("migration-module")),
                     None)
        for t in report.tables
        if "migration-module" in t.present_in
    }


def test_version_checks_are_an_ordered_source_continuing_the_baseline_beside_them(
    make_repo: MakeRepo,
) -> None:
    root = _repo(make_repo)
    report = scan(root)
    upgrade = "migration-module:store/db.py:Store.upgrade"
    assert sorted(s.id for s in report.sources) == [upgrade, "sql:store/notes.sql"]
    [source] = [s for s in report.sources if s.id == upgrade]
    # the baseline it upgrades is its first step; notes.sql, which it does not need, stays apart
    assert source.files == ["store/items.sql", "store/db.py"]
    real = _built_by(root, (
        "import sqlite3\nfrom store.db import Store\n"
        "conn = sqlite3.connect(path)\nStore(conn).prepare()\nconn.commit()"
    ))
    assert real == {
        "items": ["id", "label", "archived"],
        "notes": ["body"],
        "tags": ["item_id", "tag"],
    }
    assert _columns(report) == {"items": real["items"], "tags": real["tags"]}
    items = report.table("public.items")
    assert items is not None
    step1, step2 = "Store.upgrade: current < 1", "Store.upgrade: current < 2"
    assert [(d.path, d.line, d.operation, d.revision) for d in items.definitions] == [
        ("store/db.py", 29, "rename_from", step1),
        ("store/db.py", 30, "create", step1),
        ("store/db.py", 31, "data", step1),
        ("store/db.py", 35, "alter", step2),
        ("store/items.sql", 1, "create", None),
    ]
    # no rival owners, no runtime DDL, no step failing for want of the baseline's table
    assert [(f.name, f.table) for f in report.findings] == []
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("migration-baseline", "store/db.py", 29)
    ]
    assert {t.name: t.status for t in report.tables} == {
        "items": "used", "notes": "used", "old_items": "removed", "tags": "used",
    }
    # the upgrade's statements are migration SQL, not uses
    assert uses_of(report, "public.items") == {("app/queries.py", 2, "read")}
    assert uses_of(report, "public.old_items") == set()


def test_one_version_check_around_ddl_is_no_upgrade(make_repo: MakeRepo) -> None:
    """A single `if n < 2:` block creating a table is a condition of application code: the
    DDL stays runtime DDL."""
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/boot.py": (
                "def boot(conn, level):\n"
                "    if level < 2:\n"
                "        conn.execute('CREATE TABLE IF NOT EXISTS cache (k text)')\n"
                "    if level < 3:\n"
                "        conn.execute('SELECT k FROM cache')\n"
            ),
        }
    )
    report = scan(root)
    assert [s.id for s in report.sources] == ["runtime:app/boot.py"]
    assert [(f.name, f.table, f.line) for f in report.findings] == [
        ("runtime-created-table", "public.cache", 3)
    ]
    assert uses_of(report, "public.cache") == {
        ("app/boot.py", 3, "ddl"), ("app/boot.py", 5, "read")
    }


def test_upgrade_without_baseline_creates_its_own_tables(make_repo: MakeRepo) -> None:
    """Checks that build every table themselves need no baseline, and a `.sql` file that
    creates another table beside them stays its own source."""
    root = make_repo(
        {
            "db/__init__.py": "",
            "db/schema.py": (
                "def migrate(cur, version):\n"
                "    if version <= 0:\n"
                "        cur.execute('CREATE TABLE users (id int)')\n"
                "    if version <= 1:\n"
                "        cur.execute('ALTER TABLE users ADD COLUMN email text')\n"
            ),
            "db/extra.sql": "CREATE TABLE audit (at text);\n",
            "app.py": "def f(cur):\n    cur.execute('SELECT email FROM users, audit')\n",
        }
    )
    report = scan(root)
    assert sorted(s.id for s in report.sources) == [
        "migration-module:db/schema.py:migrate", "sql:db/extra.sql",
    ]
    assert _columns(report) == {"users": ["id", "email"]}
    assert [f.name for f in report.findings] == []
    assert [d.code for d in report.diagnostics] == []


def test_version_check_shapes() -> None:
    def check(source: str) -> tuple[str, int] | None:
        found = _version_check(cst.parse_expression(source))
        return None if found is None else (cst.Module([]).code_for_node(found[0]), found[1])

    assert check("version < 3") == ("version", 3)
    assert check("self.version <= 2") == ("self.version", 3)
    assert check("3 > get_version()") == ("get_version()", 3)
    assert check("2 >= meta['v']") == ("meta['v']", 3)
    assert check("version < 0x10") == ("version", 16)
    assert check("version == 3") is None
    assert check("version < limit") is None
    assert check("0 < version < 3") is None
    assert check("'a' < version") is None


OWN_BASELINE = '''\
import sqlite3


class History:
    def __init__(self, path, fresh):
        self.conn = sqlite3.connect(path)
        if fresh:
            self.create()
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version < 1:
            self.conn.execute("PRAGMA user_version = 1")
            self.conn.execute("ALTER TABLE history ADD COLUMN series TEXT")
        if version < 2:
            self.conn.execute("PRAGMA user_version = 2")
            self.conn.execute("CREATE INDEX history_series ON history (series)")
            self.conn.execute("ALTER TABLE history ADD COLUMN archived INTEGER")

    def create(self):
        self.conn.execute("CREATE TABLE history (id INTEGER PRIMARY KEY, name TEXT)")
        self.conn.execute("CREATE TABLE IF NOT EXISTS scratch (k TEXT)")

    def names(self):
        return self.conn.execute("SELECT name, series FROM history WHERE archived = 0")
'''


def test_version_checks_continue_from_the_modules_own_create(make_repo: MakeRepo) -> None:
    """The module creates the table itself on a fresh file (`if fresh: self.create()`), then
    upgrades it by version (sabnzbd's history database): the CREATE is the upgrade's first
    step, not runtime DDL beside a migration whose first step fails. Its other runtime DDL
    (`scratch`) stays runtime DDL. SQLite builds the same columns."""
    root = make_repo({"app/__init__.py": "", "app/history.py": OWN_BASELINE})
    report = scan(root)
    upgrade = "migration-module:app/history.py:History.__init__"
    assert sorted(s.id for s in report.sources) == [upgrade, "runtime:app/history.py"]
    real = _built_by(root, "from app.history import History\nHistory(path, True)")["history"]
    assert real == ["id", "name", "series", "archived"]
    assert _columns(report) == {"history": real}
    # (nothing uses `scratch`: dead too)
    assert sorted((f.name, f.table) for f in report.findings) == [
        ("dead-table", "public.scratch"), ("runtime-created-table", "public.scratch")
    ]
    assert [(d.code, d.line) for d in report.diagnostics] == [("migration-baseline", 12)]
    assert uses_of(report, "public.history") == {
        ("app/history.py", 19, "ddl"), ("app/history.py", 23, "read")
    }


DISPATCHED = '''\
import sqlite3


class Upgrader:
    def upgrade(self, conn):
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        for number in range(version, 3):
            step = getattr(self, "upgrade_%03d" % (number + 1))
            step(conn)
            conn.execute("PRAGMA user_version = %d" % (number + 1))

    def upgrade_002(self, conn):
        conn.execute("ALTER TABLE notes ADD COLUMN tags TEXT")

    def upgrade_001(self, conn):
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")

    def upgrade_003(self, conn):
        conn.execute("CREATE TABLE seq (name TEXT, value INTEGER)")
        conn.execute("SELECT body FROM notes")

    def schema(self, conn):
        return conn.execute("SELECT name FROM sqlite_master").fetchall()


def run(path):
    conn = sqlite3.connect(path)
    Upgrader().upgrade(conn)
    return conn
'''


def test_numbered_methods_a_class_runs_by_computed_name(make_repo: MakeRepo) -> None:
    """`getattr(self, "upgrade_%03d" % n)(conn)` in a loop over versions, and methods
    `upgrade_001`... (openlibrary's `Upgrader`): one ordered source, the methods by number
    whatever their order in the file; their SQL is the migration's (no runtime DDL, no use),
    the class's other methods' SQL stays the application's. SQLite builds the same schema."""
    root = make_repo({"app/__init__.py": "", "app/upgrade.py": DISPATCHED})
    report = scan(root)
    assert [s.id for s in report.sources] == ["migration-module:app/upgrade.py:Upgrader"]
    # (no application code reads either table: the SELECT in upgrade_003 is the migration's)
    assert [(f.name, f.table) for f in report.findings] == [
        ("dead-table", "public.notes"), ("dead-table", "public.seq")
    ]
    real = _built_by(root, "from app.upgrade import run\nrun(path)")
    assert real == {"notes": ["id", "body", "tags"], "seq": ["name", "value"]}
    assert _columns(report) == real
    assert uses_of(report, "public.notes") == set()


FRESH_SCHEMA = """\
CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT, archived INTEGER);
CREATE TABLE tags (item_id INTEGER, tag TEXT);
"""
OLD_DATABASE_UPGRADER = '''\
class Upgrader:
    def upgrade(self, conn, version):
        for number in range(version, 3):
            step = getattr(self, f"upgrade_{number + 1}")
            step(conn)

    def upgrade_2(self, conn):
        conn.execute("ALTER TABLE items ADD COLUMN archived INTEGER")

    def upgrade_3(self, conn):
        conn.execute("CREATE TABLE tags (item_id INTEGER, tag TEXT)")
'''


def test_an_upgrader_and_the_script_that_builds_the_schema_fresh(make_repo: MakeRepo) -> None:
    """`schema/full.sql` builds the latest schema fresh; `scripts/upgrade.py` brings an older
    database (built by an older version of that script) to it, step by step (openlibrary's
    `infobase_schema.sql` and `scripts/migrate_db.py`): two ways to one schema, neither a
    rival owner of `tags`, and the upgrader's first step does not fail for want of `items`.
    SQLite: the fresh script and the upgrade of an old database give the same tables."""
    root = make_repo({
        "schema/full.sql": FRESH_SCHEMA,
        "scripts/__init__.py": "",
        "scripts/upgrade.py": OLD_DATABASE_UPGRADER,
        "app.py": "def f(c):\n    return c.execute('SELECT label, tag FROM items, tags "
                  "WHERE archived = 0')\n",
    })
    report = scan(root)
    assert [(f.name, f.table) for f in report.findings] == []
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("migration-baseline", "scripts/upgrade.py", 8)
    ]
    fresh = sqlite3.connect(":memory:")
    fresh.executescript(FRESH_SCHEMA)
    old = sqlite3.connect(":memory:")
    old.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT)")
    namespace: dict[str, object] = {}
    exec(OLD_DATABASE_UPGRADER, namespace)  # this test's own fixture code
    namespace["Upgrader"]().upgrade(old, 1)  # type: ignore[operator]
    assert _tables(old) == _tables(fresh) == {
        "items": ["id", "label", "archived"], "tags": ["item_id", "tag"]
    }
    states = {
        t.name: sorted((s.source, s.columns) for s in t.states) for t in report.tables
    }
    upgrade = "migration-module:scripts/upgrade.py:Upgrader"
    assert states == {
        "items": [(upgrade, ["id", "label", "archived"]),
                  ("sql:schema/full.sql", ["id", "label", "archived"])],
        "tags": [(upgrade, ["item_id", "tag"]), ("sql:schema/full.sql", ["item_id", "tag"])],
    }


PROBED = '''\
import sqlite3


def dbcheck(path):
    conn = sqlite3.connect(path)
    c = conn.cursor()
    c.execute("CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT)")
    c.execute("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT)")
    try:
        c.execute("SELECT email FROM users")
    except sqlite3.OperationalError:
        c.execute("ALTER TABLE users ADD COLUMN email TEXT")
    try:
        c.execute("SELECT user_id FROM notes")
    except sqlite3.OperationalError:
        c.execute("ALTER TABLE notes ADD COLUMN user_id INTEGER")
    conn.commit()
    return conn


def emails(conn):
    return conn.execute("SELECT email, name FROM users").fetchall()


def archive(conn):
    try:
        conn.execute("SELECT 1 FROM archive")
    except sqlite3.OperationalError:
        conn.execute("CREATE TABLE archive (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO archive SELECT id, body FROM notes")
'''


def test_upgrades_written_as_probes_are_an_ordered_source(make_repo: MakeRepo) -> None:
    """A startup function creating its tables `IF NOT EXISTS`, then upgrading them by probes
    (`try: SELECT email FROM users` / `except OperationalError: ALTER TABLE users ADD COLUMN
    email`), two or more of them (Tautulli's `dbcheck()`): one ordered migration source, its
    statements neither uses nor runtime DDL, each probe's handler a conditional step
    (Tautulli: 22 false runtime-created-table). One probe around DDL (`cleanup`) stays the
    application's (`archive`). SQLite runs the fixture's function: the columns are those
    replayed."""
    root = make_repo({"store/__init__.py": "", "store/db.py": PROBED})
    report = scan(root)
    real = _built_by(root, "from store.db import dbcheck\ndbcheck(path).close()")
    assert real == {"notes": ["id", "body", "user_id"], "users": ["id", "name", "email"]}
    assert _columns(report) == real
    assert [s.id for s in report.sources] == [
        "migration-module:store/db.py:dbcheck", "runtime:store/db.py"
    ]
    users = report.table("public.users")
    assert users is not None
    assert [(d.line, d.operation, d.conditional, d.revision) for d in users.definitions] == [
        (7, "create", False, "dbcheck"),
        (12, "alter", True, "dbcheck: unless line 9's probe"),
    ]
    assert uses_of(report, "public.users") == {("store/db.py", 22, "read")}
    assert uses_of(report, "public.notes") == {("store/db.py", 30, "read")}
    assert uses_of(report, "public.archive") == {
        ("store/db.py", 27, "read"), ("store/db.py", 29, "ddl"), ("store/db.py", 30, "write"),
    }
    assert [(f.name, f.table, f.line) for f in report.findings] == [
        ("runtime-created-table", "public.archive", 29)
    ]
