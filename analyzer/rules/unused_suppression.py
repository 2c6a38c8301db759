"""TT100 unused-suppression: a `tabletrace: ignore` comment that silences nothing.

Unlike the other rules this one is not a query on the graph: it needs to know which findings
the comments silenced, which only the policy stage (`analyzer.policy`) knows after every other
rule has run. Its `check` therefore finds nothing in the graph, and the policy stage builds its
findings with `RULE.finding`; it is registered like any rule so that it can be selected,
ignored, documented and listed with the others.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.rules.base import Example, Rule, RuleContext

if TYPE_CHECKING:
    from analyzer.models import Finding


def check(ctx: RuleContext) -> Iterator[Finding]:
    """Nothing to find in the graph: see the module docstring."""
    return iter(())


RULE = Rule(
    code="TT100",
    name="unused-suppression",
    severity="warning",
    summary="A `tabletrace: ignore` comment that silences no finding, or names no rule.",
    check=check,
    explanation=(
        "A `# tabletrace: ignore[...]` (Python) or `-- tabletrace: ignore[...]` (SQL) comment "
        "that silenced no finding in this scan, or that names a rule tabletrace does not have. "
        "Rules turned off by `select`/`ignore` are not counted against a comment."
    ),
    why_it_matters=(
        "A stale suppression hides the next real finding on that line, and a misspelt rule "
        "silences nothing while looking as if it did."
    ),
    how_to_fix=(
        "Delete the comment (the finding it was written for is gone), or correct the rule code "
        "or name; `tabletrace rules` lists them."
    ),
    examples=(
        Example(
            files={
                "schema.sql": "CREATE TABLE old_audit (id int); -- tabletrace: ignore[TT001]\n",
                "app/repo.py": "X = 1  # tabletrace: ignore[dead-table]\n",
            },
            expected=frozenset({"schema.sql:1", "app/repo.py:1"}),
        ),
        Example(
            files={
                "schema.sql": (
                    "CREATE TABLE old_audit (id int); -- tabletrace: ignore[dead-table]\n"
                ),
            },
        ),
    ),
)
