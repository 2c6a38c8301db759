"""TT010 multiple-heads: an Alembic environment whose revision graph ends in several heads."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.graph import nodes_of_kind
from analyzer.models import Finding, Location
from analyzer.rules.base import Example, Rule, RuleContext

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


RULE = Rule(
    code="TT010",
    name="multiple-heads",
    severity="error",
    summary="An Alembic environment with more than one head revision.",
    check=check,
    explanation=(
        "An Alembic environment whose revision graph ends in more than one head."
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
    ),
)
