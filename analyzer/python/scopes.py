"""The one scope model of a Python file, built in one traversal that readers ride along on.

`walk_module` walks the tree once. It records every binding site (assignments, loop targets,
imports, definitions, parameters, `with ... as`, ...) in the scope that owns it (module, class,
function, lambda, comprehension), every loop with its iterable and targets, and it calls the
readers' handlers on each node with the current `Context` (scope, enclosing loops, enclosing
`if`/`try`/`with`...). Readers keep what they need and translate expressions after the walk
(`analyzer.python.translate`), when every binding of every scope is known: Python decides a
name's scope by the whole function body, not by the order of lines.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import libcst as cst

from analyzer.facts import ImportBinding
from analyzer.python.nodes import decorator_names, dotted, target_paths
from analyzer.python.parse import ParsedModule
from analyzer.python.traverse import child_nodes

COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
GUARDS: dict[type, str] = {
    cst.If: "if",
    cst.Try: "try",
    cst.While: "while",
    cst.Match: "match",
}
TRY_STAR = getattr(cst, "TryStar", None)
if TRY_STAR is not None:
    GUARDS[TRY_STAR] = "try"


@dataclass(eq=False, slots=True)
class AppendSite:
    """`names.append("a")` or `names.extend(["b", "c"])`: one value, or a sequence of them,
    added to a list in place."""

    line: int
    method: str  # append | extend
    value: cst.BaseExpression = field(repr=False)


@dataclass(eq=False, slots=True)
class BindingSite:
    """One place a name is bound."""

    kind: str  # assign | aug | for | comp | with | import | def | class | param | walrus | other
    line: int
    value: cst.BaseExpression | None = field(default=None, repr=False)  # whole assigned value
    path: tuple[int, ...] = ()  # position of the name in an unpacked value
    loops: tuple[int, ...] = ()  # loops enclosing the binding site
    loop: int | None = None  # for/comp: the loop whose element this is
    imported: ImportBinding | None = None
    node: cst.CSTNode | None = field(default=None, repr=False)  # def/class/param node
    annotation: cst.BaseExpression | None = field(default=None, repr=False)
    # bound in the straight-line code of its innermost loop's body, or of its scope's body
    # outside loops (no `if`, `try`, `while`... in between; a `with` body runs whole): it
    # dominates every later line of that body
    straight: bool = False
    # else, bound in the straight-line code of a guarded block (`if row: stmt = ...`): the
    # block's last line, up to which it dominates the later lines (0: neither)
    block_end: int = 0
    # kind "aug": a `+=` (`sql += " JOIN ..."`), whose value is appended to the name's
    concat: bool = False


def reaching(
    sites: list[BindingSite], line: int, loops: tuple[int, ...] | None
) -> list[BindingSite]:
    """The binding of a name that reaches its use at `line` (inside `loops`; None: not
    known), when straight-line code decides it: `sql = "SELECT ..."; run(sql); sql = "UPDATE
    ..."; run(sql)`, or `stmt = text(...); stmt = stmt.bindparams(...)` in a loop body. The
    latest assignment before the use counts when it is straight-line code of a body the use
    is in (its loops are the first of the use's: every path to the use passes it) and no
    binding after the use may come round again through a loop the use is in and it is not;
    else all the sites are returned, and the name stays bound several times.

    A parameter is bound before the body runs, so it reaches the uses before any other
    binding (`def run(sql): sql = sql.strip()`: the value stripped is the parameter). A
    binding on the use's own line is no earlier binding (`sql = sql + part` reads the one
    before), but it comes round to the use through a loop around both."""
    before = [site for site in sites if site.line < line]
    if not before:
        return sites
    last = max(before, key=lambda site: site.line)
    if last.kind not in ("assign", "param") or sum(site.line == last.line for site in sites) > 1:
        return sites
    later = [site for site in sites if site.line > line]
    again = [site for site in sites if site.line >= line]  # may rebind before a loop's next turn
    if not last.straight and last.kind != "param":
        # `if row: stmt = text(...); op.execute(stmt)`: the use is later in the same guarded
        # block, and nothing in the rest of that block binds the name again (a `while` in it
        # could bring that round)
        if not last.block_end or line > last.block_end:
            return sites
        if any(site.line <= last.block_end for site in later):
            return sites
    if loops is None:  # the use's loops are not known: only a binding outside loops
        if last.loops or any(site.loops for site in again):
            return sites
        return [last]
    if loops[: len(last.loops)] != last.loops:
        return sites  # bound in a loop the use is not in
    outside = set(loops) - set(last.loops)  # loops around the use that do not rerun `last`
    if any(set(site.loops) & outside for site in again):
        return sites
    return [last]


def evaluated_at(
    sites: list[BindingSite], line: int, end_line: Callable[[cst.CSTNode], int]
) -> int:
    """The line a use at `line` counts at for `reaching` and `overridden`: an assignment's
    value is evaluated before its name is bound, so a use inside the value of an assignment
    spanning several lines (`sql = (\n    sql.strip()\n)`) counts at the assignment's line,
    where that binding does not reach it yet."""
    for site in sites:
        if (
            site.kind == "assign"
            and site.value is not None
            and site.line < line <= end_line(site.value)
        ):
            return site.line
    return line


def overridden(
    sites: list[BindingSite], line: int, loops: tuple[int, ...] | None
) -> tuple[BindingSite, BindingSite] | None:
    """`x = default` (or the parameter `x`), then `if cond: x = other`, then a use of `x`
    after that block: its value is one of the two. (the default, the override) when
    straight-line code decides it: the latest binding before the use is an assignment in a
    guarded block that ended before the use, the binding before that one dominates the use
    (straight-line code, or the parameter), nothing else binds the name before the use, and
    no loop is involved (nor an `else` binding it too: that would be a third binding)."""
    if loops is None or loops:
        return None
    before = sorted((site for site in sites if site.line < line), key=lambda site: site.line)
    if len(before) < 2:
        return None
    default, override = before[-2], before[-1]
    if override.kind != "assign" or override.straight or not override.block_end:
        return None
    if line <= override.block_end or override.loops or default.loops:
        return None
    if sum(site.line == override.line for site in sites) > 1:
        return None
    if not (default.kind == "param" or (default.kind == "assign" and default.straight)):
        return None
    if any(site.loops for site in sites if site.line > line):
        return None
    return default, override


def appended(
    sites: list[BindingSite], line: int, loops: tuple[int, ...] | None
) -> tuple[BindingSite, list[BindingSite]] | None:
    """`sql = "SELECT ... FROM parent p"`, then `sql += ", child c"` (straight, or in the
    straight-line code of a guarded block), then a use of `sql`: its value is the first
    assignment with each piece appended, a guarded piece or not (appended for sure when the
    use is in its block, after it). (the assignment, the `+=` sites in line order) when
    straight-line code decides it: no loop, no other binding before the use, the first
    assignment dominating it."""
    before = _loopless_bindings_before(sites, line, loops)
    if before is None:
        return None
    first, *rest = before
    if first.kind != "assign" or first.path or not first.straight:
        return None
    if not all(
        site.kind == "aug" and site.concat and not site.path and (
            site.straight or site.block_end
        )
        for site in rest
    ):
        return None
    return first, rest


def alternatives(
    sites: list[BindingSite], line: int, loops: tuple[int, ...] | None
) -> list[BindingSite] | None:
    """`if annual: table = "annuals"` / `else: table = "issues"` (or `elif` arms), then a use
    of `table` after the blocks: its value is one of those assignments, each in a guarded
    block that ended before the use, none in a loop, none unpacking, no loop around the use,
    and no default before them (an `if`/`else` after `table = "a"` may leave the default
    dead, which is not read here: `overridden` takes a default and one override). The sites
    in line order, or None when straight-line code does not decide it so."""
    before = _loopless_bindings_before(sites, line, loops)
    if before is None or not all(
        site.kind == "assign" and not site.path and not site.straight
        and site.block_end and site.block_end < line
        for site in before
    ):
        return None
    return before


def _loopless_bindings_before(
    sites: list[BindingSite], line: int, loops: tuple[int, ...] | None
) -> list[BindingSite] | None:
    """The bindings before a use at `line`, in line order, for `appended` and
    `alternatives`: None when a loop is around the use or a binding, or fewer than two bind
    the name before it, one to a line."""
    if loops is None or loops or any(site.loops for site in sites):
        return None
    before = sorted((site for site in sites if site.line < line), key=lambda site: site.line)
    if len(before) < 2 or len({site.line for site in before}) != len(before):
        return None
    return before


@dataclass(eq=False, slots=True)
class Scope:
    kind: str  # module | class | function | lambda | comprehension
    name: str
    qualname: str  # "" for the module, "Outer.method", "f.<lambda>", "f.<comp>"
    parent: Scope | None = field(repr=False)
    node: cst.CSTNode | None = field(default=None, repr=False)
    line: int = 0
    bindings: dict[str, list[BindingSite]] = field(default_factory=dict, repr=False)
    params: list[str] = field(default_factory=list)
    declared_global: set[str] = field(default_factory=set)
    declared_nonlocal: set[str] = field(default_factory=set)
    receiver: str | None = None  # "self" | "cls": what the first parameter is bound to
    mutated: set[str] = field(default_factory=set, repr=False)  # `x.append(...)`, `x[k] = v`
    # of `mutated`, each `x.append(v)` / `x.extend(vs)` in the straight-line code of this
    # scope's body, outside loops, in line order (`grown_list`) ...
    appends: dict[str, list[AppendSite]] = field(default_factory=dict, repr=False)
    # ... and the names changed in place any other way too
    reshaped: set[str] = field(default_factory=set, repr=False)
    # `self.x = v` bound in this scope (a method, or a lambda / comprehension inside one); kept
    # here, not on the class, so that no scope refers down to another (no reference cycle)
    self_attributes: dict[str, list[BindingSite]] = field(default_factory=dict, repr=False)
    decorators: list[str] = field(default_factory=list)

    @property
    def function(self) -> str | None:
        """Qualified name of the nearest enclosing function (evidence: `in f()`)."""
        scope: Scope | None = self
        while scope is not None:
            if scope.kind == "function":
                return scope.qualname
            scope = scope.parent
        return None

    def bind(self, name: str, site: BindingSite) -> None:
        # (interned: LibCST gives every occurrence of a name its own string, and the facts
        # keep them; pickled per file, equal objects are stored and unpickled once)
        self.bindings.setdefault(sys.intern(name), []).append(site)

    def enclosing_class(self) -> Scope | None:
        """The class a method belongs to (the function's parent), else None."""
        if self.kind == "function" and self.parent is not None and self.parent.kind == "class":
            return self.parent
        return None


@dataclass(eq=False, slots=True)
class Loop:
    """A `for` statement or a comprehension's `for`: its element is bound to its targets."""

    id: int
    scope: Scope = field(repr=False)  # where the targets are bound
    node: cst.CSTNode = field(repr=False)
    iterable: cst.BaseExpression = field(repr=False)
    iterable_scope: Scope = field(repr=False)  # where the iterable is evaluated
    targets: list[tuple[str, tuple[int, ...]]]
    outer: tuple[int, ...]  # loops enclosing this one (the iterable may use their elements)
    line: int


@dataclass(frozen=True, slots=True)
class Context:
    """Where a node stands: its scope, the loops around it, the guards around it."""

    scope: Scope
    loops: tuple[int, ...] = ()
    guards: tuple[str, ...] = ()  # "if", "try", "while", "match", "with", "except" (innermost last)
    withs: tuple[cst.WithItem, ...] = ()  # `with` items around the node in its function
    # how many of `guards` were already there when the innermost loop (or the scope) began:
    # the guards after them decide whether a binding is straight-line code of that body
    loop_guards: int = 0
    # the innermost block (the body of an `if`, `else`, `try`, `while`... inside the loop or
    # scope body) the node is in: its last line, and how many guards were there when it began
    block_end: int = 0
    block_guards: int = 0


@dataclass(eq=False)
class ScopeModel:
    module: Scope
    scopes: dict[int, Scope]  # id(def / class / lambda / comprehension node) -> its scope
    loops: list[Loop]
    all_scopes: list[Scope]
    # (first, last) lines of each `if TYPE_CHECKING:` body: the type checker's view only
    type_checking: list[tuple[int, int]] = field(default_factory=list)

    def for_type_checkers(self, site: BindingSite) -> bool:
        """`site` is in an `if TYPE_CHECKING:` body, which the interpreter never runs."""
        return any(first <= site.line <= last for first, last in self.type_checking)

    def scope_of(self, node: cst.CSTNode) -> Scope | None:
        return self.scopes.get(id(node))

    def instance_attributes(self, cls: Scope) -> dict[str, list[tuple[BindingSite, Scope]]]:
        """`self.x = v` in the methods of `cls`: each site with the scope it is read in."""
        found: dict[str, list[tuple[BindingSite, Scope]]] = {}
        for scope in self.all_scopes:
            if not scope.self_attributes:
                continue
            method: Scope | None = scope
            while method is not None and method.kind in ("lambda", "comprehension"):
                method = method.parent
            if method is None or method.enclosing_class() is not cls:
                continue
            for name, sites in scope.self_attributes.items():
                found.setdefault(name, []).extend((site, scope) for site in sites)
        return found


Handler = Callable[["Reader", cst.CSTNode, Context], bool | None]
LeaveHandler = Callable[["Reader", cst.CSTNode, Context], None]


class Reader:
    """A per-file reader riding on the one traversal.

    `handlers` maps node types to functions `(reader, node, ctx)` called before the node's
    children (plain functions, not bound methods: a reader holding its own bound methods would
    be a reference cycle keeping the file's tree alive past its extraction); a handler that
    returns False gets no calls for the node's subtree (the others still do). `leave_handlers`
    are called after the children.
    """

    handlers: dict[type, Handler]
    leave_handlers: dict[type, LeaveHandler]

    def __init__(self) -> None:
        self.handlers = {}
        self.leave_handlers = {}


class _Walker:
    def __init__(self, parsed: ParsedModule, readers: Iterable[Reader]) -> None:
        self.parsed = parsed
        self.readers = list(readers)
        module = Scope("module", parsed.module.rpartition(".")[2], "", None, parsed.tree, 1)
        self.model = ScopeModel(module, {}, [], [module])
        self.muted: list[int | None] = [None] * len(self.readers)  # id of the muting node
        # per node type: the (reader index, handler) pairs, built once per type
        self._visit: dict[type, list[tuple[int, Handler]]] = {}
        self._leave: dict[type, list[tuple[int, LeaveHandler]]] = {}

    # ---- dispatch --------------------------------------------------------------------------

    def _visit_handlers(self, node_type: type) -> list[tuple[int, Handler]]:
        found = self._visit.get(node_type)
        if found is None:
            found = self._visit[node_type] = [
                (index, reader.handlers[node_type])
                for index, reader in enumerate(self.readers)
                if node_type in reader.handlers
            ]
        return found

    def _leave_handlers(self, node_type: type) -> list[tuple[int, LeaveHandler]]:
        found = self._leave.get(node_type)
        if found is None:
            found = self._leave[node_type] = [
                (index, reader.leave_handlers[node_type])
                for index, reader in enumerate(self.readers)
                if node_type in reader.leave_handlers
            ]
        return found

    def node(self, node: cst.CSTNode, ctx: Context) -> None:
        node_type = type(node)
        if node_type is cst.Call:
            _note_mutation(node, ctx, self.parsed.line(node))  # type: ignore[arg-type]
        muted_here: list[int] = []
        readers = self.readers
        for index, handler in self._visit_handlers(node_type):
            if self.muted[index] is None and handler(readers[index], node, ctx) is False:
                self.muted[index] = id(node)
                muted_here.append(index)
        if node_type is cst.If and _dotted_test(node.test) in _TYPE_CHECKING:  # type: ignore[attr-defined]
            body = node.body  # type: ignore[attr-defined]
            self.model.type_checking.append(
                (self.parsed.line(body), self.parsed.end_line(body))
            )
        special = _SPECIAL.get(node_type)
        if special is not None:
            special(self, node, ctx)
        else:
            guard = GUARDS.get(node_type)
            inner = ctx if guard is None else Context(
                ctx.scope, ctx.loops, (*ctx.guards, guard), ctx.withs, ctx.loop_guards,
                ctx.block_end, ctx.block_guards,
            )
            if node_type is cst.IndentedBlock and len(ctx.guards) > ctx.loop_guards:
                # a guarded block: straight-line code within it dominates its later lines
                inner = Context(
                    ctx.scope, ctx.loops, ctx.guards, ctx.withs, ctx.loop_guards,
                    self.parsed.end_line(node), len(ctx.guards),
                )
            for child in child_nodes(node):
                self.node(child, inner)
        for index, handler in self._leave_handlers(node_type):
            if self.muted[index] is None:
                handler(readers[index], node, ctx)
        for index in muted_here:
            self.muted[index] = None

    def children(self, nodes: Iterable[cst.CSTNode | None], ctx: Context) -> None:
        for child in nodes:
            if child is not None:
                self.node(child, ctx)

    # ---- scopes ----------------------------------------------------------------------------

    def _new_scope(self, kind: str, name: str, parent: Scope, node: cst.CSTNode) -> Scope:
        qualname = f"{parent.qualname}.{name}" if parent.qualname else name
        scope = Scope(kind, name, qualname, parent, node, self.parsed.line(node))
        self.model.scopes[id(node)] = scope
        self.model.all_scopes.append(scope)
        return scope

    def bind_target(
        self,
        target: cst.BaseExpression,
        ctx: Context,
        kind: str,
        value: cst.BaseExpression | None = None,
        *,
        loop: int | None = None,
        annotation: cst.BaseExpression | None = None,
        concat: bool = False,
    ) -> None:
        scope = ctx.scope
        for leaf, path in target_paths(target):
            if isinstance(leaf, cst.Name):
                self.bind_name(
                    leaf.value,
                    BindingSite(
                        kind, self.parsed.line(leaf), value, path, ctx.loops, loop,
                        annotation=annotation,
                        straight=all(g == "with" for g in ctx.guards[ctx.loop_guards:]),
                        block_end=ctx.block_end if ctx.block_end and all(
                            g == "with" for g in ctx.guards[ctx.block_guards:]
                        ) else 0,
                        concat=concat,
                    ),
                    scope,
                )
            elif (
                isinstance(leaf, cst.Attribute)
                and isinstance(leaf.value, cst.Name)
                and kind in ("assign", "aug")
            ):
                self._bind_attribute(leaf, value, path, kind, ctx, annotation)
            elif isinstance(leaf, cst.Subscript) and isinstance(leaf.value, cst.Name):
                _mutated(leaf.value.value, scope, None)
        for leaf in _starred_leaves(target):
            if isinstance(leaf, cst.Name):
                self.bind_name(leaf.value, BindingSite("other", self.parsed.line(leaf)), scope)

    def _bind_attribute(
        self,
        leaf: cst.Attribute,
        value: cst.BaseExpression | None,
        path: tuple[int, ...],
        kind: str,
        ctx: Context,
        annotation: cst.BaseExpression | None,
    ) -> None:
        """`self.x = v` in a method: an instance attribute of its class."""
        scope = ctx.scope
        owner = leaf.value.value  # type: ignore[attr-defined]
        while scope.kind in ("lambda", "comprehension") and scope.parent is not None:
            scope = scope.parent
        cls = scope.enclosing_class()
        if cls is None or scope.receiver != "self" or not scope.params:
            return
        if owner != scope.params[0]:
            return
        ctx.scope.self_attributes.setdefault(leaf.attr.value, []).append(
            BindingSite(kind, self.parsed.line(leaf), value, path, ctx.loops, annotation=annotation)
        )

    def bind_name(self, name: str, site: BindingSite, scope: Scope) -> None:
        if scope.kind != "module" and name in scope.declared_global:
            # `global _User` then `from app.models import User as _User` in a function: the
            # module's name is that import once the function ran (a lazy import; see
            # `summary._placeholder_filled`); any other binding's value is not known there
            kind = "import" if site.kind == "import" else "other"
            self.model.module.bind(name, BindingSite(kind, site.line, imported=site.imported))
            return
        if name in scope.declared_nonlocal:
            outer = scope.parent
            while outer is not None and outer.kind not in ("function", "module"):
                outer = outer.parent
            if outer is not None:
                outer.bind(name, BindingSite("other", site.line))
            return
        scope.bind(name, site)


#: Methods that only read their receiver: calling them leaves a list or dict as it was.
READING_METHODS = frozenset(
    {"get", "items", "keys", "values", "count", "index", "copy", "startswith", "endswith",
     "format", "join", "lower", "upper", "strip", "split", "replace", "encode", "decode"}
)


_TYPE_CHECKING = frozenset({"TYPE_CHECKING", "typing.TYPE_CHECKING"})


def _dotted_test(test: cst.BaseExpression) -> str | None:
    """`TYPE_CHECKING` / `typing.TYPE_CHECKING` as written, else None."""
    if type(test) is cst.Name:
        return test.value
    if type(test) is cst.Attribute and type(test.value) is cst.Name:
        return f"{test.value.value}.{test.attr.value}"
    return None


def _note_mutation(call: cst.Call, ctx: Context, line: int) -> None:
    """`x.append(...)`: a list bound once but changed in place has no literal value, unless
    it is only grown in straight-line code (`grown_list`)."""
    func = call.func
    if (
        isinstance(func, cst.Attribute)
        and isinstance(func.value, cst.Name)
        and func.attr.value not in READING_METHODS
    ):
        grows = (
            func.attr.value in ("append", "extend") and len(call.args) == 1
            and call.args[0].keyword is None and not call.args[0].star
            and not ctx.loops and all(guard == "with" for guard in ctx.guards[ctx.loop_guards:])
        )
        added = AppendSite(line, func.attr.value, call.args[0].value) if grows else None
        _mutated(func.value.value, ctx.scope, added)


def _mutated(name: str, scope: Scope, added: AppendSite | None) -> None:
    """Note `name` changed in place in the scope binding it; `added`: by that append or
    extend in the straight-line code of `scope` itself, else any other way."""
    current: Scope | None = scope
    while current is not None:
        if name in current.bindings or current.kind == "module":
            current.mutated.add(name)
            if added is not None and current is scope:
                current.appends.setdefault(name, []).append(added)
            else:
                current.reshaped.add(name)
            return
        current = current.parent


def grown_list(
    scope: Scope, name: str, site: BindingSite, line: int
) -> list[AppendSite] | None:
    """`names = []`, then `names.append("a")` and `names.extend(["b"])` in the straight-line
    code of the function, then a use of `names` at `line`, outside loops: the list is the
    literal with what was added before the use, in order (the appends after it change
    nothing it reads). None when the name is changed any other way, or not so decided."""
    if (
        scope.kind != "function" or name in scope.reshaped or site.kind != "assign"
        or not site.straight or site.loops or site.path
        or not isinstance(site.value, cst.List)
    ):
        return None
    return [added for added in scope.appends.get(name, ()) if site.line < added.line < line]


def _starred_leaves(target: cst.BaseExpression) -> Iterable[cst.BaseExpression]:
    """Names bound by `*rest` in an unpacking target (their value is a list: unknown)."""
    stack = [target]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Tuple | cst.List):
            starred = any(isinstance(e, cst.StarredElement) for e in node.elements)
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    yield element.value
                elif starred:
                    yield from _leaves_any(element.value)
                else:
                    stack.append(element.value)


