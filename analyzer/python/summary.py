"""What a module defines, as plain facts other modules' evaluation can read.

Module-level and class-level names with their (closed) values, functions with their
parameters and `return` values, classes with bases and attributes, and every loop's iterable.
This is the evaluator's view of a module: `from app.models import Tag` in another file, then
`Tag.__tablename__`, is answered from the `ClassFact` of `Tag` here.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import libcst as cst

from analyzer.facts import (
    CONTEXT_MANAGER_DECORATORS,
    ClassFact,
    FunctionFact,
    LoopFact,
    NameFact,
    ParamFact,
)
from analyzer.python import expr as ir
from analyzer.python.nodes import dotted, suites
from analyzer.python.scopes import BindingSite, Context, Reader, Scope, ScopeModel
from analyzer.python.translate import MUTABLE_LITERALS, Translator

RETURN_BUDGET = 120  # return values larger than this are opaque (helpers return small things)


class ReturnsReader(Reader):
    """Collects `return` values per function during the one traversal."""

    def __init__(self) -> None:
        super().__init__()
        self.returns: dict[int, list[tuple[cst.BaseExpression, tuple[int, ...]]]] = {}
        self.statements: dict[int, int] = {}
        # per method: what it does to a row through a session, and the methods of its own
        # receiver it calls (`FunctionFact.session_write`, `FunctionFact.own_calls`)
        self.session_writes: dict[int, str] = {}
        self.own_calls: dict[int, set[str]] = {}
        self.handlers[cst.Return] = ReturnsReader._return  # type: ignore[assignment]
        self.handlers[cst.Yield] = ReturnsReader._yield  # type: ignore[assignment]
        self.handlers[cst.Call] = ReturnsReader._call  # type: ignore[assignment]
        self.handlers[cst.SimpleStatementLine] = ReturnsReader._statement  # type: ignore[assignment]
        for compound in (cst.If, cst.For, cst.While, cst.Try, cst.With, cst.Match):
            self.handlers[compound] = ReturnsReader._statement  # type: ignore[assignment]

    def _function(self, ctx: Context) -> Scope | None:
        scope: Scope | None = ctx.scope
        while scope is not None and scope.kind in ("lambda", "comprehension"):
            scope = scope.parent
        return scope if scope is not None and scope.kind == "function" else None

    def _return(self, node: cst.CSTNode, ctx: Context) -> None:
        value = node.value  # type: ignore[attr-defined]
        function = self._function(ctx)
        if function is not None and value is not None:
            self.returns.setdefault(id(function), []).append((value, ctx.loops))

    def _yield(self, node: cst.CSTNode, ctx: Context) -> None:
        """`yield conn` in a `@contextmanager` function: what entering its call gives
        (`with self.connect() as conn`), kept with its returns; a plain call of such a
        function gives a context manager, which the evaluator does not read through (its
        decorator is not transparent)."""
        value = node.value  # type: ignore[attr-defined]
        function = self._function(ctx)
        if function is None or value is None or isinstance(value, cst.From):
            return
        if any(d.rpartition(".")[2] in CONTEXT_MANAGER_DECORATORS for d in function.decorators):
            self.returns.setdefault(id(function), []).append((value, ctx.loops))

    def _call(self, node: cst.CSTNode, ctx: Context) -> None:
        """In a method: `db.session.add(self)` / `.merge(self)` (a write of its row),
        `.delete(self)`; in a classmethod, `session.add(...)` (a row it made, `cls(**kw)`) or
        `cls.query....delete()` / `.update(...)`; and `self.x(...)` / `cls.x(...)`."""
        function = self._function(ctx)
        func = node.func  # type: ignore[attr-defined]
        if function is None or function.receiver is None or not isinstance(func, cst.Attribute):
            return
        method = func.attr.value
        receiver = func.value
        own = function.receiver
        if isinstance(receiver, cst.Name) and receiver.value == own:
            self.own_calls.setdefault(id(function), set()).add(method)
            return
        args = node.args  # type: ignore[attr-defined]
        found = ""
        if method in _SESSION_ROW_CALLS and args and _names_a_session(receiver):
            first = args[0].value
            if own == "cls" or (isinstance(first, cst.Name) and first.value == own):
                found = _SESSION_ROW_CALLS[method]
        elif own == "cls" and method in ("delete", "update") and _queries(receiver, own):
            found = "write"  # `cls.query.filter_by(**kw).delete()`
        if found:
            key = id(function)
            if self.session_writes.get(key) != "write":
                self.session_writes[key] = found

    def _statement(self, node: cst.CSTNode, ctx: Context) -> None:
        function = self._function(ctx)
        if function is not None:
            self.statements[id(function)] = self.statements.get(id(function), 0) + 1


#: What `return_guards` gives each return value: (the `if` test, whether it holds there)
Guards = tuple[tuple[cst.BaseExpression, bool], ...]


def return_guards(function: cst.CSTNode | None) -> dict[int, Guards]:
    """The `if` tests around each `return` of a function (by id of the returned value), and
    whether each holds there: in an `if` body it does, in its `else` it does not, and after
    an `if` whose body ends in a return (a guard clause, `if not self.joins: return ''`) it
    does not either. `if not x:` is `x` not holding. Other blocks (loops, `try`, `with`)
    add no test. The evaluator leaves out a return whose test it knows the other way."""
    found: dict[int, Guards] = {}
    body = getattr(function, "body", None)
    if isinstance(body, cst.IndentedBlock):
        _guarded_block(body.body, (), found)
    return found


def _guarded_block(
    statements: Sequence[cst.BaseStatement], guards: Guards, found: dict[int, Guards]
) -> None:
    for statement in statements:
        if isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                if isinstance(small, cst.Return) and small.value is not None:
                    found[id(small.value)] = guards
        elif isinstance(statement, cst.If):
            test, holds = _unnegated(statement.test)
            _guarded_block(_statements(statement.body), (*guards, (test, holds)), found)
            orelse = statement.orelse
            if isinstance(orelse, cst.Else):
                _guarded_block(_statements(orelse.body), (*guards, (test, not holds)), found)
            elif isinstance(orelse, cst.If):
                _guarded_block([orelse], (*guards, (test, not holds)), found)
            elif _leaves(statement.body):
                guards = (*guards, (test, not holds))  # what follows runs when it failed
        elif isinstance(statement, cst.FunctionDef | cst.ClassDef):
            continue  # (their returns are their own)
        else:  # a loop, `try`, `with` or `match`: its blocks, with no test of their own
            for block in suites(statement):
                _guarded_block(_statements(block), guards, found)


def _unnegated(test: cst.BaseExpression) -> tuple[cst.BaseExpression, bool]:
    """`not x` as (`x`, False), any other test as (it, True)."""
    holds = True
    while isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        test, holds = test.expression, not holds
    return test, holds


def _statements(block: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    return block.body if isinstance(block, cst.IndentedBlock) else ()


def _leaves(block: cst.BaseSuite) -> bool:
    """Whether a block's last statement returns or raises (what follows it is skipped)."""
    statements = _statements(block)
    last = statements[-1] if statements else None
    return isinstance(last, cst.SimpleStatementLine) and isinstance(
        last.body[-1], cst.Return | cst.Raise
    )


