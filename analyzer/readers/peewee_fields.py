"""A project's peewee field classes, as written: the calls of field classes the reader does not
know (`OwnerField(null=True)`) and the `__init__` of classes that may be such subclasses
(`class OwnerField(ForeignKeyField)`).

Only the mapper knows, across modules, whether `OwnerField` derives from peewee's
`ForeignKeyField` (column `<attr>_id`, a reference to a model) or `CharField` (column `<attr>`);
this module keeps what it needs to decide, read from one file.
"""

from __future__ import annotations

import libcst as cst

from analyzer.facts import PeeweeFieldCall, PeeweeFieldInit
from analyzer.python.nodes import dotted as _dotted

#: peewee's foreign keys: a column `<attr>_id` (or `column_name=`) referring to a model.
PEEWEE_FOREIGN_KEYS = frozenset({"ForeignKeyField", "DeferredForeignKey"})
#: peewee fields that make no column of the model's table (`ManyToManyField`: a through table).
PEEWEE_NO_COLUMN = frozenset({"ManyToManyField", "DeferredThroughModel"})
#: peewee fields that are the primary key whatever their keywords.
PEEWEE_PRIMARY = frozenset({"AutoField", "BigAutoField", "PrimaryKeyField", "IdentityField"})
#: the keywords peewee's `ForeignKeyField` takes its model by (`rel_model` is peewee 2's name,
#: a deprecated alias in peewee 3 and 4)
MODEL_KEYWORDS = ("model", "rel_model")
#: methods in which a field names its column (`Field.bind`; peewee 2's `add_to_class`)
_NAMING_METHODS = frozenset({"bind", "add_to_class"})


def is_peewee_field(called: str | None) -> bool:
    """`CharField`, `ForeignKeyField`, `JSONField`, `DeferredForeignKey`: a peewee field class
    by its name (a project's own `EnumField(CharField)` too, which the mapper then reads as
    the field it derives from; it reads them only on a class whose bases reach
    `peewee.Model`). SQLModel's bare `Field` is not one."""
    return called is not None and (
        (called.endswith("Field") and called != "Field") or called in PEEWEE_FOREIGN_KEYS
    )


def peewee_key_name(attribute: str) -> str:
    """peewee's `ForeignKeyField.bind`: the column of a foreign key named by its attribute."""
    return attribute if attribute.endswith("_id") else attribute + "_id"


def written(node: cst.BaseExpression, module: cst.Module) -> str | None:
    """An argument as the mapper can resolve it: a dotted name, or a string literal with its
    quotes (`ForeignKeyField("Account")`); None for anything else (and for `None`)."""
    if isinstance(node, cst.SimpleString):
        return module.code_for_node(node)
    name = _dotted(node)
    return None if name == "None" else name


def field_call(call: cst.Call, module: cst.Module, named: bool) -> PeeweeFieldCall | None:
    """The arguments of a field call whose class is not peewee's by name; None when the called
    expression is not a dotted name."""
    callee = _dotted(call.func)
    if callee is None:
        return None
    arguments: list[str | None] = []
    keywords: list[tuple[str, str | None]] = []
    spread = False
    for arg in call.args:
        if arg.star:
            spread = True
        elif arg.keyword is not None:
            keywords.append((arg.keyword.value, written(arg.value, module)))
        elif not spread:
            arguments.append(written(arg.value, module))
    return PeeweeFieldCall(callee, tuple(arguments), tuple(keywords), spread, named)


def _parent_init(call: cst.Call) -> list[cst.Arg] | None:
    """`super().__init__(...)`, `super(Cls, self).__init__(...)` or `Parent.__init__(self,
    ...)`: its arguments (without the explicit `self` of the last form), else None."""
    func = call.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "__init__"):
        return None
    owner = func.value
    if isinstance(owner, cst.Call):
        is_super = isinstance(owner.func, cst.Name) and owner.func.value == "super"
        return list(call.args) if is_super else None
    if _dotted(owner) is not None and call.args:
        first = call.args[0]
        if first.keyword is None and not first.star and _dotted(first.value) == "self":
            return list(call.args[1:])
    return None


def _subscript_key(target: cst.BaseExpression, mapping: str | None) -> str | None:
    """`kwargs["model"]` -> "model" when `kwargs` is `mapping`."""
    if (
        mapping is None
        or not isinstance(target, cst.Subscript)
        or _dotted(target.value) != mapping
        or len(target.slice) != 1
    ):
        return None
    index = target.slice[0].slice
    if isinstance(index, cst.Index) and isinstance(index.value, cst.SimpleString):
        return index.value.evaluated_value if isinstance(index.value.evaluated_value, str) else None
    return None


def _model_absent_test(test: cst.BaseExpression, mapping: str | None) -> bool:
    """`"model" not in kwargs` (or `rel_model`)."""
    return (
        mapping is not None
        and isinstance(test, cst.Comparison)
        and len(test.comparisons) == 1
        and isinstance(test.comparisons[0].operator, cst.NotIn)
        and isinstance(test.left, cst.SimpleString)
        and test.left.evaluated_value in MODEL_KEYWORDS
        and _dotted(test.comparisons[0].comparator) == mapping
    )


