"""TT005 duplicate-definition: more than one migration source creates the same table."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from analyzer.graph import MIGRATION_KINDS, nodes_of_kind, operations_on, source_node
from analyzer.rules.base import Example, Rule, RuleContext, op_location, where

if TYPE_CHECKING:
    from analyzer.models import Finding
    from analyzer.sources.model import SchemaOp

#: The examples' `users` model, and an Alembic environment whose one revision creates `users`.
USER_MODEL = (
    "from sqlalchemy import Column, Integer\n"
    "from sqlalchemy.orm import DeclarativeBase\n\n\n"
    "class Base(DeclarativeBase):\n    pass\n\n\n"
    "class User(Base):\n    __tablename__ = 'users'\n"
    "    id = Column(Integer, primary_key=True)\n"
)
ALEMBIC_USERS = {
    "alembic.ini": "[alembic]\nscript_location = migrations\n",
    "migrations/versions/a1.py": (
        'from alembic import op\nrevision = "a1"\ndown_revision = None\n'
        'def upgrade():\n    op.create_table("users")\n'
    ),
}


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        creates = [
            op
            for op in operations_on(ctx.graph, node, {"create"}, MIGRATION_KINDS)
            if not _bootstrap(ctx, op.source)
            and not _assumed(ctx, op.source)
            and not _alternative(ctx, op.source)
            and not _other_engine(ctx, op.source)
        ]
        sources = sorted({op.source for op in creates})
        owners = {_owner(ctx, source) for source in sources}
        if len(owners) < 2:
            continue  # one source, or one schema's per-engine variants (postgresql, sqlite)
        by_database: dict[str | None, set[str]] = {}
        for source in sources:
            by_database.setdefault(_database(ctx, source), set()).add(_owner(ctx, source))
        if all(len(found) < 2 for found in by_database.values()):
            continue  # each builds a database of its own (`DBConnection("cache.db")`)
        if _shared_idempotently(ctx, creates):
            continue
        table = data["key"].display
        builders = [op for op in creates if op.source_kind == "create_all"]
        if builders:
            message = _two_owners(table, builders[0], [op for op in creates if op not in builders])
        else:
            places = ", ".join(f"{op.path}:{op.line}" for op in creates)
            message = (
                f"{table} is created by {len(sources)} separate sources ({places}): decide "
                "which one owns it and remove the others"
            )
        yield RULE.finding(
            table=table, message=message, locations=[op_location(op) for op in creates]
        )


def _shared_idempotently(ctx: RuleContext, creates: list[SchemaOp]) -> bool:
    """Every source creates the table with `IF NOT EXISTS` and the very same columns, each
    owner in a folder of its own (neither inside the other's): two components that share one
    table by design (a storage and a permission backend each creating the `metadata` table
    they both use, on one database or on two), whichever runs first. Nothing clashes while
    the definitions agree; definition-drift says when they part. An `init.sql` and the
    `migrations/` below it are one component's: that duplicate is still reported."""
    if any(op.source_kind != "sql" or not op.if_not_exists for op in creates):
        return False
    shapes = {frozenset(op.columns) if op.columns is not None else None for op in creates}
    if len(shapes) != 1 or None in shapes:
        return False
    by_owner: dict[str, list[PurePosixPath]] = {}
    for op in creates:
        by_owner.setdefault(_owner(ctx, op.source), []).append(PurePosixPath(op.path).parent)
    # each owner's folder: the deepest one holding all its files
    folders = [PurePosixPath(os.path.commonpath(paths)) for paths in by_owner.values()]
    return not any(
        i != j and (a == b or a in b.parents)
        for i, a in enumerate(folders) for j, b in enumerate(folders)
    )


def _two_owners(table: str, builder: SchemaOp, others: list[SchemaOp]) -> str:
    """`create_all` and a migration source both create the table."""
    other = others[0]
    kind = {"alembic": "Alembic", "sql": "the SQL file"}.get(other.source_kind, other.source_kind)
    first = (
        "`alembic upgrade head` then fails with \"already exists\" unless the database is "
        "stamped"
        if other.source_kind == "alembic"
        else "the migration's CREATE then fails or is skipped"
    )
    return (
        f"{table} has two owners: `create_all` at {builder.path}:{builder.line} builds it from "
        f"the models, and {kind} creates it at {where(other)}. On an empty database, "
        f"create_all first means {first}; after the migrations, create_all silently adds "
        "whatever they lack, hiding a missing migration. Let one of them own the schema (keep "
        "create_all for tests)"
    )


def _bootstrap(ctx: RuleContext, source: str) -> bool:
    """create_all followed by `alembic stamp head`: Alembic's cookbook recipe for building a
    fresh database, where the models and the revisions agree rather than compete."""
    history = ctx.graph.nodes[source_node(source)].get("history")
    return bool(getattr(history, "bootstrap", False))


def _alternative(ctx: RuleContext, source: str) -> bool:
    """create_all in one branch of an `if` whose other branch runs the migrations (a dev or
    test database built from the models, production by `alembic upgrade head`): never both on
    one database. Whether models and migrations agree is model-drift's question."""
    history = ctx.graph.nodes[source_node(source)].get("history")
    return bool(getattr(history, "alternative_to", None))


def _assumed(ctx: RuleContext, source: str) -> bool:
    """A create_all whose MetaData was only assumed: whether it runs at all is unknown (an
    interface method with the MetaData as parameter is often never called)."""
    history = ctx.graph.nodes[source_node(source)].get("history")
    return bool(getattr(history, "assumed", False))


def _other_engine(ctx: RuleContext, source: str) -> bool:
    """SQL files written for another engine than the project's (`schema/sqlite/app.sql`, a
    SQLite dump beside PostgreSQL's migrations): a database runs one engine, so they build
    another database, not a rival of this one's owner."""
    history = ctx.graph.nodes[source_node(source)].get("history")
    dialect = getattr(history, "dialect", None)
    return dialect is not None and dialect != ctx.config.dialect


def _database(ctx: RuleContext, source: str) -> str | None:
    history = ctx.graph.nodes[source_node(source)].get("history")
    return getattr(history, "database", None)


def _owner(ctx: RuleContext, source: str) -> str:
    history = ctx.graph.nodes[source_node(source)].get("history")
    if getattr(history, "kind", None) == "create_all":
        return "create_all"  # several calls of create_all build one schema, the models'
    variant = getattr(history, "variant_of", None)
    return f"variants:{variant}" if variant else source


RULE = Rule(
    code="TT005",
    name="duplicate-definition",
    severity="warning",
    summary="A table created by more than one migration source (runtime DDL has TT003).",
    check=check,
    explanation=(
        "More than one migration source creates the table: two `.sql` files, a `.sql` file and "
        "an Alembic revision, two Alembic environments, or `metadata.create_all()` next to "
        "migrations (two owners: the message says what each order of running them does). "
        "Several `create_all` calls build one schema and count as one source; a `create_all` "
        "in a module that then runs `alembic stamp head` is Alembic's own recipe for a fresh "
        "database and no rival, and so is a `create_all` in one branch of an `if` whose other "
        "branch runs the migrations (`if env == 'dev': db.create_all() else: alembic upgrade "
        "head`): never both on one database. Nor are upgrade scripts (a chain named by "
        "versions, or a numbered folder whose creates would clash with it) and the script "
        "beside them that builds the latest schema from nothing: two ways to one schema. "
        "Nor are `.sql` files written for another engine than the project's (in a folder named "
        "for it, `schema/sqlite/`, or a `sqlite3 .dump` opening with `PRAGMA`): they build "
        "another database. Nor are SQL sources that each create the table with `IF NOT "
        "EXISTS` and the very same columns, each in a folder of its own (two components "
        "sharing one table by design): "
        "whichever runs first, nothing clashes, and definition-drift says when the definitions "
        "part. Runtime DDL is reported by TT003 instead."
    ),
    why_it_matters=(
        "The sources disagree sooner or later (columns, types, indexes), and which one ran "
        "decides what the database holds; a new environment built from one of them differs from "
        "production."
    ),
    how_to_fix=(
        "Decide which source owns the table and remove the other definitions (or turn them into "
        "documentation). If both are intended (e.g. one Alembic history per database engine), "
        "add `duplicate-definition` to `per-file-ignores` for one of the paths."
    ),
    examples=(
        Example(  # an upgrade chain and the fresh install's script: two ways to one schema
            files={
                "sql/create_app.sql": "CREATE TABLE users (id int, name text);\n",
                "sql/update_app_1_to_2.sql": "CREATE TABLE users (id int);\n",
                "sql/update_app_2_to_3.sql": "ALTER TABLE users ADD COLUMN name text;\n",
            },
        ),
        Example(
            files={
                "sql/init.sql": "CREATE TABLE users (id int);\n",
                "sql/legacy.sql": "CREATE TABLE users (id int, name text);\n",
            },
            expected=frozenset({"public.users"}),
        ),
        Example(  # two components sharing a table, each creating it idempotently alike
            files={
                "storage/schema.sql": (
                    "CREATE TABLE IF NOT EXISTS metadata (name text PRIMARY KEY, value text);\n"
                ),
                "permission/schema.sql": (
                    "CREATE TABLE IF NOT EXISTS metadata (name text PRIMARY KEY, value text);\n"
                ),
            },
            expected=frozenset(),
        ),
        Example(  # ... but not once their columns differ
            files={
                "storage/schema.sql": (
                    "CREATE TABLE IF NOT EXISTS metadata (name text PRIMARY KEY, value text);\n"
                ),
                "permission/schema.sql": (
                    "CREATE TABLE IF NOT EXISTS metadata (name text PRIMARY KEY);\n"
                ),
            },
            expected=frozenset({"public.metadata"}),
        ),
        Example(
            files={
                "sql/001_a.sql": "CREATE TABLE users (id int);\n",
                "sql/002_b.sql": "DROP TABLE users;\nCREATE TABLE users (id int);\n",
            },
            expected=frozenset(),
        ),
        Example(  # create_all next to Alembic: two owners
            files={
                **ALEMBIC_USERS,
                "app/models.py": USER_MODEL,
                "app/main.py": (
                    "from app.models import Base\n\n\n"
                    "def start(engine):\n    Base.metadata.create_all(engine)\n"
                ),
            },
            expected=frozenset({"public.users"}),
        ),
        Example(  # create_all for dev databases, the migrations otherwise: alternatives
            files={
                **ALEMBIC_USERS,
                "app/models.py": USER_MODEL,
                "app/manage.py": (
                    "import os\nimport subprocess\n\nfrom app.models import Base\n\n\n"
                    "def reset(engine):\n"
                    "    if os.environ.get('APP_ENV') == 'dev':\n"
                    "        Base.metadata.create_all(engine)\n"
                    "    else:\n"
                    "        subprocess.check_call(['alembic', 'upgrade', 'head'])\n"
                ),
            },
            expected=frozenset(),
        ),
        Example(  # two calls of create_all build one schema
            files={
                "app/models.py": USER_MODEL,
                "app/main.py": (
                    "from app.models import Base\n\n\n"
                    "def start(engine):\n    Base.metadata.create_all(engine)\n"
                ),
                "scripts/init_db.py": (
                    "from app.models import Base\n\n\n"
                    "def main(engine):\n    Base.metadata.create_all(engine)\n"
                ),
            },
        ),
        Example(  # one schema, one Alembic history per database engine
            files={
                f"db/versions/{engine}/{engine}_1.py": (
                    f'from alembic import op\nrevision = "{engine}1"\ndown_revision = None\n'
                    'def upgrade():\n    op.create_table("users")\n'
                )
                for engine in ("postgresql", "sqlite")
            },
            expected=frozenset(),
        ),
    ),
)
