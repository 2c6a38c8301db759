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

import itertools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect
from sqlglot.errors import ParseError, TokenError
from sqlglot.optimizer.scope import Scope, traverse_scope
from sqlglot.tokens import Token, Tokenizer, TokenType

from analyzer.sql.names import TableKey, normalize_identifier
from analyzer.sql.split import split_statements

HOLE_PREFIX = "__tt_hole_"
_HOLE = re.compile(r"__tt_hole_(\d+)__")

# Parsing cost grows with size; beyond this a statement only gets the token scan.
MAX_PARSE_CHARS = 200_000


def hole_marker(index: int) -> str:
    """Placeholder the caller puts where an unresolved Python interpolation was."""
    return f"{HOLE_PREFIX}{index}__"


@dataclass(frozen=True)
class TableRef:
    """One mention of a table in a statement, with what the statement does to it."""

    schema: str
    name: str
    kind: str
    operation: str
    object_type: str = "table"
    columns: tuple[str, ...] | None = None
    column_changes: tuple[tuple[str, str, str | None], ...] = ()
    peer: tuple[str, str] | None = None
    offset: int | None = None
    confidence: str = "high"
    holes: tuple[int, ...] = ()
    if_not_exists: bool = False
    if_exists: bool = False

    @property
    def key(self) -> TableKey:
        return TableKey(self.schema, self.name)


@dataclass(frozen=True)
class StatementResult:
    """Everything learned from one statement; ``error`` explains a ``parsed=False``."""

    refs: tuple[TableRef, ...]
    parsed: bool
    statement_type: str
    error: str | None = None


class _QuietCommandFallback(logging.Filter):
    """sqlglot warns for every statement it turns into a Command; here that is expected."""

    _NOISE = ("Falling back to parsing as a 'Command'", "Cannot traverse scope")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(noise in message for noise in self._NOISE)


_SQLGLOT_LOGGER = logging.getLogger("sqlglot")
if not any(isinstance(f, _QuietCommandFallback) for f in _SQLGLOT_LOGGER.filters):
    _SQLGLOT_LOGGER.addFilter(_QuietCommandFallback())


def analyze_statement(
    sql: str, *, dialect: str = "postgres", default_schema: str = "public"
) -> StatementResult:
    """Classify every table reference in ``sql``; never raises."""
    try:
        return _analyze(sql, dialect, default_schema)
    except Exception as exc:  # last resort: the contract is that nothing escapes
        return StatementResult((), False, "unparsed", _one_line(f"internal error: {exc!r}"))


# ---------------------------------------------------------------------------------------------
# Preparing text for sqlglot
# ---------------------------------------------------------------------------------------------

_NEEDS_PLACEHOLDER_FIX = re.compile(r"%%|:\d")
_WITH_DATA_SUFFIX = re.compile(r"\s+WITH\s+(?:NO\s+)?DATA\s*;?\s*\Z", re.IGNORECASE)
_CREATE_MATVIEW = re.compile(r"\s*CREATE\s+MATERIALIZED\s+VIEW\b", re.IGNORECASE)


def normalize_placeholders(sql: str, dialect: str = "postgres") -> str:
    """Rewrite the placeholder styles sqlglot cannot parse; offsets are preserved.

    sqlglot's postgres dialect reads ``%s``, ``%(name)s``, ``$1``, ``:name`` and ``?`` as
    parameters already. Two styles break it: psycopg's escaped percent ``%%`` (becomes
    ``% ``) and numeric named parameters ``:1`` (become ``$1``). Only tokens outside string
    literals, quoted identifiers and comments are touched, and ``::`` casts are separate
    tokens, so they are never affected.
    """
    if not _NEEDS_PLACEHOLDER_FIX.search(sql):
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
    return "".join(chars)


def _prepare(sql: str, dialect: str) -> str:
    """Same-length rewrites that let sqlglot parse common PostgreSQL input."""
    text = normalize_placeholders(sql, dialect)
    if _CREATE_MATVIEW.match(text):
        # sqlglot rejects the "WITH [NO] DATA" tail pg_dump writes on every materialized view.
        match = _WITH_DATA_SUFFIX.search(text)
        if match:
            text = text[: match.start()] + " " * (match.end() - match.start())
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


def _analyze(sql: str, dialect: str, default_schema: str) -> StatementResult:
    try:
        Dialect.get_or_raise(dialect)
    except Exception:
        return StatementResult((), False, "unparsed", f"unknown SQL dialect {dialect!r}")
    text = _prepare(sql, dialect)
    if len(text) > MAX_PARSE_CHARS:
        reason = f"statement too long for the SQL parser ({len(text)} characters)"
        return _token_path(text, dialect, default_schema, reason, command=False)
    try:
        expressions = _parse(text, dialect)
    except Exception as exc:  # ParseError, TokenError, RecursionError, anything else
        return _token_path(text, dialect, default_schema, _parse_error_text(exc), command=False)
    if not expressions:
        return StatementResult((), True, "empty")
    if len(expressions) > 1:
        return _analyze_several(sql, dialect, default_schema, expressions)
    expression = expressions[0]
    if isinstance(expression, exp.Command):
        reason = "syntax sqlglot does not model (it parsed as an opaque Command)"
        return _token_path(text, dialect, default_schema, reason, command=True)
    refs = _tree_refs(expression, default_schema)
    return StatementResult(refs, True, type(expression).__name__.lower())


