"""TT003 runtime-created-table: application code creates a table with DDL at run time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

from analyzer.graph import MIGRATION_KINDS, nodes_of_kind, operations_on
from analyzer.rules.base import Example, Rule, RuleContext, op_location
from analyzer.sources.model import EXTERNAL_KIND, OWN_FILE_PREFIX

EXTERNAL_PREFIX = f"{EXTERNAL_KIND}:"

if TYPE_CHECKING:
    from analyzer.models import Finding
    from analyzer.sources.model import SchemaOp


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        ops = operations_on(ctx.graph, node)
        runtime = [op for op in ops if op.source_kind == "runtime" and op.operation == "create"]
        if not runtime or _renamed_into_place(ops, data):
            continue
        migrations = sorted(
            f"{op.path}:{op.line}"
            for op in ops
            if op.source_kind in MIGRATION_KINDS and op.operation == "create"
        )
        table = data["key"].display
        own_file = next(
            (h.id for h, _ in data["states"] if h.id.startswith(OWN_FILE_PREFIX)), None
        )
        if own_file is not None and not migrations:
            message = (
                f"{table} is created at run time by {runtime[0].path}:{runtime[0].line}, in the "
                f"{own_file.removeprefix(EXTERNAL_PREFIX)}: a database of the code's own beside "
                "the application's, whose migrations are not expected to know it"
            )
            severity = "info"
        elif migrations:
            message = (
                f"{table} is created at run time by {runtime[0].path}:{runtime[0].line} and also "
                f"by {', '.join(migrations)}: two places own its "
                "schema; keep one"
            )
            severity = "info"
        else:
            message = (
                f"{table} is created only at run time by {runtime[0].path}:{runtime[0].line}: "
                "no migration knows it, so a fresh database gets it only after that code runs; "
                "move the DDL into a migration"
            )
            severity = "warning"
        yield RULE.finding(
            table=table,
            message=message,
            locations=[op_location(op) for op in runtime],
            severity=severity,
        )


def _renamed_into_place(ops: list[SchemaOp], data: Mapping[str, Any]) -> bool:
    """A staging table: the code that creates it renames it to the table it rebuilds, and no
    final state has it. The finding on that table is the one to act on."""
    return not data["present_in"] and any(
        op.source_kind == "runtime" and op.operation == "rename_from" for op in ops
    )


RULE = Rule(
    code="TT003",
    name="runtime-created-table",
    severity="warning",
    summary="A table created by DDL in application code (warning when no migration creates it).",
    check=check,
    explanation=(
        "Application code creates this table with DDL at run time (`CREATE TABLE` in a string "
        "passed to `execute`). The finding is a warning when no migration creates the table, "
        "and info when a migration also creates it (two places own its schema). A temporary "
        "table (`CREATE TEMP TABLE`) is not reported: it lives in the session that creates it, "
        "and its status is `temporary`."
    ),
    why_it_matters=(
        "A fresh database gets the table only after that code path runs, so migrations, reviews "
        "and `alembic autogenerate` do not see it, and the two definitions drift apart."
    ),
    how_to_fix=(
        "Move the DDL into a migration (Alembic revision or SQL file) and delete it from the "
        "code. For scratch tables that truly belong to the code, silence the line with `# "
        "tabletrace: ignore[runtime-created-table]`."
    ),
    examples=(
        Example(
            files={
                "app/cache.py": (
                    'def init(cur):\n    cur.execute("CREATE TABLE IF NOT EXISTS cache '
                    '(k text, v text)")\n    cur.execute("SELECT v FROM cache")\n'
                )
            },
            expected=frozenset({"public.cache"}),
        ),
        Example(
            files={"app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM users")\n'},
        ),
        Example(  # a temporary table lives in the session: no migration could create it
            files={
                "app/purge.py": (
                    'def purge(cur):\n    cur.execute("CREATE TEMP TABLE doomed (id int)")\n'
                    '    cur.execute("SELECT id FROM doomed")\n'
                )
            },
        ),
        Example(  # a staging table renamed into place: the finding is on the table it becomes
            files={
                "app/store.py": (
                    "def rebuild(cur):\n"
                    '    cur.execute("CREATE TABLE IF NOT EXISTS notes (id int, body text)")\n'
                    '    cur.execute("CREATE TABLE notes_new (id int)")\n'
                    '    cur.execute("INSERT INTO notes_new SELECT id FROM notes")\n'
                    '    cur.execute("DROP TABLE notes")\n'
                    '    cur.execute("ALTER TABLE notes_new RENAME TO notes")\n'
                )
            },
            expected=frozenset({"public.notes"}),
        ),
    ),
)
