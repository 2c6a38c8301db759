"""The first look at a Python file: one `ast` pass deciding whether LibCST must read it.

LibCST costs about seventeen times CPython's own parser per file, and most files of a service
hold no SQL, model or migration. Each file is parsed once with `ast` and read by `glance`,
which records what the relevance rounds of `analyzer.engine` need:

* **reasons** to parse the file on its own. Each is a necessary condition of something the
  LibCST readers would report, judged on the real string values:

  - a string expression (literal, f-string, `+`, `%`, `.format`) that `is_sql_text` could
    accept: a fully literal one is judged by the detector itself, a template by its known
    beginning (`analyzer.sql.detect.could_be_sql`: the first word must be a statement keyword
    of that position, single-case away from a sink, and the text must not end like a
    sentence). `"--verbose"`, `"update"`, `"Update the cache."` and docstrings are not SQL;
  - a template whose beginning is a hole, or a name given to a sink (`cur.execute(QUERY)`),
    when the hole can hold a keyword: a module constant folded to its value, or a name bound
    in this file while the file has a literal that starts like SQL. A hole filled from an
    imported name is decided by the rounds (`leading`): the file is read when the module the
    name comes from has such a literal;
  - a model declaration (`__tablename__`, `__table__`, `Table(`, `declarative_base()`,
    `SQLAlchemy()`, `registry()`, a `DeclarativeBase`/`SQLModel`/`Model` base, `Mapped[...]`,
    `mapped_column`/`Column`/`relationship` in a class body, `declared_attr`...), not a bare
    `import sqlalchemy`;
  - an Alembic import or a module-level `down_revision`.

* **what the file defines and imports**, so that a later round reads a skipped file only when
  it imports a module or a name that defines models or tables, or a registry of them (a class
  whose attributes return models, a function returning one), or calls a function the
  resolver takes for a helper (one building SQL from a parameter), never because a word
  appears in it.

A file that does not parse with `ast` gets no glance: it takes the full path, so that its
syntax error is reported exactly as LibCST reports it.
"""

from __future__ import annotations

import _string  # type: ignore[import-not-found]  # str.format's own field parser
import ast
import builtins
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from analyzer.facts import Hole, ImportBinding, Part, PythonFacts
from analyzer.outline import parse_tree
from analyzer.python import expr as ir
from analyzer.python.fields import PERCENT_FIELD, format_repr, percent_repr
from analyzer.readers.sinks import (
    LOG_ROOTS,
    METHOD_SINKS,
    MIN_TEXT_LENGTH,
    MODEL_TABLE_ATTRIBUTES,
    NOT_HELPERS,
    SINKS,
    SQL_KEYWORDS,
    SQLALCHEMY_ROOTS,
    TABLE_COLUMNS,
    TABLE_COPY_METHODS,
    TABLE_LIKE,
    TABLE_STATEMENT_METHODS,
    TEMP_VIEW_METHODS,
)
from analyzer.resolve.index import absolute_module
from analyzer.sources.migration_places import migrations_place
from analyzer.sources.model import NUMBERED_FILE
from analyzer.sql.detect import (
    REPR_START,
    SINK_KEYWORDS,
    Verdicts,
    candidate_may_be_sql,
    could_be_sql,
    is_sql_text,
    known_first_word,
    starts_like_sql,
    statement_keyword,
)

#: Calls that declare a table or a declarative base (`Table(...)` is checked for its shape).
ORM_FACTORIES = frozenset(
    {"declarative_base", "SQLAlchemy", "registry", "generate_base", "MetaData"}
)
#: Calls that make a class attribute a mapped column or relationship.
ORM_ATTRIBUTES = frozenset(
    {"Column", "mapped_column", "relationship", "Relationship", "column_property",
     "declared_attr", "synonym", "composite", "deferred", "query_expression"}
)  # fmt: skip
#: Base classes (last name) that make a class a model or a declarative base.
ORM_BASES = frozenset(
    {"DeclarativeBase", "DeclarativeBaseNoMeta", "SQLModel", "Model", "AsyncAttrs",
     "MappedAsDataclass"}
)  # fmt: skip
#: Class decorators (last name) that map a class.
ORM_DECORATORS = frozenset({"as_declarative", "mapped", "mapped_as_dataclass"})
#: Class-body names that only mapped classes (or their mixins) define.
ORM_DUNDERS = frozenset(
    {"__tablename__", "__table__", "__table_args__", "__mapper_args__", "__abstract__"}
)
#: Annotations of mapped attributes.
ORM_ANNOTATIONS = frozenset({"Mapped", "WriteOnlyMapped", "DynamicMapped"})
#: Imports that make a module relevant on their own (migration code).
MIGRATION_ROOTS = frozenset({"alembic"})
#: Django: every module importing it may hold models, migrations, app configs, settings,
#: managers or ORM chains (`analyzer.readers.django`), read on their own.
DJANGO_ROOT = "django"
#: Names that mark Django settings, `manage.py` and ORM chains without a Django import.
DJANGO_NAMES = frozenset(
    {"INSTALLED_APPS", "AUTH_USER_MODEL", "DATABASES", "DJANGO_SETTINGS_MODULE", "objects",
     "_default_manager", "_base_manager"}
)  # fmt: skip
_BUILTINS = frozenset(dir(builtins))

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Glance:
    """What the first look learnt about one Python file (plain, picklable data)."""

    #: Why the file must be read on its own ("line 12: SQL string"); empty: it need not be.
    reasons: tuple[str, ...] = ()
    #: Every import of the file (module level and inside functions), as the LibCST reader
    #: records them but with line 0: nothing the first look keeps of a file it skips depends
    #: on where its lines are, so an edit that only moves them leaves the glance equal (and
    #: `analyzer.cutoff` reuses the last report).
    imports: tuple[ImportBinding, ...] = ()
    #: Module-level names that may be models, tables or declarative bases by their markers.
    models: frozenset[str] = frozenset()
    #: Module-level class name -> the names its bases start with (subclasses of models).
    bases: tuple[tuple[str, frozenset[str]], ...] = ()
    #: Module-level class, function or variable -> names in what it gives out: a variable's
    #: value, a function's return values and annotation, a class's bases, class-level values
    #: and annotations and its methods' return values (a registry of models returns them).
    refers: tuple[tuple[str, frozenset[str]], ...] = ()
    #: Whether some string literal piece starts like SQL (a keyword in any case).
    keyword_literals: bool = False
    #: Module-level classes, functions and variables -> whether what they give out (a value, or
    #: a function's returns) may hold such a literal from this file, and the imported names
    #: (with the attribute read on them, "" for none) it may come from otherwise.
    gives: tuple[tuple[str, bool, frozenset[tuple[str, str]]], ...] = ()
    #: Attribute names -> the same for the values given to `x.attr` or a class's `attr`, and
    #: methods named `attr`, anywhere in the file (and their imported base classes).
    attrs: tuple[tuple[str, bool, frozenset[tuple[str, str]]], ...] = ()
    #: Imported names (or "*" for names a star import may bind), each with the attribute read
    #: on it ("" for none), from which a statement may start in a hole: the rounds read the
    #: file when one of them leads to a string literal that starts like SQL.
    leading: frozenset[tuple[str, str]] = frozenset()
    #: Calls passing a parameter of the calling function on: (caller, callee, arguments), each
    #: argument ("k", keyword, parameter, its position) or ("p", index, parameter, position).
    forwards: tuple[tuple[str, str, tuple[tuple[str, str | int, str, int], ...]], ...] = ()
    #: Names called with an argument that may be a table name (`db.insert("accounts", row)`).
    called: frozenset[str] = frozenset()
    #: Sources of `from x import *` (absolute module names).
    stars: tuple[str, ...] = ()
    #: sqlglot's answers for the texts whose verdict needed it (`detect.Verdicts`), in the
    #: order asked: the early cutoff gives them to its next look at this file, which then
    #: need not import sqlglot to be told them again.
    verdicts: tuple[tuple[str, bool | None], ...] = ()
    #: Functions calling `stamp` (`flask_migrate.stamp`, `alembic.command.stamp`): a
    #: create_all next to a call of one builds a fresh database as Alembic's cookbook says.
    stampers: frozenset[str] = frozenset()
    #: Whether a constructor of the file hands arguments on to its base's
    #: (`super().__init__(conn, "users")`): a base class's `self.table` may be one of them
    #: (`Closure.subclasses_of`, `Evaluator.constructed`).
    passes_up: bool = False
    #: Module-level classes that define a constructor of their own (`def __init__`): a
    #: subclass that does not is made by its base's (`Closure.subclasses_of`,
    #: `Evaluator.made_apart`).
    constructors: frozenset[str] = frozenset()
    #: Attributes a constructor of such a class keeps from its parameters (`self.table =
    #: table`, `self.staging = table + "_tmp"`): a base class's own reading of one may be
    #: left to its subclasses (`Closure.subclasses_of`, `Evaluator.made_apart`).
    kept: frozenset[str] = frozenset()

    @property
    def relevant(self) -> bool:
        return bool(self.reasons)


def glance(
    data: bytes, module: str, path: str, *, dialect: str = "postgres",
    verdicts: Iterable[tuple[str, bool | None]] = (), tree: ast.Module | None = None,
) -> Glance | None:
    """The first look at one file; None when `ast` cannot parse it (LibCST must report why).
    `verdicts`: sqlglot's answers a look at this file in this dialect was given
    (`Glance.verdicts`); the look is the same with or without them. `tree`: the file's `ast`
    parse, when the caller made it (`outline.parse_tree`), for its outline too."""
    if tree is None:
        tree = parse_tree(data)
        if tree is None:
            return None
    try:
        return _Looker(module, path, dialect, verdicts).look(tree)
    except RecursionError:
        return Glance(reasons=("too deeply nested to look at cheaply",))


# --------------------------------------------------------------------------------------------
# string expressions
# --------------------------------------------------------------------------------------------

_UNKNOWN = object()  # text known only once resolved (a `%`/`.format` field)


class _NotText(Exception):
    """Bytes that are not UTF-8: the reader drops the whole string expression."""


@dataclass(frozen=True, slots=True)
class _Repr:
    """A field that writes its value's `repr()` (`%r`, `{x!r}`, `"{!a}".format(x)`, no format
    spec), as the resolver reads it (`Hole.conversion`): its expression is looked at like any
    hole's, and its text starts with `REPR_START`, then is known only once resolved."""

    node: ast.AST


Piece = str | ast.AST | object  # literal text, a hole's expression, _Repr or _UNKNOWN



def _is_str(node: ast.AST) -> bool:
    """`StringShapes.is_str` on `ast`: literals, f-strings, `+` with a string, `%`, `.format`."""
    kind = type(node)
    if kind is ast.Constant:
        return isinstance(node.value, str | bytes)  # type: ignore[attr-defined]
    if kind is ast.JoinedStr:
        return True
    if kind is ast.BinOp:
        op = type(node.op)  # type: ignore[attr-defined]
        if op is ast.Mod:
            return _is_str(node.left)  # type: ignore[attr-defined]
        if op is ast.Add:
            return any(_is_str(operand) for operand in _add_operands(node))  # type: ignore[arg-type]
        return False
    if kind is ast.Call:
        func = node.func  # type: ignore[attr-defined]
        return type(func) is ast.Attribute and func.attr == "format" and _is_str(func.value)
    return False


def _add_operands(node: ast.BinOp) -> list[ast.expr]:
    """Operands of an `a + b + c` chain, left to right (iterative: chains are long)."""
    rights = []
    current: ast.expr = node
    while type(current) is ast.BinOp and type(current.op) is ast.Add:  # type: ignore[attr-defined]
        rights.append(current.right)  # type: ignore[attr-defined]
        current = current.left  # type: ignore[attr-defined]
    return [current, *reversed(rights)]


def _pieces(node: ast.AST) -> list[Piece]:
    """A string expression (`_is_str`) as literal texts and holes, in order."""
    kind = type(node)
    if kind is ast.Constant:
        value = node.value  # type: ignore[attr-defined]
        if isinstance(value, bytes):
            try:
                value = value.decode("utf-8")
            except UnicodeError:
                raise _NotText from None
        return [value]
    if kind is ast.JoinedStr:
        # literal pieces are Constants, holes FormattedValues: the interpolated expression
        return [
            _Repr(value.value)
            if type(value) is ast.FormattedValue and format_repr(
                chr(value.conversion) if value.conversion >= 0 else None, value.format_spec
            )
            else value.value
            for value in node.values  # type: ignore[attr-defined]
        ]
    if kind is ast.List or kind is ast.Tuple:  # a statement's lines, given to a sink
        lines: list[Piece] = []
        for index, item in enumerate(node.elts):  # type: ignore[attr-defined]
            if index:
                lines.append("\n")
            lines.extend(_pieces(item))
        return lines
    if kind is ast.Call:  # `"...".format(...)`: fields start at the first brace
        call: ast.Call = node  # type: ignore[assignment]
        arguments = ast.Tuple(
            elts=[*call.args, *(keyword.value for keyword in call.keywords)], ctx=ast.Load()
        )
        return _fields(_pieces(call.func.value), "{}", arguments)  # type: ignore[attr-defined]
    if type(node.op) is ast.Mod:  # type: ignore[attr-defined]
        return _fields(_pieces(node.left), "%", node.right)  # type: ignore[attr-defined]
    out: list[Piece] = []
    for operand in _add_operands(node):  # type: ignore[arg-type]
        out.extend(_pieces(operand) if _is_str(operand) else [operand])
    return out


