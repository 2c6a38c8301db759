"""Django, read per file: settings, a migration's `Migration` class, and ORM chains.

Rides on the one traversal (`analyzer.python.scopes.walk_module`) and keeps plain facts
(`analyzer.facts.DjangoFacts`); nothing is imported or run, and whether a class is a model,
a chain starts at a model or a file is a migration is decided across files later
(`analyzer.resolve.django`, `analyzer.sources.django`).

* **Settings**: every module-level statement that sets or changes `INSTALLED_APPS`,
  `AUTH_USER_MODEL` or `DATABASES` (`=`, `+=`, `.append/.extend/.insert/.remove`,
  `DATABASES["default"].update(...)`, `DATABASES["default"]["ENGINE"] = ...`) in source order,
  with whether it sits under an `if`/`try`; and `os.environ.setdefault("DJANGO_SETTINGS_MODULE",
  ...)` (manage.py, wsgi.py), which names the settings module.
* **Migrations**: in a file of a `migrations` folder, the class `Migration`: its
  `dependencies`, `run_before`, `replaces`, `initial` and `operations`, each operation with
  its line, the field tuples of a `CreateModel` with theirs, nested operation lists
  (`SeparateDatabaseAndState`) and the SQL of a `RunSQL` as string parts (module constants
  stay holes for the evaluator). Models themselves need nothing more than the class facts
  every module already exports (`PythonFacts.classes`: bases, body bindings, `Meta`).
* **Chains**: `Report.objects.filter(...).update(...)`, `team.members.all()`,
  `admin.site.register(M)`: a start closed in its scope and the attribute/call steps after it,
  with the lines of arguments (`select_related("a")` is a use at the string's line). Kept only
  in files that import Django or say `.objects`, and only when a step looks like the QuerySet
  API, so that other projects pay nothing.
"""

from __future__ import annotations

import sys

import libcst as cst

from analyzer.facts import (
    ChainStep,
    DjangoChain,
    DjangoFacts,
    DjangoField,
    DjangoMigration,
    DjangoOperation,
    DjangoSetting,
    Part,
    is_setting_name,
)
from analyzer.python import expr as ir
from analyzer.python.nodes import last_name, literal_string
from analyzer.python.parse import ParsedModule
from analyzer.python.scopes import Context, Reader, Scope, ScopeModel
from analyzer.python.templates import TemplateBuilder, joined
from analyzer.python.translate import Translator

SETTING_METHODS = {
    "append": "append",
    "extend": "extend",
    "insert": "insert",
    "remove": "remove",
    "update": "update",
}
MIGRATION_ATTRIBUTES = ("dependencies", "run_before", "replaces", "initial", "operations")
#: Arguments of an operation that hold lists of operations.
OPERATION_LISTS = frozenset({"database_operations", "state_operations", "operations"})
SQL_ARGUMENTS = ("sql", "reverse_sql")

#: QuerySet / Manager / related-manager / instance methods (django.db.models.query).
QUERY_METHODS = frozenset(
    {
        *("all", "filter", "exclude", "get", "first", "last", "latest", "earliest", "count"),
        *("exists", "values", "values_list", "order_by", "distinct", "annotate", "aggregate"),
        *("select_related", "prefetch_related", "only", "defer", "using", "iterator"),
        *("in_bulk", "dates", "datetimes", "none", "union", "intersection", "difference"),
        *("select_for_update", "reverse", "explain", "contains", "alias", "extra", "raw"),
        *("complex_filter", "get_queryset", "create", "update", "delete", "bulk_create"),
        *("bulk_update", "get_or_create", "update_or_create", "add", "remove", "set", "clear"),
        *("save", "refresh_from_db", "get_for_model", "get_by_natural_key", "register"),
        *("aget", "afirst", "alast", "acount", "aexists", "acreate", "aupdate", "adelete"),
        *("abulk_create", "abulk_update", "aget_or_create", "aupdate_or_create", "aaggregate"),
        *("ain_bulk", "aiterator", "acontains", "aearliest", "alatest", "asave", "adelete"),
        *("aadd", "aremove", "aset", "aclear", "arefresh_from_db", "create_user"),
        *("create_superuser",),
    }
)
#: Methods of a model instance that query (`t.save()` after `t = Thing(...)`).
INSTANCE_CALLS = frozenset(
    {"save", "asave", "delete", "adelete", "refresh_from_db", "arefresh_from_db"}
)
#: Names that by themselves make a chain worth keeping (Django-specific spellings).
STRONG_NAMES = frozenset(
    {
        *("objects", "_default_manager", "_base_manager", "select_related", "prefetch_related"),
        *("get_or_create", "update_or_create", "bulk_create", "bulk_update", "values_list"),
        *("aggregate", "annotate", "exclude", "filter", "order_by", "get_for_model", "raw"),
        *("extra", "in_bulk", "select_for_update", "register", "aget_or_create"),
        *("aupdate_or_create", "abulk_create", "abulk_update"),
    }
)
#: Calls that take a model, manager or queryset and run a query (django.shortcuts).
SHORTCUTS = frozenset({"get_object_or_404", "get_list_or_404", "aget_object_or_404"})
ROOT_HINTS = frozenset({"get_object_or_404", "get_list_or_404", "get_user_model"})
SNIPPET_LENGTH = 120
MANAGER_MARKERS = (b".objects", b"._default_manager", b"._base_manager")


