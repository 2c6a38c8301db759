"""Resolve a dotted name used in a module to what it is bound to, across the repository.

`from app.models import User` may reach `app/models/user.py` through a re-export in
`app/models/__init__.py`; `import app.models as m; m.User` and relative imports too. Names that
leave the repository (`sqlalchemy.orm.DeclarativeBase`) resolve to their full external path.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.facts import (
    FunctionFact,
    ImportBinding,
    OrmBaseFactory,
    OrmClass,
    OrmTable,
    PythonFacts,
)
from analyzer.python import expr as ir
from analyzer.resolve.index import ModuleIndex, absolute_module

MAX_DEPTH = 12


@dataclass(frozen=True, slots=True)
class Symbol:
    """What a name is bound to: a class, a Table, a base factory, a module, or an external path."""

    # "class" | "table" | "factory" | "module" | "external" | "stamp" (a function of the
    # repository that stamps an Alembic database: `OrmFacts.stamping_functions`)
    kind: str
    module: PythonFacts | None
    name: str  # class/variable name, module name, or the external dotted path
    node: OrmClass | OrmTable | OrmBaseFactory | None = None
    via_star: bool = False  # found through `from x import *`: less certain
    # an attribute of a base factory (`db.Model` of `db = SQLAlchemy()`): the factory's module,
    # `node` being the factory, so that an alias (`BaseModel = db.Model`) keeps its MetaData
    origin: PythonFacts | None = None


class SymbolTable:
    def __init__(self, index: ModuleIndex) -> None:
        self._index = index
        self._classes: dict[str, dict[str, OrmClass]] = {}
        self._tables: dict[str, dict[str, OrmTable]] = {}
        self._factories: dict[str, dict[str, OrmBaseFactory]] = {}
        # per module: its first import binding of each local name, its `*` imports, and the
        # first names of its `import a.b` bindings (`_member` walked the imports for each)
        self._bindings: dict[str, tuple[dict[str, ImportBinding], list[ImportBinding],
                                        frozenset[str]]] = {}
        # (path, "Run.Label"): the class a factory function made for a class attribute
        # (`Label = make_label(__tablename__)` in `class Run`), as the mapper mapped it
        self.instances: dict[tuple[str, str], OrmClass] = {}

    def _members(
        self, facts: PythonFacts
    ) -> tuple[dict[str, OrmClass], dict[str, OrmTable], dict[str, OrmBaseFactory]]:
        if facts.path not in self._classes:
            self._classes[facts.path] = {c.name: c for c in facts.orm.classes if not c.nested}
            self._tables[facts.path] = {
                t.variable: t for t in facts.orm.tables if t.variable and t.variable != "__table__"
            }
            self._factories[facts.path] = {f.variable: f for f in facts.orm.bases}
        return self._classes[facts.path], self._tables[facts.path], self._factories[facts.path]

    def _imports(
        self, facts: PythonFacts
    ) -> tuple[dict[str, ImportBinding], list[ImportBinding], frozenset[str]]:
        found = self._bindings.get(facts.path)
        if found is None:
            first: dict[str, ImportBinding] = {}
            for binding in facts.imports:
                first.setdefault(binding.local, binding)
            stars = [binding for binding in facts.imports if binding.local == "*"]
            heads = frozenset(binding.local.split(".")[0] for binding in facts.imports)
            found = self._bindings[facts.path] = (first, stars, heads)
        return found

    def lookup(self, facts: PythonFacts, dotted: str, depth: int = 0) -> Symbol | None:
        """Resolve `dotted` as seen from module `facts`."""
        if depth > MAX_DEPTH:
            return None
        head, _, rest = dotted.partition(".")
        symbol = self._member(facts, head, depth)
        for part in rest.split(".") if rest else []:
            if symbol is None:
                return None
            symbol = self._attribute(symbol, part, depth)
        return symbol

    def choices(self, facts: PythonFacts, dotted: str, depth: int = 0) -> list[Symbol]:
        """`models.Item` where `Item` is bound in branches (`if FLAVOR == "a": Item = AItem`
        / `elif ...: Item = BItem`: `NameFact.alternatives`), which `lookup` leaves unknown:
        the symbol of each branch's name, one of which it holds at run time. Reached from
        the module itself, through `import`/`from ... import` of the module, or of the
        name."""
        if depth > MAX_DEPTH:
            return []
        head, _, rest = dotted.partition(".")
        bound = facts.names.get(head)
        if bound is not None and bound.kind == "ambiguous" and bound.alternatives:
            names = [ir.dotted_of(expr) for expr in bound.alternatives]
            found = [
                self.lookup(facts, f"{name}.{rest}" if rest else name, depth + 1)
                for name in names if name is not None
            ]
            return [symbol for symbol in found if symbol is not None]
        symbol = self._member(facts, head, depth)
        if symbol is not None and symbol.kind == "module" and symbol.module is not None:
            return self.choices(symbol.module, rest, depth + 1) if rest else []
        binding = self._imports(facts)[0].get(head)
        if symbol is None and binding is not None and binding.name is not None:
            # `from app.models import Item`: the name as that module binds it
            module = self._index.find(absolute_module(facts, binding), facts.path)
            if module is not None and module is not facts:
                inner = f"{binding.name}.{rest}" if rest else binding.name
                return self.choices(module, inner, depth + 1)
        return []

    def _attribute(self, symbol: Symbol, part: str, depth: int) -> Symbol | None:
        if symbol.kind == "module":
            if symbol.module is not None:
                inner = self._member(symbol.module, part, depth + 1, exported_only=True)
                if inner is not None:
                    return inner
            child = self._index.find(f"{symbol.name}.{part}")
            if child is not None:
                return Symbol("module", child, child.module)
            if symbol.module is None:
                return Symbol("external", None, f"{symbol.name}.{part}")
            return None
        if symbol.kind == "external":
            return Symbol("external", None, f"{symbol.name}.{part}")
        if symbol.kind == "class" and symbol.module is not None:
            # `Run.Label`, bound in the class body to what a factory function made
            made = self.instances.get((symbol.module.path, f"{symbol.name}.{part}"))
            if made is not None:
                return Symbol("class", symbol.module, f"{symbol.name}.{part}", made)
            # `Model.metadata`: a MetaData bound in the class body
            factory = self._members(symbol.module)[2].get(f"{symbol.name}.{part}")
            if factory is not None:
                return Symbol("factory", symbol.module, factory.variable, factory)
            return None
        if symbol.kind == "factory":
            # `db.Model` on a Flask-SQLAlchemy object, `Base.metadata`...
            return Symbol(
                "external", None, f"{symbol.node.kind}:{part}", symbol.node,  # type: ignore[union-attr]
                origin=symbol.module,
            )
        return None

    def _member(
        self, facts: PythonFacts, name: str, depth: int, exported_only: bool = False
    ) -> Symbol | None:
        if depth > MAX_DEPTH:  # import cycles (`from . import x` + `from .x import *`)
            return None
        classes, tables, factories = self._members(facts)
        if name in classes:
            return Symbol("class", facts, name, classes[name])
        if name in tables:
            return Symbol("table", facts, name, tables[name])
        if name in factories:
            return Symbol("factory", facts, name, factories[name])
        if name in facts.orm.stamping_functions:
            return Symbol("stamp", facts, name)
        alias = facts.orm.aliases.get(name)
        if alias:  # `BaseModel = db.Model`: what the other name is
            return self.lookup(facts, alias, depth + 1)
        bound = facts.names.get(name)
        if bound is not None and bound.kind == "value" and type(bound.value) is ir.Call:
            returned = self._returned_class(facts, bound.value, depth)
            if returned is not None:
                return returned
        first, stars, heads = self._imports(facts)
        binding = first.get(name)
        if binding is not None:
            return self._imported(facts, binding, depth)
        for binding in stars:
            module = self._index.find(absolute_module(facts, binding), facts.path)
            if module is not None and module is not facts:
                found = self._member(module, name, depth + 1, exported_only=True)
                if found is not None:
                    return Symbol(found.kind, found.module, found.name, found.node, True)
        if not exported_only and name in heads:  # `import app.models` binds `app`
            return self._module_symbol(name, facts.path)
        return None

    def factory_class(
        self, facts: PythonFacts, call: ir.Call, depth: int = 0
    ) -> tuple[Symbol, FunctionFact] | None:
        """`make_label("runs")`: a call of a repository function returning the one class it
        defines in its body, as that class, with the function (whose parameters its body
        reads: `__tablename__ = f"{table}_labels"`)."""
        dotted = ir.dotted_of(call.func)
        if dotted is None:
            return None
        prefix, _, name = dotted.rpartition(".")
        module: PythonFacts | None = facts
        if prefix:
            owner = self.lookup(facts, prefix, depth + 1)
            module = owner.module if owner is not None and owner.kind == "module" else None
        else:
            binding = self._imports(facts)[0].get(name)
            if binding is not None and binding.name is not None:
                module = self._index.find(absolute_module(facts, binding), facts.path)
                name = binding.name
        function = module.functions.get(name) if module is not None else None
        if module is None or function is None or len(function.returns) != 1:
            return None
        (returned,) = function.returns
        if type(returned) is not ir.LocalDef or returned.kind != "class":
            return None
        inner = returned.qualname.rpartition(".")[2]
        # the first class of that name after the function's `def` (two factories may each
        # define a `Tag`: mlrun's `make_tag` and `make_tag_v2`)
        found = [
            c for c in module.orm.classes if c.nested and c.name == inner and c.line > function.line
        ]
        if not found:
            return None
        return Symbol("class", module, inner, min(found, key=lambda c: c.line)), function

    def _returned_class(self, facts: PythonFacts, call: ir.Call, depth: int) -> Symbol | None:
        """`Base = db_schema.versioned_base("backlog", 3)`: a call of a repository function
        that returns the one class it defines (`@as_declarative(...) class VersionedBase`),
        as that class. Every call returns a new class object, but they are declared alike:
        a model deriving from any of them is mapped the same way."""
        found = self.factory_class(facts, call, depth)
        return found[0] if found is not None else None

    def _module_symbol(self, name: str, importer: str | None = None) -> Symbol:
        module = self._index.find(name, importer)
        return Symbol("module", module, module.module if module else name)

    def _imported(self, facts: PythonFacts, binding: ImportBinding, depth: int) -> Symbol | None:
        if depth > MAX_DEPTH:
            return None
        base = absolute_module(facts, binding)
        if binding.name is None:
            target = binding.module if binding.local == binding.module else base
            return self._module_symbol(target, facts.path)
        module = self._index.find(base, facts.path)
        if module is not None and module is not facts:
            found = self._member(module, binding.name, depth + 1, exported_only=True)
            if found is not None:
                return found
        submodule = self._index.find(f"{base}.{binding.name}", facts.path)
        if submodule is not None:
            return Symbol("module", submodule, submodule.module)
        if module is None:
            return Symbol("external", None, f"{base}.{binding.name}")
        return None
