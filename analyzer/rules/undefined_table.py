"""TT001 undefined-table: code uses a table that no source creates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import CREATING_OPERATIONS, nodes_of_kind
from analyzer.rules.base import Example, Rule, RuleContext, plural, use_location
from analyzer.sql.refs import TEMPORARY_CREATION
from analyzer.status import is_undefined, needing_uses

if TYPE_CHECKING:
    from analyzer.models import Finding


def check(ctx: RuleContext) -> Iterator[Finding]:
    doubt = _creation_doubt(ctx)
    for node, data in nodes_of_kind(ctx.graph, "table"):
        if not is_undefined(ctx.graph, node, data):
            continue
        uses = needing_uses(ctx.graph, node)
        modules = sorted({use.module for use in uses})
        guessed = all(use.confidence == "low" and use.via == "sql" for use in uses)
        note = (
            " (confidence low: every use was read by a token scan, not by sqlglot's parser, see "
            "the sql-unparsed diagnostics; the name may be cut short there)"
            if guessed
            else doubt
        )
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display} is used by {plural(len(modules), 'module')} "
                f"({', '.join(modules[:3])}{', ...' if len(modules) > 3 else ''}) but created "
                "by no migration, SQL file or runtime DDL: add a migration that creates it, "
                f"or fix the name{note}"
            ),
            locations=[use_location(use) for use in uses],
            confidence="low" if guessed else "medium" if doubt else "high",
        )


def _creation_doubt(ctx: RuleContext) -> str:
    """Why "no source creates it" may be wrong: a `CREATE TABLE` (or a rename) in application
    code whose table name is known only at run time (`CREATE TABLE {self.staging_name}`) may
    create any table, and so may a model or `Table` whose name cannot be computed. An index, a
    constraint or a drop on such a name creates none."""
    places = sorted(
        {
            (data["use"].path, data["use"].line)
            for _, data in nodes_of_kind(ctx.graph, "dynamic")
            if data["use"].operation in CREATING_OPERATIONS
            or data["use"].operation == TEMPORARY_CREATION  # a session's view may be it
        }
    )
    unnamed = ctx.graph.graph.get("unnamed_models", 0)
    if not places:
        if not unnamed:
            return ""
        # `for entity in (...): Table(f"{entity}_role_map", Base.metadata, ...)`
        return (
            f" (confidence medium: the repository has {plural(unnamed, 'model')} or Table whose "
            "table name cannot be computed, see the orm-dynamic-tablename diagnostics; one of "
            "them may declare it)"
        )
    path, line = places[0]
    creates = (
        "creates a table whose name it takes"
        if len(places) == 1
        else "create tables whose names they take"
    )
    return (
        f" (confidence medium: {plural(len(places), 'statement')} in application code "
        f"{creates} at run time, the first at {path}:{line}, see dynamic-table-name; one of "
        "them may create it)"
    )


RULE = Rule(
    code="TT001",
    name="undefined-table",
    severity="error",
    summary="A table used by application code that no source creates.",
    check=check,
    explanation=(
        "Application code reads or writes this table, but no source creates it: no Alembic "
        "revision reaches it at head, no `.sql` file creates it, no runtime DDL and no ORM "
        "model declares it. Database catalogs (`pg_class`, `information_schema.*`, "
        "`sqlite_master`) and the tables migration tools keep for themselves "
        "(`alembic_version`, `django_migrations`...) are never reported: their status is "
        "`system`. When application code creates or renames a table whose name is known only "
        "at run time (`CREATE TABLE {name}`), or a model or `Table(...)` has a name tabletrace "
        "cannot compute (a `Table` declared in a loop), it may create this one: the finding "
        "says so and has confidence medium. When every use was read by the token scan of a "
        "statement sqlglot could not parse, the name itself may be cut short: confidence low."
    ),
    why_it_matters=(
        "On a database built from this repository's migrations the statement fails with "
        "\"relation does not exist\". Often the table is created by hand on production, by "
        "another repository, or the name is misspelt."
    ),
    how_to_fix=(
        "Add a migration that creates the table, or fix the name in the code. If another system "
        "owns the table (another application's database the code reads), name it in "
        "`external_tables` in `[tool.tabletrace]` (globs: `\"billing.*\"`): it becomes "
        "`external` and its uses stay in the report; or put `# tabletrace: "
        "ignore[undefined-table]` on the line that uses it."
    ),
    examples=(
        Example(  # another application's table, declared so
            files={
                "pyproject.toml": '[tool.tabletrace]\nexternal_tables = ["billing.*"]\n',
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM billing.invoices")\n',
            },
        ),
        Example(
            files={"app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM ghosts")\n'},
            expected=frozenset({"public.ghosts"}),
        ),
        Example(
            files={
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM users")\n',
                "schema.sql": "CREATE TABLE users (id int);\n",
            },
        ),
        Example(
            files={
                "app/repo.py": (
                    'def f(cur):\n    cur.execute("WITH recent AS (SELECT 1) '
                    'SELECT * FROM recent")\n'
                ),
            },
        ),
        Example(
            files={
                "app/health.py": (
                    'def f(cur):\n    cur.execute("SELECT relname FROM pg_class JOIN '
                    'information_schema.tables t ON true")\n'
                ),
            },
        ),
        Example(
            files={
                "app/backup.py": (
                    'def f(cur):\n    cur.execute("SELECT version_num FROM alembic_version")\n'
                ),
            },
        ),
        Example(
            files={
                "app/cleanup.py": (
                    'def f(cur):\n    cur.execute("DROP TABLE IF EXISTS legacy_sessions")\n'
                    '    cur.execute("ALTER TABLE IF EXISTS old_cache RENAME TO cache")\n'
                ),
            },
        ),
    ),
)
