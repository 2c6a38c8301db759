"""Small pure helpers on LibCST nodes and Python literals, shared by every reader.

String literal values are computed here by hand (no `ast.literal_eval`): it warns on invalid
escapes and is slower, and readers need the value of each piece of an f-string separately.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

import libcst as cst

STRING_NODES: tuple[type[cst.CSTNode], ...] = (
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
)
TEMPLATED_STRING = getattr(cst, "TemplatedString", None)  # t-strings (libcst >= 1.8)
if TEMPLATED_STRING is not None:
    STRING_NODES = (*STRING_NODES, TEMPLATED_STRING)
FSTRING_NODES: tuple[type[cst.CSTNode], ...] = tuple(
    node for node in (cst.FormattedString, TEMPLATED_STRING) if node is not None
)

# --------------------------------------------------------------------------------------------
# names
# --------------------------------------------------------------------------------------------


def dotted(node: cst.CSTNode | None) -> str | None:
    """`a` / `a.b.c` for a Name or an Attribute chain on a Name, else None."""
    names: list[str] = []
    while isinstance(node, cst.Attribute):
        names.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    names.append(node.value)
    return ".".join(reversed(names))


def last_name(func: cst.BaseExpression) -> str | None:
    """The called name: `f` for `f(...)`, `m` for `x.y.m(...)`."""
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def target_names(target: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """Leaf targets of an assignment target (tuples / lists / starred unpacked)."""
    stack = [target]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Tuple | cst.List):
            stack.extend(element.value for element in node.elements)
        elif isinstance(node, cst.StarredElement):
            stack.append(node.value)
        else:
            yield node


def target_paths(
    target: cst.BaseExpression,
) -> Iterator[tuple[cst.BaseExpression, tuple[int, ...]]]:
    """Leaf targets with their position in the unpacked value: `a, (b, c)` gives
    (a, (0,)), (b, (1, 0)), (c, (1, 1)). A starred leaf gets no path (its value is a list)."""
    stack: list[tuple[cst.BaseExpression, tuple[int, ...] | None]] = [(target, ())]
    out: list[tuple[cst.BaseExpression, tuple[int, ...]]] = []
    while stack:
        node, path = stack.pop()
        if isinstance(node, cst.Tuple | cst.List):
            starred = any(isinstance(e, cst.StarredElement) for e in node.elements)
            for index, element in enumerate(node.elements):
                inner = None if path is None or starred else (*path, index)
                stack.append((element.value, inner))
        elif isinstance(node, cst.StarredElement):
            stack.append((node.value, None))
        elif path is not None:
            out.append((node, path))
    yield from reversed(out)


def positional_args(call: cst.Call) -> list[cst.BaseExpression]:
    """Positional arguments up to the first keyword or star argument."""
    out = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            break
        out.append(arg.value)
    return out


def keyword_arg(call: cst.Call, *names: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in names:
            return arg.value
    return None


def argument(
    call: cst.Call, index: int | None, keywords: Sequence[str]
) -> cst.BaseExpression | None:
    """The argument at positional `index`, or passed by one of `keywords`."""
    if index is not None:
        positional = positional_args(call)
        if index < len(positional):
            return positional[index]
    return keyword_arg(call, *keywords) if keywords else None


def is_format_call(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
    )


def add_spine(node: cst.BinaryOperation) -> list[cst.BinaryOperation]:
    """The left spine of an `a + b + c` chain, outermost first (iterative: chains are long)."""
    spine = [node]
    left = node.left
    while isinstance(left, cst.BinaryOperation) and isinstance(left.operator, cst.Add):
        spine.append(left)
        left = left.left
    return spine


def suite_statements(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    """Statements of an indented block, or the small statements of a one-line suite."""
    return suite.body


def decorator_names(decorators: Sequence[cst.Decorator]) -> list[str]:
    """Dotted names of decorators (`@x.y` and `@x.y(...)`)."""
    names = []
    for decorator in decorators:
        expr = decorator.decorator
        name = dotted(expr.func if isinstance(expr, cst.Call) else expr)
        if name is not None:
            names.append(name)
    return names


# --------------------------------------------------------------------------------------------
# string literal values
# --------------------------------------------------------------------------------------------

_ESCAPE_RE = re.compile(
    r"\\(N\{[^}]*\}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|\r\n|[\s\S])"
)
_SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\n": "",
    "\r\n": "",
    "\r": "",
}


def _unescape(body: str, *, is_bytes: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        head = escape[0]
        if escape in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[escape]
        if head in "01234567":
            return chr(int(escape, 8) & (0xFF if is_bytes else 0x1FF))
        if head == "x":
            return chr(int(escape[1:], 16))
        if not is_bytes:
            if head in "uU":
                code = int(escape[1:], 16)
                if code <= 0x10FFFF:
                    return chr(code)
            elif head == "N":
                try:
                    return unicodedata.lookup(escape[2:-1])
                except KeyError:
                    pass
        return match.group(0)  # unknown escape: Python keeps the backslash

    return _ESCAPE_RE.sub(replace, body)


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def string_value(prefix: str, body: str) -> str | None:
    """Value of a string literal body; None for bytes that are not UTF-8."""
    prefix = prefix.lower()
    is_bytes = "b" in prefix
    body = normalize_newlines(body)
    if "\\" in body and "r" not in prefix:
        body = _unescape(body, is_bytes=is_bytes)
    if is_bytes:
        try:
            return body.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return None
    return body


_FSTRING_TEXT_RE = re.compile(r"\{\{|\}\}")
_FSTRING_ESCAPE_RE = re.compile(_ESCAPE_RE.pattern + r"|\{\{|\}\}")


def _first_char(match: re.Match[str]) -> str:
    return match.group(0)[0]


def _fstring_piece(match: re.Match[str]) -> str:
    if match.group(1) is None:  # "{{" or "}}"
        return match.group(0)[0]
    return _unescape(match.group(0), is_bytes=False)


def fstring_text(text: str, raw: bool) -> str:
    """Value of an f-string text piece: escapes evaluated, `{{`/`}}` unescaped."""
    text = normalize_newlines(text)
    if raw or "\\" not in text:
        if "{" not in text and "}" not in text:
            return text
        return _FSTRING_TEXT_RE.sub(_first_char, text)
    return _FSTRING_ESCAPE_RE.sub(_fstring_piece, text)


def literal_string(node: cst.CSTNode) -> str | None:
    """Value of a plain string literal or implicit concatenation of plain literals."""
    if isinstance(node, cst.SimpleString):
        return string_value(node.prefix, node.raw_value)
    if isinstance(node, cst.ConcatenatedString):
        left = literal_string(node.left)
        right = literal_string(node.right)
        return None if left is None or right is None else left + right
    return None


def suites(stmt: cst.CSTNode) -> Iterator[cst.BaseSuite]:
    """Statement blocks of a compound statement (if/elif/else, try/except/finally, loops,
    `with`, `match` cases), nested `elif`s, `else`s and handlers included."""
    stack: list[cst.CSTNode] = [stmt]
    while stack:
        node = stack.pop()
        body = getattr(node, "body", None)
        if isinstance(body, cst.BaseSuite):
            yield body
        for attr in ("orelse", "finalbody"):
            other = getattr(node, attr, None)
            if isinstance(other, cst.CSTNode):
                stack.append(other)
        for attr in ("handlers", "cases"):
            stack.extend(getattr(node, attr, ()))


def published(statement: cst.Expr) -> list[tuple[cst.Name, cst.BaseExpression]]:
    """`public(Model=declarative_base())` at module level: the atpublic package's (and its
    copies') way to bind names in the calling module and list them in `__all__`, each
    keyword a name bound to its value, as `Model = declarative_base()` binds it."""
    call = statement.value
    if not (
        isinstance(call, cst.Call) and isinstance(call.func, cst.Name)
        and call.func.value == "public"
    ):
        return []
    return [
        (arg.keyword, arg.value) for arg in call.args
        if arg.keyword is not None and not arg.star
    ]
