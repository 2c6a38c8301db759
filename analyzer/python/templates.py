"""String templates: a string-valued expression as literal pieces and holes.

SQL is written as literals, implicit and `+` concatenation, f-strings and t-strings,
`"...".format(...)` and `"..." % args`. `TemplateBuilder` turns such an expression into
`Literal` pieces (with the line each starts on) and `Hole`s (what is interpolated). A hole
carries its closed expression (`analyzer.python.expr`) so that the evaluator can fill it in
later, across modules; holes naming a local bound once to a string expression are filled
here, where the local is visible (`splice_locals`).
"""

from __future__ import annotations

import _string  # C helpers behind string.Formatter.parse (stdlib, always available)
from collections.abc import Iterable, Sequence

import libcst as cst

from analyzer.facts import Hole, Literal, Part
from analyzer.python import expr as ir
from analyzer.python.fields import PERCENT_FIELD, format_repr, percent_repr
from analyzer.python.nodes import (
    FSTRING_NODES,
    STRING_NODES,
    add_spine,
    dotted,
    fstring_text,
    is_format_call,
    last_name,
    string_value,
)
from analyzer.python.parse import ParsedModule
from analyzer.python.scopes import BindingSite, Scope, evaluated_at, reaching
from analyzer.python.translate import Translator

MAX_SPLICE_DEPTH = 16

def _fstring_repr(piece: cst.CSTNode) -> str | None:
    """`{x!r}`/`{x!a}` of an f-string, as `fields.format_repr` reads a field."""
    return format_repr(getattr(piece, "conversion", None), getattr(piece, "format_spec", None))


def splice(parts: Sequence[Part], line: int) -> list[Part]:
    """Parts substituted for a hole: literal runs merged and placed on the hole's line (a
    name, `"SELECT * FROM " + Tables.USERS`, is cited where the statement is). Text spanning
    lines keeps its own (`self.CREATE_TABLES`, a script of a class constant): placed on the
    hole's line, each of its lines would be counted from there, past the statement."""
    if any(isinstance(part, Literal) and "\n" in part.text for part in parts):
        return list(parts)
    out: list[Part] = []
    buffer: list[str] = []
    for part in parts:
        if isinstance(part, Literal):
            buffer.append(part.text)
        else:
            if buffer:
                out.append(Literal("".join(buffer), line))
                buffer = []
            out.append(part)
    if buffer:
        out.append(Literal("".join(buffer), line))
    return out


def joined(
    pieces: Iterable[tuple[int, tuple[Part, ...] | None]], separator: str
) -> tuple[Part, ...] | None:
    """Several string expressions read as one text, `(line, parts)` each, `separator`
    between two of them on the line of the one after it, so every piece keeps its own lines
    (a `RunSQL` list of statements, a statement given to a sink as its lines); None as soon
    as a piece is (it cannot be represented)."""
    out: list[Part] = []
    for line, parts in pieces:
        if parts is None:
            return None
        if out:
            out.append(Literal(separator, line))
        out.extend(parts)
    return tuple(out)


def literal_text(parts: Sequence[Part]) -> str | None:
    """The text of parts made of literals only, else None."""
    if not all(isinstance(p, Literal) for p in parts):
        return None
    return "".join(p.text for p in parts)  # type: ignore[union-attr]


def sql_composable_text(node: cst.CSTNode) -> cst.BaseExpression | None:
    """The text of psycopg's `sql.SQL("SELECT * FROM {table}")` (a call of `SQL` with one
    positional argument), else None: the composable renders as its text, with `{name}` fields
    that its `.format()` fills (a literal brace is doubled, as in `str.format`)."""
    if not isinstance(node, cst.Call) or len(node.args) != 1:
        return None
    arg = node.args[0]
    if last_name(node.func) != "SQL" or arg.keyword is not None or arg.star:
        return None
    return arg.value


