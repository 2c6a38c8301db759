"""A small, closed expression language: what readers keep of a Python expression.

Readers run on one file at a time (in worker processes, from a cache), but what a name means
is often decided in another file: `op.create_table(Tag.__tablename__)` needs the `Tag` model of
`app/models.py`. So readers translate the expressions that can name a table into these plain,
picklable values, with every *local* name already resolved in its own scope
(`analyzer.python.scopes`): a function local bound once is replaced by its value, a parameter
becomes `Param`, a loop variable `LoopVar`, `self` becomes `Self`; only names bound at module
level are left as `Global` (or `Imported` inside a function), for `analyzer.python.evaluate` to
resolve across the repository.

An expression the language cannot represent is `Opaque`, with the source text, so that the
evaluator can say what it could not read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analyzer.facts import ImportBinding


class Expr:
    """Base of every node (plain frozen dataclasses; `render` gives readable source)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type[Expr], tuple[object, ...]]:
        """Pickled as a constructor call with the field values. A frozen slotted dataclass's
        own pickling goes through `__setstate__`, which calls `dataclasses.fields()` for every
        node; a rescan unpickles a repository's IR, hundreds of thousands of nodes (prefect:
        1.0 s of a 3.5 s one-file rescan, now a third of that)."""
        return (type(self), tuple(getattr(self, name) for name in self.__slots__))


@dataclass(frozen=True, slots=True)
class Str(Expr):
    value: str


@dataclass(frozen=True, slots=True)
class Const(Expr):
    """A number, True, False, None or Ellipsis."""

    value: int | float | bool | str | None  # "..." for Ellipsis


@dataclass(frozen=True, slots=True)
class Global(Expr):
    """A name bound (or imported) at the top level of the module the expression is in."""

    name: str


@dataclass(frozen=True, slots=True)
class Imported(Expr):
    """A name imported inside a function: `from .models import Tag` -> module ".models"."""

    module: str
    name: str | None  # None for `import a.b` (the module itself)
    level: int

    def binding(self) -> ImportBinding:
        """The import statement it stands for (the name bound as written, at no line)."""
        return ImportBinding(self.name or self.module, self.module, self.name, self.level, 0)


@dataclass(frozen=True, slots=True)
class Param(Expr):
    """A parameter of the enclosing function `function` (a qualified name in its module)."""

    function: str
    name: str


@dataclass(frozen=True, slots=True)
class LoopVar(Expr):
    """The part `path` of the current element of loop `loop` (an index into the module's
    loops): `for a, (b, c) in X` binds b to path (1, 0)."""

    loop: int
    path: tuple[int, ...]
    name: str = field(default="", compare=False)  # the variable, for messages


@dataclass(frozen=True, slots=True)
class Self(Expr):
    """`self` in a method of class `cls` (a qualified class name in this module)."""

    cls: str


@dataclass(frozen=True, slots=True)
class ClsRef(Expr):
    """`cls` in a classmethod or `declared_attr` of class `cls`: the class it is called on."""

    cls: str


@dataclass(frozen=True, slots=True)
class LocalDef(Expr):
    """A function or class defined inside a function (qualified name in this module)."""

    qualname: str
    kind: str  # "function" | "class"


@dataclass(frozen=True, slots=True)
class FileRef(Expr):
    """`__file__`: the path of the module the expression is in."""


@dataclass(frozen=True, slots=True)
class Entered(Expr):
    """The name bound by `with value as name` (the context manager's entered value)."""

    value: Expr


@dataclass(frozen=True, slots=True)
class Attr(Expr):
    value: Expr
    attr: str


@dataclass(frozen=True, slots=True)
class Call(Expr):
    func: Expr
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()
    unpacked: bool = False  # has *args or **kwargs: positions after them are unknown


@dataclass(frozen=True, slots=True)
class Seq(Expr):
    kind: str  # "tuple" | "list" | "set"
    items: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class Mapping(Expr):
    items: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True, slots=True)
