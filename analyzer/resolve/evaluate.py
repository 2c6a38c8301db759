"""The evaluator: the one place that turns an expression into known values, across modules.

Every reader keeps expressions as closed IR (`analyzer.python.expr`); this module evaluates
them against what every module of the repository defines (`PythonFacts.names`, `.functions`,
`.classes`, `.loops`). It follows imports (aliases, re-exports, relative and star imports),
module constants, class attributes along the bases, properties, small repository functions
(their `return` values with the parameters bound), loops over literal collections, `str`
methods, `%` and f-string formatting, `re.sub`/`re.compile(...).sub` with literal patterns,
paths built from `__file__`, `os.path` and `pathlib`, and SQLAlchemy `Table`/`table` objects.

It never imports or runs code of the repository: it only applies a fixed list of pure
operations to values it already knows (string methods and `re` on known strings, path joins on
known paths). Everything else is `Unknown`, with the reason, so that a message can say which
idiom was tried and why it stopped. Cycles (import loops, recursive helpers) and depth are
bounded: evaluation always terminates.
"""

from __future__ import annotations

import itertools
import posixpath
import re
import textwrap
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from analyzer.facts import (
    CONTEXT_MANAGER_DECORATORS,
    CallFact,
    ClassFact,
    FunctionFact,
    ImportBinding,
    MigrationStep,
    NameFact,
    ParamFact,
    PythonFacts,
)
from analyzer.python import expr as ir
from analyzer.readers.sinks import MODEL_TABLE_ATTRIBUTES
from analyzer.resolve.index import ModuleIndex, absolute_module
from analyzer.resolve.values import (
    BatchV,
    ClassV,
    ConstV,
    ExternalResultV,
    ExternalV,
    FileV,
    FunctionV,
    InstanceV,
    MapV,
    MethodV,
    ModelLookupV,
    ModelMetaV,
    ModuleV,
    PartialV,
    PathV,
    RegexV,
    SeqV,
    StrV,
    TableV,
    Unknown,
    Value,
    Values,
    describe,
)

MAX_DEPTH = 48  # nested lookups and calls
MAX_CALL_DEPTH = 8  # repository functions evaluated inside each other
MAX_ALTERNATIVES = 64
MAX_ITERATIONS = 256
MAX_TEXT = 100_000  # longer strings are not built (and never name a table)

# Text that holds only bind placeholders and their punctuation (`?,`, `%s, `, `$1`): how many
# times it is repeated changes no table, column or statement shape
_PLACEHOLDERS_ONLY = re.compile(r"(?:[\s?,()]|%s|\$\d*|:\w+)+")


def _repeated(value: Value, count: Value) -> Value | None:
    """`value * count` for a string or sequence: the repetition when the count is known (an
    int), else, for placeholders only (`"?," * (len(ids) - 1)`, `["%s"] * len(rows)`), the
    text once as the stand-in for every count from one up: each names the same tables, and
    the statement around it parses (`IN (?,?)`, where a hole glued to the last `?` reads
    as PostgreSQL's `?` operator). None when neither applies."""
    if isinstance(count, ConstV) and type(count.value) is int:
        times = max(count.value, 0)
        if isinstance(value, StrV):
            if len(value.value) * times > MAX_TEXT:
                return Unknown("a string too long to build")
            return StrV(value.value * times)
        if isinstance(value, SeqV) and len(value.items) * times <= MAX_ALTERNATIVES:
            return SeqV(value.kind, value.items * times)
        return None
    if not isinstance(count, Unknown):
        return None
    if isinstance(value, StrV) and _PLACEHOLDERS_ONLY.fullmatch(value.value):
        return value
    if isinstance(value, SeqV) and value.items and all(
        isinstance(item, StrV) and _PLACEHOLDERS_ONLY.fullmatch(item.value)
        for item in value.items
    ):
        return value
    return None

STR_METHODS = frozenset(
    {
        "lower", "upper", "strip", "lstrip", "rstrip", "replace", "title", "capitalize",
        "casefold", "removeprefix", "removesuffix", "format", "join", "zfill", "swapcase",
    }
)
TRANSPARENT_DECORATORS = frozenset(
    {
        "staticmethod", "classmethod", "lru_cache", "cache", "cached_property", "property",
        "wraps", "overload", "abstractmethod", "final", "override", "declared_attr",
        "directive",
    }
)
PROPERTY_DECORATORS = frozenset({"property", "cached_property", "hybrid_property"})
#: psycopg's (2 and 3) SQL composition module: `sql.SQL("... {t}").format(t=sql.Identifier(x))`
PSYCOPG_SQL = ("psycopg2.sql.", "psycopg.sql.")
#: Methods of SQLAlchemy's `text()` clause (whose value is its SQL) that keep the SQL
TEXT_CLAUSE_METHODS = frozenset({"bindparams", "columns", "execution_options", "params"})
#: External callables whose result is a SQLAlchemy table object (first argument: the name).
TABLE_FACTORIES = ("Table", "table")


@dataclass(frozen=True, slots=True)
class Frame:
    """Where an expression is evaluated: its module, the current element of each loop around
    it, the values bound to parameters (keyed by (function, name)), and what `self`/`cls`
    stand for when a method is evaluated for a subclass (keyed by class qualname)."""

    module: PythonFacts
    loops: Mapping[int, Value] = field(default_factory=dict)
    params: Mapping[tuple[str, str], Values] = field(default_factory=dict)
    receivers: Mapping[str, Value] = field(default_factory=dict)

    def with_loop(self, loop: int, value: Value) -> Frame:
        return Frame(self.module, {**self.loops, loop: value}, self.params, self.receivers)

    def iterated(self, node: ir.Expr) -> ir.Expr | None:
        """What a loop runs over, when `node` is its variable standing for a whole element
        (`for award in Awards.query.all(): ... award`); None for anything else."""
        if isinstance(node, ir.LoopVar) and not node.path and node.loop < len(self.module.loops):
            return self.module.loops[node.loop].iterable
        return None


def _bound_elsewhere(iterable: ir.Expr) -> bool:
    """Whether a loop's collection is a name of a module or an attribute of one (`PENDING`,
    `pkg.PENDING`, `settings.EXTRA`), which other code may bind again or fill, rather than a
    parameter, a literal or a call. Not `self._models = ()`, a class's own default: the
    evaluator reads each subclass binding it again in a frame of its own."""
    while isinstance(iterable, ir.Attr):
        iterable = iterable.value
    return isinstance(iterable, ir.Global | ir.Imported)


def loop_elements(facts: PythonFacts, loops: tuple[int, ...], frame: Frame) -> str:
    """`  [for old='a', new='b']`: the loop elements a statement unrolled from `loops` of
    `facts` ran with (evidence for one operation or table per element)."""
    shown: list[str] = []
    for loop in loops:
        value = frame.loops.get(loop)
        if value is None or loop >= len(facts.loops):
            continue
        for name, path in facts.loops[loop].targets:
            item: Value = value
            for index in path:
                inside = isinstance(item, SeqV) and index < len(item.items)
                item = item.items[index] if inside else Unknown()  # type: ignore[attr-defined]
            if isinstance(item, StrV):
                shown.append(f"{name}={item.value!r}")
    return f"  [for {', '.join(shown)}]" if shown else ""


_K = TypeVar("_K")
_V = TypeVar("_V")


class _Stop(Exception):
    """Depth exceeded: unwinds to the nearest guard, which answers Unknown."""


