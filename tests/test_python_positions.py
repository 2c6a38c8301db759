"""`analyzer.python.positions.Positions` equals LibCST's own `PositionProvider` on every node.

The corpus (`tests/python_corpus.py`) is every `.py` file of `analyzer/`, `tests/` and
`sample_repo/` (all of it: the stock provider takes a few seconds on it) and generated sources
for the corners of whitespace ownership and newlines.
"""

from __future__ import annotations

from collections.abc import Mapping

import libcst as cst
import pytest
from libcst.metadata import CodePosition, CodeRange, MetadataWrapper, PositionProvider

from analyzer.python.positions import Positions
from tests.python_corpus import corpus_names, parsed, snippet_sources


def stock_positions(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """The public way: `MetadataWrapper(...).resolve(PositionProvider)`, without a copy of the
    tree (a copy would have other node identities)."""
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)


def stock_positions_quick(module: cst.Module) -> Mapping[cst.CSTNode, CodeRange]:
    """The same provider's own computation, without the empty visitor pass `resolve` adds
    (half the time on large files; `test_quick_and_public_stock_agree` checks it is the same)."""
    return PositionProvider()._gen(MetadataWrapper(module, unsafe_skip_copy=True))


@pytest.mark.parametrize("name", corpus_names())
def test_every_node_has_the_stock_position(name: str) -> None:
    module = parsed(name)
    expected = stock_positions_quick(module)
    positions = Positions(module)
    assert expected, "the stock provider gave nothing: the comparison would be empty"
    mismatches = []
    for node, code_range in expected.items():
        start, end = code_range.start, code_range.end
        if positions.span(node) != (start.line, start.column, end.line, end.column):
            mismatches.append((type(node).__name__, code_range, positions.range(node)))
    assert mismatches == []
    # The same node set: no extra entries either (the stock table also holds every node).
    assert len(positions) == len(expected)


@pytest.mark.parametrize("name", sorted(snippet_sources()))
def test_every_accessor_agrees_with_the_stock_range(name: str) -> None:
    module = parsed(name)
    positions = Positions(module)
    for node, expected_range in stock_positions(module).items():
        start, end = expected_range.start, expected_range.end
        assert positions.start_line(node) == start.line
        assert positions.end_line(node) == end.line
        assert positions.start(node) == (start.line, start.column)
        assert positions.end(node) == (end.line, end.column)
        assert positions[node] == expected_range
        assert node in positions


@pytest.mark.parametrize("name", ["analyzer/engine.py", "fstrings-crlf"])
def test_quick_and_public_stock_agree(name: str) -> None:
    module = parsed(name)
    assert dict(stock_positions_quick(module)) == dict(stock_positions(module))


def test_the_corpus_covers_the_tricky_inputs() -> None:
    names = set(snippet_sources())
    for required in ("empty", "bom", "bom-crlf", "coding-cookie", "fstrings", "fstrings-crlf",
                     "fstrings-cr", "continuations-cr", "tabs", "semicolons", "comments",
                     "parentheses", "decorators", "statement-no-newline"):
        assert required in names
    if hasattr(cst, "TemplatedString"):
        assert "tstrings" in names and "tstrings-crlf" in names


def test_known_positions_of_a_small_module() -> None:
    module = cst.parse_module(b"x = (a  +\r\n  b)  # c\r\n\r\ndef f():\r\n\treturn x\r\n")
    positions = Positions(module)
    assign = module.body[0].body[0]
    binary = assign.value
    function = module.body[1]
    returned = function.body.body[0].body[0]
    # Syntactic positions: the parentheses and the trailing comment are not the expression's.
    assert positions.span(binary) == (1, 5, 2, 3)
    assert positions.span(assign) == (1, 0, 2, 4)
    assert positions.span(binary.left) == (1, 5, 1, 6)
    assert positions.span(function) == (4, 0, 5, 9)
    assert positions.start(returned) == (5, 1)  # a tab is one column
    assert positions.range(returned.value) == CodeRange(CodePosition(5, 8), CodePosition(5, 9))


def test_built_only_when_asked_and_released_on_demand() -> None:
    module = cst.parse_module("x = 1\n")
    positions = Positions(module)
    assert not positions.built
    assert positions.start_line(module.body[0]) == 1
    assert positions.built
    positions.release()
    assert not positions.built
    with pytest.raises(RuntimeError, match="release"):
        positions.start_line(module.body[0])


def test_a_node_of_another_tree_is_not_found() -> None:
    positions = Positions(cst.parse_module("x = 1\n"))
    stranger = cst.parse_module("x = 1\n").body[0]
    with pytest.raises(KeyError):
        positions.span(stranger)
    assert stranger not in positions
    assert positions.get(stranger) is None


def test_the_stock_code_generation_is_back_after_the_pass() -> None:
    """The pass swaps two LibCST hooks for its own (`positions._recording_hooks`); any other
    code generation, after it or after a pass that failed, is LibCST's own."""
    from libcst._nodes.base import CSTNode
    from libcst._nodes.expression import _BaseParenthesizedNode

    stock = (CSTNode.__dict__["_codegen"], _BaseParenthesizedNode.__dict__["_parenthesize"])
    source = "total = (price * (1 + rate))  # net\nprint((total))\n"
    module = cst.parse_module(source)
    assert Positions(module).span(module.body[1]) == (2, 0, 2, 14)
    assert (CSTNode.__dict__["_codegen"], _BaseParenthesizedNode.__dict__["_parenthesize"]) == stock
    assert module.code == source

    # a tree whose generation fails half-way: a parenthesized integer with no text
    broken = cst.parse_module("x = (1)\n")
    integer = broken.body[0].body[0].value  # type: ignore[attr-defined]
    object.__setattr__(integer, "value", None)
    with pytest.raises(TypeError):
        Positions(broken).span(broken)
    assert (CSTNode.__dict__["_codegen"], _BaseParenthesizedNode.__dict__["_parenthesize"]) == stock


def test_no_node_class_defines_its_own_generation_hooks() -> None:
    """What the swap relies on: every node generates through `CSTNode._codegen`, and every
    parenthesized one through `_BaseParenthesizedNode._parenthesize`."""
    from libcst._nodes.base import CSTNode
    from libcst._nodes.expression import _BaseParenthesizedNode

    def subclasses(cls: type) -> set[type]:
        found = set(cls.__subclasses__())
        for sub in list(found):
            found |= subclasses(sub)
        return found

    every = subclasses(CSTNode)
    assert len(every) > 150  # the node classes are all imported with libcst
    assert [c.__name__ for c in every if "_codegen" in c.__dict__] == []
    assert [c for c in every if "_parenthesize" in c.__dict__] == [_BaseParenthesizedNode]
