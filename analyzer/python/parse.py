"""One parse per file: the LibCST tree with its positions, shared by every reader.

`parse_module` turns bytes into a `ParsedModule` or says, as a `FileProblem`, why it cannot.
Readers ask the parsed module for lines and source text of nodes instead of holding
positions themselves, so that the way positions are computed can change in one place.
"""

from __future__ import annotations

import ast
import re
import warnings
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.base import CSTNode

from analyzer.facts import FileProblem
from analyzer.python.positions import Positions

# Every LibCST node validates itself when built (`CSTNode.__post_init__` calls `_validate`):
# checks against trees put together by hand (a `Name` that is not an identifier, a missing
# parenthesis...). A tree the parser built passed the parser's own grammar; LibCST's comment
# on that method says as much ("would allow us to avoid validating the tree when parsing a
# file"). Skipped while parsing: 12-18% of the parse, measured on the generated 1,000 modules
# (6.4 s -> 5.6 s of CPU). `tests/test_python_parse.py` checks on every file of the corpus
# that the trees are equal to validated ones, on each pinned LibCST version.
_VALIDATING_POST_INIT = CSTNode.__dict__.get("__post_init__")


def _built_by_the_parser(self: CSTNode) -> None:
    """`CSTNode.__post_init__` while `parse_tree` parses: no validation."""


def _parse_unvalidated(source: bytes) -> cst.Module:
    """`cst.parse_module` with node validation off for the duration (one thread parses at a
    time: workers are processes)."""
    if _VALIDATING_POST_INIT is None:  # a LibCST without the hook: parse as it is
        return cst.parse_module(source)
    CSTNode.__post_init__ = _built_by_the_parser  # type: ignore[method-assign]
    try:
        return cst.parse_module(source)
    finally:
        CSTNode.__post_init__ = _VALIDATING_POST_INIT  # type: ignore[method-assign]


def describe_exception(exc: BaseException) -> str:
    """`Type: first line of the message`, for diagnostics."""
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _bad_utf8_line(source: bytes) -> int | None:
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        return source.count(b"\n", 0, exc.start) + 1
    return None


def _syntax_error_position(source: bytes, exc: cst.ParserSyntaxError) -> tuple[int, int]:
    """Where CPython puts the error: LibCST's parser reports where its backtracking gave up,
    often a line or more past the mistake (`print "x"` on line 2 is reported on line 3)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(source)
    except SyntaxError as error:
        if error.lineno:
            return error.lineno, error.offset or 1
    except Exception:  # RecursionError, MemoryError...: keep LibCST's position
        pass
    return exc.editor_line, exc.editor_column


def parse_tree(source: bytes, prefix: str) -> cst.Module | FileProblem:
    """Parse with LibCST (which honours coding cookies and BOMs), or say why it cannot.

    Problem codes are `{prefix}-syntax-error` and `{prefix}-decode-error`; the message says
    what is wrong and the caller adds what that means for its analysis.
    """
    nul = source.find(b"\x00")
    if nul >= 0:
        return FileProblem(
            f"{prefix}-syntax-error",
            source.count(b"\n", 0, nul) + 1,
            "file contains NUL bytes (binary or corrupted file?)",
        )
    try:
        return _parse_unvalidated(source)
    except cst.ParserSyntaxError as exc:
        line, column = _syntax_error_position(source, exc)
        return FileProblem(
            f"{prefix}-syntax-error",
            line,
            f"not valid Python 3 syntax at line {line}, column {column} (Python 2 code?)",
        )
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        # tokenize.detect_encoding / bytes.decode: bad or missing coding cookie.
        return FileProblem(
            f"{prefix}-decode-error",
            _bad_utf8_line(source),
            f"cannot decode the file ({describe_exception(exc)})",
        )


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(eq=False)
class ParsedModule:
    """A parsed Python file: what every reader of that file reads."""

    path: str
    module: str
    tree: cst.Module
    positions: Positions = field(repr=False)
    source: bytes = field(default=b"", repr=False)
    _lines: list[str] | None = field(default=None, repr=False)

    def _source_lines(self) -> list[str]:
        """Source lines as LibCST counts them (\n, \r\n and \r end a line)."""
        if self._lines is None:
            encoding = self.tree.encoding
            if encoding.lower().replace("_", "-") in ("utf-8", "utf8"):
                encoding = "utf-8-sig"
            text = self.source.decode(encoding, errors="replace") if self.source else self.tree.code
            lines = []
            start = 0
            for match in _LINE_BREAK.finditer(text):
                lines.append(text[start : match.end()])
                start = match.end()
            lines.append(text[start:])
            self._lines = lines
        return self._lines

    def line(self, node: cst.CSTNode) -> int:
        return self.positions.start_line(node)

    def end_line(self, node: cst.CSTNode) -> int:
        return self.positions.end_line(node)

    def column(self, node: cst.CSTNode) -> int:
        return self.positions.start(node)[1]

    def span(self, first: cst.CSTNode, last: cst.CSTNode) -> str:
        """Source text from the start of `first` to the end of `last` (a decorated
        definition: from its first decorator)."""
        start_line, start_column = self.positions.start(first)
        end_line, end_column = self.positions.end(last)
        lines = self._source_lines()
        if start_line == end_line:
            return lines[start_line - 1][start_column:end_column]
        pieces = [lines[start_line - 1][start_column:]]
        pieces.extend(lines[start_line : end_line - 1])
        pieces.append(lines[end_line - 1][:end_column])
        return "".join(pieces)

    def code(self, node: cst.CSTNode) -> str:
        """Source text of a node, sliced from the file by its position (generating code from
        the tree would cost a pass over the subtree each time)."""
        if isinstance(node, cst.Name) and not node.lpar:
            return node.value
        if node not in self.positions or getattr(node, "lpar", None):
            return self.tree.code_for_node(node)  # (positions leave parentheses out)
        return self.span(node, node)


def parse_module(path: str, module: str, source: bytes, prefix: str = "python") -> (
    ParsedModule | FileProblem
):
    """Parse once; positions are computed lazily (`Positions`), for every reader to share."""
    tree = parse_tree(source, prefix)
    if isinstance(tree, FileProblem):
        return tree
    return ParsedModule(path, module, tree, Positions(tree), source)
