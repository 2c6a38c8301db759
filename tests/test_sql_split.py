"""Tests for the SQL statement splitter (pg_dump output, migrations, multi-statement strings)."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.sql import split
from analyzer.sql.split import SplitProblem, Statement, split_statements


def texts(sql: str) -> list[str]:
    statements, problems = split_statements(sql)
    assert problems == []
    return [s.text for s in statements]


def test_simple_statements_with_lines_and_offsets() -> None:
    sql = "SELECT 1;\n\nINSERT INTO t VALUES (1);\n  UPDATE t SET a = 2"
    statements, problems = split_statements(sql)
    assert problems == []
    assert statements == [
        Statement("SELECT 1", 1, 0),
        Statement("INSERT INTO t VALUES (1)", 3, 11),
        Statement("UPDATE t SET a = 2", 4, 39),
    ]


def test_offsets_point_at_the_statement_text() -> None:
    sql = "-- header\n/* block */ SELECT 1 ;\n\n  DELETE FROM t;"
    statements, _ = split_statements(sql)
    for statement in statements:
        assert sql[statement.offset : statement.offset + len(statement.text)] == statement.text
    assert [(s.text, s.line) for s in statements] == [("SELECT 1", 2), ("DELETE FROM t", 4)]


def test_empty_statements_are_dropped() -> None:
    assert texts(";;  ; SELECT 1;;\n;") == ["SELECT 1"]
    assert split_statements("") == ([], [])
    assert split_statements("  -- only a comment\n/* and another */ ") == ([], [])


def test_line_comments_hide_semicolons() -> None:
    assert texts("SELECT 1 -- a; b\n, 2; SELECT 3") == ["SELECT 1 -- a; b\n, 2", "SELECT 3"]


def test_nested_block_comments() -> None:
    sql = "/* outer /* inner; */ still comment; */ SELECT 1; /* x */ SELECT 2"
    assert texts(sql) == ["SELECT 1", "SELECT 2"]


def test_single_quoted_strings_with_doubled_quotes() -> None:
    assert texts("INSERT INTO t VALUES ('it''s; fine'); SELECT 2") == [
        "INSERT INTO t VALUES ('it''s; fine')",
        "SELECT 2",
    ]


def test_escape_strings_with_backslashes() -> None:
    sql = r"SELECT E'a\'b; c', e'\\'; SELECT 2"
    assert texts(sql) == [r"SELECT E'a\'b; c', e'\\'", "SELECT 2"]


def test_backslash_in_standard_string_is_not_an_escape() -> None:
    # 'C:\' ends at the quote: a standard string has no backslash escapes.
    assert texts(r"SELECT 'C:\'; SELECT 2") == [r"SELECT 'C:\'", "SELECT 2"]


def test_identifier_ending_in_e_before_string_is_not_an_escape_string() -> None:
    assert texts(r"SELECT name'x\'; SELECT 2") == [r"SELECT name'x\'", "SELECT 2"]


def test_double_quoted_identifiers() -> None:
    assert texts('CREATE TABLE "a;b" ("c""d;" int); SELECT 1') == [
        'CREATE TABLE "a;b" ("c""d;" int)',
        "SELECT 1",
    ]


def test_dollar_quotes() -> None:
    sql = "SELECT $$a;b$$, $tag$ $$ ; $tag$, $1; SELECT 2"
    assert texts(sql) == ["SELECT $$a;b$$, $tag$ $$ ; $tag$, $1", "SELECT 2"]


def test_dollar_inside_identifier_is_not_a_quote() -> None:
    assert texts("SELECT a$b$ FROM t; SELECT 2") == ["SELECT a$b$ FROM t", "SELECT 2"]


def test_create_function_body_is_one_statement() -> None:
    sql = (
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$\n"
        "BEGIN\n  INSERT INTO log VALUES ('x');\n  RETURN NEW;\nEND;\n$$;\n"
        "SELECT 1;"
    )
    statements, problems = split_statements(sql)
    assert problems == []
    assert [s.line for s in statements] == [1, 7]
    assert statements[0].text.endswith("END;\n$$")
    assert statements[1].text == "SELECT 1"


def test_copy_data_block_is_not_statements() -> None:
    sql = (
        "COPY public.users (id, name) FROM stdin;\n"
        "1\tDROP TABLE users;\n"
        "2\t'unbalanced\n"
        "\\.\n"
        "SELECT 1;\n"
    )
    statements, problems = split_statements(sql)
    assert problems == []
    assert statements == [
        Statement("COPY public.users (id, name) FROM stdin", 1, 0),
        Statement("SELECT 1", 5, 78),
    ]


def test_copy_to_stdout_has_no_data_block() -> None:
    assert texts("COPY t TO stdout;\nSELECT 1;") == ["COPY t TO stdout", "SELECT 1"]


def test_unterminated_copy_data() -> None:
    sql = "SELECT 0;\nCOPY t FROM stdin;\n1\tx\nDROP TABLE t;\n"
    statements, problems = split_statements(sql)
    assert [s.text for s in statements] == ["SELECT 0", "COPY t FROM stdin"]
    assert [(p.code, p.line) for p in problems] == [("unterminated-copy-data", 3)]
    assert "\\." in problems[0].message


def test_psql_meta_commands_are_skipped() -> None:
    sql = (
        "\\restrict abc123\n"
        "SET statement_timeout = 0;\n"
        "  \\connect mydb\n"
        "\\set ON_ERROR_STOP on\n"
        "SELECT 1;\n"
        "\\unrestrict abc123\n"
    )
    statements, problems = split_statements(sql)
    assert problems == []
    assert [(s.text, s.line) for s in statements] == [
        ("SET statement_timeout = 0", 2),
        ("SELECT 1", 5),
    ]


def test_psql_include_is_reported() -> None:
    statements, problems = split_statements("SELECT 1;\n\\i schema/tables.sql\n\\ir more.sql\n")
    assert [s.text for s in statements] == ["SELECT 1"]
    assert [(p.code, p.line) for p in problems] == [("psql-include", 2), ("psql-include", 3)]
    assert "schema/tables.sql" in problems[0].message
    assert "not followed" in problems[0].message


def test_psql_copy_from_stdin_has_a_data_block() -> None:
    sql = "\\copy t from stdin\nDROP TABLE t;\n\\.\nSELECT 1;"
    assert texts(sql) == ["SELECT 1"]


def test_backslash_g_ends_a_statement() -> None:
    assert texts("SELECT 1 \\gset\nSELECT 2") == ["SELECT 1", "SELECT 2"]


def test_unterminated_string_keeps_remainder() -> None:
    statements, problems = split_statements("SELECT 1;\nSELECT 'abc;\nDROP TABLE t;")
    assert [s.text for s in statements] == ["SELECT 1", "SELECT 'abc;\nDROP TABLE t;"]
    assert problems == [
        SplitProblem(
            "unterminated-string",
            2,
            "string literal is never closed; the rest of the input is kept as one final statement",
        )
    ]


def test_unterminated_quoted_identifier() -> None:
    statements, problems = split_statements('SELECT "abc; SELECT 2')
    assert [s.text for s in statements] == ['SELECT "abc; SELECT 2']
    assert [p.code for p in problems] == ["unterminated-string"]
    assert problems[0].message.startswith("quoted identifier")


def test_unterminated_dollar_quote() -> None:
    statements, problems = split_statements("SELECT 1;\n\nDO $body$ BEGIN; END;")
    assert [s.text for s in statements] == ["SELECT 1", "DO $body$ BEGIN; END;"]
    assert [(p.code, p.line) for p in problems] == [("unterminated-dollar-quote", 3)]
    assert "$body$" in problems[0].message


def test_unterminated_comment_inside_and_between_statements() -> None:
    statements, problems = split_statements("SELECT 1 /* open; SELECT 2")
    assert [s.text for s in statements] == ["SELECT 1 /* open; SELECT 2"]
    assert [p.code for p in problems] == ["unterminated-comment"]

    statements, problems = split_statements("SELECT 1;\n/* open /* nested */ SELECT 2;")
    assert [s.text for s in statements] == ["SELECT 1"]
    assert [(p.code, p.line) for p in problems] == [("unterminated-comment", 2)]
    assert "ignored" in problems[0].message


def test_pg_dump_fragment() -> None:
    sql = """--