class StringShapes:
    """Which expressions are string expressions: decided by their shape alone, memoised."""

    def __init__(self) -> None:
        self._not_str: set[int] = set()  # ids of `+` nodes known not to be string expressions

    def is_str(self, node: cst.CSTNode) -> bool:
        if isinstance(node, STRING_NODES):
            return True
        if isinstance(node, cst.BinaryOperation):
            if id(node) in self._not_str:
                return False
            operator = node.operator
            if isinstance(operator, cst.Modulo):
                return self.is_str(node.left)
            if isinstance(operator, cst.Add):
                spine = add_spine(node)
                # operands off the left spine are parenthesized; `is_str` recurses into them
                if self.is_str(spine[-1].left) or any(self.is_str(n.right) for n in spine):
                    return True
                self._not_str.update(id(n) for n in spine)
            return False
        if is_format_call(node):
            return self.is_str(node.func.value)  # type: ignore[attr-defined]
        inner = sql_composable_text(node)
        return inner is not None and self.is_str(inner)


class TemplateBuilder:
    """Builds templates for one parsed module."""

    def __init__(
        self, parsed: ParsedModule, translator: Translator, shapes: StringShapes | None = None
    ) -> None:
        self.parsed = parsed
        self.translator = translator
        self.shapes = shapes or StringShapes()
        self.is_str = self.shapes.is_str

    # ---- holes -----------------------------------------------------------------------------

    def hole(
        self, node: cst.BaseExpression, style: str, scope: Scope, loops: tuple[int, ...],
        conversion: str | None = None, plain: bool = False,
    ) -> Hole:
        value = self.translator.expr(node, scope, loops)
        # `ref`: the dotted name, unless it is a loop variable or a parameter (never a
        # constant of some module)
        ref = None if isinstance(value, ir.LoopVar | ir.Param) else dotted(node)
        return Hole(self.parsed.code(node), ref, self.parsed.line(node), style, value,
                    conversion, plain)

    # ---- building parts --------------------------------------------------------------------

    def build(
        self, node: cst.BaseExpression, scope: Scope, loops: tuple[int, ...] = ()
    ) -> tuple[Part, ...] | None:
        """Parts of a string expression (`is_str(node)` holds); None if not representable."""
        if isinstance(node, cst.SimpleString):
            value = string_value(node.prefix, node.raw_value)
            if value is None:
                return None
            return (Literal(value, self.parsed.line(node)),) if value else ()
        if isinstance(node, cst.ConcatenatedString):
            out: list[Part] = []
            piece: cst.BaseExpression = node
            while isinstance(piece, cst.ConcatenatedString):
                left = self.build(piece.left, scope, loops)
                if left is None:
                    return None
                out.extend(left)
                piece = piece.right
            last = self.build(piece, scope, loops)
            if last is None:
                return None
            out.extend(last)
            return tuple(out)
        if isinstance(node, FSTRING_NODES):
            return self._fstring(node, scope, loops)
        if isinstance(node, cst.BinaryOperation):
            if isinstance(node.operator, cst.Modulo):
                template = self.build(node.left, scope, loops)
                if template is None:
                    return None
                return self._percent(template, node.right, scope, loops)
            return self._concat(node, scope, loops)
        if is_format_call(node):
            base = node.func.value  # type: ignore[attr-defined]
            # `sql.SQL("... {t}").format(t=...)`: this call fills the composable's fields
            template = self.build(sql_composable_text(base) or base, scope, loops)
            if template is None:
                return None
            return self._format(template, node, scope, loops)  # type: ignore[arg-type]
        inner = sql_composable_text(node)
        if inner is not None:
            template = self.build(inner, scope, loops)
            if template is None:
                return None
            # fields no `.format()` fills here (it may run elsewhere) are holes
            return self._format(template, cst.Call(func=cst.Name("format")), scope, loops)
        return None

    def _fstring(
        self, node: cst.BaseExpression, scope: Scope, loops: tuple[int, ...]
    ) -> tuple[Part, ...]:
        raw = "r" in node.start.lower()  # type: ignore[attr-defined]
        out: list[Part] = []
        for piece in node.parts:  # type: ignore[attr-defined]
            expression = getattr(piece, "expression", None)
            if expression is None:
                text = fstring_text(piece.value, raw)
                if text:
                    out.append(Literal(text, self.parsed.line(piece)))
            else:
                plain = getattr(piece, "conversion", None) in (None, "s") and not getattr(
                    piece, "format_spec", None
                )
                out.append(self.hole(
                    expression, "fstring", scope, loops, _fstring_repr(piece), plain
                ))
        return tuple(out)

    def _concat(
        self, node: cst.BinaryOperation, scope: Scope, loops: tuple[int, ...]
    ) -> tuple[Part, ...] | None:
        spine = add_spine(node)
        operands = [spine[-1].left, *(n.right for n in reversed(spine))]
        out: list[Part] = []
        for operand in operands:
            if self.is_str(operand):
                parts = self.build(operand, scope, loops)
                if parts is None:
                    return None
                out.extend(parts)
            else:
                out.append(self.hole(operand, "concat", scope, loops))
        return tuple(out)

    def local_percent(
        self, node: cst.BaseExpression, scope: Scope, loops: tuple[int, ...]
    ) -> tuple[tuple[Part, ...], set[int]] | None:
        """`query % args` where `query` is a local bound once to a string (`query = "SELECT *
        FROM %s"`, then `cur.execute(query % table)`): the template as if the string were
        written there (`splice_locals`, which places it on this line), and the ids of the
        locals' values it put in (pieces of this statement, not ones of their own); None for
        anything else."""
        if not (
            isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Modulo)
            and isinstance(node.left, cst.Name)
        ):
            return None
        left = self.hole(node.left, "percent", scope, loops)
        spliced: set[int] = set()
        template = self.splice_locals((left,), scope, spliced=spliced)
        if template == (left,):
            return None  # no local string: the sink reads an argument, as before
        return self._percent(template, node.right, scope, loops), spliced

    def _percent(
        self,
        template: tuple[Part, ...],
        right: cst.BaseExpression,
        scope: Scope,
        loops: tuple[int, ...],
    ) -> tuple[Part, ...]:
        # 1. split the literal pieces into text and fields
        # (key, line, conversion) for fields
        pieces: list[Part | tuple[str | None, int, str | None, bool]] = []
        fields: list[str | None] = []
        star = False
        for part in template:
            if not isinstance(part, Literal) or "%" not in part.text:
                pieces.append(part)
                continue
            text, line, position = part.text, part.line, 0
            buffer: list[str] = []
            buffer_line = line
            for match in PERCENT_FIELD.finditer(text):
                before = text[position : match.start()]
                buffer.append(before)
                line += before.count("\n")
                position = match.end()
                if match.group("conv") == "%" and match.group("key") is None:
                    buffer.append("%")
                    continue
                if buffer and "".join(buffer):
                    pieces.append(Literal("".join(buffer), buffer_line))
                buffer, buffer_line = [], line
                key = match.group("key")
                star = star or "*" in (match.group("width") or "") + (match.group("prec") or "")
                fields.append(key)
                plain = match.group("conv") in "sdi" and not (
                    match.group("flags") or match.group("width") or match.group("prec") is not None
                )
                pieces.append((key, line, percent_repr(match), plain))
            buffer.append(text[position:])
            if "".join(buffer):
                pieces.append(Literal("".join(buffer), buffer_line))
        if not fields:
            return tuple(p for p in pieces if not isinstance(p, tuple))

        # 2. match fields to the right-hand side
        code = self.parsed.code(right)
        positional: list[cst.BaseExpression] | None = None
        keyed: dict[str, cst.BaseExpression] = {}
        local: set[str] = set()
        if isinstance(right, cst.Tuple):
            elements = [element.value for element in right.elements]
            if not star and not any(isinstance(e, cst.StarredElement) for e in right.elements):
                positional = elements
        elif isinstance(right, cst.Dict):
            for element in right.elements:
                if isinstance(element, cst.DictElement) and isinstance(
                    element.key, cst.SimpleString
                ):
                    key = string_value(element.key.prefix, element.key.raw_value)
                    if key is not None:
                        keyed[key] = element.value
        elif _reads_locals(right, scope):
            # `query % locals()` (`"SELECT %(cols)s FROM %(tables)s"`): each key is a local of
            # the function, as it stands at the `%`
            local = {key for key in fields if key is not None and (
                key in scope.bindings or key in scope.params
            )}
        elif not star:
            positional = [right]
        count = sum(1 for f in fields if f is None)
        if positional is not None and (len(positional) != count or count != len(fields)):
            positional = None

        out: list[Part] = []
        index = 0
        for piece in pieces:
            if not isinstance(piece, tuple):
                out.append(piece)
                continue
            key, line, conversion, plain = piece
            if key is None:
                if positional is not None:
                    out.append(self.hole(
                        positional[index], "percent", scope, loops, conversion, plain
                    ))
                else:
                    out.append(Hole(f"{code}[{index}]", None, self.parsed.line(right), "percent",
                                    None, conversion))
                index += 1
            elif key in keyed:
                out.append(self.hole(keyed[key], "percent", scope, loops, conversion, plain))
            elif key in local:
                value = self.translator.name(key, scope, loops, use=right)
                ref = None if isinstance(value, ir.LoopVar | ir.Param) else key
                out.append(Hole(f"locals()[{key!r}]", ref, self.parsed.line(right), "percent",
                                value, conversion, plain))
            else:
                out.append(Hole(f"{code}[{key!r}]", None, self.parsed.line(right), "percent",
                                None, conversion))
        return tuple(out)

    def _format(
        self,
        template: tuple[Part, ...],
        call: cst.Call,
        scope: Scope,
        loops: tuple[int, ...],
    ) -> tuple[Part, ...]:
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
            except ValueError:  # malformed template (fails at run time too): keep as text
                out.append(part)
                continue
            line = part.line
            text_line, buffer = line, ""  # "{{" splits chunks: merge consecutive text
            for literal, field_name, spec, conversion in chunks:
                if literal:
                    if not buffer:
                        text_line = line
                    buffer += literal
                    line += literal.count("\n")
                if field_name is None:
                    continue
                if buffer:
                    out.append(Literal(buffer, text_line))
                    buffer = ""
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
                written = format_repr(conversion, spec)
                if arg is None:
                    out.append(Hole("{" + field_name + "}", None, line, "format", None, written))
                    continue
                hole = self.hole(
                    arg, "format", scope, loops, written,
                    plain=not spec and conversion in (None, "s"),
                )
                if rest_items:
                    suffix = "".join(f".{k}" if attr else f"[{k!r}]" for attr, k in rest_items)
                    ref = hole.ref
                    if ref is not None and all(is_attr for is_attr, _ in rest_items):
                        ref += suffix
                    else:
                        ref = None
                    # `"{c[1]} FROM {c[0]}".format(c=cfg)`, `"{0[name]}"`, `"{t.name}"`: the
                    # argument's items and attributes, as `str.format` reads them
                    value = hole.value
                    for is_attr, key in rest_items:
                        if value is None:
                            break
                        value = ir.Attr(value, key) if is_attr else ir.Subscript(
                            value, ir.Const(key) if isinstance(key, int) else ir.Str(key)
                        )
                    hole = Hole(
                        hole.expr + suffix, ref, hole.line, "format", value, written, hole.plain
                    )
                out.append(hole)
            if buffer:
                out.append(Literal(buffer, text_line))
        return tuple(out)

    # ---- locals ----------------------------------------------------------------------------

    def string_binding(
        self,
        ref: str,
        scope: Scope,
        line: int | None = None,
        loops: tuple[int, ...] | None = None,
    ) -> tuple[BindingSite, Scope] | None:
        """The one binding of a local name, `self.X`/`cls.X` or `Class.X` to a string
        expression, seen from `scope`; None for module-level names (the evaluator's job). With
        the use's `line` (and `loops`), the binding that reaches it, when straight-line code
        decides it (`scopes.reaching`)."""
        if "." not in ref:
            found = self.local_assignment(ref, scope, line, loops)
            return found if found is not None and self.is_str(found[0].value) else None
        owner, attribute = ref.rsplit(".", 1)
        cls: Scope | None = None
        if owner in ("self", "cls"):
            current = scope
            while current is not None and current.kind != "module":
                found = current.enclosing_class()
                if found is not None:
                    cls = found
                    break
                current = current.parent
        else:
            cls = self._module_class(owner)
        if cls is None:
            return None
        owned = [(site, cls) for site in cls.bindings.get(attribute, ())]
        owned.extend(self.translator.model.instance_attributes(cls).get(attribute, ()))
        if len(owned) != 1:
            return None
        site, owner = owned[0]
        return self._single_string([site], owner)

    def _module_class(self, qualname: str) -> Scope | None:
        found = [
            s
            for s in self.translator.model.all_scopes
            if s.kind == "class" and s.qualname == qualname and s.function is None
        ]
        return found[0] if len(found) == 1 else None

    def local_assignment(
        self,
        ref: str,
        scope: Scope,
        line: int | None = None,
        loops: tuple[int, ...] | None = None,
    ) -> tuple[BindingSite, Scope] | None:
        """The one plain assignment (`x = ...`, `x := ...`) of the local name `ref` seen from
        `scope`, with the use's `line` (and `loops`) the one that reaches it when
        straight-line code decides it (`scopes.reaching`); None for a module-level name, a
        `global`/`nonlocal` one, or several bindings."""
        current: Scope | None = scope
        while current is not None and current.kind != "module":
            if current is scope or current.kind in ("function", "lambda", "comprehension"):
                if ref in current.declared_global or ref in current.declared_nonlocal:
                    return None
                sites = current.bindings.get(ref)
                if sites and len(sites) > 1 and line is not None and current is scope:
                    parsed = self.translator.parsed
                    sites = reaching(sites, evaluated_at(sites, line, parsed.end_line), loops)
                if sites:
                    return _single_assignment(sites, current)
            current = current.parent
        return None

    def string_arms(self, ref: str, scope: Scope) -> list[BindingSite] | None:
        """The bindings of a function's local `ref` when it has several and each is a plain
        assignment of a string expression (`if soft: query = "UPDATE ..."` / `else: query =
        "DELETE ..."`): each is a candidate where it is written. None otherwise."""
        if "." in ref or scope.kind != "function":
            return None
        if ref in scope.declared_global or ref in scope.declared_nonlocal:
            return None
        sites = scope.bindings.get(ref) or []
        if len(sites) < 2 or any(
            site.kind != "assign" or site.value is None or not self.is_str(site.value)
            for site in sites
        ):
            return None
        return list(sites)

    def _single_string(
        self, sites: list[BindingSite], scope: Scope
    ) -> tuple[BindingSite, Scope] | None:
        found = _single_assignment(sites, scope)
        if found is None or not self.is_str(found[0].value):  # type: ignore[arg-type]
            return None
        return found  # (`self.x = v` is read in the method that assigns it)

    def splice_locals(
        self,
        parts: tuple[Part, ...],
        scope: Scope,
        depth: int = 0,
        seen: frozenset[int] = frozenset(),
        spliced: set[int] | None = None,
    ) -> tuple[Part, ...]:
        """Holes naming a local bound once to a string expression, replaced by its parts (not
        where the template writes the local's `repr()`: its text is quoted there).
        `spliced`: receives the id of each function local's value put in."""
        if depth >= MAX_SPLICE_DEPTH or not any(
            isinstance(p, Hole) and p.ref is not None and p.conversion is None for p in parts
        ):
            return parts
        out: list[Part] = []
        for part in parts:
            if isinstance(part, Hole) and part.ref is not None and part.conversion is None:
                found = self.string_binding(part.ref, scope, part.line)
                if found is not None and id(found[0]) not in seen:
                    site, owner = found
                    inner = self.build(site.value, owner, site.loops)  # type: ignore[arg-type]
                    if inner is not None:
                        inner = self.splice_locals(
                            inner, owner, depth + 1, seen | {id(site)}, spliced
                        )
                        out.extend(splice(inner, part.line))
                        if spliced is not None and owner.kind == "function":
                            spliced.add(id(site.value))
                        continue
            out.append(part)
        return tuple(out)


def _single_assignment(
    sites: list[BindingSite], scope: Scope
) -> tuple[BindingSite, Scope] | None:
    """The site when it is the only one and a plain assignment of the whole value."""
    if len(sites) != 1:
        return None
    site = sites[0]
    if site.kind not in ("assign", "walrus") or site.value is None or site.path:
        return None
    return site, scope


def _reads_locals(node: cst.BaseExpression, scope: Scope) -> bool:
    """`locals()` (or `vars()`) called with nothing, in a function: its local names."""
    return (
        scope.kind == "function" and isinstance(node, cst.Call) and not node.args
        and isinstance(node.func, cst.Name) and node.func.value in ("locals", "vars")
    )
