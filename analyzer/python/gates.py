"""Version checks around blocks of a function: `if version < 3:`.

Why: a common home-made migration runner is one function that reads the schema's version
(`PRAGMA user_version`, a `schema_version` row) and upgrades it step by step:

    if version < 1:
        cur.execute("ALTER TABLE ...")
        set_version(1)
    if version < 2:
        ...

Each block is a migration step, in the order of its version, whatever else the function
does. The reader records every such check with a constant version; whether a function's
checks form an upgrade (several of them on one subject, running DDL) is decided later, with
the SQL resolved (`analyzer.sources.migration_modules`).

The reader also records checks of a parameter against a collection (`if table in ALLOWED:`,
or `if table not in ALLOWED: raise ...` before the rest of the block): SQL built with the
parameter there names one of the collection's items (`Narrowing`).

The other home-made runner probes instead of counting: `try: SELECT email FROM users`,
`except OperationalError: ALTER TABLE users ADD COLUMN email` (Tautulli's startup
`dbcheck()`). The reader records every `try` with handlers in a function (`TryBlock`); which
of them are probes is decided with the SQL resolved too.
"""

from __future__ import annotations

import sys

import libcst as cst

from analyzer.facts import TryBlock, VersionGate
from analyzer.python.parse import ParsedModule
from analyzer.python.scopes import Context, Reader, Scope

# operator on `subject OP N` -> how N becomes the version the block upgrades to
_SUBJECT_FIRST = {cst.LessThan: 0, cst.LessThanEqual: 1}
# `N OP subject`
_CONSTANT_FIRST = {cst.GreaterThan: 0, cst.GreaterThanEqual: 1}
_SUBJECTS = (cst.Name, cst.Attribute, cst.Call, cst.Subscript)


class GateReader(Reader):
    """Collects the `if` statements of functions whose test compares something with an integer
    constant as an upgrade step does (`<`, `<=`, or the mirrored `>`, `>=`)."""

    def __init__(self, parsed: ParsedModule) -> None:
        super().__init__()
        self.parsed = parsed
        self.gates: list[VersionGate] = []
        self.tries: list[TryBlock] = []
        # (function, parameter, collection, its scope, first line, last line): `Narrowing`s,
        # their collections translated once the module's scopes are known
        self.narrowed: list[tuple[str, str, cst.BaseExpression, Scope, int, int]] = []
        self.handlers[cst.If] = GateReader._if  # type: ignore[assignment]
        self.handlers[cst.Try] = GateReader._try  # type: ignore[assignment]

    def _try(self, node: cst.Try, ctx: Context) -> None:
        function = ctx.scope.function
        if function is None or not node.handlers:
            return
        self.tries.append(
            TryBlock(
                function=sys.intern(function),
                line=self.parsed.line(node),
                handlers_line=self.parsed.line(node.handlers[0]),
                end_line=self.parsed.end_line(node.handlers[-1].body),
            )
        )

    def _if(self, node: cst.If, ctx: Context) -> None:
        function = ctx.scope.function
        if function is None:
            return
        self._narrowing(node, ctx, function)
        found = _version_check(node.test)
        if found is None:
            return
        subject, version = found
        self.gates.append(
            VersionGate(
                function=sys.intern(function),
                subject=sys.intern(self.parsed.code(subject)),
                version=version,
                line=self.parsed.line(node),
                end_line=self.parsed.end_line(node.body),
            )
        )

    def _narrowing(self, node: cst.If, ctx: Context, function: str) -> None:
        scope = ctx.scope
        params = set(scope.params)
        for name, collection, negated in _memberships(node.test):
            if name not in params:
                continue
            if not negated:
                self.narrowed.append((
                    function, name, collection, scope, self.parsed.line(node.body),
                    self.parsed.end_line(node.body),
                ))
            elif node.orelse is None and _leaves(node.body):
                # a guard clause: the rest of the block it is in runs only for an item
                end = ctx.block_end or (
                    self.parsed.end_line(scope.node) if scope.node is not None else 0
                )
                if end > self.parsed.end_line(node):
                    self.narrowed.append((
                        function, name, collection, scope, self.parsed.end_line(node) + 1, end,
                    ))


def _memberships(test: cst.BaseExpression) -> list[tuple[str, cst.BaseExpression, bool]]:
    """(name, collection, whether `not in`) of each `name in collection` that must hold for
    `test` to be true (the operands of an `and`), or, for a `not in`, that must fail."""
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
        return [*_memberships(test.left), *_memberships(test.right)]
    if (
        isinstance(test, cst.Comparison) and len(test.comparisons) == 1
        and isinstance(test.left, cst.Name)
        and isinstance(test.comparisons[0].operator, cst.In | cst.NotIn)
    ):
        is_not = isinstance(test.comparisons[0].operator, cst.NotIn)
        return [(test.left.value, test.comparisons[0].comparator, is_not)]
    return []


def _leaves(body: cst.BaseSuite) -> bool:
    """Whether a block always leaves its own: it ends with `raise`, `return`, `continue` or
    `break`."""
    statements = body.body if isinstance(body, cst.IndentedBlock) else [body]
    if not statements:
        return False
    last = statements[-1]
    smalls = (
        last.body if isinstance(last, cst.SimpleStatementLine | cst.SimpleStatementSuite) else []
    )
    return bool(smalls) and isinstance(
        smalls[-1], cst.Raise | cst.Return | cst.Continue | cst.Break
    )


def _version_check(test: cst.BaseExpression) -> tuple[cst.BaseExpression, int] | None:
    """`(subject, version)` of `subject < N`, `subject <= N - 1`, `N > subject`, `N - 1 >=
    subject` with an integer literal N; None for any other test."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return None
    target = test.comparisons[0]
    left, right = test.left, target.comparator
    operator = type(target.operator)
    if operator in _SUBJECT_FIRST and isinstance(right, cst.Integer) and isinstance(
        left, _SUBJECTS
    ):
        return left, _integer(right) + _SUBJECT_FIRST[operator]
    if operator in _CONSTANT_FIRST and isinstance(left, cst.Integer) and isinstance(
        right, _SUBJECTS
    ):
        return right, _integer(left) + _CONSTANT_FIRST[operator]
    return None


def _integer(node: cst.Integer) -> int:
    return int(node.value.replace("_", ""), 0)
