"""Which classes are mapped to which tables, decided from declarations across modules.

A class is mapped when its bases reach a declarative base (`class Base(DeclarativeBase)`,
`Base = declarative_base()`, `db.Model` of `db = SQLAlchemy()`, SQLModel with `table=True`,
`@as_declarative`, `@registry.mapped`), resolved through imports rather than guessed from names.
Table names follow each library's rules: `__tablename__`, `__table__`, `declared_attr`,
Flask-SQLAlchemy's CamelCase -> snake_case, SQLModel's lower-cased class name; single-table
inheritance maps a subclass without a table to its parent's; abstract classes map to none.
"""

from __future__ import annotations

import ast
import re
import sys
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace

from analyzer.facts import (
    ImperativeMapping,
    OrmBaseFactory,
    OrmClass,
    OrmColumn,
    OrmTable,
    Part,
    PeeweeFieldCall,
    PeeweeFieldInit,
    PythonFacts,
)
from analyzer.orm.symbols import Symbol, SymbolTable
from analyzer.python import expr as ir
from analyzer.readers.peewee_fields import (
    MODEL_KEYWORDS,
    PEEWEE_FOREIGN_KEYS,
    PEEWEE_NO_COLUMN,
    PEEWEE_PRIMARY,
    is_peewee_field,
    peewee_key_name,
)
from analyzer.resolve.evaluate import Frame, loop_elements
from analyzer.resolve.templates import TemplateExpander
from analyzer.resolve.values import (
    ClassV,
    FunctionV,
    TableV,
    Values,
    known_strings,
    why_unknown,
)
from analyzer.sql.names import TableKey

DECLARATIVE_ROOTS = frozenset(
    {
        "sqlalchemy.orm.DeclarativeBase",
        "sqlalchemy.orm.DeclarativeBaseNoMeta",
        "sqlalchemy.orm.decl_api.DeclarativeBase",
        "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta",
    }
)
SQLMODEL_ROOTS = frozenset({"sqlmodel.SQLModel", "sqlmodel.main.SQLModel"})
SQLMODEL_METADATA = "sqlmodel"  # every `SQLModel, table=True` class shares SQLModel.metadata
MAX_OWNER_DEPTH = 6  # `declarative_base(metadata=md)` links followed at most this far
AS_DECLARATIVE = frozenset(
    {
        "sqlalchemy.orm.as_declarative",
        "sqlalchemy.orm.decl_api.as_declarative",
        "sqlalchemy.ext.declarative.as_declarative",
    }
)


#: Packages whose classes, as bases of a model, add no column: SQLAlchemy's own (declarative
#: machinery, `MappedAsDataclass`, `AsyncAttrs`) and the standard library's (`Generic`, `ABC`).
_NO_COLUMN_PACKAGES = frozenset(sys.stdlib_module_names) | {
    "sqlalchemy", "sqlmodel", "flask_sqlalchemy", "typing_extensions",
}  # fmt: skip


#: peewee's model class (`from peewee import Model`, `playhouse.signals.Model`, any
#: `playhouse.*` module re-exporting it).
PEEWEE_ROOTS = frozenset({"peewee.Model"})
#: peewee's inheritable `class Meta:` options that name or shape the table (`ModelBase`):
#: `table_name` is not among them, each model names its own table.
PEEWEE_INHERITED_META = frozenset(
    {"database", "legacy_table_names", "primary_key", "schema", "table_function", "temporary"}
)


def is_peewee_model_root(external: str) -> bool:
    """Whether an external dotted name is peewee's `Model` (imported from `peewee` or from a
    `playhouse` module: `playhouse.signals.Model`, `playhouse.sqlite_ext.Model`)."""
    return external in PEEWEE_ROOTS or (
        external.startswith("playhouse.") and external.endswith(".Model")
    )


def peewee_snake_case(name: str) -> str:
    """peewee's `make_snake_case` (`legacy_table_names = False`)."""
    first = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z0-9])([A-Z])", r"\1_\2", first).lower()


def peewee_legacy_name(name: str) -> str:
    """peewee's default table name (`legacy_table_names = True`): the lower-cased class name,
    runs of non-word characters made one underscore."""
    return re.sub(r"[^\w]+", "_", name.lower())


MAX_FIELD_CHAIN = 8  # subclasses followed from a field's class to peewee's


def _peewee_model(call: PeeweeFieldCall, inits: list[PeeweeFieldInit]) -> str | None:
    """The model a call of a `ForeignKeyField` subclass refers to, as written: with no
    `__init__` of the project on the way, peewee's (the first positional argument, `model=`,
    peewee 2's `rel_model=`); else by what the nearest `__init__` passes on (a parameter, the
    caller's `*args`, its `**kwargs`, a model of its own or a default). None when unknown:
    two project `__init__`s, an unread one, `*args` in the call."""
    keywords = dict(call.keywords)
    given = next((k for k in MODEL_KEYWORDS if k in keywords), None)
    if not inits:
        if call.arguments:
            return call.arguments[0]
        return keywords[given] if given is not None else None
    init = inits[0]
    if len(inits) > 1 or not init.readable or call.spread:
        return None
    if init.model_fixed is not None:
        return init.model_fixed
    parameter = init.model_parameter
    if parameter is not None and parameter != "*":
        index = init.parameters.index(parameter)
        if len(call.arguments) > index:
            return call.arguments[index]
        return keywords.get(parameter)
    if parameter == "*" and len(call.arguments) > len(init.parameters):
        return call.arguments[len(init.parameters)]
    if init.forwards_keywords and given is not None:
        return keywords[given]
    return init.model_default


#: Decorators (by their last part, on a `registry()`) that map a class.
_MAPPING_DECORATORS = (".mapped", ".mapped_as_dataclass")


def _may_add_columns(external: str) -> bool:
    """Whether a base from outside the repository may give a model columns: a mixin of another
    library (`authlib.integrations.sqla_oauth2.OAuth2TokenMixin`) may; SQLAlchemy's and the
    standard library's classes do not."""
    return external.split(".", 1)[0] not in _NO_COLUMN_PACKAGES


def camel_to_snake_case(name: str) -> str:
    """Flask-SQLAlchemy 3's default table name (same expression as its `model.py`)."""
    name = re.sub(r"((?<=[a-z0-9])[A-Z]|(?!^)[A-Z](?=[a-z]))", r"_\1", name)
    return name.lower().lstrip("_")


