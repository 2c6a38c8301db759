"""TT105 fails-on-database: PostgreSQL rejects a statement of the ordered sources.

Needs `tabletrace verify --dev-url`. Each rejected statement is reported with PostgreSQL's
SQLSTATE and message and the statement's file:line (and the line PostgreSQL pointed at).
Static reading cannot see these: a view calling `round(double precision, integer)`, a foreign
key naming a column nobody defines, a Python docstring pasted at the top of a `.sql` file.

A rejected statement that tabletrace generated itself (a `CREATE TABLE` from the Alembic head
state, whose column types replay does not know yet) is a warning about tabletrace's reading;
so is a type error in a statement that touches such a generated table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.models import Finding, Location, Report
from analyzer.rules.base import Example, Rule, nothing_without_a_database

if TYPE_CHECKING:
    from analyzer.database.build import StepOutcome
    from analyzer.database.evidence import DatabaseContext
    from analyzer.database.plan import BuildStep

# SQLSTATEs a guessed (text) column type can cause: datatype mismatch, undefined function or
# operator, cannot coerce, invalid text representation, ambiguous function.
TYPE_SENSITIVE = frozenset({"42804", "42883", "42846", "22P02", "42725"})


def created_by_step(report: Report, step: BuildStep) -> list[str]:
    """Tables whose creating definition (or broken attempt) lies within the step's lines."""
    found = []
    for table in report.tables:
        for definition in table.definitions:
            if (
                definition.path == step.path
                and step.line <= definition.line <= step.last_line
                and definition.operation in ("create", "rename_to", "declare", "broken")
            ):
                found.append(table.qualified_name)
                break
    return found


def generated_tables(outcomes: list[StepOutcome]) -> dict[str, str]:
    """Lower-cased table name -> qualified name, for tables tabletrace generated."""
    names = {}
    for outcome in outcomes:
        step = outcome.step
        if step.generated and outcome.status == "applied":
            match = re.search(r'TABLE IF NOT EXISTS "((?:[^"]|"")*)"\."((?:[^"]|"")*)"', step.sql)
            if match:
                schema, name = (part.replace('""', '"') for part in match.groups())
                names[name.lower()] = f"{schema}.{name}"
    return names


MESSAGE_LIMIT = 160


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MESSAGE_LIMIT else flat[: MESSAGE_LIMIT - 3] + "..."


def describe(outcome: StepOutcome) -> str:
    """`42883 function round(double precision, integer) does not exist (hint...)`."""
    text = f"{outcome.sqlstate} {_one_line(outcome.message or '')}"
    if outcome.detail:
        text += f" ({_one_line(outcome.detail)})"
    if outcome.error_line and outcome.error_line != outcome.step.line:
        text += f" at line {outcome.error_line}"
    return text


_MISSING_RELATION = re.compile(r'relation "([^"]+)" does not exist')


def _earlier_failure(
    report: Report, outcome: StepOutcome, rejected: dict[str, StepOutcome]
) -> str:
    """`(readings was not built: sql/a.sql:1 was rejected)` when a missing relation is due to
    an earlier rejected statement: the root cause, so the reader fixes that one first."""
    match = _MISSING_RELATION.search(outcome.message or "")
    table = report.table(match[1]) if match else None
    cause = rejected.get(table.qualified_name) if table is not None else None
    if cause is None or cause is outcome:
        return ""
    return f" ({match[1]} was not built: {cause.step.location} was rejected before)"  # type: ignore[index]


def check(ctx: DatabaseContext) -> Iterator[Finding]:
    if ctx.build is None:
        return
    generated = generated_tables(ctx.build.outcomes)
    version = (ctx.build.server_version or "").split(" ")[0]
    server = f"PostgreSQL {version}".strip()
    rejected: dict[str, StepOutcome] = {}
    for outcome in ctx.build.outcomes:
        if outcome.status != "rejected":
            continue
        step = outcome.step
        tables = created_by_step(ctx.report, step)
        for name in tables:
            rejected.setdefault(name, outcome)
        revision = f" (revision {step.revision})" if step.revision else ""
        location = Location(path=step.path, line=step.line, snippet=step.sql[:200])
        if step.generated:
            yield RULE.finding(
                table=tables[0] if tables else None,
                message=(
                    f"the CREATE TABLE tabletrace generated from {step.source_id} for "
                    f"{step.location}{revision} is rejected by {server}: {describe(outcome)}. "
                    "This says more about tabletrace's reading than about the repository"
                ),
                locations=[location],
                severity="warning",
            )
            continue
        mentioned = sorted(
            {
                generated[word.lower()]
                for word in re.findall(r"\w+", step.sql)
                if word.lower() in generated
            }
        )
        caveat = ""
        severity = None
        if mentioned and outcome.sqlstate in TYPE_SENSITIVE:
            caveat = (
                f" ({', '.join(mentioned)} was created by tabletrace from the Alembic head with "
                "guessed column types, which may be the cause)"
            )
            severity = "warning"
        caveat += _earlier_failure(ctx.report, outcome, rejected)
        if outcome.sqlstate == "42601" and '"""' in (outcome.message or ""):
            caveat += " (a Python docstring is not SQL: make it a -- or /* */ comment)"
        effect = f"; it would create {', '.join(tables)}" if tables else ""
        yield RULE.finding(
            table=tables[0] if tables else None,
            message=(
                f"{server} rejects the statement at {step.location}{revision}: "
                f"{describe(outcome)}{caveat}{effect}"
            ),
            locations=[location]
            + (
                [Location(path=step.path, line=outcome.error_line)]
                if outcome.error_line and outcome.error_line != step.line
                else []
            ),
            severity=severity,
        )


RULE = Rule(
    code="TT105",
    name="fails-on-database",
    severity="error",
    summary="A statement of the ordered sources that PostgreSQL rejects when `tabletrace "
    "verify` builds them in a scratch database (SQLSTATE, message, file:line).",
    explanation=(
        '`tabletrace verify` built the ordered sources statement by statement in a scratch '
        'PostgreSQL database, and PostgreSQL rejected this statement: the finding gives the '
        "SQLSTATE, PostgreSQL's message and the statement's file and line."
    ),
    why_it_matters=(
        'A statement the database rejects never creates or changes what it describes: whoever '
        'runs these sources on an empty database stops there or gets a schema without that '
        'object, whatever the files say.'
    ),
    how_to_fix=(
        "Fix the statement as PostgreSQL's message says (a missing function, column or type, a "
        'syntax error), or remove it; run `tabletrace verify` again until every statement is '
        'accepted.'
    ),
    check=nothing_without_a_database,
    database_check=check,
    examples=(
        Example(
            files={
                "sql/schema.sql": (
                    "CREATE TABLE readings (id int PRIMARY KEY, value double precision);\n"
                    "CREATE VIEW rounded_readings AS\n"
                    "    SELECT id, round(value, 2) AS value FROM readings;\n"
                )
            },
            expected=frozenset({"public.rounded_readings"}),
        ),
        Example(
            files={
                "sql/schema.sql": (
                    "CREATE TABLE readings (id int PRIMARY KEY, value numeric);\n"
                    "CREATE VIEW rounded_readings AS\n"
                    "    SELECT id, round(value, 2) AS value FROM readings;\n"
                )
            },
        ),
    ),
)
