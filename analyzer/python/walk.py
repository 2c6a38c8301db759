"""Visit a LibCST tree without rebuilding it: the events of `module.visit(visitor)`, cheaper.

Why: `CSTNode.visit` is written for transformers. Even for a read-only `cst.CSTVisitor` every
node's `_visit_and_replace_children` constructs a new copy of the node (dataclass `__init__`
plus `_validate`), wraps each field in `visit_required`/`visit_sequence` calls and looks up
`visit_<Node>_<field>` by name for every field of every node. A reader only needs the events.

`walk(node, visitor)` delivers, for a `cst.CSTVisitor`, exactly the events of
`node.visit(visitor)`, in the same order, with the same nodes (the original ones, as the stock
traversal passes them):

- `on_visit(node)`; the children are visited when it returns a true value (the stock
  `on_visit` turns `visit_<Node>` returning `False` into "skip the children");
- for each child field, in LibCST's own order: `on_visit_attribute(node, field)`, the children,
  `on_leave_attribute(node, field)`, also for a field that holds `None` or `MaybeSentinel`,
  except where LibCST itself skips the hooks (an f-string expression without a format spec);
- `on_leave(node)`, also when the children were skipped.

The order of fields comes from LibCST: each node class's `_visit_and_replace_children` is read
once (its source, with `ast`) to list the `visit_*(self, "field", ...)` calls it makes. A class
whose method does anything this reading does not understand is visited by LibCST itself
(`node.visit(visitor)`, exact by definition, only slower), so a new LibCST node kind can cost
speed, never correctness. `tests/test_python_walk.py` compares the event sequences with the
stock traversal on every file of a corpus.

Where it is cheaper than the stock dispatch (same events, fewer calls): when the visitor class
does not override `on_visit` / `on_leave` / `on_visit_attribute` / `on_leave_attribute`, the
`visit_<Node>` (etc.) handler is looked up once per node type per walk instead of once per
node, LibCST's own no-op stubs (marked `_is_no_op`) are not called at all, and a subtree that
can hold no node the visitor has a handler for (per LibCST's field annotations: whitespace,
commas, operators...) is not entered. A handler set on the instance (not the class) turns
that skipping off; a handler assigned *during* a walk is not seen.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
import typing
from collections.abc import Callable, Iterator
from typing import Any

from libcst import CSTNode, CSTVisitor, MaybeSentinel

# How a field is visited: hooks fire for None too ("always"), or only when it is not None
# ("if_present": `visit_sequence(...) if x is not None else None`).
_ALWAYS, _IF_PRESENT = 0, 1
_VISIT_FUNCTIONS = frozenset({
    "visit_required", "visit_optional", "visit_sentinel", "visit_sequence", "visit_iterable",
    "visit_body_sequence", "visit_body_iterable",
})

# None: LibCST must visit this class itself (a method this module does not understand).
Plan = tuple[tuple[str, int], ...] | None
_PLANS: dict[type, Plan] = {}
_SKIP: tuple[Any, Any, Plan, Any] = (None, None, (), None)  # a subtree nobody listens to


def _field_of(call: ast.Call, cls: type, locals_: dict[str, str]) -> str | None:
    """The field a `visit_*(self, "field", value, visitor)` call visits, if it is plain."""
    if len(call.args) != 4 or call.keywords:
        return None
    owner, name, value, _visitor = call.args
    if not (isinstance(owner, ast.Name) and owner.id == "self"):
        return None
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str)):
        return None
    field = name.value
    if field not in getattr(cls, "__dataclass_fields__", {}):
        return None
    # The value must be that very field: `self.field`, or a local `x = self.field`.
    if isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name):
        read = value.attr if value.value.id == "self" else None
    elif isinstance(value, ast.Name):
        read = locals_.get(value.id)
    else:
        read = None
    return field if read == field else None


def _is_not_none(test: ast.expr, field: str, locals_: dict[str, str]) -> bool:
    """`field is not None` (through `self.field` or a local copy of it)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.IsNot)
            and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value is None):
        return False
    left = test.left
    if isinstance(left, ast.Attribute) and isinstance(left.value, ast.Name):
        return left.value.id == "self" and left.attr == field
    return isinstance(left, ast.Name) and locals_.get(left.id) == field


