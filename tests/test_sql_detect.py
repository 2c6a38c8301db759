"""Tests for deciding whether a Python string is SQL."""

from __future__ import annotations

import pytest

from analyzer.sql import detect
from analyzer.sql.detect import Verdicts, is_sql_text, statement_keyword

PROSE = [
    "prepare the data for export",
    "prepare statements as needed",
    "select from the menu",
    "Select a user from the list",
    "Update your profile settings",
    "Delete this item?",
    "Create a new account",
    "drop me a line",
    "With love, the team",
    "Select an option",
    "Select any file",
    "Select one option from list",
    "Select all users from the database",
    "Insert into the database",
    "Insert into a table",
    "Delete from the list",
    "Delete an item",
    "Update the record",
    "Update failed: connection reset",
    "Copy link to clipboard",
    "Copy the file to disk",
    "Truncate the text to 50 chars",
    "Grant access on login to users",
    "Create table for the report",
    "Create schema for the API",
    "Drop table for the record",
    "Explain the error",
    "Comment on this post",
    "Replace into the box",
    "Merge into the main branch",
    "Alter your settings",
    "With this option enabled, exports are faster",
    "Selection changed",
    "delete",
    "select",
    "Saved.",
    "User deleted!",
    "Select the rows to delete.",
    "Are you sure you want to update?",
    "",
    "   ",
    "__tt_hole_0__ rows updated",
]

SQL = [
    "SELECT * FROM users",
    "select id, name from users where id = %s",
    "SELECT * FROM t WHERE a = %(name)s",
    "SELECT * FROM t WHERE a = $1",
    "SELECT * FROM t WHERE a = :name",
    "SELECT * FROM t WHERE a = :1",
    "SELECT * FROM t WHERE id = ?",
    "select * from t where x = ?",
    "SELECT a %% 2 FROM t",
    "SELECT * FROM __tt_hole_0__ WHERE id = %s",
    "SELECT * FROM logs___tt_hole_1__",
    "INSERT INTO __tt_hole_0__ (a) VALUES (__tt_hole_1__)",
    "INSERT INTO t (a, b) VALUES %s",
    "-- fetch users\nSELECT * FROM users",
    "/* hint */ select 1",
    "(SELECT 1) UNION (SELECT 2)",
    "WITH x AS (SELECT 1) SELECT * FROM x",
    "UPDATE users SET name = %s WHERE id = %s",
    "update users set name = :name",
    "DELETE FROM users WHERE id = %s",
    "CREATE TABLE a (id int); INSERT INTO a VALUES (1);",
    "CREATE TABLE IF NOT EXISTS events (id bigserial PRIMARY KEY)",
    "CREATE INDEX ix ON users (email)",
    "CREATE EXTENSION IF NOT EXISTS pgcrypto",
    "CREATE VIEW v AS SELECT * FROM t",
    "DROP TABLE IF EXISTS users",
    "ALTER TABLE users ADD COLUMN x int",
    "TRUNCATE users",
    "COPY users FROM STDIN",
    "COPY users TO STDOUT WITH CSV",
    "COMMENT ON TABLE users IS 'people'",
    "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
    "GRANT SELECT ON users TO reader",
    "REVOKE ALL ON users FROM reader",
    "SELECT nextval('seq')",
    "SELECT 1",
    "SELECT %s",
    "SELECT now()",
    "select count(*) from orders o join users u on u.id = o.uid",
    "SELECT * FROM a JOIN b ON true",
    "SELECT u.id uid FROM users u",
    "REFRESH MATERIALIZED VIEW mv",
    "EXPLAIN ANALYZE SELECT * FROM t",
    "SELECT * FROM t WHERE name = 'Done.'",
    'prepare upd as update widgets set "order" = $1 where widgets.id = $2',
    "PREPARE q (int) AS SELECT * FROM t WHERE id = $1",
]


@pytest.mark.parametrize("text", PROSE)
def test_prose_is_not_sql(text: str) -> None:
    assert is_sql_text(text, at_sink=False) is False


@pytest.mark.parametrize("text", SQL)
def test_sql_is_sql(text: str) -> None:
    assert is_sql_text(text, at_sink=False) is True
    assert is_sql_text(text, at_sink=True) is True


@pytest.mark.parametrize(
    "text",
    [
        "select from the menu",
        "SELECT * FROM t WHERE",
        "DO $$ BEGIN PERFORM 1; END $$",
        "SET search_path = app",
        "BEGIN",
        "VALUES (1), (2)",
        "INSERT INTO t __tt_hole_0__",
    ],
)
def test_sink_accepts_any_keyworded_string(text: str) -> None:
    assert is_sql_text(text, at_sink=True) is True