#: Session methods given a row, and what they do to it (`ReturnsReader._call`)
_SESSION_ROW_CALLS = {"add": "write", "merge": "write", "add_all": "write", "delete": "delete"}


def _names_a_session(receiver: cst.BaseExpression) -> bool:
    """`db.session`, `session`, `self.session`, `Session`: a name ending in "session"."""
    name = dotted(receiver)
    return name is not None and name.rsplit(".", 1)[-1].lower().endswith("session")


def _queries(node: cst.BaseExpression, own: str) -> bool:
    """Whether a chain of calls and attributes queries the receiver's own class: it starts
    from it (`cls.query.filter(...)`) or a call in it is given it first
    (`session.query(cls).filter(...)`)."""
    while True:
        if isinstance(node, cst.Attribute):
            node = node.value
        elif isinstance(node, cst.Call):
            first = node.args[0].value if node.args else None
            if isinstance(first, cst.Name) and first.value == own:
                return True
            node = node.func
        else:
            return isinstance(node, cst.Name) and node.value == own


def _name_fact(
    name: str, sites: list[BindingSite], scope: Scope, translator: Translator
) -> NameFact | None:
    if name == "*":
        return None
    real = [site for site in sites if site.kind != "declared"] or sites
    # `if TYPE_CHECKING: class Base: ...` / `else: Base = versioned_base(...)`: the binding
    # the interpreter runs
    real = [site for site in real if not translator.model.for_type_checkers(site)] or real
    annotation = next((s.annotation for s in sites if s.annotation is not None), None)
    annotated = translator.expr(annotation, scope) if annotation is not None else None
    real = _placeholder_filled(real)
    site = real[-1]
    if len(real) > 1:
        kinds = sorted({s.kind for s in real})
        bindings = tuple(s.imported for s in real if s.imported is not None)
        if kinds == ["import"] and len(bindings) == len(real):
            return NameFact("import", site.line, imported=bindings[-1], imports=bindings)
        if kinds == ["def"]:
            return NameFact("ambiguous", site.line, why=f"`{name}` is defined {len(real)} times")
        return NameFact(
            "ambiguous", site.line, annotation=annotated,
            why=f"`{name}` is bound {len(real)} times ({', '.join(kinds)})",
            alternatives=_alternatives(name, real, scope, translator),
        )
    prefix = f"{scope.qualname}." if scope.qualname else ""
    if site.kind in ("assign", "walrus") and site.value is not None:
        if name in scope.mutated and isinstance(site.value, MUTABLE_LITERALS):
            return NameFact("other", site.line, why=f"`{name}` is changed in place")
        value = translator.expr(site.value, scope, site.loops)
        for index in site.path:
            value = (
                value.items[index]
                if isinstance(value, ir.Seq) and index < len(value.items)
                else ir.Subscript(value, ir.Const(index))
            )
        return NameFact("value", site.line, value=value, annotation=annotated)
    if site.kind == "import" and site.imported is not None:
        return NameFact("import", site.line, imported=site.imported)
    if site.kind == "def":
        return NameFact("function", site.line, qualname=prefix + name)
    if site.kind == "class":
        return NameFact("class", site.line, qualname=prefix + name)
    if site.kind == "declared":
        return NameFact("declared", site.line, annotation=annotated)
    return NameFact("other", site.line, why=f"`{name}` is bound by a {site.kind} statement")


