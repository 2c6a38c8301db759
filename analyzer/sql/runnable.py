"""Whether a statement can run at all: a definition that cannot run defines nothing.

Only statements that create something are asked. For PostgreSQL, the default dialect, the
verdict is PostgreSQL's own: pglast wraps libpg_query, the server's parser, so a statement it
rejects is rejected by every PostgreSQL server, and one it accepts can run as far as syntax
goes, whatever sqlglot thought (sqlglot does not model every corner of every dialect, and it
accepts some text the server rejects). For other dialects the evidence is sqlglot's: a
statement whose first word is not a SQL command (a Python docstring at the top of a `.sql` file
swallows the first `CREATE TABLE`) cannot run anywhere, which is certain; any other sqlglot
failure is probable, and the finding says so.

Limits of the parser itself (a statement too long or nested too deeply to parse) and opaque
`Command` fallbacks (syntax sqlglot accepts without modelling) are not failures of the
statement, and are never reported as such.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analyzer.sql.detect import SINK_KEYWORDS, statement_keyword
from analyzer.sql.refs import StatementResult

PARSER_FAILURES = ("parse error", "tokenizer error")
POSTGRES_DIALECTS = frozenset({"postgres", "postgresql"})
# Text the server never sees as written: psql substitutes `:name`, `:'name'` and `:"name"`,
# template engines (Jinja, dbt) `{{ ... }}` and `{% ... %}`, and migration runners their own
# markers (`$%AUTO_INCREMENT_PRIMARY_KEY%$`, `${schema}`).
_SUBSTITUTED = re.compile(
    r"(?<![:\w]):['\"]?[A-Za-z_]\w*|\{\{|\{%|\$%\w+%\$|\$\{\w+\}"
)
# Words PostgreSQL rejects that other engines accept in a CREATE: a file with them is most
# likely written for that engine (projects supporting several run it there), so "cannot run"
# is said for PostgreSQL only, with less certainty.
_OTHER_ENGINES = {
    "AUTOINCREMENT": "SQLite",
    "UNSIGNED": "MySQL and SQLite",
    "AUTO_INCREMENT": "MySQL",
    "ENGINE": "MySQL",
    "VIRTUAL": "SQLite",
}
#: The `dialect` setting that reads a file written for one of those engines as it is written
#: ("MySQL and SQLite", `UNSIGNED`, names no one engine).
ENGINE_DIALECTS = {"MySQL": "mysql", "SQLite": "sqlite"}


@dataclass(frozen=True, slots=True)
class CannotRun:
    """Why a statement cannot run, and whether that is certain or only what sqlglot says."""

    reason: str
    certain: bool
    #: the engine whose syntax PostgreSQL rejected (`_OTHER_ENGINES`), when that is why
    engine: str | None = None


def cannot_run(text: str, result: StatementResult, dialect: str) -> CannotRun | None:
    """None when the statement may run; else why not. Asked of definitions only (a statement
    that creates something): nothing else needs the verdict."""
    if not any(ref.operation == "create" for ref in result.refs):
        return None
    keyword = statement_keyword(text)
    not_sql = keyword is None or keyword not in SINK_KEYWORDS
    start = " ".join(text.split())[:40]
    opening = f"it does not start with a SQL command (it starts {start!r})"
    if _SUBSTITUTED.search(text):
        # what the server receives is known only after substitution: judge the opening only
        return CannotRun(opening, True) if not_sql else None
    if dialect in POSTGRES_DIALECTS:
        # PostgreSQL's verdict, whatever sqlglot thought (it is lenient: `(id int,, x int)`).
        rejection = _postgres_rejection(text)
        if rejection is None:
            return None
        detail = f"PostgreSQL's parser says {rejection}"
        word = re.search(r'at or near "(\w+)"', rejection)
        engine = _OTHER_ENGINES.get(word.group(1).upper()) if word else None
        if engine and not not_sql:
            return CannotRun(
                f"{detail}: {word.group(1)} is {engine} syntax, so the statement cannot run on "
                f"PostgreSQL; if this file is meant for {engine} too, it is not broken there",
                False,
                engine,
            )
        return CannotRun(f"{opening}; {detail}" if not_sql else detail, True)
    if result.parsed or result.statement_type != "unparsed" or not result.error:
        return None
    if not result.error.startswith(PARSER_FAILURES):
        return None  # a limit of the parser (too long, too deep), not of the statement
    if not_sql:
        return CannotRun(opening, True)
    return CannotRun(f"sqlglot cannot parse it as {dialect} SQL ({result.error})", False)


def _postgres_rejection(text: str) -> str | None:
    """PostgreSQL's syntax error for `text`, or None when its parser accepts it. (pglast is
    imported here: a rescan whose SQL files come from the cache never loads it, 0.04 s.)"""
    from pglast import parser as postgres_parser

    try:
        postgres_parser.parse_sql(text)
    except postgres_parser.ParseError as exc:
        message = re.sub(r", at index \d+$", "", " ".join(str(exc).split()))
        # "at or near" quotes the whole token: a docstring is one token of many lines
        message = re.sub(r'(at or near ")(.{40}).+"$', r'\1\2..."', message)
        return message[:200]
    return None
