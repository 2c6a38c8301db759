"""TT011 broken-revision-graph: missing parents, duplicate ids, cycles."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.graph import nodes_of_kind
from analyzer.models import Finding, Location
from analyzer.rules.base import Example, Rule, RuleContext

INI = {"alembic.ini": "[alembic]\nscript_location = db\n"}


def _revision(rev: str, down: str) -> str:
    return f'revision = "{rev}"\ndown_revision = {down}\n\n\ndef upgrade():\n    pass\n'


def check(ctx: RuleContext) -> Iterator[Finding]:
    for _node, data in nodes_of_kind(ctx.graph, "alembic_env"):
        for problem in data["history"].problems:
            yield RULE.finding(
                table=None,
                message=f"{problem.kind}: {problem.message}",
                locations=[Location(path=problem.path, line=problem.line)],
            )


RULE = Rule(
    code="TT011",
    name="broken-revision-graph",
    severity="error",
    summary="An Alembic revision graph Alembic cannot load: missing parent, duplicate id, cycle.",
    check=check,
    explanation=(
        "An Alembic revision graph that Alembic cannot load: a `down_revision` naming no "
        "revision, two revisions with the same id, or a cycle. The rest of the graph is still "
        "replayed."
    ),
    why_it_matters=(
        "Alembic stops with an error before running any migration, and tabletrace's head state "
        "for that environment is partial."
    ),
    how_to_fix=(
        "Fix the `down_revision` (or `revision`) value the finding names; `alembic history` "
        "shows the graph once it loads."
    ),
    examples=(
        Example(
            files={**INI, "db/versions/b2.py": _revision("b2", '"gone"')},
            expected=frozenset({"db/versions/b2.py:2"}),
        ),
        Example(
            files={
                **INI,
                "db/versions/a1.py": _revision("a1", "None"),
                "db/versions/b2.py": _revision("b2", '"a1"'),
            },
        ),
    ),
)
