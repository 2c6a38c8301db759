"""Alembic, read statically: revision identifiers, and what each function of a migration does.

The revision file is never imported or run. Two things are read, from the tree every reader
shares:

* **The revision** (`read_revision`): module-level `revision`, `down_revision`,
  `branch_labels`, `depends_on` (a literal string, tuple or list, or None), the docstring,
  whether there is an `upgrade()`, and the source of each top-level function.
* **Steps** (`read_steps`, for every module that uses Alembic's `op`, so that helpers living
  in other modules are read too): for each function, in source order, the `op.*` and
  `batch_op.*` calls, SQL run on any connection (`op.execute`, `conn.execute`,
  `exec_driver_sql`, ...), calls that may reach a helper function, `globals()[...]()`
  dispatch (the multidb template), and statements that do something unreadable. Arguments are
  closed expressions (`analyzer.python.expr`), so that replay can evaluate them across
  modules: `op.drop_table(Tag.__tablename__)`, `for old, new in RENAMES: op.rename_table(old,
  new)`, `drop_fk(table, name)` defined in another module. Each step says whether it is
  conditional (inside `if`/`try`/`while`/`match`, a `with` other than a batch, the right side
  of `and`/`or`, a branch of `x if c else y`) and which loops surround it.

Running `upgrade()` (following helpers, binding their parameters, unrolling loops) is
replay's job: `analyzer.resolve.alembic_ops`. `downgrade()` is never run.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator

import libcst as cst

from analyzer.facts import AlembicRevision, FileProblem, Literal, MigrationStep, Part
from analyzer.python import expr as ir
from analyzer.python.nodes import argument, dotted, literal_string
from analyzer.python.parse import ParsedModule
from analyzer.python.scopes import Scope, ScopeModel
from analyzer.python.templates import TemplateBuilder
from analyzer.python.translate import Translator
from analyzer.python.traverse import child_nodes
from analyzer.readers.alembic_api import (  # re-exported: the readers' public names
    BATCH_OPERATIONS,
    GEOSPATIAL_OPERATIONS,
    NON_OPERATIONS,
    OPERATIONS,
    RECREATE_TABLE,
)
from analyzer.readers.sinks import LIBRARY_ROOTS

__all__ = [
    "BATCH_OPERATIONS",
    "EXECUTE_METHODS",
    "NON_OPERATIONS",
    "OPERATIONS",
    "read_revision",
    "read_steps",
    "uses_alembic",
]

#: Methods that run SQL on whatever they are called on (connection, session, cursor, op).
EXECUTE_METHODS = frozenset(
    {"execute", "exec_driver_sql", "executemany", "executescript", "scalar", "scalars"}
)
SQL_KEYWORDS = ("sqltext", "statement", "sql", "query", "object_")
TEXT_CALLS = frozenset({"text", "DDL"})
#: Methods of a `text(...)` clause that run the same SQL (`text(x).params(id=1)`), as the
#: evaluator's `TEXT_CLAUSE_METHODS`: unwrapped here, the SQL keeps its own lines.
TEXT_WRAPPERS = frozenset({"execution_options", "bindparams", "columns", "compile", "params"})
_KNOWN_METHODS = frozenset(OPERATIONS) | frozenset(BATCH_OPERATIONS)

_LOG_ROOTS = frozenset(
    {"logger", "log", "logging", "LOG", "LOGGER", "_logger", "_log", "_LOG", "_LOGGER", "print",
     "pprint", "warnings", "click", "typer", "sys"}
)
_PURE_NAMES = frozenset(
    {
        "str", "int", "float", "bool", "bytes", "len", "list", "tuple", "dict", "set",
        "frozenset", "sorted", "reversed", "enumerate", "range", "zip", "map", "filter", "min",
        "max", "sum", "any", "all", "repr", "format", "isinstance", "getattr", "hasattr",
        "open", "round", "abs", "type", "iter", "next", "globals", "locals", "vars",
        "os", "pathlib", "Path", "PurePath", "PurePosixPath", "datetime", "date", "timedelta",
        "timezone", "uuid", "json", "re", "textwrap", "time", "decimal", "Decimal", "enum",
        "typing", "itertools", "functools", "string", "collections", "math", "io", "codecs",
        "sa", "sqlalchemy", "op", "alembic", "postgresql", "mysql", "sqlite", "context",
    }
)
_PURE_MODULES = frozenset(
    {
        "os", "pathlib", "datetime", "uuid", "json", "re", "textwrap", "time", "decimal",
        "enum", "typing", "itertools", "functools", "string", "collections", "math", "io",
        "codecs", "sqlalchemy", "alembic", "logging", "warnings", "sys",
    }
)
_VALUE_STATEMENTS = (cst.Expr, cst.Assign, cst.AnnAssign, cst.AugAssign, cst.Return)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_PLAIN_WITH = frozenset({"autocommit_block", "open"})


def uses_alembic(model: ScopeModel) -> bool:
    """Whether a module imports Alembic (its `op`, or the package)."""
    for scope in model.all_scopes:
        for sites in scope.bindings.values():
            for site in sites:
                binding = site.imported
                if binding is not None and binding.module.split(".")[0] == "alembic":
                    return True
    return False


# --------------------------------------------------------------------------------------------
# the revision: identifiers, docstring, functions
# --------------------------------------------------------------------------------------------


def read_revision(parsed: ParsedModule, builder: TemplateBuilder) -> AlembicRevision:
    """Identifiers, docstring and functions of a revision file."""
    rev = AlembicRevision(path=parsed.path, revision=None)
    rev.docstring = _docstring(parsed.tree)
    rev.text = parsed.source.decode("utf-8", errors="replace")
    for statement in parsed.tree.body:
        if isinstance(statement, cst.FunctionDef):
            first = statement.decorators[0] if statement.decorators else statement
            text = parsed.span(first, statement)
            rev.function_texts[statement.name.value] = text if text.endswith("\n") else text + "\n"
            if statement.name.value == "upgrade":
                rev.has_upgrade = True
                rev.upgrade_line = parsed.line(statement.name)
        elif isinstance(statement, cst.SimpleStatementLine):
            for small in statement.body:
                _identifier(parsed, builder, rev, small)
    return rev


def _docstring(tree: cst.Module) -> str | None:
    body = tree.body
    if not body or not isinstance(body[0], cst.SimpleStatementLine) or not body[0].body:
        return None
    first = body[0].body[0]
    if not isinstance(first, cst.Expr):
        return None
    text = literal_string(first.value)
    return None if text is None else inspect.cleandoc(text)


def _identifier(
    parsed: ParsedModule, builder: TemplateBuilder, rev: AlembicRevision, small: cst.CSTNode
) -> None:
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
        values = _identifier_values(value)
        if values is None and name == "branch_labels":
            parts = _label_parts(value, builder)
            if parts is not None:
                # evaluated with the module's imports by the revision runner
                rev.branch_label_parts = parts
                rev.branch_labels_line = parsed.line(small)
                continue
        if values is None or (name == "revision" and len(values) > 1):
            rev.problems.append(
                FileProblem(
                    "alembic-dynamic-identifier",
                    parsed.line(small),
                    f"`{name}` is not a literal string"
                    + ("" if name == "revision" else ", tuple or list of strings")
                    + f" (`{parsed.code(value).strip()}`); it was ignored",
                )
            )
            continue
        if name == "revision":
            rev.revision = values[0] if values else None
            rev.revision_line = parsed.line(small)
        elif name == "down_revision":
            rev.down_revisions = values
            rev.down_revision_line = parsed.line(small)
        elif name == "branch_labels":
            rev.branch_labels = values
        else:
            rev.depends_on = values


def _label_parts(
    node: cst.BaseExpression, builder: TemplateBuilder
) -> tuple[tuple[Part, ...], ...] | None:
    """Each label of `branch_labels = (cli.EXPAND_BRANCH, "x")` as template parts: a string
    expression's, or one hole for a name or attribute (a constant perhaps imported)."""
    elements = (
        [e.value for e in node.elements if not isinstance(e, cst.StarredElement)]
        if isinstance(node, cst.Tuple | cst.List) else [node]
    )
    if isinstance(node, cst.Tuple | cst.List) and len(elements) != len(node.elements):
        return None
    scope = builder.translator.model.module
    out: list[tuple[Part, ...]] = []
    for element in elements:
        if builder.is_str(element):
            parts = builder.build(element, scope)
            if parts is None:
                return None
            out.append(parts)
        elif isinstance(element, cst.Name | cst.Attribute):
            out.append((builder.hole(element, "argument", scope, ()),))
        else:
            return None
    return tuple(out)


