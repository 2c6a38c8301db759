"""Property-based: the readers never raise, whatever text or bytes they are given.

Random text, random bytes and random soups of SQL and Python tokens go through the SQL
splitter, the statement analyser, SQL detection, the Python and SQL file extractors, and a
whole scan of a tiny generated repository whose report must round-trip through JSON.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer import Report, scan
from analyzer.facts import PythonFacts
from analyzer.readers.python_module import extract_python
from analyzer.readers.sql_file import extract_sql_file
from analyzer.sql.detect import is_sql_text, statement_keyword
from analyzer.sql.split import split_statements
from analyzer.sql.statements import StatementResult, analyze_statement

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

SQL_TOKENS = [
    "SELECT", "select", "FROM", "WHERE", "INSERT", "INTO", "VALUES", "UPDATE", "SET", "DELETE",
    "CREATE", "TABLE", "IF", "NOT", "EXISTS", "DROP", "ALTER", "RENAME", "TO", "ADD", "COLUMN",
    "VIEW", "MATERIALIZED", "INDEX", "ON", "JOIN", "LEFT", "WITH", "AS", "RECURSIVE", "UNION",
    "COPY", "stdin", "FUNCTION", "RETURNS", "LANGUAGE", "plpgsql", "BEGIN", "END", "COMMIT",
    "GRANT", "TRUNCATE", "COMMENT", "IS", "RETURNING", "MERGE", "USING", "LATERAL", "E'",
    "(", ")", ",", ";", ".", "*", "=", "'", "''", '"', '""', "$$", "$body$", "$1", "%s",
    "%(name)s", ":name", "?", "--", "/*", "*/", "\\.", "\\i", "\\connect", "\\copy", "\\g",
    "\n", "\t", "\\", "[", "]", "{", "}", "::", "->>", "@", "#", "`",
]
PYTHON_TOKENS = [
    "def", "class", "import", "from", "as", "return", "if", "else", "try", "except", "with",
    "lambda", "yield", "async", "await", "print", "(", ")", "[", "]", "{", "}", ":", ",", ".",
    "=", "+", "%", "*", "**", "->", "@", "\n", "    ", "\t", "#", "\\", "'", '"', "'''", '"""',
    "f'", 'f"', "rb'", "t'", "{x}", "{{", "}}", ".format(", "execute(", "cur.execute(", "text(",
    "op.create_table(", "op.execute(", "__tablename__", "Column(", "Table(", "revision",
    "down_revision", "None", "'SELECT * FROM t'", '"INSERT INTO t VALUES (%s)"', "Base",
    "DeclarativeBase", "mapped_column(", "sa.Column(", "session.add(", "QUERY", "\x00",
    "# -*- coding: latin-1 -*-", "\ufeff", "é",
]
IDENTIFIERS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True)
SEPARATORS = st.sampled_from(["", " ", " ", "\n", "."])


def soup(tokens: list[str]) -> st.SearchStrategy[str]:
    piece = st.tuples(st.sampled_from(tokens) | IDENTIFIERS | st.text(max_size=3), SEPARATORS)
    return st.lists(piece, max_size=40).map(lambda pairs: "".join(a + b for a, b in pairs))


SQL_SOUP = soup(SQL_TOKENS)
PYTHON_SOUP = soup(PYTHON_TOKENS)
ANY_TEXT = st.text(max_size=300) | SQL_SOUP
ANY_BYTES = (
    st.binary(max_size=300)
    | SQL_SOUP.map(lambda text: text.encode("utf-8"))
    | PYTHON_SOUP.map(lambda text: text.encode("utf-8"))
    | PYTHON_SOUP.map(lambda text: text.encode("latin-1", "replace"))
)


@FAST
@given(ANY_TEXT)
def test_split_statements_never_raises_and_points_into_the_text(text: str) -> None:
    statements, problems = split_statements(text)
    for statement in statements:
        assert statement.text and statement.text == statement.text.rstrip()
        assert text[statement.offset : statement.offset + len(statement.text)] == statement.text
        assert statement.line == text.count("\n", 0, statement.offset) + 1
    for problem in problems:
        assert problem.code and problem.message
        assert 1 <= problem.line <= text.count("\n") + 1


@FAST
@given(ANY_TEXT, st.sampled_from(["postgres", "mysql", "sqlite"]))
def test_analyze_statement_never_raises(text: str, dialect: str) -> None:
    result = analyze_statement(text, dialect=dialect)
    assert isinstance(result, StatementResult)
    for ref in result.refs:
        assert ref.name and ref.kind in {"read", "write", "ddl"}


@FAST
@given(ANY_TEXT, st.booleans())
def test_sql_detection_never_raises(text: str, at_sink: bool) -> None:
    assert is_sql_text(text, at_sink=at_sink) in (True, False)
    keyword = statement_keyword(text)
    assert keyword is None or keyword == keyword.upper()


@FAST
@given(ANY_BYTES | st.text(max_size=300).map(lambda text: text.encode("utf-8")))
def test_extract_python_never_raises(source: bytes) -> None:
    facts = extract_python("pkg/mod.py", source, "pkg.mod")
    assert isinstance(facts, PythonFacts)
    for problem in facts.problems:
        assert problem.code and problem.message


@FAST
@given(ANY_BYTES)
def test_extract_sql_file_never_raises(source: bytes) -> None:
    facts = extract_sql_file("db/schema.sql", source)
    for statement in facts.statements:
        assert statement.line >= 1
    for problem in facts.problems:
        assert problem.code and problem.message


PATHS = [
    "app/__init__.py",
    "app/a.py",
    "app/models.py",
    "sql/00_init.sql",
    "sql/01_more.sql",
    "migrations/versions/r1.py",
    "migrations/versions/r2.py",
    "alembic.ini",
    ".gitignore",
]
CONTENTS = ANY_BYTES | st.text(max_size=200).map(lambda text: text.encode("utf-8"))
ALEMBIC_INI = b"[alembic]\nscript_location = migrations\n"


@SLOW
@given(st.dictionaries(st.sampled_from(PATHS), CONTENTS, min_size=1, max_size=6), st.booleans())
def test_a_scan_of_random_files_never_raises_and_round_trips(
    files: dict[str, bytes], with_ini: bool
) -> None:
    if with_ini:
        files = {"alembic.ini": ALEMBIC_INI, **files}
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory) / "repo"
        for relative, content in files.items():
            target = root / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        report = scan(root)
    text = report.to_json()
    assert Report.model_validate_json(text).to_json() == text
    for diagnostic in report.diagnostics:
        assert diagnostic.code and diagnostic.message
        assert not diagnostic.path.startswith("/") and ".." not in diagnostic.path.split("/")
