"""A Python file's outline: the text of its top-level statements, and where each one is.

Why: a comment or a blank line added, changed or removed between top-level statements (the
most common edit of a file that needs no new reading) changes nothing a reader reads. Every
fact comes from a node of a top-level statement and from where that node is; the lines
between statements hold only LibCST's `EmptyLine` nodes (comments, blank lines), which no
reader looks at (`analyzer.python.traverse` skips `leading_lines`, `header` and `footer`),
and a node's source text is cut from its own lines (`ParsedModule.code`). So when two
versions of a file have the same encoding and the same statements' lines, in the same
order, their facts are equal but for where their lines are: each statement's lines moved by
its own offset. The early cutoff then moves the last facts by that map
(`lineshift.move_lines`) instead of parsing the file again with LibCST, which a rescan of
one edited file would otherwise import (0.15-0.25 s) only to be told the same facts.

The outline is computed with `ast` (one parse, which the first look makes anyway) and kept
with the file's result, so the next scan compares it with the edited file's without the old
bytes. It is conservative: a comment inside a statement (a function's body, a call's
arguments) or after it on its own last line changes that statement's lines, so the file is
read again; a line outside every statement that is neither blank nor a comment (which
`ast` and this split of lines would then disagree about) gives no outline at all.
"""

from __future__ import annotations

import ast
import hashlib
import tokenize
import warnings
from array import array
from dataclasses import dataclass

_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Outline:
    """The top-level statements of a Python file: the lines each spans, and one digest of
    their text (every byte of those lines, line breaks included) and of the file's
    encoding."""

    #: first line, last line, first line, ... of each run of top-level statements sharing
    #: lines (a decorated definition from its first decorator, `a = 1; b = 2` as one),
    #: packed as unsigned ints (`array("I")`): every file's first look keeps one, and the
    #: main process holds them all (a tuple of pairs took 1.3 KB a file)
    packed: bytes
    digest: bytes

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        lines = array("I")
        lines.frombytes(self.packed)
        return tuple(zip(lines[::2], lines[1::2], strict=True))


def parse_tree(data: bytes) -> ast.Module | None:
    """`ast.parse` of a file's bytes, or None when CPython cannot parse them."""
    return parse_reporting_nesting(data)[0]


def parse_reporting_nesting(data: bytes) -> tuple[ast.Module | None, bool]:
    """`parse_tree`, and whether CPython refused the file for nesting too deep (its own
    "too many nested" error, or its recursion or memory running out), which crashes
    LibCST's native parser too (`engine.run_job` checks it before reading with LibCST)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(data), False
    except SyntaxError as exc:
        return None, "too many nested" in str(exc)
    except (RecursionError, MemoryError):
        return None, True
    except Exception:  # ValueError (NUL bytes)...
        return None, False


def _encoding(lines: list[bytes]) -> str | None:
    """The encoding Python decodes the file with (a coding cookie on one of its first two
    lines, a BOM), as tokenize finds it; None when its cookie names none Python knows."""
    first_two = iter(lines[:2])
    try:
        return tokenize.detect_encoding(lambda: next(first_two, b""))[0]
    except (SyntaxError, LookupError):
        return None


def _spans(tree: ast.Module) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for statement in tree.body:
        first = statement.lineno
        for decorator in getattr(statement, "decorator_list", ()):
            first = min(first, decorator.lineno)
        last = statement.end_lineno or statement.lineno
        if spans and first <= spans[-1][1]:  # `a = 1; b = 2`: one line, two statements
            spans[-1] = (spans[-1][0], max(spans[-1][1], last))
        else:
            spans.append((first, last))
    return spans


def outline_of(data: bytes, tree: ast.Module) -> Outline | None:
    """The outline of a file from its `ast` parse; None when a line outside its statements is
    neither blank nor a comment."""
    # (`bytes.splitlines` breaks at \r\n, \r and \n only, as LibCST and `ast` count lines)
    lines = data.splitlines(keepends=True) or [b""]
    encoding = _encoding(lines)
    if encoding is None:
        return None
    if lines[0].startswith(_BOM):  # not the first statement's text: the encoding says it
        lines[0] = lines[0][len(_BOM):]
    spans = _spans(tree)
    digest = hashlib.blake2b(encoding.encode(), digest_size=20)
    line = 1  # the next line not yet looked at
    for first, last in spans:
        if last > len(lines) or first < line:
            return None
        if first > line and any(_code(text) for text in lines[line - 1 : first - 1]):
            return None
        text = b"".join(lines[first - 1 : last])
        digest.update(len(text).to_bytes(8, "little"))
        digest.update(text)
        line = last + 1
    if any(_code(text) for text in lines[line - 1 :]):
        return None
    return Outline(array("I", [line for span in spans for line in span]).tobytes(),
                   digest.digest())


def _code(line: bytes) -> bool:
    """Whether a line between statements holds anything but blanks or a comment."""
    stripped = line.strip(b" \t\f\r\n")
    return bool(stripped) and not stripped.startswith(b"#")


def outline_map(old: Outline, new: Outline) -> dict[int, int] | None:
    """Old line -> new line of every line of the statements, when the two outlines hold the
    same statements' text in the same order (each statement moved by its own offset, the
    order kept); None otherwise."""
    if old.digest != new.digest or len(old.packed) != len(new.packed):
        return None
    lines: dict[int, int] = {}
    for (first, last), (new_first, new_last) in zip(old.spans, new.spans, strict=True):
        if last - first != new_last - new_first:
            return None
        offset = new_first - first
        for line in range(first, last + 1):
            lines[line] = line + offset
    return lines