def _leaves_any(node: cst.BaseExpression) -> Iterable[cst.BaseExpression]:
    if isinstance(node, cst.Tuple | cst.List):
        for element in node.elements:
            yield from _leaves_any(element.value)
    else:
        yield node


# --------------------------------------------------------------------------------------------
# nodes that bind or open scopes
# --------------------------------------------------------------------------------------------


def _parameters(w: _Walker, params: cst.Parameters, scope: Scope, outer: Context) -> None:
    """Defaults and annotations are evaluated outside; the names are bound inside."""
    every = (*params.posonly_params, *params.params, *params.kwonly_params)
    stars = [s for s in (params.star_arg, params.star_kwarg) if isinstance(s, cst.Param)]
    for param in (*every, *stars):
        if param.default is not None:
            w.node(param.default, outer)
        if param.annotation is not None:
            w.node(param.annotation, outer)
    for param in (*params.posonly_params, *params.params):
        scope.params.append(param.name.value)
    for param in (*stars[:1], *params.kwonly_params, *stars[1:]):
        scope.params.append(param.name.value)
    for param in (*every, *stars):
        scope.bind(
            param.name.value,
            BindingSite(
                "param",
                w.parsed.line(param.name),
                param.default,
                annotation=param.annotation.annotation if param.annotation else None,
                node=param,
            ),
        )


