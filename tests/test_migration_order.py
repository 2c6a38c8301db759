"""TT015 migration-order: each ordered source replayed from an empty database, step by step.

The static verdicts are held against the real tools: `alembic upgrade head` on SQLite (and on
PostgreSQL when TABLETRACE_PG_URL is set) must stop at exactly the revision tabletrace names,
and run through once the source tabletrace says must run first has run.
"""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from analyzer import Report, scan
from tests.conftest import ALEMBIC_ENV_PY, MakeRepo, alembic_config
from tests.pg import MakeDatabase, make_database, pg_server

__all__ = ["make_database", "pg_server"]  # fixtures used by name below

INI = {"alembic.ini": "[alembic]\nscript_location = migrations\n"}
V = "migrations/versions"
SCRIPT_MAKO = '"""${message}"""\n'


def revision(rev: str, down: str | tuple[str, ...] | None, body: str) -> str:
    return (
        f'"""{rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n\ndef upgrade():\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "    ")
    )


def order_findings(report: Report) -> list[tuple[str | None, str, str | None, int | None]]:
    return sorted(
        (f.table, f.severity, f.path, f.line)
        for f in report.findings
        if f.name == "migration-order"
    )


def message(report: Report, table: str) -> str:
    (found,) = [f for f in report.findings if f.name == "migration-order" and f.table == table]
    return found.message


# --- the seed's headline: a revision needs a table only an init dump creates -----------------

SEED_REPO = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    "migrations/script.py.mako": SCRIPT_MAKO,
    f"{V}/a1_users.py": revision(
        "a1", None, 'op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))'
    ),
    f"{V}/b2_drop_fax.py": revision("b2", "a1", 'op.drop_column("legacy_profiles", "fax")'),
    f"{V}/c3_tags.py": revision(
        "c3", "b2", 'op.create_table("tags", sa.Column("id", sa.Integer, primary_key=True))'
    ),
    "sql/init.sql": "CREATE TABLE legacy_profiles (id int PRIMARY KEY, fax text, name text);\n",
    "app/profiles.py": (
        "def names(cur):\n"
        '    cur.execute("SELECT name FROM legacy_profiles JOIN users ON true JOIN tags ON true")\n'
    ),
}


def test_revision_needing_a_table_only_an_init_dump_creates(make_repo: MakeRepo) -> None:
    report = scan(make_repo(SEED_REPO))
    assert order_findings(report) == [
        ("public.legacy_profiles", "warning", f"{V}/b2_drop_fax.py", 10)
    ]
    text = message(report, "public.legacy_profiles")
    assert text.startswith(
        "`alembic upgrade head` on an empty database stops at revision b2 "
        f"({V}/b2_drop_fax.py:10): `op.drop_column(\"legacy_profiles\", \"fax\")` needs table "
        "public.legacy_profiles, which no earlier revision creates"
    )
    assert "the SQL file sql/init.sql:1 creates it: run it first" in text


def _current(url: str) -> str | None:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            if not sa.inspect(conn).has_table("alembic_version"):
                return None
            return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()


def test_real_alembic_stops_where_tabletrace_says(make_repo: MakeRepo, tmp_path: Path) -> None:
    """`alembic upgrade head` on an empty SQLite database fails in b2 (a1 committed, b2 not);
    after sql/init.sql, which tabletrace names as the source to run first, it reaches head."""
    root = make_repo(SEED_REPO)
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with pytest.raises(sa.exc.OperationalError, match="no such table: legacy_profiles"):
        command.upgrade(alembic_config(root, url), "head")
    assert _current(url) in (None, "a1")  # nothing after the revision tabletrace names ran

    prepared = tmp_path / "prepared.db"
    with sqlite3.connect(prepared) as conn:
        conn.executescript((root / "sql/init.sql").read_text())
    command.upgrade(alembic_config(root, f"sqlite:///{prepared}"), "head")
    assert _current(f"sqlite:///{prepared}") == "c3"


