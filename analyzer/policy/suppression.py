"""Inline suppressions: `# tabletrace: ignore[TT002]` (Python), `-- tabletrace: ignore[...]` (SQL).

A comment silences the findings it names (codes or names, comma-separated; bare `ignore`
silences every rule) that cite one of the lines it covers:

- Python: the comment's own line; a comment at the end of a statement that spans several lines
  (a call whose SQL string is triple-quoted) covers every line of that statement. A `--`
  SQL comment inside a string literal covers the statement the string belongs to, so SQL
  embedded in Python can carry its own suppression.
- SQL files: the comment's own line and, when it sits inside a statement or after its `;` on
  the last line, every line of that statement.

Python comments are found with `tokenize`, so a `#` inside a string is never a comment; SQL
comments are found line by line (a `-- tabletrace:` inside a SQL string literal would count,
which no real file does). A file that does not tokenize falls back to the line-by-line search.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field

from analyzer.marker import MARKER
from analyzer.sql.engine_files import is_sql_file
from analyzer.sql.split import split_statements

__all__ = ["MARKER", "Suppression", "find_suppressions"]
_PYTHON_DIRECTIVE = re.compile(r"#\s*tabletrace:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?![\w\[-])")
_SQL_DIRECTIVE = re.compile(r"--\s*tabletrace:\s*ignore(?:\[(?P<codes>[^\]]*)\])?(?![\w\[-])")
_STRING_TOKENS = frozenset(
    {tokenize.STRING} | {getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
)


@dataclass(slots=True)
class Suppression:
    """One `tabletrace: ignore` comment: where it is, what it names, which lines it covers.

    `rules` holds the tokens as written (codes or names); None for a bare `ignore`.
    """

    path: str
    line: int
    rules: tuple[str, ...] | None
    lines: frozenset[int]
    used: set[str] = field(default_factory=set)  # codes of the findings it silenced


def _rules(codes: str | None) -> tuple[str, ...] | None:
    if codes is None:
        return None
    return tuple(part.strip() for part in re.split(r"[,\s]+", codes) if part.strip())


def find_suppressions(path: str, data: bytes) -> list[Suppression]:
    """Every suppression comment in one file (`.py` or `.sql`), in line order."""
    if MARKER not in data:  # the cheap test that keeps big repositories fast
        return []
    if is_sql_file(path):
        return _sql_suppressions(path, data.decode("utf-8", "replace"))
    try:
        return _python_suppressions(path, data)
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError, LookupError, ValueError):
        text = data.decode("utf-8", "replace")
        return _line_matches(path, text, _PYTHON_DIRECTIVE)


def _line_matches(path: str, text: str, pattern: re.Pattern[str]) -> list[Suppression]:
    found = []
    for number, line in enumerate(text.splitlines(), 1):
        match = pattern.search(line)
        if match:
            found.append(Suppression(path, number, _rules(match["codes"]), frozenset({number})))
    return found


def _sql_suppressions(path: str, text: str) -> list[Suppression]:
    found = _line_matches(path, text, _SQL_DIRECTIVE)
    if not found:
        return found
    statements, _ = split_statements(text)
    spans = [
        (statement.line, statement.line + statement.text.count("\n"))
        for statement in statements
    ]
    for suppression in found:
        covered = {suppression.line}
        for first, last in spans:
            if first <= suppression.line <= last:
                covered.update(range(first, last + 1))
        suppression.lines = frozenset(covered)
    return found


def _python_suppressions(path: str, data: bytes) -> list[Suppression]:
    found: list[Suppression] = []
    statement_start: int | None = None
    # Directives waiting for the end of their statement: (suppression, covers whole statement)
    pending: list[tuple[Suppression, bool]] = []
    ignorable = (
        tokenize.ENCODING, tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT
    )
    for token in tokenize.tokenize(io.BytesIO(data).readline):
        kind, text, (row, _), _, _ = token
        if kind == tokenize.COMMENT:
            match = _PYTHON_DIRECTIVE.search(text)
            if match:
                suppression = Suppression(path, row, _rules(match["codes"]), frozenset({row}))
                found.append(suppression)
                if statement_start is not None:
                    pending.append((suppression, False))
        elif kind in _STRING_TOKENS and "tabletrace:" in text:
            for offset, line in enumerate(text.split("\n")):
                match = _SQL_DIRECTIVE.search(line)
                if match:
                    suppression = Suppression(
                        path, row + offset, _rules(match["codes"]), frozenset({row + offset})
                    )
                    found.append(suppression)
                    pending.append((suppression, True))
        elif kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
            start = statement_start if statement_start is not None else row
            for suppression, whole in pending:
                # A trailing comment on the statement's last line covers all of it.
                if whole or suppression.line == row:
                    suppression.lines = frozenset(range(start, row + 1))
            pending = []
            statement_start = None
        elif kind not in ignorable and statement_start is None:
            statement_start = row
    return found
