"""Python extractor: one LibCST pass over a file -> :class:`~analyzer.facts.PythonFacts`.

What comes out (see ``analyzer.facts`` for the types):

* **String candidates** - every *maximal* string-valued expression (plain / triple-quoted /
  bytes-that-decode-as-UTF-8 literals, implicit concatenation, ``+`` chains, f-strings and
  t-strings, ``"...".format(...)``, ``"..." % args``) as a sequence of ``Literal`` text pieces and
  ``Hole`` interpolations. A string nested inside a bigger string expression, or inside one of its
  holes, is not reported on its own.
* **Sinks** - when the expression is the SQL argument of a known SQL-taking call, the candidate's
  ``sink`` is that call's name (see :data:`SINKS` / :data:`METHOD_SINKS`). A bare name or
  attribute chain in a sink position is a one-hole candidate (``style="argument"``); a visibly
  computed value there (``QUERY % x``, ``a + b``, ``QUERIES[k]``, ``q.format(...)``) is a one-hole
  candidate with ``ref=None`` (dynamic SQL).
* **Module constants** - ``NAME = <string expression>`` bound exactly once at module level.
* **Local resolution** - holes naming a function local (or ``self.X`` / ``cls.X`` /
  ``ClassName.X`` class attribute) bound exactly once to a string expression are replaced by that
  string, so only module-level references are left for the cross-module resolver.
* **Imports** and the **Alembic revision** marker.

The extractor is pure: it never imports or runs the scanned code, keeps no global state and
never raises - unreadable files yield a :class:`~analyzer.facts.FileProblem` instead.
"""

from __future__ import annotations

import _string  # C helpers behind string.Formatter.parse (stdlib, always available)
import ast
import re
import unicodedata
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange, PositionProvider

from analyzer.facts import (
    ConstantBinding,
    FileProblem,
    Hole,
    ImportBinding,
    Literal,
    Part,
    PythonFacts,
    StringCandidate,
)

__all__ = ["METHOD_SINKS", "SINKS", "SQL_KEYWORDS", "extract_python"]

from analyzer.extract.sinks import METHOD_SINKS, SINKS, SQL_KEYWORDS

_MAX_RESOLVE_DEPTH = 16
_MIN_TEXT_LEN = 6  # non-sink candidates with less literal text than this are dropped

_STRING_NODES = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)
_TemplatedString = getattr(cst, "TemplatedString", None)  # t-strings (libcst >= 1.8)
if _TemplatedString is not None:
    _STRING_NODES = (*_STRING_NODES, _TemplatedString)
_FSTRING_NODES = tuple(n for n in (cst.FormattedString, _TemplatedString) if n is not None)


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def extract_python(path: str, source: bytes, module: str) -> PythonFacts:
    """Extract SQL string candidates, constants, imports and markers from one Python file.

    Never raises: unparsable / undecodable / too deeply nested files return facts holding only a
    :class:`FileProblem`.
    """
    facts = PythonFacts(path=path, module=module)
    try:
        tree = parse_source(source, "python")
        if isinstance(tree, FileProblem):
            return _fail(facts, tree.code, tree.line, tree.message)
        positions = _positions(tree)
        visitor = _Extractor(tree, positions)
        tree.visit(visitor)
        visitor.finish(facts)
        from analyzer.extract.orm_source import extract_orm  # (circular: it imports us)

        facts.orm = extract_orm(tree, positions)
    except RecursionError:
        return _fail(
            facts,
            "python-recursion-limit",
            None,
            "expressions nested too deeply for the Python parser",
        )
    except Exception as exc:  # never let one odd file abort a whole repository scan
        return _fail(facts, "python-internal-error", None, f"extractor failed: {_describe(exc)}")
    return facts