class _InitReader(cst.CSTVisitor):
    """Walks an `__init__`: its parent `__init__` calls and what it sets as the model in its
    `**kwargs` (`kw["model"] = X` under `if "model" not in kw:` or not, `kw.setdefault(...)`)."""

    def __init__(self, module: cst.Module, mapping: str | None) -> None:
        self.module = module
        self.mapping = mapping
        self.parent_calls: list[list[cst.Arg]] = []
        self.fixed: list[str | None] = []
        self.defaults: list[str | None] = []
        self.unknown = False  # the model set under a condition tabletrace does not read
        self._guards: list[bool] = []  # enclosing `if`s: True for `"model" not in kw`

    def visit_If(self, node: cst.If) -> None:
        self._guards.append(_model_absent_test(node.test, self.mapping))

    def leave_If(self, original_node: cst.If) -> None:
        self._guards.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False  # a nested function is not the `__init__`'s own code

    def visit_Call(self, node: cst.Call) -> None:
        found = _parent_init(node)
        if found is not None:
            self.parent_calls.append(found)
            return
        func = node.func
        if (
            isinstance(func, cst.Attribute) and func.attr.value == "setdefault"
            and self.mapping is not None and _dotted(func.value) == self.mapping
            and len(node.args) == 2 and isinstance(node.args[0].value, cst.SimpleString)
            and node.args[0].value.evaluated_value in MODEL_KEYWORDS
        ):
            self._set(written(node.args[1].value, self.module), default=True)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if _subscript_key(target.target, self.mapping) in MODEL_KEYWORDS:
                self._set(written(node.value, self.module), default=False)

    def _set(self, value: str | None, default: bool) -> None:
        """`default`: a `setdefault`; else an assignment, a default only under `if "model" not
        in kw:`. Under any other condition the model may or may not be set: unknown."""
        if not self._guards:
            (self.defaults if default else self.fixed).append(value)
        elif self._guards == [True]:
            self.defaults.append(value)
        else:
            self.unknown = True


def field_init(
    init: cst.FunctionDef | None, naming: bool, module: cst.Module
) -> PeeweeFieldInit:
    """How a class's `__init__` (None: it has none, only a `bind`) passes the model on;
    `naming`: the class defines a method that names the column (`bind`)."""
    if init is None:
        return PeeweeFieldInit(names_column=naming, defines_init=False)
    params = init.params
    positional = [p.name.value for p in (*params.posonly_params, *params.params)][1:]
    star = params.star_arg.name.value if isinstance(params.star_arg, cst.Param) else None
    mapping = params.star_kwarg.name.value if params.star_kwarg is not None else None
    code = module.code_for_node(init)
    names_column = naming or "column_name" in code or "db_column" in code
    reader = _InitReader(module, mapping)
    init.body.visit(reader)
    if len(reader.parent_calls) != 1 or reader.unknown or len(reader.fixed) > 1:
        return PeeweeFieldInit(tuple(positional), readable=False, names_column=names_column)
    args = reader.parent_calls[0]
    forwards = any(
        arg.star == "**" and _dotted(arg.value) == mapping and mapping is not None
        for arg in args
    )
    first = next((arg for arg in args if arg.keyword is None), None)
    keyword = next(
        (arg for arg in args if arg.keyword is not None and arg.keyword.value in MODEL_KEYWORDS),
        None,
    )
    parameter: str | None = None
    fixed: str | None = None
    readable = True
    source = first if first is not None else keyword
    if first is not None and first.star == "*":
        if star is not None and _dotted(first.value) == star:
            parameter = "*"
        else:
            readable = False
    elif source is not None and not source.star:
        name = _dotted(source.value)
        if name is not None and name in positional:
            parameter = name
        else:
            fixed = written(source.value, module)
            readable = fixed is not None
    if reader.fixed:
        fixed = reader.fixed[0]
        readable = fixed is not None
    default = reader.defaults[0] if len(reader.defaults) == 1 else None
    return PeeweeFieldInit(
        parameters=tuple(positional),
        model_parameter=parameter,
        model_fixed=fixed,
        model_default=default,
        forwards_keywords=forwards,
        readable=readable and len(reader.defaults) <= 1,
        names_column=names_column,
    )


def class_field_init(node: cst.ClassDef, module: cst.Module) -> PeeweeFieldInit | None:
    """The `PeeweeFieldInit` of a class with bases that defines `__init__`, `bind` or
    `add_to_class` in its body; None for any other class."""
    if not node.bases:
        return None
    init: cst.FunctionDef | None = None
    naming = False
    for stmt in node.body.body:
        if isinstance(stmt, cst.FunctionDef):
            if stmt.name.value == "__init__":
                init = stmt
            elif stmt.name.value in _NAMING_METHODS:
                naming = True
    if init is None and not naming:
        return None
    return field_init(init, naming, module)
