"""Token-level reading of SQL that sqlglot cannot parse (or parses to an opaque Command).

Runs over sqlglot's own tokenizer output: tables after FROM/JOIN (read), INTO/UPDATE/COPY
(write), TABLE after CREATE/DROP/ALTER/TRUNCATE (ddl), `ON t` after CREATE TRIGGER/INDEX...
Findings carry ``confidence="low"`` unless the statement's grammar fixes the table's place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import Token, Tokenizer, TokenType

from analyzer.sql.names import normalize_identifier
from analyzer.sql.refs import (
    TEMPORARY_CREATION,
    StatementResult,
    TableRef,
    holes_in,
    object_type_of,
    ordered,
    shift,
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
    return _backquoted(result)


def _backquoted(toks: list[_Tok]) -> list[_Tok]:
    """MySQL's and SQLite's `` `name` `` in a dialect whose tokenizer does not know it (the
    token scan runs when the statement did not parse, often for that very quoting): one
    quoted name, not a stray character, a word and another stray character."""
    if not any(tok.text == "`" for tok in toks):
        return toks
    merged: list[_Tok] = []
    i = 0
    while i < len(toks):
        tok = toks[i]
        if (
            tok.text == "`" and i + 2 < len(toks) and toks[i + 2].text == "`"
            and toks[i + 1].kind == "word"
            and toks[i + 1].start == tok.start + 1
            and toks[i + 2].start == toks[i + 1].start + len(toks[i + 1].text)
        ):
            merged.append(_Tok("quoted", toks[i + 1].text, tok.start))  # as `"name"`
            i += 3
            continue
        merged.append(tok)
        i += 1
    return merged


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
        if self._cut_by_a_field(i, j):
            return None, j  # `projects_{type}status`: a template's name, not `projects_`
        return _Name(parts[-1], parts[-2] if len(parts) > 1 else None), j

    def _cut_by_a_field(self, first: int, after: int) -> bool:
        """Whether a `str.format` field (`{type}`) touches the name spanning tokens
        `first`..`after - 1`: the text is a template formatted later, and its name is only a
        piece of one."""
        last = self.toks[after - 1]
        end = last.start + len(last.text)
        following = self.toks[after] if after < len(self.toks) else None
        if following is not None and following.start == end and following.text.startswith("{"):
            return True
        previous = self.toks[first - 1] if first > 0 else None
        return (
            previous is not None and previous.text.endswith("}")
            and previous.start + len(previous.text) == self.toks[first].start
        )

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
        if not table:  # `""` is no relation (PostgreSQL refuses zero-length identifiers)
            return
        holes = holes_in(name.schema.text if name.schema else "", name.name.text)
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


def cte_names(text: str, dialect: str) -> frozenset[str]:
    """The CTE names `text` defines, normalized like table names (a piece of SQL will do)."""
    return frozenset(_cte_names(_TokenScanner(_tokens(text, dialect), "", "low")))


def _cte_names(scanner: _TokenScanner) -> set[str]:
    """Names defined by ``WITH x AS (`` or ``, y (cols) AS [NOT] [MATERIALIZED] (``, and by
    a piece of a query built in a list that starts with ``y AS (`` (`parts.extend([",",
    "restriction_list AS (", ...])`: no statement starts so, and no alias is followed by
    ``(``)."""
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
            k == 0 or scanner.word(k - 1) in ("WITH", "RECURSIVE") or scanner.punct(k - 1) == ","
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


# Words between an INSERT (or a REPLACE) and its INTO: SQLite's conflict clause, MySQL's
# priority and IGNORE.
_INSERT_MODIFIERS = frozenset(
    {"OR", "IGNORE", "REPLACE", "ROLLBACK", "ABORT", "FAIL", "LOW_PRIORITY", "DELAYED",
     "HIGH_PRIORITY"}
)  # fmt: skip


def _t_into(s: _TokenScanner, i: int) -> int:
    """``INSERT | REPLACE | UPSERT | INSERT OR IGNORE ... INTO t [[AS] a] [(columns)]`` and
    ``MERGE INTO t [[AS] a] USING``: the parenthesis after an INSERT's table opens its column
    list, never a call."""
    if s.word(i - 1) == "MERGE":
        return s.relations(i + 1, "write", "merge", many=False)
    k = i - 1
    while s.word(k) in _INSERT_MODIFIERS:  # INSERT OR IGNORE, INSERT LOW_PRIORITY, REPLACE
        k -= 1
    verb = s.word(k) if s.word(k) in ("INSERT", "UPSERT") else s.word(k + 1)
    if verb not in ("INSERT", "REPLACE", "UPSERT"):
        return i + 1  # SELECT ... INTO variable (PL/pgSQL)
    name, j = s.name(i + 1)
    if name is None:
        return i + 1
    s.add(name, "write", "insert")
    return s.skip_alias(j)


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
    "CONSTRAINT", "FOREIGN", "VIRTUAL",
)  # fmt: skip


def _t_create(s: _TokenScanner, i: int) -> int:
    j = s.skip(i + 1, *_CREATE_MODIFIERS)
    modifiers = {s.word(k) for k in range(i + 1, j)}
    # `statements._creation`: a temporary table lives in its session; a global one is a schema
    # object
    temporary = bool(modifiers & {"TEMP", "TEMPORARY"}) and "GLOBAL" not in modifiers
    operation = TEMPORARY_CREATION if temporary else "create"
    j, materialized = s.skip_sequence(j, "MATERIALIZED")
    target = s.word(j)
    if target == "TABLE":
        return _create_relation(s, j + 1, "table", operation)
    if target == "VIEW":
        return _create_relation(
            s, j + 1, "materialized_view" if materialized else "view", operation
        )
    if target in ("INDEX", "TRIGGER", "POLICY"):
        operation = {"INDEX": "index", "TRIGGER": "trigger"}.get(target, "other")
        return _on_target(s, j + 1, operation)
    return j


def _create_relation(s: _TokenScanner, j: int, object_type: str, operation: str) -> int:
    j, if_not_exists = s.skip_sequence(j, "IF", "NOT", "EXISTS")
    name, k = s.name(j)
    if name is None:
        return j
    s.add(name, "ddl", operation, object_type=object_type, if_not_exists=if_not_exists)
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
    object_type = object_type_of(target, materialized)
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
    _alter_actions(s, name, k, end, object_type_of(target, materialized), if_exists)
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
        object_type = object_type_of(target, materialized)
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
    """PostgreSQL's ``LOCK [TABLE] [ONLY] a, b [IN ... MODE]`` and MySQL's ``LOCK TABLES a
    [[AS] x] READ [LOCAL], b WRITE``: reported as ddl/other, each table is touched (`TABLES`
    is MySQL's keyword, never a table)."""
    j = s.skip(i + 1, "TABLE", "TABLES")
    end = s.statement_end(j)
    while True:
        name, k = s.name(s.skip(j, "ONLY"))
        if name is None:
            return j
        s.add(name, "ddl", "other")
        depth = 0
        while k < end and not (depth == 0 and s.punct(k) == ","):  # its alias and lock type
            depth += (s.punct(k) == "(") - (s.punct(k) == ")")
            k += 1
        if k >= end:
            return k
        j = k + 1


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
    "SECURITY FETCH MOVE CLOSE EXECUTE"
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
# PostgreSQL's `PREPARE upd (int, int) AS UPDATE widgets SET ...`: the statement it names
_PREPARE = re.compile(r"\s*PREPARE\s+\w+\s*(?:\([^)]*\)\s*)?AS\b", re.IGNORECASE)
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
    explain = _EXPLAIN.match(text) or _PREPARE.match(text)
    if explain and explain.end() < len(text):
        inner = _analyze_inner(text[explain.end() :], dialect, default_schema)
        refs = ordered(shift(r, explain.end()) for r in inner.refs)
        return replace(inner, refs=refs)
    toks = _tokens(text, dialect)
    verdict = _classify(toks)
    if verdict == "free":
        return StatementResult((), True, "command")
    if verdict == "exact" and command:
        refs = _TokenScanner(toks, default_schema, "high").run()
        return StatementResult(ordered(refs), True, statement_type)
    refs = _scan_with_bodies(text, toks, dialect, default_schema)
    return StatementResult(ordered(refs), False, statement_type, reason)


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


def _analyze_inner(sql: str, dialect: str, default_schema: str) -> StatementResult:
    """The tree reader, for statements wrapped in others (EXPLAIN ..., PREPARE x AS ...)."""
    from analyzer.sql.statements import _analyze  # circular: statements uses this module

    return _analyze(sql, dialect, default_schema)
