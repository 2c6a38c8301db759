"""Plain per-file facts produced by the extractors.

Extractors run on one file at a time (possibly in worker processes, possibly from a cache), so
everything here is immutable plain data: no LibCST or sqlglot objects, no cross-file knowledge.
Cross-module resolution (imported constants) happens later, in ``analyzer.resolve``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from analyzer.python.expr import Expr


@dataclass(frozen=True)
class Literal:
    """A piece of literal SQL text; ``line`` is the source line where ``text`` starts."""

    text: str
    line: int


@dataclass(frozen=True)
class Hole:
    """An interpolated expression inside a string template (f-string, format, %, +).

    ``ref`` is the dotted name when the expression is a plain name or attribute chain
    (``QUERY``, ``queries.GET_USER``) that may resolve to a module constant; ``None`` for
    anything else (calls, subscripts, arithmetic), which can never be resolved statically.
    """

    expr: str
    ref: str | None
    line: int
    style: str  # "fstring" | "format" | "percent" | "concat" | "argument"
    # The interpolated expression, closed in its scope (`analyzer.python.expr`), for the
    # evaluator; None where no expression stands behind the hole (a missing format field).
    value: Expr | None = field(default=None, compare=False)
    # "r" or "a" when the template writes the value's `repr()` or `ascii()` (`%r`, `{x!r}`,
    # `"{!a}".format(x)`, without a format spec): a known string is then written quoted
    # (`'users'`), so it never starts a statement; None for the value's `str()`.
    conversion: str | None = None
    # the value is written as `str()` gives it, with no format spec, flag or width (`{n}`,
    # `{}`, `%s`, `%d`): a known number is then its decimal text (`f"rollup_{8 ** 2}"`)
    plain: bool = field(default=False, compare=False)


Part = Literal | Hole


@dataclass(frozen=True)
class StringCandidate:
    """A maximal string-valued expression that may hold SQL.

    ``sink`` names the call the expression is the SQL argument of (``execute``, ``fetch``,
    ``text``...), or ``None`` when it is just a string somewhere in the code. A bare name passed
    to a sink (``cur.execute(QUERY)``) is a candidate made of a single ``Hole``.
    """

    parts: tuple[Part, ...]
    line: int
    end_line: int
    sink: str | None = None
    function: str | None = None  # qualified name of the enclosing function, if any
    loops: tuple[int, ...] = field(default=(), compare=False)  # enclosing loops (PythonFacts.loops)
    # under an `if`, `try`, `while` or `match` of its function (or module): it may not run
    guarded: bool = False


@dataclass(frozen=True)
class ConstantBinding:
    """A module-level ``NAME = <string expression>`` assignment (assigned exactly once)."""

    name: str
    parts: tuple[Part, ...]
    line: int


@dataclass(frozen=True)
class ImportBinding:
    """One imported name.

    ``from .db import QUERY as Q`` -> local="Q", module="db", name="QUERY", level=1.
    ``import app.queries as q`` -> local="q", module="app.queries", name=None, level=0.
    ``import app.queries`` -> local="app.queries", module="app.queries", name=None, level=0.
    """

    local: str
    module: str
    name: str | None
    level: int
    line: int


@dataclass(frozen=True)
class FileProblem:
    """Something an extractor could not read; becomes a report diagnostic."""

    code: str  # stable diagnostic code, e.g. "python-syntax-error"
    line: int | None
    message: str


# --------------------------------------------------------------------------------------------
# SQLAlchemy ORM (declarations and uses, as written; resolution across modules comes later)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PeeweeFieldCall:
    """A peewee field call whose class is not one of the names the reader knows
    (`OwnerField(null=True)`, `EnumField(Kind)`): the class may be the project's subclass of a
    peewee field, which only the mapper can resolve, so the call's arguments are kept for it."""

    callee: str  # the called class as written: "OwnerField", "fields.OwnerField"
    # positional arguments as written: a dotted name ("Account", "models.Account"), a string
    # literal with its quotes ("'Account'"), else None; after a `*args` none is known
    arguments: tuple[str | None, ...] = ()
    keywords: tuple[tuple[str, str | None], ...] = ()  # keyword arguments, written alike
    spread: bool = False  # `*args` / `**kwargs` in the call: what follows is unknown
    named: bool = False  # `column_name=` / `db_column=` gave the column its name