def _placeholder_filled(sites: list[BindingSite]) -> list[BindingSite]:
    """`_User = None` at module level and `global _User; from app.models import User as _User`
    in a function (a lazy import, against import cycles): code reading `_User.objects` runs
    once the import filled it, since `None` has no attributes, so the import is the value.
    The sites as they are unless every binding but `None` placeholders is that import."""
    imports = [site for site in sites if site.kind == "import" and site.imported is not None]
    targets = {(b.module, b.name, b.level) for site in imports if (b := site.imported)}
    if len(targets) != 1 or len(imports) == len(sites):
        return sites
    placeholders = [
        site for site in sites
        if site.kind == "assign" and isinstance(site.value, cst.Name) and site.value.value == "None"
        and not site.path
    ]
    if len(placeholders) + len(imports) != len(sites):
        return sites
    return imports[-1:]


def _alternatives(
    name: str, sites: list[BindingSite], scope: Scope, translator: Translator
) -> tuple[ir.Expr, ...]:
    """The values of a name bound only by plain assignments, each in a guarded block (the
    branches of an `if`/`elif`/`else` on a setting, `try`/`except`), none reading the name
    itself: which of them runs is decided at run time, so the name may hold any of them.
    Straight-line rebinding (`x = a` then `x = f(x)`) is left ambiguous."""
    if any(
        site.kind != "assign" or site.value is None or site.straight or site.path
        or name in scope.mutated
        for site in sites
    ):
        return ()
    values = tuple(translator.expr(site.value, scope, site.loops) for site in sites)
    if any(node == ir.Global(name) for value in values for node in ir.walk(value)):
        return ()
    return values


def _params(scope: Scope, translator: Translator) -> tuple[ParamFact, ...]:
    outer = scope.parent or scope
    facts = []
    node = scope.node
    params = getattr(node, "params", None)
    if not isinstance(params, cst.Parameters):
        return ()
    groups = (
        ("positional", (*params.posonly_params, *params.params)),
        ("varargs", (params.star_arg,) if isinstance(params.star_arg, cst.Param) else ()),
        ("keyword", params.kwonly_params),
        ("varkw", (params.star_kwarg,) if params.star_kwarg is not None else ()),
    )
    for kind, group in groups:
        for param in group:
            annotation = (
                translator.expr(param.annotation.annotation, outer)
                if param.annotation is not None
                else None
            )
            default = translator.expr(param.default, outer) if param.default is not None else None
            facts.append(ParamFact(sys.intern(param.name.value), kind, annotation, default))
    return tuple(facts)