def _analyze_several(
    sql: str, dialect: str, default_schema: str, expressions: list[exp.Expr]
) -> StatementResult:
    """A string holding several statements: analyse each piece and merge the findings."""
    pieces, _problems = split_statements(sql)
    if len(pieces) <= 1:
        refs: list[TableRef] = []
        for expression in expressions:
            if not isinstance(expression, exp.Command):
                refs.extend(_tree_refs(expression, default_schema))
        return StatementResult(_ordered(refs), True, type(expressions[0]).__name__.lower())
    results = []
    for piece in pieces:
        result = _analyze(piece.text, dialect, default_schema)
        shifted = [_shift(ref, piece.offset) for ref in result.refs]
        results.append(replace(result, refs=tuple(shifted)))
    errors = [r.error for r in results if r.error]
    return StatementResult(
        _ordered(ref for r in results for ref in r.refs),
        all(r.parsed for r in results),
        results[0].statement_type,
        errors[0] if errors else None,
    )


def _shift(ref: TableRef, delta: int) -> TableRef:
    return ref if ref.offset is None else replace(ref, offset=ref.offset + delta)


def _ordered(refs: Iterable[TableRef]) -> tuple[TableRef, ...]:
    return tuple(sorted(refs, key=lambda r: (r.offset is None, r.offset or 0)))


# ---------------------------------------------------------------------------------------------
# Tree extraction (sqlglot parsed the statement)
# ---------------------------------------------------------------------------------------------


def _holes(*parts: str) -> tuple[int, ...]:
    found: list[int] = []
    for part in parts:
        found.extend(int(m) for m in _HOLE.findall(part) if int(m) not in found)
    return tuple(found)


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
        if key is None or name is None:
            return
        raw_schema = _identifier_text(schema)
        raw_name = _identifier_text(name)
        holes = _holes(raw_schema[1] if raw_schema else "", raw_name[1] if raw_name else "")
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
                self.table(table, "read", "select")


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
    return _ordered(collector.refs)


def _source_tables(root: exp.Expr) -> list[exp.Table]:
    """Tables read anywhere in ``root``, excluding CTE references, via sqlglot scopes."""
    try:
        scopes = traverse_scope(root)
    except Exception:
        return _unscoped_tables(root)
    # sqlglot registers no scope for a CTE whose body is INSERT/UPDATE/DELETE (a writable
    # CTE), so references to those names are recognised by name.
    dml_ctes = {cte.alias for cte in root.find_all(exp.CTE) if isinstance(cte.this, exp.DML)}
    found: dict[int, exp.Table] = {}
    for scope in scopes:
        for table in _scope_tables(scope):
            if id(table) in found or _is_cte_reference(table, scope, dml_ctes):
                continue
            found[id(table)] = table
    return list(found.values())


def _scope_tables(scope: Scope) -> Iterator[exp.Table]:
    yield from scope.tables
    # A scope rooted at a bare table (UPDATE ... FROM t) lists it only among its sources.
    yield from (s for s in scope.sources.values() if isinstance(s, exp.Table))


def _is_cte_reference(table: exp.Table, scope: Scope, dml_ctes: set[str]) -> bool:
    if table.args.get("db"):
        return False
    return table.name in scope.cte_sources or table.name in dml_ctes


def _unscoped_tables(root: exp.Expr) -> list[exp.Table]:
    """Degraded path when scope analysis fails: every table not named like a CTE."""
    cte_names = {cte.alias for cte in root.find_all(exp.CTE)}
    return [t for t in root.find_all(exp.Table) if t.args.get("db") or t.name not in cte_names]


def _dml_targets(expression: exp.Expr, c: _Collector) -> None:
    """Targets of every INSERT/UPDATE/DELETE/MERGE, including writable CTEs."""
    for node in expression.find_all(exp.Insert, exp.Update, exp.Delete, exp.Merge):
        operation = type(node).__name__.lower()
        c.table(node.this, "write", operation)
        for extra in node.args.get("tables") or []:  # multi-table DELETE in other dialects
            c.table(extra, "write", operation)


def _select_into(expression: exp.Expr, c: _Collector) -> None:
    """``SELECT ... INTO new_table`` creates a table."""
    for into in expression.find_all(exp.Into):
        if isinstance(into.parent, exp.Select):
            c.table(into.this, "ddl", "create")


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
            "create",
            object_type=object_type,
            if_not_exists=bool(expression.args.get("exists")),
        )
    elif kind == "INDEX" and isinstance(expression.this, exp.Index):
        c.table(expression.this.args.get("table"), "ddl", "index")
    elif kind == "TRIGGER":
        for trigger in expression.find_all(exp.TriggerProperties):
            c.table(trigger.args.get("table"), "ddl", "trigger")


