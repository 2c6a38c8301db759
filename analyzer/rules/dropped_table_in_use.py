"""TT006 dropped-table-in-use: code uses a table that its sources create and then drop or rename."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.graph import (
    CREATING_OPERATIONS,
    REMOVING_OPERATIONS,
    nodes_of_kind,
    operations_on,
    uses_of,
)
from analyzer.models import Finding
from analyzer.rules.base import Example, Rule, RuleContext, op_location, use_location, where


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        uses = uses_of(ctx.graph, node)
        if not uses or data["present_in"]:
            continue
        ops = operations_on(ctx.graph, node)
        if not any(op.operation in CREATING_OPERATIONS for op in ops):
            continue
        removals = sorted(
            (op for op in ops if op.operation in REMOVING_OPERATIONS),
            key=lambda op: (op.path, op.line),
        )
        if not removals:
            continue
        last = removals[-1]
        verb = (
            f"renamed to {last.peer.display}"
            if last.operation == "rename_from" and last.peer
            else "dropped"
        )
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display} is {verb} at {where(last)} and no source recreates "
                f"it, but application code still uses it: update the code or the migration"
            ),
            locations=[op_location(op) for op in removals]
            + [use_location(use) for use in sorted(uses, key=lambda u: (u.path, u.line))],
        )


RULE = Rule(
    code="TT006",
    name="dropped-table-in-use",
    severity="error",
    summary="A table used by code that its sources drop or rename away and nothing recreates.",
    check=check,
    examples=(
        Example(
            files={
                "db/001_init.sql": "CREATE TABLE prompts (id int);\n",
                "db/002_drop.sql": "DROP TABLE prompts;\n",
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM prompts")\n',
            },
            expected=frozenset({"public.prompts"}),
        ),
        Example(
            files={
                "db/001_init.sql": "CREATE TABLE prompts (id int);\n",
                "db/002_rename.sql": "ALTER TABLE prompts RENAME TO templates;\n",
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM templates")\n',
            },
        ),
    ),
)
