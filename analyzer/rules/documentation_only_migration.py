"""TT008 documentation-only-migration: a revision whose upgrade() changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import nodes_of_kind, table_node
from analyzer.models import Finding, Location
from analyzer.rules.base import Example, Rule, RuleContext

if TYPE_CHECKING:
    from analyzer.sources.model import SchemaOp

DOC_ONLY = '''"""Document enrichment tables (created by sql/enrichment.sql)."""
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    # fact_entities is created by sql/enrichment.sql; this records it for history.
    pass
'''

BASE = '''from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer))
'''

MERGE = '''revision = "m1"
down_revision = ("a1", "c3")


def upgrade():
    pass
'''

BRANCH = '''from alembic import op
import sqlalchemy as sa

revision = "c3"
down_revision = None
branch_labels = ("extra",)


def upgrade():
    op.execute("UPDATE users SET id = id")
'''


EMPTY_BASE = '''"""Base revision for 0.5: the schema of earlier releases."""
revision = "a0"
down_revision = None


def upgrade():
    pass
'''

BASE_AFTER_EMPTY = BASE.replace('down_revision = None', 'down_revision = "a0"')


BRANCH_ROOT = '''revision = "x1"
down_revision = "a1"
branch_labels = ("expand",)


def upgrade():
    pass
'''


def check(ctx: RuleContext) -> Iterator[Finding]:
    documents: dict[tuple[str, str | None], list[SchemaOp]] = {}
    for _, _, edge in ctx.graph.edges(data=True):
        op = edge.get("op")
        if op is not None and op.operation == "document":
            documents.setdefault((op.path, op.revision), []).append(op)
    for _node, data in nodes_of_kind(ctx.graph, "revision"):
        revision = data["revision"]
        if revision.category != "documentation":
            continue
        mentions = sorted(
            documents.get((revision.facts.path, revision.revision), []),
            key=lambda op: (op.line, op.table),
        )
        if (revision.facts.branch_labels or not revision.facts.down_revisions) and not mentions:
            # `branch_labels = ("expand",)` and `pass`: it opens a named branch (expand /
            # contract migrations), documenting nothing; and an empty first revision is the
            # base a history starts from, on a database built before it (`alembic stamp`)
            continue
        names = ", ".join(op.table.display for op in mentions)
        history_id = f"alembic:{revision.environment}"
        absent = [
            op.table for op in mentions
            if not any(
                history.id == history_id
                for history, _ in ctx.graph.nodes.get(table_node(op.table), {}).get("states", [])
            )
        ]
        if names and len(absent) == len(mentions):
            about = (
                f"; it only documents {names}: those tables are not in the Alembic head "
                "state, whatever the revision says"
            )
        elif names:
            about = (
                f"; it only documents {names}: whatever it says was done to them is not in "
                "the Alembic head state"
                + (f" ({', '.join(k.display for k in absent)} not at all)" if absent else "")
            )
        else:
            # an emptied revision kept as a link of the chain (pgAdmin's "After using alembic
            # the old logic is not required"), a placeholder: nothing it says names a change
            about = (
                ": an empty step of the history, naming no table (if a change was made "
                "elsewhere in its place, the Alembic head state lacks it)"
            )
        yield RULE.finding(
            table=None,
            message=(
                f"revision {revision.revision} performs no schema or data operation (its "
                f"upgrade() holds only a docstring, comments or pass){about}"
            ),
            locations=[Location(path=revision.facts.path, line=revision.facts.upgrade_line)]
            + [Location(path=op.path, line=op.line, snippet=op.table.display) for op in mentions],
            severity=None if mentions else "info",
        )


RULE = Rule(
    code="TT008",
    name="documentation-only-migration",
    severity="warning",
    summary="A non-merge revision whose upgrade() performs no schema or data operation.",
    check=check,
    explanation=(
        "A non-merge Alembic revision whose `upgrade()` performs no schema or data operation: "
        "it is `pass`, or only logs or documents. The tables it mentions get `document` "
        "definitions in the report. An empty revision that opens a named branch "
        "(`branch_labels`, as expand / contract migrations do), or the first revision of a "
        "history (no `down_revision`: the base it starts from, on a database built before "
        "it), and mentions no table is no finding; any other revision mentioning no table is "
        "an info: an emptied step kept as a link of the chain, nothing saying what it stood "
        "for."
    ),
    why_it_matters=(
        "Such a revision records a change that happened somewhere else (by hand, in a SQL "
        "file), so the Alembic history claims a schema it does not build."
    ),
    how_to_fix=(
        "Make the revision perform the change it documents, or move the real DDL into it. If it "
        "is deliberate (a marker revision), put `# tabletrace: "
        "ignore[documentation-only-migration]` on its `revision = ...` line."
    ),
    examples=(
        Example(
            files={
                "alembic.ini": "[alembic]\nscript_location = migrations\n",
                "migrations/versions/a1.py": BASE,
                "migrations/versions/b2.py": DOC_ONLY,
            },
            expected=frozenset({"migrations/versions/b2.py:8"}),
        ),
        Example(
            files={
                "alembic.ini": "[alembic]\nscript_location = migrations\n",
                "migrations/versions/a1.py": BASE,
                "migrations/versions/c3.py": BRANCH,
                "migrations/versions/m1.py": MERGE,
            },
        ),
        Example(
            files={
                "alembic.ini": "[alembic]\nscript_location = migrations\n",
                "migrations/versions/a1.py": BASE,
                "migrations/versions/x1.py": BRANCH_ROOT,
            },
        ),
        Example(  # an empty base revision: where the history starts
            files={
                "alembic.ini": "[alembic]\nscript_location = migrations\n",
                "migrations/versions/a0.py": EMPTY_BASE,
                "migrations/versions/a1.py": BASE_AFTER_EMPTY,
            },
        ),
    ),
)