def _lines_given(node: ast.List | ast.Tuple) -> bool:
    """A list or tuple display of string expressions only (`readers.code_sql._lines_of`)."""
    return bool(node.elts) and all(_is_str(item) for item in node.elts)


def _fields(pieces: list[Piece], openers: str, arguments: ast.AST) -> list[Piece]:
    """Cut a `%`/`.format` template at its first field: what follows is known only later."""
    out: list[Piece] = []
    for piece in pieces:
        if type(piece) is str:
            cuts = [i for i in (piece.find(c) for c in openers) if i >= 0]  # type: ignore[attr-defined]
            if not cuts:
                out.append(piece)
                continue
            cut = min(cuts)
            out.append(piece[:cut])  # type: ignore[index]
            if _writes_repr(piece[cut:], openers):  # type: ignore[index]
                return [*out, _Repr(arguments)]
        else:
            out.append(piece)
        return [*out, arguments, _UNKNOWN]
    return out


def _writes_repr(field: str, openers: str) -> bool:
    """Whether the `%`/`.format` field `field` starts with writes its value's `repr()` as the
    resolver reads it (`python.fields`: `%r`/`%a` with no flag, width or precision;
    `{...!r}`/`{...!a}` with no format spec)."""
    if openers == "%":
        match = PERCENT_FIELD.match(field)
        return match is not None and percent_repr(match) is not None
    try:
        literal, name, spec, conversion = next(_string.formatter_parser(field))
    except (ValueError, StopIteration):
        return False
    return not literal and name is not None and format_repr(conversion, spec) is not None


# --------------------------------------------------------------------------------------------
# the look
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Template:
    """A string expression (or a value given to a sink) whose start is a hole: judged once the
    whole file is known."""

    line: int
    pieces: list[Piece]
    at_sink: bool
    function: str | None
    scope: tuple[str | None, tuple[str, ...], frozenset[str], int] = (None, (), frozenset(), 0)


@dataclass(slots=True)
class _Forward:
    """A call made by a function with parameters (a helper when it passes one on to one)."""

    function: str
    positional: tuple[str, ...]
    params: frozenset[str]
    callee: str
    args: list[tuple[str, str | int, ast.AST]]
    scope: int


@dataclass(slots=True)
class _State:
    reasons: list[str] = field(default_factory=list)
    imports: list[ImportBinding] = field(default_factory=list)
    binds: dict[str, int] = field(default_factory=dict)  # name -> bindings anywhere
    constants: dict[str, str] = field(default_factory=dict)  # module `NAME = "literal"`
    models: set[str] = field(default_factory=set)
    bases: dict[str, set[str]] = field(default_factory=dict)
    refers: dict[str, set[str]] = field(default_factory=dict)
    keyword_literals: bool = False  # a literal starts like SQL at a sink
    statement_literals: bool = False  # a literal starts like SQL anywhere
    # (scope, function name) -> its return values (with their scope); method name -> the same
    returns: dict[object, list[tuple[ast.AST, int]]] = field(default_factory=dict)
    classes: dict[tuple[int, str], set[str]] = field(default_factory=dict)  # -> base names
    templates: list[_Template] = field(default_factory=list)
    calls: list[_Forward] = field(default_factory=list)
    called: set[str] = field(default_factory=set)
    super_calls: list[tuple[str, list[_Forward]]] = field(default_factory=list)  # `_call`
    stars: list[str] = field(default_factory=list)
    migration: bool = False
    django: str = ""  # why the file is read for Django ("line 3: imports Django"), or ""
    leading: set[tuple[str, str]] = field(default_factory=set)
    imported: set[str] = field(default_factory=set)  # first parts of names bound by imports
    # (scope, name) or ".attr" -> (value, scope of the value) it may be bound to
    values: dict[object, list[tuple[ast.AST, int]]] = field(default_factory=dict)
    scope_parent: list[int] = field(default_factory=lambda: [0])
    scope_class: list[bool] = field(default_factory=lambda: [False])
    scope_binds: list[set[str]] = field(default_factory=lambda: [set()])
    imported_bases: set[str] = field(default_factory=set)  # imported names classes derive from
    # module-level classes deriving from a factory (`class DB(SQLAlchemy)`): calls of them
    # make a declarative base or a MetaData as the factory's do
    factories: set[str] = field(default_factory=set)
    stampers: set[str] = field(default_factory=set)  # `Glance.stampers`
    passes_up: bool = False  # `Glance.passes_up`
    constructors: set[str] = field(default_factory=set)  # `Glance.constructors`
    kept: set[str] = field(default_factory=set)  # `Glance.kept`
    table_object: int = 0  # the first line of a chain using a table object (`_table_object`)
    stamp_aliases: set[str] = field(default_factory=set)  # `from flask_migrate import stamp as s`
    class_roots: set[str] = field(default_factory=set)  # names any class's bases read
    scope_imports: list[set[str]] = field(default_factory=lambda: [set()])


