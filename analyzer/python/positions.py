"""Source positions of every node of a LibCST module, equal to LibCST's `PositionProvider`.

Why not the stock provider: it is a full code-generation pass that, for every node, builds three
frozen dataclasses (`CodePosition` x2, `CodeRange`), hashes the node through a Python-level
`__hash__`, enters a generator-based context manager for each syntactic position and splits
every token with a regular expression. On real code that is about 40% of a cold scan.

What this does instead: the very same code-generation pass (each node's own `_codegen_impl`,
so whitespace ownership, parentheses, semicolons, `\\r\\n`, BOMs, f-string parts... follow
LibCST exactly), driven by a cheaper state object that stores one
`(start_line, start_column, end_line, end_column)` tuple per node, keyed by `id(node)`. The
table is built the first time a position is asked for (many files never need one) and a
`CodeRange` is made only for the nodes a caller asks `range()` for. For the pass, two per-node
hooks are swapped for equivalents without their call overhead (`_recording_hooks`):
`CSTNode._codegen` records the span itself instead of calling `before_codegen` and
`after_codegen`, and `_parenthesize` is a plain context manager instead of a generator
(13% of the pass on synapse's storage modules).

Semantics copied from `libcst.metadata.position_provider.PositionProvidingCodegenState`:

- lines are 1-based, columns 0-based and counted in characters (a tab is one column);
- a token's `\\r\\n`, `\\r` or `\\n` starts a new line;
- a node that records a *syntactic* position (`state.record_syntactic_position`, with the
  start or end optionally hoisted from a child node) keeps it; every other node gets the span
  of everything its `_codegen` emitted, owned whitespace included;
- a file without a trailing newline drops the last token but keeps the positions already
  computed (as LibCST does).

`id(node)` keys are safe because a `Positions` object holds its module, so every node of the
tree stays alive (and keeps its id) for as long as the table does; a node from another tree is
never in the table (`KeyError`). This relies on LibCST's `CodegenState` protocol
(`add_token`, `add_indent_tokens`, `increase_indent`, `decrease_indent`,
`pop_trailing_newline`, `record_syntactic_position`, `tokens`, `default_indent`,
`default_newline`) and on `CSTNode._codegen` and
`_BaseParenthesizedNode._parenthesize` being the only definitions of those hooks: the LibCST
versions it is tested on are pinned in `pyproject.toml`, and `tests/test_python_positions.py`
checks both and compares the table with the stock provider on every node of a corpus.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from libcst import CSTNode, Module
from libcst._nodes.expression import _BaseParenthesizedNode
from libcst._nodes.internal import CodegenState
from libcst._position import CodePosition, CodeRange

# One span: (start_line, start_column, end_line, end_column).
Span = tuple[int, int, int, int]

_NEWLINE = re.compile(r"\r\n?|\n")


class _PositionState(CodegenState):
    """A `CodegenState` that tracks line and column and records spans by node id. The span
    of every node is recorded by `_recording_codegen`, which the pass puts in place of
    `CSTNode._codegen` (so this state has no `before_codegen`/`after_codegen` of its own).

    Its own instance is also the context manager `record_syntactic_position` returns: the
    pending syntactic records live on a stack, so no object is created per use.
    """

    __slots__ = ("_pending", "column", "line", "spans")

    def __init__(self, module: Module) -> None:
        super().__init__(default_indent=module.default_indent,
                         default_newline=module.default_newline)
        self.line = 1
        self.column = 0
        self.spans: dict[int, Span] = {}
        self._pending: list[tuple[int, CSTNode | None, CSTNode | None, int, int]] = []

    def _advance(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        if "\n" in value or "\r" in value:
            segments = _NEWLINE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: CSTNode,
        *,
        start_node: CSTNode | None = None,
        end_node: CSTNode | None = None,
    ) -> _PositionState:
        self._pending.append((id(node), start_node, end_node, self.line, self.column))
        return self

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        key, start_node, end_node, line, column = self._pending.pop()
        spans = self.spans
        if start_node is not None:
            line, column = spans[id(start_node)][:2]
        if end_node is not None:
            end_line, end_column = spans[id(end_node)][2:]
        else:
            end_line, end_column = self.line, self.column
        spans[key] = (line, column, end_line, end_column)


def _recording_codegen(self: CSTNode, state: _PositionState, **kwargs: object) -> None:
    """`CSTNode._codegen` recording the node's span itself, where the stock one calls the
    state's `before_codegen` and `after_codegen`: two method calls and a stack push less per
    node."""
    line = state.line
    column = state.column
    self._codegen_impl(state, **kwargs)  # type: ignore[arg-type]
    # setdefault: a syntactic position recorded inside the node's codegen wins.
    state.spans.setdefault(id(self), (line, column, state.line, state.column))


class _Parenthesized:
    """`_BaseParenthesizedNode._parenthesize` as a plain context manager: the stock one is a
    generator-based `contextmanager` around `record_syntactic_position`, whose set-up is about
    a fifth of the pass on real code. Same tokens, same order, same recorded position."""

    __slots__ = ("node", "state")

    def __init__(self, node: _BaseParenthesizedNode, state: _PositionState) -> None:
        self.node = node
        self.state = state

    def __enter__(self) -> None:
        node, state = self.node, self.state
        for lpar in node.lpar:
            lpar._codegen(state)
        state.record_syntactic_position(node)

    def __exit__(self, kind: object, *exc: object) -> None:
        state = self.state
        state.__exit__()
        if kind is None:  # (after an exception, the stock generator stops at its `yield`)
            for rpar in self.node.rpar:
                rpar._codegen(state)


def _parenthesized(self: _BaseParenthesizedNode, state: _PositionState) -> _Parenthesized:
    return _Parenthesized(self, state)


@contextlib.contextmanager
def _recording_hooks() -> Iterator[None]:
    """LibCST's per-node code generation hooks replaced by `_recording_codegen` and
    `_parenthesized` for one pass (workers are processes: one thread generates at a time)."""
    stock_codegen = CSTNode.__dict__["_codegen"]
    stock_parenthesize = _BaseParenthesizedNode.__dict__["_parenthesize"]
    CSTNode._codegen = _recording_codegen  # type: ignore[method-assign]
    _BaseParenthesizedNode._parenthesize = _parenthesized  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        CSTNode._codegen = stock_codegen  # type: ignore[method-assign]
        _BaseParenthesizedNode._parenthesize = stock_parenthesize  # type: ignore[method-assign]


class Positions:
    """Where each node of `module` is in its source, as `PositionProvider` would say.

    Build it from the module LibCST parsed (`Positions(module)` costs nothing until the first
    question). Nodes must belong to that module's tree (`KeyError` otherwise).
    """

    __slots__ = ("_module", "_spans")

    def __init__(self, module: Module) -> None:
        self._module: Module | None = module
        self._spans: dict[int, Span] | None = None

    def _table(self) -> dict[int, Span]:
        spans = self._spans
        if spans is None:
            if self._module is None:
                raise RuntimeError("Positions.release() was called: the tree is gone")
            state = _PositionState(self._module)
            with _recording_hooks():
                self._module._codegen(state)
            spans = self._spans = state.spans
        return spans

    @property
    def built(self) -> bool:
        """Whether the table exists (for tests and measurements of laziness)."""
        return self._spans is not None

    def span(self, node: CSTNode) -> Span:
        """`(start_line, start_column, end_line, end_column)`: the cheapest full answer."""
        return self._table()[id(node)]

    def start_line(self, node: CSTNode) -> int:
        return self._table()[id(node)][0]

    def end_line(self, node: CSTNode) -> int:
        return self._table()[id(node)][2]

    def start(self, node: CSTNode) -> tuple[int, int]:
        """`(line, column)` where the node starts."""
        span = self._table()[id(node)]
        return span[0], span[1]

    def end(self, node: CSTNode) -> tuple[int, int]:
        """`(line, column)` just after the node ends."""
        span = self._table()[id(node)]
        return span[2], span[3]

    def range(self, node: CSTNode) -> CodeRange:
        """The stock `CodeRange` (made on demand: only for the nodes a caller asks about)."""
        line, column, end_line, end_column = self._table()[id(node)]
        return CodeRange(CodePosition(line, column), CodePosition(end_line, end_column))

    # Mapping-style access, so `positions[node].start.line` code keeps working unchanged.
    def __getitem__(self, node: CSTNode) -> CodeRange:
        return self.range(node)

    def __contains__(self, node: object) -> bool:
        return isinstance(node, CSTNode) and id(node) in self._table()

    def get(self, node: CSTNode, default: CodeRange | None = None) -> CodeRange | None:
        return self.range(node) if node in self else default

    def __len__(self) -> int:
        return len(self._table())

    def release(self) -> None:
        """Drop the table and the tree reference now (the GC discipline: nothing of a file's
        tree may outlive that file's extraction)."""
        self._spans = None
        self._module = None
