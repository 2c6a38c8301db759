"""A plugin's own Alembic revisions, run by the application after the core's head.

CTFd's plugins keep revisions of their own, written `def upgrade(op=None)`: the application
builds `Operations(context)` and hands it to each revision once the core's `alembic upgrade
head` has run. Those revisions change the core's tables. tabletrace reads `op` given as a
parameter as Alembic's, reads the plugin's environment as running after the core's
(`analyzer.sources.order.extend_environments`), and reads `batch_alter_table(...,
recreate="always")` as the table rebuild it is, even around an empty block. Alembic itself
runs the same revisions on SQLite, and the model's columns are what it leaves.
"""

from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations

from analyzer import scan
from tests.conftest import MakeRepo, importable

CORE_REVISION = '''\
"""widgets

Revision ID: 001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "001"
down_revision = None


def upgrade():
    op.create_table(
        "widgets",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(80)),
    )


def downgrade():
    op.drop_table("widgets")
'''

PLUGIN_COLOR = '''\
"""widget colors

Revision ID: aaa
Revises:
"""
import sqlalchemy as sa

revision = "aaa"
down_revision = None


def upgrade(op=None):
    op.add_column("widgets", sa.Column("color", sa.String(20)))


def downgrade(op=None):
    op.drop_column("widgets", "color")
'''

PLUGIN_REBUILD = '''\
"""rebuild for AUTOINCREMENT

Revision ID: bbb
Revises: aaa
"""

revision = "bbb"
down_revision = "aaa"


def upgrade(op=None):
    batches = [
        op.batch_alter_table(
            "widgets", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ),
    ]
    for batch in batches:
        with batch:
            pass


def downgrade(op=None):
    pass
'''

FILES: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/models.py": (
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class Widget(Base):\n"
        '    __tablename__ = "widgets"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
        "    name = sa.Column(sa.String(80))\n"
        "    color = sa.Column(sa.String(20))\n\n\n"
        "def colors(session):\n"
        "    return [w.color for w in session.query(Widget)]\n"
    ),
    "app/plugins/__init__.py": "",
    "app/plugins/shop/__init__.py": "",
    "app/plugins/shop/migrations/aaa_widget_colors.py": PLUGIN_COLOR,
    "app/plugins/shop/migrations/bbb_rebuild.py": PLUGIN_REBUILD,
    "migrations/env.py": "from alembic import context\n",
    "migrations/versions/001_widgets.py": CORE_REVISION,
}


def _module(path: Path) -> object:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _columns_after_upgrade(revision: Any, database: Path, table: str) -> list[str]:
    """Run a revision module's `upgrade()` alone (Alembic's `op` bound to the SQLite file
    `database`) and list the columns `table` has then."""
    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
            revision.upgrade()
        return [c["name"] for c in sa.inspect(engine).get_columns(table)]
    finally:
        engine.dispose()


