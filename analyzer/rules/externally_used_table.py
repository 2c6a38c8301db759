"""TT104 externally-used-table: no code here uses the table, but the database shows activity.

Needs `--database-url` on PostgreSQL. The static `dead-table` claim is then contradicted: the
statistics count scans or writes since their last reset, so something outside this repository
(another service, a report, a cron job) uses the table. This finding replaces `dead-table` for
that table. Sequential scans alone are weaker evidence: a `pg_dump` backup scans every table.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.database.evidence import (
    DatabaseContext,
    activity_text,
    creating_locations,
    database_location,
    table_key,
)
from analyzer.rules.base import Example, Rule, nothing_without_a_database

if TYPE_CHECKING:
    from analyzer.models import Finding

SCHEMA = "CREATE TABLE users (id int);\nCREATE TABLE partner_feed (id int);\n"
APP = 'def f(cur):\n    cur.execute("SELECT * FROM users")\n'


def check(ctx: DatabaseContext) -> Iterator[Finding]:
    if ctx.live is None:
        return
    for table in ctx.report.tables:
        if table.status != "dead":
            continue
        live = ctx.live.get(table_key(table))
        if live is None or live.activity is None:
            continue
        activity = live.activity
        if not live.used:
            continue
        caveat = ""
        if not activity.writes and not activity.idx_scan:
            caveat = " (only sequential scans: a pg_dump backup would count too)"
        elif not activity.writes and live.referenced_by:
            caveat = (
                f" (only reads: the foreign keys of {', '.join(live.referenced_by)} look it up "
                "on every write to them)"
            )
        yield RULE.finding(
            table=table.qualified_name,
            message=(
                f"no code in this repository reads or writes {table.qualified_name}, but "
                f"{ctx.live.url} counts {activity_text(live, ctx.live.stats_reset)}"
                f"{caveat}: something outside this repository uses it, so do not drop it; add "
                "it to ignore_tables and note who owns it"
            ),
            locations=[*creating_locations(table), database_location(ctx.live, live)],
        )


RULE = Rule(
    code="TT104",
    name="externally-used-table",
    severity="info",
    summary="A table no code here uses while the live database's statistics show scans or "
    "writes: something outside this repository uses it (replaces dead-table).",
    explanation=(
        'Static reading finds no application code that reads or writes the table (it would be a'
        ' `dead-table`), yet the database statistics show scans or writes since they were last '
        'reset: something outside this repository uses it.'
    ),
    why_it_matters=(
        'Dropping a table that another service, report or cron job still uses breaks that '
        'system; the static `dead-table` claim was wrong for this database, so it is replaced '
        'by this finding.'
    ),
    how_to_fix=(
        "Find the other user (the statistics' counters and last activity help) and record the "
        "table's owner; keep it, and add it to `ignore_tables` here if this repository is not "
        'its owner.'
    ),
    check=nothing_without_a_database,
    database_check=check,
    examples=(
        Example(
            files={"schema.sql": SCHEMA, "app/repo.py": APP},
            database_sql=SCHEMA + "INSERT INTO partner_feed VALUES (1);",
            expected=frozenset({"public.partner_feed"}),
        ),
        Example(files={"schema.sql": SCHEMA, "app/repo.py": APP}, database_sql=SCHEMA),
    ),
)