@dataclass(frozen=True)
class PeeweeFieldInit:
    """A class's own `__init__` (and `bind`) read as a peewee field subclass's: how a call of
    the class hands the model to its parent's `__init__`, and whether it names the column
    itself. Read for every class defining them; the mapper uses it only for a class a peewee
    model's field calls (`class OwnerField(ForeignKeyField): def __init__(self, **kw): ...`)."""

    parameters: tuple[str, ...] = ()  # positional parameters after `self`
    # where the parent's model comes from: one of `parameters`, "*" for the caller's
    # positional arguments past `parameters` (`super().__init__(*args, **kw)`), or None (the
    # caller's `model=` through `**kwargs`, else `model_default`)
    model_parameter: str | None = None
    model_fixed: str | None = None  # always this model (`super().__init__(Account, **kw)`)
    # the model when the caller gives none (`kw.setdefault("model", Account)`,
    # `if "model" not in kw: kw["model"] = Account`)
    model_default: str | None = None
    forwards_keywords: bool = False  # passes its `**kwargs` on
    readable: bool = True  # one parent `__init__` call, read; else the model is unknown
    # it defines `bind` / `add_to_class` or its `__init__` mentions `column_name` or
    # `db_column`: the column's name may be its own, which tabletrace does not compute
    names_column: bool = False
    defines_init: bool = True  # False: it defines only `bind` / `add_to_class`


@dataclass(frozen=True)
class OrmColumn:
    attribute: str | None  # the Python attribute (None inside Table(...))
    name: str  # the column name in the database: Column("x")/name= override, else attribute
    line: int
    foreign_key: str | None = None  # ForeignKey("table.column") target, as written
    primary_key: bool = field(default=False, compare=False)  # primary_key=True
    # inside a Table(...) in a loop: `Column(f"{entity}_id", ForeignKey(f"{entity}s.id"))`,
    # the name and target as templates the mapper computes for each element
    name_template: tuple[Part, ...] | None = None
    foreign_key_template: tuple[Part, ...] | None = None
    # The file that declares it, when that is not the file of the class it is read for: the
    # mapper sets it on a column a class inherits (a mixin's, an abstract or single-table
    # parent's), whose `line` is that file's. Extraction leaves it None.
    path: str | None = None
    # peewee's `ForeignKeyField(Event)` / `DeferredForeignKey("Event")`: the model it refers
    # to, as written ("Event", "models.Event", "'Event'", "'self'")
    target: str | None = None
    # a peewee field of a class the reader does not know (`OwnerField()`): the mapper reads it
    # as the peewee field its class derives from (`Mapper._peewee_fields`)
    call: PeeweeFieldCall | None = field(default=None, compare=False)


@dataclass(frozen=True)
class OrmTable:
    """`Table("name", metadata, Column(...), schema=...)` or lightweight `table("name", ...)`."""

    variable: str | None  # name it is bound to (module level or class `__table__`)
    name: tuple[Part, ...]
    line: int
    schema: str | None = None
    columns: tuple[OrmColumn, ...] = ()
    lightweight: bool = False  # sqlalchemy.table()/sql.table(): no MetaData, declares nothing
    metadata: str | None = None  # the MetaData argument as written: "metadata", "Base.metadata"
    # `Table("t", md, autoload_with=engine)` (or `autoload=True`): read from the database, so
    # it declares nothing a migration should create; code using it still uses the table
    reflected: bool = False
    # loops around the call (`for entity in ("user", "group"): Table(f"{entity}_map", ...)`):
    # one table per element, as for an operation in a loop
    loops: tuple[int, ...] = ()