def test_a_plugins_revisions_build_on_the_core_head(make_repo: MakeRepo, tmp_path: Path) -> None:
    root = make_repo(FILES)
    report = scan(root)
    # no drift (the plugin adds `color`), no revision out of order (the plugin's runs after
    # the core's head) and none documentation-only (the rebuild changes the table)
    assert report.findings == []
    assert [(d.code, d.path, d.line) for d in report.diagnostics] == [
        ("alembic-extends-environment", "app/plugins/shop/migrations/aaa_widget_colors.py", 13),
    ]
    (widgets,) = report.tables
    assert (widgets.name, widgets.status) == ("widgets", "used")
    assert [(d.path, d.line, d.operation, d.detail) for d in widgets.definitions] == [
        ("app/plugins/shop/migrations/aaa_widget_colors.py", 13, "alter", "add column color"),
        ("app/plugins/shop/migrations/bbb_rebuild.py", 13, "alter", None),
        ("migrations/versions/001_widgets.py", 14, "create", None),
        ("app/models.py", 7, "declare", None),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()

    # Alembic runs the core's revision, then the plugin's with an `Operations` handed in
    database = tmp_path / "shop.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        context = MigrationContext.configure(conn)
        with Operations.context(context):
            _module(root / "migrations/versions/001_widgets.py").upgrade()  # type: ignore[attr-defined]
        op = Operations(context)
        for name in ("aaa_widget_colors.py", "bbb_rebuild.py"):
            _module(root / "app/plugins/shop/migrations" / name).upgrade(op=op)  # type: ignore[attr-defined]
    columns = [c["name"] for c in sa.inspect(engine).get_columns("widgets")]
    engine.dispose()
    with importable(root):
        from app.models import Base  # type: ignore[import-not-found]

        assert columns == [c.name for c in Base.metadata.tables["widgets"].columns]
    assert columns == ["id", "name", "color"]
    # the rebuild really happened: the table now has SQLite's AUTOINCREMENT
    with sqlite3.connect(database) as conn:
        (sql,) = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'widgets'").fetchone()
    assert "AUTOINCREMENT" in sql


def test_alone_the_plugins_revisions_still_fail_where_no_environment_has_the_table(
    make_repo: MakeRepo,
) -> None:
    """Without the core's environment nothing creates `widgets`: the plugin's first change
    to it stays a migration-order fault, and nothing is said to extend anything."""
    files = {k: v for k, v in FILES.items() if not k.startswith("migrations/")}
    report = scan(make_repo(files))
    assert sorted((f.name, f.path, f.line) for f in report.findings) == [
        ("migration-order", "app/plugins/shop/migrations/aaa_widget_colors.py", 13),
        ("model-without-migration", "app/models.py", 7),
    ]
    assert [d.code for d in report.diagnostics] == []


LOOPED_COLUMNS = '''\
"""servers

Revision ID: a1
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("servers", sa.Column("id", sa.Integer(), primary_key=True))
    existing = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("servers")}
    new_columns = [
        ("tags", sa.Column("tags", sa.JSON())),
        ("note", sa.Column("note", sa.String())),
    ]
    to_add = [col for name, col in new_columns if name not in existing]
    if to_add:
        with op.batch_alter_table("servers") as batch_op:
            for col in to_add:
                batch_op.add_column(col)
'''


def test_columns_added_from_a_loop_over_pairs_are_read(
    make_repo: MakeRepo, tmp_path: Path,
) -> None:
    """`for col in to_add: batch_op.add_column(col)`, the columns picked by a comprehension
    from (name, column) pairs the revision spells out (pgAdmin's idempotent revision): each
    column is added, conditionally (which ones the comprehension keeps is decided at run
    time), so the model declaring them does not drift. Alembic adds both columns."""
    root = make_repo({
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/env.py": "from alembic import context\n",
        "migrations/versions/a1_servers.py": LOOPED_COLUMNS,
        "app/__init__.py": "",
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Server(Base):\n"
            '    __tablename__ = "servers"\n'
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    tags = sa.Column(sa.JSON)\n"
            "    note = sa.Column(sa.String)\n\n\n"
            "def notes(session):\n"
            "    return [s.note for s in session.query(Server)]\n"
        ),
    })
    report = scan(root)
    assert report.diagnostics == []
    assert report.findings == []
    servers = report.table("public.servers")
    assert servers is not None
    assert [(d.line, d.operation, d.conditional) for d in servers.definitions if d.line == 24] == [
        (24, "alter", True), (24, "alter", True),
    ]
    (head,) = [s for s in servers.states if s.source_kind == "alembic"]
    assert head.columns == ["id", "tags", "note"]
    revision = _module(root / "migrations/versions/a1_servers.py")
    assert _columns_after_upgrade(revision, tmp_path / "servers.db", "servers") == [
        "id", "tags", "note"
    ]


