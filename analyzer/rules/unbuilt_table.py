"""TT106 unbuilt-table: the sources define a table, but building them leaves no such table.

Needs `tabletrace verify --dev-url`. The static picture says some source's final state has the
table; the scratch database built from the same statements lacks it, because every statement
that creates it was rejected, or ran inside a transaction that a later failure rolled back.
That definition is lost: whoever runs these files gets no such table.
"""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.database.evidence import DatabaseContext, table_key
from analyzer.models import Finding, Location
from analyzer.rules.base import Example, Rule, nothing_without_a_database, plural
from analyzer.rules.fails_on_database import created_by_step, describe

DOCSTRING_HEADED = '''"""Reporting tables.

Apply with psql -f sql/reporting.sql.
"""
CREATE TABLE monthly_reports (id int PRIMARY KEY, month date NOT NULL);
CREATE TABLE report_lines (id int PRIMARY KEY, report_id int REFERENCES monthly_reports);
'''
COMMENT_HEADED = DOCSTRING_HEADED.replace('"""Reporting', "/* Reporting").replace(
    '.sql.\n"""', ".sql. */"
)
APP = 'def f(cur):\n    cur.execute("SELECT * FROM monthly_reports JOIN report_lines ON true")\n'


def check(ctx: DatabaseContext) -> Iterator[Finding]:
    if ctx.build is None or ctx.build.built is None:
        return
    creating: dict[str, list] = {}
    for outcome in ctx.build.outcomes:
        for name in created_by_step(ctx.report, outcome.step):
            creating.setdefault(name, []).append(outcome)
    for table in ctx.report.tables:
        outcomes = creating.get(table.qualified_name)
        if not outcomes or not table.present_in or ctx.build.built.get(table_key(table)):
            continue
        if any(o.status == "applied" for o in outcomes) and any(
            name == table.name for _, name in ctx.build.built.tables
        ):
            # Built, but in another schema than the static reading assumed (a SET
            # search_path it does not follow): not a lost definition.
            continue
        causes = []
        for outcome in outcomes:
            where = outcome.step.location
            if outcome.status == "rejected":
                causes.append(f"{where} is rejected: {describe(outcome)}")
            elif outcome.status == "applied":
                causes.append(f"{where} ran, but was rolled back or undone later")
            else:
                causes.append(f"{where} was not run ({outcome.message or outcome.status})")
        used = (
            f"; code uses it ({plural(len(table.used_by_modules), 'module')})"
            if table.used_by_modules
            else ""
        )
        yield RULE.finding(
            table=table.qualified_name,
            message=(
                f"{table.qualified_name} is defined by {', '.join(table.present_in)} sources, "
                f"but a database built from them has no such table: {'; '.join(causes)}{used}"
            ),
            locations=[
                Location(path=o.step.path, line=o.step.line, snippet=o.step.sql[:200])
                for o in outcomes
            ]
            + [Location(path=u.path, line=u.line, snippet=u.snippet) for u in table.uses],
            severity="error" if table.used_by_modules else None,
        )


RULE = Rule(
    code="TT106",
    name="unbuilt-table",
    severity="warning",
    summary="A table the sources define that a database built from them lacks, because the "
    "statements creating it fail (an error when code uses it). Needs `tabletrace verify`.",
    explanation=(
        'Some source defines the table, but the scratch database that `tabletrace verify` built'
        ' from the same statements lacks it: every statement creating it was rejected, or ran '
        'in a transaction a later failure rolled back.'
    ),
    why_it_matters=(
        'That definition is lost in practice: a fresh database built from the repository has no'
        ' such table, so code using it fails, although reading the files suggests it exists.'
    ),
    how_to_fix=(
        'Look at the `fails-on-database` findings for the statements that create the table and '
        'fix them; if the table is obsolete, remove its definition instead.'
    ),
    check=nothing_without_a_database,
    database_check=check,
    examples=(
        Example(
            # monthly_reports is a broken-definition already; report_lines reads as created,
            # but PostgreSQL rejects it because the table it references was never built
            files={"sql/reporting.sql": DOCSTRING_HEADED, "app/reports.py": APP},
            expected=frozenset({"public.report_lines"}),
        ),
        Example(
            files={
                "sql/reporting.sql": COMMENT_HEADED,
                "app/reports.py": APP,
            },
        ),
    ),
)
