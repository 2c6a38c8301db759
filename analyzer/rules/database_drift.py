"""TT103 database-drift: a table's columns in the live database differ from the Alembic head.

Needs `--database-url`. A column the head declares but the database lacks breaks the code that
reads it; a column only the database has was added by hand and the next autogenerate would
propose dropping it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.database.evidence import (
    DatabaseContext,
    alembic_head_columns,
    creating_locations,
    database_location,
    table_key,
)
from analyzer.rules.base import Example, Rule, column_gaps, nothing_without_a_database
from analyzer.rules.missing_in_database import ALEMBIC

if TYPE_CHECKING:
    from analyzer.models import Finding


def check(ctx: DatabaseContext) -> Iterator[Finding]:
    if ctx.live is None:
        return
    for table in ctx.report.tables:
        live = ctx.live.get(table_key(table))
        if live is None or live.object_type != "table":
            continue
        for source, columns in alembic_head_columns(table):
            if columns is None:
                continue
            missing, extra = column_gaps(columns, live.columns)
            if not missing and not extra:
                continue
            parts = []
            if missing:
                parts.append(f"lacks {', '.join(missing)} (declared by the head)")
            if extra:
                parts.append(f"has {', '.join(extra)} (in no revision)")
            yield RULE.finding(
                table=table.qualified_name,
                message=(
                    f"{table.qualified_name} in {ctx.live.url} {' and '.join(parts)} compared "
                    f"with the Alembic head state of {source}: a revision was edited after it "
                    "ran, or the database was changed by hand"
                ),
                locations=[*creating_locations(table, source), database_location(ctx.live, live)],
            )


RULE = Rule(
    code="TT103",
    name="database-drift",
    severity="warning",
    summary="A table whose columns in the live database (--database-url) differ from the "
    "Alembic head state.",
    explanation=(
        'A table exists both in the Alembic head state and in the live database, but their '
        'columns differ: the finding names the columns only the head declares and the columns '
        'only the database has.'
    ),
    why_it_matters=(
        'A column the code expects but the database lacks breaks queries at run time; a column '
        'only the database has was added by hand, and the next autogenerate proposes dropping '
        'it with its data.'
    ),
    how_to_fix=(
        'Write a migration that adds or drops the columns so both agree, or fix the database by'
        ' hand if it drifted; then scan again with `--database-url` to confirm.'
    ),
    check=nothing_without_a_database,
    database_check=check,
    examples=(
        Example(
            files=ALEMBIC,
            database_sql="CREATE TABLE users (id int, nickname text);"
            "CREATE TABLE invoices (id int);",
            expected=frozenset({"public.users"}),
        ),
        Example(
            files=ALEMBIC,
            database_sql="CREATE TABLE users (id int); CREATE TABLE invoices (id int);",
        ),
    ),
)