-- PostgreSQL database dump
--
\\restrict Kq3

SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);

CREATE TABLE public.users (
    id integer NOT NULL,
    name text
);

ALTER TABLE public.users OWNER TO app;

COPY public.users (id, name) FROM stdin;
1\tAlice
2\tBob; DELETE FROM users;
\\.

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);

\\unrestrict Kq3
"""
    statements, problems = split_statements(sql)
    assert problems == []
    assert [(s.text.split("\n")[0], s.line) for s in statements] == [
        ("SET statement_timeout = 0", 6),
        ("SELECT pg_catalog.set_config('search_path', '', false)", 7),
        ("CREATE TABLE public.users (", 9),
        ("ALTER TABLE public.users OWNER TO app", 14),
        ("COPY public.users (id, name) FROM stdin", 16),
        ("ALTER TABLE ONLY public.users", 21),
    ]


class _ForwardSearches:
    """A compiled pattern whose `search` calls are counted with the position they start
    from (a compiled pattern's own methods cannot be replaced)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.starts: list[int] = []

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        self.starts.append(pos)
        return self.pattern.search(text, pos)


def test_large_dump_splits_in_linear_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 200,000-statement dump splits whole and right; the scan is linear by construction,
    not by a clock (a timing bound failed on a loaded machine): the statement scanner's search
    always starts past where the last one started, and twice the rows make exactly twice the
    searches."""
    row = "INSERT INTO t VALUES (1, 'a;b', $$x$$); -- c\n"
    statements, problems = split_statements(row * 200_000)
    assert len(statements) == 200_000
    assert problems == []
    assert statements[-1] == Statement(
        "INSERT INTO t VALUES (1, 'a;b', $$x$$)", 200_000, 199_999 * len(row)
    )
    counts = []
    for rows in (1_000, 2_000):
        counting = _ForwardSearches(split._INTERESTING)
        monkeypatch.setattr(split, "_INTERESTING", counting)
        assert len(split_statements(row * rows)[0]) == rows
        assert all(a < b for a, b in itertools.pairwise(counting.starts))
        counts.append(len(counting.starts))
    assert counts[1] == 2 * counts[0]


_SQL_ALPHABET = st.sampled_from(
    ["SELECT", " ", "\n", ";", "'", '"', "$$", "$a$", "$1", "--", "/*", "*/", "\\", "\\.",
     "E'", "COPY t FROM stdin;\n", "x", "\\i f\n"]
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(_SQL_ALPHABET, max_size=40).map("".join))
def test_never_raises_and_slices_match(sql: str) -> None:
    statements, problems = split_statements(sql)
    for statement in statements:
        assert statement.text
        assert sql[statement.offset : statement.offset + len(statement.text)] == statement.text
        assert statement.line == sql.count("\n", 0, statement.offset) + 1
    assert all(p.line >= 1 for p in problems)