@dataclass(frozen=True)
class OrmClass:
    """A class statement, with whatever could make it a mapped class (the resolver decides)."""

    name: str
    line: int
    bases: tuple[str, ...]  # dotted names as written: "Base", "db.Model", "mixins.Timestamped"
    keywords: tuple[tuple[str, str], ...] = ()  # class keywords: (("table", "True"),)
    decorators: tuple[str, ...] = ()  # dotted decorator names: "as_declarative", "reg.mapped"
    tablename: tuple[Part, ...] | None = None  # `__tablename__ = "..."` (or a constant)
    tablename_expr: str | None = None  # `@declared_attr def __tablename__`: its return expr
    # the `@declared_attr def __tablename__` function (qualified name in this module), which the
    # evaluator runs with `cls` bound to each subclass
    tablename_function: str | None = field(default=None, compare=False)
    table: OrmTable | None = None  # `__table__ = Table(...)`
    table_ref: str | None = None  # `__table__ = some_table` (a dotted name)
    schema: str | None = None  # from __table_args__ (dict, or tuple ending in a dict)
    abstract: bool = False  # `__abstract__ = True`
    columns: tuple[OrmColumn, ...] = ()  # Column / mapped_column / bare Mapped[...] attributes
    relationships: tuple[tuple[str, int], ...] = ()  # (target as written, line)
    # the targets of those declared with `backref=` (`relationship("Parent",
    # backref=backref("children", cascade="all, delete-orphan"))`): the target class gets a
    # relationship back to this one, which the ORM loads and cascades through
    backrefs: tuple[tuple[str, int], ...] = ()
    # `relationship(..., secondary=assoc)`: the association table, as written (a string literal
    # keeps its quotes: "'assoc'"), the line and the relationship's attribute. The ORM reads
    # and writes it with the class.
    secondaries: tuple[tuple[str, int, str], ...] = ()
    nested: bool = False  # defined inside a function or another class
    # `metadata = ...` in the class body: "" for its own `MetaData(...)`, else the name as written
    # (also a decorator's `metadata=` keyword: `@as_declarative(metadata=Base.metadata)`)
    metadata: str | None = None
    # class attributes set by a call the reader does not know (`id = primary_key("User")`, a
    # project's helper returning a Column, or anything else): columns perhaps, so no rule
    # says the model lacks a column of one of these names
    unread: tuple[str, ...] = ()
    # peewee: the attributes bound to `*Field(...)` calls that make a column (the column named
    # by peewee's rules: `column_name=`, else the attribute, `<attr>_id` for a foreign key),
    # and every attribute bound to a `*Field(...)` call (`ManyToManyField` makes no column);
    # the mapper reads them only for a class whose bases reach `peewee.Model`
    fields: tuple[OrmColumn, ...] = ()
    field_calls: tuple[str, ...] = ()
    # peewee: attributes bound to a call of a class not named `*Field` (`parent = ParentRef()`,
    # in `unread` too), read as fields by the class's `PeeweeFieldCall` when the mapper finds
    # the class derives from a peewee field (`class ParentRef(ForeignKeyField)`)
    maybe_fields: tuple[OrmColumn, ...] = ()
    # peewee's `class Meta:` options, as written (("legacy_table_names", "False"),
    # ("primary_key", "CompositeKey('a', 'b')")), and its `table_name` (or `db_table`) as parts
    meta: tuple[tuple[str, str], ...] = ()
    meta_table_name: tuple[Part, ...] | None = None
    # its own `__init__` / `bind`, for a class that is a peewee field's subclass
    field_init: PeeweeFieldInit | None = None


@dataclass(frozen=True)
class PeeweeMigratorOp:
    """A peewee_migrate operation in a migration module: `migrator.add_fields(Event,
    sub_label=pw.CharField(null=True))`, `migrator.remove_fields(Event, "a", "b")`,
    `migrator.rename_table(Event, "events")`, `@migrator.create_model class Tag(pw.Model)`."""

    method: str  # add_fields, remove_fields, rename_field, rename_table, create_model, ...
    line: int
    model: str | None  # the model as written ("Event", "models.Event"), or a literal's text
    function: str | None  # the top-level function making the call ("migrate", "rollback")
    snippet: str
    # add_fields: the added columns (peewee's column names); remove_fields / rename_field /
    # rename_table: the literal names given, in order (None: one is not a literal)
    columns: tuple[str, ...] | None = None
    # create_model on a class of the migration itself: that class's name (its fields are the
    # `OrmClass.fields` of the module's class)
    local_class: str | None = None
    # add_fields: the field names given, in the order of `columns`
    fields: tuple[str, ...] = ()

    def columns_of_fields(self) -> list[tuple[str, str]]:
        """add_fields: (field, column) pairs."""
        return list(zip(self.fields, self.columns or (), strict=False))


@dataclass(frozen=True)
class OrmBaseFactory:
    """`Base = declarative_base()`, `db = SQLAlchemy()`, `Base = registry().generate_base()`,
    and `metadata = MetaData()` (kind "metadata"): the objects a MetaData belongs to."""

    variable: str
    kind: str  # "declarative_base" | "flask_sqlalchemy" | "registry" | "metadata"
    line: int
    metadata: str | None = None  # `declarative_base(metadata=md)`: the MetaData as written
    cls: str | None = None  # `declarative_base(cls=CustomBase)`: every model's extra base


@dataclass(frozen=True)
class FileDatabase:
    """`connect(database, ...)` (`sqlite3.connect(BASE_DIR / "search.db")`): the callee as
    written, the function making the call, and whether the database is an in-memory one
    (`":memory:"`); the analysis keeps those of sqlite3, through the module's imports: a
    SQLite file the module opens, or a throwaway database of the function."""

    line: int
    callee: str
    function: str | None = None
    memory: bool = False