def _create_table(expression: exp.Expr, c: _Collector) -> None:
    schema = expression.this
    definitions = schema.expressions if isinstance(schema, exp.Schema) else []
    likes = [d for d in definitions if isinstance(d, exp.LikeProperty)]
    columns: tuple[str, ...] | None = None
    if isinstance(schema, exp.Schema) and not likes:
        columns = tuple(d.name for d in definitions if isinstance(d, exp.ColumnDef))
    c.table(
        schema,
        "ddl",
        "create",
        columns=columns,
        if_not_exists=bool(expression.args.get("exists")),
    )
    for like in likes:
        c.table(like.this, "read", "select")
    properties = expression.args.get("properties")
    if properties:
        for parent in properties.find_all(exp.PartitionedOfProperty):
            c.table(parent.this, "ddl", "other")
        for inherits in properties.find_all(exp.InheritsProperty):
            for parent in inherits.expressions:
                c.table(parent, "ddl", "other")


def _drop(expression: exp.Expr, c: _Collector) -> None:
    kind = str(expression.args.get("kind") or "").upper()
    if kind in ("TABLE", "VIEW", "MATERIALIZED VIEW"):
        object_type = _object_type(kind, bool(expression.args.get("materialized")))
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


def _object_type(kind: str, materialized: bool) -> str:
    if "MATERIALIZED" in kind or (materialized and "VIEW" in kind):
        return "materialized_view"
    return "view" if "VIEW" in kind else "table"


def _alter(expression: exp.Expr, c: _Collector) -> None:
    kind = str(expression.args.get("kind") or "").upper()
    table = _unwrap_table(expression.this)
    if kind not in ("TABLE", "VIEW", "MATERIALIZED VIEW") or table is None:
        return
    c.claimed.add(id(table))
    object_type = _object_type(kind, False)
    if_exists = bool(expression.args.get("exists"))
    changes: list[tuple[str, str, str | None]] = []
    rename_to: exp.Table | None = None
    other = False
    options = expression.args.get("options") or []
    for action in expression.args.get("actions") or []:
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
        object_type = _object_type(kind, bool(expression.args.get("materialized")))
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


# ---------------------------------------------------------------------------------------------
# Token extraction (sqlglot could not give a tree)
# ---------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# PostgreSQL's reserved key words (they cannot be table names unquoted), plus a few
# non-reserved words that follow a table name in the positions scanned here.
_NOT_NAMES = _words(
    """
    ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC BOTH CASE CAST CHECK COLLATE COLUMN
    CONSTRAINT CREATE CURRENT_CATALOG CURRENT_DATE CURRENT_ROLE CURRENT_TIME CURRENT_TIMESTAMP
    CURRENT_USER DEFAULT DEFERRABLE DESC DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN
    FROM GRANT GROUP HAVING IN INITIALLY INTERSECT INTO LATERAL LEADING LIMIT LOCALTIME
    LOCALTIMESTAMP NOT NULL OFFSET ON ONLY OR ORDER PLACING PRIMARY REFERENCES RETURNING SELECT
    SESSION_USER SOME SYMMETRIC SYSTEM_USER TABLE THEN TO TRAILING TRUE UNION UNIQUE USER USING
    VARIADIC WHEN WHERE WINDOW WITH AUTHORIZATION BINARY COLLATION CONCURRENTLY CROSS
    CURRENT_SCHEMA FREEZE FULL ILIKE INNER IS ISNULL JOIN LEFT LIKE NATURAL NOTNULL OUTER
    OVERLAPS RIGHT SIMILAR TABLESAMPLE VERBOSE
    SET VALUES EXISTS IF LOOP OVERRIDING
    """
)
_WORD = re.compile(r"[^\W\d]\w*|\w+", re.UNICODE)
_WORD_PARTS = re.compile(r"[^\s]+")


@dataclass(frozen=True)
class _Tok:
    kind: str  # "word" | "quoted" | "string" | "punct" | "other"
    text: str  # for quoted identifiers: the name without quotes
    start: int
    upper: str = ""


@dataclass(frozen=True)
class _Name:
    name: _Tok
    schema: _Tok | None


def _tokens(text: str, dialect: str, base: int = 0) -> list[_Tok]:
    """sqlglot's tokens, simplified; on a tokenizer error, the tokens read before it."""
    tokenizer = Dialect.get_or_raise(dialect).tokenizer()
    try:
        raw = tokenizer.tokenize(text)
    except Exception:
        raw = list(tokenizer.tokens)
    result: list[_Tok] = []
    for previous, token in zip([None, *raw], raw, strict=False):
        if previous is not None and _swallowed(previous, token, tokenizer):
            # sqlglot keeps the rest of a command (REFRESH ..., LOCK ...) as one string token
            # with an unreliable start; tokenize that text again to see its words.
            at = text.find(token.text, previous.end + 1)
            if at >= 0:
                result.extend(_tokens(token.text, dialect, base + at))
                continue
        result.extend(_convert(token, text, base))
    return result