def _is_type_switch(test: ast.expr) -> bool:
    """`isinstance(x, SomeNode)`: both branches visit the same field, as a node or a sequence,
    which the walk handles by looking at the value itself."""
    return (isinstance(test, ast.Call) and isinstance(test.func, ast.Name)
            and test.func.id == "isinstance")


def _read_plan(cls: type) -> Plan:
    """The fields `cls._visit_and_replace_children` visits, in order, or None if unclear."""
    method = getattr(cls, "_visit_and_replace_children", None)
    try:
        source = textwrap.dedent(inspect.getsource(method))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError):
        return None
    function = tree.body[0]
    if not isinstance(function, ast.FunctionDef):
        return None
    body = list(function.body)
    # `ret = Node(...); return ret` is the same as `return Node(...)`.
    if (len(body) >= 2 and isinstance(body[-1], ast.Return)
            and isinstance(body[-1].value, ast.Name) and isinstance(body[-2], ast.Assign)
            and len(body[-2].targets) == 1 and isinstance(body[-2].targets[0], ast.Name)
            and body[-2].targets[0].id == body[-1].value.id):
        body[-2:] = [ast.Return(value=body[-2].value)]
    locals_: dict[str, str] = {}
    for statement in body[:-1]:
        # Only `name = self.field` may come before the `return Node(...)`; docstrings too.
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and isinstance(statement.value, ast.Attribute)
                and isinstance(statement.value.value, ast.Name)
                and statement.value.value.id == "self"):
            locals_[statement.targets[0].id] = statement.value.attr
        elif not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
            return None
    if not isinstance(body[-1], ast.Return):
        return None
    plan: list[tuple[str, int]] = []
    ok = _collect(body[-1].value, cls, locals_, plan, None)
    return tuple(plan) if ok else None


def _collect(node: ast.AST | None, cls: type, locals_: dict[str, str],
             plan: list[tuple[str, int]], condition: tuple[str, str] | None) -> bool:
    """Walk the returned expression in source order, appending visited fields to `plan`."""
    if node is None:
        return True
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
            and node.func.id in _VISIT_FUNCTIONS:
        field = _field_of(node, cls, locals_)
        if field is None:
            return False
        mode = _ALWAYS
        if condition is not None:
            kind, conditional_field = condition
            if conditional_field != field:
                return False
            mode = _IF_PRESENT if kind == "not-none" else _ALWAYS
        if plan and plan[-1][0] == field:
            return condition is not None and condition[0] == "type"  # the other branch
        if any(existing == field for existing, _ in plan):
            return False
        plan.append((field, mode))
        return True
    if isinstance(node, ast.IfExp):
        if condition is not None:
            return False
        # Which field both branches are about: find the visit call in the body.
        calls = [n for n in ast.walk(node.body) if isinstance(n, ast.Call)
                 and isinstance(n.func, ast.Name) and n.func.id in _VISIT_FUNCTIONS]
        if len(calls) != 1:
            return False
        field = _field_of(calls[0], cls, locals_)
        if field is None:
            return False
        if _is_not_none(node.test, field, locals_):
            orelse = node.orelse
            if not (isinstance(orelse, ast.Constant) and orelse.value is None):
                return False
            return _collect(node.body, cls, locals_, plan, ("not-none", field))
        if _is_type_switch(node.test):
            return (_collect(node.body, cls, locals_, plan, ("type", field))
                    and _collect(node.orelse, cls, locals_, plan, ("type", field)))
        return False
    if isinstance(node, ast.Lambda | ast.comprehension | ast.GeneratorExp | ast.ListComp):
        return not any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                       and n.func.id in _VISIT_FUNCTIONS for n in ast.walk(node))
    # Anything else (the constructor call, keywords, attribute reads): children in order.
    return all(_collect(child, cls, locals_, plan, condition)
               for child in ast.iter_child_nodes(node))