class Evaluator:
    """Evaluates closed expressions of any module of the repository."""

    def __init__(
        self,
        index: ModuleIndex,
        *,
        files: frozenset[str] = frozenset(),
        table_of_class: Callable[[ClassV], TableV | None] | None = None,
    ) -> None:
        self.index = index
        self.files = files  # repository paths (to tell a path that exists)
        self._table_of_class = table_of_class
        self._meta_of: Callable[[Value], ModelMetaV | None] | None = None
        # whether an evaluation asked for a class's table or `_meta` (with or without an
        # answer) since these were last set: only then can a kept answer depend on them
        self._asked_tables = False
        self._stack: list[object] = []
        self._calls = 0
        self._names: dict[tuple[str, str], Values] = {}
        self._mros: dict[ClassV, list[ClassV]] = {}  # like `_names`: one answer a scan
        # `bases` asked outside any evaluation (`_stack` empty), as the Django resolver asks
        # for every class's ancestry: one answer a scan, like `_names` (netbox: 21,000
        # questions for a few thousand classes)
        self._bases: dict[ClassV, list[Value]] = {}
        # `_class_attribute`'s lookups asked outside any evaluation, the same way
        self._attributes: dict[tuple[ClassV, str, Value], Values] = {}
        # `constructed` asked outside any evaluation, the same way
        self._constructed: dict[ClassV, InstanceV] = {}
        # (module, constructor) -> its one call of its base's (`super_init`); not forgotten:
        # a module's facts do not change, and the module is still looked up for each
        self._super_inits: dict[tuple[str, str], CallFact | None] = {}
        # class -> its repository subclasses, direct (built when first asked: `subclasses`;
        # not forgotten: it depends on the index's modules, which do not change)
        self._subclasses: dict[ClassV, list[ClassV]] | None = None
        # The string literals read so far, when noting them (the relevance rounds do,
        # `engine._Rounds`): a literal that no evaluation read cannot have changed what the
        # rounds concluded, so an edit of it alone need not ask them again
        # (`rounds_view.same_for_rounds`). Read: evaluated, or quoted in a message.
        self.texts: set[str] | None = None

    @property
    def table_of_class(self) -> Callable[[ClassV], TableV | None] | None:
        """`Model.__tablename__` / `Model.__table__` of a mapped class (set by the ORM mapper
        once it has mapped the repository: `Mapper.table_value`)."""
        return self._table_of_class

    @table_of_class.setter
    def table_of_class(self, value: Callable[[ClassV], TableV | None] | None) -> None:
        self._table_of_class = value
        self._forget_tables()

    @property
    def django_meta(self) -> Callable[[Value], ModelMetaV | None] | None:
        """`Model._meta` of a Django model class or `apps.get_model(...)` lookup (set by the
        Django resolver once it has built a project's models: `DjangoResolver.meta_of`)."""
        return self._meta_of

    @django_meta.setter
    def django_meta(self, value: Callable[[Value], ModelMetaV | None] | None) -> None:
        self._meta_of = value
        self._forget_tables()

    def _forget_tables(self) -> None:
        """Tables or `_meta` are told now, or told otherwise (another Django project's models
        built): an answer kept since one was asked may hold the old answer (an Unknown where
        `TABLE = Account.__tablename__` now names a table), so what was kept is dropped."""
        if self._asked_tables:
            self._asked_tables = False
            self.forget()

    def forget(self) -> None:
        """Drop what was looked up so far, so that the next evaluations look every module up
        through the index again (`CodeSqlResolver.find_helpers` notes which they read)."""
        self._names.clear()
        self._mros.clear()
        self._bases.clear()
        self._attributes.clear()
        self._constructed.clear()

    # ---- entry points ----------------------------------------------------------------------

    def evaluate(self, expression: ir.Expr, frame: Frame) -> Values:
        """Every value `expression` may have in `frame` (Unknown alternatives say why)."""
        try:
            return self._eval(expression, frame)
        except _Stop:
            return (Unknown("the chain of definitions is too deep or circular"),)
        except RecursionError:
            return (Unknown("the chain of definitions is too deep"),)

    def render(self, node: ir.Expr) -> str:
        """`ir.render(node)` for a message, its string literals noted as read (`texts`)."""
        self.note_texts(node)
        return ir.render(node)

    def note_texts(self, node: ir.Expr) -> None:
        """Note every string literal of `node` as read (`texts`), when noting them: for a
        reader that takes the expression as a whole (a message, a comparison)."""
        if self.texts is not None:
            self.texts.update(part.value for part in ir.walk(node) if isinstance(part, ir.Str))

    def module(self, name: str) -> PythonFacts | None:
        return self.index.find(name)

    def frame(self, facts: PythonFacts) -> Frame:
        return Frame(facts)

    def iterations(self, loops: tuple[int, ...], frame: Frame) -> Iterator[Frame]:
        """One frame per combination of elements of `loops` (outer loops first)."""
        if not loops:
            yield frame
            return
        first, rest = loops[0], loops[1:]
        facts = frame.module
        if first >= len(facts.loops):
            yield frame.with_loop(first, Unknown("a loop that could not be read"))
            return
        loop = facts.loops[first]
        values = self.evaluate(loop.iterable, frame)
        if values and _bound_elsewhere(loop.iterable) and all(
            isinstance(value, SeqV | MapV) and not value.items for value in values
        ):
            # `PENDING = []` (or `()`, `{}`) where the module binds it, filled at run time by
            # code the evaluator does not follow (`pkg.PENDING = [...]` in another module): a
            # loop over it runs with elements not known, not never. (A parameter's empty
            # argument is the call's; a class's empty default, its own.)
            values = (Unknown("the loop's collection is empty where it is bound"),)
        for element in self.elements(values)[:MAX_ITERATIONS]:
            yield from self.iterations(rest, frame.with_loop(first, element))

    def elements(self, values: Values) -> list[Value]:
        """What iterating over a value gives (Unknown, once, when it is not known)."""
        out: list[Value] = []
        for value in values:
            if isinstance(value, SeqV):
                out.extend(value.items)
            elif isinstance(value, MapV):
                out.extend(key for key, _ in value.items)
            elif isinstance(value, Unknown):
                out.append(Unknown(f"the loop's collection is unknown: {value.why}"))
            else:
                out.append(Unknown(f"the loop runs over {describe(value)}"))
        return out

    # ---- guard -----------------------------------------------------------------------------

    def _guarded(self, key: object, compute: Callable[[], Values], loop_why: str) -> Values:
        if key in self._stack:
            return (Unknown(loop_why),)
        if len(self._stack) >= MAX_DEPTH:
            raise _Stop
        self._stack.append(key)
        try:
            return compute()
        finally:
            self._stack.pop()

    # ---- expressions -----------------------------------------------------------------------

    def _eval(self, node: ir.Expr, frame: Frame) -> Values:
        # The node classes are disjoint (each a direct subclass of `ir.Expr`), so the cases
        # come in the order of how often they are met (a scan's evaluations: names a third,
        # then attributes, calls, parameters, strings), each failed case one isinstance.
        match node:
            case ir.Global(name):
                return self.name(frame.module, name)
            case ir.Attr(value, attr):
                return self._cap(
                    out for item in self._eval(value, frame) for out in self.attribute(item, attr)
                )
            case ir.Call():
                return self._call(node, frame)
            case ir.Param(function, name):
                return self._param(function, name, frame)
            case ir.Str(value):
                if self.texts is not None:
                    self.texts.add(value)
                return (StrV(value),)
            case ir.Const(value):
                return (ConstV(value),)
            case ir.Opaque(code, why):
                return (Unknown(f"`{code}` is {why}" if why.startswith("a") else why),)
            case ir.Imported():
                return self._import(frame.module, node.binding())
            case ir.LoopVar(loop, path):
                return (self._loop_value(loop, path, frame),)
            case ir.Self(cls):
                bound = frame.receivers.get(cls)
                if bound is not None:
                    return (bound,)
                return (InstanceV(ClassV(frame.module.module, cls)),)
            case ir.ClsRef(cls):
                bound = frame.receivers.get(cls)
                if isinstance(bound, InstanceV):
                    return (bound.cls,)
                if bound is not None:
                    return (bound,)
                return (ClassV(frame.module.module, cls),)
            case ir.LocalDef(qualname, kind):
                if kind == "class":
                    return (ClassV(frame.module.module, qualname),)
                return (FunctionV(frame.module.module, qualname),)
            case ir.FileRef():
                return (PathV(frame.module.path),)
            case ir.Entered(value):
                return self._entered(value, frame)
            case ir.Seq(kind, items):
                return (SeqV(kind, tuple(self._items(items, frame))),)
            case ir.Mapping(items):
                pairs = []
                for key, value in items:
                    pairs.append((self._one(key, frame), self._one(value, frame)))
                return (MapV(tuple(pairs)),)
            case ir.FString(parts):
                return self._fstring(parts, frame)
            case ir.BinOp(op, left, right):
                return self._binop(op, self._eval(left, frame), self._eval(right, frame))
            case ir.Subscript(value, index):
                return self._cap(
                    self._subscript(item, key)
                    for item in self._eval(value, frame)
                    for key in self._eval(index, frame)
                )
            case ir.BoolOp(_, values):
                return self._cap(out for value in values for out in self._eval(value, frame))
            case ir.IfExp(body, orelse):
                return self._cap((*self._eval(body, frame), *self._eval(orelse, frame)))
            case ir.Starred(value):
                return self._eval(value, frame)
            case ir.Comp():
                return (self._comprehension(node, frame),)
        return (Unknown(f"`{self.render(node)}` cannot be read"),)

    def _comprehension(self, node: ir.Comp, frame: Frame) -> Value:
        """`[f(x) for x in known if g(x)]` over a known collection: a known list."""
        out: list[Value] = []
        values = self._eval(node.iterable, frame)
        if len(values) != 1:
            return Unknown(f"`{self.render(node.iterable)}` has several values")
        elements = self.elements(values)
        if len(elements) > MAX_ITERATIONS:
            return Unknown("a comprehension over too many elements")
        for element in elements:
            if isinstance(element, Unknown):
                return element
            inner = frame.with_loop(node.loop, element)
            keep = True
            for condition in node.conditions:
                truth = _truth(self._one(condition, inner))
                if truth is None:
                    return Unknown(f"`{self.render(condition)}` is not known to be true or false")
                keep = keep and truth
            if keep:
                value = self._one(node.element, inner)
                if isinstance(value, Unknown):
                    return value
                out.append(value)
        return SeqV("list", tuple(out))

    def _one(self, node: ir.Expr, frame: Frame) -> Value:
        values = self._eval(node, frame)
        if len(values) == 1:
            return values[0]
        return Unknown(f"`{self.render(node)}` has several values")

    def _items(self, items: tuple[ir.Expr, ...], frame: Frame) -> list[Value]:
        out: list[Value] = []
        for item in items:
            if isinstance(item, ir.Starred):
                for value in self._eval(item.value, frame):
                    if isinstance(value, SeqV):
                        out.extend(value.items)
                    else:
                        out.append(Unknown(f"`*{self.render(item.value)}` is not a known list"))
            else:
                out.append(self._one(item, frame))
        return out

    @staticmethod
    def _cap(values: Iterator[Value] | tuple[Value, ...]) -> Values:
        out: list[Value] = []
        for value in values:
            if value not in out:
                out.append(value)
            if len(out) >= MAX_ALTERNATIVES:
                out.append(Unknown("too many possible values"))
                break
        return tuple(out) or (Unknown("no value"),)

    # ---- names and imports -----------------------------------------------------------------

    def name(self, facts: PythonFacts, name: str) -> Values:
        """A module-level name of `facts`, followed through imports."""
        key = (facts.module, name)
        found = self._names.get(key)
        if found is None:
            found = self._guarded(
                ("name", key),
                lambda: self._name(facts, name),
                f"`{name}` is defined in a circle of imports",
            )
            self._names[key] = found
        return found

    def _name(self, facts: PythonFacts, name: str) -> Values:
        fact = facts.names.get(name)
        if fact is not None:
            return self._name_fact(facts, fact, None)
        for binding in facts.imports:
            if binding.local == "*":
                module = self.index.find(absolute_module(facts, binding), facts.path)
                if module is not None and module is not facts and not name.startswith("_"):
                    found = self.name(module, name)
                    if _defined(found):
                        return found
        if name in _BUILTIN_NAMES:
            return (ExternalV(f"builtins.{name}"),)
        return (_undefined(name, facts.module or facts.path),)

    def _name_fact(self, facts: PythonFacts, fact: NameFact, cls: str | None) -> Values:
        if fact.kind == "value" and fact.value is not None:
            return self._eval(fact.value, Frame(facts))
        if fact.kind == "import" and fact.imports:  # imported more than once
            return self._cap(
                value for binding in fact.imports for value in self._import(facts, binding)
            )
        if fact.kind == "import" and fact.imported is not None:
            return self._import(facts, fact.imported)
        if fact.kind == "ambiguous" and fact.alternatives:  # chosen by a branch at run time
            return self._cap(
                value for expr in fact.alternatives for value in self._eval(expr, Frame(facts))
            )
        if fact.kind == "function" and fact.qualname:
            return (FunctionV(facts.module, fact.qualname),)
        if fact.kind == "class" and fact.qualname:
            return (ClassV(facts.module, fact.qualname),)
        if fact.kind == "declared" and fact.annotation is not None:
            return self.annotated(fact.annotation, Frame(facts))
        return (Unknown(fact.why or "not bound to one value"),)

    def _import(self, facts: PythonFacts, binding: ImportBinding) -> Values:
        base = absolute_module(facts, binding)
        if binding.name is None:
            # `import a.b` binds the package `a`; `import a.b as c` binds `a.b`
            plain = binding.local == binding.module
            return (self._module_value(base.split(".")[0] if plain else base, facts.path),)
        module = self.index.find(base, facts.path)
        if module is not None and module is not facts:
            found = self.name(module, binding.name)
            if _defined(found):
                return found
        submodule = self.index.find(f"{base}.{binding.name}", facts.path)
        if submodule is not None:
            return (ModuleV(submodule.module),)
        if module is None:
            # a folder without __init__.py (`alembic/` beside `alembic.ini`) is a namespace
            # package only for what it holds; anything else comes from the library
            if self.index.is_package(f"{base}.{binding.name}"):
                return (ModuleV(f"{base}.{binding.name}"),)
            return (ExternalV(f"{base}.{binding.name}"),)
        return (_undefined(binding.name, module.module),)

    def _module_value(self, name: str, importer: str | None = None) -> Value:
        found = self.index.find(name, importer)
        if found is not None:
            return ModuleV(found.module)
        if self.index.is_package(name):
            return ModuleV(name)
        return ExternalV(name)

    # ---- parameters and loops --------------------------------------------------------------

    def _param(self, function: str, name: str, frame: Frame) -> Values:
        bound = frame.params.get((function, name))
        if bound is not None:
            return bound
        owner, _, last = function.rpartition(".")
        if last == "__init__":
            # a constructor's parameter read in a method, through what the constructor
            # assigned (`self.staging = table + "_staging"`, read as its value): what the
            # instance's constructor was given
            receiver = frame.receivers.get(owner)
            if isinstance(receiver, InstanceV):
                given = receiver.given_in(frame.module.module).get((function, name))
                if given is not None:
                    return given
        fact = frame.module.functions.get(function)
        if fact is not None:
            if fact.listened is not None and fact.params and fact.params[0].name == name:
                # a table's DDL event listener (`@listens_for(Category.__table__,
                # "after_create")`) is called with that table first (a mapper's events with
                # the mapper: not a table, left unknown)
                tables = tuple(
                    v for v in self.evaluate(fact.listened, Frame(frame.module))
                    if isinstance(v, TableV)
                )
                if tables:
                    return tables
            for param in fact.params:
                if param.name != name:
                    continue
                if param.annotation is not None:
                    typed = self.annotated(param.annotation, Frame(frame.module))
                    if any(not isinstance(v, Unknown) for v in typed):
                        return typed
                if param.default is not None:
                    provided = self._injected(param.default, frame)
                    if provided is not None:
                        return provided
                    registry = tuple(
                        v for v in self._eval(param.default, Frame(frame.module))
                        if isinstance(v, ExternalV) and v.path in DJANGO_APP_REGISTRIES
                    )
                    if registry:
                        # `def populate(apps=global_apps, schema_editor=None)`: a function
                        # migrations and the running app both call, the app with Django's
                        # registry (`apps.get_model(...)` is then the project's model)
                        return registry
        return (Unknown(f"`{name}` is a parameter of {function}()"),)

    def _injected(self, default: ir.Expr, frame: Frame) -> Values | None:
        """`Depends(provider)` (FastAPI) / `Provide[...]`: the provider's return value."""
        if not isinstance(default, ir.Call) or not default.args:
            return None
        called = self._eval(default.func, Frame(frame.module))
        if not any(isinstance(v, ExternalV) and v.path.rsplit(".", 1)[-1] == "Depends"
                   for v in called):
            return None
        provider = self._eval(default.args[0], Frame(frame.module))
        out: list[Value] = []
        for value in provider:
            if isinstance(value, FunctionV):
                out.extend(self._returns_type(value))
            elif isinstance(value, ClassV):
                out.append(InstanceV(value))
        return tuple(out) or None

    def _loop_value(self, loop: int, path: tuple[int, ...], frame: Frame) -> Value:
        value = frame.loops.get(loop)
        if value is None:
            return Unknown("a loop variable (each element of the loop is a separate case)")
        for index in path:
            if isinstance(value, SeqV) and index < len(value.items):
                value = value.items[index]
            elif isinstance(value, Unknown):
                return value
            else:
                return Unknown(f"unpacking {describe(value)}")
        return value

    # ---- attributes ------------------------------------------------------------------------

    def attribute(self, value: Value, attr: str) -> Values:
        """`value.attr`."""
        match value:
            case ModuleV(name):
                facts = self.index.find(name)
                if facts is not None:
                    found = self.name(facts, attr)
                    if _defined(found):
                        return found
                child = self.index.find(f"{name}.{attr}")
                if child is not None:
                    return (ModuleV(child.module),)
                if self.index.is_package(f"{name}.{attr}"):
                    return (ModuleV(f"{name}.{attr}"),)
                if facts is None:  # a namespace folder: the rest is the library's
                    return (ExternalV(f"{name}.{attr}"),)
                return (_undefined(attr, name),)
            case ExternalV(path):
                return (ExternalV(f"{path}.{attr}"),)
            case ExternalResultV(path) if attr == "_meta" and path.endswith("get_user_model"):
                return self._django_meta(value)  # `get_user_model()._meta.db_table`
            case ExternalResultV(path):
                return (ExternalV(f"{path}().{attr}"),)
            case ClassV():
                return self._class_attribute(value, attr, value)
            case InstanceV(cls):
                return self._class_attribute(cls, attr, value)
            case ModelLookupV() if attr == "_meta":
                return self._django_meta(value)
            case ModelMetaV(label, name, table):
                if attr == "db_table":
                    return (StrV(table),)
                if attr == "app_label":
                    return (StrV(label),)
                if attr == "model_name":
                    return (StrV(name),)
                return (Unknown(f"`_meta.{attr}` of a Django model"),)
            case TableV(name, schema):
                if attr == "name":
                    return (StrV(name),)
                if attr == "fullname":
                    return (StrV(f"{schema}.{name}" if schema else name),)
                if attr == "schema":
                    return (StrV(schema),) if schema else (ConstV(None),)
                return (Unknown(f"`.{attr}` of a table object"),)
            case PathV(path):
                return self._path_attribute(path, attr)
            case StrV() | RegexV() | MapV() | FileV() | SeqV():
                return (MethodV(value, attr),)
            case Unknown():
                return (value,)
        return (Unknown(f"`.{attr}` of {describe(value)}"),)

    def _django_meta(self, value: Value) -> Values:
        self._asked_tables = True
        found = self.django_meta(value) if self.django_meta is not None else None
        if found is None:
            return (Unknown(f"{describe(value)} is not a Django model tabletrace knows"),)
        return (found,)

    def class_fact(self, cls: ClassV) -> tuple[PythonFacts, ClassFact] | None:
        facts = self.index.find(cls.module)
        if facts is None:
            return None
        fact = facts.classes.get(cls.qualname)
        return (facts, fact) if fact is not None else None

    def _kept(self, kept: dict[_K, _V], key: _K, compute: Callable[[], _V]) -> _V:
        """`compute()`, kept in `kept` under `key` when asked outside any evaluation (an empty
        stack): inside one, the evaluations in progress (a circle of definitions, the depth
        reached) may shape the answer, so there it is neither kept nor taken. Forgotten with
        the names (`forget`)."""
        if self._stack:
            return compute()
        found = kept.get(key)
        if found is None:
            found = kept[key] = compute()
        return found

    def bases(self, cls: ClassV) -> list[Value]:
        """The class's bases, evaluated in its module (repository classes or external); kept
        (`_kept`: the Django resolver asks for every class's ancestry)."""
        return list(self._kept(self._bases, cls, lambda: self._bases_of(cls)))

    def _bases_of(self, cls: ClassV) -> list[Value]:
        found = self.class_fact(cls)
        if found is None:
            return []
        facts, fact = found
        out: list[Value] = []
        for base in fact.bases:
            target = base.value if isinstance(base, ir.Subscript) else base  # Generic[T]
            out.extend(self.evaluate(target, Frame(facts)))
        return out

    def mro(self, cls: ClassV) -> list[ClassV]:
        """The class and its repository ancestors, depth first, each once (computed once per
        class: every attribute read on an instance asks for it)."""
        found = self._mros.get(cls)
        if found is None:
            found = self._mros[cls] = self._mro(cls)
        return list(found)

    def _mro(self, cls: ClassV) -> list[ClassV]:
        order: list[ClassV] = []
        stack = [cls]
        while stack and len(order) < 64:
            current = stack.pop(0)
            if current in order:
                continue
            order.append(current)
            stack.extend(b for b in self.bases(current) if isinstance(b, ClassV))
        return order

    def _class_attribute(self, cls: ClassV, attr: str, receiver: Value) -> Values:
        if attr == "__name__":
            return (StrV(cls.name),)
        if attr in ("__tablename__", "__table__", "_meta"):
            self._asked_tables = True
        if attr in ("__tablename__", "__table__") and self.table_of_class is not None:
            table = self.table_of_class(cls)
            if table is not None:
                return (StrV(table.name),) if attr == "__tablename__" else (table,)
            return (Unknown(f"{cls.qualname} is not a mapped class with a known table"),)
        if attr == "_meta" and self.django_meta is not None:
            found = self.django_meta(cls)
            if found is not None:
                return (found,)
        if attr[:1].isupper() and self.table_of_class is not None:
            # `Artifact.Label`, a model a factory function made for the attribute
            # (`Mapper._factory_instances`): that class, whose table the mapper knows
            made = ClassV(cls.module, f"{cls.qualname}.{attr}")
            if self.table_of_class(made) is not None:
                return (made,)
        # kept (`_kept`: netbox asked 17,400 such questions outside any evaluation, 14,600
        # of them again)
        return self._kept(self._attributes, (cls, attr, receiver), lambda: self._guarded(
            ("attr", cls, attr, receiver),
            lambda: self._lookup_attribute(cls, attr, receiver),
            f"`{cls.qualname}.{attr}` is defined in terms of itself",
        ))

    def overrides(self, cls: ClassV, attr: str, *, instance: bool) -> bool:
        """Whether the class binds `attr` itself, other than as a method or a mere annotation
        (`table = "users"`; with `instance`, `self.table = ...` in its methods too)."""
        fact = self.class_fact(cls)
        if fact is None:
            return False
        binding = fact[1].names.get(attr) or (
            fact[1].attributes.get(attr) if instance else None  # `cls.x`: no `self.x`
        )
        if binding is None and attr in MODEL_TABLE_ATTRIBUTES:
            # `cls._meta.db_table` / `cls.__tablename__` in an abstract model's method: each
            # concrete model below it has its own (Django's, SQLAlchemy's mapping gives it)
            if attr == "_meta":
                return self.django_meta is not None and self.django_meta(cls) is not None
            return self.table_of_class is not None and self.table_of_class(cls) is not None
        return binding is not None and binding.kind not in ("function", "declared", "class")

    def receiver_frames(
        self, expressions: list[ir.Expr], loops: tuple[int, ...], frame: Frame
    ) -> list[Frame]:
        """`self.table` read in a method of a class, for no particular instance: the method
        may run for an instance of any repository subclass, so the expressions (a
        candidate's holes, a helper call's arguments, with the loops around them) are read
        once for each subclass that binds one of the attributes they read itself (`class
        UserRepo(BaseRepo): table = "users"`, or `self.table = ...` in its methods), `self`
        being such an instance (every attribute read then comes from that one subclass), and
        once for the class itself unless an attribute read has no value there (`table: str`
        only: an abstract attribute)."""
        read = receiver_attributes(
            [*expressions, *frame.module.loop_iterables(loops)], frame
        )
        if len(read) != 1:
            return [frame]  # none, or reads of several classes' `self`: as written
        (qualname, (attributes, instance, params)), = read.items()
        cls = ClassV(frame.module.module, qualname)
        # the attributes the constructors may give a value (asked once, not per subclass)
        kept = tuple(
            a for a in attributes if self._from_constructor(cls, a)
        ) if instance else ()
        receivers: list[Value] = []
        for sub in self.subclasses(cls):
            if any(self.overrides(sub, a, instance=instance) for a in attributes):
                receivers.append(InstanceV(sub))
            elif (kept or params) and self._passes_on(cls, sub, kept, params, frame):
                receivers.append(self.constructed(sub))
        if not receivers:
            return [frame]
        frames = []
        if all(
            attribute in kept or any(not isinstance(v, Unknown) for v in self.evaluate(
                ir.Attr(ir.Self(qualname) if instance else ir.ClsRef(qualname), attribute),
                frame,
            ))
            for attribute in attributes
        ):
            frames.append(frame)
        frames.extend(
            Frame(frame.module, frame.loops, frame.params, {**frame.receivers, qualname: receiver})
            for receiver in receivers
        )
        return frames

    def _from_constructor(self, cls: ClassV, attr: str) -> bool:
        """Whether `self.<attr>` of the class is what its constructor is given (`self.table =
        table` in an `__init__` of it or of a base): then the class itself may be made with
        any table, and is read for itself too, its table unknown, besides the subclasses that
        pass one on."""
        for owner in self.mro(cls):
            found = self.class_fact(owner)
            if found is None:
                continue
            attribute = found[1].attributes.get(attr)
            if attribute is not None:
                return attribute.value is not None and any(
                    isinstance(node, ir.Param) and _last(node.function) == "__init__"
                    for node in ir.walk(attribute.value)
                )
        return False

    def _passes_on(
        self, cls: ClassV, sub: ClassV, attributes: tuple[str, ...], params: tuple[str, ...],
        frame: Frame,
    ) -> bool:
        """Whether the subclass defines a constructor of its own that gives one of the
        `attributes` (each one a constructor keeps), or one of the `params` of the class's
        own constructor, a value through its bases' constructors
        (`super().__init__("users")`). Not when every value the constructors were given is
        unknown (`super().__init__(database, db_conn, hs)`, as synapse's hundreds of stores
        pass their own parameters on): then the class itself is read the same way."""
        if not self.own_init(sub):
            return False
        receiver = self.constructed(sub)
        if all(isinstance(v, Unknown) for _, values in receiver.init for v in values):
            return False
        given = receiver.given_in(cls.module)
        if any(
            any(not isinstance(v, Unknown) for v in given.get((f"{cls.qualname}.__init__", p), ()))
            for p in params
        ):
            return True
        inside = Frame(frame.module, frame.loops, frame.params,
                       {**frame.receivers, cls.qualname: receiver})
        return any(
            any(not isinstance(v, Unknown)
                for v in self.evaluate(ir.Attr(ir.Self(cls.qualname), attribute), inside))
            for attribute in attributes
        )

    def made_apart(self, cls: ClassV) -> bool:
        """Whether every repository subclass of `cls` is made through a constructor below
        `cls` (its own, or one of a class in between): then an instance of `cls` made other
        than by calling `cls` itself is one of theirs, whose arguments
        `receiver_frames` reads. Not when a subclass inherits the constructor of `cls`
        (`class AuditRepo(Repository): pass`): it is made by its own name with any table,
        which no call of `cls` shows (the first look reads such subclasses:
        `Closure.subclasses_of`)."""
        for sub in self.subclasses(cls):
            for owner in self.mro(sub):
                if owner == cls:
                    return False
                if self.own_init(owner) is not None:
                    break
            else:
                return False  # `cls` not reached: read as made by it
        return True

    def own_init(self, cls: ClassV) -> FunctionFact | None:
        """The class's own `__init__` (a method it defines), if any."""
        found = self.class_fact(cls)
        if found is None:
            return None
        facts, fact = found
        name = fact.names.get("__init__")
        if name is None or name.kind != "function" or not name.qualname:
            return None
        return facts.functions.get(name.qualname)

    def constructed(self, cls: ClassV) -> InstanceV:
        """An instance of `cls` as its own constructor makes it, its arguments unknown: each
        `__init__` up the class's ancestry with the parameters the one below gives it
        (`super().__init__(conn, "users")`), as far as one calls the next exactly once
        (`InstanceV.init`). Kept like the attributes (`_kept`)."""
        return self._kept(self._constructed, cls, lambda: self._construct(cls))

    def _construct(
        self, cls: ClassV, call: tuple[list[Values], dict[str, Values]] | None = None
    ) -> InstanceV:
        """`constructed`, or with `call` the instance `cls(*args, **kwargs)` makes: its first
        constructor given those arguments."""
        receiver = InstanceV(cls)
        inits = [
            (owner, init) for owner in self.mro(cls)
            if (init := self.own_init(owner)) is not None
        ]
        if not inits:
            return receiver
        if call is not None:
            owner, init = inits[0]
            facts = self.index.find(owner.module)
            if facts is None:
                return receiver
            receiver = self._given(facts, owner, init, receiver, *call)
        return self._hand_up(receiver, inits)

    def _hand_up(
        self, receiver: InstanceV, inits: list[tuple[ClassV, FunctionFact]]
    ) -> InstanceV:
        """`receiver` given, besides, what each constructor of `inits` (up the ancestry, the
        first already given its arguments) hands its base's through its one
        `super().__init__(...)` call, as far as each makes exactly one."""
        for (owner, init), (upper, upper_init) in itertools.pairwise(inits):
            facts = self.index.find(owner.module)
            upper_facts = self.index.find(upper.module)
            if facts is None or upper_facts is None or "super" in facts.names:
                break
            call_up = self.super_init(facts, init.qualname)
            if call_up is None:
                break
            here = Frame(
                facts, params=receiver.given_in(facts.module), receivers={owner.qualname: receiver}
            )
            args = [self.evaluate(a, here) for a in call_up.args]
            kwargs = {k: self.evaluate(v, here) for k, v in call_up.kwargs}
            receiver = self._given(upper_facts, upper, upper_init, receiver, args, kwargs)
        return receiver

    def _handed_up_from(self, receiver: InstanceV, module: str, init: str) -> InstanceV:
        """`receiver`, its constructor `init` (of `module`) bound, given what that
        constructor and each above it hand their base's (`_hand_up`)."""
        inits = [
            (cls, own) for cls in self.mro(receiver.cls)
            if (own := self.own_init(cls)) is not None
        ]
        start = next((
            index for index, (cls, own) in enumerate(inits)
            if cls.module == module and own.qualname == init
        ), None)
        if start is None or start + 1 >= len(inits):
            return receiver
        return self._hand_up(receiver, inits[start:])

    def super_init(self, facts: PythonFacts, init: str) -> CallFact | None:
        """The one `super().__init__(...)` call of the constructor `init` of `facts`, None
        when it makes none, several (in two branches) or one with `*args` (its arguments'
        places unknown). Kept per module: every construction of a class asks it again."""
        key = (facts.module, init)
        if key not in self._super_inits:
            calls = [
                c for c in facts.calls
                if c.function == init and ir.calls_super_init(c.func)
            ]
            self._super_inits[key] = (
                calls[0] if len(calls) == 1
                and not any(isinstance(a, ir.Starred) for a in calls[0].args)
                else None
            )
        return self._super_inits[key]

    def _given(
        self, facts: PythonFacts, owner: ClassV, init: FunctionFact, receiver: InstanceV,
        args: list[Values], kwargs: dict[str, Values],
    ) -> InstanceV:
        """`receiver` holding what `owner`'s `__init__` is given besides (`bind`)."""
        made = FunctionV(owner.module, init.qualname, receiver)
        frame = self.bind(facts, init, made, args, kwargs, hand_up=False)
        bound = frame.receivers.get(owner.qualname)
        return bound if isinstance(bound, InstanceV) else receiver

    def subclasses(self, cls: ClassV) -> list[ClassV]:
        """Every repository subclass of `cls`, to any depth, in module and class order. The
        map is built once per evaluator (its index is fixed); every question still asks the
        index for its modules, which a recording index notes (the answer depends on them
        all: `CodeSqlResolver.find_helpers`)."""
        modules = self.index.modules()
        if self._subclasses is None:
            direct: dict[ClassV, list[ClassV]] = {}
            for facts in sorted(modules, key=lambda f: f.path):
                for qualname in facts.classes:
                    if "." in qualname:
                        continue  # module-level classes (what the first look's bases hold)
                    child = ClassV(facts.module, qualname)
                    for base in self.bases(child):
                        if isinstance(base, ClassV) and child not in direct.get(base, ()):
                            direct.setdefault(base, []).append(child)
            self._subclasses = direct
        # (no cap: the pre-filter reads only the subclasses that matter, and a cap would cut
        # a longer list elsewhere than the full one)
        order: list[ClassV] = []
        seen = {cls}
        stack = list(self._subclasses.get(cls, ()))
        while stack:
            current = stack.pop(0)
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            stack.extend(self._subclasses.get(current, ()))
        self.index.answered_subclasses(cls, tuple(order))
        return order

    def _lookup_attribute(self, cls: ClassV, attr: str, receiver: Value) -> Values:
        for owner in self.mro(cls):
            found = self.class_fact(owner)
            if found is None:
                continue
            facts, fact = found
            name_fact = fact.names.get(attr)
            if name_fact is not None:
                return self._member(facts, owner, name_fact, receiver)
            if isinstance(receiver, InstanceV):
                attribute = fact.attributes.get(attr)
                if attribute is not None:
                    frame = Frame(
                        facts, params=receiver.given_in(facts.module),
                        receivers={owner.qualname: receiver},
                    )
                    if attribute.kind == "value" and attribute.value is not None:
                        return self._eval(attribute.value, frame)
                    if attribute.annotation is not None:
                        return self.annotated(attribute.annotation, frame)
                    return (Unknown(attribute.why or f"`self.{attr}` has no single value"),)
        return (Unknown(f"`{attr}` is not an attribute of {cls.qualname} that can be read"),)

    def _member(self, facts: PythonFacts, owner: ClassV, fact: NameFact, receiver: Value) -> Values:
        if fact.kind == "function" and fact.qualname:
            function = facts.functions.get(fact.qualname)
            decorators = (
                {d.rsplit(".", 1)[-1] for d in function.decorators} if function else set()
            )
            if decorators & PROPERTY_DECORATORS and isinstance(receiver, InstanceV | ClassV):
                return self._call_function(FunctionV(facts.module, fact.qualname, receiver), [], {})
            bound = None if "staticmethod" in decorators else receiver
            return (FunctionV(facts.module, fact.qualname, bound),)
        frame = Frame(facts, receivers={owner.qualname: receiver})
        if fact.kind == "value" and fact.value is not None:
            return self._eval(fact.value, frame)
        return self._name_fact(facts, fact, owner.qualname)

    def _path_attribute(self, path: str, attr: str) -> Values:
        if attr == "parent":
            return (PathV(posixpath.dirname(path)),)
        if attr == "parents":
            ancestors: list[Value] = []
            current = path
            while current not in ("", "."):
                current = posixpath.dirname(current)
                ancestors.append(PathV(current or "."))
            return (SeqV("tuple", tuple(ancestors)),)
        if attr == "name":
            return (StrV(posixpath.basename(path)),)
        if attr == "stem":
            return (StrV(posixpath.splitext(posixpath.basename(path))[0]),)
        return (MethodV(PathV(path), attr),)

    # ---- calls -----------------------------------------------------------------------------

    def _entered(self, value: ir.Expr, frame: Frame) -> Values:
        """What `with value as x` binds: a file or batch as it is; what a `@contextmanager`
        function of the repository yields (`with self.connect() as conn`, the connection it
        made); what the `__enter__` / `__aenter__` of a repository class returns for its
        instance (`return self`). Anything else is unknown."""
        entered: list[Value] = []
        made: list[Value] = []
        if isinstance(value, ir.Call) and not value.unpacked:
            args = [self._eval(a, frame) for a in value.args]
            kwargs = {k: self._eval(v, frame) for k, v in value.kwargs}
            starred = [isinstance(a, ir.Starred) for a in value.args]
            for func in self._eval(value.func, frame):
                context = self._context_function(func)
                if context is not None:
                    entered.extend(self._run_function(func, *context, args, kwargs))  # type: ignore[arg-type]
                else:
                    made.extend(self.call(func, args, kwargs, starred=starred))
        else:
            made.extend(self._eval(value, frame))
        for item in made:
            if isinstance(item, FileV | BatchV):
                entered.append(item)
                continue
            enter = self._enter_method(item)
            if enter is not None:
                entered.extend(self.call(enter, [], {}))
            else:
                entered.append(Unknown(f"the value `with {self.render(value)} as ...` enters"))
        return self._cap(entered)

    def _context_function(self, func: Value) -> tuple[PythonFacts, FunctionFact] | None:
        """The module and facts of a `@contextmanager` function of the repository decorated
        with nothing else that may change it; None for any other value."""
        if not isinstance(func, FunctionV):
            return None
        found = self.readable_function(func, also=CONTEXT_MANAGER_DECORATORS)
        if isinstance(found, str) or len(
            {d.rsplit(".", 1)[-1] for d in found[1].decorators} & CONTEXT_MANAGER_DECORATORS
        ) != 1:
            return None
        return found

    def _enter_method(self, item: Value) -> FunctionV | None:
        """The `__enter__` (else `__aenter__`) of a repository class, bound to its instance;
        None when the value is no such instance or its class defines neither."""
        if not isinstance(item, InstanceV):
            return None
        for name in ("__enter__", "__aenter__"):
            for method in self.attribute(item, name):
                if isinstance(method, FunctionV):
                    return method
        return None

    def _call(self, node: ir.Call, frame: Frame) -> Values:
        funcs = self._eval(node.func, frame)
        args = [self._eval(a, frame) for a in node.args]
        kwargs = {k: self._eval(v, frame) for k, v in node.kwargs}
        starred = [isinstance(a, ir.Starred) for a in node.args]
        out: list[Value] = []
        for func in funcs:
            out.extend(self.call(func, args, kwargs, starred=starred, unpacked=node.unpacked))
        return self._cap(out)

    def call(
        self,
        func: Value,
        args: list[Values],
        kwargs: dict[str, Values],
        *,
        starred: list[bool] | None = None,
        unpacked: bool = False,
    ) -> Values:
        """The values `func(*args, **kwargs)` may return."""
        match func:
            case FunctionV():
                if unpacked:
                    return (Unknown(f"{func.qualname}() is called with *args/**kwargs"),)
                return self._call_function(func, args, kwargs)
            case ClassV():
                if unpacked or (starred and any(starred)):
                    return (InstanceV(func),)
                return (self._construct(func, (args, kwargs)),)
            case MethodV(receiver, name):
                return self._method(receiver, name, args, kwargs)
            case ExternalV(path):
                return self._external(path, *_spread(args, kwargs, starred))
            case PartialV(inner, given, named):
                return self.call(
                    inner, [*given, *args], {**dict(named), **kwargs},
                    starred=[False] * len(given) + (starred or [False] * len(args)),
                    unpacked=unpacked,
                )
            case Unknown():
                return (func,)
        return (Unknown(f"calling {describe(func)}"),)

    def readable_function(
        self, func: FunctionV, also: frozenset[str] = frozenset()
    ) -> tuple[PythonFacts, FunctionFact] | str:
        """The module and facts of a function whose body a call may be read through, or why
        not (not read, or decorated with something that may change what it returns);
        `also`: more decorators the caller reads through itself (`@contextmanager`)."""
        facts = self.index.find(func.module)
        fact = facts.functions.get(func.qualname) if facts is not None else None
        if facts is None or fact is None:
            return f"{func.qualname}() is not a function that can be read"
        decorators = {d.rsplit(".", 1)[-1] for d in fact.decorators}
        unknown = sorted(decorators - TRANSPARENT_DECORATORS - also)
        if unknown:
            return f"{func.qualname}() is decorated with @{unknown[0]}"
        return facts, fact

    def _call_function(
        self, func: FunctionV, args: list[Values], kwargs: dict[str, Values]
    ) -> Values:
        found = self.readable_function(func)
        if isinstance(found, str):
            return (Unknown(found),)
        return self._run_function(func, *found, args, kwargs)

    def _run_function(
        self, func: FunctionV, facts: PythonFacts, fact: FunctionFact, args: list[Values],
        kwargs: dict[str, Values],
    ) -> Values:
        """What the function's body returns for a call with `args` and `kwargs`."""
        if not fact.returns:
            return (Unknown(f"{func.qualname}() returns nothing that can be read"),)
        if len(self._stack) > MAX_DEPTH - 4 or self._calls >= MAX_CALL_DEPTH:
            return (Unknown(f"{func.qualname}() is called too deep to follow"),)
        frame = self.bind(facts, fact, func, args, kwargs)
        self._calls += 1
        try:
            return self._guarded(
                ("call", func.module, func.qualname, tuple(sorted(frame.params.items(), key=str))),
                lambda: self._cap(
                    v for r in self.live_returns(fact, frame) for v in self._eval(r, frame)
                ),
                f"{func.qualname}() calls itself",
            )
        finally:
            self._calls -= 1

    def live_returns(self, fact: FunctionFact, frame: Frame) -> tuple[ir.Expr, ...]:
        """The function's return values a call bound in `frame` may give: not those under an
        `if` whose test is known to go the other way (`if not self.joins: return ""` when
        the call gave joins). All of them when none is left (a call the code never makes)."""
        if not fact.return_guards:
            return fact.returns
        truths: dict[ir.Expr, bool | None] = {}  # each test once (returns share their ifs)

        def truth(test: ir.Expr) -> bool | None:
            if test not in truths:
                # a test of what a call returns (`if not resp.text`, `resp` what
                # `cls.call_url(...)` gives) is not decided here: following it at every
                # return of every call made while following it grew without bound
                truths[test] = None if any(
                    isinstance(node, ir.Call) for node in ir.walk(test)
                ) else _truth(self._one(test, frame))
            return truths[test]

        live = tuple(
            value for value, guards in zip(fact.returns, fact.return_guards, strict=True)
            if not any(truth(test) is (not holds) for test, holds in guards)
        )
        return live or fact.returns

    def call_returns(
        self, func: FunctionV, call: ir.Call | CallFact, frame: Frame
    ) -> tuple[Frame, tuple[ir.Expr, ...]] | None:
        """What a call of the repository's function made in `frame` may return: the frame
        its body runs in for the call (`bind_call`) and the return values the call leaves
        possible (`live_returns`); None for a function whose body cannot be read."""
        found = self.readable_function(func)
        if isinstance(found, str):
            return None
        facts, fact = found
        callee = self.bind_call(facts, fact, func, call, frame)
        return callee, self.live_returns(fact, callee)

    def calls_of(
        self, modules: Iterable[PythonFacts], functions: Collection[tuple[str, str]]
    ) -> Iterator[tuple[PythonFacts, CallFact, FunctionFact, Frame]]:
        """Each call in `modules` of one of `functions` ((module, qualified name) of the
        repository's functions whose body can be read), with the frame that body runs in for
        the call (`bind_call`): how a helper taking a model or a table as its parameter is
        read at each of its calls (the ORM's `_parameter_uses`, Django's `parameter_uses`)."""
        names = {qualname.rsplit(".", 1)[-1] for _, qualname in functions}
        for facts in modules:
            for call in facts.calls:
                if ir.called_name(call.func) not in names:
                    continue
                frame = Frame(facts)
                for value in self.evaluate(call.func, frame):
                    if not isinstance(value, FunctionV) or (
                        (value.module, value.qualname) not in functions
                    ):
                        continue
                    found = self.readable_function(value)
                    if isinstance(found, str):
                        continue
                    helper_facts, fact = found
                    yield facts, call, fact, self.bind_call(helper_facts, fact, value, call, frame)

    def bind_call(
        self, facts: PythonFacts, fact: FunctionFact, func: FunctionV,
        call: ir.Call | CallFact | MigrationStep, frame: Frame,
    ) -> Frame:
        """The frame the function's body runs in for `call` made in `frame`: its arguments
        evaluated there and bound to the parameters (`bind`)."""
        args = [self.evaluate(a, frame) for a in call.args]
        kwargs = {k: self.evaluate(v, frame) for k, v in call.kwargs}
        return self.bind(facts, fact, func, args, kwargs)

    def bind(
        self,
        facts: PythonFacts,
        fact: FunctionFact,
        func: FunctionV,
        args: list[Values],
        kwargs: dict[str, Values],
        hand_up: bool = True,
    ) -> Frame:
        """A frame for the function's body with its parameters bound to the arguments. A
        constructor's instance holds them, and (`hand_up`) what the constructor hands its
        base's (`_hand_up`; not when the caller walks the ancestry itself)."""
        params = call_params(fact, func)
        receivers: dict[str, Value] = {}
        bound: dict[tuple[str, str], Values] = {}
        owner, _, last = fact.qualname.rpartition(".")
        receiver = func.receiver if fact.receiver is not None and fact.params else None
        positional = [p for p in params if p.kind == "positional"]
        for param, values in zip(positional, args, strict=False):
            bound[(fact.qualname, param.name)] = values
        extra = args[len(positional):]
        for param in params:
            if param.kind == "varargs":
                bound[(fact.qualname, param.name)] = (
                    SeqV("tuple", tuple(v[0] if len(v) == 1 else Unknown() for v in extra)),
                )
        for name, values in kwargs.items():
            if any(p.name == name for p in params):
                bound[(fact.qualname, name)] = values
        for param in params:
            if param.kind == "varkw" and "**" not in kwargs:
                # the keywords no parameter takes (`def Table(*args, **kwargs)` handing them
                # on to `sa.Table`: `Table("t", md, schema="audit")`)
                named = {p.name for p in params if p.kind in ("positional", "keyword")}
                bound[(fact.qualname, param.name)] = (
                    MapV(tuple(
                        (StrV(name), values[0] if len(values) == 1 else Unknown())
                        for name, values in kwargs.items() if name not in named
                    )),
                )
        for param in params:
            key = (fact.qualname, param.name)
            if key not in bound and param.default is not None:
                bound[key] = self._eval(param.default, Frame(facts))
        if receiver is not None:
            if last == "__init__" and isinstance(receiver, InstanceV):
                # the instance being made holds what its constructor is given (`self.table
                # = table`: `InstanceV.init`)
                given = dict(receiver.init)
                given.update(((facts.module, f, n), v) for (f, n), v in bound.items())
                receiver = InstanceV(receiver.cls, tuple(sorted(given.items(), key=_first)))
                if hand_up:
                    # and what it hands up to its base's (`super().__init__(table_name)`,
                    # the base keeping `self.table_name`)
                    receiver = self._handed_up_from(receiver, facts.module, fact.qualname)
            bound[(fact.qualname, fact.params[0].name)] = (receiver,)
            receivers[owner] = receiver
        return Frame(facts, {}, bound, receivers)

    def _returns_type(self, func: FunctionV) -> Values:
        """What a provider function gives: its return annotation's class, else its returns."""
        facts = self.index.find(func.module)
        fact = facts.functions.get(func.qualname) if facts is not None else None
        if facts is None or fact is None:
            return (Unknown(f"{func.qualname}() cannot be read"),)
        if fact.return_annotation is not None:
            typed = self.annotated(fact.return_annotation, Frame(facts))
            if any(not isinstance(v, Unknown) for v in typed):
                return typed
        return self._call_function(func, [], {})

    def annotated(self, annotation: ir.Expr, frame: Frame) -> Values:
        """Instances of the classes an annotation names: `Database`, `"Database"`,
        `Database | None`, `Optional[Database]`, `Union[A, B]`, `Annotated[Database, ...]`."""
        return self._instances(tuple(self._annotation_types(annotation, frame, 0)))

    def _annotation_types(self, node: ir.Expr, frame: Frame, depth: int) -> list[Value]:
        if depth > 8:
            return [Unknown("an annotation nested too deeply")]
        if isinstance(node, ir.Str):
            self.note_texts(node)
            text = node.value.strip()
            if re.fullmatch(r"[A-Za-z_][\w.]*", text):
                head, *rest = text.split(".")
                dotted: ir.Expr = ir.Global(head)
                for part in rest:
                    dotted = ir.Attr(dotted, part)
                return list(self._eval(dotted, frame))
            return [Unknown(f"a string annotation {text!r}")]
        if isinstance(node, ir.BinOp) and node.op == "|":
            return [
                *self._annotation_types(node.left, frame, depth + 1),
                *self._annotation_types(node.right, frame, depth + 1),
            ]
        if isinstance(node, ir.Subscript):
            wrapper = self._eval(node.value, frame)
            names = {v.path.rsplit(".", 1)[-1] for v in wrapper if isinstance(v, ExternalV)}
            items = node.index.items if isinstance(node.index, ir.Seq) else (node.index,)
            if names & {"Optional", "Union"}:
                return [t for item in items for t in self._annotation_types(item, frame, depth + 1)]
            if names & {"Annotated", "Final", "ClassVar"}:
                return self._annotation_types(items[0], frame, depth + 1)
            return [Unknown(f"annotated as `{self.render(node)}`")]
        return list(self._eval(node, frame))

    def _instances(self, types: Values) -> Values:
        """Values of an annotation: `Database`, `Database | None`, `Optional[Database]`."""
        out: list[Value] = []
        for value in types:
            if isinstance(value, ClassV):
                out.append(InstanceV(value))
            elif isinstance(value, StrV):
                out.append(Unknown(f"a string annotation {value.value!r}"))
            elif not isinstance(value, ConstV):
                out.append(value if isinstance(value, Unknown) else Unknown(
                    f"annotated as {describe(value)}"
                ))
        return tuple(out) or (Unknown("no class in the annotation"),)

    # ---- methods of known values -----------------------------------------------------------

    def _method(
        self, receiver: Value, name: str, args: list[Values], kwargs: dict[str, Values]
    ) -> Values:
        if isinstance(receiver, StrV) and name in STR_METHODS:
            return self._str_method(receiver.value, name, args, kwargs)
        if isinstance(receiver, StrV) and name in TEXT_CLAUSE_METHODS:
            return (receiver,)  # `text(sql).bindparams(x=1)` runs the same SQL
        if isinstance(receiver, RegexV) and name == "sub" and len(args) >= 2:
            return self._sub(receiver.pattern, receiver.flags, args[0], args[1])
        if isinstance(receiver, RegexV) and name == "split" and args:
            return self._split((StrV(receiver.pattern),), args[0], receiver.flags)
        if isinstance(receiver, MapV) and name in ("items", "keys", "values"):
            if name == "items":
                pairs = tuple(SeqV("tuple", (k, v)) for k, v in receiver.items)
                return (SeqV("list", pairs),)
            index = 0 if name == "keys" else 1
            return (SeqV("list", tuple(pair[index] for pair in receiver.items)),)
        if isinstance(receiver, MapV) and name == "get" and args:
            return self._cap(self._subscript(receiver, key) for key in args[0])
        if isinstance(receiver, FileV) and name == "read" and receiver.kind == "handle":
            return (FileV(receiver.path, "text"),)
        if isinstance(receiver, FileV) and name == "decode" and receiver.kind == "text":
            return (receiver,)
        if isinstance(receiver, PathV):
            return self._path_method(receiver.path, name, args)
        return (Unknown(f"`.{name}()` of {describe(receiver)}"),)

    def _psycopg_sql(self, name: str, args: list[Values]) -> Values:
        """psycopg's `sql` composables as the text they render: `SQL(text)` is its text,
        whose `{name}` fields `.format()` fills; `Identifier("s", "t")` is `s.t`;
        `Literal(v)` and `Placeholder()` stand in a value's place."""
        if name == "SQL" and len(args) == 1:
            return args[0]
        if name == "Identifier" and args:
            if len(args) == 1:
                return args[0]
            # each part may have alternatives (`Identifier("popularity", prefix + entity)`,
            # the prefix `"mlhd_" if is_mlhd else ""`): one name per combination
            if all(values and all(isinstance(v, StrV) for v in values) for values in args):
                return self._cap(
                    StrV(".".join(v.value for v in parts))  # type: ignore[union-attr]
                    for parts in itertools.product(*args)
                )
            return (Unknown("an Identifier() of names that are not all known"),)
        if name in ("Literal", "Placeholder"):
            return (StrV("%s"),)
        return (Unknown(f"psycopg's sql.{name}()"),)

    def _split(self, patterns: Values, texts: Values, flags: int) -> Values:
        """`re.split(literal, known)`: the list of pieces (None for unmatched groups)."""
        out: list[Value] = []
        for pattern in patterns:
            for text in texts:
                if not isinstance(pattern, StrV):
                    out.append(Unknown("re.split() with a pattern that is not a literal"))
                elif not isinstance(text, StrV) or len(text.value) > MAX_TEXT:
                    out.append(Unknown("re.split() of a value that is not a known string"))
                else:
                    try:
                        pieces = re.split(pattern.value, text.value, flags=flags)
                    except re.error as exc:
                        out.append(Unknown(f"re.split() fails: {exc}"))
                        continue
                    out.append(
                        SeqV(
                            "list",
                            tuple(StrV(p) if p is not None else ConstV(None) for p in pieces),
                        )
                    )
        return self._cap(out)

    def _str_method(
        self, text: str, name: str, args: list[Values], kwargs: dict[str, Values]
    ) -> Values:
        if name == "join":
            if len(args) != 1:
                return (Unknown("str.join() without one argument"),)
            out: list[Value] = []
            for seq in args[0]:
                if isinstance(seq, Unknown):
                    out.append(seq)
                    continue
                items = seq.items if isinstance(seq, SeqV) else None
                strings = [i.value for i in items or () if isinstance(i, StrV)]
                if items is None or len(strings) != len(items):
                    out.append(Unknown("joining values that are not all known strings"))
                else:
                    out.append(StrV(text.join(strings)))
            return self._cap(out)
        if name == "format":
            return self._format(text, args, kwargs)
        string_args = self._string_products(args)
        if string_args is None:
            return (Unknown(f"str.{name}() with an argument that is not a known string"),)
        results: list[Value] = []
        for combination in string_args:
            try:
                result = getattr(text, name)(*combination)
            except (TypeError, ValueError):
                results.append(Unknown(f"str.{name}() with these arguments fails"))
                continue
            results.append(StrV(result) if isinstance(result, str) else Unknown(name))
        return self._cap(results)

    def _string_products(self, args: list[Values]) -> list[tuple[str | int, ...]] | None:
        options: list[list[str | int]] = []
        for values in args:
            choices: list[str | int] = []
            for value in values:
                if isinstance(value, StrV) or (
                    isinstance(value, ConstV) and isinstance(value.value, int)
                ):
                    choices.append(value.value)
                else:
                    return None
            options.append(choices)
        products = list(itertools.islice(itertools.product(*options), MAX_ALTERNATIVES))
        return products

    def _format(self, text: str, args: list[Values], kwargs: dict[str, Values]) -> Values:
        positional = self._string_products(args)
        keyword_names = list(kwargs)
        keyword = self._string_products([kwargs[k] for k in keyword_names])
        if positional is None or keyword is None:
            return (Unknown("str.format() with a value that is not a known string"),)
        out: list[Value] = []
        for pos in positional:
            for kw in keyword:
                try:
                    result = text.format(*pos, **dict(zip(keyword_names, kw, strict=True)))
                except (IndexError, KeyError, ValueError, AttributeError):
                    out.append(Unknown("str.format() fields do not match its arguments"))
                    continue
                out.append(StrV(result))
        return self._cap(out)

    def _sub(self, pattern: str, flags: int, replacement: Values, target: Values) -> Values:
        out: list[Value] = []
        for repl in replacement:
            for value in target:
                if not isinstance(repl, StrV) or not isinstance(value, StrV):
                    out.append(Unknown("re.sub() on a value that is not a known string"))
                    continue
                if len(pattern) > 500 or len(value.value) > 1000:
                    out.append(Unknown("re.sub() on a text too long to evaluate"))
                    continue
                try:
                    out.append(StrV(re.sub(pattern, repl.value, value.value, flags=flags)))
                except (re.error, IndexError) as exc:
                    out.append(Unknown(f"re.sub() fails: {exc}"))
        return self._cap(out)

    @staticmethod
    def _resequenced(kind: str, value: Value) -> Value:
        """`sorted(v)`, `list(v)`, `tuple(v)` or `reversed(v)` of one known value (strings
        sorted as Python sorts them; other items only kept in their order, or reversed)."""
        if isinstance(value, Unknown):
            return value
        if not isinstance(value, SeqV):
            return Unknown(f"{kind}() of {describe(value)}")
        items = value.items
        if kind == "sorted":
            if not all(isinstance(item, StrV) for item in items):
                return Unknown("sorted() of values that are not all known strings")
            items = tuple(sorted(items, key=lambda item: item.value))  # type: ignore[attr-defined]
        elif kind == "reversed":
            items = items[::-1]  # (an iterator Python gives: iterated as a list)
        return SeqV("tuple" if kind == "tuple" else "list", items)

    # ---- external callables ----------------------------------------------------------------

    def _external(
        self, path: str, args: list[Values], kwargs: dict[str, Values]
    ) -> Values:
        last = path.rsplit(".", 1)[-1]
        if path == "functools.partial" and args:
            # `register = partial(admin.register, site=site)`: a call of the function with
            # these arguments first
            given = tuple(args[1:])
            named = tuple(sorted(kwargs.items()))
            return self._cap(PartialV(func, given, named) for func in args[0])
        if last in DJANGO_MODEL_LOOKUPS and (
            path.startswith("django.apps") or path in MODEL_LOADERS
        ):
            return self._model_lookup(args)
        if path in TEXT_FUNCTIONS and len(args) == 1:
            # `op.execute(textwrap.dedent("""CREATE TABLE ..."""))`: the text, dedented
            function = TEXT_FUNCTIONS[path]
            return self._cap(
                StrV(function(v.value)) if isinstance(v, StrV)
                else Unknown(f"{path}() of a value that is not a known string")
                for v in args[0]
            )
        if path in ("builtins.str", "str") and len(args) == 1:
            return self._cap(v for v in args[0] if isinstance(v, StrV)) if all(
                isinstance(v, StrV) for v in args[0]
            ) else (Unknown("str() of a value that is not a known string"),)
        if last in ("sorted", "list", "tuple", "reversed") and (
            path in (last, f"builtins.{last}") and len(args) == 1 and not kwargs
        ):
            # `tables = sorted(self.tables)`, `list(names)`, `reversed(VERSIONS)`: a known
            # sequence, in its new order
            return self._cap(self._resequenced(last, v) for v in args[0])
        if path in ("re.sub",) and len(args) >= 3:
            out: list[Value] = []
            for pattern in args[0]:
                if isinstance(pattern, StrV):
                    out.extend(self._sub(pattern.value, self._flags(kwargs), args[1], args[2]))
                else:
                    out.append(Unknown("re.sub() with a pattern that is not a literal"))
            return self._cap(out)
        if path == "re.split" and len(args) >= 2:
            return self._split(args[0], args[1], self._flags(kwargs, args[3:]))
        if path == "re.compile" and args:
            return self._cap(
                RegexV(p.value, self._flags(kwargs, args[1:]))
                if isinstance(p, StrV)
                else Unknown("re.compile() of a pattern that is not a literal")
                for p in args[0]
            )
        if path in ("builtins.open", "io.open", "codecs.open") and args:
            return self._cap(
                FileV(p.path) if isinstance(p, PathV) else FileV(p.value)
                if isinstance(p, StrV) else Unknown("open() of a path that is not known")
                for p in args[0]
            )
        if path in ("os.path.join", "posixpath.join") or path.endswith("path.join"):
            return self._join(args)
        if path in ("os.path.dirname", "posixpath.dirname") and args:
            return self._paths(args[0], posixpath.dirname)
        if path.startswith(("os.path.", "posixpath.")) and last in (
            "abspath", "realpath", "normpath"
        ) and args:
            return self._paths(args[0], posixpath.normpath)
        if last in ("Path", "PurePath", "PosixPath", "PurePosixPath") and path.startswith(
            "pathlib"
        ):
            if not args:
                return (PathV("."),)
            return tuple(
                PathV(posixpath.normpath(v.value)) if isinstance(v, StrV) else v
                for v in self._join(args)
            )
        if path in ("os.fspath", "builtins.str") and args:
            return args[0]
        if path in ("typing.cast",) and len(args) == 2:
            return args[1]
        if last in ("text", "DDL") and path.startswith("sqlalchemy") and args:
            return args[0]  # the SQL a text() / DDL() object runs
        if path.startswith(PSYCOPG_SQL):
            return self._psycopg_sql(last, args)
        if (last in TABLE_FACTORIES or path.endswith("op.create_table")) and (
            args or "table_name" in kwargs
        ):
            return self._table(args[0] if args else kwargs["table_name"], kwargs.get("schema"))
        if path.endswith("op.batch_alter_table") and (args or "table_name" in kwargs):
            names = args[0] if args else kwargs["table_name"]
            schemas = kwargs.get("schema")
            return tuple(
                BatchV(name, schemas[0] if schemas and len(schemas) == 1 else None)
                for name in names
            )
        return (ExternalResultV(path),)

    def _model_lookup(self, args: list[Values]) -> Values:
        """`apps.get_model("catalogue", "Product")` / `apps.get_model("catalogue.Product")`:
        the model of each known label and name (the label "" when only the name is known)."""
        if len(args) == 1:
            pairs = [
                tuple(v.value.split(".", 1)) for v in args[0]
                if isinstance(v, StrV) and v.value.count(".") == 1
            ]
        elif len(args) >= 2:
            # a label not known (a wrapper that may rename it) keeps the name: "" for the label
            labels = [v.value if isinstance(v, StrV) else "" for v in args[0]]
            pairs = [
                (label, name.value) for label in dict.fromkeys(labels) for name in args[1]
                if isinstance(name, StrV)
            ]
        else:
            pairs = []
        if not pairs:
            return (Unknown("a model looked up by a label or name that is not known"),)
        return self._cap(ModelLookupV(label, name) for label, name in pairs)

    @staticmethod
    def _flags(kwargs: dict[str, Values], extra: list[Values] | None = None) -> int:
        values = kwargs.get("flags") or (extra[0] if extra else None)
        if values and len(values) == 1 and isinstance(values[0], ConstV):
            flag = values[0].value
            return flag if isinstance(flag, int) else 0
        return 0

    @staticmethod
    def _table(names: Values, schemas: Values | None) -> Values:
        schema = None
        if schemas and len(schemas) == 1 and isinstance(schemas[0], StrV):
            schema = schemas[0].value
        return tuple(
            TableV(value.value, schema)
            if isinstance(value, StrV)
            else Unknown("a Table whose name is not a known string")
            for value in names
        )

    def _join(self, args: list[Values]) -> Values:
        out: list[Value] = []
        options = []
        for values in args:
            choices = []
            for value in values:
                if isinstance(value, PathV | StrV):
                    choices.append(value)
                else:
                    return (Unknown("a path joined from a value that is not known"),)
            options.append(choices)
        for combination in itertools.islice(itertools.product(*options), MAX_ALTERNATIVES):
            path = ""
            anchored = False
            for part in combination:
                if isinstance(part, PathV):
                    path, anchored = part.path, True
                else:
                    path = posixpath.join(path, part.value) if path else part.value
            out.append(PathV(posixpath.normpath(path)) if anchored else StrV(path))
        return self._cap(out)

    @staticmethod
    def _paths(values: Values, change: Callable[[str], str]) -> Values:
        return tuple(
            PathV(change(v.path)) if isinstance(v, PathV) else Unknown("a path that is not known")
            for v in values
        )

    def _path_method(self, path: str, name: str, args: list[Values]) -> Values:
        if name in ("read_text", "read_bytes"):
            return (FileV(path, "text"),)
        if name in ("resolve", "absolute", "expanduser"):
            return (PathV(path),)
        if name == "open":
            return (FileV(path),)
        if name == "joinpath" and args:
            return self._join([(PathV(path),), *args])
        if name in ("with_name", "with_suffix") and args:
            strings = [v for v in args[0] if isinstance(v, StrV)]
            if len(strings) != len(args[0]):
                return (Unknown(f"Path.{name}() of a value that is not known"),)
            out: list[Value] = []
            for value in strings:
                if name == "with_name":
                    out.append(PathV(posixpath.join(posixpath.dirname(path), value.value)))
                else:
                    out.append(PathV(posixpath.splitext(path)[0] + value.value))
            return self._cap(out)
        return (Unknown(f"Path.{name}()"),)

    # ---- operators -------------------------------------------------------------------------

    def _binop(self, op: str, left: Values, right: Values) -> Values:
        out: list[Value] = []
        for a, b in itertools.islice(itertools.product(left, right), MAX_ALTERNATIVES):
            out.append(self._binary(op, a, b))
        return self._cap(out)

    def _binary(self, op: str, a: Value, b: Value) -> Value:
        if op == "*":
            repeated = _repeated(a, b) if isinstance(a, StrV | SeqV) else _repeated(b, a)
            if repeated is not None:
                return repeated
        if isinstance(a, Unknown):
            return a
        if isinstance(b, Unknown):
            return b
        if op == "+":
            if isinstance(a, StrV) and isinstance(b, StrV):
                if len(a.value) + len(b.value) > MAX_TEXT:
                    return Unknown("a string too long to build")
                return StrV(a.value + b.value)
            if isinstance(a, SeqV) and isinstance(b, SeqV):
                return SeqV(a.kind, a.items + b.items)
        if op == "%" and isinstance(a, StrV):
            arguments: object
            if isinstance(b, SeqV) and all(isinstance(i, StrV | ConstV) for i in b.items):
                arguments = tuple(getattr(i, "value", None) for i in b.items)
            elif isinstance(b, StrV | ConstV):
                arguments = b.value
            elif isinstance(b, MapV) and all(
                isinstance(k, StrV) and isinstance(v, StrV | ConstV) for k, v in b.items
            ):
                arguments = {k.value: v.value for k, v in b.items}  # type: ignore[attr-defined]
            else:
                return Unknown("`%` with a value that is not known")
            try:
                return StrV(a.value % arguments)
            except (TypeError, ValueError, KeyError):
                return Unknown("`%` formatting with arguments that do not match")
        if isinstance(a, ConstV) and isinstance(b, ConstV):
            number = _arithmetic(op, a.value, b.value)
            if number is not None:
                return ConstV(number)
        if op == "/" and isinstance(a, PathV) and isinstance(b, StrV):
            return PathV(posixpath.normpath(posixpath.join(a.path, b.value)))
        return Unknown(f"{describe(a)} {op} {describe(b)}")

    def _subscript(self, value: Value, key: Value) -> Value:
        if isinstance(value, Unknown):
            return value
        if isinstance(key, Unknown):
            return key
        if isinstance(key, SeqV) and key.kind == "slice":
            # `NAMES[:-1]`: the bounds are integer literals or None (`Translator`)
            bounds = slice(*(item.value for item in key.items))  # type: ignore[union-attr]
            if isinstance(value, SeqV):
                return SeqV(value.kind, value.items[bounds])
            if isinstance(value, StrV):
                return StrV(value.value[bounds])
            return Unknown(f"a slice of {describe(value)}")
        if isinstance(value, SeqV) and isinstance(key, ConstV) and isinstance(key.value, int):
            if -len(value.items) <= key.value < len(value.items):
                return value.items[key.value]
            return Unknown("an index past the end")
        if isinstance(value, MapV):
            for k, v in value.items:
                if k == key:
                    return v
            return Unknown(f"the dict has no key {describe(key)}")
        return Unknown(f"{describe(value)}[{describe(key)}]")

    def _fstring(self, parts: tuple[ir.Expr, ...], frame: Frame) -> Values:
        options: list[list[str]] = []
        for part in parts:
            choices: list[str] = []
            for value in self._eval(part, frame):
                if isinstance(value, StrV):
                    choices.append(value.value)
                elif isinstance(value, ConstV) and value.value is not None:
                    choices.append(str(value.value))
                else:
                    why = value.why if isinstance(value, Unknown) else describe(value)
                    return (Unknown(f"`{{{self.render(part)}}}` in an f-string: {why}"),)
            options.append(choices)
        return self._cap(
            StrV("".join(combination))
            for combination in itertools.islice(itertools.product(*options), MAX_ALTERNATIVES)
        )