def _alembic_url(url: str) -> str:
    """A test database's `postgresql://` URL in the form SQLAlchemy opens with psycopg 3."""
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def test_real_alembic_on_postgresql_stops_where_tabletrace_says(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """The same on PostgreSQL (CI provides it): relation does not exist, in b2."""
    from analyzer.database.url import parse_database_url

    root = make_repo(SEED_REPO)
    empty = _alembic_url(make_database(""))
    with pytest.raises(sa.exc.ProgrammingError, match='relation "legacy_profiles" does not exist'):
        command.upgrade(alembic_config(root, empty), "head")
    assert _current(empty) in (None, "a1")
    prepared = make_database((root / "sql/init.sql").read_text())
    assert parse_database_url(prepared).kind == "postgresql"
    prepared = _alembic_url(prepared)
    command.upgrade(alembic_config(root, prepared), "head")
    assert _current(prepared) == "c3"


def test_no_source_creates_it_is_an_error(make_repo: MakeRepo) -> None:
    files = {k: v for k, v in SEED_REPO.items() if k != "sql/init.sql"}
    report = scan(make_repo(files))
    assert order_findings(report) == [
        ("public.legacy_profiles", "error", f"{V}/b2_drop_fax.py", 10)
    ]
    assert "and no other source creates it: create it in an earlier revision, or remove the " \
        "step" in message(report, "public.legacy_profiles")


def test_missing_column_names_the_columns_at_that_point(make_repo: MakeRepo) -> None:
    report = scan(
        make_repo(
            {
                **INI,
                f"{V}/a1.py": revision(
                    "a1", None,
                    'op.create_table("users", sa.Column("id", sa.Integer), '
                    'sa.Column("email", sa.Text))',
                ),
                f"{V}/b2.py": revision("b2", "a1", 'op.drop_column("users", "nickname")'),
                f"{V}/c3.py": revision("c3", "b2", 'op.drop_column("users", "email")'),
            }
        )
    )
    assert order_findings(report) == [("public.users", "error", f"{V}/b2.py", 10)]
    assert (
        "needs column nickname of public.users, which public.users does not have at that "
        "point (its columns then: id, email)" in message(report, "public.users")
    )


def test_sibling_branches_assume_neither_order_and_a_merge_sees_both(
    make_repo: MakeRepo,
) -> None:
    """b and c both follow a: c cannot rely on b's table (alembic may run c first); d merges
    b and c, so it may rely on both."""
    report = scan(
        make_repo(
            {
                **INI,
                f"{V}/a.py": revision("a", None, 'op.create_table("users", sa.Column("id"))'),
                f"{V}/b.py": revision("b", "a", 'op.create_table("teams", sa.Column("id"))'),
                f"{V}/c.py": revision("c", "a", 'op.add_column("teams", sa.Column("x"))'),
                f"{V}/d.py": revision(
                    "d", ("b", "c"), 'op.rename_table("teams", "squads")\nop.drop_table("users")'
                ),
            }
        )
    )
    # add_column needs the table too, but it is an ALTER that changes columns: reported
    assert order_findings(report) == [("public.teams", "error", f"{V}/c.py", 10)]
    assert message(report, "public.teams").endswith(
        "Alembic migrations/versions/b.py:10 (revision b) of the same source creates it, but "
        "not before this step on every path `alembic upgrade` may take: make this revision "
        "depend on that one (down_revision or depends_on), or move the step"
    )


def test_steps_that_tolerate_the_state_are_not_faults(make_repo: MakeRepo) -> None:
    report = scan(
        make_repo(
            {
                **INI,
                f"{V}/a.py": revision("a", None, 'op.create_table("users", sa.Column("id"))'),
                f"{V}/b.py": revision(
                    "b",
                    "a",
                    """
                    bind = op.get_bind()
                    if sa.inspect(bind).has_table("legacy"):
                        op.drop_table("legacy")
                    op.execute("DROP TABLE IF EXISTS old_audit")
                    op.execute("ALTER TABLE IF EXISTS old_users DROP COLUMN fax")
                    op.execute("ALTER TABLE users DROP COLUMN IF EXISTS fax")
                    """,
                ),
            }
        )
    )
    assert order_findings(report) == []


def test_create_all_bootstrap_makes_alembic_faults_informational(make_repo: MakeRepo) -> None:
    report = scan(
        make_repo(
            {
                **INI,
                f"{V}/a.py": revision("a", None, 'op.add_column("users", sa.Column("email"))'),
                f"{V}/b.py": revision("b", "a", 'op.create_index("ix_t", "teams", ["id"])'),
                "app/models.py": (
                    "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
                    "class Base(DeclarativeBase):\n    pass\n\n\n"
                    "class User(Base):\n"
                    '    __tablename__ = "users"\n'
                    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
                    "    email: Mapped[str]\n\n\n"
                    "class Team(Base):\n"
                    '    __tablename__ = "teams"\n'
                    "    id: Mapped[int] = mapped_column(primary_key=True)\n"
                ),
                "app/bootstrap.py": (
                    "from alembic import command\n"
                    "from alembic.config import Config\n\n"
                    "from app.models import Base\n\n\n"
                    "def init_db(engine):\n"
                    "    Base.metadata.create_all(engine)\n"
                    '    command.stamp(Config("alembic.ini"), "head")\n'
                ),
            }
        )
    )
    # one note for the environment (its first step), not one per step
    assert order_findings(report) == [("public.users", "info", f"{V}/a.py", 10)]
    text = message(report, "public.users")
    assert text.endswith(
        "; 1 later step of this environment also needs what only create_all builds "
        "(tables public.teams)"
    )
    assert (
        "create_all at app/bootstrap.py:8 creates it: build a fresh database with it, then "
        "`alembic stamp head`, or create it in an earlier revision"
    ) in text
    assert "builds a fresh database with create_all then `alembic stamp head` " \
        "(app/bootstrap.py:8)" in text


STAMPING_HELPER_REPO = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    f"{V}/a.py": revision("a", None, 'op.create_table("users", sa.Column("id", sa.Integer))'),
    f"{V}/b.py": revision("b", "a", 'op.create_index("ix_t", "teams", ["id"])'),
    "app/__init__.py": "",
    "app/models.py": (
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class User(Base):\n"
        '    __tablename__ = "users"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n\n\n"
        "class Team(Base):\n"
        '    __tablename__ = "teams"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
    ),
    # the project's helper stamps (Flask-Migrate's `stamp` has the same name), and a package
    # re-exports it
    "app/db/__init__.py": "from app.db.revisions import mark_at_head\n",
    "app/db/revisions.py": (
        "from alembic.command import stamp\nfrom alembic.config import Config\n\n\n"
        "def mark_at_head():\n"
        '    stamp(Config("alembic.ini"), "head")\n'
    ),
    "app/bootstrap.py": (
        "from app.db import mark_at_head\n"
        "from app.models import Base\n\n\n"
        "def init_db(engine):\n"
        "    Base.metadata.create_all(engine)\n"
        "    mark_at_head()\n"
    ),
}


