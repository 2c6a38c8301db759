"""TT010 multiple-heads: an Alembic environment whose revision graph ends in several heads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import nodes_of_kind
from analyzer.models import Finding, Location
from analyzer.rules.base import Example, Rule, RuleContext

if TYPE_CHECKING:
    from analyzer.sources.alembic import RevisionNode

A = 'revision = "a1"\ndown_revision = None\n\n\ndef upgrade():\n    pass\n'
B = 'revision = "b2"\ndown_revision = "a1"\n\n\ndef upgrade():\n    pass\n'
C = 'revision = "c3"\ndown_revision = "a1"\n\n\ndef upgrade():\n    pass\n'
M = 'revision = "m4"\ndown_revision = ("b2", "c3")\n\n\ndef upgrade():\n    pass\n'
INI = {"alembic.ini": "[alembic]\nscript_location = db\n"}


def check(ctx: RuleContext) -> Iterator[Finding]:
    for _node, data in nodes_of_kind(ctx.graph, "alembic_env"):
        history = data["history"]
        if len(history.heads) < 2:
            continue
        heads = [node for node in history.revisions if node.is_head]
        if _separate_branches(history.revisions, heads):
            continue
        yield RULE.finding(
            table=None,
            message=(
                f"Alembic environment {history.environment.id} has {len(heads)} heads "
                f"({', '.join(node.revision for node in heads)}): `alembic upgrade head` "
                "refuses to run until a merge revision joins them (`alembic merge heads`)"
            ),
            locations=[
                Location(path=node.facts.path, line=node.facts.revision_line) for node in heads
            ],
        )


def _separate_branches(revisions: list[RevisionNode], heads: list[RevisionNode]) -> bool:
    """Whether every head ends a branch of its own name (`branch_labels = ("expand",)` on it
    or on a revision below it, on its own line of descent): deliberate branches, upgraded
    with `alembic upgrade heads` or one label at a time (expand / contract migrations)."""
    by_revision = {node.revision: node for node in revisions}
    labels: list[frozenset[str]] = []
    for head in heads:
        node: RevisionNode | None = head
        found: frozenset[str] = frozenset()
        seen: set[str] = set()
        while node is not None and node.revision not in seen:
            seen.add(node.revision)
            if node.facts.branch_labels:
                found = frozenset(node.facts.branch_labels)
                break
            parents = node.facts.down_revisions
            node = by_revision.get(parents[0]) if len(parents) == 1 else None
        if not found:
            return False
        labels.append(found)
    return all(a.isdisjoint(b) for i, a in enumerate(labels) for b in labels[i + 1:])


EXPAND = (
    'revision = "e1"\ndown_revision = "a1"\nbranch_labels = ("expand",)\n\n\n'
    "def upgrade():\n    pass\n"
)
EXPAND_2 = 'revision = "e2"\ndown_revision = "e1"\n\n\ndef upgrade():\n    pass\n'
CONTRACT = (
    'revision = "k1"\ndown_revision = "a1"\nbranch_labels = ("contract",)\n\n\n'
    "def upgrade():\n    pass\n"
)


RULE = Rule(
    code="TT010",
    name="multiple-heads",
    severity="error",
    summary="An Alembic environment with more than one head revision.",
    check=check,
    explanation=(
        "An Alembic environment whose revision graph ends in more than one head. Heads that "
        "each end a branch of its own name (`branch_labels`, as expand / contract migrations "
        "have) are deliberate: no finding."
    ),
    why_it_matters=(
        "`alembic upgrade head` refuses to run (\"Multiple head revisions are present\") until "
        "the heads are merged, so deployments stop."
    ),
    how_to_fix=(
        "Run `alembic merge heads` to add a merge revision, or fix the `down_revision` that "
        "forked the history."
    ),
    examples=(
        Example(
            files={**INI, "db/versions/a1.py": A, "db/versions/b2.py": B, "db/versions/c3.py": C},
            expected=frozenset({"db/versions/b2.py:1"}),
        ),
        Example(
            files={
                **INI, "db/versions/a1.py": A, "db/versions/b2.py": B, "db/versions/c3.py": C,
                "db/versions/m4.py": M,
            },
        ),
        Example(
            files={
                **INI, "db/versions/a1.py": A, "db/versions/e1.py": EXPAND,
                "db/versions/e2.py": EXPAND_2, "db/versions/k1.py": CONTRACT,
            },
        ),
    ),
)