class DjangoReader(Reader):
    """Collects nodes during the walk; `facts` translates them once scopes are complete."""

    def __init__(self, parsed: ParsedModule) -> None:
        super().__init__()
        self.parsed = parsed
        self._settings: list[tuple[str, str, cst.CSTNode, cst.BaseExpression | None,
                                   tuple[cst.BaseExpression, ...], Context]] = []
        self._settings_module: list[tuple[cst.BaseExpression, Context]] = []
        self._chains: list[tuple[cst.BaseExpression, Context]] = []
        self._covered: set[int] = set()
        self.handlers[cst.Call] = DjangoReader._call  # type: ignore[assignment]
        self.handlers[cst.Subscript] = DjangoReader._subscript  # type: ignore[assignment]
        self.handlers[cst.Assign] = DjangoReader._assign  # type: ignore[assignment]
        self.handlers[cst.AnnAssign] = DjangoReader._ann_assign  # type: ignore[assignment]
        self.handlers[cst.AugAssign] = DjangoReader._aug_assign  # type: ignore[assignment]

    # ---- traversal -------------------------------------------------------------------------

    def _call(self, node: cst.CSTNode, ctx: Context) -> None:
        call: cst.Call = node  # type: ignore[assignment]
        func = call.func
        if isinstance(func, cst.Attribute):
            if func.attr.value == "setdefault" and _names_settings_module(call):
                self._settings_module.append((call.args[1].value, ctx))
            elif ctx.scope.kind == "module" and func.attr.value in SETTING_METHODS:
                found = _setting_target(func.value)
                if found is not None:
                    name, path = found
                    value = call.args[-1].value if call.args else None
                    action = SETTING_METHODS[func.attr.value]
                    self._settings.append((name, action, call, value, path, ctx))
            if id(call) not in self._covered:
                self._chain(call, ctx)
        elif (
            isinstance(func, cst.Name)
            and (
                func.value in SHORTCUTS
                # `@register(Model)`: admin's `register` imported bare, or a project's alias
                # of it (`register = partial(admin.register, site=site)`)
                or (func.value.endswith("register") and call.args)
            )
            and id(call) not in self._covered
        ):
            self._chains.append((call, ctx))

    def _subscript(self, node: cst.CSTNode, ctx: Context) -> None:
        subscript: cst.Subscript = node  # type: ignore[assignment]
        value = subscript.value
        if (
            id(subscript) not in self._covered
            and isinstance(value, cst.Call)
            and isinstance(value.func, cst.Attribute)
        ):
            self._chain(subscript, ctx)

    def _chain(self, outer: cst.BaseExpression, ctx: Context) -> None:
        node: cst.BaseExpression = outer
        while True:
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                self._covered.add(id(node))
                node = node.func.value
            elif isinstance(node, cst.Attribute):
                node = node.value
            elif isinstance(node, cst.Subscript):
                self._covered.add(id(node))
                node = node.value
            else:
                break
        if isinstance(node, cst.Name) or (
            isinstance(node, cst.Call) and isinstance(node.func, cst.Name)
            and node.func.value != "super"
        ):
            self._chains.append((outer, ctx))

    def _assign(self, node: cst.CSTNode, ctx: Context) -> None:
        assign: cst.Assign = node  # type: ignore[assignment]
        for target in assign.targets:
            self._assigned(target.target, assign.value, assign, ctx, "assign")

    def _ann_assign(self, node: cst.CSTNode, ctx: Context) -> None:
        assign: cst.AnnAssign = node  # type: ignore[assignment]
        if assign.value is not None:
            self._assigned(assign.target, assign.value, assign, ctx, "assign")

    def _aug_assign(self, node: cst.CSTNode, ctx: Context) -> None:
        assign: cst.AugAssign = node  # type: ignore[assignment]
        if isinstance(assign.operator, cst.AddAssign):
            self._assigned(assign.target, assign.value, assign, ctx, "extend")

    def _assigned(
        self,
        target: cst.BaseExpression,
        value: cst.BaseExpression,
        node: cst.CSTNode,
        ctx: Context,
        action: str,
    ) -> None:
        if isinstance(target, cst.Subscript) and _is_settings_module_key(target):
            self._settings_module.append((value, ctx))
            return
        if ctx.scope.kind != "module":
            return
        if isinstance(target, cst.Name) and is_setting_name(target.value):
            self._settings.append((target.value, action, node, value, (), ctx))
        elif isinstance(target, cst.Subscript) and action == "assign":
            found = _setting_target(target)
            if found is not None and found[1]:
                self._settings.append((found[0], "setitem", node, value, found[1], ctx))

    # ---- after the traversal ---------------------------------------------------------------

    def facts(
        self, model: ScopeModel, translator: Translator, builder: TemplateBuilder
    ) -> DjangoFacts | None:
        out = DjangoFacts()
        for name, action, node, value, path, ctx in self._settings:
            out.settings.append(
                DjangoSetting(
                    name=name,
                    action=action,
                    line=self.parsed.line(node),
                    value=translator.expr(value, ctx.scope, ctx.loops) if value else None,
                    path=tuple(translator.expr(p, ctx.scope, ctx.loops) for p in path),
                    conditional=bool(ctx.guards or ctx.loops),
                )
            )
        for value, ctx in self._settings_module:
            out.settings_module.append(
                (translator.expr(value, ctx.scope, ctx.loops), self.parsed.line(value))
            )
        out.migration = MigrationReader(self.parsed, model, translator, builder).read()
        if self._chains and _mentions_django(self.parsed, model):
            for node, ctx in self._chains:
                chain = self._build_chain(node, ctx, translator)
                if chain is not None:
                    out.chains.append(chain)
        return out if out else None

    def _build_chain(
        self, outer: cst.BaseExpression, ctx: Context, translator: Translator
    ) -> DjangoChain | None:
        steps: list[ChainStep] = []
        node: cst.BaseExpression = outer
        scope, loops = ctx.scope, ctx.loops
        while True:
            if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                steps.append(self._call_step(node, node.func.attr, scope, loops, translator))
                node = node.func.value
            elif isinstance(node, cst.Attribute):
                steps.append(ChainStep(sys.intern(node.attr.value), self.parsed.line(node.attr)))
                node = node.value
            elif isinstance(node, cst.Subscript):
                index = node.slice[0].slice if len(node.slice) == 1 else None
                args = (
                    (translator.expr(index.value, scope, loops),)
                    if isinstance(index, cst.Index)
                    else ()
                )
                steps.append(ChainStep("[]", self.parsed.line(node), False, args))
                node = node.value
            else:
                break
        steps.reverse()
        root = translator.expr(node, scope, loops)
        if not _worth_keeping(root, steps, outer):
            return None
        return DjangoChain(
            root=root,
            line=self.parsed.line(node),
            steps=tuple(steps),
            function=scope.function,
            snippet=_snippet(_unparenthesized(self.parsed.code(outer), outer)),
        )

    def _call_step(
        self,
        call: cst.Call,
        name: cst.Name,
        scope: Scope,
        loops: tuple[int, ...],
        translator: Translator,
    ) -> ChainStep:
        args: list[ir.Expr] = []
        arg_lines: list[int] = []
        kwargs: list[tuple[str, ir.Expr]] = []
        kwarg_lines: list[tuple[int, ...]] = []
        for arg in call.args:
            value = translator.expr(arg.value, scope, loops)
            if arg.keyword is not None:
                kwargs.append((arg.keyword.value, value))
                if isinstance(arg.value, cst.List | cst.Tuple):
                    kwarg_lines.append(
                        tuple(self.parsed.line(e.value) for e in arg.value.elements)
                    )
                else:
                    kwarg_lines.append((self.parsed.line(arg.value),))
            elif arg.star == "":
                args.append(value)
                arg_lines.append(self.parsed.line(arg.value))
            elif arg.star == "*":
                args.append(ir.Starred(value))
                arg_lines.append(self.parsed.line(arg.value))
        return ChainStep(
            sys.intern(name.value),
            self.parsed.line(name),
            True,
            tuple(args),
            tuple(kwargs),
            tuple(arg_lines),
            tuple(kwarg_lines),
        )