class FString(Expr):
    """An f-string: literal pieces are `Str`, interpolations any expression."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class BinOp(Expr):
    op: str  # "+", "%", "/", "*", "|", ...
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Subscript(Expr):
    value: Expr
    index: Expr


@dataclass(frozen=True, slots=True)
class BoolOp(Expr):
    op: str  # "or" | "and"
    values: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class IfExp(Expr):
    body: Expr
    orelse: Expr
    # 0 for `a if c else b`; else a name overridden under an `if` (`body` the override,
    # `orelse` the default), keyed by the end line of that block: names overridden in one
    # block change together (`resolve.templates` never mixes their choices). Named as a line
    # so that `analyzer.lineshift` moves it with the file's other lines.
    block_line: int = 0


@dataclass(frozen=True, slots=True)
class Comp(Expr):
    """`[element for target in iterable if condition]` with one `for`: a list (also for set
    and generator comprehensions), known when the iterable is. The target is `LoopVar(loop)`
    inside `element` and `conditions`."""

    loop: int
    iterable: Expr
    element: Expr
    conditions: tuple[Expr, ...] = ()


@dataclass(frozen=True, slots=True)
class Starred(Expr):
    value: Expr


@dataclass(frozen=True, slots=True)
class Opaque(Expr):
    """Something the language does not represent; `why` says what, `code` shows it."""

    code: str
    why: str


def render(expr: Expr, limit: int = 80) -> str:
    """Readable source-like text of an expression, for messages."""
    text = _render(expr)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _render(expr: Expr) -> str:
    match expr:
        case Str(value):
            return repr(value)
        case Const(value):
            return "..." if value == "..." else repr(value)
        case Global(name):
            return name
        case Imported(module, name, level):
            return name or ("." * level + module)
        case Param(_, name):
            return name
        case LoopVar(loop, path, name):
            return name or f"<loop {loop} item{''.join(f'[{i}]' for i in path)}>"
        case Self():
            return "self"
        case ClsRef():
            return "cls"
        case LocalDef(qualname, _):
            return qualname.rsplit(".", 1)[-1]
        case FileRef():
            return "__file__"
        case Entered(value):
            return _render(value)
        case Attr(value, attr):
            return f"{_render(value)}.{attr}"
        case Call(func, args, kwargs, _):
            inner = [_render(a) for a in args] + [
                f"**{_render(v)}" if k == "**" else f"{k}={_render(v)}" for k, v in kwargs
            ]
            return f"{_render(func)}({', '.join(inner)})"
        case Seq(kind, items):
            inner = ", ".join(_render(i) for i in items)
            if kind == "list":
                return f"[{inner}]"
            if kind == "set":
                return "{" + inner + "}"
            return f"({inner}{',' if len(items) == 1 else ''})"
        case Mapping(items):
            return "{" + ", ".join(f"{_render(k)}: {_render(v)}" for k, v in items) + "}"
        case FString(parts):
            body = "".join(
                p.value if isinstance(p, Str) else "{" + _render(p) + "}" for p in parts
            )
            return f"f{body!r}"
        case BinOp(op, left, right):
            return f"{_render(left)} {op} {_render(right)}"
        case Subscript(value, index):
            return f"{_render(value)}[{_render(index)}]"
        case BoolOp(op, values):
            return f" {op} ".join(_render(v) for v in values)
        case IfExp(body, orelse):
            return f"{_render(body)} if ... else {_render(orelse)}"
        case Starred(value):
            return f"*{_render(value)}"
        case Comp(_, iterable, element, conditions):
            tests = "".join(f" if {_render(c)}" for c in conditions)
            return f"[{_render(element)} for ... in {_render(iterable)}{tests}]"
        case Opaque(code, _):
            return code
    return "?"


def dotted_of(expr: Expr) -> str | None:
    """`a.b.c` for a Global/Attr chain, else None (the names the old resolver keyed on)."""
    names: list[str] = []
    while isinstance(expr, Attr):
        names.append(expr.attr)
        expr = expr.value
    if not isinstance(expr, Global):
        return None
    names.append(expr.name)
    return ".".join(reversed(names))


def called_name(func: Expr) -> str | None:
    """The name a call is made by (`db.insert(...)`: "insert"; `insert(...)`, a name bound
    in the module or imported, or a function defined in the caller: "insert"), by which
    helpers are matched before anything is evaluated (`resolve.code_sql`, the relevance
    rounds' demand, the ORM's helpers given a model)."""
    if isinstance(func, Attr):
        return func.attr
    if isinstance(func, Global | Imported):
        return func.name
    if isinstance(func, LocalDef):
        return func.qualname.rsplit(".", 1)[-1]
    return None


def walk(node: Expr) -> list[Expr]:
    """The node and every node inside it (pre-order)."""
    out: list[Expr] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        match current:
            case Attr(value, _) | Starred(value) | Entered(value):
                stack.append(value)
            case Call(func, args, kwargs, _):
                stack.append(func)
                stack.extend(args)
                stack.extend(v for _, v in kwargs)
            case Seq(_, items) | FString(items) | BoolOp(_, items):
                stack.extend(items)
            case Mapping(items):
                stack.extend(v for pair in items for v in pair)
            case BinOp(_, left, right) | IfExp(left, right) | Subscript(left, right):
                stack.extend((left, right))
            case Comp(_, iterable, element, conditions):
                stack.extend((iterable, element, *conditions))
    return out


def global_names(node: Expr | None) -> set[str]:
    """Module-level names an expression needs (to be resolved in other modules)."""
    if node is None:
        return set()
    return {n.name for n in walk(node) if isinstance(n, Global)}


def parameters(node: Expr | None) -> set[tuple[str, str]]:
    """The (function, parameter) pairs an expression depends on."""
    if node is None:
        return set()
    return {(n.function, n.name) for n in walk(node) if isinstance(n, Param)}


def calls_super_init(func: Expr) -> bool:
    """`super().__init__` (and `super(Cls, self).__init__`) called: a constructor handing
    arguments on to its base's (read as the builtin where the module binds no `super`)."""
    return (
        isinstance(func, Attr)
        and func.attr == "__init__"
        and isinstance(func.value, Call)
        and isinstance(func.value.func, Global)
        and func.value.func.name == "super"
        and len(func.value.args) in (0, 2)
    )