def _swallowed(previous: Token, token: Token, tokenizer: Tokenizer) -> bool:
    return token.token_type == TokenType.STRING and previous.token_type in tokenizer.COMMANDS


def _convert(token: Token, text: str, base: int) -> Iterator[_Tok]:
    name = token.token_type.name
    if name == "IDENTIFIER":
        yield _Tok("quoted", token.text, token.start + base)
    elif "STRING" in name:
        yield _Tok("string", token.text, token.start + base)
    elif token.text in ("(", ")", ",", ".", ";", "*"):
        yield _Tok("punct", token.text, token.start + base)
    else:
        source = text[token.start : token.end + 1]
        for part in _WORD_PARTS.finditer(source):
            word = part.group()
            kind = "word" if _WORD.fullmatch(word) else "other"
            upper = word.upper() if kind == "word" else ""
            yield _Tok(kind, word, token.start + part.start() + base, upper)


@dataclass
class _TokenScanner:
    """Finds table names by the keywords that precede them, one pass over the tokens."""

    toks: list[_Tok]
    default_schema: str
    confidence: str
    refs: list[tuple[_Name, TableRef]] = field(default_factory=list)
    context: str = ""
    calls: list[bool] = field(default_factory=list)  # per open paren: is it a call?
    from_lists: set[int] = field(default_factory=set)  # paren depths with an open FROM list

    # -- token access ----------------------------------------------------------------------

    def word(self, i: int) -> str:
        return self.toks[i].upper if 0 <= i < len(self.toks) else ""

    def punct(self, i: int) -> str:
        if 0 <= i < len(self.toks) and self.toks[i].kind == "punct":
            return self.toks[i].text
        return ""

    def is_name(self, i: int) -> bool:
        if not 0 <= i < len(self.toks):
            return False
        tok = self.toks[i]
        return tok.kind == "quoted" or (tok.kind == "word" and tok.upper not in _NOT_NAMES)

    def skip(self, i: int, *words: str) -> int:
        while self.word(i) in words:
            i += 1
        return i

    def skip_sequence(self, i: int, *words: str) -> tuple[int, bool]:
        """Skip ``words`` if they appear in order at ``i``; report whether they did."""
        if all(self.word(i + k) == w for k, w in enumerate(words)):
            return i + len(words), True
        return i, False

    def parts(self, i: int) -> tuple[list[_Tok], int]:
        """A dotted name ``a.b.c`` starting at ``i``."""
        parts: list[_Tok] = []
        while self.is_name(i):
            parts.append(self.toks[i])
            if self.punct(i + 1) == "." and self.is_name(i + 2):
                i += 2
                continue
            return parts, i + 1
        return parts, i

    def name(self, i: int) -> tuple[_Name | None, int]:
        parts, j = self.parts(i)
        if not parts:
            return None, i
        return _Name(parts[-1], parts[-2] if len(parts) > 1 else None), j

    def statement_end(self, i: int) -> int:
        depth = 0
        while i < len(self.toks):
            text = self.punct(i)
            depth += (text == "(") - (text == ")")
            if (text == ";" and depth <= 0) or depth < 0:
                return i
            i += 1
        return i

    def find_word(self, i: int, target: str) -> int | None:
        """Index of ``target`` at parenthesis depth 0 before the statement ends."""
        depth = 0
        while i < len(self.toks):
            text = self.punct(i)
            depth += (text == "(") - (text == ")")
            if text == ";" or depth < 0:
                return None
            if depth == 0 and self.word(i) == target:
                return i
            i += 1
        return None

    # -- results ---------------------------------------------------------------------------

    def key(self, name: _Name) -> tuple[str, str]:
        schema = self.default_schema
        if name.schema is not None:
            schema = normalize_identifier(name.schema.text, name.schema.kind == "quoted")
        return schema, normalize_identifier(name.name.text, name.name.kind == "quoted")

    def add(self, name: _Name, kind: str, operation: str, **extra: Any) -> None:
        schema, table = self.key(name)
        holes = _holes(name.schema.text if name.schema else "", name.name.text)
        ref = TableRef(
            schema,
            table,
            kind,
            operation,
            offset=name.name.start,
            confidence=self.confidence,
            holes=holes,
            **extra,
        )
        self.refs.append((name, ref))

    # -- the scan --------------------------------------------------------------------------

    def run(self) -> list[TableRef]:
        ctes = _cte_names(self)
        i = 0
        while i < len(self.toks):
            self._track(i)
            i = self._dispatch(i)
        return [ref for name, ref in self.refs if name.schema is not None or ref.name not in ctes]

    def _track(self, i: int) -> None:
        """Follow parentheses (call or subquery?), open FROM lists and the current verb."""
        text, word = self.punct(i), self.word(i)
        if text == "(":
            self.calls.append(self.is_name(i - 1))  # f(...), t(cols); not IN (, AS (
        elif text == ")" and self.calls:
            self.calls.pop()
            self.from_lists.discard(len(self.calls) + 1)
        elif text == ";" or word in _FROM_LIST_END:
            self.from_lists.discard(len(self.calls))
        if word in _CONTEXT_WORDS:
            self.context = word

    def _dispatch(self, i: int) -> int:
        if self.calls and self.calls[-1]:  # inside f(...): EXTRACT(x FROM y) is no table
            return i + 1
        if self.punct(i) == "," and len(self.calls) in self.from_lists:
            return max(self.relations(i + 1, "read", "select", many=False), i + 1)
        handler = _TOKEN_HANDLERS.get(self.word(i))
        return i + 1 if handler is None else max(handler(self, i), i + 1)

    def relations(self, i: int, kind: str, operation: str, many: bool, **extra: Any) -> int:
        """``[ONLY] name [*] [[AS] alias]`` and, if ``many``, more after commas."""
        while True:
            i = self.skip(i, "ONLY")
            name, j = self.name(i)
            if name is None or self.punct(j) == "(":  # a subquery, LATERAL or a function
                return i
            self.add(name, kind, operation, **extra)
            j = self.skip_alias(j + (self.punct(j) == "*"))
            if not many or self.punct(j) != ",":
                return j
            i = j + 1

    def skip_alias(self, j: int) -> int:
        if self.word(j) == "AS":
            return j + 1 + self.is_name(j + 1)
        return j + self.is_name(j)


