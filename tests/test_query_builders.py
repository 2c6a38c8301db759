"""A query builder class: the tables given to its constructor as a list, joined into a
`%`-format of its locals in `__str__`, and run with `cur.execute(str(self))`.

The idioms (each its own commit): a list of literal names given to a helper; `query %
locals()`; a local format string filled at the sink (`cur.execute(query % table)`); a format
opened into its known text and its unknown fields; `sorted()` of a known list; a helper's
`return` under an `if` whose test the call decides (`if not self.joins: return ""`); and
`str(obj)` read as the text its `__str__` returns. SQLite itself, running the builder, names
the tables each statement reads (its authorizer)."""

from __future__ import annotations

import importlib
import os
import sqlite3
from pathlib import Path

from analyzer import scan
from tests.conftest import MakeRepo, importable, uses_of

BUILDER = '''\
class Select:
    """SELECT columns FROM tables [JOIN ...] [WHERE ...], built from lists."""

    def __init__(self, tables, columns, joins=None, clauses=None):
        self.tables = tables
        self.columns = columns
        self.joins = joins
        self.clauses = clauses

    def _seqtostr(self, seq, sep=", ", sort=False):
        if seq:
            if sort:
                seq = sorted(seq)
            return sep.join(seq)
        else:
            return ""

    def _joinstr(self):
        if not self.joins:
            return ""
        result = ""
        for join in self.joins:
            result += "JOIN " + join + " "
        return result

    def __str__(self):
        query = "SELECT %(col_str)s FROM %(table_str)s %(join_str)s %(clause_str)s"
        col_str = self._seqtostr(self.columns)
        table_str = self._seqtostr(self.tables, sort=True)
        join_str = self._joinstr()
        clause_str = self._seqtostr(self.clauses, sep=" AND ")
        if clause_str:
            clause_str = "WHERE " + clause_str
        query = query % locals()
        return query

    def execute(self, cur):
        cur.execute(str(self))
        return cur.fetchall()


def count_rows(cur, table):
    query = "SELECT count(*) FROM %s"
    cur.execute(query % table)
    return cur.fetchone()[0]
'''

REPORTS = '''\
from app.db import Select, count_rows


def builds(cur):
    return Select(tables=["package", "build"], columns=["build.id"]).execute(cur)


def tags(cur):
    return Select(["tag"], ["id"], clauses=["id > 0"]).execute(cur)


def inheritance(cur):
    return Select(["tag_inheritance"], ["name"], joins=["tag ON parent_id = tag.id"]).execute(cur)


def archives(cur):
    return count_rows(cur, "archive")
'''

SCHEMA = """CREATE TABLE package (id int PRIMARY KEY);
CREATE TABLE build (id int PRIMARY KEY, package_id int REFERENCES package (id));
CREATE TABLE tag (id int PRIMARY KEY, name text);
CREATE TABLE tag_inheritance (parent_id int REFERENCES tag (id));
CREATE TABLE archive (id int PRIMARY KEY);
"""

FILES: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/db.py": BUILDER,
    "app/reports.py": REPORTS,
    "schema/schema.sql": SCHEMA,
}


def test_a_query_builders_tables_are_read_at_each_call(make_repo: MakeRepo) -> None:
    """Each call of the builder reads the tables it was given, at the call's line; the
    format's fields nobody knows (a join built in a loop) are left out, not taken for an
    unknown table, and no dead-table is claimed of a table only the builder reads."""
    report = scan(make_repo(FILES))
    assert uses_of(report, "public.build") == {("app/reports.py", 5, "read")}
    assert uses_of(report, "public.package") == {("app/reports.py", 5, "read")}
    assert uses_of(report, "public.tag") == {("app/reports.py", 9, "read")}
    assert uses_of(report, "public.tag_inheritance") == {("app/reports.py", 13, "read")}
    assert uses_of(report, "public.archive") == {("app/reports.py", 17, "read")}
    assert [(f.name, f.table) for f in report.findings] == []


def test_sqlite_reads_the_same_tables(make_repo: MakeRepo, tmp_path: Path) -> None:
    """SQLite runs each function of the sample; its authorizer names the tables each
    statement reads (the join's `tag` too, which the scan leaves out)."""
    root = make_repo(FILES)
    read: list[str] = []

    def authorizer(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table is not None and table not in read:
            read.append(table)
        return sqlite3.SQLITE_OK

    with importable(root), sqlite3.connect(":memory:") as conn:
        conn.executescript(SCHEMA)
        reports = importlib.import_module("app.reports")
        cur = conn.cursor()
        conn.set_authorizer(authorizer)
        tables_read = {}
        for function in ("builds", "tags", "inheritance", "archives"):
            read.clear()
            getattr(reports, function)(cur)
            tables_read[function] = sorted(read)
    assert tables_read == {
        "builds": ["build", "package"],
        "tags": ["tag"],
        "inheritance": ["tag", "tag_inheritance"],
        "archives": ["archive"],
    }


QUOTING: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/store.py": (
        "def quote(identifier):\n"
        "    return \"`%s`\" % identifier.replace(\"`\", \"``\")\n\n\n"
        "def drop(cur, table):\n"
        '    cur.execute("DROP TABLE IF EXISTS " + quote(table))\n\n\n'
        "def reset(cur):\n"
        '    drop(cur, "archive")\n'
    ),
    "schema.sql": "CREATE TABLE archive (id int);\n",
}


