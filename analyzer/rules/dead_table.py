"""TT002 dead-table: a table left in place by some source that no application code uses."""

from __future__ import annotations

from collections.abc import Iterator

import networkx as nx

from analyzer.graph import CREATING_OPERATIONS, nodes_of_kind, operations_on, uses_of
from analyzer.models import Finding
from analyzer.rules.base import Example, Rule, RuleContext, op_location, use_location, where


def _joins_a_used_table(graph: nx.MultiDiGraph, node: str) -> bool:
    """The join table of a many-to-many field of a model whose table code uses: forms,
    serializers, filters and templates reach it through the relation without naming it."""
    for source, _, data in graph.in_edges(node, data=True):
        reference = data.get("reference")
        if reference is not None and reference.via == "many_to_many" and any(
            use.kind in ("read", "write") for use in uses_of(graph, source)
        ):
            return True
    return False


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        if not data["present_in"] or "external" in data["present_in"]:
            continue  # (an external table is used by the app outside the repository owning it)
        uses = uses_of(ctx.graph, node)
        if any(use.kind in ("read", "write") for use in uses) or _joins_a_used_table(
            ctx.graph, node
        ):
            continue
        creates = operations_on(ctx.graph, node, CREATING_OPERATIONS | {"declare"})
        kinds = ", ".join(sorted(data["present_in"]))
        ddl_note = (
            f"; only DDL in application code touches it ({uses[0].path}:{uses[0].line})"
            if uses
            else ""
        )
        origin = f" (defined at {where(creates[0])})" if creates else ""
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display} exists in the final schema of {kinds} sources{origin} "
                f"but no application code reads or writes it{ddl_note}: drop it in a "
                "migration, or add it to ignore_tables if something outside this repository "
                "uses it"
            ),
            locations=[op_location(op) for op in creates]
            + [use_location(use) for use in uses],
        )


RULE = Rule(
    code="TT002",
    name="dead-table",
    severity="warning",
    summary="A table present in a source's final schema that no application code reads or writes.",
    check=check,
    explanation=(
        "The table is present in the final schema of at least one source (the Alembic head "
        "state, a `.sql` file, runtime DDL or an ORM model), but no application code reads or "
        "writes it. DDL alone (`CREATE TABLE IF NOT EXISTS` in code) does not count as a use. "
        "The join table of a Django many-to-many field counts as used when its model's table "
        "is: forms, serializers and templates reach it through the relation. Tables owned "
        "outside the repository (status `external`) are never dead."
    ),
    why_it_matters=(
        "Dead tables cost storage, backups and migrations, mislead readers about what the "
        "service stores, and hide the one table that is really used when two have similar "
        "names."
    ),
    how_to_fix=(
        "Drop it in a migration once you have checked that nothing outside this repository uses "
        "it. If something outside does (a BI tool, another service), add it to `ignore_tables`, "
        "or put `-- tabletrace: ignore[dead-table]` on the `CREATE TABLE` line."
    ),
    examples=(
        Example(
            files={"schema.sql": "CREATE TABLE old_audit (id int);\n"},
            expected=frozenset({"public.old_audit"}),
        ),
        Example(
            files={
                "schema.sql": "CREATE TABLE users (id int);\n",
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM public.users")\n',
            },
        ),
        Example(
            files={
                "migrations/001_a.sql": "CREATE TABLE tmp (id int);\n",
                "migrations/002_b.sql": "DROP TABLE tmp;\n",
            },
        ),
    ),
)