def _function(w: _Walker, node: cst.FunctionDef, ctx: Context) -> None:
    for decorator in node.decorators:
        w.node(decorator, ctx)
    if node.returns is not None:
        w.node(node.returns, ctx)
    name = node.name.value
    w.bind_name(name, BindingSite("def", w.parsed.line(node.name), node=node), ctx.scope)
    scope = w._new_scope("function", name, ctx.scope, node)
    scope.decorators = decorator_names(node.decorators)
    _parameters(w, node.params, scope, ctx)
    if ctx.scope.kind == "class" and scope.params:
        decorators = {d.rsplit(".", 1)[-1] for d in scope.decorators}
        if "staticmethod" in decorators:
            scope.receiver = None
        elif decorators & {"classmethod", "declared_attr", "directive"} or name in (
            "__init_subclass__",
            "__new__",
            "__class_getitem__",
        ):
            scope.receiver = "cls"
        else:
            scope.receiver = "self"
    w.node(node.body, Context(scope))


def _class(w: _Walker, node: cst.ClassDef, ctx: Context) -> None:
    for decorator in node.decorators:
        w.node(decorator, ctx)
    for arg in (*node.bases, *node.keywords):
        w.node(arg, ctx)
    name = node.name.value
    w.bind_name(name, BindingSite("class", w.parsed.line(node.name), node=node), ctx.scope)
    scope = w._new_scope("class", name, ctx.scope, node)
    scope.decorators = decorator_names(node.decorators)
    w.node(node.body, Context(scope, ctx.loops, ctx.guards, loop_guards=len(ctx.guards)))


