"""SQLAlchemy ORM extractor: declarations and candidate uses, from one parsed module.

:func:`read_sqlalchemy` reads the module `analyzer.readers.python_module` parsed once for
every reader; nothing is imported or run.

* **Declarations, as written** (:class:`~analyzer.facts.OrmClass`, :class:`~analyzer.facts.
  OrmTable`, :class:`~analyzer.facts.OrmBaseFactory`): every class statement with its bases,
  keywords, decorators and whatever in its body can make it a mapped class (``__tablename__``,
  ``__table__``, ``__table_args__`` schema, ``__abstract__``, columns, relationships);
  ``Table(...)`` / lightweight ``table(...)`` calls; ``declarative_base()`` / ``SQLAlchemy()`` /
  ``registry()`` factories. Whether a class is a model is decided later, across modules.
* **Candidate uses** (:class:`~analyzer.facts.OrmReference`): dotted names whose first part is
  bound in this module by an import (stdlib, SQLAlchemy's own packages and a few frameworks
  excepted), a module-level class or a module-level ``Table`` assignment - or, in a module with a
  project ``from x import *``, free names it may provide -, with how they are used
  (``select(M)``, ``session.query(M)``, ``session.add(M(...))``, ``M.query``, ``t.insert()``...).
  The resolver keeps those that resolve to a model class or a ``Table``.

Two passes, both linear: a statement-level scan (imports, classes, assignments: cheap) that
also serves as the pre-check - a module that binds no candidate name and imports nothing from
SQLAlchemy stops there - and one hand-written walk over the expressions (no libcst visitor
machinery, which rebuilds every node).

``name`` of a reference is the dotted prefix that denotes the model or table: everything up to
the first CamelCase segment after the module part (``models.User.query`` -> ``models.User``),
else up to a ``Table`` member (``tables.users.c.id`` -> ``tables.users``), else the whole chain.
"""

from __future__ import annotations

import builtins
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst

from analyzer.facts import (
    CreateAllCall,
    ImperativeMapping,
    Literal,
    OrmBaseFactory,
    OrmClass,
    OrmColumn,
    OrmFacts,
    OrmReference,
    OrmTable,
    Part,
    PeeweeMigratorOp,
)
from analyzer.python import expr as ir
from analyzer.python.nodes import dotted as _dotted
from analyzer.python.nodes import published, suites
from analyzer.python.nodes import string_value as _string_value
from analyzer.python.nodes import target_names as _target_names
from analyzer.python.parse import ParsedModule
from analyzer.python.positions import Positions
from analyzer.python.scopes import Scope
from analyzer.python.templates import TemplateBuilder
from analyzer.python.traverse import child_nodes
from analyzer.readers.peewee_fields import (
    MODEL_KEYWORDS,
    PEEWEE_FOREIGN_KEYS,
    PEEWEE_NO_COLUMN,
    PEEWEE_PRIMARY,
    class_field_init,
    field_call,
    is_peewee_field,
    peewee_key_name,
    written,
)
from analyzer.readers.sinks import (
    ATTRIBUTE_SET,
    QUERY_HELD,
    RELATIONSHIP_WRITE,
    ROW_METHOD,
    ROW_METHOD_WRITES,
    SQLALCHEMY_ROOTS,
    TABLE_COLUMNS,
    TABLE_STATEMENT_METHODS,
    in_memory_sqlite,
)

__all__ = ["read_sqlalchemy"]

# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

#: Classes (last name) whose instances hold a declarative base or a MetaData, by the kind of
#: `OrmBaseFactory` a call of them (or of a class of this module deriving from them) makes.
_FACTORY_CLASSES: dict[str, str] = {
    "SQLAlchemy": "flask_sqlalchemy",
    "registry": "registry_object",
    "MetaData": "metadata",
}
#: Packages whose `stamp` marks a database as migrated (`alembic.command.stamp`,
#: `flask_migrate.stamp`).
_STAMP_ROOTS = frozenset({"alembic", "flask_migrate"})
#: Imports from these top-level packages never bind a model or a table of the scanned project:
#: the standard library, SQLAlchemy's own packages and a few frameworks that are imported
#: everywhere (only to keep the facts small; the resolver would drop their names anyway).
_LIBRARY_ROOTS: frozenset[str] = frozenset(sys.stdlib_module_names) | {
    "__future__",
    "typing_extensions",
    "sqlalchemy",
    "sqlmodel",
    "flask_sqlalchemy",
    "alembic",
    "fastapi",
    "starlette",
    "pydantic",
    "flask",
    "werkzeug",
    "pytest",
    "click",
    "typer",
}
#: Free names that a star import cannot provide.
_BUILTINS = frozenset(dir(builtins)) | {"self", "cls", "__file__"}
#: Importing one of these makes a module ORM-relevant even when it binds no candidate name.
_SQLA_ROOTS = SQLALCHEMY_ROOTS
#: Keywords of SQLAlchemy's ``Table`` that may come with its name alone (reflection); not
#: `schema`, which BigQuery's `Table(table_ref, schema=fields)` takes too.
_TABLE_KEYWORDS = frozenset(
    {"autoload_with", "autoload", "autoload_replace", "extend_existing", "keep_existing",
     "must_exist", "include_columns", "resolve_fks"}
)
#: Receivers of a lightweight ``x.table("name", ...)``.
_TABLE_MODULES = frozenset({"sa", "sql", "sqlalchemy", "expression", "sqlmodel"})

_COLUMN_CALLS = frozenset({"Column", "mapped_column"})
_RELATIONSHIP_CALLS = frozenset({"relationship", "Relationship", "relation", "dynamic_loader"})
_NOT_COLUMN_CALLS = frozenset(
    {
        "column_property",
        "synonym",
        "query_expression",
        "composite",
        "association_proxy",
        "hybrid_property",
        "hybrid_method",
        "comparable_property",
        "backref",
        *_RELATIONSHIP_CALLS,
    }
)

#: Subscripted names that make a type expression (``Mapped[User]``, ``list[User]``...).
_TYPE_WRAPPERS = frozenset(
    {
        "Mapped",
        "WriteOnlyMapped",
        "DynamicMapped",
        "Optional",
        "Union",
        "List",
        "list",
        "Set",
        "set",
        "FrozenSet",
        "frozenset",
        "Tuple",
        "tuple",
        "Dict",
        "dict",
        "Mapping",
        "MutableMapping",
        "Type",
        "type",
        "Sequence",
        "MutableSequence",
        "Iterable",
        "Iterator",
        "Collection",
        "ClassVar",
        "Annotated",
        "Final",
        "Callable",
        "Awaitable",
        "Coroutine",
        "AsyncIterator",
        "AsyncIterable",
        "Generator",
        "AsyncGenerator",
        "Literal",
        "TypeGuard",
        "Required",
        "NotRequired",
    }
)
_DICT_WRAPPERS = frozenset({"Dict", "dict", "Mapping", "MutableMapping"})

_TABLE_WRITE_METHODS = frozenset({"insert", "update", "delete"})
_TABLE_READ_METHODS = frozenset(
    {"select", "join", "outerjoin", "alias", "exists", "count", "lateral", "tablesample"}
)
#: Attributes of a ``Table`` object: a lowercase chain is cut before them.
_TABLE_MEMBERS = frozenset(
    {
        *TABLE_COLUMNS,
        *_TABLE_WRITE_METHODS,
        *_TABLE_READ_METHODS,
        "name",
        "schema",
        "fullname",
        "primary_key",
        "foreign_keys",
        "indexes",
        "constraints",
        "create",
        "drop",
        "to_metadata",
        "tometadata",
        "metadata",
        "table_valued",
    }
)

#: peewee_migrate's `Migrator` operations read as schema changes (`PeeweeMigratorOp`); others
#: (`add_index`, `add_not_null`, `change_fields`...) leave the tables and columns as they are.
PEEWEE_MIGRATOR_OPS = frozenset(
    {"add_fields", "add_columns", "remove_fields", "drop_columns", "rename_field",
     "rename_column", "rename_table", "create_model", "create_table", "remove_model",
     "drop_table"}
)

#: Methods of a peewee model instance that write its row (`PEEWEE_INSTANCE_WRITES`).
PEEWEE_INSTANCE_WRITES = frozenset({"save", "delete_instance"})

_NAME_ATTRIBUTES = frozenset({"__tablename__", "__table__"})
#: What `Model.__table__.<part>` tells of the table without a query.
_TABLE_NAME_PARTS = frozenset({"name", "schema", "fullname", "key", "metadata"})
#: What a mapped attribute tells of its column without a query (`User.name.property`,
#: `User.name.type.length`, `User.name.info`)
_COLUMN_METADATA = frozenset({"property", "type", "info", "comparator", "prop"})
_IDENTIFIER_RE = re.compile(r"[A-Za-z_][\w.]*")
_MAPPED_STRING_RE = re.compile(r"\s*(?:\w+\.)*Mapped\[")


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def read_sqlalchemy(
    parsed: ParsedModule, builder: TemplateBuilder, module_scope: Scope
) -> OrmFacts:
    """ORM declarations and candidate model/table uses of one parsed module.

    Pure and total: on an internal error (including ``RecursionError``) it returns what was
    collected so far.
    """
    facts = OrmFacts()
    module = parsed.tree
    if not module.body:
        return facts
    try:
        reader = _Reader(module, parsed.positions, facts, builder, module_scope)
        reader.scan(module.body, "module")
        if reader.bound or reader.sqla or reader.star or reader.stamps:
            reader.walk_module(module)
            reader.create_all_neighbours()
    except Exception:  # one odd file must not abort a scan: keep what was collected
        pass
    return facts


# --------------------------------------------------------------------------------------------
# Small helpers on nodes
# --------------------------------------------------------------------------------------------


def _last(func: cst.BaseExpression) -> str | None:
    """Last name of a called expression: ``Column`` for ``sa.Column``; None for other shapes."""
    if isinstance(func, cst.Attribute):
        return func.attr.value
    if isinstance(func, cst.Name):
        return func.value
    return None


#: Inspector methods listing what a database has (`inspect(engine).get_table_names()`).
_TABLE_LISTINGS = frozenset({"get_table_names", "get_view_names", "get_temp_table_names"})


def _lists_database_tables(node: cst.BaseExpression) -> bool:
    """`inspector.get_table_names()` (or a view or temporary table listing), perhaps
    wrapped (`sorted(...)`, `reversed(...)`)."""
    while isinstance(node, cst.Call):
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _TABLE_LISTINGS:
            return True
        if not node.args:
            return False
        node = node.args[0].value
    return False