class _Looker:
    """One iterative walk over the tree (no `ast.NodeVisitor`: its generic dispatch costs more
    than the parse). Handlers live in `_HANDLERS` (plain functions, no bound methods: nothing
    keeps the tree alive after the look)."""

    def __init__(self, module: str, path: str, dialect: str,
                 verdicts: Iterable[tuple[str, bool | None]] = ()) -> None:
        self.path = path
        self.verdicts = Verdicts(verdicts)
        self.package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        self.dialect = dialect
        self.state = _State()
        self.function: str | None = None  # innermost enclosing function (last name)
        self.params: frozenset[str] = frozenset()  # its parameters
        self.positional: tuple[str, ...] = ()  # its positional parameters, in order
        self.depth = 0  # functions and classes around the node being looked at
        self.top: str | None = None  # the module-level class/function being looked at
        self.in_class = False  # directly in a class body (not in one of its methods)
        self.done: set[int] = set()  # ids of strings already judged as a sink's argument
        self.scope = 0  # the scope being looked at (0: the module)
        self._sets: dict[frozenset[Any], frozenset[Any]] = {}  # `_shared`

    def _shared(self, items: Iterable[T]) -> frozenset[T]:
        """`frozenset(items)`, one object per distinct set in the file: pickled once, so
        unpickled once. Each unpickled frozenset is a new object, 216 bytes even when empty,
        and the main process of a 5,000-module scan held 77,000 empty ones of glances."""
        found = frozenset(items)
        return self._sets.setdefault(found, found)

    def look(self, tree: ast.Module) -> Glance:
        state = self.state
        self._module_constants(tree)
        if _migration_steps(self.path, tree):
            state.reasons.append("a home-made migration module")
        self.walk(tree.body)
        state.imported_bases = state.class_roots & state.imported
        for template in state.templates:
            self._judge(template)
        if state.migration:
            state.reasons.append("imports Alembic")
        if state.table_object and any(
            binding.level == 0 and binding.module.split(".")[0] in SQLALCHEMY_ROOTS
            for binding in state.imports
        ):
            state.reasons.append(f"line {state.table_object}: a table object's columns or "
                                 "statement")
        if state.django:
            state.reasons.append(state.django)
        if "super" in state.binds:  # a name of the file, not the builtin
            for name, forwards in state.super_calls:
                state.called.add(name)
                state.calls.extend(forwards)
        forwards = []
        reach_memo: dict[tuple[int, frozenset[str], int, str], frozenset[str]] = {}
        for call in state.calls:
            args = []
            for kind, key, value in call.args:
                reached = self._reached_params(value, call.params, call.scope, reach_memo)
                for param in sorted(reached):
                    position = call.positional.index(param) if param in call.positional else -1
                    args.append((kind, key, param, position))
            if args:
                forwards.append((call.function, call.callee, tuple(args)))
        return Glance(
            reasons=tuple(dict.fromkeys(state.reasons)),
            imports=tuple(state.imports),
            models=self._shared(state.models),
            bases=tuple(
                (name, self._shared(roots)) for name, roots in sorted(state.bases.items())
            ),
            refers=tuple(
                (name, self._shared(roots)) for name, roots in sorted(state.refers.items())
            ),
            keyword_literals=state.keyword_literals,
            gives=self._gives(),
            attrs=self._attrs(),
            leading=self._shared(state.leading),
            forwards=tuple(sorted(set(forwards), key=repr)),
            called=self._shared(state.called),
            stars=tuple(state.stars),
            verdicts=tuple(self.verdicts.asked.items()),
            stampers=self._shared(state.stampers),
            passes_up=state.passes_up,
            constructors=self._shared(state.constructors),
            kept=self._shared(state.kept),
        )

    def walk(self, nodes: list[ast.AST]) -> None:
        stack = list(nodes)
        pop, push = stack.pop, stack.append
        handlers, fields = _HANDLERS, _FIELDS
        while stack:
            node = pop()
            kind = type(node)
            handler = handlers.get(kind)
            if handler is not None and not handler(self, node):
                continue
            names = fields.get(kind)
            if names is None:
                names = fields[kind] = _child_fields(kind)
            for name in names:
                value = getattr(node, name, None)
                if type(value) is list:
                    for item in value:
                        if isinstance(item, ast.AST):
                            push(item)
                elif isinstance(value, ast.AST):
                    push(value)

    @property
    def module_level(self) -> bool:
        return self.depth == 0

    def _module_constants(self, tree: ast.Module) -> None:
        """Module-level `NAME = "literal"`: a hole naming one is folded to its text (only when
        the name is bound nowhere else in the file, checked in `_fold`). Module-level classes
        deriving from a factory, in order: the walk meets `db = DB()` before `class DB`."""
        state = self.state
        for statement in tree.body:
            if type(statement) is ast.ClassDef:
                if any(_is_factory(state, _last_name(base)) for base in statement.bases):
                    state.factories.add(statement.name)
            elif (
                type(statement) is ast.Assign
                and len(statement.targets) == 1
                and type(statement.targets[0]) is ast.Name
                and type(statement.value) is ast.Constant
                and isinstance(statement.value.value, str)
            ):
                self.state.constants[statement.targets[0].id] = statement.value.value

    def flows(self, target: ast.AST, value: ast.AST) -> None:
        """`value` may end up in `target` (a name, `x.attr`, an element of a tuple...)."""
        values = self.state.values
        bound = (value, self.scope)
        stack = [target]
        while stack:
            current = stack.pop()
            kind = type(current)
            if kind is ast.Name:
                values.setdefault((self.scope, current.id), []).append(bound)  # type: ignore[attr-defined]
                if self.in_class:  # a class attribute, read as `self.name` too
                    values.setdefault("." + current.id, []).append(bound)  # type: ignore[attr-defined]
            elif kind is ast.Attribute:
                values.setdefault("." + current.attr, []).append(bound)  # type: ignore[attr-defined]
            elif kind is ast.Tuple or kind is ast.List:
                stack.extend(current.elts)  # type: ignore[attr-defined]
            elif kind is ast.Starred or kind is ast.Subscript:
                stack.append(current.value)  # type: ignore[attr-defined]

    def _gives(self) -> tuple[tuple[str, bool, frozenset[tuple[str, str]]], ...]:
        """What each module-level name gives out, for the reach of other modules' holes."""
        state = self.state
        out = []
        names = {
            key[1]  # type: ignore[index]
            for table in (state.values, state.returns)
            for key in table
            if type(key) is tuple and key[0] == 0
        }
        for name in sorted(names):
            starts: list[tuple[ast.AST, int, str, bool]] = [
                (value, where, "", False) for value, where in state.values.get((0, name), ())
            ]
            starts.extend(
                (value, where, "", False) for value, where in state.returns.get((0, name), ())
            )
            found, deferred = self._reach_all(starts, at_sink=True)
            out.append((name, found, self._shared(deferred)))
        return tuple(out)

    def _attrs(self) -> tuple[tuple[str, bool, frozenset[tuple[str, str]]], ...]:
        """What `x.attr` may give out, by attribute name, for the reach of other modules."""
        state = self.state
        names = {key[1:] for key in state.values if isinstance(key, str)}
        names |= {key[1:] for key in state.returns if isinstance(key, str)}
        out = []
        for attr in sorted(names):
            found, deferred = self._reach_all(
                [(ast.Attribute(ast.Name("self"), attr), 0, "", True)], at_sink=True
            )
            out.append((attr, found, self._shared(deferred)))
        return tuple(out)

    def bind(self, name: str) -> None:
        binds = self.state.binds
        binds[name] = binds.get(name, 0) + 1
        self.state.scope_binds[self.scope].add(name)

    def new_scope(self, *, is_class: bool) -> int:
        state = self.state
        state.scope_parent.append(self.scope)
        state.scope_class.append(is_class)
        state.scope_binds.append(set())
        state.scope_imports.append(set())
        return len(state.scope_parent) - 1

    def resolve(self, scope: int, name: str) -> int | None:
        """The scope a name read in `scope` is bound in (Python's rules: enclosing functions,
        then the module; a class body is seen only from itself); None if none binds it."""
        state = self.state
        current = scope
        while True:
            if name in state.scope_binds[current]:
                return current
            if current == 0:
                return None
            current = state.scope_parent[current]
            while current and state.scope_class[current]:
                current = state.scope_parent[current]

    def absolute(self, binding: ImportBinding) -> str:
        """`resolve.index.absolute_module` for this file."""
        if binding.level == 0:
            return binding.module
        parts = self.package.split(".") if self.package else []
        if binding.level > 1:
            parts = parts[: len(parts) - (binding.level - 1)]
        if binding.module:
            parts.append(binding.module)
        return ".".join(parts)

    def add_import(self, binding: ImportBinding, line: int) -> None:
        """Record an import; its binding keeps no line (`Glance.imports`), `line` is for a
        reason."""
        self.state.imports.append(binding)
        if binding.local != "*":
            head = binding.local.split(".")[0]
            self.state.imported.add(head)
            self.state.scope_binds[self.scope].add(head)
            self.state.scope_imports[self.scope].add(head)
        if binding.level == 0 and binding.module.split(".")[0] in MIGRATION_ROOTS:
            self.state.migration = True
        if (
            binding.level == 0 and binding.name == "stamp" and binding.local != "stamp"
            and binding.module.split(".")[0] in ("alembic", "flask_migrate")
        ):
            self.state.stamp_aliases.add(binding.local)
        if binding.level == 0 and binding.module.split(".")[0] == DJANGO_ROOT:
            self.state.django = self.state.django or f"line {line}: imports Django"

    def scoped(self, nodes: list[ast.AST], *, function: str | None, params: frozenset[str],
               positional: tuple[str, ...], top: str | None, in_class: bool,
               bound: frozenset[str] = frozenset()) -> None:
        """Walk the body of a function or class with its scope set."""
        saved = (self.function, self.params, self.positional, self.top, self.in_class,
                 self.scope)
        self.function, self.params, self.positional = function, params, positional
        self.top, self.in_class = top, in_class
        self.scope = self.new_scope(is_class=in_class)
        if not in_class:
            self.state.scope_binds[self.scope].update(bound)
        self.depth += 1
        try:
            self.walk(nodes)
        finally:
            self.depth -= 1
            (self.function, self.params, self.positional, self.top, self.in_class,
             self.scope) = saved

    def _reached_params(
        self, expr: ast.AST, params: frozenset[str], scope: int,
        memo: dict[tuple[int, frozenset[str], int, str], frozenset[str]],
    ) -> frozenset[str] | set[str]:
        """Parameters of the function of `scope` that `expr` reads, directly or through the
        local values it reads. What one name reaches is the same for every argument of every
        call in that function (a reachability: the union over the names an expression reads),
        so it is kept in `memo` for the look; a name's reach is found from that name alone."""
        if type(expr) is ast.Constant:
            return frozenset()
        names = (
            (expr,) if type(expr) is ast.Name
            else [node for node in _nodes(expr) if type(node) is ast.Name]
        )
        reached: set[str] = set()
        for node in names:
            name = node.id  # type: ignore[attr-defined]
            found = self.resolve(scope, name)
            if found is None:
                continue
            key = (scope, params, found, name)
            from_name = memo.get(key)
            if from_name is None:
                from_name = memo[key] = self._reach_from(found, name, params, scope)
            if len(names) == 1:
                return from_name
            reached |= from_name
        return reached

    def _reach_from(self, found: int, name: str, params: frozenset[str], scope: int
                    ) -> frozenset[str]:
        """The parameters of `scope` among `name` (bound in `found`) and the names its values
        read, through their values in turn."""
        values = self.state.values
        seen = {(found, name)}
        reached: set[str] = set()
        if found == scope and name in params:
            reached.add(name)
        todo = list(values.get((found, name), ()))
        while todo:
            expr, where = todo.pop()
            for node in _nodes(expr):
                if type(node) is not ast.Name:
                    continue
                found = self.resolve(where, node.id)  # type: ignore[attr-defined]
                if found is None or (found, node.id) in seen:  # type: ignore[attr-defined]
                    continue
                seen.add((found, node.id))  # type: ignore[attr-defined]
                if found == scope and node.id in params:  # type: ignore[attr-defined]
                    reached.add(node.id)  # type: ignore[attr-defined]
                todo.extend(values.get((found, node.id), ()))  # type: ignore[attr-defined]
        return frozenset(reached)

    # ---- strings ---------------------------------------------------------------------------

    def string(self, node: ast.AST, *, at_sink: bool) -> None:
        if id(node) in self.done:
            return
        try:
            pieces = _pieces(node)
        except _NotText:
            return
        state = self.state
        holes = []
        judged: list[Piece] = []
        for piece in pieces:
            if type(piece) is str:
                if starts_like_sql(piece, at_sink=True):  # type: ignore[arg-type]
                    state.keyword_literals = True
                    if not state.statement_literals:
                        state.statement_literals = starts_like_sql(piece, at_sink=False)  # type: ignore[arg-type]
            elif type(piece) is _Repr:
                holes.append(piece.node)  # type: ignore[attr-defined]
                judged += (REPR_START, _UNKNOWN)
                continue
            elif piece is not _UNKNOWN:
                holes.append(piece)
            judged.append(piece)
        if holes:  # what a hole holds is looked at as usual (calls, sinks, strings)
            self.walk(holes)  # type: ignore[arg-type]
        line = getattr(node, "lineno", 0)
        template = _Template(line, judged, at_sink, self.function, self.function_scope())
        verdict = self.verdict(template)
        if verdict is None:
            state.templates.append(template)
        elif verdict:
            state.reasons.append(f"line {line}: {'SQL at a sink' if at_sink else 'SQL string'}")

    def verdict(self, template: _Template) -> bool | None:
        """True/False when the template's known start decides; None when it starts with a hole
        (decided by `_judge`, once every binding of the file is known)."""
        pieces = template.pieces
        index = 0
        while index < len(pieces) and type(pieces[index]) is str:
            index += 1
        text = "".join(pieces[:index])  # type: ignore[arg-type]
        if index == len(pieces):  # fully literal: the detector itself decides
            if not template.at_sink and not _worth_reporting(text):
                return False
            return is_sql_text(
                text, at_sink=template.at_sink, dialect=self.dialect, verdicts=self.verdicts
            )
        last = pieces[-1]
        if not template.at_sink and type(last) is str and _ends_like_a_sentence(last):  # type: ignore[arg-type]
            return False  # whatever it starts with, `is_sql_text` refuses it away from a sink
        if not known_first_word(text):
            return None
        return could_be_sql(text, last if type(last) is str else None, at_sink=template.at_sink)

    def _judge(self, template: _Template) -> None:
        """A template starting with a hole: fold module constants, else decide by what the hole
        can hold. A keyword can only come from a string literal: one inside the hole, one of
        this file (any local value may be built from it), or one of an imported module (then
        the rounds decide, from what the file imports: `Glance.leading`)."""
        state = self.state
        folded = self._fold(template)
        if folded is not template:
            verdict = self.verdict(folded)
            if verdict is not None:
                if verdict:
                    state.reasons.append(f"line {template.line}: SQL string (folded)")
                return
        hole = next(p for p in folded.pieces if type(p) is not str)
        found, deferred = (
            (True, set[tuple[str, str]]()) if hole is _UNKNOWN
            else self._reach(hole, template.at_sink, template.scope[3])  # type: ignore[arg-type]
        )
        if found:
            state.reasons.append(f"line {template.line}: SQL may start in a hole")
        else:
            state.leading |= deferred

    def function_scope(self) -> tuple[str | None, tuple[str, ...], frozenset[str], int]:
        return (self.function, self.positional, self.params, self.scope)

    def _reach(self, hole: ast.AST, at_sink: bool, scope: int
               ) -> tuple[bool, set[tuple[str, str]]]:
        """Whether a literal that starts like SQL can flow into `hole` within this file, and
        the imported names it can flow from otherwise (for the rounds)."""
        return self._reach_all([(hole, scope, "", False)], at_sink=at_sink)

    def _reach_all(self, starts: list[tuple[ast.AST, int, str, bool]], *, at_sink: bool
                   ) -> tuple[bool, set[tuple[str, str]]]:
        """A small flow analysis over the file: each item is an expression, the scope it is
        read in, the attribute read on its value ("" for none) and whether it is called. Names
        follow the values bound to them in their scope, functions their returns when called,
        `self.x`/`obj.x` the values given to any `.x` of the file and methods named `x`;
        imported names (with the attribute read on them) are collected for the rounds, and so
        are the attributes a class may inherit from an imported base. Conservative: whatever
        is not followed (an argument, an index) is read with no attribute."""
        state = self.state
        deferred: set[tuple[str, str]] = set()
        todo = list(starts)
        seen: set[tuple[int, int, str, bool]] = set()
        budget = _REACH_BUDGET
        while todo:
            expr, where, attr, called = todo.pop()
            key = (id(expr), where, attr, called)
            if key in seen:
                continue
            seen.add(key)
            budget -= 1
            if budget < 0:
                return True, deferred  # too much to follow: as if a literal were found
            kind = type(expr)
            if kind is ast.Constant:
                value = expr.value  # type: ignore[attr-defined]
                if isinstance(value, str) and starts_like_sql(value, at_sink=at_sink):
                    return True, deferred
            elif kind is ast.Name:
                name = expr.id  # type: ignore[attr-defined]
                bound = self.resolve(where, name)
                if bound is None:
                    if name not in _BUILTINS and state.stars:
                        deferred.add(("*", attr))  # a free name: a star import may bind it
                    continue
                if name in state.scope_imports[bound]:
                    deferred.add((name, attr))
                todo.extend((v, s, attr, called) for v, s in state.values.get((bound, name), ()))
                if called:
                    todo.extend((v, s, attr, False) for v, s in
                                state.returns.get((bound, name), ()))
                bases = state.classes.get((bound, name))
                if bases is not None and attr:
                    todo.extend(self._attribute(attr, called))
                    deferred.update((base, attr) for base in bases & state.imported)
            elif kind is ast.Attribute:
                name = expr.attr  # type: ignore[attr-defined]
                todo.extend(self._attribute(name, called, pending=attr))
                base = expr.value  # type: ignore[attr-defined]
                if type(base) is ast.Name and base.id in ("self", "cls"):
                    if not state.values.get("." + name) and not state.returns.get("." + name):
                        # may be inherited from a class of another module
                        deferred.update((b, name) for b in state.imported_bases)
                        if state.stars:
                            deferred.add(("*", name))
                else:
                    todo.append((base, where, name, False))
            elif kind is ast.Call:
                todo.append((expr.func, where, attr, True))  # type: ignore[attr-defined]
                todo.extend((a, where, "", False) for a in expr.args)  # type: ignore[attr-defined]
                todo.extend((k.value, where, "", False) for k in expr.keywords)  # type: ignore[attr-defined]
            elif kind in _SCOPED:  # a lambda or comprehension: its own names are approximated
                todo.extend((child, where, "", False) for child in _children(expr))
            else:
                todo.extend((child, where, "", False) for child in _children(expr))
        return False, deferred

    def _attribute(self, name: str, called: bool, pending: str = ""
                   ) -> Iterator[tuple[ast.AST, int, str, bool]]:
        """What `x.name` may hold, for any `x` of this file: values given to `.name`, and the
        returns of methods named `name` when called."""
        state = self.state
        for value, where in state.values.get("." + name, ()):
            yield value, where, pending, called
        if called:
            for value, where in state.returns.get("." + name, ()):
                yield value, where, pending, False

    def _fold(self, template: _Template) -> _Template:
        """Module constants bound once (`NAME = "literal"`) put in place of the holes naming
        them, from the start of the template."""
        pieces = list(template.pieces)
        changed = False
        for index, piece in enumerate(pieces):
            if type(piece) is str:
                continue
            if (
                type(piece) is ast.Name
                and piece.id in self.state.constants  # type: ignore[attr-defined]
                and self.state.binds.get(piece.id) == 1  # type: ignore[attr-defined]
                and piece.id not in self.state.imported  # type: ignore[attr-defined]
            ):
                pieces[index] = self.state.constants[piece.id]  # type: ignore[attr-defined]
                changed = True
                continue
            break
        if not changed:
            return template
        return _Template(template.line, pieces, template.at_sink, template.function,
                         template.scope)

    # ---- calls -----------------------------------------------------------------------------

    def sink(self, node: ast.expr) -> None:
        if type(node) is ast.IfExp:
            self.sink(node.body)
            self.sink(node.orelse)
            return
        if _is_str(node):
            self.string(node, at_sink=True)
            self.done.add(id(node))
            return
        kind = type(node)
        if kind in (ast.List, ast.Tuple) and _lines_given(node):  # type: ignore[arg-type]
            # a statement given as its lines: judged at the sink as one text, as the reader
            # joins them, unless a line is not text (the reader then reads each on its own)
            try:
                _pieces(node)
            except _NotText:
                return
            self.done.update(id(item) for item in node.elts)  # type: ignore[attr-defined]
            self.string(node, at_sink=True)
            return
        if kind in (ast.Name, ast.Attribute, ast.BinOp, ast.Subscript) or (
            kind is ast.Call and _result_may_be_sql(node)  # type: ignore[arg-type]
        ):
            # a value given to a sink (`cur.execute(QUERY)`): SQL if it can hold a keyword
            self.state.templates.append(
                _Template(node.lineno, [node, _UNKNOWN], True, self.function,
                          self.function_scope())
            )

    def forward(self, node: ast.Call, name: str, runner_at: int | None = None) -> None:
        """A call that may pass a parameter of this function on to `name` (then a helper if
        `name` takes a table name there). With `runner_at`, `name` is the function handed to
        a runner at that position: the arguments after it reach `name` at positions only the
        resolver aligns (`"r"`: any position)."""
        if self.function is None or not self.params:
            return
        args: list[tuple[str, str | int, ast.AST]] = []
        for index, arg in enumerate(node.args):
            if type(arg) is ast.Starred:
                break  # positions after *args are unknown
            if runner_at is None:
                args.append(("p", index, arg))
            elif index > runner_at:
                args.append(("r", index, arg))
        args.extend(("k", kw.arg, kw.value) for kw in node.keywords if kw.arg is not None)
        if args:
            self.state.calls.append(
                _Forward(self.function, self.positional, self.params, name, args, self.scope)
            )