@pytest.mark.parametrize(
    "text",
    [
        "delete rows",
        "update table",
        "Update your profile settings",
        "update now",
        "insert into queue",
        "Insert into the list",
    ],
)
def test_a_data_verb_without_its_clause_is_prose_even_at_a_sink(text: str) -> None:
    # UPDATE needs SET, DELETE needs FROM, INSERT needs VALUES / SELECT: without them sqlglot
    # still parses the words, but they are UI or log text, never a statement
    assert is_sql_text(text, at_sink=False) is False
    assert is_sql_text(text, at_sink=True) is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("replace", False),  # `bytes.decode(errors="replace")`: sqlglot reads a column
        ("REPLACE", False),
        ("upsert", False),
        ("UPSERT", False),  # Route 53's change action
        ("upsert-update", False),
        ("replace into settings values (1, 'a')", True),
        ("REPLACE INTO settings (k, v) VALUES (?, ?)", True),
        ("REPLACE INTO settings SET k = 1", True),
        ("replace into settings select * from defaults", True),
        ("UPSERT INTO accounts (id, balance) VALUES (1, 0)", True),
        ("REPLACE INTO __tt_hole_0__ (k) VALUES (1)", True),
    ],
)
def test_replace_and_upsert_need_their_clause(text: str, expected: bool) -> None:
    """MySQL's and SQLite's REPLACE and CockroachDB's UPSERT write rows as INSERT does: the
    bare word is an argument (122 `errors="replace"` in the corpus), never a statement."""
    assert is_sql_text(text, at_sink=False) is expected
    assert is_sql_text(text, at_sink=True, dialect="sqlite") is expected


@pytest.mark.parametrize(
    "text", ["UPDATE SET ", "UPDATE SET a=EXCLUDED.a, b=EXCLUDED.b", "update set x = 1"]
)
def test_the_tail_of_on_conflict_is_no_statement(text: str) -> None:
    # `latter = "UPDATE SET " + ...` completes `INSERT ... ON CONFLICT (...) DO %s`: no table
    assert is_sql_text(text, at_sink=False) is False
    assert is_sql_text(text, at_sink=True) is False
    assert is_sql_text("UPDATE settings SET a = 1", at_sink=False) is True


@pytest.mark.parametrize(
    "text", ["DO $$ BEGIN PERFORM 1; END $$", "SET search_path = app", "BEGIN", "VALUES (1)"]
)
def test_sink_only_keywords_need_a_sink(text: str) -> None:
    assert is_sql_text(text, at_sink=False) is False


@pytest.mark.parametrize(
    "text", ["truncate.sql", "update.html", "delete.py", "select.min.js", "  TRUNCATE.sql"]
)
def test_a_keyword_followed_by_a_dot_is_a_file_name(text: str) -> None:
    # `render_template("/".join([path, "truncate.sql"]))`: sqlglot reads `TRUNCATE sql`, but
    # no statement's keyword is followed right away by `.name`
    assert is_sql_text(text, at_sink=False) is False
    assert is_sql_text(text, at_sink=True) is False
    assert is_sql_text("TRUNCATE sessions", at_sink=True) is True


@pytest.mark.parametrize("text", ["hello world", "__tt_hole_0__", "42", "users", "-- SELECT"])
def test_no_keyword_is_never_sql(text: str) -> None:
    assert is_sql_text(text, at_sink=True) is False


def test_unparseable_sql_matches_a_skeleton() -> None:
    # sqlglot cannot parse these, but their structure is unmistakable.
    assert is_sql_text("SELECT a, FROM t", at_sink=False) is True
    assert is_sql_text("INSERT INTO t (a) VALUES (", at_sink=False) is True
    assert is_sql_text("UPDATE t SET a = WHERE", at_sink=False) is True
    assert is_sql_text("DELETE FROM t WHERE a = (", at_sink=False) is True
    assert is_sql_text("WITH x AS (SELECT", at_sink=False) is True


def test_statement_keyword() -> None:
    assert statement_keyword("  ( /* c */ -- d\n select 1") == "SELECT"
    assert statement_keyword("123") is None
    assert statement_keyword("") is None


def test_dialect_argument() -> None:
    assert is_sql_text("SELECT * FROM `users`", at_sink=False, dialect="mysql") is True
    # An unknown dialect cannot parse anything; the statement skeletons still decide.
    assert is_sql_text("SELECT * FROM users", at_sink=False, dialect="no-such-dialect") is True
    assert is_sql_text("Select a user from the list", at_sink=False, dialect="nope") is False


PREFIXES = [
    "get_", "x", "prefect.", "Error: ", "SEL", "upd", "  (wi", "-- note\n", "DEL", "",
    "-", "/", "- ", "  - ", "/api/", "-'", "'", "/* open", "/* closed */ ", "(-",
    "pragma foreign_keys = ", "PRAGMA journal_mode=WAL;\n", "Pragma: ",
]
COMPLETIONS = [
    "ECT * FROM t", "ATE t SET a = 1", "TH q AS (SELECT 1) SELECT * FROM q", "foo",
    " * FROM t", "ETE FROM t", "select 1", "_handler", "1",
    "- c\nSELECT * FROM t", "* c */ DELETE FROM t", " */ UPDATE t SET a = 1", "'users'",
]