def plan_for(cls: type) -> Plan:
    """The visit plan of a node class, read once per process."""
    try:
        return _PLANS[cls]
    except KeyError:
        plan = _PLANS[cls] = _read_plan(cls)
        return plan


def _node_classes(annotation: object, out: set[type]) -> None:
    origin = typing.get_origin(annotation)
    if origin is not None:
        for argument in typing.get_args(annotation):
            _node_classes(argument, out)
    elif isinstance(annotation, type) and issubclass(annotation, CSTNode):
        out.add(annotation)


def _concrete(cls: type) -> set[type]:
    """`cls` and every subclass of it that LibCST defines (what a field typed `cls` holds)."""
    found, stack = set(), [cls]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(current.__subclasses__())
    return found


@functools.cache
def field_classes(cls: type) -> dict[str, frozenset[type]] | None:
    """Per visited field of `cls`, the node classes it can hold (from LibCST's annotations);
    None when unknown."""
    plan = plan_for(cls)
    if plan is None:
        return None
    try:
        hints = typing.get_type_hints(cls)
    except Exception:  # an annotation that does not resolve: assume anything
        return None
    fields: dict[str, frozenset[type]] = {}
    for field, _mode in plan:
        annotated: set[type] = set()
        _node_classes(hints.get(field), annotated)
        if not annotated:
            return None
        held: set[type] = set()
        for declared in annotated:
            held |= _concrete(declared)
        fields[field] = frozenset(held)
    return fields


def children_classes(cls: type) -> frozenset[type] | None:
    """Node classes a child of `cls` can be; None: unknown."""
    fields = field_classes(cls)
    return None if fields is None else frozenset().union(*fields.values())


@functools.cache
def reachable_classes(cls: type) -> frozenset[type] | None:
    """Every node class that can occur in a subtree rooted at a `cls` node (itself included);
    None when some class on the way cannot be read (then nothing below it is ever skipped)."""
    seen: set[type] = set()
    stack = [cls]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        below = children_classes(current)
        if below is None:
            return None
        stack.extend(below - seen)
    return frozenset(seen)


@functools.cache
def _handled_classes(visitor_class: type) -> frozenset[str]:
    """Names of node classes the visitor class has a real (not no-op) handler for."""
    names = set()
    for attribute in dir(visitor_class):
        if attribute.startswith(("visit_", "leave_")):
            method = getattr(visitor_class, attribute, None)
            if callable(method) and not getattr(method, "_is_no_op", False):
                names.add(attribute.split("_", 2)[1])
    return frozenset(names)


def _overrides(visitor: CSTVisitor, name: str) -> bool:
    return getattr(type(visitor), name) is not getattr(CSTVisitor, name)


def _handler(visitor: object, name: str) -> Callable[..., Any] | None:
    """The visitor's method `name`, or None when there is none or it is LibCST's no-op stub."""
    method = getattr(visitor, name, None)
    if method is None or getattr(method, "_is_no_op", False):
        return None
    return method