@dataclass(frozen=True)
class ImperativeMapping:
    """`registry.map_imperatively(User, user_table)` (or the classic `mapper(User,
    user_table)`): a plain class mapped to a Table object, as `__table__ = user_table` in a
    declarative class maps it. Both are written as dotted names; the mapper resolves them."""

    cls: str
    table: str
    line: int


@dataclass(frozen=True)
class CreateAllCall:
    """`Base.metadata.create_all(engine)`, `db.create_all()`, `run_sync(md.create_all)`."""

    # what `.create_all` is taken from, as written ("Base.metadata", "db"); a call's callee
    # with "()" (`Seeder(...).create_all()`: "Seeder()")
    receiver: str | None
    line: int
    snippet: str
    tables: tuple[str, ...] | None = None  # `tables=[User.__table__, orders]`, as written
    # the other calls of the function making this one, as written (`stamp_latest_revision`):
    # a helper of the repository that stamps Alembic makes create_all the bootstrap
    nearby: tuple[str, ...] = ()
    # `if os.environ.get("ENV") == "dev": db.create_all() else: <alembic upgrade head>`: the
    # migrations run in the other branch of an `if`, so this call is their alternative (a dev
    # or test database), not a rival owner: "line 103: alembic upgrade head"
    alternative: str | None = None
    function: str | None = None  # the function making the call ("init_db"), None at top level
    # peewee: `db.create_tables([A, B])` (tables: the models as written) or `A.create_table()`
    # (tables: ("A",)); `temporary=True` makes them temporary tables
    peewee: bool = False
    temporary: bool = False
    # the receiver is a MetaData the function makes itself (`metadata = MetaData()`): it
    # holds only the tables the function puts on it, none of the models'
    local: bool = False


@dataclass(frozen=True)
class OrmReference:
    """A name used in code in a way that reaches a table if the name is a model or Table."""

    name: str  # dotted name as written: "User", "models.User", "users_table"
    line: int
    kind: str  # "read" | "write"
    context: str  # select, query, get, join, add, merge, insert, update, delete, constructor,
    #              attribute, query_property, table_method, argument, ...
    confidence: str = "high"  # "low" for a bare argument or a constructor outside add()/merge()
    function: str | None = None
    # A name the module does not bind itself (a parameter, a local alias): its expression,
    # for the evaluator to tell whether it is a model (`select(db.FlowRun)`)
    value: Expr | None = field(default=None, compare=False)
    # context "attribute": the attribute read on the model (`ReadBook.STATUS_FINISHED`): a
    # class constant of it queries nothing (`analyzer.orm.uses`)
    attribute: str | None = None


