"""Database functions and procedures: the tables their bodies name, and the calls in code."""

from __future__ import annotations

import pytest

from analyzer.sql.routines import read_routine
from analyzer.sql.split import split_statements
from analyzer.sql.statements import analyze_statement

PLPGSQL = """\
CREATE OR REPLACE FUNCTION store.add_package(pkg TEXT, skip TEXT = '')
    RETURNS BOOLEAN
    LANGUAGE plpgsql
AS $sql$
DECLARE n int;
BEGIN
    SELECT count(*) INTO n FROM files WHERE name = pkg;
    IF n > 0 THEN
        UPDATE packages
           SET skip = skip WHERE name = pkg;
    END IF;
    INSERT INTO packages (name, skip) VALUES (pkg, skip);
    PERFORM 1 FROM searches;
    EXECUTE 'DELETE FROM ' || quote_ident(pkg);
    RETURN true;
END;
$sql$"""


def body(sql: str) -> list[tuple[str, str, str, int]]:
    routine = read_routine(sql, "public")
    assert routine is not None
    return [(ref.name, ref.kind, ref.operation, line) for ref, line in routine.refs]


def test_a_plpgsql_body_as_postgresql_reads_it() -> None:
    """Each statement at its line in the definition (0: the first); `INTO n` is a variable,
    `PERFORM` a query; a statement built at run time names nothing."""
    routine = read_routine(PLPGSQL, "public")
    assert routine is not None
    assert (routine.name, routine.schema) == ("add_package", "store")
    assert body(PLPGSQL) == [
        ("files", "read", "select", 6),
        ("packages", "write", "update", 8),
        ("packages", "write", "insert", 11),
        ("searches", "read", "select", 12),
    ]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "CREATE FUNCTION n(pkg text) RETURNS bigint LANGUAGE sql STABLE AS $$\n"
            "    SELECT count(*) FROM downloads d\n"
            "    JOIN builds b USING (id) WHERE d.name = pkg;\n"
            "    DELETE FROM old_downloads;\n$$",
            [("downloads", "read", "select", 1), ("builds", "read", "select", 2),
             ("old_downloads", "write", "delete", 3)],
        ),
        (
            "CREATE PROCEDURE log_search(t text) LANGUAGE sql\nBEGIN ATOMIC\n"
            "    INSERT INTO search_log VALUES (t);\n    DELETE FROM stale;\nEND",
            [("search_log", "write", "insert", 2), ("stale", "write", "delete", 3)],
        ),
        ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT count(*) FROM t'",
         [("t", "read", "select", 0)]),
    ],
)
def test_sql_bodies(sql: str, expected: list[tuple[str, str, str, int]]) -> None:
    assert body(sql) == expected


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE TABLE t (id int)",  # no routine
        "CREATE FUNCTION broken( RETURNS int",  # PostgreSQL's parser refuses it
    ],
)
def test_what_is_no_routine(sql: str) -> None:
    assert read_routine(sql, "public") is None


def test_a_body_postgresql_refuses_is_unread_with_its_reason() -> None:
    routine = read_routine(
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN QUERY SELECT 1; "
        "END $$",
        "public",
    )
    assert routine is not None
    assert (routine.name, routine.refs, routine.unread) == (
        "f", (), "cannot use RETURN QUERY in a non-SETOF function"
    )


def test_an_unread_body_is_a_diagnostic() -> None:
    from analyzer.readers.sql_file import extract_sql_file

    facts = extract_sql_file(
        "db/f.sql",
        b"CREATE TABLE t (id int);\n"
        b"CREATE FUNCTION log_all(rows record[]) RETURNS void LANGUAGE plpgsql AS $$\n"
        b"BEGIN INSERT INTO t SELECT 1; END $$;\n",
    )
    assert facts.routines == []
    assert [(p.code, p.line) for p in facts.problems] == [("routine-unread", 2)]
    assert "PL/pgSQL functions cannot accept type _record" in facts.problems[0].message


@pytest.mark.parametrize(
    ("sql", "calls"),
    [
        ("VALUES (add_new_package(%s, %s))", ("add_new_package",)),
        ("SELECT name FROM get_package_aliases(%s)", ("get_package_aliases",)),
        ("SELECT store.Get_X(1), count(*), lower(a) FROM t", ("get_x",)),  # built-ins are not
        ("CALL refresh_stats(%s)", ("refresh_stats",)),
        ("SELECT f(1); SELECT g(2), f(3)", ("f", "g")),
        ("SELECT count(*) FROM t", ()),
    ],
)
def test_the_functions_a_statement_calls(sql: str, calls: tuple[str, ...]) -> None:
    assert analyze_statement(sql).calls == calls


def test_a_begin_atomic_body_is_one_statement() -> None:
    statements, problems = split_statements(
        "CREATE TABLE a (x int);\n"
        "CREATE PROCEDURE p(t text) LANGUAGE sql\nBEGIN ATOMIC\n"
        "    INSERT INTO log VALUES (t);\n"
        "    SELECT CASE WHEN t = '' THEN 1 ELSE 2 END;\nEND;\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\nSELECT 1;"
    )
    assert problems == []
    assert [(s.line, s.text.split()[1]) for s in statements] == [
        (1, "TABLE"), (2, "PROCEDURE"), (7, "FUNCTION"), (8, "1"),
    ]
    assert statements[1].text.endswith("END")