# ---- handlers (return True to look at the node's children as usual) -------------------------


def _name(looker: _Looker, node: ast.Name) -> bool:
    if node.id in DJANGO_NAMES and not looker.state.django:
        looker.state.django = f"line {node.lineno}: {node.id}"
    if type(node.ctx) is not ast.Load:
        looker.bind(node.id)
    return False


def _arg(looker: _Looker, node: ast.arg) -> bool:
    binds = looker.state.binds  # (bound in the function's own scope by `scoped`)
    binds[node.arg] = binds.get(node.arg, 0) + 1
    return node.annotation is not None


def _import(looker: _Looker, node: ast.Import) -> bool:
    for alias in node.names:
        looker.add_import(ImportBinding(alias.asname or alias.name, alias.name, None, 0, 0),
                          node.lineno)
    return False


def _import_from(looker: _Looker, node: ast.ImportFrom) -> bool:
    module = node.module or ""
    for alias in node.names:
        binding = ImportBinding(alias.asname or alias.name, module, alias.name, node.level, 0)
        if alias.name == "*":
            looker.state.stars.append(looker.absolute(binding))
            if not looker.state.django and _is_settings_module(looker.path):
                # `from .common import *` in `proj/settings/devel.py`: Django settings that
                # take INSTALLED_APPS from another module, read whatever else they hold
                looker.state.django = f"line {node.lineno}: settings star import"
        looker.add_import(binding, node.lineno)
    return False


def _is_settings_module(path: str) -> bool:
    """`proj/settings.py`, `proj/settings/devel.py`, `settings_local.py`: named as Django
    settings (the file or its folder)."""
    parts = path.removesuffix(".py").split("/")
    return any(part.startswith("settings") for part in parts[-2:])


def _expression_statement(looker: _Looker, node: ast.Expr) -> bool:
    value = node.value
    # docstrings and other bare strings are never candidates
    return not (
        type(value) is ast.JoinedStr
        or (type(value) is ast.Constant and isinstance(value.value, str | bytes))
    )


def _assign(looker: _Looker, node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> bool:
    targets = node.targets if type(node) is ast.Assign else [node.target]  # type: ignore[union-attr]
    if any(type(t) is ast.Name and t.id == "__all__" for t in targets):
        looker.bind("__all__")
        return False
    value = node.value
    state = looker.state
    if looker.module_level and any(
        type(t) is ast.Name and t.id == "down_revision" for t in targets
    ):
        # an Alembic revision by its identifiers (the reader's `_revision_marker`), even one
        # that imports nothing of Alembic (`def upgrade(): pass`)
        state.reasons.append(f"line {node.lineno}: down_revision")
    if looker.in_class:
        for target in targets:
            if type(target) is ast.Name and target.id in ORM_DUNDERS:
                state.reasons.append(f"line {target.lineno}: {target.id}")
        if type(node) is ast.AnnAssign and _annotation_head(node.annotation) in ORM_ANNOTATIONS:
            state.reasons.append(f"line {node.lineno}: mapped attribute")
    if looker.module_level and value is not None and type(node) is not ast.AugAssign:
        if type(value) is ast.Call and (
            _is_factory(state, _last_name(value.func)) or _is_table_call(value)
        ):
            # `Base = declarative_base()`, `db = SQLAlchemy()`, `users = Table("users", ...)`
            state.models.update(t.id for t in targets if type(t) is ast.Name)
        roots = _names(value)  # a module-level variable refers to the names in its value
        for target in targets:
            if type(target) is ast.Name:
                state.refers.setdefault(target.id, set()).update(roots)
    if looker.in_class and looker.top is not None:
        gives = state.refers.setdefault(looker.top, set())
        if value is not None:
            gives |= _names(value)
        if type(node) is ast.AnnAssign:
            gives |= _names(node.annotation)
    if value is not None:
        for target in targets:
            looker.flows(target, value)
    return True


def _loop(looker: _Looker, node: ast.For | ast.AsyncFor | ast.comprehension) -> bool:
    looker.flows(node.target, node.iter)
    return True


def _walrus(looker: _Looker, node: ast.NamedExpr) -> bool:
    looker.flows(node.target, node.value)
    return True


def _with_item(looker: _Looker, node: ast.withitem) -> bool:
    if node.optional_vars is not None:
        looker.flows(node.optional_vars, node.context_expr)
    return True


def _return(looker: _Looker, node: ast.Return) -> bool:
    if node.value is not None and looker.top is not None:
        looker.state.refers.setdefault(looker.top, set()).update(_names(node.value))
    if node.value is not None and looker.function is not None:
        state = looker.state
        returned = (node.value, looker.scope)
        enclosing = state.scope_parent[looker.scope]  # where the function's name is bound
        state.returns.setdefault((enclosing, looker.function), []).append(returned)
        if state.scope_class[enclosing]:  # a method: `obj.name()` may call it
            state.returns.setdefault("." + looker.function, []).append(returned)
    return True


def _class(looker: _Looker, node: ast.ClassDef) -> bool:
    looker.bind(node.name)
    state = looker.state
    roots: set[str] = set()
    for base in node.bases:
        roots |= _names(base)
    state.class_roots |= roots
    state.classes[(looker.scope, node.name)] = roots
    model = _class_is_model(node)
    if model:
        state.reasons.append(f"line {node.lineno}: class {node.name} is mapped")
    if not state.django and any(
        (base.id if type(base) is ast.Name else base.attr if type(base) is ast.Attribute
         else "").endswith("AppConfig")
        for base in node.bases
    ):
        # `class SearchConfig(ModelSearchAppConfig)`: a Django app's configuration through a
        # third-party app's, whose `label` names the app's tables and migrations
        state.django = f"line {node.lineno}: class {node.name} configures an app"
    top = looker.top
    if looker.module_level:
        top = node.name
        state.bases[node.name] = roots
        state.refers.setdefault(node.name, set()).update(roots)
        for item in node.body:
            if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef) and (
                item.name == "__init__"
            ):
                state.constructors.add(node.name)
                state.kept.update(_kept_attributes(item))
        if model:
            state.models.add(node.name)
    looker.walk([*node.bases, *node.keywords, *node.decorator_list])
    looker.scoped(node.body, function=looker.function, params=looker.params,
                  positional=looker.positional, top=top, in_class=True)
    return False


def _kept_attributes(init: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """`self.<attr> = <value reading a parameter>` in a constructor: the attributes it keeps
    from what it is given (an over-approximation of `Evaluator._from_constructor`: any
    assignment to the receiver's attribute whose value names a parameter)."""
    args = init.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if not names:
        return set()
    receiver, params = names[0], set(names[1:])
    for extra in (args.vararg, args.kwarg):
        if extra is not None:
            params.add(extra.arg)
    # each assignment once: the names it binds, the attributes of the receiver it sets, and
    # the names its value reads
    assignments: list[tuple[list[str], list[str], set[str]]] = []
    for node in ast.walk(init):
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign | ast.AugAssign) and node.value is not None:
            targets = [node.target]
        else:
            continue
        assert node.value is not None
        assignments.append((
            [t.id for t in targets if isinstance(t, ast.Name)],
            [t.attr for t in targets if isinstance(t, ast.Attribute)
             and isinstance(t.value, ast.Name) and t.value.id == receiver],
            {n.id for n in ast.walk(node.value) if isinstance(n, ast.Name)},
        ))
    # locals holding what a parameter gives (`t = table.lower()`: the evaluator reads the
    # local's value), until none is added
    grown = True
    while grown:
        grown = False
        for bound, _attributes, read in assignments:
            new = [name for name in bound if name not in params]
            if new and read & params:
                params.update(new)
                grown = True
    kept: set[str] = set()
    for _bound, attributes, read in assignments:
        if attributes and read & params:
            kept.update(attributes)
    return kept


def _function(looker: _Looker, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) -> bool:
    args = node.args
    params = frozenset(
        a.arg
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
        if a is not None
    )
    positional = tuple(a.arg for a in (*args.posonlyargs, *args.args))
    decorators = getattr(node, "decorator_list", ())
    if (
        looker.in_class
        and positional
        and not any(_last_name(d) == "staticmethod" for d in decorators)
    ):
        params = params - {positional[0]}  # `self`/`cls`: the receiver, never a table name
    name: str | None = getattr(node, "name", None)
    state = looker.state
    top = looker.top
    if name is not None:
        looker.bind(name)
        if looker.in_class and name in ORM_DUNDERS:
            state.reasons.append(f"line {node.lineno}: declared {name}")
        for decorator in node.decorator_list:  # type: ignore[union-attr]
            target = decorator.func if type(decorator) is ast.Call else decorator
            if _last_name(target) == "declared_attr" or _attribute_root(target) == "declared_attr":
                state.reasons.append(f"line {node.lineno}: declared_attr")
        if looker.module_level:
            top = name
        looker.walk(node.decorator_list)  # type: ignore[union-attr]
        if node.returns is not None:  # type: ignore[union-attr]
            looker.walk([node.returns])  # type: ignore[union-attr]
            if top is not None:
                state.refers.setdefault(top, set()).update(_names(node.returns))  # type: ignore[union-attr]
    looker.walk([args])
    body = node.body if type(node.body) is list else [node.body]
    function = name if name is not None else looker.function
    all_params = frozenset(
        a.arg
        for a in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg)
        if a is not None
    )
    looker.scoped(body, function=function, params=params, positional=positional,  # type: ignore[arg-type]
                  top=top, in_class=False, bound=all_params)
    return False