def _lambda(w: _Walker, node: cst.Lambda, ctx: Context) -> None:
    scope = w._new_scope("lambda", "<lambda>", ctx.scope, node)
    _parameters(w, node.params, scope, ctx)
    w.node(node.body, Context(scope, ctx.loops, ctx.guards, ctx.withs, len(ctx.guards)))


def _comprehension(w: _Walker, node: cst.CSTNode, ctx: Context) -> None:
    scope = w._new_scope("comprehension", "<comp>", ctx.scope, node)
    inner = Context(scope, ctx.loops, ctx.guards, ctx.withs, len(ctx.guards))
    comp: cst.CompFor | None = node.for_in  # type: ignore[attr-defined]
    first = True
    while comp is not None:
        # The first iterable is evaluated in the enclosing scope, the rest inside.
        w.node(comp.iter, ctx if first else inner)
        loop = _loop(w, comp, comp.target, comp.iter, scope, ctx.scope if first else scope, inner)
        inner = Context(scope, (*inner.loops, loop), inner.guards, inner.withs, len(inner.guards))
        w.bind_target(comp.target, inner, "comp", loop=loop)
        for condition in comp.ifs:
            w.node(condition, inner)
        first = False
        comp = comp.inner_for_in
    if isinstance(node, cst.DictComp):
        w.node(node.key, inner)
        w.node(node.value, inner)
    else:
        w.node(node.elt, inner)  # type: ignore[attr-defined]


