"""Alembic revision reader: one LibCST parse -> :class:`~analyzer.facts.AlembicRevision`.

The revision file is never imported or run. What is read:

* **Identifiers** - module-level ``revision``, ``down_revision``, ``branch_labels``,
  ``depends_on`` (plain or annotated assignments; ``None``, a string, a tuple or list of strings)
  and the module docstring.
* **Operations** - every ``op.*`` call in the module-level ``upgrade()`` and in the functions of
  the same file it calls (followed recursively, cycle-safe, depth-limited), in execution order:
  schema operations with their table / columns / rename targets, ``batch_op.*`` calls inside
  ``with op.batch_alter_table(...) as batch_op:`` (reported with the batch's table),
  ``op.bulk_insert`` on a ``sa.table(...)`` / ``sa.Table(...)`` / ``op.create_table(...)``
  value, and SQL executed through ``op.execute`` or a connection (``op.get_bind().execute``,
  ``conn.exec_driver_sql``...), including SQL read from a file whose path is a literal (possibly
  built from ``__file__``).
* **Text and opaque statements** - the source of ``upgrade()`` and its helpers, and the
  statements in them that are neither operations nor harmless (logging, docstrings, pure
  assignments...), so that a documentation-only revision can be told from one doing something
  tabletrace cannot see.

Names are kept as string parts (:class:`~analyzer.facts.Literal` / :class:`~analyzer.facts.Hole`)
like SQL templates. Module-level string constants are left as holes with a ``ref`` for the
cross-module resolver; function locals bound once to a string expression, and helper parameters
bound to the caller's arguments, are substituted here; any other local becomes a hole with
``ref=None`` (it can never name a module constant).

``downgrade()`` is never read for operations. The reader is pure and never raises: unreadable
files yield a :class:`~analyzer.facts.FileProblem`.
"""

from __future__ import annotations

import inspect
import posixpath
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import CodeRange

from analyzer.facts import AlembicOp, AlembicRevision, FileProblem, Hole, Literal, Part
from analyzer.python import expr as ir
from analyzer.python.nodes import dotted as _dotted
from analyzer.python.nodes import target_names as _target_names
from analyzer.python.parse import ParsedModule, describe_exception
from analyzer.python.scopes import Scope
from analyzer.python.templates import TemplateBuilder
from analyzer.python.templates import splice as _splice

__all__ = ["read_alembic"]

_MAX_DEPTH = 16  # name / value resolution chains
_MAX_HELPER_DEPTH = 8  # nested helper calls followed from upgrade()

# --------------------------------------------------------------------------------------------
# Operation signatures (alembic/operations/base.py; older keyword spellings accepted too)
# --------------------------------------------------------------------------------------------


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


#: role -> (positional index or None, keyword names)
_Spec = Mapping[str, tuple[int | None, tuple[str, ...]]]

_SCHEMA: tuple[int | None, tuple[str, ...]] = (None, ("schema",))

_OPS: dict[str, _Spec] = {
    "create_table": {"table": (0, ("table_name", "name")), "coldefs": (1, ()), "schema": _SCHEMA},
    "drop_table": {"table": (0, ("table_name", "name")), "schema": _SCHEMA},
    "rename_table": {
        "table": (0, ("old_table_name",)),
        "new_table": (1, ("new_table_name",)),
        "schema": _SCHEMA,
    },
    "add_column": {
        "table": (0, ("table_name",)),
        "column_obj": (1, ("column",)),
        "schema": _SCHEMA,
    },
    "drop_column": {
        "table": (0, ("table_name",)),
        "column": (1, ("column_name",)),
        "schema": _SCHEMA,
    },
    "alter_column": {
        "table": (0, ("table_name",)),
        "column": (1, ("column_name",)),
        "new_column": (None, ("new_column_name",)),
        "schema": _SCHEMA,
    },
    "create_index": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "drop_index": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "create_foreign_key": {
        "table": (1, ("source_table", "source")),
        "referent": (2, ("referent_table", "referent")),
        "schema": (None, ("source_schema",)),
    },
    "drop_constraint": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "create_unique_constraint": {"table": (1, ("table_name", "source")), "schema": _SCHEMA},
    "create_check_constraint": {"table": (1, ("table_name", "source")), "schema": _SCHEMA},
    "create_primary_key": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "create_exclude_constraint": {"table": (1, ("table_name",)), "schema": _SCHEMA},
    "create_table_comment": {"table": (0, ("table_name",)), "schema": _SCHEMA},
    "drop_table_comment": {"table": (0, ("table_name",)), "schema": _SCHEMA},
    "bulk_insert": {"table_obj": (0, ("table",))},
}

#: ``batch_op.*``: the table (and schema) come from the enclosing ``batch_alter_table``.
_BATCH_OPS: dict[str, _Spec] = {
    "add_column": {"column_obj": (0, ("column",))},
    "drop_column": {"column": (0, ("column_name",))},
    "alter_column": {"column": (0, ("column_name",)), "new_column": (None, ("new_column_name",))},
    "create_index": {},
    "drop_index": {},
    "create_foreign_key": {"referent": (1, ("referent_table",))},
    "drop_constraint": {},
    "create_unique_constraint": {},
    "create_check_constraint": {},
    "create_primary_key": {},
    "create_exclude_constraint": {},
    "create_table_comment": {},
    "drop_table_comment": {},
}

#: ``op`` methods that are not operations (no AlembicOp, harmless).
_NON_OPS = frozenset(
    {"get_bind", "get_context", "f", "inline_literal", "batch_alter_table", "context"}
)

#: Methods that run SQL on whatever they are called on (connection, session, cursor, op).
_EXECUTE_METHODS = frozenset(
    {"execute", "exec_driver_sql", "executemany", "executescript", "scalar", "scalars"}
)
_SQL_KEYWORDS = ("sqltext", "statement", "sql", "query", "object_")

_TEXT_CALLS = frozenset({"text", "DDL"})
_TABLE_CALLS = frozenset({"table", "Table"})
_STATEMENT_CALLS = frozenset({"insert", "update", "delete", "select"})
_TEXT_WRAPPERS = frozenset({"execution_options", "bindparams", "columns", "compile"})