@dataclass
class OrmFacts:
    classes: list[OrmClass] = field(default_factory=list)
    tables: list[OrmTable] = field(default_factory=list)
    bases: list[OrmBaseFactory] = field(default_factory=list)
    references: list[OrmReference] = field(default_factory=list)
    create_all: list[CreateAllCall] = field(default_factory=list)
    # The module calls `stamp` (`alembic.command.stamp(cfg, "head")`): with create_all, the
    # cookbook bootstrap of a fresh database (build from the models, then mark it at head).
    stamps_alembic: bool = False
    # Module-level functions whose body calls `stamp` (`def stamp_latest_revision():
    # flask_migrate.stamp(...)`): a create_all next to a call of one is the same bootstrap.
    stamping_functions: list[str] = field(default_factory=list)
    # Module-level names bound to another dotted name (`BaseModel = db.Model`, `Base:
    # DefaultMeta = db.Model`, the `else:` of `if TYPE_CHECKING:`): name -> dotted, as written;
    # a name bound to two different names is left out
    aliases: dict[str, str] = field(default_factory=dict)
    # The calls (dotted, as written) each of `stamping_functions` makes: a create_all in a
    # function one of them calls (`stamp(...); create_all_tables()`) is the same bootstrap
    stamping_calls: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Lines opening an in-memory SQLite database (`create_engine("sqlite://")`,
    # `sqlite3.connect(":memory:")`): its main database is empty, so the names its SQL and
    # models use unqualified are found in the databases it attaches
    memory_databases: list[int] = field(default_factory=list)
    # peewee_migrate's `migrator.<operation>(...)` calls (`PeeweeMigratorOp`)
    migrator_ops: list[PeeweeMigratorOp] = field(default_factory=list)
    # classes mapped imperatively to Table objects (`ImperativeMapping`)
    imperative: list[ImperativeMapping] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# What a module defines, for the evaluator (`analyzer.python.evaluate`) of other modules
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NameFact:
    """What a name is bound to at module or class level (or as `self.x` in a class's methods).

    kind: "value" (bound once: `value`), "import" (`imported`), "function" / "class" (defined
    here: `qualname`), "declared" (annotated, no value), "ambiguous" (bound several times) or
    "other" (a loop target, `with`, `except`...); `why` says why it has no single value.
    """

    kind: str
    line: int
    value: Expr | None = None
    annotation: Expr | None = None
    imported: ImportBinding | None = None
    qualname: str | None = None
    why: str = ""
    # kind "import" bound by several imports (`from app.models import X` and `from .models
    # import X`; `try: from a import X` / `except ImportError: from b import X`): each of
    # them, `imported` being the last; the name may be any of what they import
    imports: tuple[ImportBinding, ...] = ()
    # kind "ambiguous" bound only by assignments in guarded blocks (`if FLAVOR == "a": Item =
    # AItem` / `elif ...: Item = BItem`, `try:` / `except:`): each value, any of which the
    # name may hold
    alternatives: tuple[Expr, ...] = ()

    @property
    def bindings(self) -> tuple[ImportBinding, ...]:
        """Every import binding the name (one, or `imports` when there are several)."""
        if self.imports:
            return self.imports
        return (self.imported,) if self.imported is not None else ()


@dataclass(frozen=True)
class ParamFact:
    name: str
    kind: str  # "positional" | "keyword" (keyword-only) | "varargs" | "varkw"
    annotation: Expr | None = None
    default: Expr | None = None


#: Decorators that make a generator function a context manager: what `with f() as x` binds is
#: the value the function yields, kept as its return value (`Evaluator._entered`).
CONTEXT_MANAGER_DECORATORS = frozenset({"contextmanager", "asynccontextmanager"})


@dataclass(frozen=True)
class FunctionFact:
    """A function or method: what the evaluator needs to call it or type its parameters."""

    qualname: str
    line: int
    params: tuple[ParamFact, ...] = ()
    decorators: tuple[str, ...] = ()
    # every `return` value, closed in the function's scope; for a `@contextmanager`
    # function, every value it yields (what `with f() as x` binds: `Evaluator._entered`)
    returns: tuple[Expr, ...] = ()
    # per return (empty when none has any): the `if` tests around it and whether each holds
    # there (`summary.return_guards`), closed in the function's scope
    return_guards: tuple[tuple[tuple[Expr, bool], ...], ...] = ()
    # A method's own writes through a session: "write" (`db.session.add(self)`, a classmethod
    # adding the row it made, `cls.query...delete()`), "delete" (`session.delete(self)`), or
    # "" (`summary.ReturnsReader._call`); and the methods of its receiver it calls
    # (`self.delete_no_commit()`), through which a write may happen
    session_write: str = ""
    own_calls: tuple[str, ...] = ()
    return_annotation: Expr | None = None
    receiver: str | None = None  # "self" | "cls" for methods
    statements: int = 0  # statements in the body (a helper's size)
    # `@listens_for(Category.__table__, "after_create")`: what the listener's first parameter
    # is given (SQLAlchemy's event target), closed in the function's enclosing scope
    listened: Expr | None = None


@dataclass(frozen=True)
class VersionGate:
    """`if <subject> < N:` in a function: one step of a schema upgrade written as version
    checks (`if version < 2: cur.execute("ALTER ..."); set_version(2)`, then `if version < 3:`
    ...), the block from `line` to `end_line`. `version` is the version the block upgrades
    to: `v < 3`, `v <= 2`, `3 > v` and `2 >= v` all give 3."""

    function: str  # qualified name of the enclosing function
    subject: str  # the compared expression's source text (`curVer`, `self.version`)
    version: int
    line: int
    end_line: int


@dataclass(frozen=True)
class Narrowing:
    """`if table in ALLOWED:` (its body) or `if table not in ALLOWED: raise ...` (the rest
    of its block): from `line` to `end_line`, the parameter `name` of `function` is one of
    the items of `collection` (a check against a list of allowed names, before building
    SQL with it)."""

    function: str
    name: str
    collection: Expr = field(compare=False)
    line: int
    end_line: int


@dataclass(frozen=True)
class TryBlock:
    """`try:` with `except` handlers in a function: when its body only reads a table (a probe,
    `SELECT email FROM users`) and a handler changes the schema (`ALTER TABLE users ADD
    COLUMN email`), one step of an upgrade written as probes (`_probed_upgrades`). The body
    spans `line` to `handlers_line - 1`, the handlers `handlers_line` to `end_line`."""

    function: str  # qualified name of the enclosing function
    line: int
    handlers_line: int
    end_line: int


@dataclass(frozen=True)
class ClassFact:
    qualname: str
    line: int
    bases: tuple[Expr, ...] = ()
    keywords: tuple[tuple[str, Expr], ...] = ()
    decorators: tuple[str, ...] = ()
    names: dict[str, NameFact] = field(default_factory=dict)  # class body bindings
    attributes: dict[str, NameFact] = field(default_factory=dict)  # `self.x = ...` in methods


@dataclass(frozen=True)
class LoopFact:
    """A `for` loop or comprehension: its elements bind the `LoopVar`s that name it."""

    id: int
    line: int
    iterable: Expr
    outer: tuple[int, ...] = ()  # loops around it (its iterable may use their elements)
    targets: tuple[tuple[str, tuple[int, ...]], ...] = ()  # names bound to parts of an element


@dataclass(frozen=True)
class CallFact:
    """A call whose arguments may carry a table name into a repository helper."""

    line: int
    func: Expr
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    function: str | None = None  # the enclosing function (qualified name)
    loops: tuple[int, ...] = ()
    snippet: str = ""


@dataclass(frozen=True)
class MigrationStep:
    """One thing a function of a migration does, in source order (read statically).

    kind: "op" (a method called on `op` or a `batch_op`: `name`, `receiver`, `args`,
    `kwargs`), "execute" (SQL run on any connection: `sql` parts when it is a string
    expression, `value` the argument), "call" (a call that may reach a helper: `value` is the
    function), "globals" (`globals()["upgrade_%s" % name]()`: `name` is the prefix) or
    "opaque" (a statement doing something that cannot be read: `text`). `text` is the first
    line of the statement, reported as opaque when the step turns out unreadable.
    """

    kind: str
    line: int
    name: str = ""
    receiver: Expr | None = None
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    arg_lines: tuple[int, ...] = ()  # line of each positional argument
    kwarg_lines: tuple[int, ...] = ()  # line of each keyword argument
    sql: tuple[Part, ...] | None = None
    value: Expr | None = None
    conditional: bool = False
    loops: tuple[int, ...] = ()
    text: str = ""
    snippet: str = ""


# --------------------------------------------------------------------------------------------
# Django (read per file by `analyzer.readers.django`; resolved by `analyzer.resolve.django`)
# --------------------------------------------------------------------------------------------


#: The Django settings tabletrace needs.
SETTING_NAMES = frozenset({"INSTALLED_APPS", "AUTH_USER_MODEL", "DATABASES"})


def is_setting_name(name: str) -> bool:
    """A setting tabletrace follows statement by statement: the three it needs, and the
    helper lists INSTALLED_APPS is built from (`LOCAL_APPS`, `TENANT_APPS`, `THIRD_PARTY_APPS`),
    which settings change in place (`TENANT_APPS.append(...)` under an `if`)."""
    return name in SETTING_NAMES or (name.endswith("_APPS") and name.isupper())


@dataclass(frozen=True)
class DjangoSetting:
    """One module-level statement that sets or changes a Django setting, in source order.

    action: "assign" (`X = v`), "extend" (`X += v`, `X.extend(v)`), "append", "insert"
    (`X.insert(i, v)`: `value` is v), "remove", "update" (`X[k].update(v)`, `X.update(v)`)
    or "setitem" (`X[k1][k2] = v`). `path` holds the subscripts (`DATABASES["default"]`).
    """

    name: str
    action: str
    line: int
    value: Expr | None = None
    path: tuple[Expr, ...] = ()
    conditional: bool = False  # inside an if/try/for/with at module level


@dataclass(frozen=True)
class DjangoField:
    """One `("name", models.XField(...))` item of a migration's `fields=[...]`."""

    name: Expr
    field: Expr
    line: int


@dataclass(frozen=True)
class DjangoOperation:
    """One item of a migration's `operations` (nested for SeparateDatabaseAndState).

    `func` is the callee (`migrations.CreateModel`); `fields` the CreateModel field tuples,
    each with its line; `nested` the lists of operations given as arguments
    (`database_operations=[...]`, `state_operations=[...]`); `sql` the SQL arguments of a
    RunSQL as string parts (`("sql", parts)`, `("reverse_sql", parts)`), with their lines.
    `opaque` says why the item could not be read (not a call, built at run time...).
    """

    line: int
    func: Expr | None = None
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    fields: tuple[DjangoField, ...] = ()
    nested: tuple[tuple[str, tuple[DjangoOperation, ...]], ...] = ()
    sql: tuple[tuple[str, tuple[Part, ...]], ...] = ()
    snippet: str = ""
    opaque: str = ""


@dataclass(frozen=True)
class DjangoMigration:
    """The `Migration` class of a file in a `migrations` folder (read, never imported).

    List-valued attributes are kept item by item (each closed), so that a long `replaces`
    list stays readable; `*_value` holds the whole expression when it is not a literal list.
    """

    line: int
    dependencies: tuple[Expr, ...] = ()
    run_before: tuple[Expr, ...] = ()
    replaces: tuple[Expr, ...] = ()
    initial: Expr | None = None
    operations: tuple[DjangoOperation, ...] = ()
    unreadable: tuple[tuple[str, str], ...] = ()  # (attribute, why) not read as a list


@dataclass(frozen=True)
class ChainStep:
    """One `.name` or `.name(...)` (or `[...]`: name "[]") after the start of a chain."""

    name: str
    line: int
    call: bool = False
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    arg_lines: tuple[int, ...] = ()  # line of each positional argument
    # per keyword argument: the lines of the items of a list/tuple value, else its own line
    kwarg_lines: tuple[tuple[int, ...], ...] = ()


@dataclass(frozen=True)
class DjangoChain:
    """`Report.objects.filter(...).update(...)`, `team.members.all()`, `admin.site.register(M)`:
    a chain of attributes and calls from a start (`root`, closed in its scope) that may be a
    model, a manager, a queryset or a model instance. Resolution decides which it is."""

    root: Expr
    line: int  # line of the root's first token
    steps: tuple[ChainStep, ...]
    function: str | None = None
    snippet: str = ""

    def start(self) -> Expr:
        """The root, with its first attribute when it is `self`/`cls` (`self.model.objects`:
        `self.model`, what a subclass sets) or a class-like name read on a module (`from core
        import models` then `models.BMI.objects`), as the resolver types it and the
        pre-filter's demand follows it."""
        from analyzer.python import expr as ir  # (that module imports this one)

        if not self.steps or self.steps[0].call or self.steps[0].name == "[]":
            return self.root
        if isinstance(self.root, ir.Self | ir.ClsRef) or (
            isinstance(self.root, ir.Global | ir.Imported) and self.steps[0].name[:1].isupper()
        ):
            return ir.Attr(self.root, self.steps[0].name)
        return self.root


@dataclass
class DjangoFacts:
    settings: list[DjangoSetting] = field(default_factory=list)
    # `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "<module>")`: the value and its line
    settings_module: list[tuple[Expr, int]] = field(default_factory=list)
    migration: DjangoMigration | None = None
    chains: list[DjangoChain] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.settings or self.settings_module or self.migration or self.chains)