def _loop(
    w: _Walker,
    node: cst.CSTNode,
    target: cst.BaseExpression,
    iterable: cst.BaseExpression,
    scope: Scope,
    iterable_scope: Scope,
    ctx: Context,
) -> int:
    targets = [
        (leaf.value, path) for leaf, path in target_paths(target) if isinstance(leaf, cst.Name)
    ]
    loop = Loop(
        len(w.model.loops), scope, node, iterable, iterable_scope, targets, ctx.loops,
        w.parsed.line(node),
    )
    w.model.loops.append(loop)
    return loop.id


def _for(w: _Walker, node: cst.For, ctx: Context) -> None:
    w.node(node.iter, ctx)
    loop = _loop(w, node, node.target, node.iter, ctx.scope, ctx.scope, ctx)
    inside = Context(ctx.scope, (*ctx.loops, loop), ctx.guards, ctx.withs, len(ctx.guards))
    w.bind_target(node.target, inside, "for", loop=loop)
    w.node(node.body, inside)
    if node.orelse is not None:
        w.node(node.orelse, ctx)


def _assign(w: _Walker, node: cst.Assign, ctx: Context) -> None:
    w.node(node.value, ctx)
    for target in node.targets:
        w.bind_target(target.target, ctx, "assign", node.value)
        w.node(target, ctx)