_LOG_ROOTS = _words(
    """
    logger log logging LOG LOGGER _logger _log _LOG _LOGGER print pprint warnings
    """
)
_LOG_CALLS = frozenset({"click.echo", "typer.echo", "sys.stdout.write", "sys.stderr.write"})
_PURE_BUILTINS = _words(
    """
    str int float bool bytes len list tuple dict set frozenset sorted reversed enumerate
    range zip map filter min max sum any all repr format isinstance getattr hasattr open
    round abs type iter next globals locals vars
    """
)
_PURE_MODULES = _words(
    """
    os pathlib Path PurePath PurePosixPath datetime date timedelta timezone uuid json re
    textwrap time decimal Decimal enum typing itertools functools string collections math io
    codecs
    """
)
_SA_ROOTS = frozenset({"sa", "sqlalchemy"})
_OPEN_CALLS = frozenset({"open", "io.open", "codecs.open"})
_PATH_CALLS = _words(
    """
    Path pathlib.Path PurePath pathlib.PurePath PosixPath pathlib.PosixPath PurePosixPath
    pathlib.PurePosixPath str os.fspath
    """
)
_PATH_SAME = _words(
    """
    os.path.abspath os.path.realpath os.path.normpath path.abspath path.realpath
    path.normpath abspath realpath
    """
)
_PATH_DIRNAME = frozenset({"os.path.dirname", "path.dirname", "dirname"})
_PATH_JOIN = frozenset({"os.path.join", "path.join", "join"})
_VALUE_STATEMENTS = (cst.Expr, cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_STRING_LITERALS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)


# --------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------


def read_alembic(
    parsed: ParsedModule, builder: TemplateBuilder, module_scope: Scope
) -> AlembicRevision:
    """Read one Alembic revision file statically (from the tree parsed once for every reader).
    Never raises: a file it cannot read returns a revision holding only a `FileProblem`."""
    rev = AlembicRevision(path=parsed.path, revision=None)
    try:
        _Reader(parsed.path, parsed.tree, parsed.positions, rev, builder, module_scope).run()
    except RecursionError:
        return _fail(
            rev, "alembic-recursion-limit", None, "code nested too deeply for the Python parser"
        )
    except Exception as exc:  # never let one odd file abort a whole repository scan
        return _fail(
            rev, "alembic-internal-error", None, f"reader failed: {describe_exception(exc)}"
        )
    return rev


def _fail(rev: AlembicRevision, code: str, line: int | None, what: str) -> AlembicRevision:
    fresh = AlembicRevision(path=rev.path, revision=None)
    fresh.problems.append(FileProblem(code, line, f"{what}; the revision was not analysed"))
    return fresh


# --------------------------------------------------------------------------------------------
# Scopes: which names a function (or the module) binds, and to what
# --------------------------------------------------------------------------------------------

_Value = cst.CSTNode | None  # assigned value / FunctionDef; None: bound to something else


@dataclass(eq=False, slots=True)
class _Scope:
    is_module: bool
    bindings: dict[str, list[_Value]] = field(default_factory=dict)
    params: set[str] = field(default_factory=set)
    defaults: dict[str, cst.BaseExpression] = field(default_factory=dict)
    outer_names: set[str] = field(default_factory=set)  # global / nonlocal