def _positions(tree: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """PositionProvider metadata for ``tree``.

    ``MetadataWrapper.resolve`` also runs a (here empty) batched-provider traversal of the whole
    tree after computing positions, which costs ~20% of the extraction time, so call the
    provider directly, falling back to the public API if libcst's internals ever change.
    """
    wrapper = cst.MetadataWrapper(tree, unsafe_skip_copy=True)
    try:
        return PositionProvider()._gen(wrapper)
    except (AttributeError, TypeError):  # pragma: no cover - libcst internals changed
        return wrapper.resolve(PositionProvider)


def parse_source(source: bytes, prefix: str) -> cst.Module | FileProblem:
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
        return cst.parse_module(source)
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
            f"cannot decode the file ({_describe(exc)})",
        )


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


def _fail(facts: PythonFacts, code: str, line: int | None, what: str) -> PythonFacts:
    facts.candidates.clear()
    facts.constants.clear()
    facts.imports.clear()
    facts.alembic_revision = None
    facts.problems.append(FileProblem(code, line, f"{what}; the file's SQL was not analysed"))
    return facts


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _bad_utf8_line(source: bytes) -> int | None:
    try:
        source.decode("utf-8")
    except UnicodeDecodeError as exc:
        return source.count(b"\n", 0, exc.start) + 1
    return None


# --------------------------------------------------------------------------------------------
# String literal evaluation (no ast.literal_eval: it warns on invalid escapes and is slower)
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
    def repl(match: re.Match[str]) -> str:
        esc = match.group(1)
        head = esc[0]
        if esc in _SIMPLE_ESCAPES:
            return _SIMPLE_ESCAPES[esc]
        if head in "01234567":
            return chr(int(esc, 8) & (0xFF if is_bytes else 0x1FF))
        if head == "x":
            return chr(int(esc[1:], 16))
        if not is_bytes:
            if head in "uU":
                code = int(esc[1:], 16)
                if code <= 0x10FFFF:
                    return chr(code)
            elif head == "N":
                try:
                    return unicodedata.lookup(esc[2:-1])
                except KeyError:
                    pass
        return match.group(0)  # unknown escape: Python keeps the backslash

    return _ESCAPE_RE.sub(repl, body)


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _string_value(prefix: str, body: str) -> str | None:
    """Evaluated value of a string literal body; ``None`` for bytes that are not UTF-8."""
    prefix = prefix.lower()
    is_bytes = "b" in prefix
    body = _normalize_newlines(body)
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


def _fstring_text(text: str, raw: bool) -> str:
    """Value of an f-string text piece: escapes evaluated, ``{{``/``}}`` unescaped."""
    text = _normalize_newlines(text)
    if raw or "\\" not in text:
        if "{" not in text and "}" not in text:
            return text
        return _FSTRING_TEXT_RE.sub(_first_char, text)
    return _FSTRING_ESCAPE_RE.sub(_fstring_piece, text)


def _first_char(match: re.Match[str]) -> str:
    return match.group(0)[0]


def _fstring_piece(match: re.Match[str]) -> str:
    if match.group(1) is None:  # "{{" or "}}"
        return match.group(0)[0]
    return _unescape(match.group(0), is_bytes=False)


# --------------------------------------------------------------------------------------------
# Helpers on nodes
# --------------------------------------------------------------------------------------------


def _dotted(node: cst.BaseExpression) -> str | None:
    """``a`` / ``a.b.c`` for a Name or an Attribute chain on a Name, else ``None``."""
    names: list[str] = []
    while isinstance(node, cst.Attribute):
        names.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    names.append(node.value)
    return ".".join(reversed(names))


def _is_format_call(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value == "format"
    )


def _add_spine(node: cst.BinaryOperation) -> list[cst.BinaryOperation]:
    """The left spine of an ``a + b + c`` chain, outermost first (iterative: chains can be long)."""
    spine = [node]
    left = node.left
    while isinstance(left, cst.BinaryOperation) and isinstance(left.operator, cst.Add):
        spine.append(left)
        left = left.left
    return spine


def _is_all(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Name) and target.value == "__all__"


def _target_names(target: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """Leaf targets of an assignment target (tuples / lists / starred unpacked)."""
    stack = [target]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Tuple | cst.List):
            stack.extend(el.value for el in node.elements)
        elif isinstance(node, cst.StarredElement):
            stack.append(node.value)
        else:
            yield node


