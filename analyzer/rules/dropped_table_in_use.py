"""TT006 dropped-table-in-use: code uses a table that its sources create and then drop or rename."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import nodes_of_kind
from analyzer.rules.base import Example, Rule, RuleContext, op_location, use_location, where
from analyzer.status import needing_uses, removals_in_use

if TYPE_CHECKING:
    from analyzer.models import Finding


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        removals = removals_in_use(ctx.graph, node, data)
        if not removals:
            continue
        uses = needing_uses(ctx.graph, node)
        last = removals[-1]  # operations_on lists them in file:line order
        verb = (
            f"renamed to {last.peer.display}"
            if last.operation == "rename_from" and last.peer
            else "dropped"
        )
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display} is {verb} at {where(last)} and no source recreates "
                f"it, but application code still uses it: update the code or the migration"
            ),
            locations=[op_location(op) for op in removals]
            + [use_location(use) for use in uses],
        )


RULE = Rule(
    code="TT006",
    name="dropped-table-in-use",
    severity="error",
    summary="A table used by code that its sources drop or rename away and nothing recreates.",
    check=check,
    explanation=(
        "Application code uses the table, but a source drops it or renames it away (in an "
        "Alembic revision or an ordered SQL folder) and nothing recreates it by the end of that "
        "history. Application code that creates it again at run time (a job re-creating a "
        "view a revision dropped) brings it back where it runs: that is "
        "`runtime-created-table`."
    ),
    why_it_matters=(
        "On a database migrated to head, that code fails at run time. It usually means a "
        "migration landed before the code that still uses the old name was changed."
    ),
    how_to_fix=(
        "Update the code to use the new table (follow the rename shown in the finding), or "
        "revert the drop. `tabletrace history PATH TABLE` shows the table's timeline."
    ),
    examples=(
        Example(
            files={
                "db/001_init.sql": "CREATE TABLE prompts (id int);\n",
                "db/002_drop.sql": "DROP TABLE prompts;\n",
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM prompts")\n',
            },
            expected=frozenset({"public.prompts"}),
        ),
        Example(
            files={
                "db/001_init.sql": "CREATE TABLE prompts (id int);\n",
                "db/002_rename.sql": "ALTER TABLE prompts RENAME TO templates;\n",
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM templates")\n',
            },
        ),
        Example(  # a staging table the code builds and renames into place: its own CREATE
            # and the rename are no uses of it
            files={
                "app/store.py": (
                    "def rebuild(conn):\n"
                    '    conn.execute("CREATE TABLE IF NOT EXISTS root (id int)")\n'
                    '    conn.execute("CREATE TABLE IF NOT EXISTS new_root (id int, kind int)")\n'
                    '    conn.execute("DROP TABLE root")\n'
                    '    conn.execute("ALTER TABLE new_root RENAME TO root")\n'
                    '    return conn.execute("SELECT id FROM root")\n'
                ),
            },
        ),
        Example(  # the rows copied into the staging table, and out of a legacy table, by
            # the function that then renames or drops it: the table exists at those uses
            files={
                "app/store.py": (
                    "def rebuild(conn):\n"
                    '    conn.execute("CREATE TABLE IF NOT EXISTS root (id int)")\n'
                    '    conn.execute("CREATE TABLE new_root (id int, kind int)")\n'
                    '    conn.execute("INSERT INTO new_root (id) SELECT id FROM root")\n'
                    '    conn.execute("DROP TABLE root")\n'
                    '    conn.execute("ALTER TABLE new_root RENAME TO root")\n'
                    '    conn.execute("INSERT INTO root SELECT id, 0 FROM old_root")\n'
                    '    conn.execute("DROP TABLE old_root")\n'
                ),
            },
        ),
        Example(  # sqlalchemy-migrate's bookkeeping table, read while upgrading from it
            files={
                "db/001_init.sql": "CREATE TABLE migrate_version (version int);\n",
                "db/002_drop.sql": "DROP TABLE migrate_version;\n",
                "app/upgrade.py": (
                    'def f(cur):\n    cur.execute("SELECT version FROM migrate_version")\n'
                ),
            },
        ),
    ),
)