class _Collector(cst.CSTVisitor):
    """Binding sites of one scope (nested function and class bodies are other scopes)."""

    def __init__(self, scope: _Scope) -> None:
        super().__init__()
        self.scope = scope

    def _bind(self, target: cst.BaseExpression, value: _Value) -> None:
        for leaf in _target_names(target):
            if isinstance(leaf, cst.Name):
                self.scope.bindings.setdefault(leaf.value, []).append(
                    value if leaf is target else None
                )

    def _bind_other(self, node: cst.CSTNode | None) -> None:
        if isinstance(node, cst.AsName):
            node = node.name
        if isinstance(node, cst.BaseExpression):
            self._bind(node, None)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, node.value)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, node.value)

    def visit_For(self, node: cst.For) -> None:
        self._bind(node.target, None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        self._bind_other(node.asname)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        self._bind_other(node.name)

    def visit_Del(self, node: cst.Del) -> None:
        self._bind(node.target, None)

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = alias.evaluated_alias or (_dotted(alias.name) or "").split(".")[0]
            self.scope.bindings.setdefault(name, []).append(None)

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        for alias in node.names:
            name = alias.evaluated_alias or alias.evaluated_name
            self.scope.bindings.setdefault(name, []).append(None)

    def visit_Global(self, node: cst.Global) -> None:
        self.scope.outer_names.update(item.name.value for item in node.names)

    def visit_Nonlocal(self, node: cst.Nonlocal) -> None:
        self.scope.outer_names.update(item.name.value for item in node.names)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.scope.bindings.setdefault(node.name.value, []).append(node)
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.scope.bindings.setdefault(node.name.value, []).append(None)
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False


def _function_scope(fn: cst.FunctionDef) -> _Scope:
    scope = _Scope(is_module=False)
    params = fn.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        scope.params.add(param.name.value)
        if param.default is not None:
            scope.defaults[param.name.value] = param.default
    for star in (params.star_arg, params.star_kwarg):
        if isinstance(star, cst.Param):
            scope.params.add(star.name.value)
    collector = _Collector(scope)
    for stmt in _suite_statements(fn.body):
        stmt.visit(collector)
    return scope


def _suite_statements(suite: cst.BaseSuite) -> Sequence[cst.CSTNode]:
    return suite.body  # IndentedBlock: statements; SimpleStatementSuite: small statements


@dataclass(eq=False, slots=True)
class _Frame:
    """One activation of upgrade() or a helper."""

    scope: _Scope
    outer: _Ctx | None  # where names not bound here are looked up (module, or closure)
    args: dict[str, tuple[cst.BaseExpression, _Ctx]] = field(default_factory=dict)
    helper: str | None = None
    stack: tuple[str, ...] = ()


@dataclass(eq=False, slots=True)
class _Ctx:
    frame: _Frame
    conditional: bool = False
    withs: dict[str, cst.BaseExpression] = field(default_factory=dict)  # `with X as name`

    def cond(self, conditional: bool = True) -> _Ctx:
        if not conditional or self.conditional:
            return self
        return _Ctx(self.frame, True, self.withs)


@dataclass(frozen=True, slots=True)
class _Found:
    kind: str  # "with" | "value" | "module" | "def" | "local" | "global"
    node: cst.CSTNode | None = None
    ctx: _Ctx | None = None


_GLOBAL = _Found("global")
_LOCAL = _Found("local")


@dataclass(slots=True)
class _Flags:
    recognized: bool = False  # an operation or a followed helper call
    opaque: bool = False  # an unrecognised op.* call, or a helper too deep to follow


@dataclass(frozen=True, slots=True)
class _Sql:
    parts: tuple[Part, ...] | None = None
    file: str | None = None
    table: tuple[Part, ...] | None = None


# path values: ("file", ()) the revision file itself; ("dir", segments) relative to its
# directory; ("lit", pieces) a literal path, kept as written
_PathVal = tuple[str, tuple[str, ...]]


# --------------------------------------------------------------------------------------------
# The reader
# --------------------------------------------------------------------------------------------


class _Reader:
    def __init__(
        self,
        path: str,
        tree: cst.Module,
        positions: Mapping[cst.CSTNode, CodeRange],
        rev: AlembicRevision,
        builder: TemplateBuilder,
        module_scope: Scope,
    ) -> None:
        self.path = path
        self.tree = tree
        self.pos = positions
        self.rev = rev
        self.builder = builder
        self.module_scope_model = module_scope
        self.module_scope = _Scope(is_module=True)
        collector = _Collector(self.module_scope)
        for stmt in tree.body:
            stmt.visit(collector)
        self.module_ctx = _Ctx(_Frame(self.module_scope, None))
        self.scopes: dict[int, _Scope] = {}
        self.op_names: set[str] = {"op"}
        self.sa_names: set[str] = set(_SA_ROOTS)
        self.sa_renames: dict[str, str] = {}  # `from sqlalchemy import table as t`: t -> table
        self.texts: dict[int, str] = {}  # id(FunctionDef) -> source, in first-visit order
        self.opaque: dict[tuple[int, str], None] = {}
        self._read_imports()

    # ---- small utilities -------------------------------------------------------------------

    def line(self, node: cst.CSTNode) -> int:
        return self.pos[node].start.line

    def code(self, node: cst.CSTNode) -> str:
        return self.tree.code_for_node(node)

    def _read_imports(self) -> None:
        for node in _walk(self.tree, (cst.Import, cst.ImportFrom)):
            if isinstance(node, cst.Import):
                for alias in node.names:
                    dotted = _dotted(alias.name) or ""
                    if dotted.split(".")[0] == "sqlalchemy":
                        self.sa_names.add(alias.evaluated_alias or dotted.split(".")[0])
            elif not isinstance(node.names, cst.ImportStar) and node.module is not None:
                module = _dotted(node.module) or ""
                for alias in node.names:
                    local = alias.evaluated_alias or alias.evaluated_name
                    if module == "alembic" and alias.evaluated_name == "op":
                        self.op_names.add(local)
                    elif module.split(".")[0] == "sqlalchemy":
                        self.sa_names.add(local)
                        self.sa_renames[local] = alias.evaluated_name

    # ---- module level ----------------------------------------------------------------------

    def run(self) -> None:
        rev = self.rev
        rev.docstring = self._docstring()
        upgrade: cst.FunctionDef | None = None
        for stmt in self.tree.body:
            if isinstance(stmt, cst.FunctionDef) and stmt.name.value == "upgrade":
                upgrade = stmt
            elif isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._identifier(small)
        if upgrade is None:
            return
        rev.has_upgrade = True
        rev.upgrade_line = self.line(upgrade.name)
        frame = _Frame(self._scope(upgrade), self.module_ctx, stack=("upgrade",))
        self.texts[id(upgrade)] = self._source(upgrade)
        self._suite(upgrade.body, _Ctx(frame))
        rev.upgrade_text = "\n".join(self.texts.values())
        rev.opaque_statements = list(self.opaque)

    def _docstring(self) -> str | None:
        body = self.tree.body
        if not body or not isinstance(body[0], cst.SimpleStatementLine):
            return None
        first = body[0].body[0] if body[0].body else None
        if not isinstance(first, cst.Expr) or not isinstance(
            first.value, cst.SimpleString | cst.ConcatenatedString
        ):
            return None
        text = self._literal_parts(first.value)
        return None if text is None else inspect.cleandoc(text)

    def _literal_parts(self, node: cst.BaseExpression) -> str | None:
        if not self.builder.is_str(node):
            return None
        parts = self.builder.build(node, self.module_scope_model)
        if parts is None or not all(isinstance(p, Literal) for p in parts):
            return None
        return "".join(p.text for p in parts)  # type: ignore[union-attr]

    def _identifier(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets]
            value = small.value
        elif isinstance(small, cst.AnnAssign) and small.value is not None:
            targets = [small.target]
            value = small.value
        else:
            return
        for target in targets:
            if not isinstance(target, cst.Name):
                continue
            name = target.value
            if name not in ("revision", "down_revision", "branch_labels", "depends_on"):
                continue
            values = self._identifier_values(value)
            if values is None or (name == "revision" and len(values) > 1):
                self.rev.problems.append(
                    FileProblem(
                        "alembic-dynamic-identifier",
                        self.line(small),
                        f"`{name}` is not a literal string"
                        + ("" if name == "revision" else ", tuple or list of strings")
                        + f" (`{self.code(value).strip()}`); it was ignored",
                    )
                )
                continue
            if name == "revision":
                self.rev.revision = values[0] if values else None
                self.rev.revision_line = self.line(small)
            elif name == "down_revision":
                self.rev.down_revisions = values
                self.rev.down_revision_line = self.line(small)
            elif name == "branch_labels":
                self.rev.branch_labels = values
            else:
                self.rev.depends_on = values

    def _identifier_values(self, node: cst.BaseExpression) -> tuple[str, ...] | None:
        if isinstance(node, cst.Name) and node.value == "None":
            return ()
        if isinstance(node, cst.Tuple | cst.List):
            out: list[str] = []
            for el in node.elements:
                text = None if isinstance(el, cst.StarredElement) else self._literal_parts(el.value)
                if text is None:
                    return None
                out.append(text)
            return tuple(out)
        text = self._literal_parts(node)
        return None if text is None else (text,)

    def _source(self, fn: cst.FunctionDef) -> str:
        return self.code(fn.with_changes(leading_lines=()))

    def _scope(self, fn: cst.FunctionDef) -> _Scope:
        scope = self.scopes.get(id(fn))
        if scope is None:
            scope = self.scopes[id(fn)] = _function_scope(fn)
        return scope

    # ---- name lookup -----------------------------------------------------------------------

    def lookup(self, name: str, ctx: _Ctx) -> _Found:
        for _ in range(_MAX_DEPTH):
            if name in ctx.withs:
                return _Found("with", ctx.withs[name], ctx)
            frame = ctx.frame
            scope = frame.scope
            values = scope.bindings.get(name)
            if scope.is_module:
                if not values:
                    return _GLOBAL
                if all(isinstance(v, cst.FunctionDef) for v in values):
                    return _Found("def", values[-1], ctx)
                if len(values) == 1 and values[0] is not None:
                    return _Found("module", values[0], ctx)
                return _GLOBAL
            if name not in scope.outer_names:
                if name in scope.params:
                    if values:
                        return _LOCAL
                    if name in frame.args:
                        node, arg_ctx = frame.args[name]
                        return _Found("value", node, arg_ctx)
                    default = scope.defaults.get(name)
                    if default is not None:
                        return _Found("value", default, self.module_ctx)
                    return _LOCAL
                if values:
                    if all(isinstance(v, cst.FunctionDef) for v in values):
                        return _Found("def", values[-1], ctx)
                    if len(values) == 1 and values[0] is not None:
                        return _Found("value", values[0], ctx)
                    return _LOCAL
            if frame.outer is None:
                return _GLOBAL
            ctx = frame.outer
        return _GLOBAL

    def _is_local(self, node: cst.BaseExpression, ctx: _Ctx) -> bool:
        """Whether a name / attribute chain starts with a function-local name."""
        while isinstance(node, cst.Attribute):
            node = node.value
        if not isinstance(node, cst.Name):
            return True
        return self.lookup(node.value, ctx).kind in ("with", "value", "local")

    def _hole(self, node: cst.BaseExpression, ctx: _Ctx, style: str = "argument") -> Hole:
        """Hole for an expression; ``ref`` only if it may name a module-level constant."""
        dotted = _dotted(node)
        ref = None if dotted is None or self._is_local(node, ctx) else dotted
        expr = node.value if isinstance(node, cst.Name) and not node.lpar else self.code(node)
        value = (
            self.builder.translator.expr(node, self.module_scope_model) if ref is not None else None
        )
        return Hole(expr, ref, self.line(node), style, value)

    # ---- values ----------------------------------------------------------------------------

    def str_value(
        self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0
    ) -> tuple[Part, ...] | None:
        """Parts of a string-valued expression (locals substituted), or None if it is not
        (visibly) a string. Module-level names and attribute chains are ref holes."""
        if depth > _MAX_DEPTH:
            return None
        if self.builder.is_str(node):
            parts = self.builder.build(node, self.module_scope_model)
            return None if parts is None else self._resolve(parts, ctx, depth)
        if isinstance(node, cst.Name):
            found = self.lookup(node.value, ctx)
            if found.kind == "value":
                inner = self.str_value(found.node, found.ctx, depth + 1)  # type: ignore[arg-type]
                return None if inner is None else tuple(_splice(inner, self.line(node)))
            if found.kind in ("module", "global"):
                line = self.line(node)
                return (Hole(node.value, node.value, line, "argument", ir.Global(node.value)),)
            return None
        if isinstance(node, cst.Attribute) and _dotted(node) is not None:
            return (self._hole(node, ctx),)
        return None

    def _resolve(self, parts: tuple[Part, ...], ctx: _Ctx, depth: int) -> tuple[Part, ...]:
        out: list[Part] = []
        for part in parts:
            if isinstance(part, Hole) and part.ref is not None:
                head = part.ref.split(".")[0]
                found = self.lookup(head, ctx)
                if found.kind == "value" and head == part.ref:
                    inner = self.str_value(found.node, found.ctx, depth + 1)  # type: ignore[arg-type]
                    if inner is not None:
                        out.extend(_splice(inner, part.line))
                        continue
                if found.kind in ("value", "with", "local", "def"):
                    out.append(Hole(part.expr, None, part.line, part.style))
                    continue
            out.append(part)
        return tuple(out)

    def name_parts(self, node: cst.BaseExpression, ctx: _Ctx) -> tuple[Part, ...]:
        parts = self.str_value(node, ctx)
        return parts if parts is not None else (self._hole(node, ctx),)

    def literal(self, node: cst.BaseExpression | None, ctx: _Ctx) -> str | None:
        if node is None:
            return None
        parts = self.str_value(node, ctx)
        if not parts or not all(isinstance(p, Literal) for p in parts):
            return None
        return "".join(p.text for p in parts)  # type: ignore[union-attr]

    def _follow_name(
        self, node: cst.BaseExpression, ctx: _Ctx, depth: int, *, module: bool = True
    ) -> tuple[cst.BaseExpression, _Ctx] | None:
        """The value a name is bound to (once), if any."""
        if not isinstance(node, cst.Name) or depth > _MAX_DEPTH:
            return None
        found = self.lookup(node.value, ctx)
        if found.kind == "value" or (module and found.kind == "module"):
            return found.node, found.ctx  # type: ignore[return-value]
        return None

    def is_op(self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0) -> bool:
        if isinstance(node, cst.Attribute):
            return _dotted(node) == "alembic.op"
        if not isinstance(node, cst.Name) or depth > _MAX_DEPTH:
            return False
        found = self.lookup(node.value, ctx)
        if found.kind == "value":
            return self.is_op(found.node, found.ctx, depth + 1)  # type: ignore[arg-type]
        return found.kind in ("global", "module") and node.value in self.op_names

    def _batch_call(
        self, node: cst.BaseExpression, ctx: _Ctx
    ) -> tuple[tuple[Part, ...], str | None] | None:
        if (
            isinstance(node, cst.Call)
            and isinstance(node.func, cst.Attribute)
            and node.func.attr.value == "batch_alter_table"
            and self.is_op(node.func.value, ctx)
        ):
            table = _arg(node, 0, ("table_name",))
            schema = self.literal(_arg(node, None, ("schema",)), ctx)
            parts = self.name_parts(table, ctx) if table is not None else ()
            return parts, schema
        return None

    def batch(
        self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0
    ) -> tuple[tuple[Part, ...], str | None] | None:
        if not isinstance(node, cst.Name) or depth > _MAX_DEPTH:
            return None
        found = self.lookup(node.value, ctx)
        if found.kind == "with":
            return self._batch_call(found.node, found.ctx)  # type: ignore[arg-type]
        if found.kind == "value":
            return self.batch(found.node, found.ctx, depth + 1)  # type: ignore[arg-type]
        return None

    def _sa_call(self, call: cst.Call, names: frozenset[str]) -> bool:
        """``name(...)`` / ``sa.name(...)`` / ``sqlalchemy.sql.name(...)`` for name in names."""
        dotted = _dotted(call.func)
        if dotted is None:
            return False
        head, _, last = dotted.rpartition(".")
        if not head:
            return self.sa_renames.get(last, last) in names
        return last in names and head.split(".")[0] in self.sa_names

    def table_value(
        self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0
    ) -> tuple[tuple[Part, ...], str | None] | None:
        """(name, schema) of a Table value: sa.table(...), sa.Table(...), op.create_table()."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Call):
            is_create = (
                isinstance(node.func, cst.Attribute)
                and node.func.attr.value == "create_table"
                and self.is_op(node.func.value, ctx)
            )
            if is_create or self._sa_call(node, _TABLE_CALLS):
                name = _arg(node, 0, ("table_name", "name"))
                if name is None:
                    return None
                schema = self.literal(_arg(node, None, ("schema",)), ctx)
                return self.name_parts(name, ctx), schema
            return None
        bound = self._follow_name(node, ctx, depth)
        return None if bound is None else self.table_value(bound[0], bound[1], depth + 1)

    def column_name(self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Call):
            dotted = _dotted(node.func)
            if dotted is None or dotted.rpartition(".")[2] != "Column":
                return None
            return self.literal(_arg(node, 0, ("name",)), ctx)
        bound = self._follow_name(node, ctx, depth)
        return None if bound is None else self.column_name(bound[0], bound[1], depth + 1)

    # ---- SQL arguments ---------------------------------------------------------------------

    def sql_value(self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0) -> _Sql | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Call):
            func = node.func
            if self._sa_call(node, _TEXT_CALLS):
                arg = _arg(node, 0, ("text", "statement", "sql"))
                return None if arg is None else self.sql_value(arg, ctx, depth + 1)
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in _TEXT_WRAPPERS
                and isinstance(func.value, cst.Call)
                and self._sa_call(func.value, _TEXT_CALLS)
            ):
                return self.sql_value(func.value, ctx, depth + 1)
        if self.builder.is_str(node):
            parts = self.str_value(node, ctx, depth)
            return None if parts is None else _Sql(parts)
        sql_file = self.file_read(node, ctx, depth)
        if sql_file is not None:
            return _Sql(file=sql_file)
        if isinstance(node, cst.Name):
            found = self.lookup(node.value, ctx)
            hole = self._hole(node, ctx)
            if found.kind == "value":
                inner = self.sql_value(found.node, found.ctx, depth + 1)  # type: ignore[arg-type]
                return inner if inner is not None else _Sql((hole,))
            if found.kind == "module":
                value = found.node
                if not self.builder.is_str(value):
                    inner = self.sql_value(value, found.ctx, depth + 1)  # type: ignore[arg-type]
                    if inner is not None:
                        return inner
            return _Sql((hole,))
        if isinstance(node, cst.Attribute) and _dotted(node) is not None:
            return _Sql((self._hole(node, ctx),))
        table = self.statement_table(node, ctx, depth)
        if table is not None:
            return _Sql((Hole(self.code(node), None, self.line(node), "argument"),), table=table)
        return None

    def statement_table(
        self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0
    ) -> tuple[Part, ...] | None:
        """Table of a SQLAlchemy Core statement: ``t.insert().values()``, ``sa.update(t)``."""
        while isinstance(node, cst.Call) and depth <= _MAX_DEPTH:
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in _STATEMENT_CALLS:
                found = self.table_value(func.value, ctx, depth + 1)
                if found is not None:
                    return found[0]
            if self._sa_call(node, _STATEMENT_CALLS) and node.args:
                found = self.table_value(node.args[0].value, ctx, depth + 1)
                if found is not None:
                    return found[0]
            if not isinstance(func, cst.Attribute):
                return None
            node = func.value
            depth += 1
        return None

    def file_read(self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0) -> str | None:
        """Path of ``open(p).read()`` / ``Path(p).read_text()`` / ``f.read()`` (f = open(p))."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            target = node.func.value
            value: _PathVal | None = None
            if method == "read_text":
                value = self.path_value(target, ctx, depth + 1)
            elif method == "read":
                value = self.opened(target, ctx, depth + 1)
            elif (
                method == "decode"
                and isinstance(target, cst.Call)
                and isinstance(target.func, cst.Attribute)
            ):
                if target.func.attr.value == "read_bytes":
                    value = self.path_value(target.func.value, ctx, depth + 1)
                elif target.func.attr.value == "read":
                    value = self.opened(target.func.value, ctx, depth + 1)
            return _path_text(value)
        bound = self._follow_name(node, ctx, depth)
        return None if bound is None else self.file_read(bound[0], bound[1], depth + 1)

    def opened(self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0) -> _PathVal | None:
        """Path of a file object: ``open(p)``, ``p.open()``, or a name bound to one."""
        if depth > _MAX_DEPTH:
            return None
        if isinstance(node, cst.Call):
            if _dotted(node.func) in _OPEN_CALLS:
                arg = _arg(node, 0, ("file", "filename"))
                return None if arg is None else self.path_value(arg, ctx, depth + 1)
            if isinstance(node.func, cst.Attribute) and node.func.attr.value == "open":
                return self.path_value(node.func.value, ctx, depth + 1)
            return None
        if isinstance(node, cst.Name):
            found = self.lookup(node.value, ctx)
            if found.kind in ("with", "value", "module"):
                return self.opened(found.node, found.ctx, depth + 1)  # type: ignore[arg-type]
        return None

    def path_value(self, node: cst.BaseExpression, ctx: _Ctx, depth: int = 0) -> _PathVal | None:
        if depth > _MAX_DEPTH:
            return None
        depth += 1
        if isinstance(node, cst.Name):
            if node.value == "__file__":
                return ("file", ())
            found = self.lookup(node.value, ctx)
            if found.kind in ("value", "module"):
                value = found.node
                text = self.literal(value, found.ctx)  # type: ignore[arg-type]
                if text is not None:
                    return ("lit", (text,))
                return self.path_value(value, found.ctx, depth)  # type: ignore[arg-type]
            return None
        text = self.literal(node, ctx)
        if text is not None:
            return ("lit", (text,))
        if isinstance(node, cst.Attribute) and node.attr.value == "parent":
            return _parent(self.path_value(node.value, ctx, depth))
        if (
            isinstance(node, cst.Subscript)
            and isinstance(node.value, cst.Attribute)
            and node.value.attr.value == "parents"
            and len(node.slice) == 1
            and isinstance(node.slice[0].slice, cst.Index)
            and isinstance(node.slice[0].slice.value, cst.Integer)
        ):
            value = self.path_value(node.value.value, ctx, depth)
            for _ in range(int(node.slice[0].slice.value.value) + 1):
                value = _parent(value)
            return value
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Divide):
            return _join(self.path_value(node.left, ctx, depth), [self.literal(node.right, ctx)])
        if not isinstance(node, cst.Call):
            return None
        func = node.func
        dotted = _dotted(func)
        positional = [a.value for a in node.args if not a.keyword and not a.star]
        if dotted in _PATH_CALLS and positional:
            value = self.path_value(positional[0], ctx, depth)
            return _join(value, [self.literal(a, ctx) for a in positional[1:]])
        if dotted in _PATH_SAME and len(positional) == 1:
            return self.path_value(positional[0], ctx, depth)
        if dotted in _PATH_DIRNAME and len(positional) == 1:
            return _parent(self.path_value(positional[0], ctx, depth))
        if dotted in _PATH_JOIN and positional:
            value = self.path_value(positional[0], ctx, depth)
            return _join(value, [self.literal(a, ctx) for a in positional[1:]])
        if not isinstance(func, cst.Attribute):
            return None
        method = func.attr.value
        if method in ("resolve", "absolute", "expanduser"):
            return self.path_value(func.value, ctx, depth)
        if method == "joinpath":
            value = self.path_value(func.value, ctx, depth)
            return _join(value, [self.literal(a, ctx) for a in positional])
        if method in ("with_name", "with_suffix") and len(positional) == 1:
            arg = self.literal(positional[0], ctx)
            value = self.path_value(func.value, ctx, depth)
            if arg is None or value is None:
                return None
            if method == "with_name":
                return _join(_parent(value), [arg])
            if value[0] == "file":
                stem = posixpath.splitext(posixpath.basename(self.path))[0]
                return ("dir", (stem + arg,))
            *head, last = value[1] or ("",)
            return (value[0], (*head, posixpath.splitext(last)[0] + arg))
        return None

    # ---- harmless statements ---------------------------------------------------------------

    def _allowed_call(self, call: cst.Call, ctx: _Ctx, *, locals_ok: bool, depth: int) -> bool:
        func = call.func
        if _dotted(func) in _LOG_CALLS:
            return True
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in _NON_OPS
            and self.is_op(func.value, ctx)
        ):
            return True
        root = func
        while isinstance(root, cst.Attribute | cst.Call | cst.Subscript):
            root = root.func if isinstance(root, cst.Call) else root.value
        if isinstance(root, _STRING_LITERALS):
            return True  # str methods: ", ".join(...), "...".format(...)
        if not isinstance(root, cst.Name):
            return False
        name = root.value
        if name in _LOG_ROOTS:  # logger.info(...), logging.getLogger(x).debug(...), print(...)
            return True
        found = self.lookup(name, ctx)
        if found.kind in ("global", "module") and (
            name in _PURE_BUILTINS
            or name in _PURE_MODULES
            or name in self.sa_names
            or name in self.op_names
        ):
            return True
        if locals_ok and found.kind in ("value", "module") and depth < _MAX_DEPTH:
            return self.pure(found.node, found.ctx, depth + 1)  # type: ignore[arg-type]
        return False

    def pure(self, node: cst.CSTNode, ctx: _Ctx, depth: int = 0, *, locals_ok: bool = True) -> bool:
        """No call in ``node`` can have an effect tabletrace cares about."""
        return all(
            self._allowed_call(call, ctx, locals_ok=locals_ok, depth=depth)
            for call in _walk(node, (cst.Call,))
        )

    def harmless(self, small: cst.BaseSmallStatement, ctx: _Ctx) -> bool:
        if isinstance(small, cst.Expr):
            return self.pure(small.value, ctx, locals_ok=False)
        if isinstance(small, cst.Assign | cst.AnnAssign | cst.AugAssign | cst.Return):
            value = small.value
            return value is None or self.pure(value, ctx)
        return True  # pass, import, global, del, raise, assert, break, continue

    # ---- walking upgrade() and helpers -----------------------------------------------------

    def _suite(self, suite: cst.BaseSuite, ctx: _Ctx) -> None:
        for stmt in _suite_statements(suite):
            if isinstance(stmt, cst.BaseSmallStatement):
                self._small(stmt, ctx)
            else:
                self._statement(stmt, ctx)  # type: ignore[arg-type]

    def _statement(self, stmt: cst.BaseStatement, ctx: _Ctx) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._small(small, ctx)
        elif isinstance(stmt, cst.If):
            self._scan(stmt.test, ctx)
            inner = ctx.cond()
            self._suite(stmt.body, inner)
            orelse = stmt.orelse
            while isinstance(orelse, cst.If):
                self._scan(orelse.test, inner)
                self._suite(orelse.body, inner)
                orelse = orelse.orelse
            if orelse is not None:
                self._suite(orelse.body, inner)
        elif isinstance(stmt, cst.For):
            self._scan(stmt.iter, ctx)
            self._suite(stmt.body, ctx.cond())
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, ctx.cond())
        elif isinstance(stmt, cst.While):
            self._scan(stmt.test, ctx)
            self._suite(stmt.body, ctx.cond())
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, ctx.cond())
        elif isinstance(stmt, cst.Try | cst.TryStar):
            inner = ctx.cond()
            self._suite(stmt.body, inner)
            for handler in stmt.handlers:
                self._suite(handler.body, inner)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, inner)
            if stmt.finalbody is not None:
                self._suite(stmt.finalbody.body, inner)
        elif isinstance(stmt, cst.With):
            self._with(stmt, ctx)
        elif isinstance(stmt, cst.Match):
            self._scan(stmt.subject, ctx)
            inner = ctx.cond()
            for case in stmt.cases:
                if case.guard is not None:
                    self._scan(case.guard, inner)
                self._suite(case.body, inner)
        # FunctionDef / ClassDef: definitions only, run when called

    def _with(self, stmt: cst.With, ctx: _Ctx) -> None:
        conditional = False
        withs = dict(ctx.withs)
        for item in stmt.items:
            expr = item.item
            if self._batch_call(expr, ctx) is None and not self._plain_with(expr, ctx):
                conditional = True
                self._scan(expr, ctx)
            if item.asname is not None and isinstance(item.asname.name, cst.Name):
                withs[item.asname.name.value] = expr
        self._suite(stmt.body, _Ctx(ctx.frame, ctx.conditional or conditional, withs))

    def _plain_with(self, expr: cst.BaseExpression, ctx: _Ctx) -> bool:
        """`with` items whose body always runs: autocommit_block(), open(...)."""
        if not isinstance(expr, cst.Call):
            return False
        func = expr.func
        if isinstance(func, cst.Attribute):
            return func.attr.value in ("autocommit_block", "open")
        return _dotted(func) in _OPEN_CALLS

    def _small(self, small: cst.BaseSmallStatement, ctx: _Ctx) -> None:
        flags = _Flags()
        value = getattr(small, "value", None)
        if value is not None and isinstance(small, _VALUE_STATEMENTS):
            self._scan(value, ctx, flags)
        if flags.opaque or (not flags.recognized and not self.harmless(small, ctx)):
            lines = self.code(small).strip().splitlines()
            text = lines[0].rstrip(";").rstrip() if lines else ""
            self.opaque[(self.line(small), text)] = None

    def _scan(self, node: cst.CSTNode, ctx: _Ctx, flags: _Flags | None = None) -> None:
        """Find operations and helper calls in an expression, in evaluation order."""
        if flags is None:
            flags = _Flags()
        if isinstance(node, cst.Lambda):
            return
        if isinstance(node, _COMPREHENSIONS):
            ctx = ctx.cond()
        elif isinstance(node, cst.IfExp):
            self._scan(node.test, ctx, flags)
            self._scan(node.body, ctx.cond(), flags)
            self._scan(node.orelse, ctx.cond(), flags)
            return
        elif isinstance(node, cst.BooleanOperation):
            self._scan(node.left, ctx, flags)
            self._scan(node.right, ctx.cond(), flags)
            return
        elif isinstance(node, cst.Call) and self._call(node, ctx, flags):
            return
        for child in node.children:
            self._scan(child, ctx, flags)

    def _scan_args(self, call: cst.Call, ctx: _Ctx, flags: _Flags) -> None:
        for arg in call.args:
            self._scan(arg.value, ctx, flags)

    def _call(self, call: cst.Call, ctx: _Ctx, flags: _Flags) -> bool:
        """Handle a call if it is an operation or a helper call; False: just descend."""
        func = call.func
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            receiver = func.value
            if self.is_op(receiver, ctx):
                if method in _NON_OPS:
                    return False
                self._scan_args(call, ctx, flags)
                self._operation(method, call, ctx, flags, None)
                return True
            batch = self.batch(receiver, ctx)
            if batch is not None:
                self._scan_args(call, ctx, flags)
                self._operation(method, call, ctx, flags, batch)
                return True
            if method in _EXECUTE_METHODS and _sql_arg(call) is not None:
                self._scan(receiver, ctx, flags)
                self._scan_args(call, ctx, flags)
                self._execute(call, ctx)
                flags.recognized = True
                return True
            return False
        if isinstance(func, cst.Name):
            found = self.lookup(func.value, ctx)
            if found.kind == "def":
                self._scan_args(call, ctx, flags)
                self._follow(found.node, call, ctx, found.ctx, flags)  # type: ignore[arg-type]
                return True
            return False
        prefix = self._globals_prefix(func)
        if prefix:
            self._scan_args(call, ctx, flags)
            for name, values in self.module_scope.bindings.items():
                fn = values[-1]
                if name.startswith(prefix) and isinstance(fn, cst.FunctionDef):
                    self._follow(fn, None, ctx.cond(), self.module_ctx, flags)
            return True
        return False

    def _globals_prefix(self, func: cst.BaseExpression) -> str | None:
        """``globals()["upgrade_%s" % engine_name]()`` (multidb template) -> "upgrade_"."""
        if not (
            isinstance(func, cst.Subscript)
            and isinstance(func.value, cst.Call)
            and _dotted(func.value.func) == "globals"
            and len(func.slice) == 1
            and isinstance(func.slice[0].slice, cst.Index)
        ):
            return None
        key = func.slice[0].slice.value
        if not self.builder.is_str(key):
            return None
        parts = self.builder.build(key, self.module_scope_model)
        if not parts or not isinstance(parts[0], Literal) or len(parts) < 2:
            return None
        return parts[0].text

    def _follow(
        self,
        fn: cst.FunctionDef,
        call: cst.Call | None,
        ctx: _Ctx,
        def_ctx: _Ctx | None,
        flags: _Flags,
    ) -> None:
        flags.recognized = True
        name = fn.name.value
        frame = ctx.frame
        if name in frame.stack:
            return  # recursion: already being read
        if len(frame.stack) > _MAX_HELPER_DEPTH:
            flags.opaque = True
            return
        scope = self._scope(fn)
        outer = self.module_ctx if def_ctx is None or def_ctx.frame.scope.is_module else def_ctx
        new = _Frame(scope, outer, helper=frame.helper or name, stack=(*frame.stack, name))
        if call is not None:
            new.args = _bind_args(fn, call, ctx)
        self.texts.setdefault(id(fn), self._source(fn))
        self._suite(fn.body, _Ctx(new, ctx.conditional))

    # ---- recording operations --------------------------------------------------------------

    def _record(self, name: str, node: cst.CSTNode, ctx: _Ctx, **fields: object) -> None:
        self.rev.operations.append(
            AlembicOp(
                name,
                self.line(node),
                conditional=ctx.conditional,
                helper=ctx.frame.helper,
                snippet=" ".join(self.code(node).split())[:160],
                **fields,  # type: ignore[arg-type]
            )
        )

    def _operation(
        self,
        method: str,
        call: cst.Call,
        ctx: _Ctx,
        flags: _Flags,
        batch: tuple[tuple[Part, ...], str | None] | None,
    ) -> None:
        flags.recognized = True
        if method == "execute":
            self._execute(call, ctx)
            return
        spec = (_BATCH_OPS if batch is not None else _OPS).get(method)
        if spec is None:
            flags.opaque = True
            if batch is not None:
                self._record(method, call, ctx, table=batch[0], schema=batch[1])
                return
            first = next(
                (
                    a.value
                    for a in call.args
                    if not a.keyword and not a.star and self.builder.is_str(a.value)
                ),
                None,
            )
            table = None if first is None else self.name_parts(first, ctx)
            self._record(method, call, ctx, table=table)
            return

        def get(role: str) -> cst.BaseExpression | None:
            where = spec.get(role)
            return None if where is None else _arg(call, where[0], where[1])

        fields: dict[str, object] = {}
        if batch is not None:
            fields["table"], fields["schema"] = batch
        else:
            table = get("table")
            if table is not None:
                fields["table"] = self.name_parts(table, ctx)
            fields["schema"] = self.literal(get("schema"), ctx)
        table_obj = get("table_obj")
        if table_obj is not None:
            found = self.table_value(table_obj, ctx)
            if found is None:
                fields["table"] = (self._hole(table_obj, ctx),)
            else:
                fields["table"], fields["schema"] = found
        new_table = get("new_table")
        if new_table is not None:
            fields["new_table"] = self.name_parts(new_table, ctx)
        referent = get("referent")
        if referent is not None:
            fields["referent_table"] = self.name_parts(referent, ctx)
        if "coldefs" in spec:
            start = spec["coldefs"][0] or 0
            names = (self.column_name(a, ctx) for a in _positional(call)[start:])
            fields["columns"] = tuple(n for n in names if n is not None)
        column_obj = get("column_obj")
        if column_obj is not None:
            name = self.column_name(column_obj, ctx)
            fields["columns"] = (name,) if name is not None else ()
        column = get("column")
        if column is not None:
            name = self.literal(column, ctx)
            fields["columns"] = (name,) if name is not None else ()
            new_name = self.literal(get("new_column"), ctx)
            if name is not None and new_name is not None:
                fields["column_rename"] = (name, new_name)
        self._record(method, call, ctx, **fields)

    def _execute(self, call: cst.Call, ctx: _Ctx) -> None:
        arg = _sql_arg(call)
        if arg is None:
            self._record("execute", call, ctx)
            return
        branches = [arg.body, arg.orelse] if isinstance(arg, cst.IfExp) else [arg]
        if len(branches) > 1:
            ctx = ctx.cond()
        for branch in branches:
            sql = self.sql_value(branch, ctx)
            if sql is None:
                sql = _Sql((Hole(self.code(branch), None, self.line(branch), "argument"),))
            self._record("execute", call, ctx, sql=sql.parts, sql_file=sql.file, table=sql.table)