class MigrationReader:
    """The `Migration` class of a file in a `migrations` folder, operation by operation."""

    def __init__(
        self,
        parsed: ParsedModule,
        model: ScopeModel,
        translator: Translator,
        builder: TemplateBuilder,
    ) -> None:
        self.parsed = parsed
        self.model = model
        self.translator = translator
        self.builder = builder

    def read(self) -> DjangoMigration | None:
        parts = self.parsed.path.split("/")
        if len(parts) < 2 or parts[-2] != "migrations" or parts[-1].startswith("_"):
            return None
        sites = self.model.module.bindings.get("Migration", [])
        classes = [s for s in sites if s.kind == "class" and isinstance(s.node, cst.ClassDef)]
        if len(classes) != 1:
            return None
        node: cst.ClassDef = classes[0].node  # type: ignore[assignment]
        scope = self.model.scope_of(node)
        if scope is None:
            return None
        values: dict[str, tuple[ir.Expr, ...]] = {}
        initial: ir.Expr | None = None
        operations: tuple[DjangoOperation, ...] = ()
        unreadable: list[tuple[str, str]] = []
        for statement in node.body.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                target, value = _single_assignment(small)
                if target not in MIGRATION_ATTRIBUTES or value is None:
                    continue
                if target == "initial":
                    initial = self.translator.expr(value, scope)
                elif target == "operations":
                    found = self._operation_list(value, scope)
                    if found is None:
                        unreadable.append(("operations", self._code(value)))
                    else:
                        operations = found
                else:
                    # `[("shop", "0027_x")] + getattr(settings, "EXTRA", [])`: the lists
                    # that can be read, and each other operand as one unreadable entry
                    # (the graph's reading says which entry it leaves out)
                    found_items: list[ir.Expr] = []
                    operands = _added_operands(value)
                    for operand in operands:
                        items = self._list(operand, scope)
                        if items is None:
                            found_items.append(self.translator.expr(operand, scope))
                            if len(operands) == 1:
                                unreadable.append((target, self._code(operand)))
                        else:
                            found_items.extend(items)
                    values[target] = tuple(found_items)
        return DjangoMigration(
            line=self.parsed.line(node.name),
            dependencies=values.get("dependencies", ()),
            run_before=values.get("run_before", ()),
            replaces=values.get("replaces", ()),
            initial=initial,
            operations=operations,
            unreadable=tuple(unreadable),
        )

    def _code(self, node: cst.CSTNode) -> str:
        return _snippet(self.parsed.code(node))

    def _elements(
        self, node: cst.BaseExpression, scope: Scope, depth: int = 0
    ) -> tuple[list[cst.BaseExpression], Scope] | None:
        """The items of a list/tuple literal, following a module-level name bound once to one
        and `a + b` of such lists (operations built in a module variable)."""
        if depth > 8:
            return None
        if isinstance(node, cst.List | cst.Tuple):
            items: list[cst.BaseExpression] = []
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    inner = self._elements(element.value, scope, depth + 1)
                    if inner is None:
                        items.append(element)  # read as what it is: unknown items
                    else:
                        items.extend(inner[0])
                else:
                    items.append(element.value)
            return items, scope
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left = self._elements(node.left, scope, depth + 1)
            right = self._elements(node.right, scope, depth + 1)
            if left is None or right is None:
                return None
            return left[0] + right[0], scope
        if isinstance(node, cst.Name):
            # a name bound once in the class body (before `operations`) or the module
            for holder in (scope, self.model.module):
                sites = holder.bindings.get(node.value, [])
                if not sites:
                    continue
                if (
                    len(sites) == 1
                    and sites[0].kind == "assign"
                    and sites[0].value is not None
                    and not sites[0].path
                    and node.value not in holder.mutated
                ):
                    return self._elements(sites[0].value, holder, depth + 1)
                return None
        return None

    def _list(self, node: cst.BaseExpression, scope: Scope) -> tuple[ir.Expr, ...] | None:
        found = self._elements(node, scope)
        if found is None:
            return None
        items, where = found
        return tuple(self.translator.expr(item, where) for item in items)

    def _operation_list(
        self, node: cst.BaseExpression, scope: Scope, depth: int = 0
    ) -> tuple[DjangoOperation, ...] | None:
        found = self._elements(node, scope)
        if found is None:
            return None
        items, where = found
        return tuple(self._operation(item, where, depth) for item in items)

    def _operation(self, node: cst.BaseExpression, scope: Scope, depth: int) -> DjangoOperation:
        line = self.parsed.line(node)
        if not isinstance(node, cst.Call):
            return DjangoOperation(
                line, snippet=self._code(node), opaque="it is not a call of an operation"
            )
        callee = last_name(node.func) or ""
        args: list[ir.Expr] = []
        kwargs: list[tuple[str, ir.Expr]] = []
        fields: tuple[DjangoField, ...] = ()
        nested: list[tuple[str, tuple[DjangoOperation, ...]]] = []
        sql: list[tuple[str, tuple[Part, ...]]] = []
        position = 0
        for arg in node.args:
            if arg.star:
                return DjangoOperation(
                    line, self.translator.expr(node.func, scope), snippet=self._code(node),
                    opaque="its arguments are unpacked with * or **",
                )
            key = arg.keyword.value if arg.keyword is not None else f"#{position}"
            if arg.keyword is None:
                position += 1
            value = arg.value
            if callee == "CreateModel" and key in ("fields", "#1"):
                read = self._fields(value, scope)
                if read is not None:
                    fields = read
                    continue
            if callee == "RunSQL" and key in ("sql", "reverse_sql", "#0", "#1"):
                name = {"#0": "sql", "#1": "reverse_sql"}.get(key, key)
                parts = self._sql(value, scope)
                if parts is not None:
                    sql.append((name, parts))
                    continue
            if key in OPERATION_LISTS or (
                callee == "SeparateDatabaseAndState" and key in ("#0", "#1")
            ):
                name = {"#0": "database_operations", "#1": "state_operations"}.get(key, key)
                operations = self._operation_list(value, scope, depth + 1) if depth < 4 else None
                if operations is not None:
                    nested.append((name, operations))
                    continue
            translated = self.translator.expr(value, scope)
            if arg.keyword is None:
                args.append(translated)
            else:
                kwargs.append((key, translated))
        return DjangoOperation(
            line=line,
            func=self.translator.expr(node.func, scope),
            args=tuple(args),
            kwargs=tuple(kwargs),
            fields=fields,
            nested=tuple(nested),
            sql=tuple(sql),
            snippet=self._code(node),
        )

    def _fields(self, node: cst.BaseExpression, scope: Scope) -> tuple[DjangoField, ...] | None:
        found = self._elements(node, scope)
        if found is None:
            return None
        items, where = found
        out = []
        for item in items:
            if not isinstance(item, cst.Tuple) or len(item.elements) != 2:
                return None
            name, field = (e.value for e in item.elements)
            out.append(
                DjangoField(
                    self.translator.expr(name, where),
                    self.translator.expr(field, where),
                    self.parsed.line(item),
                )
            )
        return tuple(out)

    def _sql(self, node: cst.BaseExpression, scope: Scope) -> tuple[Part, ...] | None:
        """RunSQL's SQL: a string expression, a constant (a hole for the evaluator), or a list
        of statements (strings, or `(sql, params)` pairs) joined with `;`."""
        if self.builder.is_str(node):
            parts = self.builder.build(node, scope)
            return self.builder.splice_locals(parts, scope) if parts is not None else None
        if isinstance(node, cst.Name | cst.Attribute):
            return (self.builder.hole(node, "argument", scope, ()),)
        if isinstance(node, cst.List | cst.Tuple):
            items = [element.value for element in node.elements]
            statements = [  # of a `(sql, params)` pair, the SQL
                item.elements[0].value if isinstance(item, cst.Tuple) and item.elements else item
                for item in items
            ]
            return joined(
                ((self.parsed.line(item), self._sql(item, scope)) for item in statements), ";\n"
            )
        return None


# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def _single_assignment(node: cst.CSTNode) -> tuple[str | None, cst.BaseExpression | None]:
    if isinstance(node, cst.Assign) and len(node.targets) == 1:
        target = node.targets[0].target
        if isinstance(target, cst.Name):
            return target.value, node.value
    if isinstance(node, cst.AnnAssign) and isinstance(node.target, cst.Name):
        return node.target.value, node.value
    return None, None


def _names_settings_module(call: cst.Call) -> bool:
    """`os.environ.setdefault("DJANGO_SETTINGS_MODULE", value)`."""
    if len(call.args) < 2 or call.args[0].keyword is not None:
        return False
    return literal_string(call.args[0].value) == "DJANGO_SETTINGS_MODULE"


def _is_settings_module_key(target: cst.Subscript) -> bool:
    """`os.environ["DJANGO_SETTINGS_MODULE"] = value`."""
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
        return False
    return literal_string(target.slice[0].slice.value) == "DJANGO_SETTINGS_MODULE"


def _setting_target(
    node: cst.BaseExpression,
) -> tuple[str, tuple[cst.BaseExpression, ...]] | None:
    """`INSTALLED_APPS` / `DATABASES["default"]["ENGINE"]`: the setting and the subscripts."""
    path: list[cst.BaseExpression] = []
    while isinstance(node, cst.Subscript):
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        path.append(node.slice[0].slice.value)
        node = node.value
    if isinstance(node, cst.Name) and is_setting_name(node.value):
        return node.value, tuple(reversed(path))
    return None