@dataclass(slots=True)
class ClassInfo:
    facts: PythonFacts
    cls: OrmClass
    role: str = "plain"  # base | mapped | abstract | mixin | plain | unmapped
    flavour: str = "sqlalchemy"  # sqlalchemy | flask | sqlmodel
    table: TableKey | None = None
    columns: list[OrmColumn] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)  # `OrmClass.unread`, mixins' included
    # bases from other libraries (`authlib...OAuth2TokenMixin`), its mixins' included: they
    # may add columns tabletrace cannot read
    foreign_bases: list[str] = field(default_factory=list)
    parents: list[ClassInfo] = field(default_factory=list)
    single_table_parent: ClassInfo | None = None
    unresolved: str = ""  # why the table name could not be computed
    # How the table name was inferred for a class on another library's base that names
    # tables by a rule tabletrace cannot read (`LibraryNaming`); "" when it was read.
    named_by_rule: str = ""
    # The MetaData its table joins (see `Mapper.metadata_owner`): what `create_all` builds.
    owner: str | None = None
    # Association tables of its relationships (`secondary=`), with the relationship's line and
    # attribute.
    secondaries: list[tuple[TableKey, int, str]] = field(default_factory=list)
    # the tables a `secondary="join(A, B, ...)"` expression joins (a view-only relationship,
    # no association table: no versions of it are kept), with the line and attribute
    joined: list[tuple[TableKey, int, str]] = field(default_factory=list)
    # peewee's `class Meta: temporary = True` (own or inherited): `create_table()` makes a
    # temporary table, in no schema a source builds
    temporary: bool = False
    # mapped imperatively (`registry.map_imperatively(User, user_table)`): its Table object
    # declares the table, columns and foreign keys, so the class declares nothing of its own
    imperative: bool = False
    # made by a factory function for a class attribute (`Label = make_label(__tablename__)`
    # in `class Run`): what the call gives the function's parameters, which its body reads
    # (`__tablename__ = f"{table}_labels"`)
    bound: dict[tuple[str, str], Values] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Declaration:
    table: TableKey
    path: str
    line: int
    label: str  # "class Character(Base)" or "users_table = Table(...)"
    columns: tuple[str, ...]
    owner: str | None = None  # the MetaData it belongs to, when known
    unread: tuple[str, ...] = ()  # attributes that may be columns (`ClassInfo.unread`)
    foreign_bases: tuple[str, ...] = ()  # `ClassInfo.foreign_bases`
    temporary: bool = False  # `ClassInfo.temporary`: declares a temporary table


@dataclass(frozen=True, slots=True)
class Reference:
    source: TableKey
    target: TableKey
    path: str
    line: int
    via: str  # "foreign_key" | "relationship"


@dataclass(slots=True)
class OrmModel:
    classes: dict[tuple[str, str], ClassInfo] = field(default_factory=dict)
    tables: dict[tuple[str, str], TableKey] = field(default_factory=dict)  # (path, variable)
    declarations: list[Declaration] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    # `Table(f"{entity}_role_map", md, ...)` whose name cannot be computed: (path, line, why)
    unnamed_tables: list[tuple[str, int, str]] = field(default_factory=list)
    # Tables of classes named by an inferred rule (`LibraryNaming`): uses are medium at most
    inferred: set[TableKey] = field(default_factory=set)
    namings: list[LibraryNaming] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LibraryNaming:
    """Classes with columns on another library's base (`neutron_lib.db.model_base.BASEV2`)
    and no `__tablename__`: that base names their tables by a rule tabletrace cannot read
    (lower-case class name plus "s", for neutron_lib). The rule that names the most of them
    after tables the migrations and `.sql` files create is read as the library's, when it
    names at least `MIN_NAMED` and half of them: those classes are mapped to those tables,
    at confidence medium; the others stay unnamed."""

    base: str
    rule: str
    named: int
    candidates: int
    path: str
    line: int


#: Rules a library base may name tables by: (description, class name -> table name).
NAMING_RULES: tuple[tuple[str, Callable[[str], str]], ...] = (
    ("the class name in snake_case", lambda name: camel_to_snake_case(name)),
    ("the class name in snake_case plus 's'", lambda name: camel_to_snake_case(name) + "s"),
    ("the class name in lower case", lambda name: name.lower()),
    ("the class name in lower case plus 's'", lambda name: name.lower() + "s"),
)
MIN_NAMED = 3