def test_a_format_that_only_quotes_its_value_is_not_opened(make_repo: MakeRepo) -> None:
    """`quote(table)` returning "`%s`" % name: in the helper, where the name is unknown, the
    quoted value stays one unknown (a quote around an unknown name is no statement any
    parser reads); at the call the name is known, and the drop is of `archive`. SQLite runs
    the statement the call makes."""
    root = make_repo(QUOTING)
    report = scan(root)
    assert uses_of(report, "public.archive") == {("app/store.py", 10, "ddl")}
    assert [d.code for d in report.diagnostics] == []
    with importable(root), sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE archive (id int)")
        importlib.import_module("app.store").reset(conn.cursor())
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == []


NUMBERED = '''\
GRANULARITIES = [8, 8 ** 2, 8 ** 3]
VERSION = 3
HOUR = 60 * 60
MONTH = 7


def counts(cur):
    for g in GRANULARITIES:
        cur.execute(f"SELECT count(*) FROM downsampled_{g}")


def latest(cur):
    cur.execute(f"SELECT * FROM spans_{VERSION + 1}")
    cur.execute("SELECT * FROM rollup_{}".format(HOUR))
    cur.execute("SELECT * FROM rollup_%d_old" % (HOUR // 60))


def olders(cur):
    for version in reversed([1, 2]):
        cur.execute(f"SELECT * FROM spans_{version}")


def padded(cur):
    cur.execute(f"SELECT * FROM events_{MONTH:02d}")
'''