def _identifier_values(node: cst.BaseExpression) -> tuple[str, ...] | None:
    if isinstance(node, cst.Name) and node.value == "None":
        return ()
    if isinstance(node, cst.Tuple | cst.List):
        out: list[str] = []
        for element in node.elements:
            text = None if isinstance(element, cst.StarredElement) else literal_string(
                element.value
            )
            if text is None:
                return None
            out.append(text)
        return tuple(out)
    text = literal_string(node)
    return None if text is None else (text,)


# --------------------------------------------------------------------------------------------
# steps
# --------------------------------------------------------------------------------------------


def read_steps(
    parsed: ParsedModule, model: ScopeModel, translator: Translator, builder: TemplateBuilder
) -> dict[str, tuple[MigrationStep, ...]]:
    """The steps of every function of the module, by qualified name."""
    loop_ids = {id(loop.node): loop.id for loop in model.loops}
    steps: dict[str, tuple[MigrationStep, ...]] = {}
    for scope in model.all_scopes:
        if scope.kind != "function" or not isinstance(scope.node, cst.FunctionDef):
            continue
        reader = _StepReader(parsed, model, translator, builder, scope, loop_ids)
        reader.suite(scope.node.body, False, ())
        steps[scope.qualname] = tuple(reader.steps)
    return steps