@pytest.mark.parametrize("prefilter", [True, False])
def test_create_all_next_to_a_helper_that_stamps_is_the_bootstrap(
    make_repo: MakeRepo, prefilter: bool
) -> None:
    """`db.create_all()` then the project's own `mark_at_head()`, which calls `stamp`: the
    same recipe as calling `stamp` in place. Without the helper's stamp, the two sources
    compete for users (duplicate-definition)."""
    root = make_repo(STAMPING_HELPER_REPO)
    report = scan(root, prefilter=prefilter)
    assert [f.name for f in report.findings if f.name == "duplicate-definition"] == []
    assert order_findings(report) == [("public.teams", "info", f"{V}/b.py", 10)]
    assert "builds a fresh database with create_all then `alembic stamp head` " \
        "(app/bootstrap.py:6)" in message(report, "public.teams")

    (root / "app/db/revisions.py").write_text(
        "def mark_at_head():\n    print('nothing stamped')\n", encoding="utf-8"
    )
    competing = scan(root, prefilter=prefilter)
    assert sorted(
        (f.table, f.path, f.line) for f in competing.findings
        if f.name == "duplicate-definition"
    ) == [("public.users", "app/bootstrap.py", 6)]


def test_sql_folder_and_migration_module_order(make_repo: MakeRepo) -> None:
    """A numbered SQL folder that seeds a table before the file creating it; a migration module
    whose second step drops a table that only its third creates. A standalone data fix on a
    table another source creates is not an order fault."""
    report = scan(
        make_repo(
            {
                "db/001_init.sql": "CREATE TABLE users (id int);\n",
                "db/002_seed.sql": "INSERT INTO users VALUES (1);\nINSERT INTO roles VALUES (1);\n",
                "db/003_roles.sql": "CREATE TABLE roles (id int);\n",
                "fixes/backfill_names.sql": "UPDATE users SET id = id;\n",
                "service/migrations.py": (
                    "async def m001_initial(db):\n"
                    '    await db.execute("CREATE TABLE wallets (id int)")\n\n\n'
                    "async def m002_drop_old(db):\n"
                    '    await db.execute("DROP TABLE payments")\n\n\n'
                    "async def m003_payments(db):\n"
                    '    await db.execute("CREATE TABLE payments (id int)")\n'
                ),
                "service/crud.py": (
                    "async def get(db):\n"
                    '    return await db.fetchall("SELECT * FROM wallets, payments, roles")\n'
                ),
            }
        )
    )
    assert order_findings(report) == [
        ("public.payments", "error", "service/migrations.py", 6),
        ("public.roles", "error", "db/002_seed.sql", 2),
    ]
    assert message(report, "public.roles").endswith(
        "the SQL file db/003_roles.sql:1 of the same source creates it, but not before this "
        "step: move the creation into an earlier file"
    )
    assert message(report, "public.payments").startswith(
        "On an empty database, migration m002_drop_old fails (service/migrations.py:6)"
    )