def _arithmetic(op: str, a: object, b: object) -> int | None:
    """Integer arithmetic on known numbers (`8 ** 2`, `VERSION + 1`, `60 * 60`), as Python
    computes it; None for other operands, a division by zero or a result too large to be a
    part of a name."""
    if type(a) is not int or type(b) is not int:
        return None
    if op == "**" and not (0 <= b <= 64 and abs(a) <= 1024):
        return None
    operations = {
        "+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "**": lambda: a ** b,
        "//": lambda: a // b if b else None, "%": lambda: a % b if b else None,
    }
    compute = operations.get(op)
    result = compute() if compute is not None else None
    return result if result is not None and abs(result) < 10 ** 18 else None


def _undefined(name: str, where: str) -> Unknown:
    return Unknown(f"`{name}` is not defined in {where}")


def _defined(values: Values) -> bool:
    """False when the only answer is that the name is not defined there."""
    return not (
        len(values) == 1
        and isinstance(values[0], Unknown)
        and " is not defined in " in values[0].why
    )


_BUILTIN_NAMES = frozenset(
    {
        "str", "int", "float", "bool", "bytes", "list", "tuple", "dict", "set", "frozenset",
        "len", "open", "print", "repr", "type", "object", "super", "isinstance", "getattr",
        "sorted", "reversed", "enumerate", "zip", "range", "map", "filter", "min", "max",
    }
)