_PERCENT_RE = re.compile(
    r"%(?:\((?P<key>[^()]*)\))?(?P<flags>[#0 +\-]*)(?P<width>\*|\d+)?(?:\.(?P<prec>\*|\d*))?"
    r"[hlL]?(?P<conv>[diouxXeEfFgGcrsab%])"
)


# --------------------------------------------------------------------------------------------
# Scopes and bindings (lightweight replacement for ScopeProvider)
# --------------------------------------------------------------------------------------------


@dataclass(eq=False, slots=True)
class _Binding:
    parts: tuple[Part, ...] | None  # None: bound to something that is not a string expression
    scope: _Scope  # scope the value's own holes are looked up in
    line: int = 0


@dataclass(eq=False, slots=True)
class _Scope:
    kind: str  # "module" | "class" | "function"
    parent: _Scope | None
    qualname: str | None  # dotted class/function path, None for the module
    function: str | None  # qualname of the nearest enclosing function (candidate.function)
    bindings: dict[str, list[_Binding]] = field(default_factory=dict)
    excluded: set[str] = field(default_factory=set)  # parameters, global, nonlocal
    globals: set[str] = field(default_factory=set)

    def bind(self, name: str, binding: _Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)

    def single(self, name: str) -> _Binding | None:
        found = self.bindings.get(name)
        if found is not None and len(found) == 1 and found[0].parts is not None:
            return found[0]
        return None


@dataclass(slots=True)
class _Pending:
    parts: tuple[Part, ...]
    line: int
    end_line: int
    sink: str | None
    scope: _Scope
    column: int = 0


# --------------------------------------------------------------------------------------------
# The visitor
# --------------------------------------------------------------------------------------------