def _call(looker: _Looker, node: ast.Call) -> bool:
    func = node.func
    if type(func) is ast.Attribute and func.attr == "format" and _is_str(func.value):
        looker.string(node, at_sink=False)
        return False
    name = _last_name(func)
    if name is None:
        return True
    state = looker.state
    if _is_sink_call(node):
        argument = _sink_argument(node)
        if argument is not None:
            looker.sink(argument)
    elif name in TEMP_VIEW_METHODS and type(func) is ast.Attribute and (
        node.args or node.keywords
    ):
        # a DataFrame registered as a temporary view: the reader reads it as its statement
        state.reasons.append(f"line {node.lineno}: {name}()")
    elif name in TABLE_COPY_METHODS and type(func) is ast.Attribute and (
        len(node.args) > TABLE_COPY_METHODS[name][2]
        or any(k.arg == TABLE_COPY_METHODS[name][3] for k in node.keywords)
    ):
        # `cur.copy_from(file, "listens")`: the reader reads it as its COPY statement
        state.reasons.append(f"line {node.lineno}: {name}()")
    if (
        type(func) is ast.Attribute and name in TABLE_STATEMENT_METHODS
        and _attribute_root(func.value) is not None
    ):
        _table_object(looker, node.lineno)
    if _is_factory(state, name) or _is_table_call(node):
        state.reasons.append(f"line {node.lineno}: {name}()")

    elif looker.in_class and name in ORM_ATTRIBUTES:
        state.reasons.append(f"line {node.lineno}: {name}() in a class body")
    if name == "stamp" or (type(func) is ast.Name and name in state.stamp_aliases):
        # `flask_migrate.stamp()` / `command.stamp(cfg, "head")` / `fm_stamp()` (an alias):
        # the ORM reader records the functions that stamp, for the create_all next to one
        state.reasons.append(f"line {node.lineno}: stamp()")
        if looker.function is not None:
            state.stampers.add(looker.function)
    if (
        name == "__init__" and looker.function == "__init__" and looker.top is not None
        and (node.args or node.keywords) and _calls_super(func)
    ):
        state.passes_up = True
    if _may_pass_a_name(node, name):
        if _calls_super(func):
            # `super().__init__(hs)`: the resolver reads `super()` as a library object, so
            # such a call reaches no helper of the repository (unless the file binds `super`)
            before = len(state.calls)
            looker.forward(node, name)
            state.super_calls.append((name, state.calls[before:]))
            del state.calls[before:]
        else:
            state.called.add(name)
            looker.forward(node, name)
        # A runner handed a function and its arguments (`run_in_transaction("desc",
        # self._insert_txn, table, row)`) calls it: `code_sql._runner_call`.
        for index, argument in enumerate(node.args):
            if type(argument) is ast.Starred:
                break
            if type(argument) is ast.Name or type(argument) is ast.Attribute:
                target = _last_name(argument)
                if target is not None and target not in NOT_HELPERS and target not in SINKS:
                    state.called.add(target)
                    looker.forward(node, target, runner_at=index)
    return True


def _table_object(looker: _Looker, line: int) -> None:
    """A chain's table object (`tbl.c.name`, `self.db.model.users.insert()`): the SQLAlchemy
    reader asks the evaluator whether the chain is a table (`_table_object_use`), in a file
    importing SQLAlchemy (`look`)."""
    if not looker.state.table_object:
        looker.state.table_object = line


def _attribute(looker: _Looker, node: ast.Attribute) -> bool:
    if node.attr in TABLE_COLUMNS and _attribute_root(node.value) is not None:
        _table_object(looker, node.lineno)
    if node.attr == "create_all":  # `conn.run_sync(Base.metadata.create_all)`
        looker.state.reasons.append(f"line {node.lineno}: create_all")
    elif node.attr in DJANGO_NAMES and not looker.state.django:  # `Report.objects.filter`
        looker.state.django = f"line {node.lineno}: .{node.attr}"
    return True


def _constant(looker: _Looker, node: ast.Constant) -> bool:
    value = node.value
    if type(value) is str:
        # Most constants of a file (names, keys, messages) start with no keyword a sink
        # takes: for them `string` would find neither a literal that starts like SQL nor a
        # statement (`is_sql_text` wants a statement keyword first), so they are passed over
        # here, without the template and verdict it makes for each
        if statement_keyword(value) in SINK_KEYWORDS:
            looker.string(node, at_sink=False)
    elif isinstance(value, str | bytes):
        looker.string(node, at_sink=False)
    return False


def _joined(looker: _Looker, node: ast.JoinedStr) -> bool:
    looker.string(node, at_sink=False)
    return False


def _binop(looker: _Looker, node: ast.BinOp) -> bool:
    if _is_str(node):
        looker.string(node, at_sink=False)
        return False
    return True


_HANDLERS: dict[type, Callable[[_Looker, Any], bool]] = {
    ast.Name: _name,
    ast.arg: _arg,
    ast.Import: _import,
    ast.ImportFrom: _import_from,
    ast.Expr: _expression_statement,
    ast.Assign: _assign,
    ast.AnnAssign: _assign,
    ast.AugAssign: _assign,
    ast.ClassDef: _class,
    ast.FunctionDef: _function,
    ast.AsyncFunctionDef: _function,
    ast.Lambda: _function,
    ast.Call: _call,
    ast.For: _loop,
    ast.AsyncFor: _loop,
    ast.comprehension: _loop,
    ast.NamedExpr: _walrus,
    ast.withitem: _with_item,
    ast.Return: _return,
    ast.Constant: _constant,
    ast.Attribute: _attribute,
    ast.JoinedStr: _joined,
    ast.BinOp: _binop,
}
_FIELDS: dict[type, tuple[str, ...]] = {}