class _StepReader:
    """Reads one function body, statement by statement, in source order."""

    def __init__(
        self,
        parsed: ParsedModule,
        model: ScopeModel,
        translator: Translator,
        builder: TemplateBuilder,
        scope: Scope,
        loop_ids: dict[int, int],
    ) -> None:
        self.parsed = parsed
        self.model = model
        self.translator = translator
        self.builder = builder
        self.function = scope
        self.scope = scope
        self.loop_ids = loop_ids
        self.steps: list[MigrationStep] = []
        self._text = ""
        self._withs: tuple[tuple[str, ir.Expr], ...] = ()  # `with X as name` around the step

    # ---- translation -----------------------------------------------------------------------

    def expr(self, node: cst.BaseExpression, loops: tuple[int, ...]) -> ir.Expr:
        return self.translator.expr(node, self.scope, loops, self._withs)

    def add(
        self, kind: str, node: cst.CSTNode, cond: bool, loops: tuple[int, ...], **fields: object
    ) -> None:
        self.steps.append(
            MigrationStep(
                kind,
                self.parsed.line(node),
                conditional=cond,
                loops=loops,
                text=self._text,
                snippet=" ".join(self.parsed.code(node).split())[:160],
                **fields,  # type: ignore[arg-type]
            )
        )

    # ---- statements ------------------------------------------------------------------------

    def suite(self, suite: cst.BaseSuite, cond: bool, loops: tuple[int, ...]) -> None:
        for statement in suite.body:
            if isinstance(statement, cst.BaseSmallStatement):
                self.small(statement, cond, loops)
            else:
                self.statement(statement, cond, loops)  # type: ignore[arg-type]

    def statement(self, stmt: cst.BaseStatement, cond: bool, loops: tuple[int, ...]) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self.small(small, cond, loops)
        elif isinstance(stmt, cst.If):
            self.scan(stmt.test, cond, loops)
            self.suite(stmt.body, True, loops)
            orelse = stmt.orelse
            while isinstance(orelse, cst.If):
                self.scan(orelse.test, True, loops)
                self.suite(orelse.body, True, loops)
                orelse = orelse.orelse
            if orelse is not None:
                self.suite(orelse.body, True, loops)
        elif isinstance(stmt, cst.For):
            self.scan(stmt.iter, cond, loops)
            loop = self.loop_ids.get(id(stmt))
            inner = (*loops, loop) if loop is not None else loops
            self.suite(stmt.body, cond, inner)
            if stmt.orelse is not None:
                self.suite(stmt.orelse.body, True, loops)
        elif isinstance(stmt, cst.While):
            self.scan(stmt.test, cond, loops)
            self.suite(stmt.body, True, loops)
            if stmt.orelse is not None:
                self.suite(stmt.orelse.body, True, loops)
        elif isinstance(stmt, cst.Try | cst.TryStar):
            self.suite(stmt.body, True, loops)
            for handler in stmt.handlers:
                self.suite(handler.body, True, loops)
            if stmt.orelse is not None:
                self.suite(stmt.orelse.body, True, loops)
            if stmt.finalbody is not None:
                self.suite(stmt.finalbody.body, True, loops)
        elif isinstance(stmt, cst.With):
            conditional = cond
            saved = self._withs
            for item in stmt.items:
                if not self._plain_with(item.item):
                    conditional = True
                    self.scan(item.item, cond, loops)
                elif _recreates(item.item):
                    self.scan(item.item, cond, loops)
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    entered = ir.Entered(self.expr(item.item, loops))
                    self._withs = (*self._withs, (item.asname.name.value, entered))
            try:
                self.suite(stmt.body, conditional, loops)
            finally:
                self._withs = saved
        elif isinstance(stmt, cst.Match):
            self.scan(stmt.subject, cond, loops)
            for case in stmt.cases:
                if case.guard is not None:
                    self.scan(case.guard, True, loops)
                self.suite(case.body, True, loops)
        # FunctionDef / ClassDef: definitions only, run when called

    def _plain_with(self, expr: cst.BaseExpression) -> bool:
        """`with` items whose body always runs: a batch, autocommit_block(), open(...)."""
        if not isinstance(expr, cst.Call):
            return False
        func = expr.func
        if isinstance(func, cst.Attribute):
            return func.attr.value in _PLAIN_WITH or func.attr.value == "batch_alter_table"
        return dotted(func) in ("open", "io.open", "codecs.open")

    def small(self, small: cst.BaseSmallStatement, cond: bool, loops: tuple[int, ...]) -> None:
        lines = self.parsed.code(small).strip().splitlines()
        self._text = lines[0].rstrip(";").rstrip() if lines else ""
        before = len(self.steps)
        value = getattr(small, "value", None)
        if value is not None and isinstance(small, _VALUE_STATEMENTS):
            self.scan(value, cond, loops)
        if len(self.steps) == before and not self.harmless(small, loops):
            self.add("opaque", small, cond, loops)

    # ---- expressions -----------------------------------------------------------------------

    def scan(
        self, node: cst.CSTNode, cond: bool, loops: tuple[int, ...], top: bool = True
    ) -> None:
        """Find operations and helper calls in an expression, in evaluation order. Only a
        call at the top of a statement (not inside another call's arguments) can be a step
        that runs a helper; operations are found anywhere."""
        if isinstance(node, cst.Lambda):
            return
        if isinstance(node, _COMPREHENSIONS):
            self._comprehension(node, cond, loops)
            return
        if isinstance(node, cst.IfExp):
            self.scan(node.test, cond, loops, False)
            self.scan(node.body, True, loops, top)
            self.scan(node.orelse, True, loops, top)
            return
        if isinstance(node, cst.BooleanOperation):
            self.scan(node.left, cond, loops, top)
            self.scan(node.right, True, loops, top)
            return
        if isinstance(node, cst.Await):
            self.scan(node.expression, cond, loops, top)
            return
        if isinstance(node, cst.Call) and self.call(node, cond, loops, top):
            return
        for child in child_nodes(node):
            self.scan(child, cond, loops, False)

    def _comprehension(self, node: cst.CSTNode, cond: bool, loops: tuple[int, ...]) -> None:
        outer = self.scope
        comp: cst.CompFor | None = node.for_in  # type: ignore[attr-defined]
        if comp is None:
            return
        self.scan(comp.iter, cond, loops)
        inner_scope = self.model.scope_of(node)
        if inner_scope is None:
            return
        self.scope = inner_scope
        try:
            conditional = cond
            while comp is not None:
                loop = self.loop_ids.get(id(comp))
                if loop is not None:
                    loops = (*loops, loop)
                for condition in comp.ifs:
                    self.scan(condition.test, conditional, loops)
                    conditional = True
                comp = comp.inner_for_in
                if comp is not None:
                    self.scan(comp.iter, conditional, loops)
            if isinstance(node, cst.DictComp):
                self.scan(node.key, conditional, loops)
                self.scan(node.value, conditional, loops)
            else:
                self.scan(node.elt, conditional, loops)  # type: ignore[attr-defined]
        finally:
            self.scope = outer

    def call(self, call: cst.Call, cond: bool, loops: tuple[int, ...], top: bool) -> bool:
        """Record a call if it is an operation, SQL or a possible helper; False: descend."""
        func = call.func
        if self._globals_dispatch(call, cond, loops):
            return True
        if isinstance(func, cst.Attribute):
            method = func.attr.value
            method = GEOSPATIAL_OPERATIONS.get(method, method)
            receiver = self.expr(func.value, loops)
            if method in EXECUTE_METHODS and _sql_argument(call) is not None:
                self.scan(func.value, cond, loops, False)
                self._scan_args(call, cond, loops)
                self._execute(call, receiver, cond, loops)
                return True
            if method in _KNOWN_METHODS or self._is_op(receiver) or _is_batch(receiver):
                if method == "batch_alter_table" and _recreates(call):
                    # (made in a list and entered later, `with batch_op: pass`, as well)
                    self._scan_args(call, cond, loops)
                    self.add("op", call, cond, loops, name=RECREATE_TABLE, receiver=receiver,
                             **self._arguments(call, loops))
                    return True
                if method in NON_OPERATIONS:
                    return False
                self._scan_args(call, cond, loops)
                self.add("op", call, cond, loops, name=method, receiver=receiver,
                         **self._arguments(call, loops))
                return True
        elif not isinstance(func, cst.Name):
            return False
        if not top or self.allowed(call, loops):
            return False
        value = self.expr(func, loops)
        if not self._may_be_helper(value):
            return False
        self._scan_args(call, cond, loops)
        self.add("call", call, cond, loops, value=value, **self._arguments(call, loops))
        return True

    def _is_op(self, receiver: ir.Expr) -> bool:
        """`op` (free or imported from alembic, under any alias), `alembic.op`, and a
        parameter named `op` (`def upgrade(op=None)`: a plugin system that runs revisions
        itself hands them its `Operations(context)`)."""
        if isinstance(receiver, ir.Param):
            return receiver.name == "op"
        if isinstance(receiver, ir.Imported):
            return receiver.module == "alembic" and receiver.name == "op"
        if isinstance(receiver, ir.Attr):
            return receiver.attr == "op" and isinstance(receiver.value, ir.Global | ir.Imported)
        if not isinstance(receiver, ir.Global):
            return False
        sites = self.model.module.bindings.get(receiver.name)
        if not sites:
            return receiver.name == "op"
        binding = sites[-1].imported
        return binding is not None and binding.module == "alembic" and binding.name == "op"

    def _may_be_helper(self, value: ir.Expr) -> bool:
        """A function of this repository (defined here, imported from a project module, or
        an attribute of a project module), as far as one file can tell."""
        if isinstance(value, ir.LocalDef):
            return value.kind == "function"
        if isinstance(value, ir.Imported):
            return value.level > 0 or not _is_library(value.module)
        if isinstance(value, ir.Attr):
            return self._may_be_helper(value.value) if isinstance(
                value.value, ir.Global | ir.Imported
            ) else isinstance(value.value, ir.Param | ir.Self | ir.ClsRef)
        if isinstance(value, ir.Param):
            return True
        if isinstance(value, ir.Global):
            sites = self.model.module.bindings.get(value.name, ())
            for site in sites:
                if site.kind == "def":
                    return True
                binding = site.imported
                if binding is not None:
                    return binding.level > 0 or not _is_library(binding.module)
            return False
        return False

    def _scan_args(self, call: cst.Call, cond: bool, loops: tuple[int, ...]) -> None:
        for arg in call.args:
            self.scan(arg.value, cond, loops, False)

    def _arguments(self, call: cst.Call, loops: tuple[int, ...]) -> dict[str, object]:
        args: list[ir.Expr] = []
        arg_lines: list[int] = []
        kwargs: list[tuple[str, ir.Expr]] = []
        kwarg_lines: list[int] = []
        for arg in call.args:
            value = self.expr(arg.value, loops)
            if arg.keyword is not None:
                kwargs.append((arg.keyword.value, value))
                kwarg_lines.append(self.parsed.line(arg.value))
            elif arg.star != "**":
                args.append(ir.Starred(value) if arg.star == "*" else value)
                arg_lines.append(self.parsed.line(arg.value))
        return {
            "args": tuple(args), "kwargs": tuple(kwargs), "arg_lines": tuple(arg_lines),
            "kwarg_lines": tuple(kwarg_lines),
        }

    def _globals_dispatch(self, call: cst.Call, cond: bool, loops: tuple[int, ...]) -> bool:
        """`globals()["upgrade_%s" % engine_name]()` (Flask-Migrate's multidb template), or
        `globals().get(f"upgrade_{engine_name}", lambda: None)()` (a variant of it): each
        function of the revision whose name starts with the literal prefix may be called."""
        func = call.func
        key: cst.BaseExpression | None = None
        if (
            isinstance(func, cst.Subscript)
            and isinstance(func.value, cst.Call)
            and dotted(func.value.func) == "globals"
            and len(func.slice) == 1
            and isinstance(func.slice[0].slice, cst.Index)
        ):
            key = func.slice[0].slice.value
        elif (
            isinstance(func, cst.Call)
            and isinstance(func.func, cst.Attribute)
            and func.func.attr.value == "get"
            and isinstance(func.func.value, cst.Call)
            and dotted(func.func.value.func) == "globals"
            and func.args
            and func.args[0].keyword is None
            and not func.args[0].star
        ):
            key = func.args[0].value
        if key is None or not self.builder.is_str(key):
            return False
        parts = self.builder.build(key, self.scope, loops)
        if not parts or not isinstance(parts[0], Literal) or len(parts) < 2:
            return False
        self.add("globals", call, True, loops, name=parts[0].text)
        return True

    def _execute(
        self, call: cst.Call, receiver: ir.Expr, cond: bool, loops: tuple[int, ...]
    ) -> None:
        arg = _sql_argument(call)
        assert arg is not None
        branches = [arg.body, arg.orelse] if isinstance(arg, cst.IfExp) else [arg]
        for branch in branches:
            node = _unwrap_text(branch)
            sql: tuple[Part, ...] | None = None
            if self.builder.is_str(node):
                parts = self.builder.build(node, self.scope, loops)
                if parts is not None:
                    sql = self.builder.splice_locals(parts, self.scope)
            elif isinstance(node, cst.Name):
                # `sql = "..."` or `statement = text("""...""")`, then `conn.execute(sql)`:
                # the bound text's SQL, at its own lines (one lookup: a local name's string
                # binding is its reaching assignment when that is a string)
                found = self.builder.local_assignment(
                    node.value, self.scope, self.parsed.line(node), loops
                )
                if found is not None:
                    site, owner = found
                    value = _unwrap_text(site.value) if site.value is not None else None
                    if value is not None and self.builder.is_str(value):
                        parts = self.builder.build(value, owner, site.loops)
                        if parts is not None:
                            sql = self.builder.splice_locals(parts, owner)
            self.add(
                "execute", call, cond or len(branches) > 1, loops, receiver=receiver,
                sql=sql, value=self.expr(node, loops),
            )

    # ---- harmless statements ---------------------------------------------------------------

    def allowed(self, call: cst.Call, loops: tuple[int, ...], locals_ok: bool = True) -> bool:
        """A call that cannot do anything tabletrace cares about (logging, builtins, pure
        library functions, str methods, op's non-operations). A method called on a local
        object as a statement of its own (`session.add(x)`) is an effect: not harmless."""
        func = call.func
        if isinstance(func, cst.Attribute) and func.attr.value in NON_OPERATIONS:
            return True
        root: cst.BaseExpression = func
        while isinstance(root, cst.Attribute | cst.Call | cst.Subscript):
            root = root.func if isinstance(root, cst.Call) else root.value
        if isinstance(root, cst.SimpleString | cst.ConcatenatedString | cst.FormattedString):
            return True  # str methods: ", ".join(...), "...".format(...)
        if not isinstance(root, cst.Name):
            return False
        if root.value in _LOG_ROOTS:
            return True
        translated = self.translator.expr(root, self.scope, loops, self._withs)
        if not locals_ok and not isinstance(translated, ir.Global | ir.Imported):
            return False
        return self._pure_root(translated, 0)

    def harmless(self, small: cst.BaseSmallStatement, loops: tuple[int, ...]) -> bool:
        if isinstance(small, cst.Expr):
            return all(self.allowed(c, loops, locals_ok=False) for c in _calls(small.value))
        if isinstance(small, cst.Assign | cst.AnnAssign | cst.AugAssign | cst.Return):
            value = small.value
            return value is None or all(self.allowed(c, loops) for c in _calls(value))
        return True  # pass, import, global, del, raise, assert, break, continue

    def _pure_root(self, value: ir.Expr, depth: int) -> bool:
        """Whether a translated call root is a pure library, builtin or Alembic/SQLAlchemy
        name (also imported under another name)."""
        if depth > 8:
            return False
        while isinstance(value, ir.Attr | ir.Call | ir.Subscript | ir.Entered):
            value = value.func if isinstance(value, ir.Call) else value.value  # type: ignore[union-attr]
        if isinstance(value, ir.Global):
            if value.name in _PURE_NAMES or value.name in _LOG_ROOTS:
                return True
            sites = self.model.module.bindings.get(value.name, ())
            if len(sites) != 1:
                return False
            site = sites[0]
            if site.imported is not None:
                return _is_pure_module(site.imported.module)
            if site.kind == "assign" and site.value is not None:  # `users = sa.table(...)`
                module = self.translator.expr(site.value, self.model.module)
                return self._pure_root(module, depth + 1)
            return False
        if isinstance(value, ir.Imported):
            return _is_pure_module(value.module)
        return isinstance(value, ir.Str | ir.FString)