def test_numbers_written_into_a_name_are_their_decimal_text(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """Known integers computed (`8 ** 2`, `VERSION + 1`, `60 * 60`, `HOUR // 60`) and written
    as `str()` writes them (`{g}`, `"{}".format`, `%d`), over a loop on a list or on
    `reversed()` of one: each name is known (snuba's downsampled tables had never appeared).
    A format spec (`{MONTH:02d}`) writes another text: that name stays unknown. SQLite, running
    the functions, reads exactly the tables named."""
    root = make_repo({"app/__init__.py": "", "app/stats.py": NUMBERED})
    report = scan(root)
    assert {t.name: sorted(u.line for u in t.uses) for t in report.tables} == {
        "downsampled_8": [9], "downsampled_64": [9], "downsampled_512": [9],
        "spans_4": [13], "rollup_3600": [14], "rollup_60_old": [15],
        "spans_1": [20], "spans_2": [20],
    }
    assert [(f.name, f.line) for f in report.findings if f.name == "dynamic-table-name"] == [
        ("dynamic-table-name", 24),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()
    read: list[str] = []

    def authorizer(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table is not None and table not in read:
            read.append(table)
        return sqlite3.SQLITE_OK

    names = [t.name for t in report.tables] + ["events_07"]
    with importable(root), sqlite3.connect(":memory:") as conn:
        conn.executescript("".join(f"CREATE TABLE {name} (id int);\n" for name in names))
        stats = importlib.import_module("app.stats")
        conn.set_authorizer(authorizer)
        for function in ("counts", "latest", "olders", "padded"):
            getattr(stats, function)(conn.cursor())
    assert read == [
        "downsampled_8", "downsampled_64", "downsampled_512", "spans_4", "rollup_3600",
        "rollup_60_old", "spans_2", "spans_1", "events_07",
    ]


JINJA_SQL = '''\
from jinja2 import Template

LATEST = """
WITH recent AS (SELECT id, kind FROM events),
{% for kind in kinds %}"{{ kind }}__latest" AS (
    SELECT id FROM recent WHERE kind = '{{ kind }}'
){% if not loop.last %}, {% endif %}{% endfor %}
SELECT id FROM "{{ kinds[0] }}__latest"
"""


def latest(cur, kinds):
    return cur.execute(Template(LATEST).render(kinds=kinds)).fetchall()
'''


def test_names_written_as_jinja_expressions_are_known_when_rendered(
    make_repo: MakeRepo,
) -> None:
    """SQL written as a Jinja template (`"{{ kind }}__latest"`, CTEs made in a `{% for %}`):
    a name holding a Jinja expression is known only when the template is rendered, a
    dynamic name (a warning naming the expression), never a table the repository lacks
    (feast's five undefined-table errors); the template's real table, `events`, is read.
    Jinja renders the template and SQLite runs it, reading `events` only."""
    import jinja2

    root = make_repo({"app/__init__.py": "", "app/q.py": JINJA_SQL,
                      "schema.sql": "CREATE TABLE events (id int, kind text);\n"})
    report = scan(root)
    assert [(t.name, [u.kind for u in t.uses]) for t in report.tables] == [("events", ["read"])]
    assert sorted({(f.name, f.severity) for f in report.findings}) == [
        ("dynamic-table-name", "warning"),
    ]
    assert all("{{ kind" in f.message for f in report.findings)
    sql = jinja2.Template(
        JINJA_SQL.split('LATEST = """', 1)[1].split('"""', 1)[0]
    ).render(kinds=["a", "b"])
    read: list[str] = []

    def authorizer(action: int, table: str | None, *_: object) -> int:
        if action == sqlite3.SQLITE_READ and table is not None and table not in read:
            read.append(table)
        return sqlite3.SQLITE_OK

    with sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE events (id int, kind text)")
        conn.set_authorizer(authorizer)
        conn.execute(sql).fetchall()
    assert read == ["events"]


SCHEMA_AT_RUN_TIME = {
    "app/__init__.py": "",
    "app/registry.py": '''\
import os

SCHEMA = os.environ.get("REGISTRY_SCHEMA")
ARCHIVE = os.environ.get("ARCHIVE_SCHEMA")


def projects(cur):
    return cur.execute(f'SELECT name FROM "{SCHEMA}".projects').fetchall()


def add_project(cur, name):
    cur.execute(f'INSERT INTO "{SCHEMA}".projects (name) VALUES (?)', (name,))


def old_events(cur):
    return cur.execute(f"SELECT id FROM {ARCHIVE}.events").fetchall()


def tenant_events(cur, schema):
    return cur.execute(f"SELECT id FROM {schema}.events").fetchall()


def first_tenant(cur):
    return tenant_events(cur, "tenant_a")


class Config:
    def __init__(self, schema):
        self.schema = schema


class Registry:
    def __init__(self, config):
        self.config = config

    def names(self, cur):
        return cur.execute(f'SELECT name FROM "{self.config.schema}".projects').fetchall()
''',
    "schema.sql": (
        "CREATE TABLE registry.projects (name text);\n"
        "CREATE TABLE tenant_a.events (id int);\nCREATE TABLE tenant_b.events (id int);\n"
    ),
}


def test_a_known_table_in_a_schema_named_at_run_time(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """`f'SELECT name FROM "{SCHEMA}".projects'`, the schema a setting read at run time: the
    table is `projects` in the schema the repository has one in (`registry`), a use of
    confidence medium, not a name known only at run time (feast's 59 warnings, and the uses
    of its registry tables, dropped); with several (`tenant_a.events`, `tenant_b.events`) a
    use of each. A schema a function is given stays its call sites' (`tenant_events(cur,
    "tenant_a")`); one of a settings object an instance keeps (`self.config.schema`) is a
    setting's too. SQLite, each schema an attached database, runs the statements."""
    root = make_repo(SCHEMA_AT_RUN_TIME)
    report = scan(root)
    assert sorted(
        (t.qualified_name, u.line, u.kind, u.confidence) for t in report.tables for u in t.uses
    ) == [
        ("registry.projects", 8, "read", "medium"),
        ("registry.projects", 12, "write", "medium"),
        ("registry.projects", 37, "read", "medium"),
        ("tenant_a.events", 16, "read", "medium"),
        ("tenant_a.events", 24, "read", "high"),
        ("tenant_b.events", 16, "read", "medium"),
    ]
    assert report.findings == []
    assert scan(root, prefilter=False).to_json() == report.to_json()
    os.environ.update(REGISTRY_SCHEMA="registry", ARCHIVE_SCHEMA="tenant_b")
    try:
        with importable(root), sqlite3.connect(":memory:") as conn:
            for schema in ("registry", "tenant_a", "tenant_b"):
                conn.execute(f"ATTACH ':memory:' AS {schema}")
            conn.executescript(SCHEMA_AT_RUN_TIME["schema.sql"])
            registry = importlib.import_module("app.registry")
            cur = conn.cursor()
            registry.add_project(cur, "x")
            assert registry.projects(cur) == [("x",)]
            assert registry.old_events(cur) == registry.first_tenant(cur) == []
            assert registry.Registry(registry.Config("registry")).names(cur) == [("x",)]
    finally:
        del os.environ["REGISTRY_SCHEMA"], os.environ["ARCHIVE_SCHEMA"]
