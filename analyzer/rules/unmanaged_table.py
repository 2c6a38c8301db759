"""TT101 unmanaged-table: the live database has a table that no source of the repository defines.

Needs `--database-url`. Tables a migration tool keeps for itself (Alembic's version table,
`django_migrations`...) and objects owned by an extension are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.database.evidence import (
    DatabaseContext,
    activity_text,
    database_location,
    is_bookkeeping,
    table_key,
)
from analyzer.models import Finding, Location
from analyzer.rules.base import Example, Rule, nothing_without_a_database, plural


def check(ctx: DatabaseContext) -> Iterator[Finding]:
    if ctx.live is None:
        return
    known = {table_key(t): t for t in ctx.report.tables}
    for live in sorted(ctx.live.tables.values(), key=lambda t: (t.schema, t.name)):
        static = known.get(live.key)
        if is_bookkeeping(live) or (static is not None and static.present_in):
            continue
        kind = live.object_type.replace("_", " ")
        evidence = (
            f" ({activity_text(live, ctx.live.stats_reset)})" if live.activity else ""
        )
        locations = [database_location(ctx.live, live)]
        where = f"{live.display} is a {kind} in {ctx.live.url}{evidence}"
        message = (
            f"{where}, but no source of this repository defines it: it was created by hand "
            "or by another application. Add it to a migration, or to ignore_tables if "
            "something outside this repository owns it"
        )
        if static is not None:
            drops = [d for d in static.definitions if d.operation in ("drop", "rename_from")]
            used = (
                f"; code still uses it ({plural(len(static.used_by_modules), 'module')})"
                if static.used_by_modules
                else ""
            )
            if drops:
                message = (
                    f"{where}, but the sources remove it ({drops[-1].path}:{drops[-1].line}): "
                    f"that change never reached this database{used}. Apply it there, or "
                    "restore the table's definition in a source"
                )
            elif used:
                message = (
                    f"{where}, but no source of this repository defines it{used}: add it to a "
                    "migration, so that a new database gets it too"
                )
            locations += [Location(path=d.path, line=d.line, snippet=d.snippet) for d in drops]
            locations += [
                Location(path=u.path, line=u.line, snippet=u.snippet) for u in static.uses
            ]
        yield RULE.finding(table=live.display, message=message, locations=locations)


RULE = Rule(
    code="TT101",
    name="unmanaged-table",
    severity="warning",
    summary="A table in the live database (--database-url) that no source of the repository "
    "defines: created by hand, by another application, or dropped by sources but not there.",
    explanation=(
        'The live database given with `--database-url` holds a table that no source of the '
        'repository defines: no Alembic revision, SQL file, runtime DDL or model creates it, '
        'and no migration tool keeps it for itself. Tables owned by extensions and migration '
        'bookkeeping tables are left out.'
    ),
    why_it_matters=(
        'A table nobody owns drifts silently: a fresh database built from the repository lacks '
        'it, so whatever reads it works in production and fails everywhere else, and nobody '
        'knows whether it can be dropped.'
    ),
    how_to_fix=(
        'Add a migration that creates the table, so a fresh database gets it, or drop it from '
        'the database if nothing uses it. If another system owns it on purpose, list it in '
        '`ignore_tables`.'
    ),
    check=nothing_without_a_database,
    database_check=check,
    examples=(
        Example(
            files={"schema.sql": "CREATE TABLE users (id int);\n"},
            database_sql="CREATE TABLE users (id int); CREATE TABLE hand_made (id int);",
            expected=frozenset({"public.hand_made"}),
        ),
        Example(
            files={"schema.sql": "CREATE TABLE users (id int);\n"},
            database_sql="CREATE TABLE users (id int);"
            "CREATE TABLE alembic_version (version_num varchar(32) PRIMARY KEY);",
        ),
    ),
)