def _cte_names(scanner: _TokenScanner) -> set[str]:
    """Names defined by ``WITH x AS (`` or ``, y (cols) AS [NOT] [MATERIALIZED] (``."""
    names: set[str] = set()
    for i, tok in enumerate(scanner.toks):
        if tok.upper != "AS":
            continue
        after, _ = scanner.skip_sequence(i + 1, "NOT")
        after = scanner.skip(after, "MATERIALIZED")
        if scanner.punct(after) != "(":
            continue
        k = _before_parens(scanner, i - 1)
        if scanner.is_name(k) and (
            scanner.word(k - 1) in ("WITH", "RECURSIVE") or scanner.punct(k - 1) == ","
        ):
            names.add(normalize_identifier(scanner.toks[k].text, scanner.toks[k].kind == "quoted"))
    return names


def _before_parens(scanner: _TokenScanner, k: int) -> int:
    """If ``k`` closes a parenthesised list, the index just before its opening paren."""
    if scanner.punct(k) != ")":
        return k
    depth = 0
    while k >= 0:
        text = scanner.punct(k)
        depth += (text == ")") - (text == "(")
        if depth == 0:
            return k - 1
        k -= 1
    return -1


def _t_from(s: _TokenScanner, i: int) -> int:
    if s.word(i - 1) == "DISTINCT":  # IS [NOT] DISTINCT FROM
        return i + 1
    if s.word(i - 1) == "DELETE":
        return s.relations(i + 1, "write", "delete", many=False)
    s.from_lists.add(len(s.calls))  # later commas at this depth start more FROM items
    return s.relations(i + 1, "read", "select", many=False)


def _t_join(s: _TokenScanner, i: int) -> int:
    return s.relations(i + 1, "read", "select", many=False)


def _t_into(s: _TokenScanner, i: int) -> int:
    operation = {"INSERT": "insert", "MERGE": "merge"}.get(s.word(i - 1))
    if operation is None:  # SELECT ... INTO variable (PL/pgSQL)
        return i + 1
    return s.relations(i + 1, "write", operation, many=False)


def _t_update(s: _TokenScanner, i: int) -> int:
    """``UPDATE [ONLY] t [[AS] alias] SET``; other UPDATE words (FOR UPDATE, ON UPDATE) skip."""
    name, j = s.name(s.skip(i + 1, "ONLY"))
    if name is None:
        return i + 1
    j = s.skip_alias(j + (s.punct(j) == "*"))
    if s.word(j) == "SET":
        s.add(name, "write", "update")
    return j


def _t_using(s: _TokenScanner, i: int) -> int:
    if s.context not in ("DELETE", "MERGE"):
        return i + 1
    return s.relations(i + 1, "read", "select", many=True)


def _t_truncate(s: _TokenScanner, i: int) -> int:
    return s.relations(s.skip(i + 1, "TABLE"), "write", "truncate", many=True)


def _t_copy(s: _TokenScanner, i: int) -> int:
    name, j = s.name(i + 1)
    if name is None:
        return i + 1
    if s.punct(j) == "(":
        j = _after_parens(s, j)
    direction = s.word(j)
    if direction == "FROM":
        s.add(name, "write", "copy")
    elif direction == "TO":
        s.add(name, "read", "select")
    else:
        return j
    return j + 1  # past FROM/TO, so the file name is not read as a table


