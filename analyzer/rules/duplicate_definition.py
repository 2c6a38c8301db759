"""TT005 duplicate-definition: more than one migration source creates the same table."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.graph import MIGRATION_KINDS, nodes_of_kind, operations_on, source_node
from analyzer.models import Finding
from analyzer.rules.base import Example, Rule, RuleContext, op_location


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        creates = operations_on(ctx.graph, node, {"create"}, MIGRATION_KINDS)
        sources = sorted({op.source for op in creates})
        owners = {_owner(ctx, source) for source in sources}
        if len(owners) < 2:
            continue  # one source, or one schema's per-engine variants (postgresql, sqlite)
        places = ", ".join(f"{op.path}:{op.line}" for op in creates)
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display} is created by {len(sources)} separate sources "
                f"({places}): decide which one owns it and remove the others"
            ),
            locations=[op_location(op) for op in creates],
        )


def _owner(ctx: RuleContext, source: str) -> str:
    history = ctx.graph.nodes[source_node(source)].get("history")
    variant = getattr(history, "variant_of", None)
    return f"variants:{variant}" if variant else source


RULE = Rule(
    code="TT005",
    name="duplicate-definition",
    severity="warning",
    summary="A table created by more than one migration source (runtime DDL has TT003).",
    check=check,
    explanation=(
        "More than one migration source creates the table: two `.sql` files, a `.sql` file and "
        "an Alembic revision, or two Alembic environments. Runtime DDL is reported by TT003 "
        "instead."
    ),
    why_it_matters=(
        "The sources disagree sooner or later (columns, types, indexes), and which one ran "
        "decides what the database holds; a new environment built from one of them differs from "
        "production."
    ),
    how_to_fix=(
        "Decide which source owns the table and remove the other definitions (or turn them into "
        "documentation). If both are intended (e.g. one Alembic history per database engine), "
        "add `duplicate-definition` to `per-file-ignores` for one of the paths."
    ),
    examples=(
        Example(
            files={
                "sql/init.sql": "CREATE TABLE users (id int);\n",
                "sql/legacy.sql": "CREATE TABLE users (id int, name text);\n",
            },
            expected=frozenset({"public.users"}),
        ),
        Example(
            files={
                "sql/001_a.sql": "CREATE TABLE users (id int);\n",
                "sql/002_b.sql": "DROP TABLE users;\nCREATE TABLE users (id int);\n",
            },
            expected=frozenset(),
        ),
        Example(  # one schema, one Alembic history per database engine
            files={
                f"db/versions/{engine}/{engine}_1.py": (
                    f'from alembic import op\nrevision = "{engine}1"\ndown_revision = None\n'
                    'def upgrade():\n    op.create_table("users")\n'
                )
                for engine in ("postgresql", "sqlite")
            },
            expected=frozenset(),
        ),
    ),
)