UNPACKED_COLUMNS = '''\
"""users and teams

Revision ID: a1
Revises:
"""
import sqlalchemy as sa
from alembic import op

from app.columns import audit

revision = "a1"
down_revision = None

AUDIT = (sa.Column("created_by", sa.String()),)


def timestamps():
    return (
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        *timestamps(),
        *AUDIT,
        *audit(),
    )
    op.create_table("teams", sa.Column("id", sa.Integer(), primary_key=True), *extra_columns())
'''


def test_columns_unpacked_from_a_helper_of_the_revision_are_the_tables(
    make_repo: MakeRepo, tmp_path: Path,
) -> None:
    """`op.create_table("users", ..., *timestamps(), *AUDIT, *audit())`, a helper and a
    constant of the revision, a helper of the project it imports: their columns are the
    table's (a model declaring them had a false `model-drift`). An unpacked value tabletrace
    cannot read (`*extra_columns()`, defined nowhere it reads) leaves the table's columns
    open: an `alembic-dynamic-column` diagnostic, and `model-drift` hedged. Alembic creates
    exactly the columns read."""
    root = make_repo({
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/env.py": "from alembic import context\n",
        "migrations/versions/a1_users.py": UNPACKED_COLUMNS,
        "app/__init__.py": "",
        "app/columns.py": (
            "import sqlalchemy as sa\n\n\n"
            "def audit():\n    return [sa.Column('updated_by', sa.String())]\n"
        ),
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class User(Base):\n"
            '    __tablename__ = "users"\n'
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    created_at = sa.Column(sa.DateTime)\n"
            "    updated_at = sa.Column(sa.DateTime)\n"
            "    created_by = sa.Column(sa.String)\n"
            "    updated_by = sa.Column(sa.String)\n\n\n"
            "class Team(Base):\n"
            '    __tablename__ = "teams"\n'
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    label = sa.Column(sa.String)\n\n\n"
            "def everyone(session):\n"
            "    return session.query(User).all() + session.query(Team).all()\n"
        ),
    })
    report = scan(root)
    users = report.table("public.users")
    assert users is not None
    assert {s.source_kind: s.columns for s in users.states}["alembic"] == [
        "id", "created_at", "updated_at", "created_by", "updated_by"
    ]
    assert [(d.code, d.line) for d in report.diagnostics] == [("alembic-dynamic-column", 32)]
    (drift,) = report.findings
    assert (drift.name, drift.table, drift.confidence) == ("model-drift", "public.teams", "medium")
    with importable(root):
        module = _module(root / "migrations/versions/a1_users.py")
        module.extra_columns = lambda: ()  # type: ignore[attr-defined]
        columns = _columns_after_upgrade(module, tmp_path / "users.db", "users")
    assert columns == ["id", "created_at", "updated_at", "created_by", "updated_by"]


FORWARDING_HELPERS = '''\
from alembic import op


def create_table_if_missing(table_name, *args, **kwargs):
    return op.create_table(table_name, *args, **kwargs)


def add_column_if_missing(table_name, column, **kwargs):
    op.add_column(table_name, column, **kwargs)
'''
FORWARDED_REVISION = '''\
"""ports"""
import sqlalchemy as sa

from app import migration

revision = "a1"
down_revision = None


def upgrade():
    migration.create_table_if_missing(
        "port_flags",
        sa.Column("port_id", sa.String(36), primary_key=True),
        sa.Column("trusted", sa.Boolean()),
    )
    migration.add_column_if_missing("port_flags", sa.Column("qinq", sa.Boolean()))
'''