def _after_parens(s: _TokenScanner, j: int) -> int:
    depth = 0
    while j < len(s.toks):
        text = s.punct(j)
        depth += (text == "(") - (text == ")")
        j += 1
        if depth == 0:
            return j
    return j


_CREATE_MODIFIERS = (
    "OR", "REPLACE", "GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED", "UNIQUE", "RECURSIVE",
    "CONSTRAINT", "FOREIGN",
)  # fmt: skip


def _t_create(s: _TokenScanner, i: int) -> int:
    j = s.skip(i + 1, *_CREATE_MODIFIERS)
    j, materialized = s.skip_sequence(j, "MATERIALIZED")
    target = s.word(j)
    if target == "TABLE":
        return _create_relation(s, j + 1, "table")
    if target == "VIEW":
        return _create_relation(s, j + 1, "materialized_view" if materialized else "view")
    if target in ("INDEX", "TRIGGER", "POLICY"):
        operation = {"INDEX": "index", "TRIGGER": "trigger"}.get(target, "other")
        return _on_target(s, j + 1, operation)
    return j


def _create_relation(s: _TokenScanner, j: int, object_type: str) -> int:
    j, if_not_exists = s.skip_sequence(j, "IF", "NOT", "EXISTS")
    name, k = s.name(j)
    if name is None:
        return j
    s.add(name, "ddl", "create", object_type=object_type, if_not_exists=if_not_exists)
    k, partition = s.skip_sequence(k, "PARTITION", "OF")
    if partition:
        parent, after = s.name(k)
        if parent is not None:
            s.add(parent, "ddl", "other")
            return after
    return k


def _on_target(s: _TokenScanner, j: int, operation: str) -> int:
    on = s.find_word(j, "ON")
    if on is None:
        return j
    return s.relations(on + 1, "ddl", operation, many=False)


def _t_drop(s: _TokenScanner, i: int) -> int:
    j, materialized = s.skip_sequence(s.skip(i + 1, "FOREIGN"), "MATERIALIZED")
    target = s.word(j)
    if target in ("TRIGGER", "POLICY", "RULE"):
        return _on_target(s, j + 1, "trigger" if target == "TRIGGER" else "other")
    if target not in ("TABLE", "VIEW"):
        return j
    object_type = _object_type(target, materialized)
    j, if_exists = s.skip_sequence(j + 1, "IF", "EXISTS")
    return s.relations(j, "ddl", "drop", many=True, object_type=object_type, if_exists=if_exists)


def _t_alter(s: _TokenScanner, i: int) -> int:
    j, materialized = s.skip_sequence(s.skip(i + 1, "FOREIGN"), "MATERIALIZED")
    target = s.word(j)
    if target == "SEQUENCE":
        return _alter_sequence(s, j + 1)
    if target not in ("TABLE", "VIEW"):
        return j
    j, if_exists = s.skip_sequence(j + 1, "IF", "EXISTS")
    name, k = s.name(s.skip(j, "ONLY"))
    if name is None:
        return j
    k += s.punct(k) == "*"
    end = s.statement_end(k)
    _alter_actions(s, name, k, end, _object_type(target, materialized), if_exists)
    return end


def _alter_actions(
    s: _TokenScanner, name: _Name, start: int, end: int, object_type: str, if_exists: bool
) -> None:
    changes: list[tuple[str, str, str | None]] = []
    renamed: _Name | None = None
    other = False
    for begin in _action_starts(s, start, end):
        partition = _partition(s, begin)
        new_name = _table_rename(s, begin, name)
        change = _token_column_change(s, begin)
        if partition:
            s.add(partition, "ddl", "other")
        if new_name:
            renamed = new_name
        elif change:
            changes.append(change)
        else:
            other = True
    if renamed is not None:
        # PostgreSQL's RENAME TO name is unqualified and stays in the old table's schema.
        renamed = _Name(renamed.name, renamed.schema or name.schema)
        common = {"object_type": object_type, "if_exists": if_exists}
        s.add(name, "ddl", "rename_from", peer=s.key(renamed), **common)
        s.add(renamed, "ddl", "rename_to", peer=s.key(name), **common)
    if changes or other or renamed is None:
        s.add(
            name,
            "ddl",
            "alter",
            object_type=object_type,
            column_changes=tuple(changes),
            if_exists=if_exists,
        )


def _action_starts(s: _TokenScanner, start: int, end: int) -> list[int]:
    """Start index of each comma-separated action of an ALTER TABLE."""
    starts = [start] if start < end else []
    depth = 0
    for i in range(start, end):
        text = s.punct(i)
        depth += (text == "(") - (text == ")")
        if text == "," and depth == 0 and i + 1 < end:
            starts.append(i + 1)
    return starts