UPGRADE_LOG_SNAPSHOT = """CREATE TABLE tips (id int PRIMARY KEY, amount int, ctime int);
CREATE VIEW current_tips AS SELECT id, amount FROM tips;
"""
UPGRADE_LOG = """-- applied to a database the snapshot built, never to an empty one
DROP VIEW current_tips;
CREATE VIEW current_tips AS SELECT DISTINCT ON (id) id, amount FROM tips ORDER BY id, ctime;
DROP TABLE tips_archive;
INSERT INTO tips_archive VALUES (1);
CREATE TABLE tips_archive (id int);
"""


def test_an_upgrade_log_replacing_a_view_is_no_order_fault(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """`DROP VIEW current_tips; CREATE VIEW current_tips AS ...` in an upgrade log: the drop
    replaces a definition the log found (the snapshot's), which the log's next step on it
    makes again; no order fault (liberapay's `migrations.sql`). A drop followed by other use
    before the creation stays one. PostgreSQL runs the log's first two statements on the
    snapshot's database."""
    report = scan(make_repo({"sql/schema.sql": UPGRADE_LOG_SNAPSHOT,
                             "sql/migrations.sql": UPGRADE_LOG}))
    assert order_findings(report) == [
        ("public.tips_archive", "error", "sql/migrations.sql", 4),
        ("public.tips_archive", "error", "sql/migrations.sql", 5),
    ]
    import psycopg

    from analyzer.database.url import parse_database_url

    url = make_database(UPGRADE_LOG_SNAPSHOT)
    with psycopg.connect(parse_database_url(url).conninfo, autocommit=True) as conn:
        for statement in UPGRADE_LOG.split(";")[:2]:
            conn.execute(statement)
        assert conn.execute("SELECT count(*) FROM current_tips").fetchone() == (0,)


RENAMING_LOG_SNAPSHOT = """CREATE TABLE dataset_eval_sets (id int PRIMARY KEY, data text);
CREATE TABLE dataset_snapshot (id int PRIMARY KEY, eval_set int, made text);
"""
RENAMING_LOG = """-- applied to a database an older snapshot built, never to an empty one
ALTER TABLE dataset_snapshot RENAME TO dataset_eval_sets;
CREATE TABLE dataset_snapshot (id int PRIMARY KEY, eval_set int, made text);
ALTER TABLE archive RENAME TO archive_old;
INSERT INTO archive VALUES (1);
CREATE TABLE archive (id int);
"""


def test_an_upgrade_log_renaming_a_table_away_is_no_order_fault(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """`ALTER TABLE dataset_snapshot RENAME TO dataset_eval_sets; CREATE TABLE
    dataset_snapshot (...)` in an upgrade log: the rename moves away a table the log found
    (the older schema's), and the log makes a new one under the old name; no order fault. A
    rename followed by other use before the creation stays one. PostgreSQL runs the log's
    first two statements on the older schema's database."""
    report = scan(make_repo({"sql/schema.sql": RENAMING_LOG_SNAPSHOT,
                             "sql/migrations.sql": RENAMING_LOG}))
    assert order_findings(report) == [
        ("public.archive", "error", "sql/migrations.sql", 4),
        ("public.archive", "error", "sql/migrations.sql", 5),
    ]
    import psycopg

    from analyzer.database.url import parse_database_url

    url = make_database("CREATE TABLE dataset_snapshot (id int PRIMARY KEY, data text);")
    with psycopg.connect(parse_database_url(url).conninfo, autocommit=True) as conn:
        for statement in RENAMING_LOG.split(";")[:2]:
            conn.execute(statement)
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            " ORDER BY table_name"
        ).fetchall()
        assert tables == [("dataset_eval_sets",), ("dataset_snapshot",)]


def test_sql_folder_run_for_real_stops_at_the_reported_statement(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """sqlite3 runs the numbered folder file by file, statement by statement, as
    `psql -v ON_ERROR_STOP=1` would: the first failure is the statement tabletrace reports."""
    files = {
        "db/001_init.sql": "CREATE TABLE users (id int);\n",
        "db/002_seed.sql": "INSERT INTO users VALUES (1);\nINSERT INTO roles VALUES (1);\n",
        "db/003_roles.sql": "CREATE TABLE roles (id int);\n",
    }
    root = make_repo(files)
    assert order_findings(scan(root)) == [("public.roles", "error", "db/002_seed.sql", 2)]
    failed_at = None
    with sqlite3.connect(tmp_path / "folder.db") as conn:
        for name in sorted(files):
            for line, statement in enumerate(files[name].splitlines(), start=1):
                try:
                    conn.execute(statement)
                except sqlite3.OperationalError as exc:
                    failed_at = (name, line, str(exc))
                    break
            if failed_at:
                break
    assert failed_at == ("db/002_seed.sql", 2, "no such table: roles")


def test_indexes_and_foreign_key_targets_need_their_tables(make_repo: MakeRepo) -> None:
    """An index on, or a foreign key to, a table that is not there yet fails too; the real
    `alembic upgrade head` on SQLite agrees for the index."""
    files = {
        **INI,
        "migrations/env.py": ALEMBIC_ENV_PY,
        "migrations/script.py.mako": SCRIPT_MAKO,
        f"{V}/a1.py": revision(
            "a1", None, 'op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True))'
        ),
        f"{V}/b2.py": revision(
            "b2",
            "a1",
            """
            op.create_index("ix_customers_email", "customers", ["email"])
            op.create_foreign_key("fk_orders_shop", "orders", "shops", ["shop_id"], ["id"])
            op.create_index("ix_orders_id", "orders", ["id"])
            """,
        ),
    }
    report = scan(make_repo(files))
    assert order_findings(report) == [
        ("public.customers", "error", f"{V}/b2.py", 10),
        ("public.shops", "error", f"{V}/b2.py", 11),
    ]
    assert message(report, "public.customers").startswith(
        "`alembic upgrade head` on an empty database stops at revision b2 "
        f"({V}/b2.py:10): `op.create_index(\"ix_customers_email\", \"customers\", [\"email\"])` "
        "needs table public.customers"
    )
    # index and foreign key are no schema definitions of their tables
    assert {d.operation for t in report.tables for d in t.definitions} == {"create"}


def test_real_alembic_fails_on_the_index_too(make_repo: MakeRepo, tmp_path: Path) -> None:
    files = {
        **INI,
        "migrations/env.py": ALEMBIC_ENV_PY,
        "migrations/script.py.mako": SCRIPT_MAKO,
        f"{V}/a1.py": revision(
            "a1", None, 'op.create_table("orders", sa.Column("id", sa.Integer))'
        ),
        f"{V}/b2.py": revision("b2", "a1", 'op.create_index("ix_c", "customers", ["email"])'),
    }
    root = make_repo(files)
    assert order_findings(scan(root)) == [("public.customers", "error", f"{V}/b2.py", 10)]
    url = f"sqlite:///{tmp_path / 'index.db'}"
    with pytest.raises(sa.exc.OperationalError, match=r"no such table: main\.customers"):
        command.upgrade(alembic_config(root, url), "head")


ALTER_NULLABLE_FILES = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    "migrations/script.py.mako": SCRIPT_MAKO,
    f"{V}/a1.py": revision(
        "a1", None, 'op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True))'
    ),
    f"{V}/b2.py": revision(
        "b2", "a1", 'op.alter_column("customers", "email", nullable=False)'
    ),
    f"{V}/c3.py": revision(
        "c3", "b2", 'op.add_column("customers", sa.Column("flag", sa.Boolean()))'
    ),
}


def test_an_alter_column_changing_no_name_needs_its_table(make_repo: MakeRepo) -> None:
    """`op.alter_column("customers", "email", nullable=False)` changes no table or column
    set, yet it needs the table: `alembic upgrade head` stops there, not at the next step
    (it had been passed over). It is no definition of the table."""
    report = scan(make_repo(ALTER_NULLABLE_FILES))
    assert order_findings(report) == [("public.customers", "error", f"{V}/b2.py", 10)]
    assert message(report, "public.customers").startswith(
        f"`alembic upgrade head` on an empty database stops at revision b2 ({V}/b2.py:10): "
        '`op.alter_column("customers", "email", nullable=False)` needs table public.customers'
    )
    customers = report.table("public.customers")
    assert customers is not None
    assert [(d.operation, d.revision) for d in customers.definitions] == [("alter", "c3")]


def test_a_plugins_unknown_operation_needs_no_table_named_by_its_first_argument(
    make_repo: MakeRepo,
) -> None:
    """`op.sync_enum_values("public", "disablereason", [...], [("users", "reason")])`
    (alembic-postgresql-enum): an operation tabletrace does not know, whose first argument
    is a schema, not a table: no `migration-order` about a table "public"."""
    files = dict(ALTER_NULLABLE_FILES)
    files[f"{V}/b2.py"] = revision(
        "b2", "a1",
        'op.sync_enum_values("public", "state", ["on", "off"], [("orders", "state")])',
    )
    files.pop(f"{V}/c3.py")
    assert order_findings(scan(make_repo(files))) == []


def test_real_alembic_on_postgresql_fails_at_the_alter_column(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """PostgreSQL (CI provides it) stops at b2's ALTER: relation does not exist."""
    root = make_repo(ALTER_NULLABLE_FILES)
    empty = _alembic_url(make_database(""))
    with pytest.raises(sa.exc.ProgrammingError, match='relation "customers" does not exist'):
        command.upgrade(alembic_config(root, empty), "head")
    assert _current(empty) in (None, "a1")  # (one transaction: a1's table rolled back too)


def test_swapping_a_table_in_place_relies_on_an_earlier_source(make_repo: MakeRepo) -> None:
    """CREATE t_new; copy; DROP t; RENAME t_new TO t: the DROP needs the t another source
    made; the file creating t (by the rename) after dropping it is no wrong order."""
    report = scan(
        make_repo(
            {
                "db/delta/15/users.sql": "CREATE TABLE users (id int, name text);\n",
                "db/delta/16/users.sql": (
                    "CREATE TABLE new_users (name text);\n"
                    "INSERT INTO new_users SELECT name FROM users;\n"
                    "DROP TABLE users;\n"
                    "ALTER TABLE new_users RENAME TO users;\n"
                ),
                "app/q.py": 'def f(cur):\n    cur.execute("SELECT name FROM users")\n',
            }
        )
    )
    assert order_findings(report) == []


def test_a_parent_with_two_children_gives_each_its_own_end_state(make_repo: MakeRepo) -> None:
    """b and c both follow a; d follows c alone, and is c's last (only) child, so it starts
    from c's end state itself, not a copy of it. b's drop of `users` never reaches c, c's drop
    of `name` reaches d, and d's ALTER of a column nobody added is the one fault, naming the
    columns `users` has at that point (id; `name` dropped by c)."""
    report = scan(
        make_repo(
            {
                **INI,
                f"{V}/a.py": revision(
                    "a", None,
                    'op.create_table("users", sa.Column("id"), sa.Column("name"))',
                ),
                f"{V}/b.py": revision("b", "a", 'op.drop_table("users")'),
                f"{V}/c.py": revision("c", "a", 'op.drop_column("users", "name")'),
                f"{V}/d.py": revision(
                    "d", "c", 'op.drop_column("users", "fax")\nop.drop_column("users", "id")'
                ),
            }
        )
    )
    assert order_findings(report) == [("public.users", "error", f"{V}/d.py", 10)]
    assert message(report, "public.users") == (
        "`alembic upgrade head` on an empty database stops at revision d "
        "(migrations/versions/d.py:10): `op.drop_column(\"users\", \"fax\")` needs column fax of "
        "public.users, which public.users does not have at that point (its columns then: id), "
        "and no other source has that column: create that column in an earlier revision, or "
        "remove the step"
    )


# --- a trimmed history: the root revision already needs a table no revision creates ----------

TRIMMED_REPO = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    "migrations/script.py.mako": SCRIPT_MAKO,
    # the older revisions were deleted: the first one kept alters what they had created
    f"{V}/r1_flag.py": revision("r1", None, 'op.add_column("orders", sa.Column("flag", sa.Text))'),
    f"{V}/r2_drop_legacy.py": revision("r2", "r1", 'op.drop_table("legacy_orders")'),
    f"{V}/r3_notes.py": revision(
        "r3", "r2", 'op.create_table("notes", sa.Column("id", sa.Integer, primary_key=True))'
    ),
    # an ordering fault of its own: tags is created, but by a later revision
    f"{V}/r4_tag_index.py": revision("r4", "r3", 'op.drop_column("tags", "colour")'),
    f"{V}/r5_tags.py": revision(
        "r5", "r4", 'op.create_table("tags", sa.Column("id", sa.Integer, primary_key=True))'
    ),
    "app/__init__.py": "",
    "app/models.py": (
        "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Order(Base):\n"
        '    __tablename__ = "orders"\n'
        "    id: Mapped[int] = mapped_column(primary_key=True)\n"
        "    flag: Mapped[str]\n"
    ),
    "app/init_db.py": (
        "from app.models import Base\n\n\n"
        "def main(engine):\n"
        "    Base.metadata.create_all(engine)\n"
    ),
}


@pytest.mark.parametrize("prefilter", [True, False])
def test_trimmed_history_is_one_warning_for_the_environment(
    make_repo: MakeRepo, prefilter: bool
) -> None:
    """The root revision alters `orders`, which no revision creates, and a later one drops
    `legacy_orders`, which none creates either: one fact (the history starts from an existing
    schema), one warning at the root's step listing the other; the advice is create_all then
    stamp, never "run create_all first". `tags`, created by a revision that comes too late,
    stays a finding of its own."""
    report = scan(make_repo(TRIMMED_REPO), prefilter=prefilter)
    assert order_findings(report) == [
        ("public.orders", "warning", f"{V}/r1_flag.py", 10),
        ("public.tags", "error", f"{V}/r4_tag_index.py", 10),
    ]
    (trimmed,) = [
        f for f in report.findings if f.name == "migration-order" and f.table == "public.orders"
    ]
    assert [(loc.path, loc.line) for loc in trimmed.locations] == [
        (f"{V}/r1_flag.py", 10), (f"{V}/r2_drop_legacy.py", 10)
    ]
    assert trimmed.message == (
        "`alembic upgrade head` on an empty database stops at revision r1 "
        f"({V}/r1_flag.py:10), which has no down_revision: "
        '`op.add_column("orders", sa.Column("flag", sa.Text))` needs table public.orders, '
        "which no revision creates. The history starts from an existing schema (its older "
        "revisions removed, or the first database built another way); 1 later step also "
        "needs tables no revision creates (public.legacy_orders). create_all at "
        "app/init_db.py:5 builds the head schema: build a fresh database with it, then "
        "`alembic stamp head`"
    )
    assert message(report, "public.tags").startswith(
        "`alembic upgrade head` on an empty database stops at revision r4 "
    )


def test_real_alembic_fails_a_trimmed_history_at_its_root_and_stamps_after_create_all(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """Real Alembic: on an empty database the upgrade fails in r1, the revision tabletrace
    names; create_all then `stamp head`, the advice, gives a database at head."""
    repo = {**TRIMMED_REPO}
    del repo[f"{V}/r4_tag_index.py"], repo[f"{V}/r5_tags.py"]
    root = make_repo(repo)
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    with pytest.raises(sa.exc.OperationalError, match="no such table: orders"):
        command.upgrade(alembic_config(root, url), "head")
    assert _current(url) is None

    url = f"sqlite:///{tmp_path / 'built.db'}"
    metadata = sa.MetaData()
    sa.Table("orders", metadata, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("flag", sa.Text))
    engine = sa.create_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    command.stamp(alembic_config(root, url), "head")
    assert _current(url) == "r3"