class Mapper:
    def __init__(
        self, symbols: SymbolTable, expander: TemplateExpander, default_schema: str
    ) -> None:
        self.symbols = symbols
        self.expander = expander
        self.default_schema = default_schema
        self.model = OrmModel()
        self._in_progress: set[tuple[str, str]] = set()

    # ---- names ---------------------------------------------------------------------------

    def _text(self, facts: PythonFacts, parts: tuple[Part, ...] | None, line: int) -> str | None:
        return self._one_text(parts, Frame(facts))[0]

    def _one_text(self, parts: tuple[Part, ...] | None, frame: Frame) -> tuple[str | None, str]:
        """The one non-empty text `parts` make in `frame` (None when there are several, or
        none), and why it is unknown."""
        texts, why = self.expander.text(parts, frame)
        return (texts[0] if len(texts) == 1 and texts[0] else None), why

    def class_info(self, cls: ClassV) -> ClassInfo | None:
        """The mapping of a repository class the evaluator found (`Run.Label`: the model a
        factory made for that attribute)."""
        facts = self.expander.evaluator.module(cls.module)
        if facts is None:
            return None
        if (facts.path, cls.qualname) in self.symbols.instances:
            return self.model.classes.get((facts.path, cls.qualname))
        orm_class = next(
            (c for c in facts.orm.classes if c.name == cls.qualname and not c.nested), None
        )
        return self.info(facts, orm_class) if orm_class is not None else None

    def table_value(self, cls: ClassV) -> TableV | None:
        """The table of a mapped class, for the evaluator (`Model.__tablename__`)."""
        info = self.class_info(cls)
        if info is None or info.role != "mapped" or info.table is None:
            return None
        return TableV(info.table.name, info.table.schema)

    def table_of(self, facts: PythonFacts, table: OrmTable) -> TableKey | None:
        name = self._text(facts, table.name, table.line)
        return TableKey(table.schema or self.default_schema, name) if name else None

    # ---- classes -------------------------------------------------------------------------

    def info(self, facts: PythonFacts, cls: OrmClass) -> ClassInfo:
        key = (facts.path, cls.name)
        if key in self.model.classes:
            return self.model.classes[key]
        info = ClassInfo(facts, cls)
        if key in self._in_progress:  # an inheritance cycle: leave it plain
            return info
        self._in_progress.add(key)
        try:
            self._classify(info)
        finally:
            self._in_progress.discard(key)
        self.model.classes[key] = info
        return info

    def _factory_instances(self, modules: list[PythonFacts]) -> None:
        """`Label = make_label(__tablename__)` in the body of a mapped class `Run`, where
        `make_label(table)` defines and returns `class Label(Base)` with `__tablename__ =
        f"{table}_labels"` (mlrun's labels, tags and notifications of every model): each
        call maps a class of its own, its parameters bound to the call's arguments, under the
        key `(path, "Run.Label")`, which `Run.Label` names (`SymbolTable.instances`)."""
        for facts in modules:
            for qualname, fact in sorted(facts.classes.items()):
                owner = self.model.classes.get((facts.path, qualname))
                if "." in qualname or owner is None or owner.role != "mapped":
                    continue
                for attribute, binding in sorted(fact.names.items()):
                    call = binding.value
                    if binding.kind != "value" or not isinstance(call, ir.Call):
                        continue
                    made = self.symbols.factory_class(facts, call)
                    if made is None or made[0].module is None:
                        continue
                    symbol, function = made
                    info = ClassInfo(symbol.module, symbol.node)  # type: ignore[arg-type]
                    info.bound = dict(self.expander.evaluator.bind_call(
                        symbol.module, function,
                        FunctionV(symbol.module.module, function.qualname), call, Frame(facts),
                    ).params)
                    self._classify(info)
                    if info.role != "mapped":
                        continue
                    key = (facts.path, f"{qualname}.{attribute}")
                    self.model.classes[key] = info
                    self.symbols.instances[key] = info.cls

    def _resolve_bases(self, info: ClassInfo) -> list[tuple[str, Symbol]]:
        found = []
        for base in info.cls.bases:
            symbol = self.symbols.lookup(info.facts, base)
            if symbol is not None:
                found.append((base, symbol))
        return found

    # ---- MetaData owners -----------------------------------------------------------------

    def metadata_owner(self, facts: PythonFacts, dotted: str, depth: int = 0) -> str | None:
        """Which MetaData `dotted` is, seen from `facts`: `Base.metadata`, `Base`, `db`,
        `db.Model.metadata`, `metadata`, `SQLModel.metadata` -> a stable identity
        (`class:app/models.py:Base`, `flask_sqlalchemy:app/ext.py:db`, `metadata:...`,
        `sqlmodel`), or None when it cannot be resolved statically."""
        if depth > MAX_OWNER_DEPTH:
            return None
        if "." in dotted:  # `Model.metadata`: a MetaData that is a class attribute
            whole = self.symbols.lookup(facts, dotted)
            if whole is not None and whole.kind == "factory":
                return self._symbol_owner(whole, depth)
        target = dotted.removesuffix(".metadata")
        target = target.removesuffix(".Model") if target != "Model" else target
        symbol = self.symbols.lookup(facts, target)
        return self._symbol_owner(symbol, depth) if symbol is not None else None

    def _symbol_owner(self, symbol: Symbol, depth: int) -> str | None:
        if symbol.kind == "class" and symbol.module is not None:
            return self.info(symbol.module, symbol.node).owner  # type: ignore[arg-type]
        if symbol.kind == "factory" and symbol.module is not None and symbol.node is not None:
            factory = symbol.node
            if factory.metadata:  # type: ignore[union-attr]
                shared = self.metadata_owner(
                    symbol.module, factory.metadata, depth + 1  # type: ignore[union-attr]
                )
                if shared:
                    return shared
            return f"{factory.kind}:{symbol.module.path}:{factory.variable}"  # type: ignore[union-attr]
        if symbol.kind == "external" and symbol.name in SQLMODEL_ROOTS:
            return SQLMODEL_METADATA
        if (
            symbol.kind == "external" and symbol.name.endswith(":metadata")
            and symbol.origin is not None and isinstance(symbol.node, OrmBaseFactory)
        ):
            # `metadata = Base.metadata` then `Table("x", metadata, ...)`: the alias is the
            # factory's MetaData, which `Base.metadata.create_all()` creates
            factory = symbol.node
            return self._symbol_owner(
                Symbol("factory", symbol.origin, factory.variable, factory), depth + 1
            )
        return None

    def _classify(self, info: ClassInfo) -> None:
        cls = info.cls
        keywords = dict(cls.keywords)
        declarative = is_base = False
        for decorator in cls.decorators:
            symbol = self.symbols.lookup(info.facts, decorator)
            if symbol is not None and symbol.kind == "external" and symbol.name in AS_DECLARATIVE:
                is_base = True
            # `@reg.mapped`, `@reg.mapped_as_dataclass` of a `registry()`
            if decorator.endswith(_MAPPING_DECORATORS) or (
                symbol and symbol.name.endswith(_MAPPING_DECORATORS)
            ):
                declarative = True
        owners: list[str | None] = []
        for base, symbol in self._resolve_bases(info):
            if symbol.kind == "external":
                if symbol.name in DECLARATIVE_ROOTS:
                    is_base = True
                elif symbol.name in SQLMODEL_ROOTS:
                    info.flavour = "sqlmodel"
                    declarative = declarative or keywords.get("table") == "True"
                    owners.append(SQLMODEL_METADATA)
                elif is_peewee_model_root(symbol.name):
                    info.flavour = "peewee"
                    declarative = True
                elif symbol.name == "flask_sqlalchemy:Model":
                    info.flavour = "flask"
                    declarative = True
                    if symbol.origin is not None and isinstance(symbol.node, OrmBaseFactory):
                        # the factory the attribute was taken from, however the base is named
                        node = symbol.node
                        factory = Symbol("factory", symbol.origin, node.variable, node)
                        owners.append(self._symbol_owner(factory, 0))
                    else:
                        owners.append(self.metadata_owner(info.facts, base.rpartition(".")[0]))
                elif _may_add_columns(symbol.name):
                    info.foreign_bases.append(symbol.name)
            elif symbol.kind == "factory" and symbol.node is not None:
                declarative = declarative or symbol.node.kind in ("declarative_base", "registry")
                owners.append(self._symbol_owner(symbol, 0))
                custom = symbol.node.cls  # type: ignore[union-attr]
                if custom and symbol.module is not None:
                    # `declarative_base(cls=CustomBase)`: CustomBase's declared_attr and columns
                    # reach every model, as a parent would
                    found = self.symbols.lookup(symbol.module, custom)
                    if found is not None and found.kind == "class" and found.module is not None:
                        info.parents.append(self.info(found.module, found.node))  # type: ignore[arg-type]
            elif symbol.kind == "class" and symbol.module is not None:
                parent = self.info(symbol.module, symbol.node)  # type: ignore[arg-type]
                info.parents.append(parent)
                owners.append(parent.owner)
                if parent.role in ("base", "mapped", "abstract"):
                    declarative = True
                    info.flavour = parent.flavour if parent.role != "base" else info.flavour
                if parent.flavour == "sqlmodel":
                    info.flavour = "sqlmodel"
                    declarative = declarative or keywords.get("table") == "True"
        info.owner = next((owner for owner in owners if owner), None)
        if info.flavour == "peewee":
            self._assign_peewee(info)
            return
        info.columns = self._columns(info)
        info.unread = self._from_mixins(info, info.cls.unread, "unread")
        info.foreign_bases = self._from_mixins(info, info.foreign_bases, "foreign_bases")
        if (
            not declarative
            and not is_base
            and info.foreign_bases
            and (cls.tablename is not None or cls.tablename_expr)
        ):
            # `class Store(UUIDBase): __tablename__ = "stores"` on another library's
            # declarative base (advanced_alchemy's, litestar's): a `__tablename__` says mapped
            declarative = True
            info.owner = info.owner or f"library:{info.foreign_bases[0]}"
        if is_base:
            info.role = "base"
            own = f"class:{info.facts.path}:{cls.name}"
            # `metadata = MetaData(naming_convention=...)` in the base's body (`cls.metadata ==
            # ""`) is the MetaData `Base.metadata.create_all()` and `Table("t", Base.metadata)`
            # name: one identity for the models and those
            written = cls.metadata if cls.metadata else f"{cls.name}.metadata"
            info.owner = (
                self.metadata_owner(info.facts, written) or own
                if cls.metadata is not None else own
            )
            return
        if not declarative:
            info.role = "mixin" if cls.columns or cls.tablename_expr else "plain"
            return
        if cls.abstract:
            info.role = "abstract"
            return
        if info.flavour == "sqlmodel" and keywords.get("table") != "True":
            info.role = "plain"
            return
        self._assign_table(info)

    # ---- peewee ----------------------------------------------------------------------------

    def _peewee_meta(self, info: ClassInfo, key: str, seen: set[int] | None = None) -> str | None:
        """A `class Meta:` option as written: the class's own, else (for the inheritable ones,
        `PEEWEE_INHERITED_META`) the first base's that has it, as `ModelBase` copies them."""
        own = dict(info.cls.meta)
        if key in own:
            return own[key]
        if key not in PEEWEE_INHERITED_META:
            return None
        seen = seen if seen is not None else set()
        seen.add(id(info))
        for parent in info.parents:
            if parent.flavour == "peewee" and id(parent) not in seen:
                found = self._peewee_meta(parent, key, seen)
                if found is not None:
                    return found
        return None

    def _assign_peewee(self, info: ClassInfo) -> None:
        """A peewee model: its table named by peewee's rules (`Metadata.make_table_name`), its
        columns as `ModelBase` makes them (primary key first: its own, else the inherited
        one, else an implicit `id` unless `Meta.primary_key` says otherwise; then the
        parents' fields, then its own)."""
        cls = info.cls
        if any(d.endswith("create_model") for d in cls.decorators):
            info.role = "plain"  # `@migrator.create_model` in a migration: a past state
            return
        info.temporary = self._peewee_meta(info, "temporary") == "True"
        schema_text = self._peewee_meta(info, "schema")
        schema = _literal_text(schema_text) if schema_text is not None else None
        name: str | None = None
        if cls.meta_table_name is not None:
            texts, why = self.expander.text(cls.meta_table_name, Frame(info.facts))
            if len(texts) == 1 and texts[0]:
                name = texts[0]
            else:
                info.unresolved = f"its Meta.table_name cannot be evaluated statically ({why})"
        elif self._peewee_meta(info, "table_function") is not None:
            info.unresolved = "its table name is computed by Meta.table_function at run time"
        else:
            legacy = self._peewee_meta(info, "legacy_table_names")
            if legacy is None or legacy == "True":
                name = peewee_legacy_name(cls.name)
            elif legacy == "False":
                name = peewee_snake_case(cls.name)
            else:
                info.unresolved = f"its Meta.legacy_table_names ({legacy}) is not a literal"
        fields, hedged, promoted = self._peewee_fields(info)
        own = {c.attribute for c in fields} | set(cls.field_calls) | set(cls.unread)
        primary = [c for c in fields if c.primary_key]
        parents = [p for p in info.parents if p.flavour == "peewee"]
        if not primary and self._peewee_meta(info, "primary_key") is None:
            inherited = next(
                ([c for c in _placed(p, p.columns) if c.primary_key] for p in parents
                 if any(c.primary_key for c in p.columns)),
                None,
            )
            primary = inherited or [OrmColumn("id", "id", cls.line, primary_key=True)]
        columns = list(primary)
        for parent in parents:
            for column in _placed(parent, parent.columns):
                if column.primary_key or column.attribute in own:
                    continue
                if all(c.attribute != column.attribute for c in columns):
                    columns.append(column)
        columns.extend(c for c in fields if not c.primary_key)
        info.columns = columns
        calls = set(cls.field_calls)
        info.unread = list(dict.fromkeys([
            *(n for n in cls.unread if n not in calls and n not in promoted),
            *hedged,
            *(n for p in parents for n in p.unread),
        ]))
        if name is not None:
            info.table = TableKey(str(schema or self.default_schema), name)
        info.role = "mapped" if info.table is not None else "unmapped"

    def _peewee_fields(self, info: ClassInfo) -> tuple[list[OrmColumn], list[str], set[str]]:
        """The model's own fields, those of a project's field class (`PeeweeFieldCall`) read
        as the peewee field the class derives from (`class OwnerField(ForeignKeyField)`:
        column `<attr>_id` unless named, a reference to the model the call or the class's
        `__init__` gives; a `ManyToManyField` subclass: no column; an `AutoField` subclass:
        the primary key); the names that may be columns of the fields whose class names its
        column itself (`bind`): those are not claimed, only hedged, as `unread` is; and the
        attributes of `maybe_fields` found to be fields (no longer `unread`)."""
        fields: list[OrmColumn] = []
        hedged: list[str] = []
        promoted: set[str] = set()
        maybe = {id(c) for c in info.cls.maybe_fields}
        for column in sorted([*info.cls.fields, *info.cls.maybe_fields], key=lambda c: c.line):
            call = column.call
            root, chain, several = (
                self._peewee_field_class(info.facts, call.callee) if call is not None
                else (None, [], False)
            )
            if id(column) in maybe:
                if root is None or not chain or not is_peewee_field(root):
                    continue  # not a peewee field: it stays `unread`
                promoted.add(column.attribute or column.name)
            elif call is None or root is None or not chain:
                fields.append(column)  # peewee's own field (read by name), or not peewee's
                continue
            if root in PEEWEE_NO_COLUMN:
                continue
            foreign = root in PEEWEE_FOREIGN_KEYS
            attribute = column.attribute or column.name
            if any(c.field_init is not None and c.field_init.names_column for c in chain):
                hedged.append(attribute)
                if foreign and not call.named:
                    hedged.append(peewee_key_name(attribute))
                continue
            primary = column.primary_key or root in PEEWEE_PRIMARY
            if foreign:
                inits = [
                    c.field_init for c in chain
                    if c.field_init is not None and c.field_init.defines_init
                ]
                column = replace(
                    column,
                    name=column.name if call.named else peewee_key_name(attribute),
                    target=None if several else _peewee_model(call, inits),
                    primary_key=primary,
                )
            elif primary:
                column = replace(column, primary_key=True)
            fields.append(column)
        return fields, hedged, promoted

    def _peewee_field_class(
        self, facts: PythonFacts, callee: str, depth: int = 0
    ) -> tuple[str | None, list[OrmClass], bool]:
        """The peewee field class a field's class (`callee`, as written in `facts`) is or
        derives from, by its name (None when the chain ends in a class of the project with no
        base, or cannot be followed), the project's classes on the way (the called one
        first) and whether one of them has several bases (another base may take the
        arguments). Classes resolve as a model's bases do (same module, imports, chains of
        subclasses); a name that does not resolve (`from peewee import *`) is peewee's by its
        name, as the reader reads peewee's own fields."""
        symbol = self.symbols.lookup(facts, callee)
        if symbol is None or symbol.kind == "external":
            return (symbol.name if symbol else callee).rpartition(".")[2], [], False
        cls = symbol.node
        if (
            symbol.kind != "class" or symbol.module is None or not isinstance(cls, OrmClass)
            or depth >= MAX_FIELD_CHAIN or not cls.bases
        ):
            return None, [cls] if isinstance(cls, OrmClass) else [], False
        # `class OwnerField(Mixin, ForeignKeyField)`: the field class is the first base
        # that resolves to one
        for base in cls.bases:
            root, chain, several = self._peewee_field_class(symbol.module, base, depth + 1)
            if root is not None:
                return root, [cls, *chain], several or len(cls.bases) > 1
        return None, [cls], len(cls.bases) > 1

    def _peewee_bases(self) -> None:
        """A peewee model with no field of its own that other models derive from
        (`class BaseModel(Model): class Meta: database = db`) is their base: peewee would map
        a table to it, but no one creates or queries it, so it declares none."""
        derived_from = {
            id(parent)
            for info in self.model.classes.values() if info.flavour == "peewee"
            for parent in info.parents
        }
        for info in self.model.classes.values():
            if (
                info.flavour == "peewee" and info.role in ("mapped", "unmapped")
                and id(info) in derived_from and not info.cls.fields
                and not info.cls.field_calls and info.cls.meta_table_name is None
            ):
                info.role = "abstract"
                info.unresolved = ""

    def _peewee_references(self, info: ClassInfo) -> None:
        """`ForeignKeyField(Event)`, `DeferredForeignKey("Event")`, `ForeignKeyField("self")`:
        a foreign key from the model's table to the target model's."""
        for column in info.columns:
            if column.target is None or info.table is None:
                continue
            written = column.target
            target: TableKey | None = None
            if written[:1] in "'\"":
                text = written.strip("'\"")
                if text.lower() == "self":
                    target = info.table
                else:
                    matches = [
                        other.table for other in self.model.classes.values()
                        if other.flavour == "peewee" and other.role == "mapped"
                        and other.cls.name.lower() == text.lower() and other.table is not None
                    ]
                    target = matches[0] if len(set(matches)) == 1 else None
            else:
                symbol = self.symbols.lookup(info.facts, written)
                if symbol is not None and symbol.kind == "class" and symbol.module is not None:
                    other = self.info(symbol.module, symbol.node)  # type: ignore[arg-type]
                    target = other.table if other.role == "mapped" else None
            if target is not None:
                self.model.references.append(
                    Reference(
                        info.table, target, column.path or info.facts.path, column.line,
                        "foreign_key",
                    )
                )

    def _columns(self, info: ClassInfo) -> list[OrmColumn]:
        """Own columns, then those of mixins and abstract parents (never a mapped parent's)."""
        columns = list(info.cls.columns)
        seen = {c.name for c in columns}
        for parent in info.parents:
            if parent.role in ("mapped", "unmapped"):
                continue
            for column in _placed(parent, parent.columns):
                if column.name not in seen:
                    seen.add(column.name)
                    columns.append(column)
        return columns

    @staticmethod
    def _from_mixins(info: ClassInfo, own: Iterable[str], attribute: str) -> list[str]:
        """`own`, then the names in `attribute` of the class's mixins and abstract parents,
        each once (never a mapped parent's, as `_columns`)."""
        names = dict.fromkeys(own)
        for parent in info.parents:
            if parent.role not in ("mapped", "unmapped"):
                names.update(dict.fromkeys(getattr(parent, attribute)))
        return list(names)

    def _inherited_holder(self, info: ClassInfo, seen: set[int] | None = None
                          ) -> ClassInfo | None:
        """The nearest mixin or abstract parent (not through a mapped one) whose body sets a
        plain `__tablename__`; None when a `declared_attr` one comes first."""
        seen = set() if seen is None else seen
        for parent in info.parents:
            if id(parent) in seen or parent.role not in ("mixin", "abstract", "base", "plain"):
                continue
            seen.add(id(parent))
            if parent.cls.tablename_function:
                return None
            if parent.cls.tablename is not None:
                return parent
            found = self._inherited_holder(parent, seen)
            if found is not None:
                return found
        return None

    def _inherited(self, info: ClassInfo, attribute: str) -> object:
        for parent in info.parents:
            if parent.role in ("mixin", "abstract", "base", "plain"):
                value = getattr(parent.cls, attribute)
                if value:
                    return value
                value = self._inherited(parent, attribute)
                if value:
                    return value
        return None

    def _assign_table(self, info: ClassInfo) -> None:
        cls, facts = info.cls, info.facts
        schema = cls.schema or self._inherited(info, "schema") or self.default_schema
        name = None
        tablename, named_in = cls.tablename, facts
        if tablename is None and cls.tablename_function is None:
            # `__tablename__ = "logs"` on an `__abstract__` base or a mixin: SQLAlchemy reads
            # it through the class (a mapped parent's is its own table), and Flask-SQLAlchemy
            # then generates no name
            holder = self._inherited_holder(info)
            if holder is not None:
                tablename, named_in = holder.cls.tablename, holder.facts
        if tablename is not None:
            texts, why = self.expander.text(tablename, Frame(named_in, params=info.bound))
            if len(texts) == 1 and texts[0]:
                name = texts[0]
            elif len(texts) > 1:
                info.unresolved = f"its __tablename__ has {len(texts)} possible values"
            else:
                info.unresolved = f"its __tablename__ cannot be evaluated statically ({why})"
        mapped_parent = next((p for p in info.parents if p.role == "mapped"), None)
        own_key = any(c.primary_key for c in info.columns)
        if info.flavour == "flask" and mapped_parent is not None and not own_key:
            # Flask-SQLAlchemy (2.x and 3.x): a subclass without a primary key column of its
            # own lives in its parent's table, even when it sets __tablename__
            info.single_table_parent = mapped_parent
            info.table = mapped_parent.table
        elif name is None and cls.table is not None:
            info.table = self.table_of(facts, cls.table)
            info.columns = [*cls.table.columns, *info.columns]
        elif name is None and cls.table_ref:
            symbol = self.symbols.lookup(facts, cls.table_ref)
            if symbol is not None and symbol.kind == "table" and symbol.module is not None:
                info.table = self.table_of(symbol.module, symbol.node)  # type: ignore[arg-type]
        elif (
            name is not None and mapped_parent is not None and mapped_parent.table is not None
            and mapped_parent.table == TableKey(str(schema), name)
        ):
            # `class MyUser(User): __tablename__ = "ab_user"`, the parent's own table (which
            # `extend_existing` allows): the subclass adds its columns to that table
            info.single_table_parent = mapped_parent
            info.table = mapped_parent.table
        elif name is not None:
            info.table = TableKey(str(schema), name)
        elif (declared := self._declared_tablename(info)) is not None:
            if declared:
                info.table = TableKey(str(schema), declared)
        elif mapped_parent is not None and info.flavour != "flask":
            info.single_table_parent = mapped_parent
            info.table = mapped_parent.table
        elif info.flavour == "flask":
            info.table = TableKey(str(schema), camel_to_snake_case(cls.name))
        elif info.flavour == "sqlmodel":
            info.table = TableKey(str(schema), cls.name.lower())
        elif not info.unresolved and cls.tablename is None:
            info.unresolved = (
                "it has no __tablename__ or __table__ that tabletrace can see (SQLAlchemy "
                "requires one unless it is abstract)"
            )
        info.role = "mapped" if info.table is not None else "unmapped"

    def _declared_tablename(self, info: ClassInfo) -> str | None:
        """The name a `@declared_attr def __tablename__` computes for this class ("" when it
        cannot be computed; None when no class in the hierarchy declares one)."""
        owner = self._declaring(info, set())
        if owner is None:
            return None
        function = owner.cls.tablename_function
        evaluator = self.expander.evaluator
        subject = ClassV(info.facts.module, info.cls.name)
        values = evaluator.call(FunctionV(owner.facts.module, str(function), subject), [], {})
        texts = known_strings(values)
        if texts is not None and len(texts) == 1 and texts[0]:
            return texts[0]
        info.unresolved = (
            f"its __tablename__ is computed by {owner.cls.name}.__tablename__() "
            f"({owner.facts.path}), which cannot be evaluated: {why_unknown(values)}"
        )
        return ""

    def _declaring(self, info: ClassInfo, seen: set[int]) -> ClassInfo | None:
        if id(info) in seen:
            return None
        seen.add(id(info))
        if info.cls.tablename_function:
            return info
        for parent in info.parents:
            if parent.role in ("mixin", "abstract", "base", "plain", "mapped"):
                found = self._declaring(parent, seen)
                if found is not None:
                    return found
        return None

    def tables_of(self, info: ClassInfo) -> list[TableKey]:
        """Tables a query on this class touches: its own, then (joined-table inheritance)
        those of its mapped parents."""
        if info.flavour == "peewee":  # a peewee subclass copies its parent's fields
            return [info.table] if info.table is not None else []
        tables: list[TableKey] = []
        current: ClassInfo | None = info
        seen: set[int] = set()
        while current is not None and id(current) not in seen:
            seen.add(id(current))
            if current.table is not None and current.table not in tables:
                tables.append(current.table)
            current = next((p for p in current.parents if p.role == "mapped"), None)
        return tables

    # ---- the whole repository ------------------------------------------------------------

    def map_repository(
        self, modules: list[PythonFacts], created: Collection[str] = ()
    ) -> OrmModel:
        """Map every class and Table; `created`: the table names the repository's migrations
        and `.sql` files create, the evidence for a library base's naming rule."""
        for facts in modules:
            for cls in facts.orm.classes:
                if not cls.nested:
                    self.info(facts, cls)
        self._factory_instances(modules)
        self._peewee_bases()
        if created:
            self._name_by_library_rules(frozenset(created))
        for facts in modules:
            for table in facts.orm.tables:
                if table.lightweight or table.variable == "__table__":
                    continue
                self._map_table(facts, table)
        for facts in modules:
            for mapping in facts.orm.imperative:
                self._map_imperatively(facts, mapping)
        for info in sorted(self.model.classes.values(), key=lambda i: (i.facts.path, i.cls.line)):
            if info.role != "mapped" or info.table is None or info.imperative:
                continue
            label = f"class {info.cls.name}({', '.join(info.cls.bases)})"
            # a subclass in its parent's table declares what the whole table holds: its
            # columns join the parent's (`_merge_single_table_columns`)
            self._declare(
                info.table, info.facts.path, info.cls.line, label, self._table_columns(info),
                info.owner, tuple(info.unread), tuple(info.foreign_bases), info.temporary,
            )
            if info.flavour == "peewee":
                self._peewee_references(info)
            self._references(info)
            self._secondaries(info)
        self._merge_single_table_columns()
        return self.model

    def _map_imperatively(self, facts: PythonFacts, mapping: ImperativeMapping) -> None:
        """`registry.map_imperatively(User, user_table)`: the plain class `User` is mapped to
        the table of the Table object `user_table`, with its columns, as `__table__ =
        user_table` maps a declarative class. Kept only when the names are a class and a
        Table of the repository that no other rule maps already."""
        found = self.symbols.lookup(facts, mapping.cls)
        table = self.symbols.lookup(facts, mapping.table)
        if (
            found is None or found.kind != "class" or found.module is None
            or table is None or table.kind != "table" or table.module is None
        ):
            return
        info = self.info(found.module, found.node)  # type: ignore[arg-type]
        if info.role in ("base", "mapped"):
            return
        node: OrmTable = table.node  # type: ignore[assignment]
        key = self.model.tables.get((table.module.path, node.variable or ""))
        if key is None:
            return  # a Table in a loop, or whose name cannot be computed
        info.table = key
        info.columns = [*node.columns, *info.columns]
        info.owner = (
            self.metadata_owner(table.module, node.metadata)
            if node.metadata and not node.reflected else None
        )
        info.role = "mapped"
        info.imperative = True

    def _name_by_library_rules(self, created: frozenset[str]) -> None:
        """`LibraryNaming`: name the classes on a library base that names tables by rule."""
        candidates = [
            info
            for info in sorted(
                self.model.classes.values(), key=lambda i: (i.facts.path, i.cls.line)
            )
            # (columns of its own or of a mixin: `class NetworkRBAC(RBACColumns, BASEV2)`)
            if info.role in ("mixin", "plain") and info.foreign_bases and info.columns
            and info.cls.tablename is None and not info.cls.tablename_expr
            and info.cls.tablename_function is None and not info.cls.abstract
            and info.cls.table is None and not info.cls.table_ref
        ]
        # each class with the library base most of them share (`class Port(HasStandardAttributes,
        # BASEV2, HasId)`: BASEV2, which the others have too)
        shared = Counter(base for info in candidates for base in set(info.foreign_bases))
        groups: dict[str, list[ClassInfo]] = {}
        for info in candidates:
            base = min(info.foreign_bases, key=lambda b: (-shared[b], b))
            groups.setdefault(base, []).append(info)
        # a class others derive from is a mixin of theirs, not a model whose name is unknown
        derived_from = {
            id(parent) for info in self.model.classes.values() for parent in info.parents
        }
        for base, members in sorted(groups.items()):
            best: tuple[int, str, Callable[[str], str]] | None = None
            for rule, name_of in NAMING_RULES:
                named = sum(1 for info in members if name_of(info.cls.name) in created)
                if best is None or named > best[0]:
                    best = (named, rule, name_of)
            if best is None or best[0] < MIN_NAMED or 2 * best[0] < len(members):
                continue
            named, rule, name_of = best
            for info in members:
                name = name_of(info.cls.name)
                if name not in created:
                    if id(info) in derived_from:
                        continue
                    info.unresolved = (
                        f"its table is named by {base} (another library), by {rule} "
                        f"presumably `{name}`, which no migration creates"
                    )
                    continue
                schema = info.cls.schema or self._inherited(info, "schema") or self.default_schema
                info.table = TableKey(str(schema), name)
                info.role = "mapped"
                info.named_by_rule = rule
                info.owner = info.owner or f"library:{base}"
                self.model.inferred.add(info.table)
            first = members[0]
            self.model.namings.append(
                LibraryNaming(base, rule, named, len(members), first.facts.path, first.cls.line)
            )

    def _map_table(self, facts: PythonFacts, table: OrmTable) -> None:
        """A module-level `Table(...)`: one table, or one per element of the loops around it
        (`for entity in ("user", "group"): Table(f"{entity}_role_map", md, ...)`)."""
        label = f"{table.variable} = Table(...)" if table.variable else "Table(...)"
        owner = (
            self.metadata_owner(facts, table.metadata)
            if table.metadata and not table.reflected else None
        )
        unnamed: list[str] = []
        for frame in self.expander.evaluator.iterations(table.loops, Frame(facts)):
            name, why = self._one_text(table.name, frame)
            if name is None:
                if not table.reflected and why not in unnamed:
                    unnamed.append(why)
                continue
            key = TableKey(table.schema or self.default_schema, name)
            if table.variable and not table.loops:
                self.model.tables[(facts.path, table.variable)] = key
            if table.reflected:
                continue  # read from the database: declares nothing
            columns = [self._element_column(column, frame) for column in table.columns]
            self._declare(
                key, facts.path, table.line, label + loop_elements(facts, table.loops, frame),
                [c for c in columns if c is not None], owner,
            )
        for why in unnamed:
            self.model.unnamed_tables.append((facts.path, table.line, why))

    def _element_column(self, column: OrmColumn, frame: Frame) -> OrmColumn | None:
        """A column of a Table in a loop, its templated name and foreign key computed for one
        element (None when the name cannot be computed)."""
        if column.name_template is None and column.foreign_key_template is None:
            return column
        name: str | None = column.name
        if column.name_template is not None:
            name = self._one_text(column.name_template, frame)[0]
            if name is None:
                return None
        foreign_key = column.foreign_key
        if column.foreign_key_template is not None:
            foreign_key = self._one_text(column.foreign_key_template, frame)[0]
        return replace(
            column, name=name, foreign_key=foreign_key, name_template=None,
            foreign_key_template=None,
        )

    def _declare(
        self,
        table: TableKey,
        path: str,
        line: int,
        label: str,
        columns: list[OrmColumn] | tuple[OrmColumn, ...],
        owner: str | None = None,
        unread: tuple[str, ...] = (),
        foreign_bases: tuple[str, ...] = (),
        temporary: bool = False,
    ) -> None:
        names = tuple(dict.fromkeys(c.name for c in columns))
        self.model.declarations.append(
            Declaration(table, path, line, label, names, owner, unread, foreign_bases, temporary)
        )
        for column in columns:
            if column.foreign_key and "." in column.foreign_key:
                target = column.foreign_key.rsplit(".", 1)[0]
                schema, _, name = target.rpartition(".")
                self.model.references.append(
                    Reference(
                        table, TableKey(schema or self.default_schema, name),
                        column.path or path, column.line, "foreign_key",
                    )
                )

    def _secondaries(self, info: ClassInfo) -> None:
        """`secondary=` tables: a Table object found through imports, or a table name."""
        for written, line, attribute in info.cls.secondaries:
            key: TableKey | None = None
            if written[:1] in "'\"":
                text = written[1:-1]
                if not _DOTTED_NAME.fullmatch(text):
                    # `secondary="join(Membership, Role, Role.id == Membership.role_id)"`: an
                    # expression SQLAlchemy evaluates against its registry of classes, whose
                    # joined entities are the tables read (never a table of that name)
                    for entity in _joined_entities(text):
                        found = self._mapped_by_name(entity)
                        if found is not None:
                            info.joined.append((found, line, attribute))
                    continue
                schema, _, name = text.rpartition(".")
                key = TableKey(schema or self.default_schema, name)
            else:
                # `secondary=AxB.__table__`: the table of the mapped class AxB
                model_table = written.endswith(".__table__")
                symbol = self.symbols.lookup(info.facts, written.removesuffix(".__table__"))
                if symbol is not None and symbol.kind == "table" and symbol.module is not None:
                    key = self.table_of(symbol.module, symbol.node)  # type: ignore[arg-type]
                elif model_table and symbol is not None and symbol.kind == "class":
                    target = self.info(symbol.module, symbol.node)  # type: ignore[arg-type]
                    key = target.table if target.role == "mapped" else None
                else:
                    # `secondary=_get_managers`, a function returning the Table (SQLAlchemy
                    # calls it when it configures the mappers)
                    key = self._returned_table(info, written)
            if key is not None:
                info.secondaries.append((key, line, attribute))

    def _mapped_by_name(self, name: str) -> TableKey | None:
        """The table of the one mapped class named `name` (SQLAlchemy's registry looks a
        class up by its name in such strings), else of the one Table whose name it is."""
        found = {
            info.table for info in self.model.classes.values()
            if info.cls.name == name and info.role == "mapped" and info.table is not None
        }
        if len(found) == 1:
            return found.pop()
        tables = {key for key in self.model.tables.values() if key.name == name}
        return tables.pop() if len(tables) == 1 else None

    def _returned_table(self, info: ClassInfo, written: str) -> TableKey | None:
        """The table a function of the repository named `written` (in the class's module)
        returns, when it returns one Table object."""
        evaluator = self.expander.evaluator
        head, *rest = written.split(".")
        func: ir.Expr = ir.Global(head)
        for attr in rest:
            func = ir.Attr(func, attr)
        frame = Frame(info.facts)
        if not any(isinstance(v, FunctionV) for v in evaluator.evaluate(func, frame)):
            return None
        values = evaluator.evaluate(ir.Call(func), frame)
        if len(values) != 1 or not isinstance(values[0], TableV):
            return None
        table = values[0]
        return TableKey(table.schema or self.default_schema, table.name)

    def _references(self, info: ClassInfo) -> None:
        backrefs = set(info.cls.backrefs)
        for target, line in info.cls.relationships:
            name = target.strip("'\"").rsplit(".", 1)[-1]
            matches = [
                other for other in self.model.classes.values()
                if other.cls.name == name and other.role == "mapped" and other.table is not None
            ]
            if len(matches) == 1 and info.table is not None:
                self.model.references.append(
                    Reference(info.table, matches[0].table, info.facts.path, line, "relationship")
                )
                if (target, line) in backrefs:
                    # `backref="children"`: the target's model loads and cascades to this one
                    self.model.references.append(
                        Reference(matches[0].table, info.table, info.facts.path, line,  # type: ignore[arg-type]
                                  "relationship")
                    )

    def _table_columns(self, info: ClassInfo) -> list[OrmColumn]:
        """The columns of the table a class maps: its own and those of the classes whose table
        it shares (single-table inheritance, up the chain)."""
        if info.single_table_parent is None:
            return list(info.columns)
        parent = info.single_table_parent
        return [*_placed(parent, self._table_columns(parent)), *info.columns]

    def _merge_single_table_columns(self) -> None:
        """Single-table inheritance: a subclass's columns live in its parent's table."""
        extra: dict[TableKey, list[str]] = {}
        extra_unread: dict[TableKey, list[str]] = {}
        for info in self.model.classes.values():
            if info.single_table_parent is not None and info.table is not None:
                extra.setdefault(info.table, []).extend(c.name for c in info.cls.columns)
                extra_unread.setdefault(info.table, []).extend(info.cls.unread)
        if not extra:
            return
        merged = []
        for declaration in self.model.declarations:
            columns, unread = declaration.columns, declaration.unread
            if declaration.table in extra:
                columns = tuple(dict.fromkeys([*columns, *extra[declaration.table]]))
                unread = tuple(dict.fromkeys([*unread, *extra_unread[declaration.table]]))
            merged.append(
                Declaration(
                    declaration.table, declaration.path, declaration.line, declaration.label,
                    columns, declaration.owner, unread, declaration.foreign_bases,
                    declaration.temporary,
                )
            )
        self.model.declarations = merged


#: A (schema-qualified) name, as `secondary="assoc"` or `"audit.assoc"` names a table.
_DOTTED_NAME = re.compile(r"[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)?")


def _joined_entities(text: str) -> list[str]:
    """The classes (or tables) a `join(A, B, on)` / `outerjoin(...)` expression joins, by
    name, in order; none when the text is no such Python expression."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            in ("join", "outerjoin")
        ):
            continue
        for argument in node.args[:2]:
            if isinstance(argument, ast.Name) and argument.id not in names:
                names.append(argument.id)
    return names


def _placed(owner: ClassInfo, columns: Iterable[OrmColumn]) -> list[OrmColumn]:
    """`owner`'s columns as another class inherits them: each names the file its line is in
    (a foreign key a mixin declares is evidence in the mixin's file, not the model's)."""
    return [
        column if column.path is not None else replace(column, path=owner.facts.path)
        for column in columns
    ]


def _literal_text(code: str) -> str | None:
    """The value of a string literal as written (`"audit"` -> audit), else None."""
    try:
        value = ast.literal_eval(code)
    except (ValueError, SyntaxError):
        return None
    return value if isinstance(value, str) and value else None