def _table_rename(s: _TokenScanner, i: int, name: _Name) -> _Name | None:
    """``RENAME TO new`` or ``SET SCHEMA s`` (a move): the table's new name."""
    j, rename = s.skip_sequence(i, "RENAME", "TO")
    if rename:
        return s.name(j)[0]
    j, move = s.skip_sequence(i, "SET", "SCHEMA")
    if move and s.is_name(j):
        return _Name(name.name, s.toks[j])
    return None


def _partition(s: _TokenScanner, i: int) -> _Name | None:
    """The partition named by ``ATTACH PARTITION p`` or ``DETACH PARTITION p``."""
    if s.word(i) not in ("ATTACH", "DETACH") or s.word(i + 1) != "PARTITION":
        return None
    return s.name(i + 2)[0]


_CONSTRAINT_WORDS = ("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "EXCLUDE")


def _token_column_change(s: _TokenScanner, i: int) -> tuple[str, str, str | None] | None:
    verb = s.word(i)
    j = s.skip(i + 1, "COLUMN")
    if verb == "ADD":
        j, _ = s.skip_sequence(j, "IF", "NOT", "EXISTS")
        if s.is_name(j) and s.word(j) not in _CONSTRAINT_WORDS:
            return ("add", _column_name(s, j), None)
    elif verb == "DROP":
        j, _ = s.skip_sequence(j, "IF", "EXISTS")
        if s.is_name(j) and s.word(j) not in _CONSTRAINT_WORDS:
            return ("drop", _column_name(s, j), None)
    elif verb == "RENAME" and s.word(j + 1) == "TO" and s.is_name(j) and s.is_name(j + 2):
        return ("rename", _column_name(s, j), _column_name(s, j + 2))
    return None


def _column_name(s: _TokenScanner, i: int) -> str:
    tok = s.toks[i]
    return normalize_identifier(tok.text, tok.kind == "quoted")


def _alter_sequence(s: _TokenScanner, j: int) -> int:
    """``ALTER SEQUENCE ... OWNED BY [schema.]table.column`` ties the sequence to a table."""
    owned = s.find_word(j, "OWNED")
    if owned is None or s.word(owned + 1) != "BY":
        return j
    parts, after = s.parts(owned + 2)
    if len(parts) >= 2:
        s.add(_Name(parts[-2], parts[-3] if len(parts) > 2 else None), "ddl", "other")
    return after


def _t_comment(s: _TokenScanner, i: int) -> int:
    if s.word(i + 1) != "ON":
        return i + 1
    j, materialized = s.skip_sequence(s.skip(i + 2, "FOREIGN"), "MATERIALIZED")
    target = s.word(j)
    if target in ("TABLE", "VIEW"):
        object_type = _object_type(target, materialized)
        return s.relations(j + 1, "ddl", "comment", many=False, object_type=object_type)
    if target == "COLUMN":
        parts, after = s.parts(j + 1)
        if len(parts) >= 2:
            s.add(_Name(parts[-2], parts[-3] if len(parts) > 2 else None), "ddl", "comment")
        return after
    if target in ("CONSTRAINT", "TRIGGER", "POLICY", "RULE"):
        return _on_target(s, j + 1, "comment")
    return j


# Object types after GRANT ... ON that are not tables.
_NON_TABLE_GRANT_TARGETS = _words(
    "SCHEMA SEQUENCE FUNCTION PROCEDURE ROUTINE DATABASE LANGUAGE TYPE DOMAIN FOREIGN LARGE "
    "TABLESPACE PARAMETER ALL"
)


def _t_grant(s: _TokenScanner, i: int) -> int:
    on = s.find_word(i + 1, "ON")
    if on is None or s.word(on + 1) in _NON_TABLE_GRANT_TARGETS:
        return i + 1
    return s.relations(s.skip(on + 1, "TABLE"), "ddl", "other", many=True)


def _t_refresh(s: _TokenScanner, i: int) -> int:
    j, matview = s.skip_sequence(i + 1, "MATERIALIZED", "VIEW")
    if not matview:
        return i + 1
    j = s.skip(j, "CONCURRENTLY")
    return s.relations(j, "ddl", "other", many=False, object_type="materialized_view")


def _t_lock(s: _TokenScanner, i: int) -> int:
    """``LOCK [TABLE] [ONLY] names``: reported as ddl/other, the table is touched."""
    return s.relations(s.skip(i + 1, "TABLE"), "ddl", "other", many=True)


_TOKEN_HANDLERS: dict[str, Callable[[_TokenScanner, int], int]] = {
    "FROM": _t_from,
    "JOIN": _t_join,
    "INTO": _t_into,
    "UPDATE": _t_update,
    "USING": _t_using,
    "TRUNCATE": _t_truncate,
    "COPY": _t_copy,
    "CREATE": _t_create,
    "DROP": _t_drop,
    "ALTER": _t_alter,
    "COMMENT": _t_comment,
    "GRANT": _t_grant,
    "REVOKE": _t_grant,
    "REFRESH": _t_refresh,
    "LOCK": _t_lock,
}
# Words that close a FROM list at their parenthesis depth.
_FROM_LIST_END = frozenset(
    {"WHERE", "GROUP", "ORDER", "HAVING", "LIMIT", "OFFSET", "UNION", "EXCEPT", "INTERSECT",
     "WINDOW", "FOR", "RETURNING", "SET", "VALUES", "SELECT", "INTO", "LOOP", "THEN", "FETCH"}
)  # fmt: skip
# Words that tell a later USING whether it names a table (DELETE/MERGE) or not.
_CONTEXT_WORDS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "MERGE", "INDEX", "JOIN"})