def _is_pure_module(module: str) -> bool:
    return module.split(".")[0] in _PURE_MODULES


def _recreates(expr: cst.BaseExpression) -> bool:
    """`op.batch_alter_table(t, recreate="always")`: the table is copied into a new one and
    swapped in when the block ends, even an empty block (a rebuild that applies the
    `table_kwargs`, such as SQLite's AUTOINCREMENT): the revision changes the schema."""
    if not isinstance(expr, cst.Call) or not isinstance(expr.func, cst.Attribute):
        return False
    if expr.func.attr.value != "batch_alter_table":
        return False
    return any(
        arg.keyword is not None and arg.keyword.value == "recreate"
        and isinstance(arg.value, cst.SimpleString) and arg.value.evaluated_value == "always"
        for arg in expr.args
    )


def _is_batch(receiver: ir.Expr) -> bool:
    """The name bound by `with op.batch_alter_table(...) as batch_op`."""
    return (
        isinstance(receiver, ir.Entered)
        and isinstance(receiver.value, ir.Call)
        and isinstance(receiver.value.func, ir.Attr)
        and receiver.value.func.attr == "batch_alter_table"
    )


def _is_library(module: str) -> bool:
    return module.split(".")[0] in LIBRARY_ROOTS


def _calls(node: cst.CSTNode) -> Iterator[cst.Call]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Lambda):
            continue
        if isinstance(current, cst.Call):
            yield current
        stack.extend(reversed(list(child_nodes(current))))


def _sql_argument(call: cst.Call) -> cst.BaseExpression | None:
    return argument(call, 0, SQL_KEYWORDS)


def _unwrap_text(node: cst.BaseExpression) -> cst.BaseExpression:
    """`text(x)`, `sa.text(x)`, `DDL(x)`, `text(x).execution_options(...)` -> x."""
    for _ in range(8):
        if not isinstance(node, cst.Call):
            return node
        func = node.func
        name = dotted(func)
        if name is not None and name.rsplit(".", 1)[-1] in TEXT_CALLS:
            inner = argument(node, 0, ("text", "statement", "sql"))
            if inner is None:
                return node
            node = inner
            continue
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value in TEXT_WRAPPERS
            and isinstance(func.value, cst.Call)
        ):
            node = func.value
            continue
        return node
    return node
