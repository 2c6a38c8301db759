"""TT014 broken-definition: a CREATE statement that cannot run, so it defines nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import CREATING_OPERATIONS, nodes_of_kind, operations_on
from analyzer.rules.base import Example, Rule, RuleContext, op_location, plural, where
from analyzer.status import broken_definitions, needing_uses

if TYPE_CHECKING:
    from analyzer.models import Finding

CONFIRM = (
    " If your database does accept it, sqlglot is at fault, not the file: `tabletrace verify` "
    "runs it on a real database, and `-- tabletrace: ignore[broken-definition]` on the line "
    "restores the definition."
)


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        broken = broken_definitions(ctx.graph, node)
        if not broken:
            continue
        others = operations_on(ctx.graph, node, CREATING_OPERATIONS)
        modules = sorted({use.module for use in needing_uses(ctx.graph, node)})
        table = data["key"].display
        for op in broken:
            what = f"this CREATE of {table} cannot run: {op.problem}"
            if others:
                consequence = (
                    f"; {table} is still created by {where(others[0])}, but this statement "
                    "fails wherever it runs: fix it or delete it"
                )
            else:
                one = len(modules) == 1
                users = (
                    f"; {plural(len(modules), 'module')} ({', '.join(modules[:3])}"
                    f"{', ...' if len(modules) > 3 else ''}) {'uses' if one else 'use'} it and "
                    f"{'fails' if one else 'fail'} with \"relation does not exist\""
                    if modules
                    else ""
                )
                consequence = (
                    f". It is the only definition of {table}, so no source creates the table"
                    f"{users}: fix the statement"
                )
            yield RULE.finding(
                table=table,
                message=what + consequence + ("" if op.problem_certain else "." + CONFIRM),
                locations=[op_location(op)],
                severity="error" if not others else "warning",
                confidence="high" if op.problem_certain else "medium",
            )


RULE = Rule(
    code="TT014",
    name="broken-definition",
    severity="error",
    summary="A CREATE statement that cannot run: the table it names is not created by it.",
    check=check,
    explanation=(
        "A `.sql` file or a migration holds a CREATE statement that cannot run, so it defines "
        "nothing: its table gets no definition from it (the table name read from its tokens "
        "still counts for uses). Certain when the statement does not start with a SQL command, "
        "as when a Python docstring at the top of a `.sql` file swallows the first `CREATE "
        "TABLE` (confidence high); probable when it starts like SQL but sqlglot cannot parse it "
        "in the configured dialect (confidence medium).\n\n"
        "Severity error when no other source creates the table (its status is then `broken`), "
        "warning when another source does."
    ),
    why_it_matters=(
        "The database rejects the statement: `psql -v ON_ERROR_STOP=1` stops there, without it "
        "the rest of the file runs and the table is silently missing, and every query on it "
        "fails with \"relation does not exist\"."
    ),
    how_to_fix=(
        "Fix the statement (turn a docstring into a `--` comment, correct the syntax) and run "
        "the file on an empty database. If the database accepts it and sqlglot does not, "
        "`tabletrace verify` confirms it and `-- tabletrace: ignore[broken-definition]` on the "
        "statement's line silences the finding; set `dialect` in `[tool.tabletrace]` if the "
        "file is not written for PostgreSQL."
    ),
    examples=(
        Example(
            files={
                "db/schema.sql": (
                    '"""Schema of the billing service."""\n'
                    "CREATE TABLE invoices (id int);\n"
                    "CREATE TABLE payments (id int);\n"
                ),
                "app/repo.py": (
                    'def f(cur):\n    cur.execute("SELECT * FROM invoices JOIN payments ON true")\n'
                ),
            },
            expected=frozenset({"public.invoices"}),
        ),
        Example(
            files={
                "db/schema.sql": (
                    "-- Schema of the billing service.\nCREATE TABLE invoices (id int);\n"
                ),
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM invoices")\n',
            },
        ),
        Example(
            files={
                "db/schema.sql": "CREATE TABLE invoices (id int,, total numeric);\n",
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM invoices")\n',
            },
            expected=frozenset({"public.invoices"}),
        ),
    ),
)