def _conditional_column(node: cst.FunctionDef) -> cst.Call | None:
    """The column a `declared_attr` function returns on some path only: it also returns
    nothing (`return`, `return None`, or the end of the function), as a mixin declares a
    column only for the classes that turn it on (`if LinkType.event in
    cls.allowed_link_types: return Column(...)`)."""
    returns: list[cst.Return] = []
    stack: list[cst.CSTNode] = list(_block(node.body))
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Return):
            returns.append(current)
        elif not isinstance(current, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            stack.extend(current.children)
    columns = [
        r.value for r in returns
        if isinstance(r.value, cst.Call) and _last(r.value.func) in _COLUMN_CALLS
    ]
    if not columns:
        return None
    ends_in_return = any(
        isinstance(stmt, cst.SimpleStatementLine)
        and any(isinstance(small, cst.Return) for small in stmt.body)
        for stmt in _block(node.body)
    )
    if ends_in_return and not any(
        r.value is None or (isinstance(r.value, cst.Name) and r.value.value == "None")
        for r in returns
    ):
        return None
    return columns[0]  # type: ignore[return-value]


#: What a class body's attribute may be declared with, wrapped in a project's function
_DECLARING_CALLS = _COLUMN_CALLS | _RELATIONSHIP_CALLS | {"deferred", "column_property"}


def _unwrapped(call: cst.Call) -> cst.Call:
    """The column or relationship a wrapping function of the project is given first and
    returns (`with_roles(relationship(...), read={"all"})`, `immutable(mapped_column("type"))`,
    coaster's and many projects' way of marking attributes): the declaration is the inner
    call's. A call that is itself a declaration stays as it is."""
    inner = call
    for _ in range(3):
        if _last(inner.func) in _DECLARING_CALLS:
            return inner
        args = _positional(inner)
        if not args or not isinstance(args[0], cst.Call):
            break
        inner = args[0]
    return call


def _positional(call: cst.Call) -> list[cst.BaseExpression]:
    out = []
    for arg in call.args:
        if arg.keyword is not None or arg.star:
            if arg.star:
                break  # positions after *args are unknown
            continue
        out.append(arg.value)
    return out


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _block(body: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    """Statements of a suite (small statements directly for ``class A: x = 1``)."""
    return body.body


def _is_plain_value(node: cst.BaseExpression) -> bool:
    """A literal (string, number, True/False/None) or a container of literals: never a column."""
    if isinstance(node, cst.BaseString | cst.Integer | cst.Float | cst.Imaginary):
        return True
    if isinstance(node, cst.Name):
        return node.value in ("True", "False", "None")
    if isinstance(node, cst.UnaryOperation):
        return _is_plain_value(node.expression)
    if isinstance(node, cst.Tuple | cst.List | cst.Set):
        return all(
            isinstance(element, cst.Element) and _is_plain_value(element.value)
            for element in node.elements
        )
    if isinstance(node, cst.Dict):
        return all(
            isinstance(element, cst.DictElement)
            and _is_plain_value(element.key)
            and _is_plain_value(element.value)
            for element in node.elements
        )
    return False


def _reflects(call: cst.Call) -> bool:
    """`Table(..., autoload_with=engine)` / `autoload=True`: the table is read from the
    database (SQLAlchemy reflection), not declared."""
    if _keyword(call, "autoload_with") is not None:
        return True
    autoload = _keyword(call, "autoload")
    return isinstance(autoload, cst.Name) and autoload.value == "True"


def _is_type_checking(test: cst.BaseExpression) -> bool:
    """`if TYPE_CHECKING:` / `if typing.TYPE_CHECKING:`: code the interpreter never runs."""
    return _dotted(test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING")


def _is_classvar(annotation: cst.BaseExpression) -> bool:
    if isinstance(annotation, cst.Subscript):
        annotation = annotation.value
    dotted = _dotted(annotation)
    return dotted is not None and dotted.rsplit(".", 1)[-1] == "ClassVar"


def _columns_receiver(node: cst.BaseExpression) -> cst.BaseExpression | None:
    """`t` of `t.c.name` / `t.columns.name` (the innermost `.c`), None without one."""
    found = None
    while type(node) is cst.Attribute:
        if node.attr.value in TABLE_COLUMNS:  # type: ignore[attr-defined]
            found = node.value  # type: ignore[attr-defined]
        node = node.value  # type: ignore[attr-defined]
    return found


def _table_object_use(node: cst.BaseExpression, call: cst.Call | None
                      ) -> tuple[cst.BaseExpression, str, str] | None:
    """What a chain does with a table object it may be: its columns (`t.c.name`: a read) or a
    statement on it (`t.insert()`: a write; `t.select()`: a read). The first look reads a
    file with such a chain that imports SQLAlchemy (`relevance._table_object`)."""
    if call is not None and node is call.func and type(node) is cst.Attribute:
        method = node.attr.value  # type: ignore[attr-defined]
        if method in TABLE_STATEMENT_METHODS:
            kind = "read" if method == "select" else "write"
            return node.value, kind, "table_method"  # type: ignore[attr-defined]
    receiver = _columns_receiver(node)
    return (receiver, "read", "attribute") if receiver is not None else None


def _is_chain(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Name | cst.Attribute) and _dotted(node) is not None  # type: ignore[arg-type]


# MetaData.create_all(bind, tables=None, checkfirst=True); Flask-SQLAlchemy's
# db.create_all(bind_key="__all__"). A `service.create_all(db_session=..., items=...)` of the
# application is something else.
_CREATE_ALL_KEYWORDS = frozenset({"bind", "tables", "checkfirst", "bind_key"})


def _create_all_signature(call: cst.Call) -> bool:
    keywords = {arg.keyword.value for arg in call.args if arg.keyword is not None}
    positional = [arg for arg in call.args if arg.keyword is None and not arg.star]
    starred = any(arg.star for arg in call.args)
    return keywords <= _CREATE_ALL_KEYWORDS and len(positional) <= 2 and not starred


#: Class attributes naming the model generic code works on (`model_type = File` of
#: advanced_alchemy's repositories, `model = User` of CRUD bases and admin views, `db_model =
#: models.Trunk` of oslo.versionedobjects' data objects in neutron and its plugins)
_MODEL_ATTRIBUTES = frozenset({"model", "model_type", "model_class", "__model__", "db_model"})

#: Calls mapping a plain class to a Table object: SQLAlchemy's `registry.map_imperatively`
#: and the classic `mapper` (`sqlalchemy.orm.mapper`, before 2.0).
_IMPERATIVE_MAPPERS = frozenset({"map_imperatively", "mapper"})
#: Schema items declared beside a Table or model (`Index("ix", links.c.a, links.c.b)`): the
#: columns named in them are schema, not reads of the table
_SCHEMA_ITEMS = frozenset(
    {
        "Index", "UniqueConstraint", "CheckConstraint", "PrimaryKeyConstraint",
        "ForeignKeyConstraint", "ExcludeConstraint",
    }
)

#: `alembic.command.upgrade(cfg, "head")`, `flask_migrate.upgrade()`: calls that run migrations
_UPGRADE_RECEIVERS = frozenset({"command", "flask_migrate", "migrate"})


def _migrating_call(branch: cst.CSTNode) -> cst.Call | None:
    """The first call in `branch` (not inside a nested def or class) that runs the schema
    migrations: `command.upgrade(cfg, "head")`, a bare `upgrade()` (Flask-Migrate's),
    `subprocess.run(["alembic", "upgrade", "head"])`, `os.system("alembic upgrade head")`,
    Django's `call_command("migrate")`."""
    stack: list[cst.CSTNode] = [branch]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        if isinstance(node, cst.Call) and _runs_migrations(node):
            return node
        stack.extend(reversed(list(child_nodes(node))))
    return None


def _runs_migrations(call: cst.Call) -> bool:
    func = call.func
    name = _last(func)
    if name == "upgrade":
        if isinstance(func, cst.Name):
            return True
        receiver = _dotted(func.value) if isinstance(func, cst.Attribute) else None
        return receiver is not None and receiver.rsplit(".", 1)[-1] in _UPGRADE_RECEIVERS
    args = _positional(call)
    if not args:
        return False
    first = args[0]
    if name == "call_command":
        return isinstance(first, cst.SimpleString) and _string_value(
            first.prefix, first.raw_value
        ) == "migrate"
    words: list[str] = []
    if isinstance(first, cst.List | cst.Tuple):
        words = [
            _string_value(item.prefix, item.raw_value) or ""
            for item in _elements(first)
            if isinstance(item, cst.SimpleString)
        ]
    elif isinstance(first, cst.SimpleString):
        words = (_string_value(first.prefix, first.raw_value) or "").split()
    return len(words) >= 2 and words[0].rsplit("/", 1)[-1] in ("alembic", "flask") and (
        "upgrade" in words
    )


def _elements(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.List | cst.Tuple | cst.Set):
        return [el.value for el in node.elements]
    return []


# --------------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _ClassInfo:
    tablename: tuple[Part, ...] | None = None
    tablename_expr: str | None = None
    tablename_function: str | None = None
    table: OrmTable | None = None
    table_ref: str | None = None
    schema: str | None = None
    abstract: bool = False
    columns: list[OrmColumn] = field(default_factory=list)
    relationships: list[tuple[str, int]] = field(default_factory=list)
    backrefs: list[tuple[str, int]] = field(default_factory=list)
    secondaries: list[tuple[str, int, str]] = field(default_factory=list)
    metadata: str | None = None
    unread: list[str] = field(default_factory=list)
    fields: list[OrmColumn] = field(default_factory=list)
    field_calls: list[str] = field(default_factory=list)
    maybe_fields: list[OrmColumn] = field(default_factory=list)
    meta: list[tuple[str, str]] = field(default_factory=list)
    meta_table_name: tuple[Part, ...] | None = None


class _Reader:
    def __init__(
        self,
        module: cst.Module,
        positions: Positions,
        facts: OrmFacts,
        builder: TemplateBuilder,
        module_scope: Scope,
    ) -> None:
        self.module = module
        self.pos = positions
        self.facts = facts
        self.builder = builder
        self.module_scope = module_scope
        # statement scan
        self.bound: dict[str, str] = {}  # first name -> "class" | "table" | "from" | "module"
        self.module_paths: dict[str, list[tuple[str, ...]]] = {}  # "a" -> [("a", "b")]
        self.sqla_names: dict[str, str] = {}  # local -> name imported from SQLAlchemy packages
        self.sqla = False  # imports something from SQLAlchemy / SQLModel / Flask-SQLAlchemy
        self.star = False  # `from <project module> import *`: free names may come from it
        # imports Alembic's or Flask-Migrate's `stamp` (or `alembic.command`): the walk finds
        # the functions that stamp (`OrmFacts.stamping_functions`)
        self.stamps = False
        self.stamp_aliases: set[str] = set()  # local names of an imported `stamp`
        self.admin_models: set[int] = set()  # ids of the models `_admin_view` read
        # ids of the models named to peewee's `create_tables` or to a peewee_migrate
        # operation: schema, no row
        self.schema_models: set[int] = set()
        self.aliasing: set[int] = set()  # ids of the values of module-level aliases
        self.type_checking = 0  # > 0 inside `if TYPE_CHECKING:`
        self.known: set[str] = set()  # names imported or defined at module level (star case)
        self.class_tables: set[int] = set()  # ids of `__table__ = Table(...)` calls
        # module-level classes deriving from a factory class (`class DB(SQLAlchemy)`) -> the
        # kind of object their instances are
        self.factory_classes: dict[str, str] = {}
        # the module-level class whose body the statement scan is in, and the MetaData bound
        # in such bodies ("Model.metadata")
        self.scan_class: str | None = None
        self.class_metadata: set[str] = set()
        # expression walk
        self.qualnames: list[str | None] = [None]
        self.functions: list[str | None] = [None]
        self.kinds: list[str] = ["module"]
        self.no_refs = 0  # > 0 inside the body of a class that has bases
        self.scopes: list[Scope] = [module_scope]  # the shared scope model, innermost last
        self.loops: list[int] = []  # ids of the `for` statements around the walk, outer first
        self.reflecting = 0  # loops around the walk over a database's table names (`_for`)
        self._locals: dict[tuple[int, str], bool] = {}
        self.marks: dict[int, tuple[str, str]] = {}  # id(argument chain) -> (kind, context)
        self.ctor_marks: dict[int, str] = {}  # id(M(...) call) -> context (add, merge...)
        # calls whose result a method or attribute is read on (`Setting().get("x")`): a model
        # made only to call one of its methods is no new row
        self.receiver_calls: set[int] = set()
        self.assigned: dict[int, str] = {}  # id(call) -> module/class variable it is bound to
        self.seen: set[tuple[str, int, str, str]] = set()
        # the calls (their `func`) made in each function, and the function of each create_all
        self.calls_in: dict[str | None, list[cst.BaseExpression]] = {}
        self.create_all_functions: list[tuple[str | None, cst.BaseExpression]] = []
        # the other branch of each `if` around the walk (None: it has none); read only for a
        # create_all, to tell whether that branch runs the migrations instead
        self.other_branches: list[cst.CSTNode | None] = []

    # ---- utilities -------------------------------------------------------------------------

    def _build(self, node: cst.BaseExpression) -> tuple[Part, ...] | None:
        return self.builder.build(node, self.module_scope)

    def _line(self, node: cst.CSTNode) -> int:
        return self.pos.start_line(node)

    def _code(self, node: cst.CSTNode) -> str:
        if isinstance(node, cst.Name) and not node.lpar:
            return node.value
        return self.module.code_for_node(node)

    def _literal(self, node: cst.CSTNode) -> str | None:
        """Value of a plain string literal (no interpolation), else None."""
        if isinstance(node, cst.SimpleString):
            return _string_value(node.prefix, node.raw_value)
        if isinstance(node, cst.ConcatenatedString):
            parts = self._build(node)
            if parts is not None and all(isinstance(p, Literal) for p in parts):
                return "".join(p.text for p in parts)  # type: ignore[union-attr]
        return None

    def _parts(self, node: cst.BaseExpression, loops: tuple[int, ...] = ()) -> tuple[Part, ...]:
        """A name as string parts: literal / f-string / ... or a one-hole reference."""
        if self.builder.is_str(node):
            parts = self.builder.build(node, self.module_scope, loops)
            if parts is not None:
                return parts
        # a name or an expression (`__tablename__ = AUDIT_TABLE`), or in a loop (`for name in
        # NAMES: Table(name, md)`) each element: a hole with its value, for the evaluator
        return (self.builder.hole(node, "argument", self.module_scope, loops),)

    # ================================================================================
    # Pass 1: statements (imports, classes, assignments)
    # ================================================================================

    def scan(self, stmts: Sequence[cst.CSTNode], level: str) -> None:
        for stmt in stmts:
            kind = type(stmt)
            if kind is cst.SimpleStatementLine:
                for small in stmt.body:  # type: ignore[attr-defined]
                    self._small(small, level)
            elif kind is cst.ClassDef:
                if self.type_checking:
                    continue  # a class for the type checker only: never mapped at run time
                self._class(stmt, nested=level != "module")  # type: ignore[arg-type]
                if level == "module":
                    self.bound[stmt.name.value] = "class"  # type: ignore[attr-defined]
                    self.scan_class = stmt.name.value  # type: ignore[attr-defined]
                self.scan(_block(stmt.body), "class")  # type: ignore[attr-defined]
                if level == "module":
                    self.scan_class = None
            elif kind is cst.If and _is_type_checking(stmt.test):  # type: ignore[attr-defined]
                self.type_checking += 1
                try:
                    self.scan(_block(stmt.body), level)  # type: ignore[attr-defined]
                finally:
                    self.type_checking -= 1
                if stmt.orelse is not None:  # type: ignore[attr-defined]
                    for suite in suites(stmt.orelse):  # type: ignore[attr-defined]
                        self.scan(_block(suite), level)
            elif kind is cst.FunctionDef:
                if level == "module":
                    self.known.add(stmt.name.value)  # type: ignore[attr-defined]
                self.scan(_block(stmt.body), "function")  # type: ignore[attr-defined]
            elif isinstance(stmt, cst.BaseCompoundStatement):
                for suite in suites(stmt):
                    self.scan(_block(suite), level)
            else:
                self._small(stmt, level)

    def _small(self, node: cst.CSTNode, level: str) -> None:
        kind = type(node)
        if kind is cst.Import:
            self._import(node)  # type: ignore[arg-type]
        elif kind is cst.ImportFrom:
            self._import_from(node)  # type: ignore[arg-type]
        elif kind is cst.Assign or kind is cst.AnnAssign:
            if level == "module":
                targets = node.targets if kind is cst.Assign else (node,)  # type: ignore[attr-defined]
                for target in targets:
                    for leaf in _target_names(target.target):
                        if isinstance(leaf, cst.Name):
                            self.known.add(leaf.value)
            self._assignment(node, level)  # type: ignore[arg-type]
        elif kind is cst.Expr and level == "module":
            for name, value in published(node):  # type: ignore[arg-type]
                self.known.add(name.value)
                self._assignment(
                    cst.Assign(targets=[cst.AssignTarget(name)], value=value), level
                )

    def _bind(self, name: str, kind: str) -> None:
        if self.bound.get(name) not in ("class", "table"):
            self.bound[name] = kind

    def _import(self, node: cst.Import) -> None:
        for alias in node.names:
            dotted = _dotted(alias.name) or ""
            top = dotted.split(".", 1)[0]
            if not top:
                continue
            self.known.add(alias.evaluated_alias or top)
            if dotted in ("flask_migrate", "alembic.command"):
                self.stamps = True
            if top in _LIBRARY_ROOTS:
                self.sqla = self.sqla or top in _SQLA_ROOTS
                continue
            if alias.asname is not None:
                local = alias.evaluated_alias or top
                self._bind(local, "module")
                self.module_paths.setdefault(local, []).append((local,))
            else:
                self._bind(top, "module")
                self.module_paths.setdefault(top, []).append(tuple(dotted.split(".")))

    def _import_from(self, node: cst.ImportFrom) -> None:
        module = _dotted(node.module) if node.module is not None else ""
        top = (module or "").split(".", 1)[0]
        library = not node.relative and top in _LIBRARY_ROOTS
        sqla = library and top in _SQLA_ROOTS
        self.sqla = self.sqla or sqla
        if isinstance(node.names, cst.ImportStar):
            if sqla:
                self.sqla_names.update({"Table": "Table", "table": "table", "column": "column"})
            elif not library:
                self.star = True
            return
        if top in _STAMP_ROOTS:
            self.stamps = self.stamps or any(
                alias.evaluated_name in ("stamp", "command") for alias in node.names
            )
            # `from flask_migrate import stamp as fm_stamp`
            self.stamp_aliases.update(
                alias.evaluated_alias for alias in node.names
                if alias.evaluated_name == "stamp" and alias.evaluated_alias
            )
        for alias in node.names:
            local = alias.evaluated_alias or alias.evaluated_name
            self.known.add(local)
            if sqla:
                self.sqla_names[local] = alias.evaluated_name
            elif not library:
                self._bind(local, "from")

    def _assignment(self, node: cst.Assign | cst.AnnAssign, level: str) -> None:
        value = node.value
        if level == "module" and isinstance(value, cst.Name | cst.Attribute):
            self._alias(node, value)
            # `Item = AItem` (also in the branches of `if FLAVOR == ...`): another name for
            # the model, which the code then uses by it; naming it queries nothing
            self.aliasing.add(id(value))
        if not isinstance(value, cst.Call):
            return
        if isinstance(node, cst.Assign):
            targets = [t.target for t in node.targets]
        else:
            targets = [node.target]
        names = [t for t in targets if isinstance(t, cst.Name)]
        if not names:
            return
        kind = self._factory_kind(value)
        if kind == "metadata" and level == "class" and self.scan_class is not None:
            # `class Model: metadata = sa.MetaData()` with `users = sa.Table("users",
            # metadata, ...)` beside it: a MetaData reached as `Model.metadata`
            for name in names:
                variable = f"{self.scan_class}.{name.value}"
                self.class_metadata.add(variable)
                self.facts.bases.append(OrmBaseFactory(variable, kind, self._line(name)))
        elif kind is not None and (kind != "metadata" or level == "module"):
            metadata = self._metadata_argument(value)
            base_class = _keyword(value, "cls")
            cls = _dotted(base_class) if base_class is not None else None
            for name in names:
                self.facts.bases.append(
                    OrmBaseFactory(name.value, kind, self._line(name), metadata, cls)
                )
        elif level == "module" and self._table_kind(value) is not None:
            for name in names:
                self.bound[name.value] = "table"

    def _alias(self, node: cst.Assign | cst.AnnAssign, value: cst.Name | cst.Attribute) -> None:
        """`BaseModel = db.Model`: the name stands for another (`OrmFacts.aliases`). Under
        `if TYPE_CHECKING:` it is the type checker's view only, so the `else:` one counts."""
        if self.type_checking:
            return
        targets = node.targets if isinstance(node, cst.Assign) else (node,)
        if len(targets) != 1 or not isinstance(targets[0].target, cst.Name):
            return
        dotted = _dotted(value)
        name = targets[0].target.value  # type: ignore[union-attr]
        if dotted is None or dotted == name:
            return
        aliases = self.facts.aliases
        if aliases.get(name, dotted) != dotted:
            aliases[name] = ""  # bound to two names: neither is sure
        else:
            aliases[name] = dotted

    def _factory_kind(self, call: cst.Call) -> str | None:
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "generate_base":
            return "registry"
        last = _last(func)
        if last == "declarative_base":
            return "declarative_base"
        return self._factory_of(last or "")

    def _factory_of(self, name: str) -> str | None:
        """The `OrmBaseFactory` kind of an instance of class `name` (by its last part): a factory
        class, or a class of this module deriving from one."""
        return _FACTORY_CLASSES.get(name) or self.factory_classes.get(name)

    @staticmethod
    def _metadata_argument(call: cst.Call) -> str | None:
        """`declarative_base(metadata=md)`, `registry(metadata=md).generate_base()`; for
        `reg.generate_base()` on a registry object bound elsewhere, that object (`reg`), whose
        own MetaData the mapper follows."""
        for candidate in (call, call.func.value if isinstance(call.func, cst.Attribute) else None):
            if isinstance(candidate, cst.Call):
                value = _keyword(candidate, "metadata")
                if value is not None:
                    return _dotted(value)
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value == "generate_base":
            return _dotted(func.value)
        return None

    # ---- tables ----------------------------------------------------------------------------

    def _table_kind(self, call: cst.Call) -> str | None:
        """``Table`` / ``table`` when ``call`` declares one (structural checks, no resolution)."""
        func = call.func
        if isinstance(func, cst.Name):
            imported = self.sqla_names.get(func.value)
            name = imported or func.value
        elif isinstance(func, cst.Attribute):
            imported = None
            name = func.attr.value
        else:
            return None
        if name != "Table" and name != "table":
            return None
        args = _positional(call)
        if not args:
            return None
        if name == "Table":
            if len(args) >= 2 and self.builder.is_str(args[1]):
                return None  # e.g. rich.table.Table("Name", "Size")
            if isinstance(args[0], cst.Integer | cst.Float):
                return None  # `Gtk.Table(3, 2)`: SQLAlchemy's first argument is the name
            if isinstance(func, cst.Name) and imported is None and (
                self.bound.get(func.value) == "class"
            ):
                return None  # the module's own class `Table` (`Table(self, name)`)
            receiver = func.value if isinstance(func, cst.Name) else (
                func.value.value if isinstance(func.value, cst.Name) else None
            )
            if (
                receiver is not None and imported is None
                and self.bound.get(receiver) == "from"
                and not self.builder.is_str(args[0])
                and not any(
                    isinstance(a, cst.Call) and self._orig_name(a.func) == "Column"
                    for a in args[1:]
                )
            ):
                # `from app.lib.table import Table`, then `Table(rows, columns)`, or `from
                # gi.repository import Gtk`, then `Gtk.Table(rows, columns)`: a class of that
                # module (an HTML table, a widget), not SQLAlchemy's re-exported, which would
                # name its table or hold columns
                return None
            if len(args) == 1 and imported is None and not any(
                arg.star or (arg.keyword is not None and arg.keyword.value in _TABLE_KEYWORDS)
                for arg in call.args
            ):
                # SQLAlchemy's Table takes a MetaData or columns after its name (Flask-
                # SQLAlchemy's `db.Table("links", db.Column(...))`), or reflects
                # (`autoload_with=`): one name alone is another library's table, such as a
                # DynamoDB resource's `client.Table("Main")`
                return None
            return name
        # lightweight table("name", column("a"), ...)
        if not self.builder.is_str(args[0]):
            return None
        if imported == "table":
            return name
        if isinstance(func, cst.Attribute):
            receiver = _dotted(func.value)
            if receiver is not None and receiver.rsplit(".", 1)[-1] in _TABLE_MODULES:
                return name
        rest = args[1:]
        if rest and all(
            isinstance(a, cst.Call) and self._orig_name(a.func) == "column" for a in rest
        ):
            return name
        return None

    def _orig_name(self, func: cst.BaseExpression) -> str | None:
        if isinstance(func, cst.Name):
            return self.sqla_names.get(func.value, func.value)
        return _last(func)

    def _table(
        self, call: cst.Call, variable: str | None, loops: tuple[int, ...] = ()
    ) -> OrmTable | None:
        kind = self._table_kind(call)
        if kind is None:
            return None
        args = _positional(call)
        column_call = "Column" if kind == "Table" else "column"
        columns = []
        for arg in args[1:]:
            if isinstance(arg, cst.Call) and self._orig_name(arg.func) == column_call:
                column = self._column(arg, None, self._line(arg), loops)
                if column is not None:
                    columns.append(column)
        schema_node = _keyword(call, "schema")
        metadata = (
            _dotted(args[1])
            if kind == "Table" and len(args) >= 2 and isinstance(args[1], cst.Name | cst.Attribute)
            else None
        )
        if metadata is not None and "." not in metadata and self.kinds[-1] == "class":
            in_class = f"{self.qualnames[-1]}.{metadata}"
            if in_class in self.class_metadata:  # the class body's own MetaData
                metadata = in_class
        if metadata is None and kind == "Table" and isinstance(call.func, cst.Attribute):
            # Flask-SQLAlchemy's `db.Table("links", Column(...))` takes `db`'s MetaData itself;
            # the mapper resolves the receiver (a module such as `sa` is no MetaData)
            metadata = _dotted(call.func.value)
        return OrmTable(
            variable=variable,
            name=self._parts(args[0], loops),
            line=self._line(call),
            schema=self._literal(schema_node) if schema_node is not None else None,
            columns=tuple(columns),
            lightweight=kind == "table",
            metadata=metadata,
            reflected=kind == "Table" and (_reflects(call) or self.reflecting > 0),
            loops=loops,
        )

    def _column(
        self, call: cst.Call, attribute: str | None, line: int, loops: tuple[int, ...] = ()
    ) -> OrmColumn | None:
        name = attribute
        args = _positional(call)
        template = None
        if args:
            literal = self._literal(args[0])
            if literal is not None:
                name = literal
            elif loops and self.builder.is_str(args[0]):
                template = self.builder.build(args[0], self.module_scope, loops)
        keyword = _keyword(call, "name")
        if keyword is not None:
            literal = self._literal(keyword)
            if literal is not None:
                name, template = literal, None
        if template is not None:
            name = self._code(args[0])  # stands for the column until the mapper computes it
        if name is None:
            return None
        return OrmColumn(
            attribute, name, line, self._foreign_key(call),
            _is_true(_keyword(call, "primary_key")), template,
            self._foreign_key_template(call, loops) if loops else None,
        )

    def _foreign_key_template(
        self, call: cst.Call, loops: tuple[int, ...]
    ) -> tuple[Part, ...] | None:
        """`ForeignKey(f"{entity}s.id")` in a Table in a loop: the target as a template."""
        for arg in call.args:
            value = arg.value
            if isinstance(value, cst.Call) and _last(value.func) == "ForeignKey":
                target = _positional(value)
                if target and self._literal(target[0]) is None and self.builder.is_str(target[0]):
                    return self.builder.build(target[0], self.module_scope, loops)
        return None

    def _foreign_key(self, call: cst.Call, depth: int = 0) -> str | None:
        for arg in call.args:
            value = arg.value
            if arg.keyword is not None and arg.keyword.value == "foreign_key":  # SQLModel Field
                literal = self._literal(value)
                if literal is not None:
                    return literal
            if isinstance(value, cst.Call):
                if _last(value.func) == "ForeignKey":
                    args = _positional(value)
                    if args:
                        literal = self._literal(args[0])
                        if literal is not None:
                            return literal
                elif depth < 3:
                    found = self._foreign_key(value, depth + 1)
                    if found is not None:
                        return found
        return None

    # ---- classes ---------------------------------------------------------------------------

    def _class(self, node: cst.ClassDef, *, nested: bool) -> None:
        bases = []
        for arg in node.bases:
            if arg.star:
                continue
            value = arg.value
            if isinstance(value, cst.Subscript):
                value = value.value
            dotted = _dotted(value)
            if dotted is not None:
                bases.append(dotted)
        keywords = tuple(
            (arg.keyword.value, self._code(arg.value))
            for arg in node.keywords
            if arg.keyword is not None
        )
        decorators = []
        decorated_metadata = None  # `@as_declarative(metadata=Base.metadata)`
        for decorator in node.decorators:
            expr = decorator.decorator
            dotted = _dotted(expr.func if isinstance(expr, cst.Call) else expr)
            if dotted is not None:
                decorators.append(dotted)
            if isinstance(expr, cst.Call) and (given := _keyword(expr, "metadata")) is not None:
                decorated_metadata = _dotted(given)
        sqlmodel = ("table", "True") in keywords or any(
            base.rsplit(".", 1)[-1] == "SQLModel" for base in bases
        )
        if not nested:
            for base in bases:
                factory = self._factory_of(base.rsplit(".", 1)[-1])
                if factory is not None:
                    # `db = DB()` of `class DB(SQLAlchemy)` is a Flask-SQLAlchemy object too
                    self.factory_classes[node.name.value] = factory
                    break
        info = _ClassInfo()
        for stmt in _block(node.body):
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:  # type: ignore[attr-defined]
                    self._class_statement(info, small, sqlmodel)
            elif type(stmt) is cst.FunctionDef:
                self._declared_attr(info, stmt)  # type: ignore[arg-type]
            elif type(stmt) is cst.ClassDef and stmt.name.value == "Meta":  # type: ignore[attr-defined]
                self._meta(info, stmt)  # type: ignore[arg-type]
            else:
                self._class_statement(info, stmt, sqlmodel)
        self.facts.classes.append(
            OrmClass(
                name=node.name.value,
                line=self._line(node.name),
                bases=tuple(bases),
                keywords=keywords,
                decorators=tuple(decorators),
                tablename=info.tablename,
                tablename_expr=info.tablename_expr,
                tablename_function=info.tablename_function,
                table=info.table,
                table_ref=info.table_ref,
                schema=info.schema,
                abstract=info.abstract,
                columns=tuple(info.columns),
                relationships=tuple(info.relationships),
                backrefs=tuple(info.backrefs),
                secondaries=tuple(info.secondaries),
                nested=nested,
                metadata=info.metadata if info.metadata is not None else decorated_metadata,
                unread=tuple(dict.fromkeys(info.unread)),
                fields=tuple(info.fields),
                field_calls=tuple(info.field_calls),
                maybe_fields=tuple(info.maybe_fields),
                meta=tuple(info.meta),
                meta_table_name=info.meta_table_name,
                field_init=class_field_init(node, self.module),
            )
        )

    def _meta(self, info: _ClassInfo, node: cst.ClassDef) -> None:
        """peewee's `class Meta:` options, as written (`table_name` as parts too)."""
        for stmt in _block(node.body):
            if type(stmt) is not cst.SimpleStatementLine:
                continue
            for small in stmt.body:  # type: ignore[attr-defined]
                if not isinstance(small, cst.Assign):
                    continue
                for target in small.targets:
                    if not isinstance(target.target, cst.Name):
                        continue
                    key = target.target.value
                    info.meta.append((key, self._code(small.value)))
                    if key in ("table_name", "db_table"):
                        info.meta_table_name = self._parts(small.value)

    def _peewee_field(self, call: cst.Call, attribute: str, line: int) -> OrmColumn | None:
        """The column a peewee field makes (None for a `ManyToManyField`): `column_name=`
        (or `db_column=`), else the attribute, `<attr>_id` for a foreign key (peewee's
        `ForeignKeyField.bind`), with the model a foreign key refers to. A field of a class
        peewee does not name (`OwnerField()`) keeps its call (`PeeweeFieldCall`): the mapper
        reads it as the peewee field the class derives from.

        `db_column=` is peewee 2's keyword. peewee 3 and 4 still accept it as a deprecated
        alias that wins over `column_name=` (`Field.__init__`: `column_name = db_column`), so
        it names the column whatever version the code targets; likewise `rel_model=`, peewee
        2's name of `ForeignKeyField`'s model."""
        called = _last(call.func)
        if called in PEEWEE_NO_COLUMN:
            return None
        given = _keyword(call, "db_column") or _keyword(call, "column_name")
        name = self._literal(given) if given is not None else None
        target = None
        if called in PEEWEE_FOREIGN_KEYS:
            if name is None:
                name = peewee_key_name(attribute)
            args = _positional(call)
            models = [args[0]] if args else []
            models += [m for k in MODEL_KEYWORDS if (m := _keyword(call, k)) is not None]
            target = next(
                (found for m in models if (found := written(m, self.module)) is not None), None
            )
        primary = called in PEEWEE_PRIMARY or _is_true(_keyword(call, "primary_key"))
        known = called in PEEWEE_FOREIGN_KEYS or called in PEEWEE_PRIMARY
        return OrmColumn(
            attribute, name or attribute, line, primary_key=primary, target=target,
            call=None if known else field_call(call, self.module, name is not None),
        )

    def _class_statement(self, info: _ClassInfo, node: cst.CSTNode, sqlmodel: bool) -> None:
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name):
                    self._class_attribute(info, target.target, None, node.value, sqlmodel)
        elif isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
            self._class_attribute(
                info, node.target, node.annotation.annotation, node.value, sqlmodel
            )

    def _class_attribute(
        self,
        info: _ClassInfo,
        target: cst.Name,
        annotation: cst.BaseExpression | None,
        value: cst.BaseExpression | None,
        sqlmodel: bool,
    ) -> None:
        name = target.value
        line = self._line(target)
        if name == "metadata" and value is not None:
            # a declarative base's own MetaData (`metadata = MetaData(schema=...)`) or a shared one
            if isinstance(value, cst.Call) and _last(value.func) == "MetaData":
                info.metadata = ""
                return
            if isinstance(value, cst.Name | cst.Attribute):
                info.metadata = _dotted(value)
                return
        if name.startswith("__") and name.endswith("__"):
            if value is not None:
                self._dunder(info, name, value)
            return
        if annotation is not None and _is_classvar(annotation):
            return
        if isinstance(value, cst.Call):
            value = _unwrapped(value)
            called = _last(value.func)
            if is_peewee_field(called):
                # read for peewee; for any other library it stays a call it does not know
                info.field_calls.append(name)
                peewee = self._peewee_field(value, name, line)
                if peewee is not None:
                    info.fields.append(peewee)
            if called in _COLUMN_CALLS:
                column = self._column(value, name, line)
                if column is not None:
                    info.columns.append(column)
                return
            if called in ("deferred", "column_property"):
                # `column_property(Column(...))` declares a real column; over an expression
                # (`column_property(select(...))`) it is computed, not stored
                args = _positional(value)
                if args and isinstance(args[0], cst.Call) and _last(args[0].func) in _COLUMN_CALLS:
                    column = self._column(args[0], name, line)
                    if column is not None:
                        info.columns.append(column)
                return
            if called in _RELATIONSHIP_CALLS:
                target_name = self._relationship_target(value, annotation)
                if target_name is not None:
                    info.relationships.append((target_name, line))
                    if _keyword(value, "backref") is not None:
                        info.backrefs.append((target_name, line))
                self._secondary(info, value, line, name)
                return
            if called in _NOT_COLUMN_CALLS:
                return
            if called == "Field" and sqlmodel and annotation is not None:
                info.columns.append(self._field(value, name, line))
                return
        if annotation is not None:
            if self._is_mapped(annotation):
                if value is None or isinstance(value, cst.Call):
                    info.columns.append(OrmColumn(name, name, line))
                return
            if sqlmodel and not name.startswith("_"):
                info.columns.append(OrmColumn(name, name, line))
                return
        if value is not None and not _is_plain_value(value):
            # a helper's call (`id = primary_key()`), a name (`created_by = CREATED_BY`)...
            info.unread.append(name)
            if isinstance(value, cst.Call) and (_last(value.func) or "a")[:1].isupper():
                # `parent = ParentRef()`: a class's call, perhaps of a peewee field's subclass
                maybe = self._peewee_field(value, name, line)
                if maybe is not None and maybe.call is not None:
                    info.maybe_fields.append(maybe)

    def _dunder(self, info: _ClassInfo, name: str, value: cst.BaseExpression) -> None:
        if name == "__tablename__":
            if not (isinstance(value, cst.Name) and value.value == "None"):
                info.tablename = self._parts(value)
        elif name == "__table__":
            if isinstance(value, cst.Call):
                table = self._table(value, "__table__")
                if table is not None:
                    info.table = table
                    self.class_tables.add(id(value))
            else:
                info.table_ref = _dotted(value)
        elif name == "__table_args__":
            info.schema = self._table_args_schema(value)
        elif name == "__abstract__":
            info.abstract = isinstance(value, cst.Name) and value.value == "True"

    def _table_args_schema(self, value: cst.BaseExpression) -> str | None:
        if isinstance(value, cst.Tuple | cst.List):
            items = _elements(value)
            if not items:
                return None
            value = items[-1]
        if isinstance(value, cst.Dict):
            for element in value.elements:
                if isinstance(element, cst.DictElement) and self._literal(element.key) == "schema":
                    return self._literal(element.value)
        elif isinstance(value, cst.Call):
            # `dict(schema="x")`, and a project's helper given the schema to put there
            # (`auto_table_args(cls, schema="roombooking")`)
            schema = _keyword(value, "schema")
            return self._literal(schema) if schema is not None else None
        return None

    def _declared_attr(self, info: _ClassInfo, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            # sqlalchemy_utils' `@aggregated("memberships", Column(Integer, default=0))`: a
            # column named after the method, which the library keeps up to date
            found = decorator.decorator
            if isinstance(found, cst.Call) and _last(found.func) == "aggregated":
                args = _positional(found)
                if len(args) >= 2 and isinstance(args[1], cst.Call) and (
                    _last(args[1].func) in _COLUMN_CALLS
                ):
                    column = self._column(args[1], node.name.value, self._line(node.name))
                    if column is not None:
                        info.columns.append(column)
                return
        if not any(
            "declared_attr" in (_dotted(d.decorator) or "").split(".") for d in node.decorators
        ):
            return
        returned = None
        for stmt in _block(node.body):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Return):
                        returned = small.value
                        break
            if returned is not None:
                break
        name = node.name.value
        if not name.startswith("__"):
            column = _conditional_column(node)
            if column is not None:
                # `if not cls.allow_emails: return` / `if ...: return Column(...)`: whether the
                # class has the column depends on the class; neither said present nor absent
                info.unread.append(name)
                return
        if returned is None:
            return
        if name == "__tablename__":
            info.tablename_expr = self._code(returned)
            scope = self.builder.translator.model.scope_of(node)
            info.tablename_function = scope.qualname if scope is not None else None
            if isinstance(returned, cst.SimpleString | cst.ConcatenatedString):
                parts = self._build(returned)
                if parts is not None and all(isinstance(p, Literal) for p in parts):
                    info.tablename = parts
        elif name == "__table_args__":
            info.schema = self._table_args_schema(returned)
        elif not name.startswith("__") and isinstance(returned, cst.Call):
            line = self._line(node.name)
            called = _last(returned.func)
            if called in _COLUMN_CALLS:
                column = self._column(returned, name, line)
                if column is not None:
                    info.columns.append(column)
            elif called in _RELATIONSHIP_CALLS:
                target = self._relationship_target(returned, None)
                if target is not None:
                    info.relationships.append((target, line))
                    if _keyword(returned, "backref") is not None:
                        info.backrefs.append((target, line))
                self._secondary(info, returned, line, name)

    def _field(self, call: cst.Call, attribute: str, line: int) -> OrmColumn:
        """SQLModel ``Field(...)``: ``sa_column=Column("db_name", ...)`` overrides the name."""
        name = attribute
        sa_column = _keyword(call, "sa_column")
        if isinstance(sa_column, cst.Call) and _last(sa_column.func) in _COLUMN_CALLS:
            column = self._column(sa_column, attribute, line)
            if column is not None:
                name = column.name
        primary = _is_true(_keyword(call, "primary_key")) or (
            isinstance(sa_column, cst.Call) and _is_true(_keyword(sa_column, "primary_key"))
        )
        return OrmColumn(attribute, name, line, self._foreign_key(call), primary)

    def _is_mapped(self, annotation: cst.BaseExpression) -> bool:
        if isinstance(annotation, cst.Subscript):
            dotted = _dotted(annotation.value)
            return dotted is not None and dotted.rsplit(".", 1)[-1] == "Mapped"
        if isinstance(annotation, cst.SimpleString):
            text = self._literal(annotation)
            return text is not None and _MAPPED_STRING_RE.match(text) is not None
        return False

    def _secondary(self, info: _ClassInfo, call: cst.Call, line: int, attribute: str) -> None:
        """`secondary=assoc`, `secondary="assoc"`, `secondary=lambda: assoc`, or the second
        positional argument (`relationship("Term", assoc)`), with the relationship's
        attribute."""
        value = _keyword(call, "secondary")
        if value is None:
            positional = _positional(call)
            value = positional[1] if len(positional) >= 2 else None
        if isinstance(value, cst.Lambda):
            value = value.body
        if value is None:
            return
        literal = self._literal(value)
        if literal is not None:
            if literal.strip():
                info.secondaries.append((repr(literal.strip()), line, attribute))
            return
        dotted = _dotted(value)
        if dotted is not None:
            info.secondaries.append((dotted, line, attribute))

    def _relationship_target(
        self, call: cst.Call, annotation: cst.BaseExpression | None
    ) -> str | None:
        args = _positional(call)
        target = args[0] if args else _keyword(call, "argument")
        if isinstance(target, cst.Lambda):
            target = target.body
        if target is not None:
            literal = self._literal(target)
            if literal is not None:
                return literal.strip() or None
            dotted = _dotted(target)
            if dotted is not None:
                return dotted
        if annotation is not None:
            return self._annotation_target(annotation)
        return None

    def _annotation_target(self, expr: cst.BaseExpression) -> str | None:
        """The entity of ``Mapped[list["Target"]]`` / ``Target | None`` / ``"Target"``..."""
        for _ in range(16):
            if isinstance(expr, cst.SimpleString | cst.ConcatenatedString):
                text = self._literal(expr)
                if text is None:
                    return None
                for word in _IDENTIFIER_RE.findall(text):
                    last = word.rsplit(".", 1)[-1]
                    if last not in _TYPE_WRAPPERS and last != "None":
                        return word
                return None
            if isinstance(expr, cst.Subscript):
                dotted = _dotted(expr.value)
                items = [el.slice.value for el in expr.slice if isinstance(el.slice, cst.Index)]
                last = dotted.rsplit(".", 1)[-1] if dotted is not None else None
                if last not in _TYPE_WRAPPERS or not items:
                    return dotted
                items = [i for i in items if not (isinstance(i, cst.Name) and i.value == "None")]
                if not items:
                    return None
                expr = items[-1] if last in _DICT_WRAPPERS else items[0]
                continue
            if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr):
                left = expr.left
                expr = expr.right if isinstance(left, cst.Name) and left.value == "None" else left
                continue
            dotted = _dotted(expr)
            return dotted if dotted != "None" else None
        return None

    # ================================================================================
    # Pass 2: expressions (tables anywhere, references)
    # ================================================================================

    def walk_module(self, module: cst.Module) -> None:
        for stmt in module.body:
            self.walk(stmt)

    def create_all_neighbours(self) -> None:
        """`CreateAllCall.nearby`: the other calls of the function making each create_all."""
        for stamper in dict.fromkeys(self.facts.stamping_functions):
            called = {
                sys.intern(name)
                for func in self.calls_in.get(stamper, ())
                if (name := _dotted(func)) is not None and not name.endswith("stamp")
            }
            if called:
                self.facts.stamping_calls[stamper] = tuple(sorted(called))
        calls = self.facts.create_all
        for index, (function, own) in enumerate(self.create_all_functions):
            names = {
                sys.intern(name)
                for func in self.calls_in.get(function, ())
                if func is not own
                and (name := _dotted(func)) is not None
                and not name.endswith("create_all")
            }
            if names:
                calls[index] = replace(calls[index], nearby=tuple(sorted(names)))

    def walk(self, node: cst.CSTNode) -> None:
        _HANDLERS.get(type(node), _Reader._generic)(self, node)

    def _generic(self, node: cst.CSTNode) -> None:
        for child in child_nodes(node):
            self.walk(child)

    def _skip(self, node: cst.CSTNode) -> None:
        return None

    # ---- scopes ----------------------------------------------------------------------------

    def _push(self, name: str, kind: str) -> None:
        parent = self.qualnames[-1]
        qualname = f"{parent}.{name}" if parent else name
        self.qualnames.append(qualname)
        self.functions.append(qualname if kind == "function" else self.functions[-1])
        self.kinds.append(kind)

    def _pop(self) -> None:
        self.qualnames.pop()
        self.functions.pop()
        self.kinds.pop()

    def _enter(self, node: cst.CSTNode) -> None:
        scope = self.builder.translator.model.scope_of(node)
        self.scopes.append(scope if scope is not None else self.scopes[-1])

    def _local(self, name: str) -> bool:
        """Whether `name` is bound in the current function (a parameter or local variable
        hides a module-level model of the same name)."""
        scope = self.scopes[-1]
        key = (id(scope), name)
        found = self._locals.get(key)
        if found is None:
            translated = self.builder.translator.name(name, scope)
            found = self._locals[key] = not isinstance(translated, ir.Global | ir.Imported)
        return found

    def _defaults(self, params: cst.Parameters) -> None:
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.default is not None:
                self.walk(param.default)

    def _decorator(self, node: cst.Decorator) -> None:
        expr = node.decorator
        if isinstance(expr, cst.Call):
            if _last(expr.func) == "listens_for":
                # `@event.listens_for(Project.backend, "set")`: a listener registered on the
                # class or attribute (the table's DDL events are read by `_listened`)
                return
            for arg in expr.args:
                self.walk(arg.value)
        elif not _is_chain(expr):
            self.walk(expr)

    def _classdef(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self._decorator(decorator)
            if _dotted(decorator.decorator) == "migrator.create_model":
                # `@migrator.create_model class Tag(pw.Model)` in a peewee_migrate migration
                self.facts.migrator_ops.append(PeeweeMigratorOp(
                    "create_model", self._line(node.name), None, _top(self.functions[-1]),
                    f"@migrator.create_model class {node.name.value}",
                    local_class=node.name.value,
                ))
        has_bases = 1 if node.bases else 0
        self._push(node.name.value, "class")
        self._enter(node)
        self.no_refs += has_bases
        self.walk(node.body)
        self.no_refs -= has_bases
        self.scopes.pop()
        self._pop()

    def _if(self, node: cst.If) -> None:
        """Each branch is walked knowing its alternative (for `CreateAllCall.alternative`)."""
        self.walk(node.test)
        other = node.orelse
        self.other_branches.append(other)
        try:
            self.walk(node.body)
        finally:
            self.other_branches.pop()
        if other is not None:
            self.other_branches.append(node.body)
            try:
                self.walk(other)
            finally:
                self.other_branches.pop()

    def _alternative(self) -> str | None:
        """The migrations run by the other branch of an `if` around the current node."""
        for branch in reversed(self.other_branches):
            if branch is None:
                continue
            found = _migrating_call(branch)
            if found is not None:
                return f"line {self._line(found)}: {' '.join(self._code(found).split())[:80]}"
        return None

    def _funcdef(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            self._decorator(decorator)
        self._defaults(node.params)
        self._push(node.name.value, "function")
        self._enter(node)
        saved, self.no_refs = self.no_refs, 0
        self.walk(node.body)
        self.no_refs = saved
        self.scopes.pop()
        self._pop()

    def _lambda(self, node: cst.Lambda) -> None:
        self._defaults(node.params)
        self._enter(node)
        self.walk(node.body)
        self.scopes.pop()

    # ---- statements that store -------------------------------------------------------------

    def _target(self, node: cst.BaseExpression) -> None:
        """An assignment target: stores record nothing, but subscripts/calls inside load."""
        if isinstance(node, cst.Name):
            return
        if isinstance(node, cst.Attribute):
            if _dotted(node) is None:
                self.walk(node.value)
            elif (
                isinstance(node.value, cst.Name) and node.value.value not in ("self", "cls")
                and self.kinds[-1] == "function" and not self.no_refs
                and self._kind(node.value.value) is None
            ):
                # `shelf = Shelf.query.get(name)`, then `shelf.label = label`: the session
                # writes the change of a loaded row (`orm.uses` tells whether it is one)
                self._evaluated(node.value, node.value, "write", ATTRIBUTE_SET,
                                attribute=node.attr.value)
        elif isinstance(node, cst.Subscript):
            self.walk(node.value)
            for element in node.slice:
                self.walk(element.slice)
        elif isinstance(node, cst.Tuple | cst.List):
            for element in node.elements:
                self._target(element.value)
        elif isinstance(node, cst.StarredElement):
            self._target(node.value)
        else:
            self.walk(node)

    def _assign(self, node: cst.Assign) -> None:
        variable = None
        for target in node.targets:
            tgt = target.target
            if isinstance(tgt, cst.Name):
                if tgt.value == "__all__":
                    return
                variable = variable or tgt.value
                if tgt.value in _MODEL_ATTRIBUTES and self.kinds[-1] == "class":
                    self._model_attribute(node.value)
                elif self.kinds[-1] == "class" and isinstance(node.value, cst.Dict):
                    # flask-rest-jsonapi's `data_layer = {"session": db.session, "model":
                    # Page}`: the generic resource queries the model the dict names
                    for element in node.value.elements:
                        if isinstance(element, cst.DictElement) and (
                            self._literal(element.key) in _MODEL_ATTRIBUTES
                        ):
                            self._model_attribute(element.value)
            else:
                self._target(tgt)
        if (
            variable is not None
            and isinstance(node.value, cst.Call)
            and self.kinds[-1] != "function"
        ):
            self.assigned[id(node.value)] = variable
        self.walk(node.value)

    def _model_attribute(self, value: cst.BaseExpression) -> None:
        """`class FileRepository(Repository[File]): model_type = File`: generic code (a
        repository, an admin view, a CRUD base) queries the model it is given; a read with
        confidence low, since which methods run is not read."""
        if not self.no_refs:
            return  # a class without bases: the name walk counts the model already
        top = (self.qualnames[-1] or "").split(".", 1)[0]
        if any(
            c.name == top and (c.tablename is not None or c.tablename_expr or c.table)
            for c in self.facts.classes
        ):
            return  # inside a model's own body (`class Meta: model = User`): no use
        dotted = _dotted(value) if isinstance(value, cst.Name | cst.Attribute) else None
        if dotted is not None:
            leaf = value if isinstance(value, cst.Name) else value.attr  # type: ignore[union-attr]
            self._add(dotted, leaf, "read", "class_attribute", "low")  # type: ignore[arg-type]

    def _annassign(self, node: cst.AnnAssign) -> None:
        tgt = node.target
        if isinstance(tgt, cst.Name):
            if tgt.value == "__all__":
                return
            if tgt.value in _MODEL_ATTRIBUTES and self.kinds[-1] == "class" and node.value:
                self._model_attribute(node.value)
            if isinstance(node.value, cst.Call) and self.kinds[-1] != "function":
                self.assigned[id(node.value)] = tgt.value
        else:
            self._target(tgt)
        if node.value is not None:
            self.walk(node.value)

    def _augassign(self, node: cst.AugAssign) -> None:
        if isinstance(node.target, cst.Name) and node.target.value == "__all__":
            return
        self._target(node.target)
        self.walk(node.value)

    def _for(self, node: cst.For) -> None:
        self._target(node.target)
        self.walk(node.iter)
        loop = self.builder.translator.loop_of(node)
        if loop is not None:
            self.loops.append(loop)
        # `for name in inspector.get_table_names(): Table(name, metadata)`: a Table of each
        # table the database has, reflected to drop or read it, declaring none
        listing = _lists_database_tables(node.iter)
        self.reflecting += listing
        try:
            self.walk(node.body)
        finally:
            self.reflecting -= listing
            if loop is not None:
                self.loops.pop()
        if node.orelse is not None:
            self.walk(node.orelse)

    def _comprehension(
        self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp
    ) -> None:
        """`[session.query(model).count() for model in (Color, Size)]`: the element read in
        the comprehension's scope, inside its loops (`model` is each element, as in a `for`
        statement's body)."""
        self._enter(node)
        loops = 0
        comp: cst.CompFor | None = node.for_in
        try:
            while comp is not None:
                self._target(comp.target)
                self.walk(comp.iter)
                loop = self.builder.translator.loop_of(comp)
                if loop is not None:
                    self.loops.append(loop)
                    loops += 1
                for cond in comp.ifs:
                    self.walk(cond.test)
                comp = comp.inner_for_in
            if isinstance(node, cst.DictComp):
                self.walk(node.key)
                self.walk(node.value)
            else:
                self.walk(node.elt)
        finally:
            del self.loops[len(self.loops) - loops:]
            self.scopes.pop()

    def _compfor(self, node: cst.CompFor) -> None:
        self._target(node.target)
        self.walk(node.iter)
        for cond in node.ifs:
            self.walk(cond.test)
        if node.inner_for_in is not None:
            self.walk(node.inner_for_in)

    def _namedexpr(self, node: cst.NamedExpr) -> None:
        self.walk(node.value)

    def _withitem(self, node: cst.WithItem) -> None:
        self.walk(node.item)
        if node.asname is not None:
            self._target(node.asname.name)  # type: ignore[arg-type]

    def _except(self, node: cst.ExceptHandler) -> None:
        self.walk(node.body)  # exception classes are never models

    def _arg(self, node: cst.Arg) -> None:
        self.walk(node.value)

    def _subscript(self, node: cst.Subscript) -> None:
        dotted = _dotted(node.value)
        if dotted is not None and dotted.rsplit(".", 1)[-1] in _TYPE_WRAPPERS:
            return  # a type expression: Mapped[User], list[User], Optional[User]
        self.walk(node.value)
        for element in node.slice:
            self.walk(element.slice)

    def _match_as(self, node: cst.MatchAs) -> None:
        if node.pattern is not None:
            self.walk(node.pattern)

    def _match_class(self, node: cst.MatchClass) -> None:
        for pattern in node.patterns:
            self.walk(pattern.pattern)
        for keyword in node.kwds:
            self.walk(keyword.pattern)

    # ---- calls -----------------------------------------------------------------------------

    def _call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute):
            name: str | None = func.attr.value
            method = True
        elif isinstance(func, cst.Name):
            name = func.value
            method = False
        else:
            name = None
            method = False
        if (
            name == "Table"
            or name == "table"
            or (not method and self.sqla_names.get(name) in ("Table", "table"))  # type: ignore[arg-type]
        ) and id(node) not in self.class_tables:
            table = self._table(
                node, self.assigned.pop(id(node), None),
                tuple(self.loops) if self.kinds[-1] == "module" else (),
            )
            if table is not None:
                self.facts.tables.append(table)
        self.calls_in.setdefault(self.functions[-1], []).append(func)
        if name in ("create_engine", "connect") and node.args and in_memory_sqlite(
            self._literal(node.args[0].value), name
        ):
            self.facts.memory_databases.append(self._line(node))
        mapped = False  # an imperative mapping (`_imperative`)
        if name == "create_all" and method and _create_all_signature(node):
            self._create_all(node, func.value, node)  # type: ignore[union-attr]
        elif (
            method and name in PEEWEE_MIGRATOR_OPS
            and isinstance(func.value, cst.Name) and func.value.value == "migrator"  # type: ignore[union-attr]
        ):
            self._migrator_op(node, name)  # type: ignore[arg-type]
        elif name in ("create_tables", "create_table") and method:
            self._peewee_create(node, func.value, name)  # type: ignore[union-attr]
        elif name == "stamp" or (not method and name in self.stamp_aliases):
            self.facts.stamps_alembic = True
            function = self.functions[-1]
            if function is not None and "." not in function:
                self.facts.stamping_functions.append(function)
        elif name in _IMPERATIVE_MAPPERS and (mapping := self._imperative(node)) is not None:
            self.facts.imperative.append(mapping)
            mapped = True
        elif name in _ADVICE_CALLS and _tells_to_stamp(node):
            # `print("Now run ./db_migrate.py stamp head")` after `db.create_all()`: the
            # project's recipe is create_all then stamp, the operator (or a container's
            # entrypoint) running the second step
            self.facts.stamps_alembic = True
        for arg in node.args:
            value = arg.value
            if isinstance(value, cst.Attribute) and value.attr.value == "create_all":
                self._create_all(node, value.value, None)  # `conn.run_sync(md.create_all)`
        record_func = True
        if method and name in _COLLECTION_WRITES and not self.no_refs:
            self._collection_write(func.value)  # type: ignore[union-attr]
        if method and not self.no_refs and (
            (name in PEEWEE_INSTANCE_WRITES and not _positional(node))
            or name in ROW_METHOD_WRITES
        ):
            self._instance_write(node, func.value, name)  # type: ignore[union-attr]
        if name in _ADMIN_VIEWS and not method:
            self._admin_view(node)
        if name is not None and not self.no_refs:
            if not method and (name == "isinstance" or name == "issubclass"):
                if node.args:
                    self.walk(node.args[0].value)
                return
            if not method and name == "super":
                return  # `super(User, self).__init__(...)`: the class's ancestry, no query
            context = _CALL_CONTEXTS.get(name)
            if context is not None:
                record_func = context(self, node, method)
        if isinstance(func, cst.Name | cst.Attribute):
            self._chain(func, node, record_func)
        else:
            self.walk(func)
        # `Index("ix", links.c.a)` declares schema, reads nothing; `@event.listens_for(
        # Project.backend, "set")`, `event.listen(User, "before_insert", stamp)` register a
        # listener on the class or attribute, which queries nothing
        schema_item = (
            name in _SCHEMA_ITEMS and self.kinds[-1] != "function"
        ) or name == "listens_for" or mapped or (  # (a mapping's class and Table: declared)
            name == "listen" and (_dotted(func) or "").endswith("event.listen")
        )
        self.no_refs += schema_item
        try:
            for arg in node.args:
                self.walk(arg.value)
        finally:
            self.no_refs -= schema_item

    def _create_all(
        self, node: cst.Call, receiver: cst.BaseExpression, call: cst.Call | None
    ) -> None:
        """A `create_all` call (or the method passed to `run_sync`): the schema it builds."""
        tables: tuple[str, ...] | None = None
        listed = _keyword(call, "tables") if call is not None else None
        if isinstance(listed, cst.List | cst.Tuple):
            names = [_dotted(item) for item in _elements(listed)]
            tables = tuple(name or "?" for name in names)
        elif listed is not None:
            tables = ("?",)
        snippet = " ".join(self._code(node).split())
        self.create_all_functions.append((self.functions[-1], node.func))
        written = _dotted(receiver)
        if written is None and isinstance(receiver, cst.Call):
            called = _dotted(receiver.func)
            # `DevDataFactory(...).create_all()`: the mapper tells a class of the repository
            # (whose own method this is) from a MetaData's maker
            written = f"{called}()" if called else None
        self.facts.create_all.append(
            CreateAllCall(
                written,
                self._line(node),
                snippet if len(snippet) <= 160 else snippet[:157] + "...",
                tables,
                alternative=self._alternative(),
                function=self.functions[-1],
                local=self._local_metadata(receiver),
            )
        )

    def _local_metadata(self, receiver: cst.BaseExpression) -> bool:
        """`metadata = MetaData()` in the function making the call: a MetaData of its own,
        holding only the `Table`s the function puts on it (luigi's one-off tables), never
        the models' MetaData."""
        if not isinstance(receiver, cst.Name) or self.functions[-1] is None:
            return False
        sites = self.scopes[-1].bindings.get(receiver.value)
        return bool(sites) and all(
            site.kind == "assign" and isinstance(site.value, cst.Call)
            and _last(site.value.func) == "MetaData"
            for site in sites
        )

    def _peewee_create(self, node: cst.Call, receiver: cst.BaseExpression, name: str) -> None:
        """peewee's `db.create_tables([A, B])` and `A.create_table()`: a source creating those
        models' tables (`CreateAllCall.peewee`), when the models are peewee's."""
        args = _positional(node)
        if name == "create_tables":
            if not args or not isinstance(args[0], cst.List | cst.Tuple):
                return
            tables = tuple(_dotted(item) or "?" for item in _elements(args[0]))
            self.schema_models.update(id(item) for item in _elements(args[0]))
        else:
            model = _dotted(receiver)
            if model is None or not model.rsplit(".", 1)[-1][:1].isupper():
                return
            tables = (model,)
        snippet = " ".join(self._code(node).split())
        self.facts.create_all.append(
            CreateAllCall(
                _dotted(receiver) if name == "create_tables" else None, self._line(node),
                snippet if len(snippet) <= 160 else snippet[:157] + "...", tables,
                alternative=self._alternative(), function=self.functions[-1], peewee=True,
                temporary=_is_true(_keyword(node, "temporary")),
            )
        )

    def _collection_write(self, collection: cst.BaseExpression) -> None:
        """`shelf.owners.append(reader)`, `self._model.tags.remove(tag)`: a change of a
        relationship's collection, which the session writes into its association table
        (`orm.uses` tells whether `owners` is one of the row's class)."""
        if not isinstance(collection, cst.Attribute) or self.kinds[-1] != "function":
            return
        row = collection.value
        root = row
        while isinstance(root, cst.Attribute):
            root = root.value
        if isinstance(root, cst.Name) and (
            root.value == "self" or self._kind(root.value) is None
        ):
            self._evaluated(row, root, "write", RELATIONSHIP_WRITE,
                            attribute=collection.attr.value)

    def _instance_write(self, node: cst.Call, receiver: cst.BaseExpression, name: str) -> None:
        """peewee's `event.save()`, `event.delete_instance()` (no positional argument, as
        peewee's): a write of the table of the model `event` is an instance of, which the
        evaluator tells (`e = Event.get(...)`, a loop over `Event.select()`, `self` in a
        model's method); `Event(label="x").save()`: a new row (the constructor's use). A
        repository's own `save()`, `update()`, `delete()`... (`ROW_METHOD_WRITES`) the same
        way, kept where the row's class defines one writing through the session."""
        if isinstance(receiver, cst.Call):
            if name in PEEWEE_INSTANCE_WRITES:
                self.ctor_marks[id(receiver)] = name
            return
        root = receiver
        while isinstance(root, cst.Attribute):
            root = root.value
        if isinstance(root, cst.Name) and (
            root.value == "self" or self._kind(root.value) is None
        ):
            context = name if name in PEEWEE_INSTANCE_WRITES else ROW_METHOD + name
            self._evaluated(receiver, root, "write", context)

    def _migrator_op(self, node: cst.Call, method: str) -> None:
        """peewee_migrate's `migrator.<operation>(Model, ...)` (`PeeweeMigratorOp`)."""
        args = _positional(node)
        model = None
        if args:
            self.schema_models.add(id(args[0]))
            model = _dotted(args[0]) or (
                self._code(args[0]) if isinstance(args[0], cst.SimpleString) else None
            )
        columns: tuple[str, ...] | None = ()
        given: list[str] = []
        if method in ("add_fields", "add_columns"):
            added: list[str] = []
            for arg in node.args:
                if arg.keyword is None:
                    if arg.star:  # `**fields`: names not in sight
                        columns = None
                    continue
                value = arg.value
                field_name = arg.keyword.value
                if not isinstance(value, cst.Call) or not is_peewee_field(_last(value.func)):
                    columns = None
                    continue
                column = self._peewee_field(value, field_name, self._line(value))
                if column is not None:
                    added.append(column.name)
                    given.append(field_name)
            if columns is not None:
                columns = tuple(added)
        elif method in ("remove_fields", "drop_columns", "rename_field", "rename_column",
                        "rename_table"):
            names: list[str] = []
            for arg in args[1:]:
                # (a list is one argument: peewee_migrate compares it with each field's name
                # and drops nothing; not read)
                text = self._literal(arg)
                if text is None:
                    columns = None
                    break
                names.append(text)
            if columns is not None:
                columns = tuple(names)
        snippet = " ".join(self._code(node).split())
        self.facts.migrator_ops.append(PeeweeMigratorOp(
            method, self._line(node), model, _top(self.functions[-1]),
            snippet if len(snippet) <= 160 else snippet[:157] + "...", columns,
            fields=tuple(given),
        ))

    def _mark(self, exprs: Iterable[cst.BaseExpression], kind: str, context: str) -> None:
        for expr in exprs:
            if isinstance(expr, cst.Name | cst.Attribute):
                self.marks[id(expr)] = (kind, context)
            elif isinstance(expr, cst.List | cst.Tuple):
                for item in _elements(expr):
                    if isinstance(item, cst.Name | cst.Attribute):
                        self.marks[id(item)] = (kind, context)

    def _ctx_statement(self, node: cst.Call, method: bool) -> bool:
        """select / exists / insert / update / delete: function, Table method or Query method.

        ``select(M)`` / ``sa.select(M)`` / ``db.insert(M)`` (a namespace receiver and an entity
        argument) mark their arguments; ``t.insert()`` / ``t.select(whereclause)`` are left to
        the receiver's chain (``table_method``); ``<query chain>.delete()`` / ``.update({})``
        write the queried entity.
        """
        name = _last(node.func)
        if method:
            receiver = node.func.value  # type: ignore[attr-defined]
            if name == "delete" or name == "update":
                self._query_write(receiver, f"query_{name}")
            if not _is_chain(receiver):
                return True
        args = _positional(node)
        if method and not (
            args and isinstance(args[0], cst.Name | cst.Attribute | cst.List | cst.Tuple)
        ):
            return True  # t.insert() / t.select(t.c.id == 1): a Table method
        if name == "select" or name == "exists":
            self._mark(args, "read", name)
        else:
            self._mark(args[:1], "write", name)  # type: ignore[arg-type]
        return not method

    def _admin_view(self, node: cst.Call) -> None:
        """`SQLAInterface(Contact)` (Flask-AppBuilder), `ModelView(User, db.session)`
        (Flask-Admin): a generic view the library serves reads and writes the model's table
        (a use of low confidence: the queries are the library's), also in a class body
        (`datamodel = SQLAInterface(Contact)`), where no other call is a use."""
        model = _positional(node)[:1]
        saved, self.no_refs = self.no_refs, 0
        try:
            self._mark(model, "read", ADMIN_VIEW)
            for expr in model:
                self.walk(expr)
        finally:
            self.no_refs = saved
        # read once: not again as a bare argument when the call's arguments are walked
        self.admin_models.update(id(expr) for expr in model)

    def _ctx_query(self, node: cst.Call, method: bool) -> bool:
        if method:
            self._mark(_positional(node), "read", "query")
        return True

    def _ctx_get(self, node: cst.Call, method: bool) -> bool:
        args = _positional(node)
        if method and len(args) >= 2:
            self._mark(args[:1], "read", "get")
        return True

    def _ctx_join(self, node: cst.Call, method: bool) -> bool:
        if method:
            receiver = node.func.value  # type: ignore[attr-defined]
            if self.builder.is_str(receiver) or (_dotted(receiver) or "").endswith("path"):
                return True  # ", ".join(...), os.path.join(...)
        name = _last(node.func)
        self._mark(_positional(node), "read", "select_from" if name == "select_from" else "join")
        return True

    def _ctx_aliased(self, node: cst.Call, method: bool) -> bool:
        args = _positional(node)
        name = _last(node.func) or "aliased"
        self._mark(args[:1], "read", name)
        if name == "with_polymorphic" and len(args) > 1:
            self._mark(_elements(args[1]), "read", name)
        return True

    def _ctx_add(self, node: cst.Call, method: bool) -> bool:
        args = _positional(node)
        if not method or not args:
            return True
        context = _last(node.func) or "add"
        arg = args[0]
        if isinstance(arg, cst.ListComp | cst.GeneratorExp | cst.SetComp):
            calls = [arg.elt]
        elif isinstance(arg, cst.Call):
            calls = [arg]
        else:
            calls = _elements(arg)
        for call in calls:
            if isinstance(call, cst.Call):
                self.ctor_marks[id(call)] = context
        return True

    def _ctx_mappings(self, node: cst.Call, method: bool) -> bool:
        if method:
            self._mark(_positional(node)[:1], "write", _last(node.func) or "bulk")
        return True

    def _query_write(self, expr: cst.BaseExpression, context: str) -> None:
        """``<session>.query(M)....delete()`` / ``M.query....update(...)``: write on M
        (`context`: `query_delete` or `query_update`, the bulk statement it runs)."""
        node = expr
        for _ in range(256):
            if isinstance(node, cst.Call):
                func = node.func
                if isinstance(func, cst.Attribute) and func.attr.value == "query" and node.args:
                    for arg in _positional(node):
                        found = self._resolve(arg)
                        if found is not None:
                            self._add(found[0], found[1], "write", context, "high")
                        elif isinstance(arg, cst.Name) and arg.value == "cls":
                            # `db.query(cls).delete()` in a classmethod: the evaluator says
                            # which class (each subclass of a mixin) `cls` is
                            self._evaluated(arg, arg, "write", context)
                    return
                node = func
            elif isinstance(node, cst.Attribute):
                if _dotted(node) is not None:
                    found = self._resolve(node)
                    if found is not None and found[2][:1] == ["query"]:
                        self._add(found[0], found[1], "write", context, "high")
                    return
                node = node.value
            elif isinstance(node, cst.Name):
                # `q = session.query(Attr).filter(...)`, then `q.delete()`: the evaluator
                # follows the local to the query it holds (`orm.uses._queried_tables`)
                if self._kind(node.value) is None and node.value not in ("self", "cls"):
                    self._evaluated(node, node, "write", QUERY_HELD)
                return
            else:
                return

    # ---- names -----------------------------------------------------------------------------

    def _cut(self, segments: list[str], kind: str) -> int | None:
        """How many leading segments denote the model / table (None: just a module)."""
        if kind == "class" or kind == "table":
            return 1
        count = len(segments)
        low = 0
        if kind == "module":
            for path in self.module_paths.get(segments[0], ()):
                size = len(path)
                if size > low and tuple(segments[:size]) == path:
                    low = size
            low = low or 1
            if count <= low:
                return None
        for i in range(low, count):
            segment = segments[i]
            if segment[:1].isupper():
                return i + 1
            if i > low and segment in _TABLE_MEMBERS:
                return i
        return count

    def _kind(self, first: str) -> str | None:
        """How ``first`` is bound: class / table / from / module, "star" for a free name that a
        project star import may provide, None when it cannot name a model or table."""
        kind = self.bound.get(first)
        if kind is None and self.star and first not in self.known and first not in _BUILTINS:
            kind = "star"
        return kind if kind is not None and not self._local(first) else None

    def _resolve(self, node: cst.BaseExpression) -> tuple[str, cst.Name, list[str], str] | None:
        """(model name, root Name node, remaining segments, binding kind) of a bound chain."""
        segments: list[str] = []
        while type(node) is cst.Attribute:
            segments.append(node.attr.value)  # type: ignore[attr-defined]
            node = node.value  # type: ignore[attr-defined]
        if type(node) is not cst.Name:
            return None
        first = node.value  # type: ignore[attr-defined]
        kind = self._kind(first)
        if kind is None:
            return None
        segments.append(first)
        segments.reverse()
        cut = self._cut(segments, kind)
        if cut is None:
            return None
        name = first if cut == 1 else ".".join(segments[:cut])
        return name, node, segments[cut:], kind  # type: ignore[return-value]

    def _chain(self, node: cst.BaseExpression, call: cst.Call | None, record: bool) -> None:
        if id(node) in self.admin_models or id(node) in self.aliasing or (
            id(node) in self.schema_models
        ):
            return
        root = node
        while type(root) is cst.Attribute:
            root = root.value  # type: ignore[attr-defined]
        if type(root) is not cst.Name:
            if type(root) is cst.Call and root is not node:
                self.receiver_calls.add(id(root))
            self.walk(root)
            return
        if not record or self.no_refs:
            return
        constructed = call is not None and node is call.func and id(call) in self.ctor_marks
        unbound = self._kind(root.value) is None  # type: ignore[attr-defined]
        if call is not None and node is call.func and node is root and not constructed and (
            root.value == "cls"  # type: ignore[attr-defined]
        ):
            # `token = cls(...)` in a classmethod, then `db.add(token)`: a new row of the
            # class's table, as `Token(...)` is (`_evaluated`: which class `cls` is)
            self._evaluated(node, root, "write", "constructor", "low")  # type: ignore[arg-type]
            return
        if (id(node) in self.marks or constructed) and unbound:
            # `select(db.FlowRun)`, `session.add(db.FlowRun(...))` on a parameter or local:
            # what it is, the evaluator decides across modules (an annotated parameter, an
            # injected registry's property, a local alias of an imported model)
            if id(node) in self.marks:
                kind, context = self.marks.pop(id(node))
            else:
                kind, context = "write", self.ctor_marks.pop(id(call))  # type: ignore[arg-type]
            # `select(tbl.c.name)`: the table object is `tbl`
            self._evaluated(_columns_receiver(node) or node, root, kind, context,  # type: ignore[arg-type]
                            _MARK_CONFIDENCE.get(context, "high"))
            return
        if unbound and self.sqla:
            # `tbl.c.name`, `tbl.insert()` on a parameter, a local or `self.db.model.users`
            # (a Table held by an object): the evaluator tells whether it is a table object
            used = _table_object_use(node, call)
            if used is not None:
                self._evaluated(used[0], root, used[1], used[2])  # type: ignore[arg-type]
                return
        if not self.star and root.value not in self.bound:  # type: ignore[attr-defined]
            return
        found = self._resolve(node)
        if found is None:
            return
        name, name_node, tail, kind = found
        if tail[:1] == ["__table__"] and (
            id(node) in self.marks or (len(tail) > 1 and tail[1] not in _TABLE_NAME_PARTS)
        ):
            # `Job.__table__.insert()`, `insert(Job.__table__)`, `Job.__table__.c.name`: the
            # mapped class's Table object, used as a table object is (`Job.__table__.name`
            # names the table, as `__tablename__` does)
            tail = tail[1:]
        if tail and call is None and (
            tail[0] in _NAME_ATTRIBUTES or tail[1:2] == ["__tablename__"]
        ):
            # `Tag.__tablename__`, `Tag.__table__.name`, `Run.Label.__tablename__` (a model a
            # factory made for the attribute): the table's name, put into SQL or a migration
            # that is read on its own; naming a table is not using it
            return
        if len(tail) > 1 and tail[1] in _COLUMN_METADATA:
            # `ProjectVersion.version.property.columns[0].type.length`: the mapping's
            # description of a column, no row
            return
        mark = self.marks.pop(id(node), None)
        if mark is not None:
            # (`join(Run.Label)`: the attribute read on the model, a column or a class a
            # factory made for it, `Mapper._factory_instances`)
            self._add(name, name_node, mark[0], mark[1], _MARK_CONFIDENCE.get(mark[1], "high"),
                      attribute=tail[0] if tail else None)
            return
        if kind == "star" and not name[:1].isupper() and not self._table_like(tail, call):
            return  # a lowercase free name is most likely a local variable
        if call is not None:
            if not tail:
                if kind == "class" or name.rsplit(".", 1)[-1][:1].isupper():
                    context = self.ctor_marks.pop(id(call), None)
                    if context is not None:
                        self._add(name, name_node, "write", context, "high")
                    elif id(call) in self.receiver_calls:
                        # `Setting().get("site_name")`: made to call a method, never added
                        self._add(name, name_node, "read", "constructor", "low")
                    else:
                        self._add(name, name_node, "write", "constructor", "low")
                return
            head = tail[0]
            if head == "query":
                self._add(name, name_node, "read", "query_property", "high")
            elif len(tail) == 1 and head in _TABLE_WRITE_METHODS:
                self._add(name, name_node, "write", "table_method", "high")
            elif len(tail) == 1 and head in _TABLE_READ_METHODS:
                self._add(name, name_node, "read", "table_method", "high")
            else:
                self._add(name, name_node, "read", "attribute", "high", attribute=head)
            return
        if not tail:
            self._add(name, name_node, "read", "argument", "low")
        elif tail[0] == "query":
            self._add(name, name_node, "read", "query_property", "high")
        else:
            self._add(name, name_node, "read", "attribute", "high", attribute=tail[0])

    @staticmethod
    def _table_like(tail: list[str], call: cst.Call | None) -> bool:
        """``t.c.x`` / ``t.columns`` / ``t.insert()``: a use only a Table object has."""
        if not tail:
            return False
        if tail[0] in TABLE_COLUMNS:
            return True
        return (
            call is not None
            and len(tail) == 1
            and (tail[0] in _TABLE_WRITE_METHODS or tail[0] in _TABLE_READ_METHODS)
        )

    def _evaluated(self, node: cst.BaseExpression, root: cst.Name, kind: str, context: str,
                   confidence: str = "high", attribute: str | None = None) -> None:
        """A reference whose expression the evaluator reads across modules (a free name bound
        nowhere in the module cannot be resolved, so none is kept for it)."""
        # (inside `for x in ...`: `x` is the loop's element, not an opaque name)
        value = self.builder.translator.expr(node, self.scopes[-1], tuple(self.loops))
        base = value
        while isinstance(base, ir.Attr):
            base = base.value
        module_names = self.builder.translator.model.module.bindings
        if not isinstance(base, ir.Global) or base.name in module_names:
            self._add(self._code(node), root, kind, context, confidence, value, attribute)

    def _imperative(self, node: cst.Call) -> ImperativeMapping | None:
        """`reg.map_imperatively(User, user_table, ...)`, `mapper(User, user_table)`: two
        dotted names first (the mapper keeps the mapping only if they are a class and a Table
        of the repository)."""
        positional = _positional(node)
        if len(positional) < 2:
            return None
        cls, table = _dotted(positional[0]), _dotted(positional[1])
        if cls is None or table is None:
            return None
        return ImperativeMapping(sys.intern(cls), sys.intern(table), self._line(node))

    def _name(self, node: cst.Name) -> None:
        if (self.star or node.value in self.bound or id(node) in self.marks) and not self.no_refs:
            self._chain(node, None, True)

    def _attribute(self, node: cst.Attribute) -> None:
        self._chain(node, None, True)

    def _add(
        self,
        name: str,
        node: cst.Name,
        kind: str,
        context: str,
        confidence: str,
        value: ir.Expr | None = None,
        attribute: str | None = None,
    ) -> None:
        line = self.pos.start_line(node)
        # (a marked argument's attribute does not make it another reference: `select(User,
        # User.id)` reads `User` once)
        key = (name, line, kind, context, attribute if context in _ATTRIBUTE_CONTEXTS else None)
        if key in self.seen:
            return
        self.seen.add(key)
        self.facts.references.append(
            OrmReference(
                sys.intern(name), line, kind, context, confidence, self.functions[-1], value,
                attribute,
            )
        )


# --------------------------------------------------------------------------------------------
# Dispatch tables
# --------------------------------------------------------------------------------------------

#: Contexts whose attribute is what the reference reads (`User.email`, `row.email = ...`):
#: one reference per attribute. A marked argument's attribute (`select(User.id)`) only says
#: which part of the class it names.
_ATTRIBUTE_CONTEXTS = frozenset({"attribute", ATTRIBUTE_SET})
#: The context of a model handed to a library's generic CRUD view (`_ctx_admin_view`).
ADMIN_VIEW = "admin view"
#: Methods changing a list or set in place: on a relationship's collection, its writes.
_COLLECTION_WRITES = frozenset({"append", "extend", "remove", "insert", "add", "discard", "clear"})
#: Generic CRUD views taking a model: Flask-AppBuilder's `SQLAInterface`, Flask-Admin's
#: `ModelView`.
_ADMIN_VIEWS = frozenset({"SQLAInterface", "ModelView"})
#: Marked contexts whose uses are of another confidence than "high".
_MARK_CONFIDENCE = {ADMIN_VIEW: "low"}

_CALL_CONTEXTS: dict[str, Callable[[_Reader, cst.Call, bool], bool]] = {
    "select": _Reader._ctx_statement,
    "exists": _Reader._ctx_statement,
    "insert": _Reader._ctx_statement,
    "update": _Reader._ctx_statement,
    "delete": _Reader._ctx_statement,
    "query": _Reader._ctx_query,
    "get": _Reader._ctx_get,
    "get_or_404": _Reader._ctx_get,
    "join": _Reader._ctx_join,
    "outerjoin": _Reader._ctx_join,
    "select_from": _Reader._ctx_join,
    "aliased": _Reader._ctx_aliased,
    "with_polymorphic": _Reader._ctx_aliased,
    "add": _Reader._ctx_add,
    "add_all": _Reader._ctx_add,
    "merge": _Reader._ctx_add,
    "bulk_save_objects": _Reader._ctx_add,
    "bulk_insert_mappings": _Reader._ctx_mappings,
    "bulk_update_mappings": _Reader._ctx_mappings,
}

#: Calls that tell the operator something (`print`, `click.echo`, `logger.info`...).
_ADVICE_CALLS = frozenset({"print", "echo", "secho", "info", "warning", "warn", "write"})
#: Alembic's stamp as a command (`alembic stamp head`, `flask db stamp head`,
#: `./manage.py db stamp heads`)
_STAMP_COMMAND = re.compile(r"\bstamp\s+heads?\b")


def _top(function: str | None) -> str | None:
    """The top-level function of a qualified name (`migrate` of `migrate.<locals>`)."""
    return function.split(".", 1)[0] if function else None


def _tells_to_stamp(call: cst.Call) -> bool:
    """A literal argument naming Alembic's stamp command."""
    for arg in call.args:
        value = arg.value
        parts = value.parts if isinstance(value, cst.FormattedString) else [value]
        for part in parts:
            if isinstance(part, cst.SimpleString):
                text = _string_value(part.prefix, part.raw_value) or ""
            elif isinstance(part, cst.FormattedStringText):
                text = part.value
            else:
                continue
            if _STAMP_COMMAND.search(text):
                return True
    return False


_SKIPPED = (
    "Import",
    "ImportFrom",
    "Global",
    "Nonlocal",
    "Del",
    "Annotation",
    "Parameters",
    "AsName",
    "TypeAlias",
    "TypeParameters",
    "MatchStar",
    "SimpleString",
    "ConcatenatedString",
    "Integer",
    "Float",
    "Imaginary",
    "Ellipsis",
    "Pass",
    "Break",
    "Continue",
    "Comment",
    "EmptyLine",
    "Newline",
    "TrailingWhitespace",
    "SimpleWhitespace",
    "ParenthesizedWhitespace",
    "Comma",
    "Dot",
    "Colon",
)

_HANDLERS: dict[type, Callable[[_Reader, cst.CSTNode], None]] = {
    getattr(cst, name): _Reader._skip for name in _SKIPPED if hasattr(cst, name)
}
_HANDLERS.update(
    {
        cst.ClassDef: _Reader._classdef,
        cst.FunctionDef: _Reader._funcdef,
        cst.Lambda: _Reader._lambda,
        cst.Assign: _Reader._assign,
        cst.AnnAssign: _Reader._annassign,
        cst.AugAssign: _Reader._augassign,
        cst.For: _Reader._for,
        cst.If: _Reader._if,
        cst.CompFor: _Reader._compfor,
        cst.ListComp: _Reader._comprehension,
        cst.SetComp: _Reader._comprehension,
        cst.GeneratorExp: _Reader._comprehension,
        cst.DictComp: _Reader._comprehension,
        cst.NamedExpr: _Reader._namedexpr,
        cst.WithItem: _Reader._withitem,
        cst.Arg: _Reader._arg,
        cst.ExceptHandler: _Reader._except,
        cst.ExceptStarHandler: _Reader._except,
        cst.Subscript: _Reader._subscript,
        cst.MatchAs: _Reader._match_as,
        cst.MatchClass: _Reader._match_class,
        cst.Call: _Reader._call,
        cst.Name: _Reader._name,
        cst.Attribute: _Reader._attribute,
    }
)

def _is_true(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "True"