# --------------------------------------------------------------------------------------------
# Helpers on nodes and paths
# --------------------------------------------------------------------------------------------


def _walk(node: cst.CSTNode, types: tuple[type, ...]) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, types):
            yield current
        stack.extend(reversed(current.children))


def _positional(call: cst.Call) -> list[cst.BaseExpression]:
    """Positional arguments up to the first ``*args`` (later positions are unknown)."""
    out: list[cst.BaseExpression] = []
    for arg in call.args:
        if arg.star:
            break
        if arg.keyword is None:
            out.append(arg.value)
    return out


def _arg(call: cst.Call, index: int | None, keywords: Sequence[str]) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in keywords:
            return arg.value
    if index is not None:
        positional = _positional(call)
        if index < len(positional):
            return positional[index]
    return None


def _sql_arg(call: cst.Call) -> cst.BaseExpression | None:
    return _arg(call, 0, _SQL_KEYWORDS)


def _bind_args(
    fn: cst.FunctionDef, call: cst.Call, ctx: _Ctx
) -> dict[str, tuple[cst.BaseExpression, _Ctx]]:
    params = fn.params
    positional = [p.name.value for p in (*params.posonly_params, *params.params)]
    keywords = {p.name.value for p in (*params.params, *params.kwonly_params)}
    out: dict[str, tuple[cst.BaseExpression, _Ctx]] = {}
    index = 0
    unpacked = False
    for arg in call.args:
        if arg.star:
            unpacked = unpacked or arg.star == "*"
            continue
        if arg.keyword is not None:
            if arg.keyword.value in keywords:
                out[arg.keyword.value] = (arg.value, ctx)
        elif not unpacked and index < len(positional):
            out[positional[index]] = (arg.value, ctx)
            index += 1
    return out


def _join(base: _PathVal | None, segments: Sequence[str | None]) -> _PathVal | None:
    if base is None or any(s is None for s in segments):
        return None
    kind, parts = base
    for segment in segments:
        assert segment is not None
        if kind == "file":
            return None
        if kind == "lit" or segment.startswith("/"):
            kind, parts = "lit", (posixpath.join(*parts, segment) if kind == "lit" else segment,)
        else:
            new = list(parts)
            for piece in segment.split("/"):
                if piece in ("", "."):
                    continue
                if piece == ".." and new and new[-1] != "..":
                    new.pop()
                else:
                    new.append(piece)
            parts = tuple(new)
    return (kind, parts)


def _parent(value: _PathVal | None) -> _PathVal | None:
    if value is None:
        return None
    kind, parts = value
    if kind == "file":
        return ("dir", ())
    if kind == "dir":
        return _join(value, [".."])
    head = posixpath.dirname(parts[0].rstrip("/"))
    return ("lit", (head,)) if head else None


def _path_text(value: _PathVal | None) -> str | None:
    if value is None or value[0] == "file":
        return None
    text = "/".join(value[1])
    return text or None
