"""Whether sqlglot reads a text as a real statement or as an English sentence.

The last and dearest test of `analyzer.sql.detect.is_sql_text`, in a module of its own so
that sqlglot is imported only when a text reaches it.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp

from analyzer.sql.detect import DETERMINERS, PROSE_WORDS, Parsed
from analyzer.sql.statements import normalize_placeholders

_COPY_ENDPOINTS = frozenset({"stdin", "stdout"})
_VALUE_SIGN = re.compile(r"[(\d'%$?:*]|__tt_hole_")


def parse_verdict(body: str, dialect: str, parsed: Parsed | None = None) -> bool | None:
    """True/False when sqlglot parses ``body`` into a real statement; None when it cannot.
    The parse goes into `parsed` (by the text sqlglot read and the dialect) when given: the
    resolver's analysis of the same statement takes it instead of parsing it again; one
    already there is read instead of parsing (a verdict only reads a tree)."""
    text = normalize_placeholders(body, dialect)
    expressions = parsed.get((text, dialect)) if parsed is not None else None
    if expressions is None:  # (else an earlier verdict's parse of the same text: equal)
        try:
            expressions = sqlglot.parse(text, read=dialect)
        except Exception:
            return None
        if parsed is not None:
            parsed[(text, dialect)] = expressions
    first = next((e for e in expressions if e is not None), None)
    if first is None or isinstance(first, exp.Command):
        return None
    return not _reads_like_prose(first, body)


def _reads_like_prose(tree: exp.Expr, text: str) -> bool:
    """Signs that sqlglot parsed an English sentence rather than a statement."""
    words = {i.name.lower() for i in tree.find_all(exp.Identifier) if not i.args.get("quoted")}
    if words & PROSE_WORDS:
        return True
    if any(_is_determiner_phrase(t) for t in tree.find_all(exp.Table)):
        return True
    if isinstance(tree, exp.Select):
        return _select_is_prose(tree, text)
    if isinstance(tree, exp.Copy):
        return not all(_is_copy_endpoint(f) for f in tree.args.get("files") or [])
    return False


def _is_determiner_phrase(table: exp.Table) -> bool:
    return table.name.lower() in DETERMINERS and bool(table.alias)


def _select_is_prose(select: exp.Select, text: str) -> bool:
    """``select from the menu``, ``Select an option``, ``Select one option from list``."""
    if not select.expressions:
        return True
    if any(_is_word_pair(projection, text) for projection in select.expressions):
        return True
    # Without FROM, real SQL selects a value: a literal, call, parameter or star.
    return select.args.get("from_") is None and not _VALUE_SIGN.search(text)


def _is_word_pair(projection: exp.Expr, text: str) -> bool:
    """A bare column followed by an alias without AS: two English words in a row."""
    if not isinstance(projection, exp.Alias) or not isinstance(projection.this, exp.Column):
        return False
    column, alias = projection.this, projection.args.get("alias")
    if column.table or not isinstance(alias, exp.Identifier):
        return False
    end, start = column.this.meta.get("end"), alias.meta.get("start")
    if end is None or start is None:
        return False
    return not text[end + 1 : start].strip()


def _is_copy_endpoint(node: exp.Expr) -> bool:
    if isinstance(node, exp.Literal):
        return node.is_string
    return node.name.lower() in _COPY_ENDPOINTS or not isinstance(node, exp.Identifier)
