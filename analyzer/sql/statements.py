"""Turn one SQL statement into the tables it reads, writes or changes.

sqlglot does the real work: statements are parsed into expression trees, DML targets and DDL
subjects are read off the tree by statement type, and every other table is found through
sqlglot's scope analysis (``traverse_scope``), which is what keeps CTE names, recursive CTEs
and aliases from being mistaken for tables.

Where sqlglot gives up (a parse error, or an opaque ``exp.Command`` for syntax it does not
model, such as ``DO`` blocks or ``ALTER TABLE ... ATTACH PARTITION``) a token-level extractor
runs over sqlglot's own tokenizer output. Its findings carry ``confidence="low"`` and the
result says ``parsed=False``. Two kinds of ``Command`` are treated as understood instead:

* statements that cannot name a table (``CREATE EXTENSION``, ``SET``, ``GRANT ... ON SCHEMA``
  and the like) give ``parsed=True`` and no refs, because they are not errors;
* statements whose grammar fixes where the table name stands (``ALTER TABLE t OWNER TO ...``,
  ``ALTER SEQUENCE ... OWNED BY t.col``, ``GRANT/REVOKE ... ON t``, ``COMMENT ON``,
  ``CREATE/DROP TRIGGER|POLICY ... ON t``, ``REFRESH MATERIALIZED VIEW``, ``LOCK``) are read
  exactly from the tokens and give ``parsed=True`` with high confidence. pg_dump emits these
  for every table, and flagging each as unparsed would bury the real problems.

Nothing here raises: every failure becomes a ``StatementResult`` with ``parsed=False``.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.tokens import Token, TokenType

from analyzer.sql.detect import Parsed
from analyzer.sql.names import TableKey, normalize_identifier
from analyzer.sql.refs import (
    HOLE_PREFIX,
    TEMPORARY_CREATION,
    StatementResult,
    TableRef,
    hole_marker,
    holes_in,
    object_type_of,
    ordered,
    shift,
)
from analyzer.sql.split import split_statements
from analyzer.sql.tokenscan import _token_path

# Parsing cost grows with size; beyond this a statement only gets the token scan.
MAX_PARSE_CHARS = 200_000
# One placeholder and nothing else (`hole_marker`).
_WHOLE_HOLE = re.compile(re.escape(HOLE_PREFIX) + r"\d+__")


class _QuietCommandFallback(logging.Filter):
    """sqlglot warns for every statement it turns into a Command; here that is expected."""

    _NOISE = ("Falling back to parsing as a 'Command'", "Cannot traverse scope")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(noise in message for noise in self._NOISE)


_SQLGLOT_LOGGER = logging.getLogger("sqlglot")
if not any(isinstance(f, _QuietCommandFallback) for f in _SQLGLOT_LOGGER.filters):
    _SQLGLOT_LOGGER.addFilter(_QuietCommandFallback())


_SQLITE_MAIN = "main"


def _main_as_default(result: StatementResult, default_schema: str) -> StatementResult:
    """SQLite's `main.t` is `t`: `main` is the name of the connection's own database file,
    the one unqualified names are in (another is named by `ATTACH ... AS other`)."""

    def key(found: TableKey) -> TableKey:
        return TableKey(default_schema, found.name) if found.schema == _SQLITE_MAIN else found

    if not any(ref.schema == _SQLITE_MAIN for ref in result.refs) and not any(
        found.schema == _SQLITE_MAIN
        for found in (*result.sequences, *result.probed, *result.references)
    ):
        return result
    return replace(
        result,
        refs=tuple(
            replace(ref, schema=default_schema) if ref.schema == _SQLITE_MAIN else ref
            for ref in result.refs
        ),
        sequences=tuple(key(found) for found in result.sequences),
        probed=tuple(key(found) for found in result.probed),
        references=tuple(key(found) for found in result.references),
    )


def analyze_statement(
    sql: str, *, dialect: str = "postgres", default_schema: str = "public",
    parsed: Parsed | None = None, one_a_line: bool = False,
) -> StatementResult:
    """Classify every table reference in ``sql``; never raises. `parsed`: sqlglot's parses
    already made (`detect.is_sql_text(parsed=...)`); the one of the very text this would
    parse, in this dialect, is taken from it (and out of it) rather than made again: the same
    input gives sqlglot's same tree, and the verdict only read it. `one_a_line`: the text may
    be statements one a line with no `;` (`_statements_by_line`), for a text its code may
    split on line breaks; a `.sql` file or a text a sink runs as it is fails so."""
    try:
        if _ATTACH_OR_DETACH.match(sql):
            attachment = _attachment(sql)
            if attachment is not None:
                return attachment
        if _SQLITE_ONLY.match(sql):
            # `CREATE VIRTUAL TABLE ... USING fts5(...)` and `PRAGMA foreign_keys = on`
            # exist only in SQLite: a project running them has a SQLite database, whatever
            # its main dialect (PostgreSQL's grammar cannot read `= on`). The module's
            # options (`tokenize="porter"`) are no columns, and sqlglot stops at them; they
            # come after the table's name, so dropping them moves no offset that matters.
            dialect = "sqlite"
            using = _VIRTUAL_USING.search(sql)
            if using is not None:
                sql = sql[: using.end()] + _MODULE_OPTION.sub("", sql[using.end() :])
        result = _analyze(sql, dialect, default_schema, parsed, one_a_line)
        if dialect == "sqlite" and default_schema != _SQLITE_MAIN:
            result = _main_as_default(result, default_schema)
        return result
    except Exception as exc:  # last resort: the contract is that nothing escapes
        return StatementResult((), False, "unparsed", _one_line(f"internal error: {exc!r}"))


# ---------------------------------------------------------------------------------------------
# Preparing text for sqlglot
# ---------------------------------------------------------------------------------------------

# Keywords that end a parameter's name for sqlglot (`:values`, `:from`): measured against
# sqlglot's postgres parser; `:name`, `:user`, `:type` parse as they are.
_CLAUSE_KEYWORDS = frozenset(
    {
        "ALIAS", "ALTER", "AND", "BETWEEN", "CREATE", "CROSS", "DISTINCT", "DROP", "ELSE",
        "EXCEPT", "FETCH", "FROM", "GRANT", "HAVING", "ILIKE", "INNER", "INSERT", "INTERSECT",
        "INTO", "JOIN", "LATERAL", "LIKE", "NOT", "ON", "ONLY", "OR", "OUTER", "RETURNING",
        "SELECT", "THEN", "UNION", "USING", "VALUES", "WHEN", "WHERE", "WITH",
    }
)
_NEEDS_PLACEHOLDER_FIX = re.compile(r"%%|:\d|(?<!:):[A-Za-z_]")
_WITH_DATA_SUFFIX = re.compile(r"\s+WITH\s+(?:NO\s+)?DATA\s*;?\s*\Z", re.IGNORECASE)
_CREATE_MATVIEW = re.compile(r"\s*CREATE\s+MATERIALIZED\s+VIEW\b", re.IGNORECASE)
# A temporary table's lifetime (`CREATE TEMP TABLE t ON COMMIT DROP AS SELECT ...`), which
# sqlglot's PostgreSQL parser rejects (an opaque Command); it changes no table the statement
# names or reads.
_ON_COMMIT = re.compile(
    r"\bON\s+COMMIT\s+(?:DROP|DELETE\s+ROWS|PRESERVE\s+ROWS)\b", re.IGNORECASE
)
_TEMPORARY_TABLE = re.compile(r"\bTEMP(?:ORARY)?\s+TABLE\b", re.IGNORECASE)
# PostgreSQL before 12 took `CREATE TABLE t (...) WITHOUT OIDS` (or `WITH OIDS`), which old
# schema files keep on every table and sqlglot rejects (an opaque Command): whether rows get
# an oid changes no table nor column the statement names.
_CREATE_TABLE = re.compile(r"\s*CREATE\s+(?:(?:GLOBAL|LOCAL|TEMP|TEMPORARY|UNLOGGED)\s+)*TABLE\b",
                           re.IGNORECASE)
_OIDS = re.compile(r"(?<=\))\s*WITH(?:OUT)?\s+OIDS\b", re.IGNORECASE)
_SQLITE_ONLY = re.compile(r"\s*(?:CREATE\s+VIRTUAL\s+TABLE|PRAGMA)\b", re.IGNORECASE)
_ATTACH_OR_DETACH = re.compile(r"\s*(?:ATTACH|DETACH)\b", re.IGNORECASE)


def _attachment(sql: str) -> StatementResult | None:
    """SQLite's `ATTACH [DATABASE] <file expression> AS <schema name>` and `DETACH
    [DATABASE] <schema name>`: no table, the schema name another database file gets (a
    quoted one as written, else in lower case, as the names of other statements are; none
    when a hole gives it at run time). sqlglot reads them in its sqlite dialect only, so
    they are asked of that dialect whatever the scan's; None when it does not read them."""
    try:
        tree = sqlglot.parse_one(sql, read="sqlite")
    except Exception:
        return None
    if isinstance(tree, exp.Detach):
        return StatementResult((), True, "detach")
    if not isinstance(tree, exp.Attach):
        return None
    alias = tree.this.args.get("alias") if isinstance(tree.this, exp.Alias) else None
    name = None
    if isinstance(alias, exp.Identifier) and HOLE_PREFIX not in alias.this:
        name = alias.this if alias.quoted else alias.this.lower()
    return StatementResult((), True, "attach", attached=name)
_VIRTUAL_USING = re.compile(r"\bUSING\s+\w+\s*\(", re.IGNORECASE)
_MODULE_OPTION = re.compile(r"\s*,?\s*\w+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[\w.]+)")
# MySQL's and SQLite's `REPLACE INTO t ...` and CockroachDB's `UPSERT INTO t ...` are INSERTs
# that may first delete the row with the same key; sqlglot keeps the first as an opaque
# Command and rejects the second, so the table they write was never seen.
_INSERT_SYNONYM = re.compile(r"\s*(REPLACE|UPSERT)(?=\s+INTO\b)", re.IGNORECASE)


def normalize_placeholders(sql: str, dialect: str = "postgres") -> str:
    """Rewrite the placeholder styles sqlglot cannot parse; offsets are preserved.

    sqlglot's postgres dialect reads ``%s``, ``%(name)s``, ``$1``, ``:name`` and ``?`` as
    parameters already. Two styles break it: psycopg's escaped percent ``%%`` (becomes
    ``% ``) and numeric named parameters ``:1`` (become ``$1``). Only tokens outside string
    literals, quoted identifiers and comments are touched, and ``::`` casts are separate
    tokens, so they are never affected. A named parameter spelled like a keyword
    (``:values``, ``:user``) gets its first letter replaced by ``_`` so it stays a parameter.

    Other dialects (mysql, sqlite, tsql...) read ``%`` as modulo, so the DB-API ``format`` and
    ``pyformat`` parameters of MySQLdb, PyMySQL and mysql-connector (``%s``, ``%(name)s``)
    become ``?`` padded with spaces, which they read as a parameter: every query of a MySQL
    project had been a parse error, its tables only token-scanned.
    """
    percent = "%" in sql and _percent_needs_rewriting(dialect)
    if not percent and not _NEEDS_PLACEHOLDER_FIX.search(sql):
        return sql
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(sql)
    except Exception:
        return sql
    chars = list(sql)
    for before, after in itertools.pairwise(tokens):
        adjacent = after.start == before.end + 1
        kinds = (before.token_type, after.token_type)
        if adjacent and kinds == (TokenType.MOD, TokenType.MOD):
            chars[after.start] = " "
        elif adjacent and kinds == (TokenType.COLON, TokenType.NUMBER):
            chars[before.start] = "$"
        elif (
            adjacent
            and before.token_type == TokenType.COLON
            and after.token_type.name in _CLAUSE_KEYWORDS
            and sql[after.start : after.end + 1].isidentifier()
        ):
            chars[after.start] = "_"  # `:values` -> `:_alues`, a parameter, not a keyword
    if percent:
        _question_marks_for_percent_parameters(sql, tokens, chars)
    return "".join(chars)


def _parses(text: str, dialect: str) -> bool:
    """Whether sqlglot's `dialect` parses `text`: how the probes below ask sqlglot itself
    what a dialect reads, rather than keep a list of dialects by hand."""
    try:
        sqlglot.parse_one(text, read=dialect)
    except Exception:
        return False
    return True


@functools.cache
def _percent_needs_rewriting(dialect: str) -> bool:
    """Whether sqlglot's `dialect` takes DB-API's `%s` for modulo but reads `?` as a
    parameter (asked once per dialect)."""
    return not _parses("SELECT a FROM t WHERE b = %s", dialect) and _parses(
        "SELECT a FROM t WHERE b = ?", dialect
    )


@functools.cache
def _brackets_need_rewriting(dialect: str) -> bool:
    """Whether sqlglot's `dialect` rejects a table name in brackets (SQLite's, SQL Server's
    `FROM [t]`), which it reads in double quotes (asked once per dialect)."""
    return not _parses("SELECT a FROM [t]", dialect)


# Tokens after which a bracket opens a table's name, not an array or a subscript
_BEFORE_A_TABLE = frozenset(
    {TokenType.FROM, TokenType.JOIN, TokenType.INTO, TokenType.UPDATE, TokenType.TABLE,
     TokenType.EXISTS}
)  # fmt: skip


def _bracketed_names_quoted(sql: str, dialect: str) -> str:
    """`INSERT INTO [blacklist]`, `[main].[tv_shows]` -> the names between spaces, `FROM
    [show list]`, `FROM [order]` -> in double quotes, same length: in a dialect that reads
    brackets as arrays, a bracket after FROM, JOIN, INTO, UPDATE or TABLE (or after such a
    name and a dot) can only be a name in SQLite's or SQL Server's quoting, and sqlglot then
    parses the statement. Those engines compare names without case, quoted or not, so a
    plain word loses its brackets (`[lastSearch]` is the table `CREATE TABLE lastSearch`
    made); a name that is not one word, or is a keyword, keeps them as quotes. Never inside
    strings or comments (tokens), nor an array or a subscript elsewhere."""
    try:
        tokens = Dialect.get_or_raise(dialect).tokenize(sql)
    except Exception:
        return sql
    chars = list(sql)
    quoted_last = -1  # index of the `]` of the last name quoted
    for i, token in enumerate(tokens):
        if token.token_type != TokenType.L_BRACKET or i == 0:
            continue
        before = tokens[i - 1]
        after_name = before.token_type == TokenType.DOT and i >= 2 and quoted_last == i - 2
        if before.token_type not in _BEFORE_A_TABLE and not after_name:
            continue
        close = next(
            (k for k in range(i + 1, len(tokens)) if tokens[k].token_type == TokenType.R_BRACKET),
            None,
        )
        if close is None or close == i + 1:
            continue
        inside = sql[token.end + 1 : tokens[close].start]
        if not _BRACKETED_NAME.fullmatch(inside):
            continue
        plain = close == i + 2 and tokens[i + 1].token_type == TokenType.VAR
        chars[token.start] = chars[tokens[close].start] = " " if plain else '"'
        quoted_last = close
    return "".join(chars)


_BRACKETED_NAME = re.compile(r"[A-Za-z_][\w $-]*")


def _question_marks_for_percent_parameters(
    sql: str, tokens: list[Token], chars: list[str]
) -> None:
    """`%s` -> `? `, `%(name)s` -> `?` and spaces, for tokens that touch (never in strings)."""

    def touching(first: int, count: int) -> bool:
        return all(
            tokens[k + 1].start == tokens[k].end + 1 for k in range(first, first + count - 1)
        )

    def is_s(token: Token) -> bool:
        return token.token_type == TokenType.VAR and token.text == "s"

    i = 0
    while i < len(tokens) - 1:
        if tokens[i].token_type == TokenType.MOD:
            if is_s(tokens[i + 1]) and touching(i, 2):
                chars[tokens[i].start], chars[tokens[i + 1].start] = "?", " "
                i += 2
                continue
            named = tokens[i + 1 : i + 5]
            if (
                len(named) == 4
                and named[0].token_type == TokenType.L_PAREN
                and sql[named[1].start : named[1].end + 1].isidentifier()
                and named[2].token_type == TokenType.R_PAREN
                and is_s(named[3])
                and touching(i, 5)
            ):
                chars[tokens[i].start] = "?"
                for k in range(tokens[i].start + 1, named[3].end + 1):
                    chars[k] = " "
                i += 5
                continue
        i += 1


def _prepare(sql: str, dialect: str) -> str:
    """Same-length rewrites that let sqlglot parse common input it rejects (PostgreSQL's,
    MySQL's REPLACE, DB-API parameters): every offset stays where it was."""
    text = sql
    synonym = _INSERT_SYNONYM.match(text)
    if synonym is not None:
        # the statement parses as the INSERT it is: `REPLACE` -> `INSERT `, `UPSERT` -> `INSERT`
        # (first: MySQL's tokenizer takes all that follows a REPLACE for one string)
        start, end = synonym.span(1)
        text = text[:start] + "INSERT".ljust(end - start) + text[end:]
    text = normalize_placeholders(text, dialect)
    if "[" in text and _brackets_need_rewriting(dialect):
        text = _bracketed_names_quoted(text, dialect)
    if _CREATE_MATVIEW.match(text):
        # sqlglot rejects the "WITH [NO] DATA" tail pg_dump writes on every materialized view.
        match = _WITH_DATA_SUFFIX.search(text)
        if match:
            text = text[: match.start()] + " " * (match.end() - match.start())
    if _TEMPORARY_TABLE.search(text):
        text = _ON_COMMIT.sub(lambda match: " " * len(match.group(0)), text)
    if _CREATE_TABLE.match(text) and "OIDS" in text.upper():
        text = _OIDS.sub(lambda match: " " * len(match.group(0)), text)
    return text


def _parse(sql: str, dialect: str) -> list[exp.Expr]:
    return [e for e in sqlglot.parse(sql, read=dialect) if e is not None]


def _one_line(text: str, limit: int = 200) -> str:
    text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _parse_error_text(exc: Exception) -> str:
    if isinstance(exc, RecursionError):
        return "statement is nested too deeply for the SQL parser"
    if isinstance(exc, ParseError) and exc.errors:
        first = exc.errors[0]
        where = f" (line {first.get('line')}, col {first.get('col')})"
        return _one_line(f"parse error: {first.get('description')}{where}")
    if isinstance(exc, TokenError):
        return _one_line(f"tokenizer error: {exc}")
    return _one_line(f"parse error: {type(exc).__name__}: {exc}")


# ---------------------------------------------------------------------------------------------
# Top-level flow
# ---------------------------------------------------------------------------------------------


def _analyze(sql: str, dialect: str, default_schema: str,
             parsed: Parsed | None = None, one_a_line: bool = False) -> StatementResult:
    try:
        Dialect.get_or_raise(dialect)
    except Exception:
        return StatementResult((), False, "unparsed", f"unknown SQL dialect {dialect!r}")
    text = _prepare(sql, dialect)
    if len(text) > MAX_PARSE_CHARS:
        reason = f"statement too long for the SQL parser ({len(text)} characters)"
        return _token_path(text, dialect, default_schema, reason, command=False)
    made = parsed.pop((text, dialect), None) if parsed else None
    if made is not None:
        expressions = [e for e in made if e is not None]  # (`_parse` on the same text)
    else:
        try:
            expressions = _parse(text, dialect)
        except Exception as exc:  # ParseError, TokenError, RecursionError, anything else
            return _token_path(
                text, dialect, default_schema, _parse_error_text(exc), command=False
            )
    if not expressions:
        return StatementResult((), True, "empty")
    if len(expressions) > 1:
        return _analyze_several(sql, dialect, default_schema, expressions)
    expression = expressions[0]
    if isinstance(expression, exp.Command):
        called = _CALL.match(text)
        if called is not None:
            name = normalize_identifier(called.group(1), quoted=False)
            return StatementResult((), True, "call", calls=(name,))
        lines = _statements_by_line(text) if one_a_line else None
        if lines is not None:
            return _pieces_merged(lines, dialect, default_schema)
        reason = "syntax sqlglot does not model (it parsed as an opaque Command)"
        return _token_path(text, dialect, default_schema, reason, command=True)
    sequence = _created_sequence(expression, default_schema)
    if sequence is not None:
        return StatementResult((), True, "create", sequences=(sequence,))
    refs = _tree_refs(expression, default_schema)
    return StatementResult(
        refs, True, type(expression).__name__.lower(), calls=_calls(expression),
        probed=_probed(expression, refs, default_schema),
        references=_references(expression, default_schema),
    )


def _references(expression: exp.Expr, default_schema: str) -> tuple[TableKey, ...]:
    """The tables a CREATE TABLE's or an ALTER TABLE's foreign keys reference."""
    if not isinstance(expression, exp.Create | exp.Alter):
        return ()
    collector = _Collector(default_schema)
    found: list[TableKey] = []
    for reference in expression.find_all(exp.Reference):
        table = _unwrap_table(reference.this)
        key = collector.key_of(table.this, table.args.get("db")) if table is not None else None
        if key is not None and key[1] and HOLE_PREFIX not in key[1] + key[0]:
            found.append(TableKey(*key))
    return tuple(dict.fromkeys(found))


def _created_sequence(expression: exp.Expr, default_schema: str) -> TableKey | None:
    """The sequence `CREATE [TEMP] SEQUENCE [IF NOT EXISTS] [schema.]name ...` makes."""
    if not isinstance(expression, exp.Create) or str(expression.args.get("kind")).upper() != (
        "SEQUENCE"
    ):
        return None
    table = _unwrap_table(expression.this)
    if table is None:
        return None
    key = _Collector(default_schema).key_of(table.this, table.args.get("db"))
    return TableKey(*key) if key is not None and key[1] else None


#: Catalogs that list tables by name, and the columns holding the name: a query comparing
#: one with a literal asks whether that table exists (`_probed`).
_CATALOGS = frozenset(
    {("", "sqlite_master"), ("", "sqlite_schema"), ("", "sqlite_temp_master"),
     ("", "pragma_table_list"), ("information_schema", "tables"),
     ("information_schema", "views"), ("", "pg_tables"), ("pg_catalog", "pg_tables"),
     ("", "pg_class"), ("pg_catalog", "pg_class"), ("", "pg_views"), ("pg_catalog", "pg_views"),
     ("", "pg_matviews"), ("pg_catalog", "pg_matviews")}
)
_CATALOG_NAME_COLUMNS = frozenset(
    {"name", "tbl_name", "table_name", "tablename", "relname", "viewname", "matviewname"}
)
_EXISTENCE_FUNCTIONS = frozenset({"to_regclass"})


def _probed(
    expression: exp.Expr, refs: tuple[TableRef, ...], default_schema: str
) -> tuple[TableKey, ...]:
    """The tables a statement asks the catalog about: `... FROM sqlite_master WHERE type =
    'table' AND name = 'books_fts'`, `information_schema.tables WHERE table_name IN ('a',
    'b')`, `SELECT to_regclass('audit.events')`. Code asking so uses such a table only if it
    is there (an optional table another program or an extension makes)."""
    names: list[str] = []
    for node in expression.find_all(exp.Anonymous):
        if node.name.lower() in _EXISTENCE_FUNCTIONS and node.expressions:
            first = node.expressions[0]
            if isinstance(first, exp.Literal) and first.is_string:
                names.append(first.this)
    if any(
        (("" if ref.schema == default_schema else ref.schema), ref.name) in _CATALOGS
        for ref in refs
    ):
        for node in expression.find_all(exp.EQ, exp.In):
            if isinstance(node, exp.EQ):
                sides = [(node.this, node.expression), (node.expression, node.this)]
                pairs = [(c, [v]) for c, v in sides]
            else:
                pairs = [(node.this, list(node.expressions))]
            for column, values in pairs:
                if not (
                    isinstance(column, exp.Column) and column.name.lower() in _CATALOG_NAME_COLUMNS
                ):
                    continue
                names.extend(
                    v.this for v in values if isinstance(v, exp.Literal) and v.is_string
                )
    keys: list[TableKey] = []
    for name in names:
        schema, _, table = name.rpartition(".")
        if not table or HOLE_PREFIX in name:
            continue
        keys.append(TableKey(
            normalize_identifier(schema, quoted=False) if schema else default_schema,
            normalize_identifier(table, quoted=False),
        ))
    return tuple(dict.fromkeys(keys))


# `CALL [schema.]procedure(...)`, which sqlglot keeps as an opaque command
_CALL = re.compile(r"\s*CALL\s+(?:[A-Za-z_][\w$]*\s*\.\s*)?([A-Za-z_][\w$]*)\s*\(", re.IGNORECASE)


def _calls(expression: exp.Expr) -> tuple[str, ...]:
    """The functions a parsed statement calls that sqlglot does not know as built-ins, each
    once, in the order they appear."""
    names = (
        normalize_identifier(node.name, quoted=False) for node in expression.find_all(exp.Anonymous)
    )
    return tuple(dict.fromkeys(name for name in names if name))


# a line that starts a statement of a schema upgrade, at the start of a line of its own
_STATEMENT_LINE = re.compile(
    r"^([ \t]*)(?:ALTER\s+TABLE|CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX)|DROP\s+(?:TABLE|INDEX)"
    r"|UPDATE\s+\w+\s+SET|INSERT\s+INTO|DELETE\s+FROM)\b",
    re.IGNORECASE | re.MULTILINE,
)


def _statements_by_line(text: str) -> list[tuple[int, str]] | None:
    """Statements written one a line with no `;` between them (`ALTER TABLE podcast ADD
    COLUMN x` on one line, `UPDATE podcast SET y = NULL` on the next: a runner splits the text
    on line breaks), which sqlglot reads as one opaque command naming only the first table:
    (offset, text) of each, when two or more lines start such a statement at the first one's
    indentation and nothing else does; else None."""
    if ";" in text:
        return None
    starts = list(_STATEMENT_LINE.finditer(text))
    if len(starts) < 2:
        return None
    # (the text may begin with the first statement, its indentation stripped)
    indent = starts[1].group(1)
    if any(match.group(1) != indent for match in starts[1:]) or (
        starts[0].group(1) != indent and starts[0].start() != 0
    ):
        return None
    pieces = []
    for index, match in enumerate(starts):
        begin = match.start() + len(match.group(1))
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        pieces.append((begin, text[begin:end].rstrip()))
    if text[: starts[0].start()].strip():
        return None  # text before the first statement: no such list
    return pieces


def _pieces_merged(
    pieces: Iterable[tuple[int, str]], dialect: str, default_schema: str
) -> StatementResult:
    """Statements of one text, (offset, text) each, analysed alone, their findings merged:
    the refs moved to their place in the whole text, the first error, the first type."""
    results = []
    for offset, piece in pieces:
        result = _analyze(piece, dialect, default_schema)
        results.append(replace(result, refs=tuple(shift(ref, offset) for ref in result.refs)))
    errors = [r.error for r in results if r.error]
    return StatementResult(
        ordered(ref for r in results for ref in r.refs),
        all(r.parsed for r in results),
        results[0].statement_type,
        errors[0] if errors else None,
        calls=tuple(dict.fromkeys(name for r in results for name in r.calls)),
        sequences=tuple(dict.fromkeys(key for r in results for key in r.sequences)),
        probed=tuple(dict.fromkeys(key for r in results for key in r.probed)),
        references=tuple(dict.fromkeys(key for r in results for key in r.references)),
    )


def _analyze_several(
    sql: str, dialect: str, default_schema: str, expressions: list[exp.Expr]
) -> StatementResult:
    """A string holding several statements: analyse each piece and merge the findings."""
    pieces, _problems = split_statements(sql)
    if len(pieces) <= 1:
        refs: list[TableRef] = []
        calls: list[str] = []
        sequences: list[TableKey] = []
        probed: list[TableKey] = []
        references: list[TableKey] = []
        for expression in expressions:
            sequence = _created_sequence(expression, default_schema)
            if sequence is not None:
                sequences.append(sequence)
            elif not isinstance(expression, exp.Command):
                own = _tree_refs(expression, default_schema)
                refs.extend(own)
                calls.extend(_calls(expression))
                probed.extend(_probed(expression, own, default_schema))
                references.extend(_references(expression, default_schema))
        return StatementResult(
            ordered(refs), True, type(expressions[0]).__name__.lower(),
            calls=tuple(dict.fromkeys(calls)), sequences=tuple(dict.fromkeys(sequences)),
            probed=tuple(dict.fromkeys(probed)), references=tuple(dict.fromkeys(references)),
        )
    return _pieces_merged(
        ((piece.offset, piece.text) for piece in pieces), dialect, default_schema
    )


# ---------------------------------------------------------------------------------------------
# Tree extraction (sqlglot parsed the statement)
# ---------------------------------------------------------------------------------------------


def _identifier_text(node: exp.Expr | None) -> tuple[str, str] | None:
    """(normalised, raw) text of an Identifier node, or None for anything else."""
    if not isinstance(node, exp.Identifier):
        return None
    raw = node.this if isinstance(node.this, str) else node.name
    return normalize_identifier(raw, bool(node.args.get("quoted"))), raw


def _unwrap_table(node: exp.Expr | None) -> exp.Table | None:
    while isinstance(node, exp.Schema):
        node = node.this
    return node if isinstance(node, exp.Table) else None


class _Collector:
    """Accumulates refs; tables claimed as targets are not reported again as reads."""

    def __init__(self, default_schema: str) -> None:
        self.default_schema = default_schema
        self.refs: list[TableRef] = []
        self.claimed: set[int] = set()

    def key_of(self, name: exp.Expr | None, schema: exp.Expr | None) -> tuple[str, str] | None:
        name_text = _identifier_text(name)
        if name_text is None:
            return None
        schema_text = _identifier_text(schema)
        return (schema_text[0] if schema_text else self.default_schema), name_text[0]

    def parts(
        self,
        name: exp.Expr | None,
        schema: exp.Expr | None,
        kind: str,
        operation: str,
        **extra: Any,
    ) -> None:
        """Record a ref from the name and schema Identifiers of a table."""
        key = self.key_of(name, schema)
        if key is None or name is None or not key[1]:
            return  # (an empty name is no table: `COPY ''` names a string, not a relation)
        raw_schema = _identifier_text(schema)
        raw_name = _identifier_text(name)
        holes = holes_in(raw_schema[1] if raw_schema else "", raw_name[1] if raw_name else "")
        offset = name.meta.get("start")
        self.refs.append(TableRef(*key, kind, operation, offset=offset, holes=holes, **extra))

    def table(self, node: exp.Expr | None, kind: str, operation: str, **extra: Any) -> None:
        table = _unwrap_table(node)
        if table is None:
            return
        self.claimed.add(id(table))
        self.parts(table.this, table.args.get("db"), kind, operation, **extra)

    def reads(self, root: exp.Expr) -> None:
        for table in _source_tables(root):
            if id(table) not in self.claimed:
                self.table(table, "read", "subquery" if _subquery_hole(table) else "select")


def _subquery_hole(table: exp.Table) -> bool:
    """`FROM ({query}) AS t` with `{query}` unresolved: sqlglot reads the placeholder as a
    table in brackets, but a value filling a whole derived table is a query (a table name is
    not valid there), so its operation says "subquery": its tables are unknown, not its name."""
    return (
        isinstance(table.parent, exp.Subquery) and not table.args.get("db")
        and _WHOLE_HOLE.fullmatch(table.name) is not None
    )


def _lower_unquoted(expression: exp.Expr) -> None:
    """Fold unquoted identifiers the PostgreSQL way so CTE names match their references."""
    for identifier in expression.find_all(exp.Identifier):
        if not identifier.args.get("quoted") and isinstance(identifier.this, str):
            identifier.set("this", normalize_identifier(identifier.this, quoted=False))


def _tree_refs(expression: exp.Expr, default_schema: str) -> tuple[TableRef, ...]:
    _lower_unquoted(expression)
    collector = _Collector(default_schema)
    for kind, handler in _TREE_HANDLERS:
        if isinstance(expression, kind):
            handler(expression, collector)
            break
    _dml_targets(expression, collector)
    collector.reads(expression)
    return ordered(collector.refs)


def _source_tables(root: exp.Expr) -> list[exp.Table]:
    """Tables read anywhere in ``root``, excluding CTE references, via sqlglot scopes."""
    try:
        scopes = traverse_scope(root)
    except Exception:
        return _unscoped_tables(root)
    # sqlglot registers no scope for a CTE whose body is INSERT/UPDATE/DELETE (a writable
    # CTE), nor for one whose body is no query at all (psycopg's `execute_values` template
    # `WITH ids (id) AS (VALUES %s)` parses as `VALUES % s`), so references to those names are
    # recognised by name.
    dml_ctes = {
        cte.alias for cte in root.find_all(exp.CTE) if not isinstance(cte.this, exp.Query)
    }
    found: dict[int, exp.Table] = {}
    _add_scope_tables(scopes, found, dml_ctes)
    # sqlglot makes no scope for a query an INSERT holds outside its source query: a scalar
    # subquery among its VALUES (`VALUES ((SELECT id FROM users WHERE ...), ...)`) or in its
    # RETURNING; each such query is read on its own, the statement's CTE names excluded
    if not isinstance(root, exp.Insert) and not dml_ctes:
        return list(found.values())
    reached = {id(scope.expression) for scope in scopes}
    outer_ctes: set[str] | None = None
    for query in root.find_all(exp.Select):
        if id(query) in reached:
            continue
        if outer_ctes is None:
            outer_ctes = {cte.alias for cte in root.find_all(exp.CTE)} | dml_ctes
        try:
            inner = traverse_scope(query)
        except Exception:
            continue
        reached.update(id(scope.expression) for scope in inner)
        _add_scope_tables(inner, found, outer_ctes)
    return list(found.values())


def _add_scope_tables(
    scopes: list[Scope], found: dict[int, exp.Table], ctes: set[str]
) -> None:
    """The tables the scopes read into `found` (by node), CTE references left out."""
    for scope in scopes:
        for table in _scope_tables(scope):
            if id(table) not in found and not _is_cte_reference(table, scope, ctes):
                found[id(table)] = table


def _scope_tables(scope: Scope) -> Iterator[exp.Table]:
    yield from (t for t in scope.tables if not _names_no_table(t))
    # A scope rooted at a bare table (UPDATE ... FROM t) lists it only among its sources.
    yield from (s for s in scope.sources.values() if isinstance(s, exp.Table))


def _names_no_table(table: exp.Table) -> bool:
    """A Table node that names no table of its own. SQLite's `FROM coins INDEXED BY
    coin_name`: sqlglot keeps the index as a Table under the table's `indexed`. PostgreSQL's
    `FOR UPDATE OF o`: the lock names a FROM item, by its alias (`FROM orders o`) or its
    table, which the FROM clause already reads."""
    return table.arg_key == "indexed" or isinstance(table.parent, exp.Lock)


def _is_cte_reference(table: exp.Table, scope: Scope, dml_ctes: set[str]) -> bool:
    if table.args.get("db"):
        return False
    return table.name in scope.cte_sources or table.name in dml_ctes


def _unscoped_tables(root: exp.Expr) -> list[exp.Table]:
    """Degraded path when scope analysis fails: every table not named like a CTE."""
    cte_names = {cte.alias for cte in root.find_all(exp.CTE)}
    return [
        t for t in root.find_all(exp.Table)
        if not _names_no_table(t) and (t.args.get("db") or t.name not in cte_names)
    ]


def _dml_targets(expression: exp.Expr, c: _Collector) -> None:
    """Targets of every INSERT/UPDATE/DELETE/MERGE, including writable CTEs, and the tables
    MySQL joins to an UPDATE's or a multi-table DELETE's target (`UPDATE a JOIN b ON ... SET`,
    `DELETE a FROM a JOIN b`): sqlglot hangs them on the target, where its scopes do not look,
    so they are read here."""
    ctes: set[str] | None = None
    for node in expression.find_all(exp.Insert, exp.Update, exp.Delete, exp.Merge):
        operation = type(node).__name__.lower()
        c.table(node.this, "write", operation)
        for extra in node.args.get("tables") or []:  # multi-table DELETE in other dialects
            c.table(extra, "write", operation)
        joins = node.this.args.get("joins") if isinstance(node.this, exp.Table) else None
        for join in joins or ():
            joined = join.this
            if isinstance(joined, exp.Subquery):  # a derived table: the tables it reads
                tables = _source_tables(joined.this)
            elif isinstance(joined, exp.Table):
                tables = [joined]
            else:
                continue
            if ctes is None:
                ctes = {cte.alias for cte in expression.find_all(exp.CTE)}
            for table in tables:
                if table.args.get("db") or table.name not in ctes:
                    c.table(table, "read", "select")


#: The row variables of a PL/pgSQL trigger function: `SELECT ... INTO new.search_vector` in
#: its body assigns a field of the row being written, it creates no table.
_TRIGGER_ROWS = frozenset({"new", "old"})


def _select_into(expression: exp.Expr, c: _Collector) -> None:
    """``SELECT ... INTO new_table`` creates a table (not ``INTO new.field`` in a trigger's
    body, an assignment)."""
    for into in expression.find_all(exp.Into):
        if not isinstance(into.parent, exp.Select):
            continue
        target = into.this
        if isinstance(target, exp.Table) and target.db.lower() in _TRIGGER_ROWS:
            c.claimed.add(id(target))  # (a field, not a table read either)
            continue
        c.table(target, "ddl", "create")


def _truncate(expression: exp.Expr, c: _Collector) -> None:
    for table in expression.expressions:
        c.table(table, "write", "truncate")


def _copy(expression: exp.Expr, c: _Collector) -> None:
    if expression.args.get("kind"):
        c.table(expression.this, "write", "copy")
    else:
        c.table(expression.this, "read", "select")


def _create(expression: exp.Expr, c: _Collector) -> None:
    kind = str(expression.args.get("kind") or "").upper()
    if kind == "TABLE":
        _create_table(expression, c)
    elif kind == "VIEW":
        properties = expression.args.get("properties")
        materialized = bool(properties and properties.find(exp.MaterializedProperty))
        object_type = "materialized_view" if materialized else "view"
        c.table(
            expression.this,
            "ddl",
            _creation(expression),
            object_type=object_type,
            if_not_exists=bool(expression.args.get("exists")),
        )
    elif kind == "INDEX" and isinstance(expression.this, exp.Index):
        c.table(_indexed_table(expression.this), "ddl", "index")
    elif kind == "TRIGGER":
        for trigger in expression.find_all(exp.TriggerProperties):
            c.table(trigger.args.get("table"), "ddl", "trigger")


def _creation(expression: exp.Expr) -> str:
    """`create`, or `create_temporary` for `CREATE TEMP[ORARY] TABLE|VIEW`: a temporary table
    lives in the session that creates it, so it is no part of any schema a source builds (nor
    could a migration create it for the code). `GLOBAL TEMPORARY` stays `create`: the SQL
    standard's and Oracle's global temporary table is a schema object whose rows are private
    to a session (PostgreSQL ignores the word)."""
    properties = expression.args.get("properties")
    if properties is None or not properties.find(exp.TemporaryProperty):
        return "create"
    return "create" if properties.find(exp.GlobalProperty) else TEMPORARY_CREATION


def _indexed_table(index: exp.Index) -> exp.Expr | None:
    """The table an index is on. SQLite's `CREATE INDEX other_db.idx ON items(name)` (the
    schema qualifies the index, the table is in that schema) is parsed by sqlglot as an index
    named `other_db` on a table `idx`, with `items(name)` a function call: read it as it is."""
    table = index.args.get("table")
    params = index.args.get("params")
    on = params.args.get("on") if params is not None else None
    schema = index.this
    if (
        isinstance(on, exp.Anonymous)
        and isinstance(schema, exp.Identifier)
        and isinstance(table, exp.Table)
        and not table.args.get("db")
    ):
        return exp.Table(this=exp.to_identifier(on.name), db=schema.copy())
    return table


def _create_table(expression: exp.Expr, c: _Collector) -> None:
    schema = expression.this
    definitions = schema.expressions if isinstance(schema, exp.Schema) else []
    likes = [d for d in definitions if isinstance(d, exp.LikeProperty)]
    columns: tuple[str, ...] | None = None
    if isinstance(schema, exp.Schema) and not likes:
        # SQLite takes a column with no type (`CREATE TABLE weekly (shipdate, publisher
        # text)`), which sqlglot gives as a bare identifier
        columns = tuple(
            d.name for d in definitions if isinstance(d, exp.ColumnDef | exp.Identifier)
        )
        if any(isinstance(d, exp.Identifier) and HOLE_PREFIX in d.name for d in definitions):
            columns = None  # `CREATE TABLE t ({columns})`: a column list filled at run time
    properties = expression.args.get("properties")
    parents = [
        parent for inherits in (properties.find_all(exp.InheritsProperty) if properties else ())
        for parent in inherits.expressions
    ]
    inherited = tuple(
        key for key in (
            c.key_of(table.this, table.args.get("db"))
            for table in map(_unwrap_table, parents) if table is not None
        ) if key is not None
    )
    c.table(
        schema,
        "ddl",
        _creation(expression),
        columns=columns,
        if_not_exists=bool(expression.args.get("exists")),
        inherits=inherited,
    )
    for like in likes:
        c.table(like.this, "read", "select")
    if properties:
        for parent in properties.find_all(exp.PartitionedOfProperty):
            c.table(parent.this, "ddl", "other")
    for parent in parents:
        c.table(parent, "ddl", "other")


def _drop(expression: exp.Expr, c: _Collector) -> None:
    kind = str(expression.args.get("kind") or "").upper()
    if kind in ("TABLE", "VIEW", "MATERIALIZED VIEW"):
        object_type = object_type_of(kind, bool(expression.args.get("materialized")))
        for table in expression.args.get("tables") or []:
            c.table(
                table,
                "ddl",
                "drop",
                object_type=object_type,
                if_exists=bool(expression.args.get("exists")),
            )
    elif kind == "TRIGGER":
        for on in expression.find_all(exp.OnProperty):
            c.table(on.this, "ddl", "trigger")


def _alter(expression: exp.Expr, c: _Collector) -> None:
    kind = str(expression.args.get("kind") or "").upper()
    table = _unwrap_table(expression.this)
    if kind not in ("TABLE", "VIEW", "MATERIALIZED VIEW") or table is None:
        return
    c.claimed.add(id(table))
    object_type = object_type_of(kind, False)
    if_exists = bool(expression.args.get("exists"))
    changes: list[tuple[str, str, str | None]] = []
    rename_to: exp.Table | None = None
    other = False
    options = expression.args.get("options") or []
    for action in expression.args.get("actions") or []:
        if isinstance(action, exp.ColumnDef | exp.Drop) and action.args.get("exists"):
            # ADD COLUMN IF NOT EXISTS / DROP COLUMN IF EXISTS: the statement tolerates the
            # state it finds, like ALTER TABLE IF EXISTS (a conditional operation)
            if_exists = True
        change = _column_change(action, options)
        if change:
            changes.extend(change)
        elif isinstance(action, exp.AlterRename):
            rename_to = _unwrap_table(action.this)
        else:
            other = True
    if rename_to is not None:
        _rename(c, table, rename_to, object_type, if_exists)
    if changes or other or rename_to is None:
        c.table(
            table,
            "ddl",
            "alter",
            object_type=object_type,
            column_changes=tuple(changes),
            if_exists=if_exists,
        )


def _column_change(
    action: exp.Expr, options: list[exp.Expr]
) -> list[tuple[str, str, str | None]] | None:
    if isinstance(action, exp.ColumnDef):
        return [("add", action.name, None)]
    if isinstance(action, exp.Drop) and str(action.args.get("kind") or "").upper() == "COLUMN":
        return [("drop", column.name, None) for column in action.args.get("tables") or []]
    if isinstance(action, exp.RenameColumn):
        return [("rename", action.this.name, action.args["to"].name)]
    targets = [o for o in options if isinstance(o, exp.ToTableProperty)]
    if isinstance(action, exp.AlterRename) and targets:
        # sqlglot reads PostgreSQL's "RENAME old TO new" (COLUMN omitted) as a table rename
        # plus a TO option; it renames a column.
        return [("rename", action.this.name, targets[0].this.name)]
    return None


def _rename(
    c: _Collector, old: exp.Table, new: exp.Table, object_type: str, if_exists: bool
) -> None:
    """Two refs: the old name and the new one, each pointing at the other."""
    old_db = old.args.get("db")
    # PostgreSQL's RENAME TO takes an unqualified name that stays in the old table's schema.
    new_db = new.args.get("db") or old_db
    old_key, new_key = c.key_of(old.this, old_db), c.key_of(new.this, new_db)
    if old_key is None or new_key is None:
        return
    common = {"object_type": object_type, "if_exists": if_exists}
    c.parts(old.this, old_db, "ddl", "rename_from", peer=new_key, **common)
    c.parts(new.this, new_db, "ddl", "rename_to", peer=old_key, **common)


def _comment(expression: exp.Expr, c: _Collector) -> None:
    kind = str(expression.args.get("kind") or "").upper()
    target = expression.this
    if kind == "COLUMN" and isinstance(target, exp.Column):
        c.parts(target.args.get("table"), target.args.get("db"), "ddl", "comment")
    elif kind in ("TABLE", "VIEW", "MATERIALIZED VIEW"):
        object_type = object_type_of(kind, bool(expression.args.get("materialized")))
        c.table(target, "ddl", "comment", object_type=object_type)


def _grant(expression: exp.Expr, c: _Collector) -> None:
    """GRANT/REVOKE on a table is reported as ddl/other: it changes who may use the table."""
    kind = str(expression.args.get("kind") or "TABLE").upper()
    if kind == "TABLE":
        c.table(expression.args.get("securable"), "ddl", "other")


_TREE_HANDLERS: tuple[tuple[type[exp.Expr], Callable[[exp.Expr, _Collector], None]], ...] = (
    (exp.Query, _select_into),
    (exp.TruncateTable, _truncate),
    (exp.Copy, _copy),
    (exp.Create, _create),
    (exp.Drop, _drop),
    (exp.Alter, _alter),
    (exp.Comment, _comment),
    (exp.Grant, _grant),
    (exp.Revoke, _grant),
)


__all__ = [
    "HOLE_PREFIX",
    "MAX_PARSE_CHARS",
    "StatementResult",
    "TableRef",
    "analyze_statement",
    "hole_marker",
    "normalize_placeholders",
]