# ---------------------------------------------------------------------------------------------
# Deciding what to do with a statement sqlglot could not turn into a tree
# ---------------------------------------------------------------------------------------------

# First words of statements that never name a table.
_TABLE_FREE_FIRST = _words(
    "SET RESET SHOW BEGIN START COMMIT END ROLLBACK ABORT SAVEPOINT RELEASE LISTEN UNLISTEN "
    "NOTIFY DISCARD DEALLOCATE CHECKPOINT LOAD VACUUM ANALYZE ANALYSE CLUSTER REINDEX CALL "
    "SECURITY FETCH MOVE CLOSE"
)
# Object types after CREATE/DROP/ALTER/COMMENT ON that are not tables.
_TABLE_FREE_OBJECTS = _words(
    "EXTENSION SCHEMA DATABASE SEQUENCE FUNCTION PROCEDURE ROUTINE TYPE DOMAIN ROLE USER GROUP "
    "COLLATION CONVERSION LANGUAGE CAST OPERATOR AGGREGATE TEXT TABLESPACE SERVER PUBLICATION "
    "SUBSCRIPTION EVENT ACCESS TRANSFORM DEFAULT LARGE STATISTICS"
)
_OBJECT_MODIFIERS = (
    "OR", "REPLACE", "GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED", "TRUSTED",
    "PROCEDURAL", "UNIQUE", "CONSTRAINT", "ON",
)  # fmt: skip
_EXPLAIN = re.compile(
    r"\s*EXPLAIN\b(?:\s+(?:ANALYZE|ANALYSE|VERBOSE)\b|\s*\([^)]*\))*", re.IGNORECASE
)
_DOLLAR_BODY = re.compile(r"\$((?:[^\W\d]\w*)?)\$(.*?)\$\1\$", re.DOTALL)


def _classify(toks: list[_Tok]) -> str:
    """'free' (cannot name a table), 'exact' (table position fixed by grammar) or 'scan'."""
    words = [t.upper for t in toks[:8] if t.kind == "word"]
    first = words[0] if words else ""
    if first in _TABLE_FREE_FIRST:
        return "free"
    if first in ("GRANT", "REVOKE", "REFRESH", "LOCK"):
        return "exact"
    if first not in ("CREATE", "DROP", "ALTER", "COMMENT"):
        return "scan"
    rest = [w for w in words[1:] if w not in _OBJECT_MODIFIERS]
    target = rest[0] if rest else ""
    upper_words = {t.upper for t in toks}
    if first == "ALTER" and target == "SEQUENCE" and "OWNED" in upper_words:
        return "exact"
    if target in _TABLE_FREE_OBJECTS or (target == "INDEX" and first in ("DROP", "ALTER")):
        return "free"
    if first == "COMMENT" or target in ("TRIGGER", "POLICY", "RULE"):
        return "exact"
    if first == "ALTER" and target in ("TABLE", "VIEW", "MATERIALIZED", "FOREIGN"):
        return "scan" if upper_words & {"PARTITION", "INHERIT"} else "exact"
    return "scan"


def _token_path(
    text: str, dialect: str, default_schema: str, reason: str, *, command: bool
) -> StatementResult:
    """What can still be learned when there is no usable tree."""
    statement_type = "command" if command else "unparsed"
    explain = _EXPLAIN.match(text)
    if explain and explain.end() < len(text):
        inner = _analyze(text[explain.end() :], dialect, default_schema)
        refs = _ordered(_shift(r, explain.end()) for r in inner.refs)
        return replace(inner, refs=refs)
    toks = _tokens(text, dialect)
    verdict = _classify(toks)
    if verdict == "free":
        return StatementResult((), True, "command")
    if verdict == "exact" and command:
        refs = _TokenScanner(toks, default_schema, "high").run()
        return StatementResult(_ordered(refs), True, statement_type)
    refs = _scan_with_bodies(text, toks, dialect, default_schema)
    return StatementResult(_ordered(refs), False, statement_type, reason)


def _scan_with_bodies(
    text: str, toks: list[_Tok], dialect: str, default_schema: str
) -> list[TableRef]:
    """Token scan; for a DO block the scan runs over the code inside its dollar quotes."""
    words = [t.upper for t in toks[:1] if t.kind == "word"]
    if words == ["DO"]:
        body = _DOLLAR_BODY.search(text)
        if body:
            toks = _tokens(body.group(2), dialect, base=body.start(2))
    return _TokenScanner(toks, default_schema, "low").run()