@dataclass
class PythonFacts:
    path: str  # repo-relative, "/"-separated
    module: str  # dotted module name
    candidates: list[StringCandidate] = field(default_factory=list)
    constants: dict[str, ConstantBinding] = field(default_factory=dict)
    imports: list[ImportBinding] = field(default_factory=list)
    # Module-level assignments of `revision` / `down_revision` mark an Alembic revision file.
    alembic_revision: str | None = None
    problems: list[FileProblem] = field(default_factory=list)
    orm: OrmFacts = field(default_factory=OrmFacts)
    # What the module defines and does, for the evaluator and helper resolution.
    names: dict[str, NameFact] = field(default_factory=dict)
    functions: dict[str, FunctionFact] = field(default_factory=dict)
    classes: dict[str, ClassFact] = field(default_factory=dict)
    loops: list[LoopFact] = field(default_factory=list)
    calls: list[CallFact] = field(default_factory=list)
    # Steps of every function of a module that uses Alembic's `op` (revisions and helpers).
    migration_steps: dict[str, tuple[MigrationStep, ...]] = field(default_factory=dict)
    # `if version < N:` blocks of functions (`analyzer.sources.migration_modules` reads
    # them as the steps of an upgrade when they run DDL).
    version_gates: list[VersionGate] = field(default_factory=list)
    try_blocks: list[TryBlock] = field(default_factory=list)
    narrowings: list[Narrowing] = field(default_factory=list)
    # Django settings, a migration, and chains that may be ORM uses (None: nothing Django).
    django: DjangoFacts | None = None
    # `connect(database, ...)` calls (`FileDatabase`)
    file_databases: list[FileDatabase] = field(default_factory=list)

    def loop_iterables(self, loop_ids: Iterable[int]) -> list[Expr]:
        """What the loops `loop_ids` iterate over, and the loops around those, each once:
        what the evaluator reads to run a candidate or call once per element."""
        by_id = {loop.id: loop for loop in self.loops}
        todo, seen, out = list(loop_ids), set(), []
        while todo:
            loop = by_id.get(todo.pop())
            if loop is not None and loop.id not in seen:
                seen.add(loop.id)
                out.append(loop.iterable)
                todo.extend(loop.outer)
        return out


