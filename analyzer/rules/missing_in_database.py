"""TT102 missing-in-database: Alembic's head state has a table the live database lacks.

Needs `--database-url`. Either the database is behind the head (`alembic upgrade head` was not
run there), or the table was dropped by hand; code that uses it fails on that database.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.database.evidence import DatabaseContext, creating_locations, table_key
from analyzer.models import Finding, Location
from analyzer.rules.base import Example, Rule, nothing_without_a_database, plural

REVISION = '''"""baseline"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))
    op.create_table("invoices", sa.Column("id", sa.Integer, primary_key=True))
'''
ALEMBIC = {
    "alembic.ini": "[alembic]\nscript_location = migrations\n",
    "migrations/versions/a1_baseline.py": REVISION,
}


def check(ctx: DatabaseContext) -> Iterator[Finding]:
    if ctx.live is None:
        return
    for table in ctx.report.tables:
        heads = sorted(
            state.source
            for state in table.states
            if state.source_kind == "alembic" and state.object_type == "table"
        )
        if not heads or ctx.live.get(table_key(table)) is not None:
            continue
        modules = table.used_by_modules
        uses = (
            f"; code that uses it fails there ({plural(len(modules), 'module')})"
            if modules
            else ""
        )
        yield RULE.finding(
            table=table.qualified_name,
            message=(
                f"{table.qualified_name} is in the Alembic head state ({', '.join(heads)}) but "
                f"{ctx.live.url} has no such relation{uses}: run `alembic upgrade head` there, "
                "or find out who dropped it"
            ),
            locations=[loc for head in heads for loc in creating_locations(table, head)]
            + [Location(path=u.path, line=u.line, snippet=u.snippet) for u in table.uses],
            severity="error" if modules else None,
        )


RULE = Rule(
    code="TT102",
    name="missing-in-database",
    severity="warning",
    summary="A table of the Alembic head state that the live database (--database-url) lacks "
    "(an error when code uses it).",
    explanation=(
        'The Alembic head state (every revision replayed to the head) has a table that the live'
        ' database given with `--database-url` does not: the database is behind its migrations,'
        ' or the table was dropped by hand.'
    ),
    why_it_matters=(
        'Application code that uses the table fails against that database; the next `alembic '
        'upgrade head` may fail too, because the recorded revision says the table exists.'
    ),
    how_to_fix=(
        'Run the missing migrations (`alembic upgrade head`) against the database, or, if the '
        'table was dropped on purpose, write a revision that drops it so the head state '
        'matches.'
    ),
    check=nothing_without_a_database,
    database_check=check,
    examples=(
        Example(
            files=ALEMBIC,
            database_sql="CREATE TABLE users (id int);",
            expected=frozenset({"public.invoices"}),
        ),
        Example(
            files=ALEMBIC,
            database_sql="CREATE TABLE users (id int); CREATE TABLE invoices (id int);",
        ),
    ),
)
