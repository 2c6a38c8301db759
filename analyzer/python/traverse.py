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


def child_nodes(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The node's children in source order (syntax tokens excluded)."""
    for name in child_fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif type(value) is tuple or type(value) is list:
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item