def _truth(value: Value) -> bool | None:
    """Python's truth of a known value (None when it is not known)."""
    if isinstance(value, StrV):
        return bool(value.value)
    if isinstance(value, ConstV):
        return bool(value.value)
    if isinstance(value, SeqV):
        return bool(value.items)
    if isinstance(value, MapV):
        return bool(value.items)
    return None


#: Standard-library functions of one string that return a string (evaluated as Python does)
#: and keep its lines where they are, so evidence lines stay exact (not `inspect.cleandoc`,
#: which drops a leading blank line).
TEXT_FUNCTIONS: dict[str, Callable[[str], str]] = {"textwrap.dedent": textwrap.dedent}

#: Django's app registry lookups of a model by label and name (`django.apps.apps`).
DJANGO_MODEL_LOOKUPS = frozenset({"get_model", "get_registered_model"})
#: Libraries' model loaders with `apps.get_model`'s arguments: django-oscar loads every model
#: with `get_model("basket", "Line")`, so that a project may fork an app and replace it.
MODEL_LOADERS = frozenset({"oscar.core.loading.get_model"})
#: Django's app registry by the paths it is imported from
DJANGO_APP_REGISTRIES = frozenset({"django.apps.apps", "django.apps.registry.apps"})


def _spread(args: list[Values], kwargs: dict[str, Values], starred: list[bool] | None
            ) -> tuple[list[Values], dict[str, Values]]:
    """A library call's arguments with `*seq` spread when `seq` is one known tuple or list, and
    `**mapping` merged when it is one known mapping with string keys: a repository's wrapper
    (`def Table(*args, **kwargs): return sa.Table(*args, **kwargs)`) hands its caller's
    arguments on. An unknown `*args` stays one unknown argument; an unknown `**kwargs` adds no
    keyword."""
    positional: list[Values] = []
    for index, values in enumerate(args):
        if starred and index < len(starred) and starred[index] and len(values) == 1 and (
            isinstance(values[0], SeqV)
        ):
            positional.extend((item,) for item in values[0].items)
        else:
            positional.append(values)
    if "**" not in kwargs:
        return positional, kwargs
    keywords = {name: values for name, values in kwargs.items() if name != "**"}
    unpacked = kwargs["**"]
    if len(unpacked) == 1 and isinstance(unpacked[0], MapV):
        for key, value in unpacked[0].items:
            if isinstance(key, StrV):
                keywords.setdefault(key.value, (value,))
    return positional, keywords


