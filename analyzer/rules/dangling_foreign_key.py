"""TT016 dangling-foreign-key: a CREATE or ALTER statement's foreign key references a table no
source creates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import CREATING_OPERATIONS, operations_on, table_node
from analyzer.models import Location
from analyzer.rules.base import Example, Rule, RuleContext
from analyzer.sql.names import is_system_table
from analyzer.sql.refs import TEMPORARY_CREATION
from analyzer.status import is_external

if TYPE_CHECKING:
    from analyzer.models import Finding
    from analyzer.sql.names import TableKey


def check(ctx: RuleContext) -> Iterator[Finding]:
    # one finding per statement of a file: a CREATE in a list of statements is read at the
    # literal and at each call running it, all its lines are the finding's locations
    statements: dict[tuple[str, str, TableKey], list[int]] = {}
    for path, line, snippet, key in ctx.graph.graph.get("foreign_keys", []):
        lines = statements.setdefault((path, snippet, key), [])
        if line not in lines:
            lines.append(line)
    for (path, snippet, key), lines in statements.items():
        if not _created_nowhere(ctx, key):
            continue
        yield RULE.finding(
            table=key.display,
            message=(
                f"`{snippet}` references {key.display}, which no source of the repository "
                "creates: PostgreSQL refuses the statement (relation does not exist), and "
                "SQLite accepts it but, with foreign keys on, fails every insert into its "
                "table; fix the name, or create the table first"
            ),
            locations=[Location(path=path, line=line, snippet=snippet) for line in lines],
        )


def _created_nowhere(ctx: RuleContext, key: TableKey) -> bool:
    """No source creates, declares or holds the table, and it is no system, external or
    ignored table (a created-then-dropped table is another problem)."""
    if ctx.config.ignores(key) or is_system_table(key):
        return False
    node = table_node(key)
    if node not in ctx.graph:
        return True
    data = ctx.graph.nodes[node]
    if data["present_in"] or is_external(data):
        return False
    return not any(
        op.operation in CREATING_OPERATIONS
        or op.operation in ("declare", "broken", TEMPORARY_CREATION)
        for op in operations_on(ctx.graph, node)
    )


RULE = Rule(
    code="TT016",
    name="dangling-foreign-key",
    severity="warning",
    summary="A foreign key in a CREATE or ALTER statement references a table no source creates.",
    check=check,
    explanation=(
        "A `CREATE TABLE` or `ALTER TABLE` in a `.sql` file or in Python code (runtime DDL, a "
        "home-made migration) declares a foreign key (`REFERENCES parent (id)`, `FOREIGN KEY "
        "(pid) REFERENCES parent`) to a table that no source of the repository creates: no "
        "migration, SQL file, runtime DDL, ORM model or create_all, and no external or "
        "ignored table. It is usually a typo (`tbl_scan_instances` for `tbl_scan_instance`) "
        "or a table removed long ago."
    ),
    why_it_matters=(
        "PostgreSQL rejects the statement (`relation does not exist`), so the table is never "
        "created on a fresh database. SQLite accepts it, but once foreign keys are enforced "
        "(`PRAGMA foreign_keys = ON`) every insert into the table fails (`foreign key "
        "mismatch`), and without enforcement the key protects nothing."
    ),
    how_to_fix=(
        "Fix the referenced name, or create the referenced table before this statement. If "
        "the table belongs to another application's database, list it in `external_tables`; "
        "`-- tabletrace: ignore[dangling-foreign-key]` on the line silences one finding."
    ),
    examples=(
        Example(
            files={
                "db/schema.sql": (
                    "CREATE TABLE scan (guid text PRIMARY KEY);\n"
                    "CREATE TABLE scan_log (\n"
                    "  scan_guid text REFERENCES scans (guid),\n"
                    "  message text\n"
                    ");\n"
                ),
            },
            expected=frozenset({"public.scans"}),
        ),
        Example(
            files={
                "db/schema.sql": (
                    "CREATE TABLE scan (guid text PRIMARY KEY);\n"
                    "CREATE TABLE scan_log (\n"
                    "  scan_guid text,\n"
                    "  FOREIGN KEY (scan_guid) REFERENCES scan (guid)\n"
                    ");\n"
                ),
            },
        ),
    ),
)
