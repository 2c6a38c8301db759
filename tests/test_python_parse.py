"""`analyzer.python.parse.parse_tree` parses without LibCST's per-node validation, and loses
nothing by it.

Validation (`CSTNode.__post_init__` -> `_validate`) guards trees built by hand; the parser's
trees pass it by construction. These tests check that claim on every file of
`tests/python_corpus.py` (CI runs this file on each pinned LibCST version): every node of the
unvalidated tree passes its own `_validate`, the tree equals LibCST's validated parse and prints
the same bytes; validation is really skipped while parsing, and is back on afterwards, also
after a syntax error.
"""

from __future__ import annotations

import libcst as cst
import pytest
from libcst._nodes.base import CSTNode

from analyzer.facts import FileProblem
from analyzer.python import parse as parse_module
from analyzer.python.parse import parse_tree
from analyzer.python.walk import iter_nodes
from tests.python_corpus import REPO, corpus_names, snippet_sources


def _source(name: str) -> bytes:
    sources = snippet_sources()
    return sources[name] if name in sources else (REPO / name).read_bytes()


@pytest.mark.parametrize("name", corpus_names())
def test_unvalidated_tree_is_the_validated_tree(name: str) -> None:
    source = _source(name)
    tree = parse_tree(source, "python")
    assert isinstance(tree, cst.Module)
    validated = cst.parse_module(source)
    assert tree.deep_equals(validated)
    assert tree.bytes == validated.bytes
    nodes = 0
    for node in iter_nodes(tree):
        node._validate()  # raises CSTValidationError for a node validation would refuse
        nodes += 1
    assert nodes > 0


def test_validation_is_skipped_while_parsing_and_restored(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    validating = parse_module._VALIDATING_POST_INIT
    assert validating is not None

    def counting(self: CSTNode) -> None:
        calls.append(type(self).__name__)
        validating(self)

    monkeypatch.setattr(parse_module, "_VALIDATING_POST_INIT", counting)
    monkeypatch.setattr(CSTNode, "__post_init__", counting)
    tree = parse_tree(b"x = f('select 1')\n", "python")
    assert isinstance(tree, cst.Module)
    assert calls == []  # the parser built every node without validating it
    cst.Name("y")
    assert calls == ["Name"]  # and a node built by hand after the parse is validated
    assert CSTNode.__post_init__ is counting


def test_validation_is_back_after_a_syntax_error() -> None:
    problem = parse_tree(b"def f(:\n    pass\n", "python")
    assert isinstance(problem, FileProblem)
    assert problem.code == "python-syntax-error"
    assert CSTNode.__post_init__ is parse_module._VALIDATING_POST_INIT
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not an identifier")