def _ann_assign(w: _Walker, node: cst.AnnAssign, ctx: Context) -> None:
    w.node(node.annotation, ctx)
    if node.value is not None:
        w.node(node.value, ctx)
        w.bind_target(
            node.target, ctx, "assign", node.value, annotation=node.annotation.annotation
        )
    elif ctx.scope.kind != "module":
        # `x: int` alone makes x local to a function (unbound until assigned)
        w.bind_target(node.target, ctx, "declared", annotation=node.annotation.annotation)
    else:
        w.bind_target(node.target, ctx, "declared", annotation=node.annotation.annotation)
    w.node(node.target, ctx)


def _aug_assign(w: _Walker, node: cst.AugAssign, ctx: Context) -> None:
    w.node(node.value, ctx)
    w.bind_target(
        node.target, ctx, "aug", node.value, concat=isinstance(node.operator, cst.AddAssign)
    )
    w.node(node.target, ctx)


def _named_expr(w: _Walker, node: cst.NamedExpr, ctx: Context) -> None:
    w.node(node.value, ctx)
    scope = ctx.scope
    while scope.kind == "comprehension" and scope.parent is not None:
        scope = scope.parent  # a walrus in a comprehension binds in the enclosing scope
    w.bind_target(node.target, Context(scope, ctx.loops), "walrus", node.value)
    w.node(node.target, ctx)


