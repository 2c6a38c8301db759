"""Children of a LibCST node without rebuilding it.

`CSTNode.visit` reconstructs every node it walks (to support transformers); readers only
read, so they iterate over the fields that hold child nodes instead (whitespace, brackets,
commas and other syntax tokens are skipped: they never hold expressions or statements).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

import libcst as cst

_SYNTAX_FIELDS = (
    "whitespace",
    "lpar",
    "rpar",
    "comma",
    "semicolon",
    "leading_lines",
    "lines_after_decorators",
    "header",
    "footer",
    "equal",
    "colon",
    "first_colon",
    "second_colon",
    "operator",
    "asynchronous",
    "lbracket",
    "rbracket",
    "lbrace",
    "rbrace",
    "arrow",
    "dot",
    "newline",
    "indent",
    "trailing_whitespace",
    "leading_whitespace",
    "star",
    "default_",
    "encoding",
    "has_trailing_newline",
    "conversion",
    "start",
    "end",
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(node_type: type) -> tuple[str, ...]:
    """Names of the fields of `node_type` that can hold child nodes, in source order."""
    names = _FIELDS.get(node_type)
    if names is None:
        names = _FIELDS[node_type] = tuple(
            f.name for f in fields(node_type) if not f.name.startswith(_SYNTAX_FIELDS)
        )
    return names


# type -> whether it is a LibCST node: `isinstance(x, cst.CSTNode)` goes through
# `ABCMeta.__instancecheck__` (a Python-level call), once per field of every node walked
_IS_NODE: dict[type, bool] = {}


def child_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node's children in source order (syntax tokens excluded)."""
    is_node = _IS_NODE
    for name in child_fields(type(node)):
        value = getattr(node, name)
        kind = type(value)
        if kind is tuple or kind is list:
            for item in value:
                known = is_node.get(type(item))
                if known is None:
                    known = is_node[type(item)] = isinstance(item, cst.CSTNode)
                if known:
                    yield item
            continue
        known = is_node.get(kind)
        if known is None:
            known = is_node[kind] = isinstance(value, cst.CSTNode)
        if known:
            yield value