def summarize(
    model: ScopeModel, translator: Translator, returns: ReturnsReader
) -> tuple[dict[str, NameFact], dict[str, FunctionFact], dict[str, ClassFact], list[LoopFact]]:
    """Module names, functions, classes and loops of one module, as plain facts."""
    names = {
        name: fact
        for name, sites in model.module.bindings.items()
        if (fact := _name_fact(name, sites, model.module, translator)) is not None
    }
    functions: dict[str, FunctionFact] = {}
    classes: dict[str, ClassFact] = {}
    for scope in model.all_scopes:
        if scope.kind == "function":
            node = scope.node
            found = returns.returns.get(id(scope), ())
            returned = tuple(translator.expr(value, scope, loops) for value, loops in found)
            guards = return_guards(node) if len(found) > 1 else {}
            guarded = tuple(
                tuple(
                    (translator.expr(test, scope, loops), holds)
                    for test, holds in guards.get(id(value), ())
                )
                for value, loops in found
            ) if any(guards.get(id(value)) for value, _ in found) else ()
            annotation = getattr(node, "returns", None)
            functions[scope.qualname] = FunctionFact(
                qualname=scope.qualname,
                line=scope.line,
                params=_params(scope, translator),
                decorators=tuple(scope.decorators),
                returns=returned,
                return_guards=guarded,
                session_write=returns.session_writes.get(id(scope), ""),
                own_calls=tuple(sorted(returns.own_calls.get(id(scope), ()))),
                return_annotation=(
                    translator.expr(annotation.annotation, scope.parent or scope)
                    if annotation is not None
                    else None
                ),
                receiver=scope.receiver,
                statements=returns.statements.get(id(scope), 0),
                listened=_listened(node, scope.parent or scope, translator),
            )
        elif scope.kind == "class":
            node = scope.node
            outer = scope.parent or scope
            bases = tuple(
                translator.expr(arg.value, outer)
                for arg in getattr(node, "bases", ())
                if not arg.star
            )
            keywords = tuple(
                (arg.keyword.value, translator.expr(arg.value, outer))
                for arg in getattr(node, "keywords", ())
                if arg.keyword is not None
            )
            classes[scope.qualname] = ClassFact(
                qualname=scope.qualname,
                line=scope.line,
                bases=bases,
                keywords=keywords,
                decorators=tuple(scope.decorators),
                names={
                    name: fact
                    for name, sites in scope.bindings.items()
                    if (fact := _name_fact(name, sites, scope, translator)) is not None
                },
                attributes=_attributes(scope, translator),
            )
    loops = [
        LoopFact(
            loop.id,
            loop.line,
            translator.expr(loop.iterable, loop.iterable_scope, loop.outer),
            loop.outer,
            tuple(loop.targets),
        )
        for loop in model.loops
    ]
    return names, functions, classes, loops


def _attributes(cls: Scope, translator: Translator) -> dict[str, NameFact]:
    """`self.x = value` in the class's methods (bound once: a value; else ambiguous)."""
    out: dict[str, NameFact] = {}
    for name, sites in translator.model.instance_attributes(cls).items():
        site, method = sites[-1]
        annotation = next((s.annotation for s, _ in sites if s.annotation is not None), None)
        annotated = translator.expr(annotation, method) if annotation is not None else None
        if len(sites) > 1 or site.value is None:
            out[name] = NameFact(
                "ambiguous", site.line, annotation=annotated,
                why=f"`self.{name}` is assigned {len(sites)} times",
            )
            continue
        value = translator.expr(site.value, method, site.loops)
        for index in site.path:
            value = ir.Subscript(value, ir.Const(index))
        out[name] = NameFact("value", site.line, value=value, annotation=annotated)
    return out


def _listened(node: object, outer: Scope, translator: Translator) -> ir.Expr | None:
    """The target of a `@listens_for(target, "event")` (`sqlalchemy.event.listens_for`)
    decorator: SQLAlchemy calls the listener with it as its first argument."""
    for decorator in getattr(node, "decorators", ()):
        call = decorator.decorator
        if (
            isinstance(call, cst.Call) and call.args and call.args[0].keyword is None
            and not call.args[0].star
            and (dotted(call.func) or "").rsplit(".", 1)[-1] == "listens_for"
        ):
            return translator.expr(call.args[0].value, outer)
    return None
