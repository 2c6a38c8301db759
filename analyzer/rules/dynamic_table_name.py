"""TT004 dynamic-table-name: a table name built from a value only known at run time."""

from __future__ import annotations

from collections.abc import Iterator

from analyzer.graph import DynamicUse, nodes_of_kind
from analyzer.models import Finding, Location, Severity
from analyzer.rules.base import Example, Rule, RuleContext
from analyzer.sql.refs import TEMPORARY_CREATION


def check(ctx: RuleContext) -> Iterator[Finding]:
    for use, written, reasons in _one_per_statement(ctx):
        expressions = ", ".join(f"`{e}`" for e in written) or "an interpolated value"
        reason = f" ({'; '.join(reasons)})" if reasons else ""
        severity: Severity | None = "info"
        if use.operation == "subquery":  # `FROM ({query}) AS t`
            severity = None  # the rule's own, warning
            message = (
                f"a subquery comes from {expressions}, which cannot be resolved statically"
                f"{reason}: the tables it reads are not recorded (the statement's other "
                "tables are). Build it from a string tabletrace can read, or list its tables "
                "in a comment and in ignore_tables if they are known"
            )
        elif use.engine == "spark":
            message = (
                f"a name Spark SQL reads comes from {expressions}, which cannot be resolved "
                f"statically{reason}; it is one of the Spark session's (a temporary view, a "
                "table of its catalog), not a table of the database"
            )
        elif use.operation == TEMPORARY_CREATION:
            # `df.createOrReplaceTempView(prefix + "_listens")`: the name matters only to the
            # queries of the session that creates it, never to the schema
            message = (
                f"the name of a temporary table or view comes from {expressions}, which "
                f"cannot be resolved statically{reason}; it lives in the session that "
                "creates it, so only a query of that session may read it"
            )
        else:
            severity = None  # the rule's own, warning
            message = (
                f"table name comes from {expressions}, which cannot be resolved statically"
                f"{reason}; the statement's other tables are still recorded. Use a module "
                "constant, or list the possible tables in a comment and in ignore_tables if "
                "they are known"
            )
        yield RULE.finding(
            table=None,
            message=message,
            locations=[Location(path=use.path, line=use.line, snippet=use.snippet)],
            severity=severity,
        )


def _one_per_statement(
    ctx: RuleContext,
) -> Iterator[tuple[DynamicUse, tuple[str, ...], tuple[str, ...]]]:
    """Each statement's dynamic names once, with every expression they come from: a name
    written twice in one statement (`DELETE FROM {t} WHERE id < (SELECT MIN(id) FROM {t})`),
    or read in two frames of which one knows a value the other does not (`self.database`
    resolved to a default in one subclass only), is one place to look at, not two findings;
    it names every expression and every reason once.
    A subquery and a temporary view stay apart from table names (their messages differ)."""
    grouped: dict[tuple[str, int, str], list[DynamicUse]] = {}
    for _node, data in nodes_of_kind(ctx.graph, "dynamic"):
        use = data["use"]
        kind = use.operation if use.operation in ("subquery", TEMPORARY_CREATION) else ""
        grouped.setdefault((use.path, use.line, kind), []).append(use)
    for uses in grouped.values():
        written = dict.fromkeys(e for use in uses for e in use.expressions)
        reasons = dict.fromkeys(use.reason for use in uses if use.reason)
        yield uses[0], tuple(written), tuple(reasons)


RULE = Rule(
    code="TT004",
    name="dynamic-table-name",
    severity="warning",
    summary="A table name interpolated from a value that cannot be resolved statically.",
    check=check,
    explanation=(
        "A SQL statement's table name is interpolated from a value tabletrace cannot resolve "
        "statically (a function argument, a dict lookup, a call result). The statement's other "
        "tables are still recorded; this one is unknown. The same holds for a whole derived "
        "table interpolated so (`FROM ({query}) AS t`, a pagination helper's count): the "
        "message then says a subquery, whose tables are unknown, not a table name."
    ),
    why_it_matters=(
        "This is where the analysis stops: a table used only through this statement looks dead "
        "or is missing from the inventory, so every other answer about it may be wrong."
    ),
    how_to_fix=(
        "Use a module constant (tabletrace resolves constants across modules), or, when the set "
        "of tables is known and fine, silence the line with `# tabletrace: "
        "ignore[dynamic-table-name]`."
    ),
    examples=(
        Example(
            files={
                "app/purge.py": (
                    "def purge(cur, table_name):\n"
                    '    cur.execute(f"DELETE FROM {table_name} WHERE id = %s", (1,))\n'
                )
            },
            expected=frozenset({"app/purge.py:2"}),
        ),
        Example(
            files={
                "app/purge.py": (
                    'TABLE = "sessions"\n\ndef purge(cur, uid):\n'
                    '    cur.execute(f"DELETE FROM {TABLE} WHERE id = {uid}")\n'
                ),
                "schema.sql": "CREATE TABLE sessions (id int);\n",
            },
        ),
    ),
)