def walk(node: CSTNode, visitor: CSTVisitor) -> None:
    """Deliver the events of `node.visit(visitor)` without rebuilding any node."""
    if not isinstance(visitor, CSTVisitor):
        raise TypeError("walk() takes a cst.CSTVisitor (a transformer must use node.visit)")
    custom_visit = _overrides(visitor, "on_visit")
    custom_leave = _overrides(visitor, "on_leave")
    custom_attributes = (_overrides(visitor, "on_visit_attribute")
                         or _overrides(visitor, "on_leave_attribute"))
    # Subtrees with no handler for any class they can hold are not entered at all (their events
    # would only reach LibCST's no-op stubs); never when an on_* method is overridden.
    every_node_seen = (custom_visit or custom_leave or custom_attributes
                       or any(name.startswith(("visit_", "leave_"))
                              for name in getattr(visitor, "__dict__", ())))
    handled = None if every_node_seen else _handled_classes(type(visitor))
    # node type -> (visit handler, leave handler, plan, attribute hooks or None), or _SKIP
    types: dict[type, tuple[Any, Any, Plan, Any]] = {}

    def entry_for(cls: type) -> tuple[Any, Any, Plan, Any]:
        name = cls.__name__
        plan = plan_for(cls)
        if handled is not None:
            if _silent(handled, cls):
                types[cls] = _SKIP
                return _SKIP
            plan = _live_plan(handled, cls, type(visitor))
        visit = visitor.on_visit if custom_visit else _handler(visitor, f"visit_{name}")
        leave = visitor.on_leave if custom_leave else _handler(visitor, f"leave_{name}")
        hooks: Any = None
        if plan:
            if custom_attributes:
                hooks = tuple((visitor.on_visit_attribute, visitor.on_leave_attribute)
                              for _ in plan)
            else:
                pairs = tuple((_handler(visitor, f"visit_{name}_{field}"),
                               _handler(visitor, f"leave_{name}_{field}"))
                              for field, _ in plan)
                if any(a or b for a, b in pairs):
                    hooks = tuple((_drop_attribute(a), _drop_attribute(b)) for a, b in pairs)
        entry = types[cls] = (visit, leave, plan, hooks)
        return entry

    def run(node: CSTNode) -> None:
        entry = types.get(type(node)) or entry_for(type(node))
        if entry is _SKIP:
            return
        visit, leave, plan, hooks = entry
        if plan is None:  # a class this module cannot read: LibCST visits it
            node.visit(visitor)
            return
        if visit is None:
            descend = True
        elif custom_visit:
            descend = bool(visit(node))
        else:
            descend = visit(node) is not False
        if descend and plan:
            if hooks is None:
                for field, _mode in plan:
                    value = getattr(node, field)
                    kind = type(value)
                    if kind is tuple or kind is list:
                        for child in value:
                            run(child)
                    elif value is not None and kind is not MaybeSentinel:
                        run(value)
            else:
                for (field, mode), (before, after) in zip(plan, hooks, strict=True):
                    value = getattr(node, field)
                    if value is None and mode == _IF_PRESENT:
                        continue
                    if before is not None:
                        before(node, field)
                    kind = type(value)
                    if kind is tuple or kind is list:
                        for child in value:
                            run(child)
                    elif value is not None and kind is not MaybeSentinel:
                        run(value)
                    if after is not None:
                        after(node, field)
        if leave is not None:
            leave(node)

    run(node)


@functools.cache
def _silent(handled: frozenset[str], cls: type) -> bool:
    """No handler for `cls` nor for anything that can be below it."""
    reachable = reachable_classes(cls)
    return reachable is not None and handled.isdisjoint(c.__name__ for c in reachable)


@functools.cache
def _live_plan(handled: frozenset[str], cls: type, visitor_class: type) -> Plan:
    """`cls`'s plan without the fields that can only hold silent subtrees (unless the visitor
    listens to that field itself)."""
    plan = plan_for(cls)
    fields = field_classes(cls)
    if not plan or fields is None:
        return plan
    name = cls.__name__
    return tuple(
        (field, mode) for field, mode in plan
        if not all(_silent(handled, held) for held in fields[field])
        or _handler(visitor_class, f"visit_{name}_{field}") is not None
        or _handler(visitor_class, f"leave_{name}_{field}") is not None
    )


def _drop_attribute(handler: Callable[..., Any] | None) -> Callable[..., Any] | None:
    """`visit_<Node>_<field>(node)` called as an attribute hook `(node, field)`."""
    if handler is None:
        return None
    return lambda node, _field: handler(node)


def iter_nodes(node: CSTNode) -> Iterator[CSTNode]:
    """Every node under `node` (itself included), in the order `walk` visits them."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        plan = plan_for(type(current))
        children: list[CSTNode] = []
        if plan is None:
            children = list(current.children)
        else:
            for field, _mode in plan:
                value = getattr(current, field)
                kind = type(value)
                if kind is tuple or kind is list:
                    children.extend(value)
                elif value is not None and kind is not MaybeSentinel:
                    children.append(value)
        stack.extend(reversed(children))