def _first(item: tuple[tuple[str, str, str], Values]) -> tuple[str, str, str]:
    return item[0]


def _last(qualname: str) -> str:
    return qualname.rpartition(".")[2]


def receiver_attributes(
    expressions: list[ir.Expr], frame: Frame
) -> dict[str, tuple[tuple[str, ...], bool, tuple[str, ...]]]:
    """Module-level class -> the attributes the expressions read as `self.x` / `cls.x`,
    whether through `self`, and the parameters of the class's constructor they read
    directly (through what the constructor assigned, `self.staging = table + "_staging"`,
    read as its value: as if through `self`), for the classes `frame` binds no receiver of."""
    found: dict[str, tuple[set[str], bool, set[str]]] = {}
    for expression in expressions:
        for node in ir.walk(expression):
            if isinstance(node, ir.Param) and _last(node.function) == "__init__":
                owner = node.function.rpartition(".")[0]
                if "." in owner or owner in frame.receivers:
                    continue
                attributes, _, params = found.setdefault(owner, (set(), False, set()))
                params.add(node.name)
                found[owner] = (attributes, True, params)
            elif isinstance(node, ir.Attr) and isinstance(node.value, ir.Self | ir.ClsRef):
                owner = node.value.cls
                if "." in owner or owner in frame.receivers:
                    continue
                attributes, instance, params = found.setdefault(owner, (set(), False, set()))
                attributes.add(node.attr)
                found[owner] = (attributes, instance or isinstance(node.value, ir.Self), params)
    return {
        owner: (tuple(sorted(attributes)), instance, tuple(sorted(params)))
        for owner, (attributes, instance, params) in found.items()
    }


def loops_read(node: ir.Expr) -> tuple[int, ...]:
    """The loops whose variables `node` reads, outer loops first (their numbers grow inward),
    for `Evaluator.iterations`."""
    return tuple(sorted({n.loop for n in ir.walk(node) if isinstance(n, ir.LoopVar)}))


def call_params(fact: FunctionFact, func: FunctionV) -> list[ParamFact]:
    """The parameters a call's arguments bind: a method's first one is its receiver when the
    function is called bound (`obj.method(x)`, `func.receiver` set), not an argument."""
    params = list(fact.params)
    if fact.receiver is not None and params and func.receiver is not None:
        return params[1:]
    return params