# --------------------------------------------------------------------------------------------
# Alembic revisions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AlembicOp:
    """One schema or data operation found in a revision's `upgrade()` (or a helper it calls).

    ``name`` is the operation as Alembic spells it (``create_table``, ``drop_table``,
    ``rename_table``, ``add_column``, ``drop_column``, ``alter_column``, ``create_index``,
    ``drop_index``, ``create_foreign_key``, ``drop_constraint``, ``bulk_insert``, ``execute``,
    ...); ``batch_op.*`` calls inside ``with op.batch_alter_table(t) as batch_op:`` are reported
    with the batch's table as ``table``. Names are string parts so that module constants can be
    resolved later, like SQL templates.
    """

    name: str
    line: int
    table: tuple[Part, ...] | None = None
    schema: str | None = None
    new_table: tuple[Part, ...] | None = None  # rename_table: the new name
    columns: tuple[str, ...] | None = None  # create_table: declared columns; add/drop: (col,)
    # create_table(..., *columns_of()) whose unpacked columns could not be read: maybe more
    columns_open: bool = False
    column_rename: tuple[str, str] | None = None  # alter_column(..., new_column_name=)
    referent_table: tuple[Part, ...] | None = None  # create_foreign_key: the referenced table
    referent_schema: str | None = None  # create_foreign_key(..., referent_schema="events")
    sql: tuple[Part, ...] | None = None  # execute(...): the SQL template
    sql_file: str | None = None  # execute(open("x.sql").read()): the literal path
    conditional: bool = False  # inside an if/try/with-other-than-batch/loop
    helper: str | None = None  # name of the helper function it was found in, if not upgrade()
    snippet: str = field(default="", compare=False)  # the call, whitespace folded (evidence)
    # Why a name or the SQL could not be read (the evaluator's reason), for the diagnostic.
    unresolved: str = field(default="", compare=False)
    path: str | None = None  # the file it is in, when a helper of another module does it