class _Extractor(cst.CSTVisitor):
    """The single traversal. ``on_visit`` dispatches through :data:`_VISIT` (built from the
    ``visit_<Node>`` methods below) instead of libcst's per-node ``getattr``; with the no-op
    attribute hooks this halves the cost of the walk."""

    def __init__(self, module: cst.Module, positions: Mapping[cst.CSTNode, CodeRange]) -> None:
        super().__init__()
        self._module = module
        self._pos = positions
        self._root = _Scope("module", None, None, None)
        self._scope = self._root
        self._pending: list[_Pending] = []
        self._imports: list[ImportBinding] = []
        self._sinks: dict[int, str] = {}  # id(argument node) -> sink name
        self._prebuilt: dict[int, tuple[Part, ...] | None] = {}  # id(node) -> parts (assignments)
        self._not_str: set[int] = set()  # ids of `+` nodes known not to be string expressions
        self._classes: dict[str, _Scope | None] = {}  # "Outer.Inner" -> class scope (None: dup)

    # ---- small utilities -------------------------------------------------------------------

    def on_visit(self, node: cst.CSTNode) -> bool:
        handler = _VISIT.get(type(node))
        return handler is None or handler(self, node) is not False

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if type(original_node) in _SCOPE_NODES:
            self._pop()

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        return None

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        return None

    def _line(self, node: cst.CSTNode) -> int:
        return self._pos[node].start.line

    def _code(self, node: cst.CSTNode) -> str:
        if isinstance(node, cst.Name) and not node.lpar:
            return node.value
        return self._module.code_for_node(node)

    def _hole(self, node: cst.BaseExpression, style: str) -> Hole:
        return Hole(self._code(node), _dotted(node), self._line(node), style)

    # ---- what is a string expression -------------------------------------------------------

    def _is_str(self, node: cst.CSTNode) -> bool:
        if isinstance(node, _STRING_NODES):
            return True
        if isinstance(node, cst.BinaryOperation):
            if id(node) in self._not_str:
                return False
            op = node.operator
            if isinstance(op, cst.Modulo):
                return self._is_str(node.left)
            if isinstance(op, cst.Add):
                spine = _add_spine(node)
                # operands off the left spine are parenthesized; `_is_str` recurses into them
                if self._is_str(spine[-1].left) or any(self._is_str(n.right) for n in spine):
                    return True
                self._not_str.update(id(n) for n in spine)
            return False
        if _is_format_call(node):
            return self._is_str(node.func.value)  # type: ignore[attr-defined]
        return False

    # ---- building parts --------------------------------------------------------------------

    def _build(self, node: cst.BaseExpression) -> tuple[Part, ...] | None:
        """Parts of a string expression (``_is_str(node)`` holds); None if not representable."""
        if isinstance(node, cst.SimpleString):
            value = _string_value(node.prefix, node.raw_value)
            if value is None:
                return None
            return (Literal(value, self._line(node)),) if value else ()
        if isinstance(node, cst.ConcatenatedString):
            out: list[Part] = []
            piece: cst.BaseExpression = node
            while isinstance(piece, cst.ConcatenatedString):
                left = self._build(piece.left)
                if left is None:
                    return None
                out.extend(left)
                piece = piece.right
            last = self._build(piece)
            if last is None:
                return None
            out.extend(last)
            return tuple(out)
        if isinstance(node, _FSTRING_NODES):
            return self._build_fstring(node)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Modulo):
                template = self._build(node.left)
                return None if template is None else self._apply_percent(template, node.right)
            return self._build_concat(node)
        if _is_format_call(node):
            template = self._build(node.func.value)  # type: ignore[attr-defined]
            return None if template is None else self._apply_format(template, node)  # type: ignore[arg-type]
        return None

    def _build_fstring(self, node: cst.BaseExpression) -> tuple[Part, ...]:
        raw = "r" in node.start.lower()  # type: ignore[attr-defined]
        out: list[Part] = []
        for piece in node.parts:  # type: ignore[attr-defined]
            expr = getattr(piece, "expression", None)
            if expr is None:
                text = _fstring_text(piece.value, raw)
                if text:
                    out.append(Literal(text, self._line(piece)))
            else:
                out.append(self._hole(expr, "fstring"))
        return tuple(out)

    def _build_concat(self, node: cst.BinaryOperation) -> tuple[Part, ...] | None:
        spine = _add_spine(node)
        operands = [spine[-1].left, *(n.right for n in reversed(spine))]
        out: list[Part] = []
        for operand in operands:
            if self._is_str(operand):
                parts = self._build(operand)
                if parts is None:
                    return None
                out.extend(parts)
            else:
                out.append(self._hole(operand, "concat"))
        return tuple(out)

    def _apply_percent(
        self, template: tuple[Part, ...], right: cst.BaseExpression
    ) -> tuple[Part, ...]:
        # 1. split the literal pieces into text and fields
        pieces: list[Part | tuple[str | None, int]] = []  # (key, line) for fields
        fields: list[str | None] = []
        star = False
        for part in template:
            if not isinstance(part, Literal) or "%" not in part.text:
                pieces.append(part)
                continue
            text, line, pos = part.text, part.line, 0
            buf: list[str] = []
            buf_line = line
            for match in _PERCENT_RE.finditer(text):
                before = text[pos : match.start()]
                buf.append(before)
                line += before.count("\n")
                pos = match.end()
                if match.group("conv") == "%" and match.group("key") is None:
                    buf.append("%")
                    continue
                if buf and "".join(buf):
                    pieces.append(Literal("".join(buf), buf_line))
                buf, buf_line = [], line
                key = match.group("key")
                star = star or "*" in (match.group("width") or "") + (match.group("prec") or "")
                fields.append(key)
                pieces.append((key, line))
            rest = text[pos:]
            buf.append(rest)
            if "".join(buf):
                pieces.append(Literal("".join(buf), buf_line))
        if not fields:
            return tuple(p for p in pieces if not isinstance(p, tuple))

        # 2. match fields to the right-hand side
        code = self._code(right)
        positional: list[cst.BaseExpression] | None = None
        keyed: dict[str, cst.BaseExpression] = {}
        if isinstance(right, cst.Tuple):
            elements = [el.value for el in right.elements]
            if not star and not any(isinstance(el, cst.StarredElement) for el in right.elements):
                positional = elements
        elif isinstance(right, cst.Dict):
            for el in right.elements:
                if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
                    key = _string_value(el.key.prefix, el.key.raw_value)
                    if key is not None:
                        keyed[key] = el.value
        elif not star:
            positional = [right]
        n_positional = sum(1 for f in fields if f is None)
        if positional is not None and (
            len(positional) != n_positional or n_positional != len(fields)
        ):
            positional = None

        out: list[Part] = []
        index = 0
        for piece in pieces:
            if not isinstance(piece, tuple):
                out.append(piece)
                continue
            key, line = piece
            if key is None:
                if positional is not None:
                    out.append(self._hole(positional[index], "percent"))
                else:
                    out.append(Hole(f"{code}[{index}]", None, self._line(right), "percent"))
                index += 1
            elif key in keyed:
                out.append(self._hole(keyed[key], "percent"))
            else:
                out.append(Hole(f"{code}[{key!r}]", None, self._line(right), "percent"))
        return tuple(out)

    def _apply_format(self, template: tuple[Part, ...], call: cst.Call) -> tuple[Part, ...]:
        positional: list[cst.BaseExpression] = []
        keyword: dict[str, cst.BaseExpression] = {}
        unpacked = False  # positions after *args are unknown
        for arg in call.args:
            if arg.keyword is not None:
                keyword[arg.keyword.value] = arg.value
            elif arg.star == "*":
                unpacked = True
            elif not arg.star and not unpacked:
                positional.append(arg.value)
        out: list[Part] = []
        auto = 0
        for part in template:
            if not isinstance(part, Literal) or ("{" not in part.text and "}" not in part.text):
                out.append(part)
                continue
            try:
                chunks = list(_string.formatter_parser(part.text))
            except ValueError:  # malformed template (fails at runtime too): keep as text
                out.append(part)
                continue
            line = part.line
            text_line, buf = line, ""  # "{{" splits chunks: merge consecutive text
            for literal, field_name, _spec, _conv in chunks:
                if literal:
                    if not buf:
                        text_line = line
                    buf += literal
                    line += literal.count("\n")
                if field_name is None:
                    continue
                if buf:
                    out.append(Literal(buf, text_line))
                    buf = ""
                try:
                    first, rest = _string.formatter_field_name_split(field_name)
                    rest_items = list(rest)
                except ValueError:
                    first, rest_items = field_name, []
                if first == "":
                    first, auto = auto, auto + 1
                arg: cst.BaseExpression | None
                if isinstance(first, int):
                    arg = positional[first] if first < len(positional) else None
                else:
                    arg = keyword.get(first)
                if arg is None:
                    out.append(Hole("{" + field_name + "}", None, line, "format"))
                    continue
                hole = self._hole(arg, "format")
                if rest_items:
                    suffix = "".join(f".{k}" if attr else f"[{k!r}]" for attr, k in rest_items)
                    ref = hole.ref
                    if ref is not None and all(is_attr for is_attr, _ in rest_items):
                        ref += suffix
                    else:
                        ref = None
                    hole = Hole(hole.expr + suffix, ref, hole.line, "format")
                out.append(hole)
            if buf:
                out.append(Literal(buf, text_line))
        return tuple(out)

    # ---- candidates ------------------------------------------------------------------------

    def _candidate(self, node: cst.BaseExpression) -> bool:
        """Report a string-expression node if it is one; False means 'do not descend'."""
        key = id(node)
        if key in self._prebuilt:
            parts = self._prebuilt.pop(key)
        elif self._is_str(node):
            parts = self._build(node)
        else:
            return True
        sink = self._sinks.pop(key, None)
        if parts is not None:
            pos = self._pos[node]
            self._pending.append(
                _Pending(parts, pos.start.line, pos.end.line, sink, self._scope, pos.start.column)
            )
        return False

    def _sink_argument(self, node: cst.BaseExpression, sink: str) -> None:
        if isinstance(node, cst.IfExp):
            self._sink_argument(node.body, sink)
            self._sink_argument(node.orelse, sink)
            return
        if self._is_str(node):
            self._sinks[id(node)] = sink
            return
        ref = _dotted(node)
        if ref is None and not (
            isinstance(node, cst.BinaryOperation | cst.Subscript)
            or (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and node.func.attr.value in ("format", "join")
            )
        ):
            return  # some other call (`select(...)`, `text(...)`): not a SQL string here
        pos = self._pos[node]
        hole = Hole(self._code(node), ref, pos.start.line, "argument")
        self._pending.append(
            _Pending((hole,), pos.start.line, pos.end.line, sink, self._scope, pos.start.column)
        )

    # ---- bindings --------------------------------------------------------------------------

    def _bind_name(self, name: str, parts: tuple[Part, ...] | None, line: int) -> None:
        scope = self._scope
        if scope.kind != "module" and name in scope.globals:
            self._root.bind(name, _Binding(None, self._root, line))
        elif name not in scope.excluded or scope.kind != "function":
            scope.bind(name, _Binding(parts, scope, line))

    def _method_class(self) -> _Scope | None:
        scope: _Scope | None = self._scope
        while scope is not None and scope.kind != "module":
            parent = scope.parent
            if scope.kind == "function" and parent is not None and parent.kind == "class":
                return parent
            scope = scope.parent
        return None

    def _bind_target(self, target: cst.BaseExpression, parts: tuple[Part, ...] | None) -> None:
        for leaf in _target_names(target):
            if isinstance(leaf, cst.Name):
                self._bind_name(leaf.value, parts, self._line(leaf))
            elif (
                isinstance(leaf, cst.Attribute)
                and isinstance(leaf.value, cst.Name)
                and leaf.value.value in ("self", "cls")
            ):
                cls_scope = self._method_class()
                if cls_scope is not None:
                    cls_scope.bind(leaf.attr.value, _Binding(parts, self._scope, self._line(leaf)))

    def _bind_other(self, target: cst.CSTNode | None) -> None:
        if target is None:
            return
        if isinstance(target, cst.AsName):
            target = target.name
        self._bind_target(target, None)  # type: ignore[arg-type]

    def _assigned_parts(self, value: cst.BaseExpression) -> tuple[Part, ...] | None:
        if not self._is_str(value):
            return None
        parts = self._build(value)
        self._prebuilt[id(value)] = parts
        return parts

    # ---- scopes ----------------------------------------------------------------------------

    def _push(self, kind: str, name: str) -> _Scope:
        parent = self._scope
        qualname = f"{parent.qualname}.{name}" if parent.qualname else name
        function = qualname if kind == "function" else parent.function
        self._scope = _Scope(kind, parent, qualname, function)
        return self._scope

    def _pop(self) -> None:
        assert self._scope.parent is not None
        self._scope = self._scope.parent

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._bind_name(node.name.value, None, self._line(node.name))
        scope = self._push("class", node.name.value)
        if scope.function is None:
            key = scope.qualname or node.name.value
            self._classes[key] = None if key in self._classes else scope

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._bind_name(node.name.value, None, self._line(node.name))
        scope = self._push("function", node.name.value)
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            scope.excluded.add(param.name.value)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                scope.excluded.add(star.name.value)

    def visit_Lambda(self, node: cst.Lambda) -> None:
        # lambda parameters (and comprehension targets) shadow function locals: count them as
        # non-string bindings there; at module/class level they bind nothing.
        if self._scope.kind != "function":
            return
        params = node.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            self._bind_name(param.name.value, None, 0)
        for star in (params.star_arg, params.star_kwarg):
            if isinstance(star, cst.Param):
                self._bind_name(star.name.value, None, 0)

    def visit_Global(self, node: cst.Global) -> None:
        for item in node.names:
            self._scope.globals.add(item.name.value)
            self._scope.excluded.add(item.name.value)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        outer = self._scope.parent
        while outer is not None and outer.kind == "class":
            outer = outer.parent
        for item in node.names:
            self._scope.excluded.add(item.name.value)
            if outer is not None and outer.kind == "function":
                outer.bind(item.name.value, _Binding(None, outer))

    # ---- statements that bind names --------------------------------------------------------

    def visit_Assign(self, node: cst.Assign) -> bool:
        parts = self._assigned_parts(node.value)
        skip = False
        for target in node.targets:
            self._bind_target(target.target, parts)
            skip = skip or _is_all(target.target)
        if skip:
            self._prebuilt.pop(id(node.value), None)
        return not skip

    def visit_AnnAssign(self, node: cst.AnnAssign) -> bool:
        if node.value is None:
            return True
        parts = self._assigned_parts(node.value)
        self._bind_target(node.target, parts)
        if _is_all(node.target):
            self._prebuilt.pop(id(node.value), None)
            return False
        return True

    def visit_AugAssign(self, node: cst.AugAssign) -> bool:
        self._bind_target(node.target, None)
        return not _is_all(node.target)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind_other(node.target)

    def visit_For(self, node: cst.For) -> None:
        self._bind_other(node.target)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        if self._scope.kind == "function":
            self._bind_other(node.target)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        self._bind_other(node.asname)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._bind_other(node.name)

    def visit_ExceptStarHandler(self, node: cst.ExceptStarHandler) -> None:
        self._bind_other(node.name)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind_other(node.target)

    def visit_MatchAs(self, node: cst.MatchAs) -> None:
        self._bind_other(node.name)

    def visit_MatchStar(self, node: cst.MatchStar) -> None:
        self._bind_other(node.name)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name) or ""
            local = alias.evaluated_alias or dotted
            self._imports.append(ImportBinding(local, dotted, None, 0, self._line(alias)))
            self._bind_name(alias.evaluated_alias or dotted.split(".")[0], None, 0)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        module = _dotted(node.module) if node.module is not None else ""
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            self._imports.append(ImportBinding("*", module or "", "*", level, self._line(node)))
            return
        for alias in node.names:
            name = alias.evaluated_name
            local = alias.evaluated_alias or name
            self._imports.append(ImportBinding(local, module or "", name, level, self._line(alias)))
            self._bind_name(local, None, 0)

    # ---- expressions -----------------------------------------------------------------------

    def visit_Expr(self, node: cst.Expr) -> bool:
        # docstrings and other bare string statements are never candidates
        return not self._is_str(node.value)

    def visit_Call(self, node: cst.Call) -> bool:
        func = node.func
        if isinstance(func, cst.Attribute):
            name = func.attr.value
            is_sink = name in SINKS or name in METHOD_SINKS
        elif isinstance(func, cst.Name):
            name = func.value
            is_sink = name in SINKS
        else:
            is_sink = False
        if is_sink:
            arg = node.args[0] if node.args else None
            if arg is None or arg.keyword is not None or arg.star:
                keyed = (a for a in node.args if a.keyword and a.keyword.value in SQL_KEYWORDS)
                arg = next(keyed, None)
            if arg is not None:
                self._sink_argument(arg.value, name)
            return True
        return self._candidate(node) if _is_format_call(node) else True

    def visit_SimpleString(self, node: cst.SimpleString) -> bool:
        return self._candidate(node)

    def visit_ConcatenatedString(self, node: cst.ConcatenatedString) -> bool:
        return self._candidate(node)

    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        return self._candidate(node)

    def visit_TemplatedString(self, node: cst.CSTNode) -> bool:
        return self._candidate(node)  # type: ignore[arg-type]

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> bool:
        return self._candidate(node)

    # ---- end of traversal ------------------------------------------------------------------

    def _lookup(self, ref: str, scope: _Scope) -> _Binding | None:
        if "." not in ref:
            current: _Scope | None = scope
            while current is not None and current.kind != "module":
                if current is scope or current.kind == "function":
                    if ref in current.excluded:
                        return None
                    if ref in current.bindings:
                        return current.single(ref)
                current = current.parent
            return None  # module level: left to the cross-module resolver
        owner, attr = ref.rsplit(".", 1)
        if owner in ("self", "cls"):
            cls_scope = None
            current = scope
            while current is not None and current.kind != "module":
                parent = current.parent
                if current.kind == "function" and parent is not None and parent.kind == "class":
                    cls_scope = parent
                    break
                current = current.parent
        else:
            cls_scope = self._classes.get(owner)
        return cls_scope.single(attr) if cls_scope is not None else None

    def _resolve(
        self,
        parts: tuple[Part, ...],
        scope: _Scope,
        depth: int = 0,
        seen: frozenset[int] = frozenset(),
    ) -> tuple[Part, ...]:
        if depth >= _MAX_RESOLVE_DEPTH or not any(
            isinstance(p, Hole) and p.ref is not None for p in parts
        ):
            return parts
        out: list[Part] = []
        for part in parts:
            if isinstance(part, Hole) and part.ref is not None:
                binding = self._lookup(part.ref, scope)
                if binding is not None and id(binding) not in seen and binding.parts is not None:
                    inner = self._resolve(
                        binding.parts, binding.scope, depth + 1, seen | {id(binding)}
                    )
                    out.extend(_splice(inner, part.line))
                    continue
            out.append(part)
        return tuple(out)

    def _is_local_sql_variable(self, pending: _Pending) -> bool:
        """`sql = "SELECT ..."; cur.execute(sql)`: the string is already a candidate where it
        is written, so the sink argument would only count the same statement twice. Module and
        class constants are different: their sink sites are the uses other modules make."""
        if pending.sink is None or len(pending.parts) != 1:
            return False
        hole = pending.parts[0]
        if not isinstance(hole, Hole) or hole.style != "argument" or hole.ref is None:
            return False
        binding = self._lookup(hole.ref, pending.scope)
        return binding is not None and binding.scope.kind == "function"

    def finish(self, facts: PythonFacts) -> None:
        self._pending.sort(key=lambda p: (p.line, p.column))  # sink names are seen first
        for pending in self._pending:
            if self._is_local_sql_variable(pending):
                continue
            parts = self._resolve(pending.parts, pending.scope)
            if pending.sink is None and not _worth_reporting(parts):
                continue
            facts.candidates.append(
                StringCandidate(
                    parts, pending.line, pending.end_line, pending.sink, pending.scope.function
                )
            )
        for name, bindings in self._root.bindings.items():
            if len(bindings) == 1 and bindings[0].parts is not None:
                binding = bindings[0]
                facts.constants[name] = ConstantBinding(
                    name, self._resolve(binding.parts, self._root), binding.line
                )
        facts.imports.extend(self._imports)
        revision = self._root.bindings.get("revision")
        if revision and "down_revision" in self._root.bindings:
            for binding in revision:
                if binding.parts and all(isinstance(p, Literal) for p in binding.parts):
                    facts.alembic_revision = "".join(p.text for p in binding.parts)  # type: ignore[union-attr]
                    break


_SCOPE_NODES = (cst.ClassDef, cst.FunctionDef)
_VISIT = {
    node_type: method
    for name, method in vars(_Extractor).items()
    if name.startswith("visit_")
    and (node_type := getattr(cst, name.removeprefix("visit_"), None)) is not None
}


def _splice(parts: Sequence[Part], line: int) -> list[Part]:
    """Parts substituted for a hole: literal runs merged and placed on the hole's line."""
    out: list[Part] = []
    buf: list[str] = []
    for part in parts:
        if isinstance(part, Literal):
            buf.append(part.text)
        else:
            if buf:
                out.append(Literal("".join(buf), line))
                buf = []
            out.append(part)
    if buf:
        out.append(Literal("".join(buf), line))
    return out


def _worth_reporting(parts: tuple[Part, ...]) -> bool:
    text = "".join(p.text for p in parts if isinstance(p, Literal))
    return len(text.strip()) >= _MIN_TEXT_LEN and any(c.isalpha() for c in text)