def test_columns_a_helper_hands_on_to_create_table_are_the_tables(
    make_repo: MakeRepo, tmp_path: Path,
) -> None:
    """`def create_table_if_missing(table_name, *args): op.create_table(table_name, *args)`
    and `add_column_if_missing(table_name, column)` (neutron's migration helpers): the
    columns are the ones the revision hands them. A model declaring them had a `model-drift`
    (the table's columns were open, or `qinq` missing). Alembic creates exactly these."""
    root = make_repo({
        "alembic.ini": "[alembic]\nscript_location = migrations\n",
        "migrations/env.py": "from alembic import context\n",
        "migrations/versions/a1_ports.py": FORWARDED_REVISION,
        "app/__init__.py": "",
        "app/migration.py": FORWARDING_HELPERS,
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class PortFlags(Base):\n"
            '    __tablename__ = "port_flags"\n'
            "    port_id = sa.Column(sa.String(36), primary_key=True)\n"
            "    trusted = sa.Column(sa.Boolean)\n"
            "    qinq = sa.Column(sa.Boolean)\n\n\n"
            "def flags(session):\n"
            "    return session.query(PortFlags).all()\n"
        ),
    })
    report = scan(root)
    flags = report.table("public.port_flags")
    assert flags is not None
    assert {s.source_kind: s.columns for s in flags.states}["alembic"] == [
        "port_id", "trusted", "qinq"
    ]
    assert [(f.name, f.table) for f in report.findings] == []
    assert [d.code for d in report.diagnostics] == []
    with importable(root):
        module = _module(root / "migrations/versions/a1_ports.py")
        columns = _columns_after_upgrade(module, tmp_path / "ports.db", "port_flags")
    assert columns == ["port_id", "trusted", "qinq"]


RUNNER_CREATE = '''\
"""items

Revision ID: r1
Revises:
"""
import sqlalchemy as sa

revision = "r1"
down_revision = None


def upgrade(op, tables, tester):
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("legacy_code", sa.String(10)),
        sa.Column("title", sa.String(80)),
    )
'''

RUNNER_BATCH = '''\
"""drop the legacy code, rename the title

Revision ID: r2
Revises: r1
"""

revision = "r2"
down_revision = "r1"


def upgrade(op, tables, tester):
    with op.batch_alter_table("items") as batch_op:
        batch_op.drop_column("legacy_code")
        batch_op.alter_column("title", new_column_name="name")
'''


def test_a_batch_entered_from_the_op_a_runner_hands_in(make_repo: MakeRepo, tmp_path: Path) -> None:
    """`def upgrade(op, tables, tester)`, then `with op.batch_alter_table("items") as
    batch_op: batch_op.drop_column(...)`: the batch of the runner's `op` is a batch of
    `items` (its operations had been read as nothing, so a dropped column stayed in the
    final schema and the model, without it, drifted). Alembic runs the revisions with an
    `Operations` handed in, and the model's columns are what it leaves."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Item(Base):\n"
            '    __tablename__ = "items"\n'
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    name = sa.Column(sa.String(80))\n\n\n"
            "def names(session):\n"
            "    return [i.name for i in session.query(Item)]\n"
        ),
        "migrations/env.py": "from alembic import context\n",
        "migrations/versions/r1_items.py": RUNNER_CREATE,
        "migrations/versions/r2_batch.py": RUNNER_BATCH,
    })
    report = scan(root)
    assert report.findings == []
    (items,) = report.tables
    assert [(d.path, d.line, d.operation, d.detail) for d in items.definitions] == [
        ("migrations/versions/r1_items.py", 13, "create", None),
        ("migrations/versions/r2_batch.py", 13, "alter", "drop column legacy_code"),
        ("migrations/versions/r2_batch.py", 14, "alter", "rename column title to name"),
        ("app/models.py", 7, "declare", None),
    ]

    database = tmp_path / "items.db"
    engine = sa.create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        op = Operations(MigrationContext.configure(conn))
        for name in ("r1_items.py", "r2_batch.py"):
            _module(root / "migrations/versions" / name).upgrade(op, None, None)  # type: ignore[attr-defined]
    columns = [c["name"] for c in sa.inspect(engine).get_columns("items")]
    engine.dispose()
    with importable(root):
        from app.models import Base  # type: ignore[import-not-found]

        assert columns == [c.name for c in Base.metadata.tables["items"].columns]
    assert columns == ["id", "name"]
