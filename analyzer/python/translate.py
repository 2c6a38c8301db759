"""CST expressions -> closed `analyzer.python.expr` values, names resolved in their scope.

Translation runs after `walk_module`, when every scope's bindings are known. A local bound
once is replaced by its value (translated where it was assigned, so its own names resolve
there); a parameter becomes `Param`, a loop variable `LoopVar` (only inside its loop), the
receiver of a method `Self`/`ClsRef`; a name bound at module level stays `Global`. What a name
cannot be resolved to is `Opaque`, with the reason.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

import libcst as cst

from analyzer.python import expr as ir
from analyzer.python.nodes import FSTRING_NODES, fstring_text, string_value
from analyzer.python.parse import ParsedModule
from analyzer.python.scopes import (
    BindingSite,
    Scope,
    ScopeModel,
    alternatives,
    appended,
    evaluated_at,
    grown_list,
    overridden,
    reaching,
)

MAX_INLINE_DEPTH = 16
MAX_NODES = 400  # larger expressions are opaque: they never name a table, and facts stay small

_BINARY_OPERATORS: dict[type, str] = {
    cst.Add: "+",
    cst.Modulo: "%",
    cst.Divide: "/",
    cst.Multiply: "*",
    cst.BitOr: "|",
    cst.Subtract: "-",
    cst.FloorDivide: "//",
    cst.MatrixMultiply: "@",
    cst.Power: "**",
}
_CONSTANT_NAMES = {"None": None, "True": True, "False": False}
MUTABLE_LITERALS = (cst.List, cst.Dict, cst.Set, cst.ListComp, cst.DictComp, cst.SetComp)


class _TooLarge(Exception):
    pass


class Translator:
    """Translates expressions of one parsed module (memoised per node and loop context)."""

    def __init__(self, parsed: ParsedModule, model: ScopeModel) -> None:
        self.parsed = parsed
        self.model = model
        self._memo: dict[tuple[int, tuple[int, ...], tuple[tuple[str, ir.Expr], ...]], ir.Expr] = {}
        self._overrides: dict[str, ir.Expr] = {}
        self._inlining: list[int] = []  # ids of binding sites being inlined (cycle guard)
        self._loops_by_node: dict[int, int] | None = None
        self._budget = 0

    # ---- entry points ----------------------------------------------------------------------

    def expr(
        self,
        node: cst.BaseExpression,
        scope: Scope,
        loops: tuple[int, ...] = (),
        overrides: tuple[tuple[str, ir.Expr], ...] = (),
    ) -> ir.Expr:
        """The closed expression of `node`, standing in `scope` inside `loops`.

        `overrides` binds names for this node only, where the reader knows better than the
        whole function's bindings (the `with ... as b` around it, when `b` is bound by several
        `with` statements)."""
        key = (id(node), loops, overrides)
        found = self._memo.get(key)
        if found is None:
            saved = self._overrides
            self._overrides = dict(overrides)
            try:
                found = self._memo[key] = self._bounded(
                    lambda: self._expr(node, scope, loops), node
                )
            finally:
                self._overrides = saved
        return found

    def name(
        self, name: str, scope: Scope, loops: tuple[int, ...] = (),
        use: cst.CSTNode | None = None,
    ) -> ir.Expr:
        """What `name`, used in `scope` inside `loops` (at `use`, when it has a place: of a
        name bound more than once, the binding reaching there), stands for."""
        return self._bounded(lambda: self._name(name, scope, loops, use), None, name)

    def _bounded(
        self, translate: Callable[[], ir.Expr], node: cst.CSTNode | None, text: str = ""
    ) -> ir.Expr:
        """Run a top-level translation with a fresh node budget."""
        if self._inlining:
            return translate()
        self._budget = MAX_NODES
        try:
            return translate()
        except _TooLarge:
            return ir.Opaque(self._code(node) if node is not None else text, "too large to read")

    def _name(
        self, name: str, scope: Scope, loops: tuple[int, ...], use: cst.CSTNode | None = None
    ) -> ir.Expr:
        override = self._overrides.get(name)
        if override is not None:
            return override
        if name in _CONSTANT_NAMES:
            return ir.Const(_CONSTANT_NAMES[name])
        if name == "__file__":
            return ir.FileRef()
        current: Scope | None = scope
        while current is not None:
            if current.kind == "module":
                # `for entity in ("user", "group"): Table(f"{entity}_map", ...)` at module
                # level: inside its loop, the name is that loop's element
                return self._module_loop_var(name, current, loops) or ir.Global(name)
            if name in current.declared_global:
                return ir.Global(name)
            if current.kind == "class" and current is not scope:
                current = current.parent  # class bodies are not visible from nested scopes
                continue
            if name not in current.declared_nonlocal:
                sites = current.bindings.get(name)
                if sites and current.kind == "class" and use is not None and all(
                    site.line >= self.parsed.line(use) and not site.loops for site in sites
                ):
                    # a class body runs top to bottom: a name it binds only later (a field
                    # `settings = JSONField()` after `ForeignKey(settings.AUTH_USER_MODEL)`)
                    # is, where it is read first, the module's
                    current = current.parent
                    continue
                if sites:
                    if len(sites) > 1 and use is not None and current is scope:
                        line = evaluated_at(sites, self.parsed.line(use), self.parsed.end_line)
                        reached = reaching(sites, line, loops)
                        pair = overridden(sites, line, loops) if len(reached) > 1 else None
                        if pair is not None:
                            # `table = "events"; if archived: table = "old_events"`: either
                            default, override = pair
                            return ir.IfExp(
                                self._from_sites(name, [override], current, loops),
                                self._from_sites(name, [default], current, loops),
                                override.block_end,
                            )
                        chain = appended(sites, line, loops)
                        if chain is not None:
                            # `sql = "SELECT ..."` then `sql += ", child c"` (under an `if`
                            # or not): the first value with each piece appended, a guarded
                            # piece either appended or not, keyed by its block
                            first, pieces = chain
                            value = self._from_sites(name, [first], current, loops)
                            base: ir.Expr | None = None  # before the last guarded pieces
                            end = 0
                            for piece in pieces:
                                text = self._inline_value(piece, current)
                                if piece.straight or piece.block_end >= line:
                                    value, base = ir.BinOp("+", value, text), None
                                    continue
                                if base is None or piece.line > end + 2:
                                    base = value
                                # a piece right after the last guarded one (its `else:` or
                                # `elif` arm: `ORDER BY x ` then `ASC` or `DESC`) is read as
                                # the other choice, never both
                                value = ir.IfExp(
                                    ir.BinOp("+", base, text), value, piece.block_end
                                )
                                end = piece.block_end
                            return value
                        arms = alternatives(sites, line, loops) if len(reached) > 1 else None
                        if arms is not None:
                            # `if annual: table = "annuals"` / `else: table = "issues"`: one
                            # of them, each keyed by its block as an override is
                            value = self._from_sites(name, [arms[0]], current, loops)
                            for arm in arms[1:]:
                                value = ir.IfExp(
                                    self._from_sites(name, [arm], current, loops), value,
                                    arm.block_end,
                                )
                            return value
                        sites = reached
                    line = (
                        self.parsed.line(use) if use is not None and current is scope else None
                    )
                    return self._from_sites(name, sites, current, loops, line)
            current = current.parent
        return ir.Global(name)

    # ---- names -----------------------------------------------------------------------------

    @staticmethod
    def _module_loop_var(name: str, module: Scope, loops: tuple[int, ...]) -> ir.Expr | None:
        """The element of the innermost enclosing module-level loop that binds `name` (and
        does not rebind it in its body), else None: the name is then a global as usual."""
        sites = module.bindings.get(name) if loops else None
        return _loop_element(name, sites, loops) if sites else None

    def loop_of(self, node: cst.CSTNode) -> int | None:
        """The id of the loop a `for` statement or comprehension `for` starts."""
        return self._loop_of(node)

    def _from_sites(
        self, name: str, sites: list[BindingSite], scope: Scope, loops: tuple[int, ...],
        line: int | None = None,
    ) -> ir.Expr:
        """What the name bound at `sites` in `scope` stands for; `line`: where it is read, in
        `scope` itself, outside loops (a list grown by appends before it is known there)."""
        where = f"{scope.qualname}()" if scope.kind == "function" else (scope.qualname or "")
        if len(sites) > 1:
            # `for t in A: ... for t in B: ...`: inside a loop, its own element (unless the
            # name is also assigned inside that loop)
            element = _loop_element(name, sites, loops)
            if element is not None:
                return element
            # `x: int` then `x = ...`: the annotation alone binds nothing
            sites = [site for site in sites if site.kind != "declared"] or sites
            if len(sites) > 1:
                return ir.Opaque(name, f"`{name}` is bound {len(sites)} times in {where}")
        (site,) = sites
        kind = site.kind
        if kind == "param":
            if scope.receiver is not None and scope.params and name == scope.params[0]:
                cls = scope.enclosing_class()
                if cls is not None:
                    return ir.Self(cls.qualname) if scope.receiver == "self" else ir.ClsRef(
                        cls.qualname
                    )
            return ir.Param(scope.qualname, name)
        if kind in ("assign", "walrus") and site.value is not None:
            if name in scope.mutated and isinstance(site.value, MUTABLE_LITERALS):
                grown = self._grown(name, site, scope, loops, line)
                if grown is not None:
                    return grown
                return ir.Opaque(name, f"`{name}` is changed in place in {where}")
            return self._inline(site, scope)
        if kind in ("for", "comp"):
            if site.loop is not None and site.loop in loops:
                return ir.LoopVar(site.loop, site.path, name)
            return ir.Opaque(name, f"`{name}` is a loop variable used outside its loop")
        if kind == "with" and site.value is not None:
            return ir.Entered(self._inline_value(site, scope))
        if kind == "import" and site.imported is not None:
            binding = site.imported
            if binding.name is None:
                # `import a.b` binds the package `a`; `import a.b as c` binds `a.b`
                plain = binding.local == binding.module
                return ir.Imported(binding.module.split(".")[0] if plain else binding.module,
                                   None, 0)
            return ir.Imported(binding.module, binding.name, binding.level)
        if kind == "def":
            return ir.LocalDef(_join(scope.qualname, name), "function")
        if kind == "class":
            return ir.LocalDef(_join(scope.qualname, name), "class")
        if kind == "declared":
            return ir.Opaque(name, f"`{name}` is declared in {where} but never assigned")
        if kind == "aug":
            return ir.Opaque(name, f"`{name}` is changed in place in {where}")
        return ir.Opaque(name, f"`{name}` is bound by a {kind} statement in {where}")

    def _grown(
        self, name: str, site: BindingSite, scope: Scope, loops: tuple[int, ...],
        line: int | None,
    ) -> ir.Expr | None:
        """`table_names = []`, `table_names.append("artifacts")`, ..., then `for t in
        table_names: op.drop_table(t)`: the list with what was appended or extended before
        the use (`scopes.grown_list`), when every piece added is known as items."""
        if line is None or loops:
            return None
        added = grown_list(scope, name, site, line)
        if added is None:
            return None
        value = self._inline(site, scope)
        if not isinstance(value, ir.Seq):
            return None
        items = list(value.items)
        for piece in added:
            item = self._expr(piece.value, scope, ())
            if piece.method == "append":
                items.append(item)
            elif isinstance(item, ir.Seq):
                items.extend(item.items)
            else:
                return None
        return ir.Seq(value.kind, tuple(items))

    def _inline_value(self, site: BindingSite, scope: Scope) -> ir.Expr:
        marker = id(site)
        if marker in self._inlining or len(self._inlining) >= MAX_INLINE_DEPTH:
            return ir.Opaque(self._code(site.value), "a circular or too deep assignment chain")  # type: ignore[arg-type]
        self._inlining.append(marker)
        try:
            return self._expr(site.value, scope, site.loops)  # type: ignore[arg-type]
        finally:
            self._inlining.pop()

    def _inline(self, site: BindingSite, scope: Scope) -> ir.Expr:
        value = self._inline_value(site, scope)
        for index in site.path:
            value = _item(value, index)
        return value

    # ---- expressions -----------------------------------------------------------------------

    def _code(self, node: cst.CSTNode) -> str:
        text = self.parsed.code(node)
        return " ".join(text.split())[:200]

    def _expr(self, node: cst.BaseExpression, scope: Scope, loops: tuple[int, ...]) -> ir.Expr:
        self._budget -= 1
        if self._budget < 0:
            raise _TooLarge
        kind = type(node)
        if kind is cst.Name:
            return self._name(sys.intern(node.value), scope, loops, node)  # type: ignore[attr-defined]
        if kind is cst.SimpleString:
            value = string_value(node.prefix, node.raw_value)  # type: ignore[attr-defined]
            if value is None:
                return ir.Opaque(self._code(node), "bytes that are not UTF-8")
            return ir.Str(value)
        if kind is cst.Attribute:
            attr = sys.intern(node.attr.value)  # type: ignore[attr-defined]
            return ir.Attr(self._expr(node.value, scope, loops), attr)
        if kind is cst.Call:
            return self._call(node, scope, loops)  # type: ignore[arg-type]
        if kind is cst.ConcatenatedString:
            return self._concatenated(node, scope, loops)  # type: ignore[arg-type]
        if kind in FSTRING_NODES:
            return self._fstring(node, scope, loops)
        if kind is cst.Integer:
            return ir.Const(int(node.value.replace("_", ""), 0))  # type: ignore[attr-defined]
        if kind is cst.Float:
            return ir.Const(float(node.value.replace("_", "")))  # type: ignore[attr-defined]
        if kind is cst.Tuple or kind is cst.List or kind is cst.Set:
            items = tuple(self._element(e, scope, loops) for e in node.elements)  # type: ignore[attr-defined]
            return ir.Seq(kind.__name__.lower(), items)
        if kind is cst.Dict:
            return self._dict(node, scope, loops)  # type: ignore[arg-type]
        if kind is cst.BinaryOperation:
            operator = _BINARY_OPERATORS.get(type(node.operator))  # type: ignore[attr-defined]
            if operator is None:
                return ir.Opaque(self._code(node), "an arithmetic expression")
            return ir.BinOp(
                operator,
                self._expr(node.left, scope, loops),  # type: ignore[attr-defined]
                self._expr(node.right, scope, loops),  # type: ignore[attr-defined]
            )
        if kind is cst.BooleanOperation:
            op = "or" if isinstance(node.operator, cst.Or) else "and"  # type: ignore[attr-defined]
            values: list[ir.Expr] = []
            for side in (node.left, node.right):  # type: ignore[attr-defined]
                value = self._expr(side, scope, loops)
                if isinstance(value, ir.BoolOp) and value.op == op:
                    values.extend(value.values)
                else:
                    values.append(value)
            return ir.BoolOp(op, tuple(values))
        if kind is cst.IfExp:
            return ir.IfExp(
                self._expr(node.body, scope, loops),  # type: ignore[attr-defined]
                self._expr(node.orelse, scope, loops),  # type: ignore[attr-defined]
            )
        if kind is cst.Subscript:
            elements = node.slice  # type: ignore[attr-defined]
            if len(elements) == 1 and isinstance(elements[0].slice, cst.Index):
                return ir.Subscript(
                    self._expr(node.value, scope, loops),  # type: ignore[attr-defined]
                    self._expr(elements[0].slice.value, scope, loops),
                )
            bounds = _literal_slice(elements)
            if bounds is not None:
                # `NAMES[:-1]` of a constant tuple: its items but the last (a `slice` key)
                return ir.Subscript(
                    self._expr(node.value, scope, loops),  # type: ignore[attr-defined]
                    ir.Seq("slice", tuple(ir.Const(bound) for bound in bounds)),
                )
            return ir.Opaque(self._code(node), "a slice")
        if kind is cst.Await:
            return self._expr(node.expression, scope, loops)  # type: ignore[attr-defined]
        if kind is cst.UnaryOperation:
            inner = node.expression  # type: ignore[attr-defined]
            if isinstance(node.operator, cst.Minus) and isinstance(inner, cst.Integer | cst.Float):  # type: ignore[attr-defined]
                value = self._expr(inner, scope, loops)
                if isinstance(value, ir.Const) and isinstance(value.value, int | float):
                    return ir.Const(-value.value)
            return ir.Opaque(self._code(node), "a unary operation")
        if kind is cst.Ellipsis:
            return ir.Const("...")
        if kind is cst.StarredElement:
            return ir.Starred(self._expr(node.value, scope, loops))  # type: ignore[attr-defined]
        if kind is cst.NamedExpr:
            return self._expr(node.value, scope, loops)  # type: ignore[attr-defined]
        if kind is cst.Lambda:
            return ir.Opaque(self._code(node), "a lambda")
        if kind is cst.ListComp or kind is cst.SetComp or kind is cst.GeneratorExp:
            return self._comprehension(node, scope, loops)
        return ir.Opaque(self._code(node), _describe(kind))

    def _comprehension(
        self, node: cst.BaseExpression, scope: Scope, loops: tuple[int, ...]
    ) -> ir.Expr:
        """One `for` (with its `if`s): `[x.lower() for x in parts if x]`."""
        comp: cst.CompFor = node.for_in  # type: ignore[attr-defined]
        inner = self.model.scope_of(node)
        loop = self._loop_of(comp)
        if comp.inner_for_in is not None or comp.asynchronous is not None:
            return ir.Opaque(self._code(node), "a comprehension with several `for`s")
        if inner is None or loop is None:
            return ir.Opaque(self._code(node), "a comprehension")
        around = (*loops, loop)
        return ir.Comp(
            loop,
            self._expr(comp.iter, scope, loops),
            self._expr(node.elt, inner, around),  # type: ignore[attr-defined]
            tuple(self._expr(test.test, inner, around) for test in comp.ifs),
        )

    def _loop_of(self, node: cst.CSTNode) -> int | None:
        if self._loops_by_node is None:
            self._loops_by_node = {id(loop.node): loop.id for loop in self.model.loops}
        return self._loops_by_node.get(id(node))

    def _element(self, element: cst.BaseElement, scope: Scope, loops: tuple[int, ...]) -> ir.Expr:
        if isinstance(element, cst.StarredElement):
            return ir.Starred(self._expr(element.value, scope, loops))
        return self._expr(element.value, scope, loops)

    def _dict(self, node: cst.Dict, scope: Scope, loops: tuple[int, ...]) -> ir.Expr:
        items = []
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return ir.Opaque(self._code(node), "a dict built with ** unpacking")
            items.append(
                (self._expr(element.key, scope, loops), self._expr(element.value, scope, loops))
            )
        return ir.Mapping(tuple(items))

    def _call(self, node: cst.Call, scope: Scope, loops: tuple[int, ...]) -> ir.Expr:
        if (
            not node.args and isinstance(node.func, cst.Name)
            and node.func.value in ("locals", "vars") and scope.kind == "function"
            and node.func.value not in scope.bindings
        ):
            # `query % locals()` (`"SELECT %(cols)s FROM %(tables)s"`): the function's names
            # as they stand at the call
            names = sorted({*scope.params, *scope.bindings})
            return ir.Mapping(tuple(
                (ir.Str(name), self._name(name, scope, loops, node)) for name in names
            ))
        func = self._expr(node.func, scope, loops)
        args: list[ir.Expr] = []
        kwargs: list[tuple[str, ir.Expr]] = []
        unpacked = False
        for arg in node.args:
            if arg.star:
                unpacked = True
                if arg.star == "*":
                    args.append(ir.Starred(self._expr(arg.value, scope, loops)))
                else:  # `**kwargs`: keyed "**", so a call passing it on can be read
                    kwargs.append(("**", self._expr(arg.value, scope, loops)))
                continue
            if arg.keyword is not None:
                kwargs.append((sys.intern(arg.keyword.value), self._expr(arg.value, scope, loops)))
            else:
                args.append(self._expr(arg.value, scope, loops))
        return ir.Call(func, tuple(args), tuple(kwargs), unpacked)

    def _concatenated(
        self, node: cst.ConcatenatedString, scope: Scope, loops: tuple[int, ...]
    ) -> ir.Expr:
        parts: list[ir.Expr] = []
        piece: cst.BaseExpression = node
        pieces: list[cst.BaseExpression] = []
        while isinstance(piece, cst.ConcatenatedString):
            pieces.append(piece.left)
            piece = piece.right
        pieces.append(piece)
        for item in pieces:
            value = self._expr(item, scope, loops)
            if isinstance(value, ir.FString):
                parts.extend(value.parts)
            else:
                parts.append(value)
        return _fstring(parts)

    def _fstring(self, node: cst.CSTNode, scope: Scope, loops: tuple[int, ...]) -> ir.Expr:
        raw = "r" in node.start.lower()  # type: ignore[attr-defined]
        parts: list[ir.Expr] = []
        for piece in node.parts:  # type: ignore[attr-defined]
            expression = getattr(piece, "expression", None)
            if expression is None:
                text = fstring_text(piece.value, raw)
                if text:
                    parts.append(ir.Str(text))
                continue
            conversion = getattr(piece, "conversion", None)
            if conversion not in (None, "s") or getattr(piece, "format_spec", None):
                parts.append(ir.Opaque(self._code(expression), "a converted or formatted value"))
                continue
            parts.append(self._expr(expression, scope, loops))
        return _fstring(parts)


def _fstring(parts: list[ir.Expr]) -> ir.Expr:
    """Adjacent literal pieces merged; a template of literals only is a plain string."""
    merged: list[ir.Expr] = []
    for part in parts:
        if isinstance(part, ir.Str) and merged and isinstance(merged[-1], ir.Str):
            merged[-1] = ir.Str(merged[-1].value + part.value)
        else:
            merged.append(part)
    if len(merged) == 1 and isinstance(merged[0], ir.Str):
        return merged[0]
    if not merged:
        return ir.Str("")
    return ir.FString(tuple(merged))


def _item(value: ir.Expr, index: int) -> ir.Expr:
    """`value[index]` of an unpacking target, read directly from a literal sequence."""
    if isinstance(value, ir.Seq) and not any(isinstance(i, ir.Starred) for i in value.items):
        if index < len(value.items):
            return value.items[index]
        return ir.Opaque(ir.render(value), "unpacking more names than the value has")
    return ir.Subscript(value, ir.Const(index))


def _join(qualname: str, name: str) -> str:
    return f"{qualname}.{name}" if qualname else name


def _describe(kind: type) -> str:
    words = {
        "Comparison": "a comparison",
        "ListComp": "a comprehension",
        "SetComp": "a comprehension",
        "DictComp": "a comprehension",
        "GeneratorExp": "a generator expression",
        "Yield": "a yield expression",
        "Imaginary": "a complex number",
    }
    return words.get(kind.__name__, f"a {kind.__name__} expression")


def _loop_element(
    name: str, sites: list[BindingSite], loops: tuple[int, ...]
) -> ir.LoopVar | None:
    """The element of the innermost of `loops` whose target binds `name`, when the loop's body
    does not bind it again; None if none does."""
    for loop in reversed(loops):
        binding = [s for s in sites if s.kind in ("for", "comp") and s.loop == loop]
        rebound = [s for s in sites if s.kind not in ("for", "comp") and loop in s.loops]
        if binding and not rebound:
            return ir.LoopVar(loop, binding[0].path, name)
    return None


def _literal_slice(elements: Sequence[cst.SubscriptElement]) -> tuple[int | None, ...] | None:
    """`[a:b:c]` whose bounds are integer literals or left out (`[:-1]`, `[2:]`): the
    bounds (None where left out); None for any other subscript."""
    if len(elements) != 1 or not isinstance(elements[0].slice, cst.Slice):
        return None
    part = elements[0].slice
    bounds: list[int | None] = []
    for bound in (part.lower, part.upper, part.step):
        if bound is None:
            bounds.append(None)
            continue
        negative = isinstance(bound, cst.UnaryOperation) and isinstance(bound.operator, cst.Minus)
        number = bound.expression if negative else bound  # type: ignore[attr-defined]
        if not isinstance(number, cst.Integer):
            return None
        bounds.append(-int(number.value, 0) if negative else int(number.value, 0))
    return tuple(bounds)