@dataclass
class AlembicRevision:
    """Static reading of one Alembic revision file (never imported)."""

    path: str
    revision: str | None
    down_revisions: tuple[str, ...] = ()  # None -> (), "a" -> ("a",), ("a", "b") -> both
    branch_labels: tuple[str, ...] = ()
    # `branch_labels = (cli.EXPAND_BRANCH,)`: labels that are no literals, as parts the
    # revision runner evaluates (a constant of another module), and the line
    branch_label_parts: tuple[tuple[Part, ...], ...] = ()
    branch_labels_line: int | None = None
    depends_on: tuple[str, ...] = ()
    docstring: str | None = None
    has_upgrade: bool = False
    upgrade_line: int | None = None
    operations: list[AlembicOp] = field(default_factory=list)
    # Text of upgrade() and the helpers it calls, comments included: what a documentation-only
    # revision talks about.
    upgrade_text: str = ""
    # Statements in upgrade() that are neither operations nor harmless (pass, docstring,
    # logging/print calls, comments): e.g. calls into other modules. Used to tell a truly
    # empty upgrade from one that does something tabletrace cannot see.
    opaque_statements: list[tuple[int, str]] = field(default_factory=list)
    problems: list[FileProblem] = field(default_factory=list)
    revision_line: int | None = None  # line of the `revision = ...` assignment
    down_revision_line: int | None = None  # line of the `down_revision = ...` assignment
    # Source of each top-level function, for `upgrade_text` once replay knows which run, and
    # the line each starts on (where a documentation-only revision names a table).
    function_texts: dict[str, str] = field(default_factory=dict, compare=False)
    # The file's text: where a documentation-only revision names a table (revisions are small).
    # Left out of `==` (tests state revisions without it), not out of the early cutoff's
    # comparison (`lineshift.Shift.revision_text`): a comment can move a table's first
    # mention in a documentation-only revision.
    text: str = field(default="", compare=False, repr=False)