@pytest.mark.parametrize("at_sink", [False, True])
def test_could_be_sql_is_a_necessary_condition(at_sink: bool) -> None:
    from analyzer.sql.detect import could_be_sql

    for prefix in PREFIXES:
        if could_be_sql(prefix, None, at_sink=at_sink):
            continue
        for completion in COMPLETIONS:
            assert not is_sql_text(prefix + completion, at_sink=at_sink), (prefix, completion)
    # a first word still being written can only become a keyword if it begins one
    assert not could_be_sql("get_", None, at_sink=at_sink)
    assert not could_be_sql("x", None, at_sink=at_sink)
    assert could_be_sql("SEL", None, at_sink=at_sink)
    assert could_be_sql("  (wi", None, at_sink=at_sink)
    assert could_be_sql("-- note\n", None, at_sink=at_sink)
    # a comment may still open (`-`, `/`) or close (`/* ...`) in what follows; past a `-`
    # or `/` that opens none, or a quote (a `repr()`), no word can start the text
    assert could_be_sql("-", None, at_sink=at_sink)
    assert could_be_sql("/", None, at_sink=at_sink)
    assert could_be_sql("/* open", None, at_sink=at_sink)
    assert could_be_sql("/* closed */ ", None, at_sink=at_sink)
    for prefix in ("- ", "  - ", "/api/", "-'", "'", "(- "):
        assert not could_be_sql(prefix, None, at_sink=at_sink), prefix
    # a pragma's `;` may still come, and a statement after it
    assert could_be_sql("pragma foreign_keys = ", None, at_sink=at_sink)
    assert could_be_sql("PRAGMA journal_mode=WAL;\n", None, at_sink=at_sink)
    assert not could_be_sql("PRAGMA journal_mode=WAL;\nfoo", None, at_sink=at_sink)


@pytest.mark.parametrize("at_sink", [False, True])
def test_a_script_after_sqlite_pragmas_is_judged_by_its_first_statement(at_sink: bool) -> None:
    """`pragma foreign_keys = on; create table ...`: the settings name no table, the statement
    after them decides; a pragma alone, a Capitalised one (prose) or one before prose is no
    statement worth analysing."""
    script = (
        "\n    pragma journal_mode=WAL;\n    PRAGMA foreign_keys = on;\n"
        "    create table if not exists blob (blob_hash char(96) primary key);\n"
    )
    assert is_sql_text(script, at_sink=at_sink)
    assert statement_keyword(script) == "CREATE"
    assert not is_sql_text("PRAGMA foreign_keys = ON", at_sink=at_sink)
    assert not is_sql_text("Pragma: create table a new way.", at_sink=at_sink)
    assert not is_sql_text("pragma user_version = 3; the rest is prose", at_sink=at_sink)


def test_verdicts_records_sqlglots_answers_in_the_order_asked() -> None:
    verdicts = Verdicts()
    assert is_sql_text("SELECT id FROM tickets", at_sink=False, verdicts=verdicts)
    assert not is_sql_text("select the best option", at_sink=False, verdicts=verdicts)
    assert is_sql_text("DELETE FROM sessions WHERE id = 1", at_sink=False, verdicts=verdicts)
    assert list(verdicts.asked.items()) == [
        ("SELECT id FROM tickets", True),
        ("select the best option", None),  # sqlglot cannot tell: the skeleton test says no
        ("DELETE FROM sessions WHERE id = 1", True),
    ]
    # at a sink, or decided before the parse, sqlglot is not asked: nothing to record
    fresh = Verdicts()
    assert is_sql_text("SELECT id FROM tickets", at_sink=True, verdicts=fresh)
    assert not is_sql_text("Select a user.", at_sink=False, verdicts=fresh)
    assert fresh.asked == {}


def test_known_verdicts_are_not_asked_again(monkeypatch: pytest.MonkeyPatch) -> None:
    def never(body: str, dialect: str) -> bool | None:
        raise AssertionError(f"sqlglot asked about {body!r}")

    monkeypatch.setattr(detect, "_parse_verdict", never)
    verdicts = Verdicts([("SELECT id FROM tickets", True), ("select the best option", None)])
    assert is_sql_text("SELECT id FROM tickets", at_sink=False, verdicts=verdicts)
    assert not is_sql_text("select the best option", at_sink=False, verdicts=verdicts)
    assert list(verdicts.asked.items()) == [
        ("SELECT id FROM tickets", True), ("select the best option", None)
    ]
    # a text it was not told about is asked (here: the stand-in that fails, so is_sql_text
    # falls back to False, as it does for any error)
    assert not is_sql_text("SELECT 1 FROM other", at_sink=False, verdicts=verdicts)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("copy tracks into library directory (default)", False),
        ("COPY tracks FROM STDIN WITH (FORMAT csv)", True),
        ("COPY (SELECT id FROM tracks) TO STDOUT", True),
    ],
)
def test_copy_needs_from_or_to(text: str, expected: bool) -> None:
    """PostgreSQL's COPY reads FROM or writes TO; without either it is prose (an option's
    help: beets' "copy tracks into library directory")."""
    assert is_sql_text(text, at_sink=False, dialect="postgres") is expected