def _with(w: _Walker, node: cst.With, ctx: Context) -> None:
    withs = ctx.withs
    for item in node.items:
        w.node(item.item, ctx)
        if item.asname is not None:
            w.bind_target(item.asname.name, ctx, "with", item.item)  # type: ignore[arg-type]
        withs = (*withs, item)
    w.node(
        node.body,
        Context(
            ctx.scope, ctx.loops, (*ctx.guards, "with"), withs, ctx.loop_guards, ctx.block_end,
            ctx.block_guards,
        ),
    )


def _except(w: _Walker, node: cst.CSTNode, ctx: Context) -> None:
    if node.type is not None:  # type: ignore[attr-defined]
        w.node(node.type, ctx)  # type: ignore[attr-defined]
    name = node.name  # type: ignore[attr-defined]
    if name is not None and isinstance(name.name, cst.Name):
        w.bind_target(name.name, ctx, "other")
    inside = Context(
        ctx.scope, ctx.loops, (*ctx.guards, "except"), ctx.withs, ctx.loop_guards,
        ctx.block_end, ctx.block_guards,
    )
    w.node(node.body, inside)  # type: ignore[attr-defined]


def _import(w: _Walker, node: cst.Import, ctx: Context) -> None:
    """`import a.b` binds `a` (the binding keeps the full name); `import a.b as c` binds `c`."""
    for alias in node.names:
        name = dotted(alias.name) or ""
        local = alias.evaluated_alias or name.split(".")[0]
        line = w.parsed.line(alias)
        binding = ImportBinding(sys.intern(alias.evaluated_alias or name), sys.intern(name),
                                None, 0, line)
        w.bind_name(local, BindingSite("import", line, imported=binding), ctx.scope)


