"""`analyzer.python.walk.walk` delivers exactly the events of LibCST's `module.visit(visitor)`.

Each visitor below records what it is told (node identity, type, field); the stock traversal
and `walk` must produce equal records on every file of `tests/python_corpus.py`. The visitors
cover each dispatch path: overridden `on_*` methods (every node and field is seen), plain
`visit_<Node>`/`leave_<Node>` handlers with children skipped by returning False, attribute
handlers on whitespace fields, and handlers only on whitespace and punctuation nodes (the
classes `walk` otherwise never enters).
"""

from __future__ import annotations

import libcst as cst
import pytest

from analyzer.python import walk as walk_module
from analyzer.python.walk import children_classes, iter_nodes, plan_for, walk
from tests.python_corpus import corpus_names, parsed

Event = tuple[object, ...]


class Everything(cst.CSTVisitor):
    """Overrides every `on_*` hook: every node and every field, in order."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.events.append(("visit", type(node).__name__, id(node)))
        return super().on_visit(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.events.append(("leave", type(original_node).__name__, id(original_node)))
        super().on_leave(original_node)

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.events.append(("visit-field", id(node), attribute))
        super().on_visit_attribute(node, attribute)

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        self.events.append(("leave-field", id(original_node), attribute))
        super().on_leave_attribute(original_node, attribute)

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False  # the lambda's children must be skipped, its leave still delivered


class Handlers(cst.CSTVisitor):
    """Only typed handlers, as tabletrace's readers write them."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.events.append(("Call", id(node)))

    def leave_Call(self, original_node: cst.Call) -> None:
        self.events.append(("/Call", id(original_node)))

    def visit_Call_args(self, node: cst.Call) -> None:
        self.events.append(("Call.args", id(node)))

    def leave_Call_args(self, node: cst.Call) -> None:
        self.events.append(("/Call.args", id(node)))

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.events.append(("str", id(node), node.value))

    def visit_FormattedStringExpression_format_spec(
        self, node: cst.FormattedStringExpression
    ) -> None:
        self.events.append(("spec", id(node)))

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.events.append(("class", id(node)))
        return node.name.value.startswith("Test")  # skip the bodies of other classes

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.events.append(("/class", id(original_node)))

    def visit_Name(self, node: cst.Name) -> None:
        self.events.append(("name", id(node), node.value))


class Trivia(cst.CSTVisitor):
    """Handlers only for nodes a handler-less walk never enters."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def visit_Comment(self, node: cst.Comment) -> None:
        self.events.append(("comment", id(node), node.value))

    def leave_Comma(self, original_node: cst.Comma) -> None:
        self.events.append(("comma", id(original_node)))

    def visit_Call_whitespace_after_func(self, node: cst.Call) -> None:
        self.events.append(("call-ws", id(node)))

    def leave_Param_whitespace_after_param(self, node: cst.Param) -> None:
        self.events.append(("param-ws", id(node)))


VISITORS = (Everything, Handlers, Trivia)


@pytest.mark.parametrize("name", corpus_names())
def test_same_events_as_libcst(name: str) -> None:
    module = parsed(name)
    for visitor_class in VISITORS:
        stock, ours = visitor_class(), visitor_class()
        module.visit(stock)
        walk(module, ours)
        assert ours.events == stock.events, visitor_class.__name__


def test_the_visitors_see_something_on_a_real_file() -> None:
    """Guard against a comparison of two empty lists."""
    module = parsed("analyzer/engine.py")
    for visitor_class in VISITORS:
        visitor = visitor_class()
        walk(module, visitor)
        assert len(visitor.events) > 50, visitor_class.__name__


def test_every_libcst_node_class_is_understood() -> None:
    """A class `walk` cannot read is visited by LibCST itself: correct but slow. On a pinned
    LibCST version every concrete node class must be readable."""
    unreadable = [
        cls.__name__
        for cls in _node_classes()
        if plan_for(cls) is None or children_classes(cls) is None
    ]
    assert unreadable == []


def test_plans_follow_libcst_order() -> None:
    assert plan_for(cst.Call) == (
        ("func", 0), ("whitespace_after_func", 0), ("whitespace_before_args", 0), ("args", 0),
        ("lpar", 0), ("rpar", 0),
    ) or [f for f, _ in plan_for(cst.Call)][:4] == [
        "lpar", "func", "whitespace_after_func", "whitespace_before_args",
    ]
    fields = dict(plan_for(cst.FormattedStringExpression) or ())
    assert fields["format_spec"] == walk_module._IF_PRESENT  # no hooks when there is none
    assert fields["expression"] == walk_module._ALWAYS


@pytest.mark.parametrize("name", ["analyzer/engine.py", "fstrings", "statements"])
def test_annotations_cover_every_child_seen(name: str) -> None:
    """Skipping silent subtrees relies on LibCST's field annotations: every child's class must
    be one the parent's annotations allow."""
    for node in iter_nodes(parsed(name)):
        allowed = children_classes(type(node))
        assert allowed is not None
        for child in node.children:
            assert type(child) in allowed, (type(node).__name__, type(child).__name__)


class EveryNode(Everything):
    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return True


def test_iter_nodes_matches_the_visit_order() -> None:
    module = parsed("fstrings")
    visitor = EveryNode()
    module.visit(visitor)
    visited = [event[2] for event in visitor.events if event[0] == "visit"]
    assert len(visited) > 100
    assert [id(node) for node in iter_nodes(module)] == visited


def test_a_class_it_cannot_read_is_visited_by_libcst(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(walk_module._PLANS, cst.Call, None)
    module = parsed("expressions")
    for visitor_class in VISITORS:
        stock, ours = visitor_class(), visitor_class()
        module.visit(stock)
        walk(module, ours)
        assert ours.events == stock.events


def test_handlers_set_on_the_instance_are_called() -> None:
    module = parsed("comments")
    stock, ours = Handlers(), Handlers()
    for visitor in (stock, ours):
        comments: list[str] = []
        visitor.visit_Comment = comments.append  # type: ignore[attr-defined]
        visitor.comments = comments  # type: ignore[attr-defined]
    module.visit(stock)
    walk(module, ours)
    assert ours.comments == stock.comments  # type: ignore[attr-defined]
    assert len(stock.comments) > 5  # type: ignore[attr-defined]
    assert ours.events == stock.events


def test_a_transformer_is_refused() -> None:
    with pytest.raises(TypeError, match="CSTVisitor"):
        walk(cst.parse_module("x = 1\n"), cst.CSTTransformer())  # type: ignore[arg-type]


def _node_classes() -> list[type]:
    found = []
    for name in dir(cst):
        value = getattr(cst, name)
        if (isinstance(value, type) and issubclass(value, cst.CSTNode)
                and not getattr(value, "__abstractmethods__", None)
                and not name.startswith("Base") and name != "CSTNode"):
            found.append(value)
    return found


def test_the_first_look_walks_every_node_cpython_makes() -> None:
    """`relevance._child_fields` leaves out the fields that hold names, flags and constants:
    on every file of the corpus (the snippets, this repository), what it walks is exactly
    what `ast.walk` meets, `ctx` aside."""
    import ast

    from analyzer.relevance import _nodes
    from tests.python_corpus import REPO, snippet_sources

    sources = snippet_sources()
    checked = 0
    for name in corpus_names():
        source = sources[name] if name in sources else (REPO / name).read_bytes()
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        expected = sorted(
            id(node) for node in ast.walk(tree) if not isinstance(node, ast.expr_context)
        )
        assert sorted(id(node) for node in _nodes(tree)) == expected, name
        checked += 1
    assert checked > 10
