"""What the evaluator knows about a value: plain data, never a live Python object of the
scanned repository.

Evaluation gives a tuple of alternatives (`Values`): a loop over literals or `a or b` may give
several; `Unknown` is an alternative too, and says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Value:
    __slots__ = ()


@dataclass(frozen=True, slots=True)
class StrV(Value):
    value: str


@dataclass(frozen=True, slots=True)
class ConstV(Value):
    value: int | float | bool | str | None


@dataclass(frozen=True, slots=True)
class SeqV(Value):
    kind: str  # tuple | list | set
    items: tuple[Value, ...]


@dataclass(frozen=True, slots=True)
class MapV(Value):
    items: tuple[tuple[Value, Value], ...]


@dataclass(frozen=True, slots=True)
class ModuleV(Value):
    """A module of the repository."""

    name: str


@dataclass(frozen=True, slots=True)
class ClassV(Value):
    """A class defined in the repository (`qualname` inside module `module`)."""

    module: str
    qualname: str

    @property
    def name(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]


@dataclass(frozen=True, slots=True)
class InstanceV(Value):
    """An instance of a repository class (from a constructor call or a type annotation).

    `init`: what its constructors were given, when the instance stands for one a subclass's
    constructor makes (`Evaluator.constructed`): ((module, `__init__` qualname, parameter),
    values) for each parameter of each `__init__` up the chain, so that `self.table` read
    in a base class's method, assigned `self.table = table` in its `__init__`, is the table
    the subclass passes on (`super().__init__("users")`)."""

    cls: ClassV
    init: tuple[tuple[tuple[str, str, str], Values], ...] = ()

    def given_in(self, module: str) -> dict[tuple[str, str], Values]:
        """What the constructors of `module` were given, keyed as a frame binds parameters:
        (function, parameter)."""
        return {(f, n): values for (m, f, n), values in self.init if m == module}


@dataclass(frozen=True, slots=True)
class FunctionV(Value):
    module: str
    qualname: str
    receiver: Value | None = None  # the bound instance or class of a method


@dataclass(frozen=True, slots=True)
class ExternalV(Value):
    """Something outside the repository, by its dotted path (`sqlalchemy.Table`, `re.sub`)."""

    path: str


@dataclass(frozen=True, slots=True)
class ModelLookupV(Value):
    """`apps.get_model("catalogue", "Product")` (Django's app registry, also reached through a
    project's wrapper): the model of that app label and name, which only the Django resolver
    knows. The label is "" when only the name is known (the Django resolver then takes the
    project's only model of that name, if it has exactly one)."""

    app_label: str
    model_name: str


@dataclass(frozen=True, slots=True)
class ModelMetaV(Value):
    """`Model._meta` of a Django model the Django resolver built: its options, of which code
    building SQL reads `db_table` (`f"UPDATE {model._meta.db_table} ..."`)."""

    app_label: str
    model_name: str  # lower case, as `_meta.model_name`
    db_table: str


@dataclass(frozen=True, slots=True)
class ExternalResultV(Value):
    """What a call to an external callable returned (`engine.connect()`, `SQLAlchemy()`)."""

    path: str  # the callable's path


@dataclass(frozen=True, slots=True)
class TableV(Value):
    """A SQLAlchemy `Table` / `table()` object, or a mapped class's `__table__`."""

    name: str
    schema: str | None = None


@dataclass(frozen=True, slots=True)
class BatchV(Value):
    """`op.batch_alter_table(table, schema=...)`: what `with ... as batch_op` binds."""

    table: Value
    schema: Value | None = None


@dataclass(frozen=True, slots=True)
class PathV(Value):
    """A file-system path inside the repository, `/`-separated, relative to the root."""

    path: str


@dataclass(frozen=True, slots=True)
class FileV(Value):
    """An open file (`open(path)`), or `kind="text"`: the text read from it."""

    path: str
    kind: str = "handle"  # handle | text


@dataclass(frozen=True, slots=True)
class RegexV(Value):
    pattern: str
    flags: int = 0


@dataclass(frozen=True, slots=True)
class MethodV(Value):
    """A method looked up on a known value (`"x".lower`, `re.compile(p).sub`, `d.items`)."""

    receiver: Value
    name: str


@dataclass(frozen=True, slots=True)
class PartialV(Value):
    """`functools.partial(func, *args, **kwargs)`: calling it calls `func` with those
    arguments first (`register = partial(admin.register, site=site)`, then `register(M)`)."""

    func: Value
    args: tuple[tuple[Value, ...], ...] = ()
    kwargs: tuple[tuple[str, tuple[Value, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Unknown(Value):
    why: str = field(default="not known statically")


Values = tuple[Value, ...]


def known_strings(values: Values) -> list[str] | None:
    """Every alternative as a string, or None if any alternative is not a known string."""
    out = []
    for value in values:
        if isinstance(value, StrV):
            out.append(value.value)
        else:
            return None
    return list(dict.fromkeys(out)) or None


def why_unknown(values: Values) -> str:
    """The first reason an alternative is not a known string."""
    for value in values:
        if isinstance(value, Unknown):
            return value.why
        if not isinstance(value, StrV):
            return f"it is {describe(value)}, not a string"
    return "no value"


def describe(value: Value) -> str:
    match value:
        case StrV(text):
            return repr(text)
        case ConstV(constant):
            return repr(constant)
        case SeqV(kind, items):
            return f"a {kind} of {len(items)}"
        case MapV():
            return "a dict"
        case ModuleV(name):
            return f"module {name}"
        case ClassV(module, qualname):
            return f"class {qualname} ({module})"
        case InstanceV(cls):
            return f"a {cls.qualname} object"
        case FunctionV(_, qualname, _):
            return f"function {qualname}()"
        case ExternalV(path):
            return path
        case ExternalResultV(path):
            return f"the result of {path}()"
        case TableV(name, _):
            return f"table object {name}"
        case ModelLookupV(label, name):
            return f"model {label}.{name}"
        case ModelMetaV(label, name, _):
            return f"the _meta of model {label}.{name}"
        case BatchV():
            return "a batch_alter_table() batch"
        case PathV(path):
            return f"path {path}"
        case FileV(path, _):
            return f"file {path}"
        case RegexV(pattern):
            return f"pattern {pattern!r}"
        case MethodV(receiver, name):
            return f"{describe(receiver)}.{name}"
        case PartialV(func):
            return f"partial({describe(func)}, ...)"
        case Unknown(why):
            return f"unknown ({why})"
    return "a value"
