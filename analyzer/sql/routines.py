"""The tables a PostgreSQL function or procedure reads and writes, from its definition.

Services built on raw SQL often give the application functions, not tables: the code runs
`VALUES (add_new_package(%s, %s))` or `SELECT * FROM get_project_files(%s)`, and only the
function's body, in a `.sql` file, names `packages` and `files`. A scan that does not read
those bodies reports every table behind a function as dead.

PostgreSQL's own parsers read the definitions (pglast wraps libpg_query): `parse_sql` gives
the function's name, language and body; a `plpgsql` body goes through `parse_plpgsql`, which
hands back every SQL statement of the body as PostgreSQL would prepare it (`SELECT ... INTO
n` without its `INTO n`, a variable, not a table), each at its line; a `LANGUAGE sql` body,
or a `BEGIN ATOMIC` one, is plain statements. Each statement is then analysed like any other
(`analyze_statement`). A statement built at run time (`EXECUTE 'DELETE FROM ' || t`) is an
expression, not a statement, and names nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from analyzer.sql.names import normalize_identifier
from analyzer.sql.refs import TableRef
from analyzer.sql.split import DEFINES_ROUTINE, split_statements
from analyzer.sql.statements import analyze_statement

_ATOMIC_BODY = re.compile(r"\bBEGIN\s+ATOMIC\b(.*)\bEND\b", re.IGNORECASE | re.DOTALL)
_STATEMENT_MODE = 0  # `PLpgSQL_expr.parseMode` of a whole statement (RAW_PARSE_DEFAULT)


@dataclass(frozen=True, slots=True)
class RoutineBody:
    """A function's or procedure's name (folded as PostgreSQL folds it, schema when written)
    and each table its body names, with the line in the defining statement (0: its first)."""

    name: str
    schema: str | None
    refs: tuple[tuple[TableRef, int], ...]
    # PostgreSQL's reason when it reads the definition but not its body (a plpgsql function
    # taking `record[]`): the tables the body uses are then unknown
    unread: str | None = None


def defines_routine(text: str) -> bool:
    return DEFINES_ROUTINE.match(text, len(text) - len(text.lstrip())) is not None


def read_routine(text: str, default_schema: str) -> RoutineBody | None:
    """The routine `text` (one `CREATE FUNCTION` / `CREATE PROCEDURE` statement) defines, or
    None when PostgreSQL's parser does not read it as one."""
    from pglast import parse_plpgsql, parse_sql
    from pglast.parser import ParseError

    try:
        statements = parse_sql(text)
    except ParseError:
        return None
    if len(statements) != 1 or type(statements[0].stmt).__name__ != "CreateFunctionStmt":
        return None
    definition = statements[0].stmt
    names = [normalize_identifier(part.sval, quoted=False) for part in definition.funcname]
    options = {option.defname: option.arg for option in definition.options or ()}
    language = getattr(options.get("language"), "sval", "sql").lower()
    queries: list[tuple[str, int]] = []  # (statement, its line in `text`, from 0)
    if definition.sql_body is not None:
        atomic = _ATOMIC_BODY.search(text)
        if atomic is not None:
            queries = _plain_statements(text, atomic.start(1), atomic.group(1))
    elif options.get("as"):
        body = options["as"][0].sval
        start = text.find(body)
        if start < 0:
            return None
        if language == "plpgsql":
            try:
                tree = parse_plpgsql(text)
            except ParseError as error:
                return RoutineBody(
                    names[-1], names[-2] if len(names) > 1 else None, (), str(error)
                )
            first = text.count("\n", 0, start)
            queries = [(query, first + line - 1) for query, line in _plpgsql_queries(tree)]
        elif language == "sql":
            queries = _plain_statements(text, start, body)
    refs: list[tuple[TableRef, int]] = []
    for query, line in queries:
        result = analyze_statement(query, dialect="postgres", default_schema=default_schema)
        for ref in result.refs:
            within = query.count("\n", 0, ref.offset) if ref.offset is not None else 0
            refs.append((ref, line + within))
    return RoutineBody(names[-1], names[-2] if len(names) > 1 else None, tuple(refs))


def _plain_statements(text: str, start: int, body: str) -> list[tuple[str, int]]:
    first = text.count("\n", 0, start)
    statements, _ = split_statements(body)
    return [(s.text, first + s.line - 1) for s in statements]


def _plpgsql_queries(tree: Any) -> list[tuple[str, int]]:
    """Every whole SQL statement of a parsed plpgsql function, with the line (in the body,
    from 1) of the plpgsql statement holding it."""
    found: list[tuple[str, int]] = []

    def walk(node: Any, line: int) -> None:
        if isinstance(node, dict):
            line = node.get("lineno", line)
            expression = node.get("PLpgSQL_expr")
            if isinstance(expression, dict) and expression.get("parseMode") == _STATEMENT_MODE:
                query = expression.get("query")
                if isinstance(query, str):
                    found.append((query, line))
            for value in node.values():
                walk(value, line)
        elif isinstance(node, list):
            for value in node:
                walk(value, line)

    walk(tree, 1)
    return found