def _mentions_django(parsed: ParsedModule, model: ScopeModel) -> bool:
    """Chains are worth reading only where Django can be in play: the file imports from
    Django or a Django package (`django_celery_beat`), imports a `models` module (`from
    .models import Report`, `from . import models`), or uses a default manager."""
    if any(marker in parsed.source for marker in MANAGER_MARKERS):
        return True
    for scope in model.all_scopes:
        for sites in scope.bindings.values():
            for site in sites:
                imported = site.imported
                if imported is None:
                    continue
                parts = imported.module.split(".")
                if parts[0].startswith("django") or "models" in parts or (
                    imported.name == "models"
                ):
                    return True
    return False


def _added_operands(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """The operands of `a + b + c` (the node itself when it is no sum)."""
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        return [*_added_operands(node.left), *_added_operands(node.right)]
    return [node]


def _worth_keeping(root: ir.Expr, steps: list[ChainStep], outer: cst.BaseExpression) -> bool:
    if not steps:
        # a shortcut (get_object_or_404(Model, ...)) with no chain after it
        return isinstance(outer, cst.Call)
    calls = [step for step in steps if step.call]
    if not calls:
        return False
    names = {step.name for step in steps}
    if names & STRONG_NAMES:
        return True
    if len(steps) >= 2 and calls[-1].name in QUERY_METHODS:
        return True
    base = root
    while isinstance(base, ir.Attr):
        base = base.value  # (`user = request.user`, then `user.delete()`: as written whole)
    instance_like = ir.Self | ir.Call | ir.LoopVar | ir.Subscript | ir.IfExp
    if calls[0].name in INSTANCE_CALLS and (
        isinstance(base, instance_like) or (base is not root and isinstance(base, ir.Param))
    ):
        # `self.save()` in a method (a model's own instance), `Thing(...).save()`,
        # `access.bookmark_write(request, pk).delete()` (what a function returns: typed by
        # what it returns, `ChainResolver._returned`), `for m in Map.objects.filter(...):
        # m.delete()` (an element of what the loop runs over), `thing, rw = _get(pk)` then
        # `thing.save()` (an item of what a call returns), a name bound in branches, and an
        # attribute of a parameter (`user = request.user`, then `user.delete()`)
        return True
    return calls[0].name in QUERY_METHODS and _promising(root)


def _promising(root: ir.Expr) -> bool:
    """A start that may stand for a model, queryset or instance: a parameter (typed later),
    or an expression built from a manager or a Django shortcut."""
    if isinstance(root, ir.Param):
        return True
    for node in ir.walk(root):
        if isinstance(node, ir.Attr) and node.attr in ("objects", "_default_manager"):
            return True
        if isinstance(node, ir.Call):
            func = node.func
            name = (
                func.name if isinstance(func, ir.Global | ir.Imported) else
                func.attr if isinstance(func, ir.Attr) else None
            )
            if name in ROOT_HINTS:
                return True
    return False


def _unparenthesized(text: str, node: cst.BaseExpression) -> str:
    """`(Model.objects.filter(...))` written over several lines: the chain, not the brackets."""
    for _ in getattr(node, "lpar", ()):
        text = text.strip()
        if text.startswith("(") and text.endswith(")"):
            text = text[1:-1]
    return text


def _snippet(text: str) -> str:
    folded = " ".join(text.split())
    return folded if len(folded) <= SNIPPET_LENGTH else folded[: SNIPPET_LENGTH - 3] + "..."
