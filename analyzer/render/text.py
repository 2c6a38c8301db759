"""Small text helpers shared by the renderers: locations, one-line messages, wrapping.

Wrapping happens only at spaces: a path, a `path:line` or a table name is never cut, even
when it is wider than the line (the terminal then wraps it, and copying it still works).
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from analyzer.models import Diagnostic, Finding, Location

DEFAULT_LIMIT = 5  # findings shown per rule unless --show-all


def where(path: str | None, line: int | None) -> str:
    """`path:line`, or `path` when the line is unknown (never `path:None`)."""
    if path is None:
        return "(no location)"
    return f"{path}:{line}" if line is not None else path


def location_text(location: Location) -> str:
    return where(location.path, location.line)


def finding_subject(finding: Finding) -> str:
    """What a finding is about: its table, else its first location."""
    return finding.table or where(finding.path, finding.line)


def diagnostic_where(diagnostic: Diagnostic) -> str:
    return where(diagnostic.path, diagnostic.line)


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines included) into one space."""
    return " ".join(text.split())


def wrap(text: str, width: int, indent: int = 0) -> list[str]:
    """Lines of at most `width` columns, indented, broken only at spaces."""
    lines = textwrap.wrap(
        one_line(text),
        width=max(width - indent, 20),
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [" " * indent + line for line in lines] or [" " * indent]


def plural(count: int, word: str, plural_word: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural_word or word + 's'}"