_REACH_BUDGET = 20_000  # expressions one reach may follow before it gives up (as if found)
_SCOPED = (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def _children(node: ast.AST) -> Iterator[ast.AST]:
    kind = type(node)
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = _child_fields(kind)
    for name in names:
        value = getattr(node, name, None)
        if type(value) is list:
            yield from (item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            yield value


# Fields that never hold a node in CPython's `ast` (names, flags, a constant's value...): a
# walk need not read them. `ctx` holds a node of no interest (`Load`, `Store`).
_SCALAR_FIELDS = frozenset(
    {"ctx", "id", "attr", "name", "asname", "module", "level", "arg", "kind", "type_comment",
     "conversion", "is_async", "simple", "lineno", "tag"}
)


def _child_fields(kind: type) -> tuple[str, ...]:
    """The fields of `kind` that may hold nodes, in order."""
    fields = getattr(kind, "_fields", ())
    if kind is ast.Constant:
        return ()  # `value` is a str, bytes, number, tuple or frozenset of them, or None
    if kind.__name__ == "TypeAlias":  # (Python 3.12: `type X = ...`, its `name` is a Name)
        return tuple(name for name in fields if name != "ctx")
    return tuple(name for name in fields if name not in _SCALAR_FIELDS)


def _nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node under `node` (iterative, like `ast.walk` without its generator chain)."""
    stack = [node]
    fields = _FIELDS
    while stack:
        current = stack.pop()
        yield current
        kind = type(current)
        names = fields.get(kind)
        if names is None:
            names = fields[kind] = _child_fields(kind)
        for name in names:
            value = getattr(current, name, None)
            if type(value) is list:
                stack.extend(item for item in value if isinstance(item, ast.AST))
            elif isinstance(value, ast.AST):
                stack.append(value)


def _names(node: ast.AST) -> set[str]:
    """Names an expression reads (`Base`, `db` of `db.Model`, `orm` of `orm.FlowRun[...]`)."""
    if type(node) is ast.Name:
        return {node.id}  # type: ignore[attr-defined]
    return {n.id for n in _nodes(node) if type(n) is ast.Name}  # type: ignore[attr-defined]


def _sink_argument(node: ast.Call) -> ast.expr | None:
    """`CodeSqlReader._call`: the first positional argument, else a SQL keyword argument."""
    if node.args and type(node.args[0]) is not ast.Starred:
        return node.args[0]
    for keyword in node.keywords:
        if keyword.arg in SQL_KEYWORDS:
            return keyword.value
    return None


def _migration_steps(path: str, tree: ast.Module) -> bool:
    """Whether the module may be a home-made migration module
    (`analyzer.sources.migration_modules`): in a migrations place, no Django migration
    (`class Migration`), with top-level functions or a numbered name."""
    if not migrations_place(path):
        return False
    body = tree.body
    if any(type(s) is ast.ClassDef and s.name == "Migration" for s in body):
        return False
    return bool(NUMBERED_FILE.match(path.rsplit("/", 1)[-1])) or any(
        type(s) is ast.FunctionDef or type(s) is ast.AsyncFunctionDef for s in body
    )


def _is_factory(state: _State, name: str | None) -> bool:
    """Whether a call of `name` makes a declarative base or a MetaData: one of
    `ORM_FACTORIES`, or a class of this module deriving from one (`class DB(SQLAlchemy)`)."""
    return name in ORM_FACTORIES or name in state.factories


def _class_is_model(node: ast.ClassDef) -> bool:
    """Whether a class carries an ORM marker of its own (a subclass of a model without one is
    found by the rounds, through its bases)."""
    for base in node.bases:
        if _last_name(base.value if type(base) is ast.Subscript else base) in ORM_BASES:
            return True
    if any(keyword.arg == "table" for keyword in node.keywords):
        return True
    for decorator in node.decorator_list:
        target = decorator.func if type(decorator) is ast.Call else decorator
        if _last_name(target) in ORM_DECORATORS:
            return True
    for statement in node.body:
        kind = type(statement)
        if kind is ast.Assign:
            targets: list[ast.expr] = statement.targets  # type: ignore[attr-defined]
            value = statement.value  # type: ignore[attr-defined]
        elif kind is ast.AnnAssign:
            targets = [statement.target]  # type: ignore[attr-defined]
            value = statement.value  # type: ignore[attr-defined]
            if _annotation_head(statement.annotation) in ORM_ANNOTATIONS:  # type: ignore[attr-defined]
                return True
        elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
            if statement.name in ORM_DUNDERS:  # type: ignore[attr-defined]
                return True
            continue
        else:
            continue
        if any(type(t) is ast.Name and t.id in ORM_DUNDERS for t in targets):
            return True
        if type(value) is ast.Call and _last_name(value.func) in ORM_ATTRIBUTES:
            return True
    return False


# --------------------------------------------------------------------------------------------
# small helpers on nodes
# --------------------------------------------------------------------------------------------


def _ends_like_a_sentence(ending: str) -> bool:
    """`detect._ends_like_a_sentence` on a text's last literal piece (its tail, if the piece
    holds more than one character after trailing whitespace)."""
    tail = ending.rstrip()
    return tail.endswith((".", "!")) or (tail.endswith("?") and tail[-2:-1].isalpha())


def _worth_reporting(text: str) -> bool:
    """`code_sql._worth_reporting` on a fully literal string."""
    return len(text.strip()) >= MIN_TEXT_LENGTH and any(c.isalpha() for c in text)


def _is_sink_call(node: ast.Call) -> bool:
    name = _last_name(node.func)
    return name is not None and (
        name in SINKS or (type(node.func) is ast.Attribute and name in METHOD_SINKS)
    )


def _result_may_be_sql(node: ast.Call) -> bool:
    """`code_sql._result_may_be_sql`: a call given to a sink whose result is read."""
    func = node.func
    if type(func) is ast.Attribute and func.attr in ("format", "join"):  # type: ignore[attr-defined]
        return True
    if _is_sink_call(node):
        return False
    while type(func) in (ast.Attribute, ast.Call):
        if type(func) is ast.Call:
            if _is_sink_call(func):  # type: ignore[arg-type]
                return False
            func = func.func  # type: ignore[attr-defined]
        else:
            func = func.value  # type: ignore[attr-defined]
    return True


def _last_name(node: ast.AST) -> str | None:
    if type(node) is ast.Name:
        return node.id  # type: ignore[attr-defined]
    if type(node) is ast.Attribute:
        return node.attr  # type: ignore[attr-defined]
    return None


def _attribute_root(node: ast.AST) -> str | None:
    while type(node) is ast.Attribute:
        node = node.value  # type: ignore[attr-defined]
    return node.id if type(node) is ast.Name else None  # type: ignore[attr-defined]


def _annotation_head(node: ast.AST | None) -> str | None:
    if node is None:
        return None
    if type(node) is ast.Constant and isinstance(node.value, str):  # type: ignore[attr-defined]
        return node.value.split("[", 1)[0].rsplit(".", 1)[-1].strip()  # type: ignore[attr-defined]
    if type(node) is ast.Subscript:
        node = node.value  # type: ignore[attr-defined]
    return _last_name(node)


def _is_table_call(call: ast.Call) -> bool:
    """`Table("name", metadata, ...)` or lightweight `table("name", column(...))` by shape
    (`rich.table.Table("Name", "Size")` is not one)."""
    name = _last_name(call.func)
    if name != "Table" and name != "table":
        return False
    positional = []
    for arg in call.args:
        if type(arg) is ast.Starred:
            break
        positional.append(arg)
    if not positional:
        return False
    if name == "Table":
        return not (len(positional) >= 2 and _is_str(positional[1]))
    return _is_str(positional[0])


def _calls_super(func: ast.expr) -> bool:
    """`super().name`, `super(Cls, self).name`."""
    return (
        type(func) is ast.Attribute
        and type(func.value) is ast.Call
        and type(func.value.func) is ast.Name
        and func.value.func.id == "super"
    )


def _may_pass_a_name(call: ast.Call, name: str) -> bool:
    """`code_sql._may_pass_a_name` on `ast` (a superset: `ast` merges implicit
    concatenation into one constant)."""
    if not call.args and not call.keywords:
        return False
    if name in NOT_HELPERS or name in SINKS:
        return False
    if _attribute_root(call.func) in LOG_ROOTS:
        return False
    for argument in (*call.args, *(keyword.value for keyword in call.keywords)):
        if type(argument) is ast.Starred:
            argument = argument.value
        if type(argument) is ast.Constant and isinstance(argument.value, str):
            if TABLE_LIKE.fullmatch(argument.value):
                return True
        elif type(argument) is ast.Name or type(argument) is ast.Attribute:
            return True
        elif type(argument) is ast.List or type(argument) is ast.Tuple:
            # (`code_sql._names_listed`: a list of literal names a builder may join)
            for item in argument.elts:
                if type(item) is ast.Constant and isinstance(item.value, str) and (
                    TABLE_LIKE.fullmatch(item.value)
                ):
                    return True
    return False


# --------------------------------------------------------------------------------------------
# the rounds: which skipped files the glances of the others pull in
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Module:
    """One module as the closure reads it: its glance, and lookups by name built from it the
    first time they are asked. Most modules are never asked; built for every module, these
    copies of the glances were a good part of the 55 MB the rounds held at 5,000 modules
    (built when asked, with one module index for the closure and Demand: 15 MB less at the
    peak)."""

    path: str
    name: str
    glance: Glance
    _imports: dict[str, list[ImportBinding]] | None = None
    _gives: dict[str, tuple[bool, frozenset[tuple[str, str]]]] | None = None
    _attrs: dict[str, tuple[bool, frozenset[tuple[str, str]]]] | None = None

    @property
    def imports(self) -> dict[str, list[ImportBinding]]:
        """Local name -> its import bindings."""
        if self._imports is None:
            self._imports = {}
            for binding in self.glance.imports:
                self._imports.setdefault(binding.local.split(".")[0], []).append(binding)
        return self._imports

    @property
    def gives(self) -> dict[str, tuple[bool, frozenset[tuple[str, str]]]]:
        if self._gives is None:
            self._gives = {given: (found, deferred) for given, found, deferred in self.glance.gives}
        return self._gives

    @property
    def attrs(self) -> dict[str, tuple[bool, frozenset[tuple[str, str]]]]:
        if self._attrs is None:
            self._attrs = {attr: (found, deferred) for attr, found, deferred in self.glance.attrs}
        return self._attrs


class Closure:
    """What the glances of a whole repository say about each other, computed once a scan.

    A file the first look skipped is read when (`pulled`):

    * it imports a model, a table, a declarative base or a registry of them (a class whose
      attributes or methods give out one, a function returning one, a variable holding one),
      or a module that defines one (subclasses of models are models, re-exports are
      followed): its uses of them, or its own subclasses, are reported;
    * it calls a function that builds SQL from a parameter, with an argument that may be a
      table name: a helper `resolve.code_sql` finds in the files read so far (the rounds ask
      it each time: `use_helpers`), or a function of a skipped file passing its parameter on
      to one;
    * a statement may start in a hole filled from a name it imports, and that name leads to
      a string literal that starts like SQL.
    """

    def __init__(self, modules: list[tuple[str, str, Glance]],
                 find: Callable[[str, str | None], str | None],
                 opaque: Iterable[tuple[str, str]] = ()) -> None:
        """`modules`: (path, dotted name, glance) of every Python file that has one; `find`:
        a dotted module name, and the path of the file importing it -> its path
        (`ModuleIndex.find`), None outside the repository;
        `opaque`: (path, dotted name) of the files read without a first look (`ast` of this
        interpreter cannot parse them: `def f[T]()` before Python 3.12), of which nothing is
        known here: any name imported from one may be a model, a registry or SQL."""
        self._find = find
        self._targets: dict[tuple[str, str], list[tuple[_Module, str | None]]] = {}
        self._by_path: dict[str, _Module] = {}
        for path, name, look in modules:
            self._by_path[path] = _Module(path, name, look)
        self._opaque = {path: _Module(path, name, Glance()) for path, name in opaque}
        # `_module_has` answers, per `found` mapping (held, so that its id stays its own):
        # modules known to reach it (for good: the mappings only grow), and modules known not
        # to while `_version` (bumped at each growth) stays the same
        self._version = 0
        self._has: dict[int, tuple[dict[str, set[str]], set[str], dict[int, set[str]]]] = {}
        self.models = self._model_closure()
        self.registries = self._registry_closure()
        # models, tables, bases and registries by module path: what importing pulls a file in
        self._defining = {p: self.models[p] | self.registries[p] for p in self._by_path}
        self.helpers: set[str] = set()  # `use_helpers`
        self._parents: dict[tuple[str, str], set[tuple[str, str | None]]] | None = None
        self._children: dict[tuple[str, str | None], list[tuple[str, str]]] = {}
        self._attrs_by_path: dict[str, frozenset[str]] = {}

    # ---- resolving names -------------------------------------------------------------------

    def _absolute(self, module: _Module, binding: ImportBinding) -> str:
        if binding.level == 0:
            return binding.module
        package = module.name if module.path.endswith("__init__.py") else (
            module.name.rpartition(".")[0]
        )
        parts = package.split(".") if package else []
        if binding.level > 1:
            parts = parts[: len(parts) - (binding.level - 1)]
        if binding.module:
            parts.append(binding.module)
        return ".".join(parts)

    def _module(self, dotted: str, importer: str | None = None) -> _Module | None:
        path = self._find(dotted, importer)
        if path is None:
            return None
        return self._by_path.get(path) or self._opaque.get(path)

    def targets(self, module: _Module, local: str) -> list[tuple[_Module, str | None]]:
        """What an imported name of `module` denotes: (module, name in it), or (module, None)
        for a module itself. Names outside the repository give nothing. (Memoized: the
        closures ask the same names many times.)"""
        key = (module.path, local)
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = list(self._find_targets(module, local))
        return found

    def _find_targets(self, module: _Module, local: str) -> Iterator[tuple[_Module, str | None]]:
        for binding in module.imports.get(local, ()):
            base = self._absolute(module, binding)
            if binding.name is None:  # `import a.b as m`; `import a.b` binds `a` and reaches a.b
                head = base.split(".")[0] if "." in binding.local else base
                for dotted in dict.fromkeys((base, head)):
                    target = self._module(dotted, module.path)
                    if target is not None:
                        yield target, None
                continue
            if binding.name == "*":
                continue
            target = self._module(base, module.path)
            if target is not None:
                yield target, binding.name
            # `from pkg import module`
            submodule = self._module(f"{base}.{binding.name}", module.path)
            if submodule is not None:
                yield submodule, None

    def _names_of(self, module: _Module, name: str, seen: set[tuple[str, str]]
                  ) -> Iterator[tuple[_Module, str | None]]:
        """Where `name` of `module` is defined: through re-exports and star imports."""
        key = (module.path, name)
        if key in seen:
            return
        seen.add(key)
        yield module, name
        if name in module.imports:
            for target, inner in self.targets(module, name):
                if inner is None:
                    yield target, None
                else:
                    yield from self._names_of(target, inner, seen)
        for star in module.glance.stars:
            source = self._module(star, module.path)
            if source is not None:
                yield from self._names_of(source, name, seen)

    # ---- subclasses --------------------------------------------------------------------------

    def subclasses_of(self, path: str, name: str, attr: str) -> list[tuple[str, str]]:
        """(dotted module, class) of the module-level classes that may derive from class
        `name` of the module at `path` and bind `attr` (their file gives some class or object
        an `attr`: `Glance.attrs`), and of the classes between them and it, as the glances'
        bases and imports say (`class OrderRepo(repo.BaseRepo)` may derive from any class of
        `repo`). The evaluator reads `self.<attr>` in a class's own method once for each
        subclass binding it (`Evaluator.receiver_frames`), which it finds through the bases
        of every class in between: those must be read."""
        children = self._class_children()
        came_from: dict[tuple[str, str], tuple[str, str]] = {}
        todo = [(path, name)]
        while todo:
            current = todo.pop()
            for key in (current, (current[0], None)):
                for child in children.get(key, ()):
                    if child != (path, name) and child not in came_from:
                        came_from[child] = current
                        todo.append(child)
        needed: set[tuple[str, str]] = set()
        root = self._by_path.get(path)
        inherits = (
            self._inheriting(came_from, (path, name))
            if not attr or root is None or attr in root.glance.kept
            else {}
        )
        # `cls._meta` / `cls.__tablename__`: each concrete model below has its own from its
        # mapping (`Evaluator.overrides`), which no binding in its file shows
        mapped = attr in MODEL_TABLE_ATTRIBUTES
        for child in came_from:
            if (
                not mapped
                and attr not in self._attr_names(child[0])
                and not self._by_path[child[0]].glance.passes_up
                and not inherits.get(child)
            ):
                continue
            step: tuple[str, str] | None = child
            while step is not None and step != (path, name) and step not in needed:
                needed.add(step)
                step = came_from.get(step)
        return sorted((self._by_path[p].name, c) for p, c in needed)

    def _inheriting(
        self, came_from: dict[tuple[str, str], tuple[str, str]], root: tuple[str, str]
    ) -> dict[tuple[str, str], bool]:
        """Of the subclasses found (`came_from`: each one's parent on the way from `root`),
        whether it is made by the root class's own constructor: no class on its way down
        defines one (`Glance.constructors`). Read when a constructor keeps a table name:
        whether the base class's own dynamic name is needed depends on them
        (`Evaluator.made_apart`)."""
        found: dict[tuple[str, str], bool] = {}
        for child in came_from:
            chain: list[tuple[str, str]] = []
            step = child
            answer = True
            while step != root:
                if step in found:
                    answer = found[step]
                    break
                chain.append(step)
                if step[1] in self._by_path[step[0]].glance.constructors:
                    answer = False
                    break
                step = came_from[step]
            for item in chain:
                found[item] = answer
        return found

    def _attr_names(self, path: str) -> frozenset[str]:
        found = self._attrs_by_path.get(path)
        if found is None:
            found = self._attrs_by_path[path] = frozenset(
                attr for attr, _, _ in self._by_path[path].glance.attrs
            )
        return found

    def _class_children(self) -> dict[tuple[str, str | None], list[tuple[str, str]]]:
        if not self._children:
            for child, found in self._class_parents().items():
                for parent in sorted(found, key=lambda key: (key[0], key[1] or "")):
                    self._children.setdefault(parent, []).append(child)
        return self._children

    def _class_parents(self) -> dict[tuple[str, str], set[tuple[str, str | None]]]:
        """(path, class) -> the (path, class) its bases may name; (path, None): any class of
        that module (a base written `module.Class`)."""
        if self._parents is None:
            parents: dict[tuple[str, str], set[tuple[str, str | None]]] = {}
            for module in self._by_path.values():
                for cls, roots in module.glance.bases:
                    found = parents.setdefault((module.path, cls), set())
                    for root in roots:
                        for target, inner in self._names_of(module, root, set()):
                            found.add((target.path, inner))
            self._parents = parents
        return self._parents

    # ---- models and registries -------------------------------------------------------------

    def _is_in(self, found: dict[str, set[str]], module: _Module, name: str | None,
               seen: set[str] | None = None) -> bool:
        """Whether `name` of `module` (the module itself for None: any of its names, its own
        or re-exported) is in `found`. Anything of an opaque module may be."""
        if name is None:
            return self._module_has(found, module, seen if seen is not None else set())
        return any(
            target.path in self._opaque
            or (inner is None and self._module_has(
                found, target, seen if seen is not None else set()
            ))
            or (inner is not None and inner in found.get(target.path, ()))
            for target, inner in self._names_of(module, name, set())
        )

    def _module_has(self, found: dict[str, set[str]], module: _Module, seen: set[str]) -> bool:
        if found.get(module.path) or module.path in self._opaque:
            return True
        memo = self._has.get(id(found))
        if memo is None:
            memo = self._has[id(found)] = (found, set(), {})
        reaching, not_reaching = memo[1], memo[2].setdefault(self._version, set())
        if module.path in reaching:
            return True
        if module.path in seen or module.path in not_reaching:
            return False
        top = not seen  # a search of its own: its False is the whole answer
        seen.add(module.path)
        has = any(
            self._is_in(found, target, inner, seen)
            for local in module.imports
            for target, inner in self.targets(module, local)
        ) or any(
            source is not None and self._module_has(found, source, seen)
            for source in (self._module(star, module.path) for star in module.glance.stars)
        )
        if has:
            reaching.add(module.path)
        elif top:
            # every module this search reached reaches nothing either (a True anywhere in it
            # would have made this one True)
            not_reaching.update(seen)
        return has

    def _reads(self, found: dict[str, set[str]], module: _Module, roots: Iterable[str]) -> bool:
        """Whether any of `roots` (names read in `module`) denotes something in `found`."""
        for root in roots:
            if root in found.get(module.path, ()):
                return True
            if root in module.imports and any(
                self._is_in(found, target, inner) for target, inner in self.targets(module, root)
            ):
                return True
            if module.glance.stars and self._is_in(found, module, root):
                return True
        return False

    def _model_closure(self) -> dict[str, set[str]]:
        """Module path -> names that are models, tables or bases (subclasses included)."""
        found = {path: set(m.glance.models) for path, m in self._by_path.items()}
        changed = True
        while changed:
            changed = False
            for module in self._by_path.values():
                own = found[module.path]
                for name, roots in module.glance.bases:
                    if name not in own and self._reads(found, module, roots):
                        own.add(name)
                        self._version += 1
                        changed = True
        return found

    def _registry_closure(self) -> dict[str, set[str]]:
        """Module path -> names that give out a model or another registry."""
        found: dict[str, set[str]] = {path: set() for path in self._by_path}
        union = {path: self.models[path] | found[path] for path in self._by_path}
        changed = True
        while changed:
            changed = False
            for module in self._by_path.values():
                own = found[module.path]
                for name, roots in module.glance.refers:
                    if name in own or name in self.models[module.path]:
                        continue
                    if self._reads(union, module, roots):
                        own.add(name)
                        union[module.path].add(name)
                        self._version += 1
                        changed = True
        return found

    def use_helpers(self, seeds: Mapping[str, tuple[frozenset[str], frozenset[int]]],
                    skipped: Collection[str]) -> set[str]:
        """Set `helpers`: the names of functions that may take a table name, as
        `resolve.code_sql` matches them: `seeds` (what its `find_helpers` finds in the files
        read so far, by name: the parameters taking a table name and their positions), and the
        functions of the `skipped` files that pass their own parameter on to one of those
        where it takes the table name (read from their glances, to any depth)."""
        helpers = {name: (set(params), set(positions))
                   for name, (params, positions) in seeds.items()}
        forwarding = [self._by_path[path] for path in sorted(skipped) if path in self._by_path]
        changed = True
        while changed:
            changed = False
            for module in forwarding:
                for caller, callee, args in module.glance.forwards:
                    taken = helpers.get(callee)
                    if taken is None:
                        continue
                    params, positions = taken
                    for kind, key, param, position in args:
                        if kind == "k" and key not in params:
                            continue
                        # a method called on an instance: its first parameter is the receiver
                        if kind == "p" and key not in positions and key + 1 not in positions:  # type: ignore[operator]
                            continue
                        if kind == "r" and not positions:  # handed to a runner: any position
                            continue
                        known = helpers.setdefault(caller, (set(), set()))
                        if param not in known[0] or (position >= 0 and position not in known[1]):
                            known[0].add(param)
                            if position >= 0:
                                known[1].add(position)
                            changed = True
        self.helpers = set(helpers)
        return self.helpers

    # ---- strings ---------------------------------------------------------------------------

    def _string_source(self, module: _Module, name: str | None, attr: str,
                       seen: set[tuple[str, str, str]]) -> bool:
        """Whether `name` of `module` (the module itself for None), or its attribute `attr`,
        may give out a string from a literal that starts like SQL: what the glance of the
        module says it gives out, followed into the modules it imports (re-exports and star
        imports too). Anything of an opaque module may."""
        if module.path in self._opaque:
            return True
        key = (module.path, name or "", attr)
        if key in seen:
            return False
        seen.add(key)
        entries: list[tuple[bool, frozenset[tuple[str, str]]]] = []
        if attr:
            entries.append(module.attrs.get(attr, (False, frozenset())))
        if name is None:
            if not attr:
                entries.extend(module.gives.values())
        elif name in module.gives:
            found, deferred = module.gives[name]
            # what the name gives out, with the attribute read on it
            entries.append((found, frozenset(
                (local, attr or inner) for local, inner in deferred
            )))
        elif name in module.imports:  # a re-export
            for target, inner in self.targets(module, name):
                if self._string_source(target, inner, attr, seen):
                    return True
        elif module.glance.stars:
            entries.append((False, frozenset({("*", attr)})))
        for found, deferred in entries:
            if found:
                return True
            for local, inner_attr in deferred:
                if local == "*":
                    for star in module.glance.stars:
                        source = self._module(star, module.path)
                        if source is not None and self._string_source(
                            source, name if name is not None else None, inner_attr, seen
                        ):
                            return True
                    continue
                for target, inner in self.targets(module, local):
                    if self._string_source(target, inner, inner_attr, seen):
                        return True
        return False

    # ---- the verdict -----------------------------------------------------------------------

    def pulled(self, path: str) -> str | None:
        """Why the skipped file at `path` must be read after all (None: it need not be)."""
        module = self._by_path.get(path)
        if module is None:
            return None
        look = module.glance
        union = self._defining
        for local in module.imports:
            for target, inner in self.targets(module, local):
                if target.path in self._opaque:
                    return (
                        f"imports {local} from {target.path}, which the first look could not "
                        "read (syntax of a newer Python)"
                    )
                if self._is_in(union, target, inner):
                    return f"imports {local}, a model, table or registry"
        for star in look.stars:
            source = self._module(star, module.path)
            if source is not None and (union.get(source.path) or source.path in self._opaque):
                return f"imports * from {star}, which defines models or tables"
        if not look.called.isdisjoint(self.helpers):
            return f"calls {sorted(look.called & self.helpers)[0]}(), which may build SQL"
        return self._leading(module)

    def _leading(self, module: _Module) -> str | None:
        """Why a statement of `module` may start in a hole filled from another module."""
        for local, attr in sorted(module.glance.leading):
            if local == "*":
                sources = [self._module(star, module.path) for star in module.glance.stars]
                if any(
                    s is not None and self._string_source(s, None, attr, set()) for s in sources
                ):
                    return "a statement may start with a name a star import binds"
                continue
            for target, inner in self.targets(module, local):
                if self._string_source(target, inner, attr, set()):
                    shown = f"{local}.{attr}" if attr else local
                    return f"a statement may start with {shown}, from another module"
        return None


# --------------------------------------------------------------------------------------------
# demand: the definitions the parsed modules' facts may make the evaluator read
# --------------------------------------------------------------------------------------------

Chain = tuple[str, ...]  # a dotted name: ("models", "Tag", "__tablename__")
_MODULE = "<module>"  # a chain asking for a module itself
# Ends a chain asking for a class as the ORM mapper reads it: its bases (as the mapper reads
# them too), keywords, decorators, class-level values and `__tablename__`, not its methods.
_MAPPING = "<mapping>"


class Demand:
    """Follows, name by name, what the evaluator may look up to resolve the parsed modules'
    facts: the holes of their SQL, helper calls, ORM references and declarations, migration
    steps and the loops around them, then whatever the definitions it reaches are made of (a
    constant's value, a function's returns, a class's bases, values and methods), through
    imports, re-exports, star imports and submodules. A skipped module it reaches must be read
    (`pulls`): with empty facts, the evaluator would find nothing there (or say "not defined")
    where the full parse finds the definition.

    Incremental: each round adds the newly parsed modules' roots and resumes what waited on a
    module that was skipped."""

    def __init__(self, find: Callable[[str, str | None], PythonFacts | None],
                 helpers: Collection[str] = (), stampers: Collection[str] = (),
                 subclasses: Callable[[str, str, str], list[tuple[str, str]]] | None = None
                 ) -> None:
        """`stampers`: the names of the functions that call `stamp` in the whole repository
        (`Glance.stampers`): a create_all's neighbouring call of one is looked up.
        `subclasses`: (path, class, attribute) -> (dotted module, class) of its possible
        subclasses binding that attribute and the classes in between
        (`Closure.subclasses_of`): the evaluator reads `self.x` in the class's own methods for
        each of them too."""
        self._find = find  # dotted module name, importer path -> its facts (`ModuleIndex.find`)
        self._subclasses = subclasses
        self._helpers = set(helpers)
        self._stampers = frozenset(stampers)
        self._rooted: dict[str, PythonFacts] = {}  # modules whose roots were added
        self._seen: set[tuple[str, Chain]] = set()
        self._expanded: set[tuple[str, str]] = set()  # (path, "f:qualname" / "c:qualname")
        self._waiting: dict[str, list[Chain]] = {}  # skipped path -> chains asked of it
        self._attr_names: set[str] = set()  # names read as `x.name` by what was followed
        # member name -> classes (module facts, qualname, the member's functions) whose member
        # of that name waits
        self._pending: dict[str, list[tuple[PythonFacts, str, list[str]]]] = {}

    def pulls(self, parsed: list[PythonFacts], skipped: set[str],
              helpers: Collection[str] = ()) -> set[str]:
        """Skipped modules the parsed ones (this round's and earlier) reach. `helpers`: the
        helper names as they stand now (`Closure.helpers`); names new since the last round
        make the calls of them in the modules already rooted roots too."""
        work: list[tuple[PythonFacts, object]] = []
        new_helpers = set(helpers) - self._helpers
        if new_helpers:
            self._helpers = self._helpers | new_helpers
            for facts in self._rooted.values():
                work.extend(self._with_receivers(facts, self._call_roots(facts, new_helpers)))
        for facts in parsed:
            waiting = self._waiting.pop(facts.path, None)
            if waiting:
                work.extend((facts, chain) for chain in waiting)
            if facts.path not in self._rooted:
                self._rooted[facts.path] = facts
                work.extend(self._with_receivers(facts, self._roots(facts)))
                if facts.django is not None:  # `self.model.objects...`: the subclasses only
                    work.extend(self._with_receivers(
                        facts, [chain.start() for chain in facts.django.chains],
                        roots_too=False,
                    ))
                    work.extend(self._app_configs(facts))
                config = facts.names.get("default_app_config")
                if config is not None and isinstance(config.value, ir.Str):
                    # an app package's `default_app_config = "blog.apps.BlogConfig"` (Django
                    # before 4.1 follows it): the config's module
                    found = self._find(config.value.value.rpartition(".")[0], facts.path)
                    if found is not None:
                        work.append((found, (_MODULE,)))
        pull: set[str] = set()
        while work:
            facts, item = work.pop()
            if facts.path in skipped:
                pull.add(facts.path)
                if isinstance(item, tuple):
                    self._waiting.setdefault(facts.path, []).append(item)
                continue
            if isinstance(item, tuple):
                work.extend(self._name(facts, item))
            elif isinstance(item, ir.Expr):
                work.extend(self._expr(facts, item))
        return pull

    def _app_configs(self, facts: PythonFacts) -> Iterator[tuple[PythonFacts, object]]:
        """The modules where Django looks for the AppConfig of each app `INSTALLED_APPS`
        names (`shop` -> `shop.apps`; `shop.apps.ShopConfig` -> `shop.apps`): its `label`
        names the app's tables, and the class may subclass the project's own AppConfig
        without importing Django itself."""
        assert facts.django is not None
        entries: list[str] = []
        pending = [s.value for s in facts.django.settings if s.name == "INSTALLED_APPS"]
        named: set[str] = set()
        while pending:
            value = pending.pop()
            for node in ir.walk(value) if value is not None else ():
                if isinstance(node, ir.Str):
                    entries.append(node.value)
                elif isinstance(node, ir.Global) and node.name not in named:
                    named.add(node.name)  # `INSTALLED_APPS = DJANGO_APPS + LOCAL_APPS`
                    binding = facts.names.get(node.name)
                    pending.append(binding.value if binding is not None else None)
        for entry in entries:
            head, _, last = entry.rpartition(".")
            # a config's module; else the app's apps module and its package, whose
            # `default_app_config` may name one (`_roots`)
            modules = [head] if last[:1].isupper() and head else [f"{entry}.apps", entry]
            for module in modules:
                found = self._find(module, facts.path)
                if found is not None:
                    yield found, (_MODULE,)

    # ---- roots -----------------------------------------------------------------------------

    def _roots(self, facts: PythonFacts) -> Iterator[ir.Expr | Chain]:
        used_loops: set[int] = set()
        for candidate in facts.candidates:
            if candidate_may_be_sql(candidate):
                yield from _hole_roots(candidate.parts)
                used_loops.update(candidate.loops)
        yield from self._call_roots(facts, self._helpers)
        labels = facts.names.get("branch_labels") if facts.alembic_revision else None
        if labels is not None and labels.value is not None:
            # `branch_labels = (cli.EXPAND_BRANCH,)`: the revision runner evaluates them
            yield labels.value
        for steps in facts.migration_steps.values():
            for step in steps:
                yield from step.args
                yield from (value for _, value in step.kwargs)
                yield from (v for v in (step.receiver, step.value) if v is not None)
                if step.sql:
                    yield from _hole_roots(step.sql)
                used_loops.update(step.loops)
        orm = facts.orm
        # The *names* ORM references use (`Operation(schema.Query)`, any class given to a
        # call) are no roots: they count only when they name a mapped class or a Table, and a
        # module defining or importing one has a model marker of its own (read in the first
        # round) or imports one (`Closure` reads it). Following them read a 1 MB generated
        # GraphQL schema in prefect for nothing (4 s, 550 MB).
        for reference in orm.references:
            if reference.value is not None:
                yield reference.value
        # Every class of a parsed file is read as a possible mapped class; the mapper reads no
        # method but a `declared_attr` `__tablename__`. Following all methods of every class
        # (and of its bases) read 155 files in prefect that only the methods reached.
        for cls in orm.classes:
            yield (cls.name, _MAPPING)
            yield from ((*_chain(base), _MAPPING) for base in cls.bases)
            yield from (_chain(decorator) for decorator in cls.decorators)
            if cls.table_ref:
                yield _chain(cls.table_ref)
            yield from (_chain(target.strip("'\"")) for target, _ in cls.relationships)
            if cls.tablename:
                yield from _hole_roots(cls.tablename)
        for table in orm.tables:
            yield from _hole_roots(table.name)
        for create_all in orm.create_all:  # the MetaData it builds, and the tables it names
            if create_all.receiver:
                yield _chain(create_all.receiver)
            yield from (_chain(table) for table in create_all.tables or () if table != "?")
            # a neighbouring call that may stamp Alembic (`sources.create_all._stamps`)
            yield from (
                _chain(name) for name in create_all.nearby
                if name.rsplit(".", 1)[-1] in self._stampers
            )
        yield from facts.loop_iterables(used_loops)

    def _call_roots(self, facts: PythonFacts, helpers: Collection[str]
                    ) -> Iterator[ir.Expr | Chain]:
        """What the resolver evaluates for each call of one of `helpers` (or a call handing
        one to a runner): the callee, the arguments, and the loops around the call."""
        used_loops: list[int] = []
        for call in facts.calls:
            if ir.called_name(call.func) in helpers or any(  # or handed to a runner
                ir.called_name(argument) in helpers for argument in call.args
            ):
                yield call.func
                yield from call.args
                yield from (value for _, value in call.kwargs)
                used_loops.extend(call.loops)
        yield from facts.loop_iterables(used_loops)

    # ---- expressions and names -------------------------------------------------------------

    def _expr(self, facts: PythonFacts, expr: ir.Expr) -> Iterator[tuple[PythonFacts, object]]:
        for node in ir.walk(expr):
            if isinstance(node, ir.Attr):
                yield from self._read_attribute(node.attr)
                chain = _attr_chain(node)
                if chain is not None:
                    yield facts, chain
            elif isinstance(node, ir.Global):
                yield facts, (node.name,)
            elif isinstance(node, ir.Imported):
                yield from self._imported(facts, node.binding(), ())
            elif isinstance(node, ir.Self | ir.ClsRef):
                yield from self._class(facts, node.cls)
            elif isinstance(node, ir.LocalDef):
                if node.kind == "class":
                    yield from self._class(facts, node.qualname)
                else:
                    yield from self._function(facts, node.qualname)
            elif isinstance(node, ir.Param):
                function = facts.functions.get(node.function)
                if function is not None and function.listened is not None:
                    yield facts, function.listened  # (`Evaluator._param`)
                for param in function.params if function is not None else ():
                    if param.name == node.name:
                        yield from ((facts, e) for e in (param.annotation, param.default) if e)

    def _with_receivers(self, facts: PythonFacts, roots: Iterable[ir.Expr | Chain],
                        *, roots_too: bool = True) -> Iterator[tuple[PythonFacts, object]]:
        """The roots (unless not `roots_too`), and for each `self.x` / `cls.x` written in one
        (a hole, a helper call's argument, a loop around them, an ORM reference, a Django
        chain's start: what `Evaluator.receiver_frames` reads once per overriding subclass)
        the subclasses binding `x`."""
        for root in roots:
            if roots_too:
                yield facts, root
            if self._subclasses is None or not isinstance(root, ir.Expr):
                continue
            for node in ir.walk(root):
                if isinstance(node, ir.Attr) and isinstance(node.value, ir.Self | ir.ClsRef):
                    yield from self._overriding(facts, node.value.cls, node.attr)
                elif isinstance(node, ir.Param) and node.function.endswith(".__init__"):
                    # a constructor's parameter read through what it assigned: the
                    # subclasses whose constructors hand theirs on (`Glance.passes_up`)
                    yield from self._overriding(facts, node.function[: -len(".__init__")], "")

    def _overriding(self, facts: PythonFacts, cls: str, attr: str
                    ) -> Iterator[tuple[PythonFacts, object]]:
        """`self.<attr>` in a method of `cls`: the subclasses binding `<attr>` themselves
        (`Evaluator.receiver_frames`), in their modules (a skipped one is read)."""
        assert self._subclasses is not None
        if "." in cls:
            return  # a nested class: the evaluator looks at module-level subclasses only
        for module, name in self._subclasses(facts.path, cls, attr):
            found = self._find(module, None)
            if found is not None:
                yield found, (name, attr)

    def _name(self, facts: PythonFacts, chain: Chain) -> Iterator[tuple[PythonFacts, object]]:
        key = (facts.path, chain)
        if key in self._seen or not chain:
            return
        self._seen.add(key)
        name, rest = chain[0], chain[1:]
        if name in (_MODULE, _MAPPING):
            return  # the module itself (read if it was skipped), no name of it
        for attr in rest:
            if attr not in (_MODULE, _MAPPING):
                yield from self._read_attribute(attr)
        fact = facts.names.get(name)
        constant = facts.constants.get(name)
        if constant is not None:
            yield from _hole_pairs(facts, constant.parts)
        if fact is not None:
            if fact.kind == "import" and fact.imported is not None:
                for binding in fact.bindings:
                    yield from self._imported(facts, binding, rest)
            elif fact.kind == "function" and fact.qualname:
                yield from self._function(facts, fact.qualname)
            elif fact.kind == "class" and fact.qualname:
                yield from self._class(facts, fact.qualname, methods=rest != (_MAPPING,))
            else:
                yield from ((facts, e) for e in (fact.value, fact.annotation) if e is not None)
            return
        for binding in facts.imports:
            if binding.local == "*":
                module = self._find(absolute_module(facts, binding), facts.path)
                if module is not None and module is not facts:
                    yield module, chain
        submodule = self._find(f"{facts.module}.{name}", facts.path) if facts.module else None
        if submodule is not None:
            yield submodule, rest or (_MODULE,)

    def _imported(self, facts: PythonFacts, binding: ImportBinding, rest: Chain
                  ) -> Iterator[tuple[PythonFacts, object]]:
        base = absolute_module(facts, binding)
        if binding.name is None:
            plain = binding.local == binding.module
            module = self._find(base.split(".")[0] if plain else base, facts.path)
            if plain and module is not None and "." in base:
                # `import a.b` binds `a`; `a.b.X` reaches a.b through the package
                yield module, rest or (_MODULE,)
                inner = self._find(base, facts.path)
                if inner is not None:
                    yield inner, (_MODULE,)
            elif module is not None:
                yield module, rest or (_MODULE,)
            return
        if binding.name == "*":
            return
        module = self._find(base, facts.path)
        if module is not None and module is not facts:
            yield module, (binding.name, *rest)
        submodule = self._find(f"{base}.{binding.name}", facts.path)
        if submodule is not None:
            yield submodule, rest or (_MODULE,)

    def _function(self, facts: PythonFacts, qualname: str
                  ) -> Iterator[tuple[PythonFacts, object]]:
        key = (facts.path, "f:" + qualname)
        if key in self._expanded:
            return
        self._expanded.add(key)
        function = facts.functions.get(qualname)
        if function is None:
            return
        yield from ((facts, e) for e in function.returns)
        if function.return_annotation is not None:
            yield facts, function.return_annotation
        if qualname.rpartition(".")[2] == "__init__":
            # a constructor: what it hands its base's (`super().__init__(conn, USERS)`) and
            # its defaults, which the evaluator binds to make an instance
            # (`Evaluator.constructed`)
            yield from ((facts, p.default) for p in function.params if p.default is not None)
            for call in facts.calls:
                if call.function == qualname and ir.calls_super_init(call.func):
                    yield from ((facts, a) for a in call.args)
                    yield from ((facts, v) for _, v in call.kwargs)

    def _base(self, facts: PythonFacts, base: ir.Expr) -> Iterator[tuple[PythonFacts, object]]:
        """A base class asked for as the mapper reads it, when it is written as a name
        (`Base`, `models.Base`, an imported name); other shapes (`Generic[T]`, a call) are
        followed whole."""
        attrs: list[str] = []
        current = base
        while isinstance(current, ir.Attr):
            attrs.append(current.attr)
            current = current.value
        rest = (*reversed(attrs), _MAPPING)
        if isinstance(current, ir.Global):
            yield facts, (current.name, *rest)
        elif isinstance(current, ir.Imported):
            yield from self._imported(facts, current.binding(), rest)
        else:
            yield facts, base

    def _member(self, facts: PythonFacts, qualname: str, member: str, functions: list[str]
                ) -> Iterator[tuple[PythonFacts, object]]:
        """A method of the class (`functions`: it and the functions nested in it), its
        class-body value of that name, or what its methods assign to `self.member`."""
        for function in functions:
            yield from self._function(facts, function)
        cls = facts.classes.get(qualname)
        if cls is None:
            return
        for fact in (cls.names.get(member), cls.attributes.get(member)):
            if fact is None:
                continue
            if fact.kind == "import" and fact.imported is not None:
                for binding in fact.bindings:
                    yield from self._imported(facts, binding, ())
            yield from ((facts, e) for e in (fact.value, fact.annotation) if e is not None)

    def _read_attribute(self, name: str) -> Iterator[tuple[PythonFacts, object]]:
        """An expression followed reads `x.name`: the members of that name of the classes
        expanded so far are followed now."""
        if name in self._attr_names:
            return
        self._attr_names.add(name)
        for facts, qualname, functions in self._pending.pop(name, ()):
            yield from self._member(facts, qualname, name, functions)

    def _class(self, facts: PythonFacts, qualname: str, *, methods: bool = True
               ) -> Iterator[tuple[PythonFacts, object]]:
        """What the class is made of; without `methods`, as the ORM mapper reads it (the bases
        asked for the same way when they are names)."""
        key = (facts.path, ("c:" if methods else "m:") + qualname)
        if key in self._expanded:
            return
        self._expanded.add(key)
        cls = facts.classes.get(qualname)
        if cls is None:
            return
        for base in cls.bases:
            yield from (self._base(facts, base) if not methods else [(facts, base)])
        yield from ((facts, e) for _, e in cls.keywords)
        if not methods:
            # the mapper reads the class body's values (`__table_args__`, `metadata`), not
            # their annotations (columns and relationships are read from the source) nor what
            # methods assign to `self`
            for name, fact in cls.names.items():
                if fact.kind == "import" and fact.imported is not None:
                    for binding in fact.bindings:
                        yield from self._imported(facts, binding, ())
                if fact.value is not None and _mapper_reads(name, fact.value):
                    yield facts, fact.value
        else:
            # Class-body values, methods and what methods assign to `self`: only those whose
            # name an expression followed so far reads (`x.name`), and dunders; the others
            # when one does. The evaluator reads a member by no other way (the mapper reads a
            # class as a mapping, above), and a whole class reached through a parameter's
            # annotation (`hs: HomeServer`) read every handler of synapse, and a class-body
            # list of classes (`config_classes = [...]`) every configuration module.
            depth = qualname.count(".") + 1
            members: dict[str, list[str]] = {name: [] for name in cls.attributes}
            members.update((name, []) for name in cls.names if name not in members)
            for function in facts.functions:  # a method and the functions nested in it
                if function.startswith(qualname + "."):
                    members.setdefault(function.split(".")[depth], []).append(function)
            for member in sorted(members):
                if member in self._attr_names or member.startswith("__"):
                    yield from self._member(facts, qualname, member, members[member])
                else:
                    self._pending.setdefault(member, []).append(
                        (facts, qualname, members[member])
                    )
        for orm in facts.orm.classes:
            if orm.name == qualname:
                if orm.tablename:
                    yield from _hole_pairs(facts, orm.tablename)
                if orm.tablename_function:
                    yield from self._function(facts, orm.tablename_function)


def _mapper_reads(name: str, value: ir.Expr) -> bool:
    """Whether the ORM mapper may evaluate this class-body value: the dunders
    (`__tablename__`, `__table__`, `__table_args__`...), `metadata`, and calls (`Column(...)`,
    `relationship(..., secondary=...)`, a helper returning a column). A plain name or a
    list of them (`config_classes = [ServerConfig, ...]`) is no column: following those read
    every configuration module of synapse."""
    return name.startswith("__") or name == "metadata" or isinstance(value, ir.Call)


def _hole_roots(parts: tuple[Part, ...]) -> Iterator[ir.Expr | Chain]:
    for part in parts:
        if isinstance(part, Hole):
            if part.value is not None:
                yield part.value
            if part.ref:
                yield _chain(part.ref)


def _hole_pairs(facts: PythonFacts, parts: tuple[Part, ...]
                ) -> Iterator[tuple[PythonFacts, object]]:
    return ((facts, root) for root in _hole_roots(parts))


def _chain(dotted: str) -> Chain:
    return tuple(part for part in dotted.split(".") if part)


def _attr_chain(node: ir.Attr) -> Chain | None:
    """`a.b.c` rooted at a module-level name, as a chain; None for other shapes."""
    attrs: list[str] = []
    current: ir.Expr = node
    while isinstance(current, ir.Attr):
        attrs.append(current.attr)
        current = current.value
    if not isinstance(current, ir.Global):
        return None
    return (current.name, *reversed(attrs))