def _import_from(w: _Walker, node: cst.ImportFrom, ctx: Context) -> None:
    module = dotted(node.module) if node.module is not None else ""
    level = len(node.relative)
    if isinstance(node.names, cst.ImportStar):
        binding = ImportBinding("*", module or "", "*", level, w.parsed.line(node))
        ctx.scope.bind("*", BindingSite("import", w.parsed.line(node), imported=binding))
        return
    for alias in node.names:
        name = sys.intern(alias.evaluated_name)
        local = sys.intern(alias.evaluated_alias or name)
        binding = ImportBinding(local, sys.intern(module or ""), name, level, w.parsed.line(alias))
        w.bind_name(local, BindingSite("import", w.parsed.line(alias), imported=binding), ctx.scope)


def _global(w: _Walker, node: cst.Global, ctx: Context) -> None:
    ctx.scope.declared_global.update(item.name.value for item in node.names)


def _nonlocal(w: _Walker, node: cst.Nonlocal, ctx: Context) -> None:
    ctx.scope.declared_nonlocal.update(item.name.value for item in node.names)


def _del(w: _Walker, node: cst.Del, ctx: Context) -> None:
    w.bind_target(node.target, ctx, "other")
    w.children(child_nodes(node), ctx)


def _match_as(w: _Walker, node: cst.MatchAs, ctx: Context) -> None:
    if node.name is not None:
        w.bind_name(node.name.value, BindingSite("other", w.parsed.line(node)), ctx.scope)
    w.children(child_nodes(node), ctx)


def _match_star(w: _Walker, node: cst.CSTNode, ctx: Context) -> None:
    name = node.name  # type: ignore[attr-defined]
    if name is not None:
        w.bind_name(name.value, BindingSite("other", w.parsed.line(node)), ctx.scope)


_SPECIAL: dict[type, Callable[[_Walker, cst.CSTNode, Context], None]] = {
    cst.FunctionDef: _function,  # type: ignore[dict-item]
    cst.ClassDef: _class,  # type: ignore[dict-item]
    cst.Lambda: _lambda,  # type: ignore[dict-item]
    cst.ListComp: _comprehension,
    cst.SetComp: _comprehension,
    cst.GeneratorExp: _comprehension,
    cst.DictComp: _comprehension,
    cst.For: _for,  # type: ignore[dict-item]
    cst.Assign: _assign,  # type: ignore[dict-item]
    cst.AnnAssign: _ann_assign,  # type: ignore[dict-item]
    cst.AugAssign: _aug_assign,  # type: ignore[dict-item]
    cst.NamedExpr: _named_expr,  # type: ignore[dict-item]
    cst.With: _with,  # type: ignore[dict-item]
    cst.ExceptHandler: _except,
    cst.ExceptStarHandler: _except,
    cst.Import: _import,  # type: ignore[dict-item]
    cst.ImportFrom: _import_from,  # type: ignore[dict-item]
    cst.Global: _global,  # type: ignore[dict-item]
    cst.Nonlocal: _nonlocal,  # type: ignore[dict-item]
    cst.Del: _del,  # type: ignore[dict-item]
    cst.MatchAs: _match_as,  # type: ignore[dict-item]
    cst.MatchStar: _match_star,
}


def walk_module(parsed: ParsedModule, readers: Iterable[Reader] = ()) -> ScopeModel:
    """The one traversal: build the scope model and feed every reader's handlers."""
    walker = _Walker(parsed, readers)
    root = Context(walker.model.module)
    for statement in parsed.tree.body:
        walker.node(statement, root)
    return walker.model
