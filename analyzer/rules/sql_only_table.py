"""TT007 sql-only-table: code uses a table that only raw SQL creates; Alembic's head lacks it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import nodes_of_kind, operations_on, uses_of
from analyzer.rules.base import Example, Rule, RuleContext, op_location, use_location
from analyzer.sql.names import is_system_table

if TYPE_CHECKING:
    from analyzer.models import Finding

REVISION = '''"""baseline"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))
'''


def check(ctx: RuleContext) -> Iterator[Finding]:
    if not any(True for _ in nodes_of_kind(ctx.graph, "alembic_env")):
        return
    for node, data in nodes_of_kind(ctx.graph, "table"):
        present = data["present_in"]
        if "sql" not in present or present & {"alembic", "django"}:
            continue
        if is_system_table(data["key"]):
            continue  # `alembic_version` in a dump: Alembic makes and keeps it itself
        uses = [u for u in uses_of(ctx.graph, node) if u.kind in ("read", "write")]
        if not uses:
            continue
        creates = operations_on(ctx.graph, node, {"create", "rename_to"}, {"sql"})
        modules = sorted({use.module for use in uses})
        where = ", ".join(f"{op.path}:{op.line}" for op in creates[:3])
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display} is used by {len(modules)} module"
                f"{'s' if len(modules) != 1 else ''} but created only by raw SQL ({where}); "
                "`alembic upgrade head` does not create it and autogenerate would propose "
                "dropping it: add it to an Alembic revision, or exclude it in env.py's "
                "include_object"
            ),
            locations=[op_location(op) for op in creates]
            + [use_location(u) for u in uses],
        )


RULE = Rule(
    code="TT007",
    name="sql-only-table",
    severity="warning",
    summary="A table used by code that raw SQL creates but the Alembic head state lacks.",
    check=check,
    explanation=(
        "Application code uses the table and raw SQL (a `.sql` file or folder) creates it, but "
        "the Alembic head state does not contain it."
    ),
    why_it_matters=(
        "`alembic upgrade head` on an empty database does not build it, so a new environment "
        "fails, and `alembic revision --autogenerate` proposes dropping it."
    ),
    how_to_fix=(
        "Add the table to an Alembic revision (or stop using the raw SQL source), or exclude it "
        "from autogenerate in `env.py`'s `include_object` and say so with `-- tabletrace: "
        "ignore[sql-only-table]` on the `CREATE TABLE` line."
    ),
    examples=(
        Example(
            files={
                "alembic.ini": "[alembic]\nscript_location = migrations\n",
                "migrations/versions/a1_baseline.py": REVISION,
                "sql/init.sql": "CREATE TABLE users (id int);\nCREATE TABLE insights (id int);\n",
                "app/repo.py": (
                    'def f(cur):\n    cur.execute("SELECT * FROM insights JOIN users ON true")\n'
                ),
            },
            expected=frozenset({"public.insights"}),
        ),
        Example(
            files={
                "sql/init.sql": "CREATE TABLE insights (id int);\n",
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM insights")\n',
            },
        ),
    ),
)
