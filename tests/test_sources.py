"""Every schema source, replayed in order (issue: create_all, migration modules,
migration-order faults, Alembic's own file rules, broken definitions, one truth for status)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from analyzer import Report, scan
from tests.conftest import ALEMBIC_ENV_PY, MakeRepo, alembic_config, importable, uses_of
from tests.pg import MakeDatabase, make_database, pg_server

__all__ = ["make_database", "pg_server"]  # fixtures used by name below

INI = {"alembic.ini": "[alembic]\nscript_location = migrations\n"}
V = "migrations/versions"


def revision(rev: str, down: str | None, body: str, header: str = "") -> str:
    return (
        f'"""{rev}"""\nfrom alembic import op\nimport sqlalchemy as sa\n{header}\n\n'
        f"revision = {rev!r}\ndown_revision = {down!r}\n\n\ndef upgrade():\n"
        + textwrap.indent(textwrap.dedent(body).strip("\n") + "\n", "    ")
    )


def names(report: Report, rule: str) -> list[tuple[str | None, str | None, int | None]]:
    return sorted((f.table, f.path, f.line) for f in report.findings if f.name == rule)


def test_alembic_loads_no_init_file_and_no_editor_lock_file(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/__init__.py": "",
            f"{V}/.#a.py": "",  # an editor's lock file
            f"{V}/a.py": revision("a", None, 'op.create_table("t", sa.Column("id"))'),
        }
    )
    report = scan(root)
    assert names(report, "broken-revision-graph") == []
    assert [(r.revision, r.path) for r in report.revisions] == [("a", f"{V}/a.py")]


# --- broken definitions --------------------------------------------------------------------

BROKEN_SCHEMA = (
    '"""Schema of the billing service."""\n'  # a Python docstring: swallows the first CREATE
    "CREATE TABLE invoices (id int);\n"
    "CREATE TABLE payments (id int);\n"
    "CREATE TABLE refunds (id int,, total numeric);\n"
)
BILLING_CODE = (
    "def report(cur):\n"
    '    cur.execute("SELECT * FROM invoices JOIN payments ON true JOIN refunds ON true")\n'
)


def broken_findings(report: Report) -> list[tuple[str | None, str | None, int | None, str, str]]:
    return sorted(
        (f.table, f.path, f.line, f.severity, f.confidence)
        for f in report.findings
        if f.name == "broken-definition"
    )


def test_other_engines_syntax_and_runner_placeholders_are_hedged(make_repo: MakeRepo) -> None:
    """AUTOINCREMENT is SQLite's: PostgreSQL rejects it, but a project supporting SQLite runs the
    file there, so the verdict has confidence medium and says so. A runner's own placeholder
    (`$%AUTO_INCREMENT_PRIMARY_KEY%$`, replaced before the server sees it) is no syntax error."""
    report = scan(
        make_repo(
            {
                "db/delta/12/push.sql": (
                    "CREATE TABLE push_rules (id INTEGER PRIMARY KEY AUTOINCREMENT, rule text);\n"
                ),
                "db/delta/87/conn.sql": (
                    "CREATE TABLE connections (key $%AUTO_INCREMENT_PRIMARY_KEY%$, a text);\n"
                ),
                "app/q.py": (
                    "def f(cur):\n"
                    '    cur.execute("SELECT * FROM push_rules JOIN connections ON true")\n'
                ),
            }
        )
    )
    assert broken_findings(report) == [
        ("public.push_rules", "db/delta/12/push.sql", 1, "error", "medium")
    ]
    [finding] = [f for f in report.findings if f.name == "broken-definition"]
    assert "AUTOINCREMENT is SQLite syntax, so the statement cannot run on PostgreSQL; if " \
        "this file is meant for SQLite too, it is not broken there" in finding.message
    assert report.table("connections").status == "used"


def test_a_create_that_cannot_run_defines_nothing(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "db/schema.sql": BROKEN_SCHEMA,
            "db/refunds.sql": "CREATE TABLE refunds (id int);\n",
            "app/billing.py": BILLING_CODE,
        }
    )
    report = scan(root)
    assert broken_findings(report) == [
        ("public.invoices", "db/schema.sql", 2, "error", "high"),
        ("public.refunds", "db/schema.sql", 4, "warning", "high"),
    ]
    tables = {t.qualified_name: t for t in report.tables}
    assert {name: t.status for name, t in tables.items()} == {
        "public.invoices": "broken",
        "public.payments": "used",
        "public.refunds": "used",
    }
    assert tables["public.invoices"].present_in == []
    assert [(d.operation, d.path, d.line) for d in tables["public.invoices"].definitions] == [
        ("broken", "db/schema.sql", 2)
    ]
    assert names(report, "undefined-table") == []
    message = next(f.message for f in report.findings if f.table == "public.invoices")
    assert "does not start with a SQL command" in message
    assert "only definition of public.invoices" in message and "app.billing" in message
    refunds = next(f.message for f in report.findings if f.table == "public.refunds")
    assert "still created by db/refunds.sql:1" in refunds


def test_a_docstring_header_is_a_broken_definition_but_a_comment_header_is_not(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            "db/commented.sql": (
                "-- Schema of the billing service.\nCREATE TABLE invoices (id int);\n"
            ),
            "app/billing.py": 'def f(cur):\n    cur.execute("SELECT * FROM invoices")\n',
        }
    )
    report = scan(root)
    assert broken_findings(report) == []
    assert {t.qualified_name: t.status for t in report.tables} == {"public.invoices": "used"}


def test_postgres_syntax_sqlglot_does_not_model_still_defines(make_repo: MakeRepo) -> None:
    """sqlglot fails on `NO INHERIT` and reads `CREATE FOREIGN TABLE` as an opaque command;
    PostgreSQL's own parser accepts both, so both define their table."""
    root = make_repo(
        {
            "db/schema.sql": (
                "CREATE TABLE IF NOT EXISTS limits (a int CHECK (a > 0) NO INHERIT);\n"
                "CREATE FOREIGN TABLE remote_rates (id int) SERVER rates_server;\n"
            ),
            "app/rates.py": (
                'def f(cur):\n    cur.execute("SELECT * FROM limits JOIN remote_rates ON true")\n'
            ),
        }
    )
    report = scan(root)
    assert broken_findings(report) == []
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.limits": "used",
        "public.remote_rates": "used",
    }


def test_outside_postgres_a_sqlglot_failure_is_a_probable_fault(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "pyproject.toml": '[tool.tabletrace]\ndialect = "sqlite"\n',
            "db/schema.sql": BROKEN_SCHEMA.replace(",, total", " total"),
            "app/billing.py": BILLING_CODE,
        }
    )
    report = scan(root)
    # The docstring is certain on any database; a missing comma is sqlglot's word only.
    assert broken_findings(report) == [
        ("public.invoices", "db/schema.sql", 2, "error", "high"),
        ("public.refunds", "db/schema.sql", 4, "error", "medium"),
    ]
    refunds = next(f.message for f in report.findings if f.table == "public.refunds")
    assert "sqlglot cannot parse it as sqlite SQL" in refunds and "tabletrace verify" in refunds


def test_broken_definitions_in_an_alembic_revisions_sql_are_not_in_its_head(
    make_repo: MakeRepo,
) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision(
                "a",
                None,
                """
                op.execute(open(os.path.join(os.path.dirname(__file__), "a.sql")).read())
                op.execute('CREATE TABLE audit (id int,, at timestamptz)')
                """,
                header="import os",
            ),
            f"{V}/a.sql": BROKEN_SCHEMA,
            "app/billing.py": BILLING_CODE.replace("refunds", "audit"),
        }
    )
    report = scan(root)
    assert broken_findings(report) == [
        ("public.audit", f"{V}/a.py", 12, "error", "high"),
        ("public.invoices", f"{V}/a.sql", 2, "error", "high"),
        ("public.refunds", f"{V}/a.sql", 4, "error", "high"),
    ]
    head = {s.qualified_name for s in report.tables if "alembic" in s.present_in}
    assert head == {"public.payments"}


def _statements_sqlite_rejects(sql: str) -> set[int]:
    """Lines of the statements SQLite itself refuses, run one by one on an empty database."""
    import sqlite3

    from analyzer.sql.split import split_statements

    statements, _ = split_statements(sql)
    connection = sqlite3.connect(":memory:")
    rejected = set()
    for statement in statements:
        try:
            connection.execute(statement.text)
        except sqlite3.Error:
            rejected.add(statement.line)
    return rejected


def test_the_broken_verdict_is_what_a_real_database_does(make_repo: MakeRepo) -> None:
    """SQLite rejects exactly the statements reported broken (its CREATE lines)."""
    root = make_repo({"db/schema.sql": BROKEN_SCHEMA, "app/billing.py": BILLING_CODE})
    report = scan(root)
    reported = {line for _, _, line, _, _ in broken_findings(report)}
    # The docstring's statement starts on line 1; its CREATE (the finding's line) is line 2.
    assert _statements_sqlite_rejects(BROKEN_SCHEMA) == {1, 4}
    assert reported == {2, 4}


def test_the_broken_verdict_is_what_postgresql_does(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """On a real PostgreSQL, exactly the reported statements fail (CI provides the server)."""
    import psycopg

    from analyzer.database.url import parse_database_url
    from analyzer.sql.split import split_statements

    sql = BROKEN_SCHEMA + "CREATE TABLE IF NOT EXISTS limits (a int CHECK (a > 0) NO INHERIT);\n"
    report = scan(make_repo({"db/schema.sql": sql, "app/billing.py": BILLING_CODE}))
    url = parse_database_url(make_database(""))
    statements, _ = split_statements(sql)
    rejected = set()
    with psycopg.connect(url.conninfo, autocommit=True) as conn:
        for statement in statements:
            try:
                conn.execute(statement.text)
            except psycopg.errors.SyntaxError:
                rejected.add(statement.line)
    assert rejected == {1, 4}
    assert {line for _, _, line, _, _ in broken_findings(report)} == {2, 4}


# --- create_all ----------------------------------------------------------------------------

MODELS = """\
from sqlalchemy import Column, Integer, MetaData, Table
from sqlalchemy.orm import DeclarativeBase, declarative_base


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)


class Order(Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)


audit = Table("audit", Base.metadata, Column("id", Integer))

reports_metadata = MetaData()
reports = Table("reports", reports_metadata, Column("id", Integer))
Legacy = declarative_base(metadata=reports_metadata)


class Invoice(Legacy):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
"""
USES = """\
from sqlalchemy import select
from app.models import Invoice, Order, User, audit, reports


def rows(session):
    session.execute(select(User).join(Order)).all()
    session.execute(select(Invoice)).all()
    session.execute(audit.select()).all()
    return session.execute(reports.select()).all()
"""


def create_all_tables(report: Report) -> dict[str, list[str]]:
    """Tables each create_all source creates, by its call site."""
    found: dict[str, list[str]] = {}
    for table in report.tables:
        for definition in table.definitions:
            if definition.source_kind == "create_all":
                found.setdefault(f"{definition.path}:{definition.line}", []).append(
                    table.qualified_name
                )
    return {site: sorted(tables) for site, tables in sorted(found.items())}


def real_create_all(root: Path, module: str, expression: str) -> list[str]:
    """Run the repository's own create_all on SQLite (this test's fixture code, not a scanned
    project's) and list the tables SQLAlchemy made."""
    script = (
        "import sys, sqlalchemy as sa\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        f"from {module} import *\n"
        "engine = sa.create_engine('sqlite://')\n"
        f"{expression}.create_all(engine)\n"
        "print(','.join(sorted(sa.inspect(engine).get_table_names())))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return result.stdout.strip().split(",")


def test_create_all_creates_the_tables_of_its_metadata(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/uses.py": USES,
            "app/db.py": (
                "from app import models\n\n\n"
                "async def init(engine):\n"
                "    async with engine.begin() as conn:\n"
                "        await conn.run_sync(models.Base.metadata.create_all)\n"
            ),
        }
    )
    report = scan(root)
    assert create_all_tables(report) == {
        "app/db.py:6": ["public.audit", "public.orders", "public.users"]
    }
    assert real_create_all(root, "app.models", "Base.metadata") == ["audit", "orders", "users"]
    # The other MetaData (shared by `Legacy` through declarative_base(metadata=...)) is not
    # created by that call: its tables have no source.
    assert names(report, "model-without-migration") == [
        ("public.invoices", "app/models.py", 26),
        ("public.reports", "app/models.py", 22),
    ]
    assert real_create_all(root, "app.models", "Legacy.metadata") == ["invoices", "reports"]
    statuses = {t.qualified_name: (t.status, t.present_in) for t in report.tables}
    assert statuses["public.users"] == ("used", ["create_all", "model"])


ALIASED_METADATA_MODELS = """import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()
metadata = Base.metadata
db = sa.MetaData()

update_bugs = sa.Table(
    "update_bugs", metadata,
    sa.Column("update_id", sa.Integer, sa.ForeignKey("updates.id")),
    sa.Column("bug_id", sa.Integer),
)
audit_log = sa.Table("audit_log", db, sa.Column("id", sa.Integer, primary_key=True))


class Update(Base):
    __tablename__ = "updates"
    id = sa.Column(sa.Integer, primary_key=True)
"""


def test_create_all_creates_a_table_declared_on_an_alias_of_its_metadata(
    make_repo: MakeRepo,
) -> None:
    """`metadata = Base.metadata` then `Table("update_bugs", metadata, ...)`: the alias is
    the declarative base's MetaData, so `Base.metadata.create_all()` creates the table (it
    had been a `model-without-migration`); a Table of another MetaData is not created.
    SQLAlchemy's create_all creates exactly the same tables."""
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/models.py": ALIASED_METADATA_MODELS,
            "app/init_db.py": (
                "from app.models import Base\n\n\n"
                "def main(engine):\n"
                "    Base.metadata.create_all(engine)\n"
            ),
        }
    )
    report = scan(root)
    assert create_all_tables(report) == {
        "app/init_db.py:5": ["public.update_bugs", "public.updates"]
    }
    assert real_create_all(root, "app.models", "Base.metadata") == ["update_bugs", "updates"]
    assert names(report, "model-without-migration") == [("public.audit_log", "app/models.py", 13)]


def test_create_all_of_a_shared_metadata_and_of_sqlmodel(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/uses.py": USES,
            "app/heroes.py": (
                "from sqlmodel import Field, SQLModel\n\n\n"
                "class Hero(SQLModel, table=True):\n"
                "    id: int | None = Field(default=None, primary_key=True)\n"
                "    name: str\n\n\n"
                "class HeroRead(SQLModel):\n"
                "    name: str\n"
            ),
            "app/setup.py": (
                "from sqlmodel import SQLModel, select\n"
                "from app.heroes import Hero\n"
                "from app.models import reports_metadata\n\n\n"
                "def setup(engine, session):\n"
                "    reports_metadata.create_all(engine)\n"
                "    SQLModel.metadata.create_all(engine)\n"
                "    return session.exec(select(Hero)).all()\n"
            ),
        }
    )
    report = scan(root)
    assert create_all_tables(report) == {
        "app/setup.py:7": ["public.invoices", "public.reports"],
        "app/setup.py:8": ["public.hero"],
    }
    assert real_create_all(root, "app.heroes", "SQLModel.metadata") == ["hero"]


def test_flask_sqlalchemy_db_create_all(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "shop/__init__.py": (
                "from flask import Flask\n"
                "from shop.ext import db\n\n\n"
                "def create_app():\n"
                "    app = Flask(__name__)\n"
                "    app.config['SQLALCHEMY_DATABASE_URI'] = 'sqlite://'\n"
                "    db.init_app(app)\n"
                "    with app.app_context():\n"
                "        db.create_all()\n"
                "    return app\n"
            ),
            "shop/ext.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
            "shop/models.py": (
                "from shop.ext import db\n\n\n"
                "class ProductCategory(db.Model):\n"
                "    id = db.Column(db.Integer, primary_key=True)\n\n\n"
                "def all_categories():\n"
                "    return ProductCategory.query.all()\n"
            ),
        }
    )
    report = scan(root)
    assert create_all_tables(report) == {"shop/__init__.py:10": ["public.product_category"]}
    assert names(report, "model-without-migration") == []
    script = (
        f"import sys\nsys.path.insert(0, {str(root)!r})\n"
        "import sqlalchemy as sa\nfrom shop import create_app\nfrom shop import models\n"
        "from shop.ext import db\napp = create_app()\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    print(sa.inspect(db.engine).get_table_names())\n"
    )
    real = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert real.stdout.strip() == "['product_category']", real.stderr


def test_create_all_next_to_alembic_is_two_owners(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision("a", None, 'op.create_table("users", sa.Column("id"))'),
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/uses.py": USES,
            "app/main.py": (
                "from app.models import Base\n\n\ndef start(engine):\n"
                "    Base.metadata.create_all(\n"
                "        bind=engine, tables=[Base.metadata.tables['users']]\n"
                "    )\n"
            ),
        }
    )
    report = scan(root)
    # `tables=` names an entry tabletrace cannot read: every table of the MetaData counts.
    assert create_all_tables(report) == {
        "app/main.py:5": ["public.audit", "public.orders", "public.users"]
    }
    assert [d.code for d in report.diagnostics if d.path == "app/main.py"] == [
        "create-all-unresolved"
    ]
    [finding] = [f for f in report.findings if f.name == "duplicate-definition"]
    assert finding.table == "public.users"
    assert "two owners: `create_all` at app/main.py:5" in finding.message
    assert f"Alembic creates it at {V}/a.py:11 (revision a)" in finding.message


def test_create_all_narrowed_by_tables_and_an_unresolved_receiver(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/uses.py": USES,
            "app/main.py": (
                "from app.models import Base, User, audit\n\n\n"
                "def start(engine):\n"
                "    Base.metadata.create_all(engine, tables=[User.__table__, audit])\n\n\n"
                "class Service:\n"
                "    def boot(self, engine):\n"
                "        self.metadata.create_all(engine)\n"
            ),
        }
    )
    report = scan(root)
    # `self.metadata` could be either MetaData of the repository: nothing is assumed.
    assert create_all_tables(report) == {"app/main.py:5": ["public.audit", "public.users"]}
    assert [(d.code, d.line) for d in report.diagnostics if d.path == "app/main.py"] == [
        ("create-all-unresolved", 10)
    ]


def test_an_assumed_metadata_creates_but_makes_no_second_owner(make_repo: MakeRepo) -> None:
    """An interface method receiving the MetaData as a parameter: the repository's only
    MetaData is assumed, so its tables are not "never created"; but whether the method runs at
    all is unknown, so no duplicate-definition with Alembic rests on it."""
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision("a", None, 'op.create_table("users", sa.Column("id"))'),
            "app/__init__.py": "",
            "app/db.py": (
                "from sqlalchemy import Column, Integer, MetaData\n"
                "from sqlalchemy.orm import DeclarativeBase\n\n\n"
                "class Base(DeclarativeBase):\n    pass\n\n\n"
                "class User(Base):\n"
                '    __tablename__ = "users"\n'
                "    id = Column(Integer, primary_key=True)\n\n\n"
                "class Audit(Base):\n"
                '    __tablename__ = "audit"\n'
                "    id = Column(Integer, primary_key=True)\n\n\n"
                "class PostgresConfiguration:\n"
                "    async def create_db(self, connection, base_metadata: MetaData) -> None:\n"
                "        await connection.run_sync(base_metadata.create_all)\n"
            ),
            "app/uses.py": (
                "from sqlalchemy import select\n\nfrom app.db import Audit, User\n\n\n"
                "def f(session):\n"
                "    return session.scalars(select(User)), session.scalars(select(Audit))\n"
            ),
        }
    )
    report = scan(root)
    assert create_all_tables(report) == {"app/db.py:21": ["public.audit", "public.users"]}
    [diagnostic] = [d for d in report.diagnostics if d.code == "create-all-assumed"]
    assert (diagnostic.path, diagnostic.line) == ("app/db.py", 21)
    assert "no duplicate-definition rests on it" in diagnostic.message
    assert names(report, "duplicate-definition") == []
    assert names(report, "model-without-migration") == []  # audit: the assumed create_all


def test_create_all_then_alembic_stamp_is_the_cookbook_bootstrap(make_repo: MakeRepo) -> None:
    """Building from the models and stamping head is Alembic's own recipe: no two owners. A
    service function that happens to be called `create_all` builds nothing."""
    root = make_repo(
        {
            **INI,
            f"{V}/a.py": revision("a", None, 'op.create_table("users", sa.Column("id"))'),
            "app/__init__.py": "",
            "app/models.py": MODELS,
            "app/uses.py": USES,
            "app/bootstrap.py": (
                "from alembic import command\n"
                "from alembic.config import Config\n"
                "from app.models import Base\n\n\n"
                "def init_database(engine):\n"
                "    Base.metadata.create_all(engine)\n"
                '    command.stamp(Config("alembic.ini"), "head")\n'
            ),
            "app/teams.py": (
                "from app import uses as service\n\n\n"
                "def add(db_session, contacts):\n"
                "    return service.create_all(db_session=db_session, contacts_in=contacts)\n"
            ),
        }
    )
    report = scan(root)
    assert create_all_tables(report) == {
        "app/bootstrap.py:7": ["public.audit", "public.orders", "public.users"]
    }
    assert names(report, "duplicate-definition") == []


STAMP_ADVICE_REPO = {
    **INI,
    "migrations/env.py": ALEMBIC_ENV_PY,
    f"{V}/a.py": revision(
        "a", None, 'op.create_table("users", sa.Column("id", sa.Integer, primary_key=True))'
    ),
    "app/__init__.py": "",
    "app/models.py": (
        "import sqlalchemy as sa\nfrom sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class User(Base):\n"
        '    __tablename__ = "users"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
    ),
    "db_create.py": (
        "import sys\n\nimport sqlalchemy as sa\n\nfrom app.models import Base\n\n"
        'if __name__ == "__main__":\n'
        "    engine = sa.create_engine(sys.argv[1])\n"
        "    Base.metadata.create_all(engine)\n"
        '    print("Remember to mark the database for Alembic: alembic stamp head")\n'
    ),
}


def test_create_all_telling_the_operator_to_stamp_is_the_bootstrap(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """A create_all script that tells whoever runs it to `alembic stamp head` next (a
    container's entrypoint or the README then does): the same recipe, no two owners; without
    the advice, two owners. Real Alembic: after the script and the stamp, `upgrade head`
    has nothing left to run and the database is at head."""
    import subprocess
    import sys

    import sqlalchemy as sa
    from alembic import command
    root = make_repo(STAMP_ADVICE_REPO)
    report = scan(root)
    assert create_all_tables(report) == {"db_create.py:9": ["public.users"]}
    assert names(report, "duplicate-definition") == []

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    out = subprocess.run(
        [sys.executable, "db_create.py", url], cwd=root, capture_output=True, text=True,
        check=True, env={"PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
    ).stdout
    assert "alembic stamp head" in out
    config = alembic_config(root, url)
    command.stamp(config, "head")
    command.upgrade(config, "head")  # nothing left to run: no "already exists"
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).all() == [("a",)]
    engine.dispose()

    (root / "db_create.py").write_text(
        STAMP_ADVICE_REPO["db_create.py"].replace("alembic stamp head", "done"),
        encoding="utf-8",
    )
    assert [t for t, _, _ in names(scan(root), "duplicate-definition")] == ["public.users"]


# --- migration modules ---------------------------------------------------------------------

MIGRATIONS = '''\
"""Schema migrations, run in the order of their number by app.runner."""


async def m010_drop_legacy(db):
    await db.execute("DROP TABLE legacy_settings")


async def m001_initial(db):
    await db.execute("CREATE TABLE IF NOT EXISTS accounts (id TEXT PRIMARY KEY, email TEXT)")
    await db.execute("CREATE TABLE wallets (id TEXT PRIMARY KEY, account TEXT)")
    await db.execute("INSERT INTO accounts (id, email) VALUES ('admin', NULL)")


async def m002_legacy(db):
    await db.execute("CREATE TABLE legacy_settings (key TEXT, value TEXT)")
    await db.execute("CREATE VIEW balances AS SELECT id FROM wallets")


async def m003_balances_skip_orphans(db):
    await db.execute("DROP VIEW balances")
    await db.execute(
        "CREATE VIEW balances AS SELECT id FROM wallets WHERE account IS NOT NULL"
    )


async def m004_rename_wallets(db):
    await db.execute("ALTER TABLE wallets RENAME TO purses")
'''
RUNNER = '''\
from app import migrations


async def migrate(db):
    steps = [f for n, f in vars(migrations).items() if n[:1] == "m" and n[1:4].isdigit()]
    for step in sorted(steps, key=lambda f: f.__name__):
        await step(db)
'''
WALLET_CODE = '''\
async def balances(db):
    await db.execute("SELECT * FROM balances JOIN purses ON true JOIN accounts ON true")
'''


def real_migration_run(root: Path) -> list[tuple[str, str]]:
    """Run app.runner.migrate on SQLite, as the project would (this test's own fixture code),
    and list what the database holds."""
    script = (
        "import asyncio, sqlite3, sys\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "from app.runner import migrate\n"
        "class Db:\n"
        "    def __init__(self):\n"
        "        self.conn = sqlite3.connect(':memory:')\n"
        "    async def execute(self, sql):\n"
        "        self.conn.execute(sql)\n"
        "db = Db()\n"
        "asyncio.run(migrate(db))\n"
        "rows = db.conn.execute('SELECT type, name FROM sqlite_master ORDER BY name').fetchall()\n"
        "print(';'.join(f'{t}:{n}' for t, n in rows if not n.startswith('sqlite_')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    return [tuple(item.split(":")) for item in result.stdout.strip().split(";")]  # type: ignore[misc]


def test_a_migration_module_is_replayed_in_the_order_of_its_numbers(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "app/__init__.py": "",
            "app/migrations.py": MIGRATIONS,
            "app/runner.py": RUNNER,
            "app/wallets.py": WALLET_CODE,
        }
    )
    report = scan(root)
    final = sorted(
        (t.object_type, t.name) for t in report.tables if "migration-module" in t.present_in
    )
    # m010 drops the table m002 creates, although it comes first in the file
    assert final == [("table", "accounts"), ("table", "purses"), ("view", "balances")]
    autoindexes = {
        ("index", "sqlite_autoindex_accounts_1"),
        ("index", "sqlite_autoindex_wallets_1"),
    }
    assert sorted(set(real_migration_run(root)) - autoindexes) == [
        ("table", "accounts"),
        ("table", "purses"),
        ("view", "balances"),
    ]
    statuses = {t.qualified_name: t.status for t in report.tables}
    assert statuses == {
        "public.accounts": "used",
        "public.balances": "used",
        "public.legacy_settings": "removed",
        "public.purses": "used",
        "public.wallets": "removed",
    }
    # The migrations' SQL is neither runtime DDL nor a use of the application
    assert names(report, "runtime-created-table") == []
    assert uses_of(report, "public.accounts") == {("app/wallets.py", 2, "read")}
    history = report.table("public.balances")
    assert history is not None
    assert [(d.operation, d.line, d.revision) for d in history.definitions] == [
        ("create", 16, "m002_legacy"),
        ("drop", 20, "m003_balances_skip_orphans"),
        ("create", 22, "m003_balances_skip_orphans"),
    ]


def test_numbered_migration_modules_and_a_configured_module(make_repo: MakeRepo) -> None:
    root = make_repo(
        {
            "pyproject.toml": (
                "[tool.tabletrace]\n"
                'migration-modules = ["app/schema_steps.py"]\n'
                'migration-function-pattern = "^step(\\\\d+)$"\n'
            ),
            "db/migrations/0001_init.py": (
                "def up(conn):\n    conn.execute('CREATE TABLE tenants (id int)')\n"
            ),
            "db/migrations/0002_drop.py": (
                "def up(conn):\n    conn.execute('DROP TABLE tenants')\n"
                "    conn.execute('CREATE TABLE orgs (id int)')\n"
            ),
            "app/schema_steps.py": (
                "def step2(c):\n    c.execute('ALTER TABLE audit ADD COLUMN at text')\n\n\n"
                "def step1(c):\n    c.execute('CREATE TABLE audit (id int)')\n\n\n"
                "def helper(c):\n    c.execute('SELECT * FROM audit')\n"
            ),
            "app/repo.py": "def f(c):\n    c.execute('SELECT * FROM orgs JOIN audit ON true')\n",
        }
    )
    report = scan(root)
    sources = {
        t.qualified_name: sorted({d.source for d in t.definitions}) for t in report.tables
    }
    assert sources == {
        "public.audit": ["migration-module:app/schema_steps.py"],
        "public.orgs": ["migration-module:db/migrations"],
        "public.tenants": ["migration-module:db/migrations"],
    }
    audit = report.table("public.audit")
    assert audit is not None and audit.status == "used"
    assert [s.columns for s in audit.states] == [["id", "at"]]
    # helper() is not a numbered step: its SELECT is the application's use
    assert uses_of(report, "public.audit") == {
        ("app/repo.py", 2, "read"), ("app/schema_steps.py", 10, "read")
    }
    assert {t.qualified_name: t.status for t in report.tables}["public.tenants"] == "removed"


def test_step_modules_named_with_a_letter_before_their_number(make_repo: MakeRepo) -> None:
    """`migrations/m0001_v1_to_v2.py`, `migrations/m0002_meta.py`: a module name cannot start
    with a digit, so a migrations package names its steps `m0001_...` (paperless-ngx's vector
    store). They are one ordered source, step 2 after step 1 whatever the file order; the
    store's own `CREATE TABLE IF NOT EXISTS` on opening is then runtime DDL the migrations
    also create (info), not the only place the table is made (it had been three warnings,
    each citing the migration itself as run-time code). Python imports the steps by name."""
    import importlib

    root = make_repo(
        {
            "store/__init__.py": "",
            "store/migrations/__init__.py": "MIGRATIONS = []\n",
            "store/migrations/m0002_meta.py": (
                "from store.migrations import MIGRATIONS\n\n\n"
                "def _v2_to_v3(conn):\n"
                "    conn.execute('ALTER TABLE chunks ADD COLUMN meta text')\n\n\n"
                "MIGRATIONS.append((2, 3, _v2_to_v3))\n"
            ),
            "store/migrations/m0001_v1_to_v2.py": (
                "from store.migrations import MIGRATIONS\n\n\n"
                "def _v1_to_v2(conn):\n"
                "    conn.execute('CREATE TABLE chunks (id text PRIMARY KEY, doc int)')\n\n\n"
                "MIGRATIONS.append((1, 2, _v1_to_v2))\n"
            ),
            "store/db.py": (
                "def open_store(conn):\n"
                "    conn.execute(\n"
                "        'CREATE TABLE IF NOT EXISTS chunks '\n"
                "        '(id text PRIMARY KEY, doc int, meta text)'\n"
                "    )\n"
                "    return conn.execute('SELECT id FROM chunks').fetchall()\n"
            ),
        }
    )
    report = scan(root)
    chunks = report.table("public.chunks")
    assert chunks is not None
    assert sorted((d.source, d.path, d.line, d.operation) for d in chunks.definitions) == [
        ("migration-module:store/migrations", "store/migrations/m0001_v1_to_v2.py", 5, "create"),
        ("migration-module:store/migrations", "store/migrations/m0002_meta.py", 5, "alter"),
        ("runtime:store/db.py", "store/db.py", 3, "create"),
    ]
    assert [s.columns for s in chunks.states if s.source_kind == "migration-module"] == [
        ["id", "doc", "meta"]
    ]
    assert [(f.name, f.severity, f.path, f.line) for f in report.findings] == [
        ("runtime-created-table", "info", "store/db.py", 3)
    ]
    with importable(root, "store"):
        for name in ("store.migrations.m0001_v1_to_v2", "store.migrations.m0002_meta"):
            importlib.import_module(name)
        import store.migrations

        assert [(a, b) for a, b, _ in store.migrations.MIGRATIONS] == [(1, 2), (2, 3)]


def test_engine_variants_of_a_sql_file(make_repo: MakeRepo) -> None:
    """`full.sql.postgres` and `full.sql.sqlite` are SQL sources read in their own engine's
    dialect, alternatives of one schema: no second owner, no SQLite syntax called broken."""
    report = scan(
        make_repo(
            {
                "schema/full.sql.postgres": (
                    "CREATE TABLE users (id BIGSERIAL PRIMARY KEY, name text);\n"
                ),
                "schema/full.sql.sqlite": (
                    "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, name text);\n"
                ),
                "schema/notes.txt": "CREATE TABLE not_sql (id int);\n",
                "app/q.py": 'def f(cur):\n    cur.execute("SELECT name FROM users")\n',
            }
        )
    )
    users = report.table("users")
    assert users is not None and users.status == "used"
    assert sorted((d.path, d.line, d.operation) for d in users.definitions) == [
        ("schema/full.sql.postgres", 1, "create"),
        ("schema/full.sql.sqlite", 1, "create"),
    ]
    assert sorted(s.id for s in report.sources) == [
        "sql:schema/full.sql.postgres",
        "sql:schema/full.sql.sqlite",
    ]
    assert [f.name for f in report.findings] == []
    assert report.table("not_sql") is None


SQLITE_BESIDE_ALEMBIC: dict[str, str | bytes] = {
    "migrations/env.py": ALEMBIC_ENV_PY,
    "migrations/versions/a1.py": (
        'from alembic import op\nimport sqlalchemy as sa\nrevision = "a1"\n'
        "down_revision = None\n\n\ndef upgrade():\n"
        '    op.create_table("user", sa.Column("id", sa.Integer, primary_key=True))\n'
        '    op.create_table("repository", sa.Column("id", sa.Integer, primary_key=True),\n'
        '                    sa.Column("owner_id", sa.Integer, sa.ForeignKey("user.id")))\n'
    ),
    # the same schema for SQLite, where `user` needs no quotes
    "internal/schema/sqlite/app_schema.sql": (
        "CREATE TABLE user (id INTEGER NOT NULL PRIMARY KEY);\n"
        "CREATE TABLE repository (id INTEGER NOT NULL PRIMARY KEY,\n"
        "  owner_id INTEGER REFERENCES user (id));\n"
    ),
    # a SQLite dump kept as a deployment's seed
    "deploy/seed_dump.sql": (
        "-- dumped by sqlite3 .dump\nPRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\n"
        "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);\n"
        "CREATE TABLE user (id INTEGER NOT NULL PRIMARY KEY);\n"
        "CREATE TABLE repository (id INTEGER NOT NULL PRIMARY KEY,\n"
        "  owner_id INTEGER REFERENCES user (id));\nCOMMIT;\n"
    ),
    "app/__init__.py": "",
    "app/repos.py": (
        "def revision(conn):\n"
        '    return conn.execute("SELECT version_num FROM alembic_version").fetchone()\n\n\n'
        "def owners(conn):\n"
        '    return conn.execute(\n'
        '        "SELECT u.id FROM repository r JOIN \\"user\\" u ON u.id = r.owner_id"\n'
        "    ).fetchall()\n"
    ),
}


def test_sql_files_written_for_sqlite_beside_postgresql_migrations(
    make_repo: MakeRepo,
) -> None:
    """A `.sql` file in a folder named for an engine (`schema/sqlite/`) or opening with
    SQLite's `PRAGMA` (a `sqlite3 .dump`) is read in SQLite's dialect: its `REFERENCES user
    (id)` is no broken PostgreSQL (`user` is reserved there), and its tables are another
    engine's schema, not rival owners of the migrations' (no duplicate-definition). The
    dump's `alembic_version` is Alembic's own table, which `alembic upgrade` makes: no
    sql-only-table. sqlite3 runs both files; the definitions stay in the inventory."""
    import sqlite3

    root = make_repo(SQLITE_BESIDE_ALEMBIC)
    report = scan(root)
    assert report.findings == []
    repository = report.table("public.repository")
    assert repository is not None
    assert sorted((d.path, d.line, d.operation) for d in repository.definitions) == [
        ("deploy/seed_dump.sql", 6, "create"),
        ("internal/schema/sqlite/app_schema.sql", 2, "create"),
        ("migrations/versions/a1.py", 9, "create"),
    ]
    for path, tables in (
        ("internal/schema/sqlite/app_schema.sql", ["repository", "user"]),
        ("deploy/seed_dump.sql", ["alembic_version", "repository", "user"]),
    ):
        with sqlite3.connect(":memory:") as conn:
            conn.executescript((root / path).read_text())
            assert [name for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )] == tables


def test_verify_builds_only_the_postgresql_variant(make_repo: MakeRepo) -> None:
    from analyzer.database.plan import build_plan

    root = make_repo(
        {
            "schema/full.sql.postgres": "CREATE TABLE users (id BIGSERIAL PRIMARY KEY);\n",
            "schema/full.sql.sqlite": (
                "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT);\n"
            ),
        }
    )
    plan = build_plan(scan(root), root)
    assert [(s.path, s.line) for s in plan.steps if not s.generated] == [
        ("schema/full.sql.postgres", 1)
    ]


def test_engine_variants_in_a_numbered_folder_are_alternatives(make_repo: MakeRepo) -> None:
    """`01_x.sql.postgres` and `01_x.sql.sqlite` in a numbered folder are the same step for
    two engines: one ordered history per engine, each with the plain files; SQLite's way of
    renaming a column (re-create the table) is not a step after PostgreSQL's."""
    from analyzer.database.plan import build_plan

    root = make_repo(
        {
            "db/00_events.sql": "CREATE TABLE events (id int, chunk int);\n",
            "db/01_rename.sql.postgres": "ALTER TABLE events RENAME COLUMN chunk TO batch;\n",
            "db/01_rename.sql.sqlite": (
                "CREATE TABLE events2 (id int, batch int);\n"
                "DROP TABLE events;\n"
                "ALTER TABLE events2 RENAME TO events;\n"
            ),
            "app/q.py": 'def f(cur):\n    cur.execute("SELECT batch FROM events")\n',
        }
    )
    report = scan(root)
    assert sorted((s.id, tuple(s.files)) for s in report.sources) == [
        ("sql:db#postgres", ("db/00_events.sql", "db/01_rename.sql.postgres")),
        ("sql:db#sqlite", ("db/00_events.sql", "db/01_rename.sql.sqlite")),
    ]
    assert [f.name for f in report.findings] == []
    events = report.table("events")
    assert events is not None and [s.columns for s in events.states] == [
        ["id", "batch"],
        ["id", "batch"],
    ]
    plan = build_plan(report, root)
    assert [(s.path, s.line) for s in plan.steps if not s.generated] == [
        ("db/00_events.sql", 1),
        ("db/01_rename.sql.postgres", 1),
    ]


def test_named_query_files_are_application_sql_not_migrations(make_repo: MakeRepo) -> None:
    """aiosql's (anosql's, PugSQL's) `-- name: get-user^` blocks: the code loads the file and
    runs its queries by name, so each statement is a use at its line, and the file creates
    nothing; a `.sql` migration beside it is still a source."""
    report = scan(make_repo({
        "app/queries.py": (
            "import aiosql\n\n"
            'queries = aiosql.from_path("db/queries", "asyncpg")\n'
        ),
        "db/queries/users.sql": (
            "-- name: get-user-by-email^\n"
            "SELECT id, email\n"
            "FROM users\n"
            "WHERE email = :email;\n"
            "\n"
            "-- name: add-user<!\n"
            "INSERT INTO users (email) VALUES (:email) RETURNING id;\n"
        ),
        "db/schema/001_init.sql": (
            "CREATE TABLE users (id serial, email text);\n"
            "CREATE TABLE audit_trail (id serial);\n"
        ),
    }))
    users = report.table("users")
    assert users is not None and users.status == "used"
    assert sorted((u.path, u.line, u.kind, u.module) for u in users.uses) == [
        ("db/queries/users.sql", 3, "read", "db/queries/users.sql"),
        ("db/queries/users.sql", 7, "write", "db/queries/users.sql"),
    ]
    assert {(d.source_kind, d.path) for d in users.definitions} == {
        ("sql", "db/schema/001_init.sql")
    }
    assert [(f.name, f.table) for f in report.findings] == [("dead-table", "public.audit_trail")]
    assert report.stats.sql_statements == 4  # two queries, two CREATEs


def test_version_chains_are_ordered_by_their_starting_version() -> None:
    from analyzer.sources.model import version_chains

    assert version_chains([
        "sql/update_app_0.10_to_0.11.sql", "sql/update_app_0.9_to_0.10.sql",
        "sql/update_app_0.11_to_0.12.sql", "sql/create_app.sql",
        "sql/downgrade_app_0.12_to_0.11.sql",  # a step back is no upgrade
        "sql/report_2019_12.sql",  # one file named by two numbers, no upgrade word
        "bin/sqlite_upgrade_1.3.sql",  # one version, 1.3, not a step from 1 to 3
        "m/migration_001_002.sql",  # a lone step whose name says it migrates
        "u/upgrade-v3-v4.sql", "u/upgrade-v4-v10.sql",
    ]) == {
        "migration": ["m/migration_001_002.sql"],
        "update_app": [
            "sql/update_app_0.9_to_0.10.sql", "sql/update_app_0.10_to_0.11.sql",
            "sql/update_app_0.11_to_0.12.sql",
        ],
        "upgrade": ["u/upgrade-v3-v4.sql", "u/upgrade-v4-v10.sql"],
    }


@pytest.mark.parametrize(
    ("files", "ordered"),
    [
        # at the repository's top: the numbered files' folder is "." as the script's
        ({"schema.sql": "CREATE TABLE t (id int);\n", "001_t.sql": "CREATE TABLE t (id int);\n",
          "002_u.sql": "ALTER TABLE t ADD COLUMN u int;\n"}, "sql:."),
        # the script above `migrations/`
        ({"schema.sql": "CREATE TABLE t (id int);\n",
          "migrations/001_t.sql": "CREATE TABLE t (id int);\n"}, "sql:migrations"),
    ],
)
def test_a_fresh_script_and_numbered_upgrades_at_the_top(
    make_repo: MakeRepo, files: dict[str, str], ordered: str
) -> None:
    report = scan(make_repo(files))
    assert [f.name for f in report.findings if f.name == "duplicate-definition"] == []
    assert [s.id for s in report.sources if s.ordered] == [ordered]


def test_numbered_files_at_the_top_have_no_folder_beside_them(make_repo: MakeRepo) -> None:
    """A folder beside the upgrades' is one with the same parent; the repository's top has
    none, so a schema script one level down is a second owner of what the top's numbered
    files create, still reported."""
    report = scan(make_repo({
        "001_t.sql": "CREATE TABLE t (id int);\n",
        "002_u.sql": "ALTER TABLE t ADD COLUMN u int;\n",
        "other/create_tables.sql": "CREATE TABLE t (id int, u int);\n",
    }))
    assert [(f.name, f.table) for f in report.findings if f.name == "duplicate-definition"] == [
        ("duplicate-definition", "public.t")
    ]


PEEWEE_MIGRATIONS = {
    "migrations/001_create_alerts.py": (
        "def migrate(migrator, database, fake=False, **kwargs):\n"
        '    migrator.sql(\'CREATE TABLE IF NOT EXISTS "alerts" ("id" INTEGER NOT NULL PRIMARY KEY,'
        ' "camera" VARCHAR(20) NOT NULL)\')\n\n\n'
        "def rollback(migrator, database, fake=False, **kwargs):\n"
        "    migrator.sql('DROP TABLE IF EXISTS \"alerts\"')\n"
    ),
    "migrations/002_snapshots.py": (
        "def migrate(migrator, database, fake=False, **kwargs):\n"
        '    migrator.sql("CREATE TABLE snapshots (id INTEGER PRIMARY KEY)")\n'
        '    migrator.sql("ALTER TABLE alerts ADD COLUMN score REAL")\n\n\n'
        "def rollback(migrator, database, fake=False, **kwargs):\n"
        '    migrator.sql("DROP TABLE snapshots")\n'
        '    migrator.sql("ALTER TABLE alerts DROP COLUMN score")\n'
    ),
    "app/queries.py": (
        "def recent(db):\n"
        '    return db.execute_sql("SELECT a.camera, a.score FROM alerts a JOIN snapshots s'
        ' ON s.id = a.id")\n'
    ),
}


def test_a_numbered_modules_rollback_is_no_step(make_repo: MakeRepo) -> None:
    """peewee_migrate's `rollback()` (a home-made `down()`) runs only when a migration is
    reverted: its DROP is no step on the way to the schema (the tables are not `removed`), and
    its SQL stays the migration's, not a use."""
    report = scan(make_repo(PEEWEE_MIGRATIONS))
    assert {t.qualified_name: t.status for t in report.tables} == {
        "public.alerts": "used", "public.snapshots": "used",
    }
    (source,) = report.sources
    assert source.id == "migration-module:migrations"
    assert sorted(
        (d.path, d.line, d.operation) for t in report.tables for d in t.definitions
    ) == [
        ("migrations/001_create_alerts.py", 2, "create"),
        ("migrations/002_snapshots.py", 2, "create"),
        ("migrations/002_snapshots.py", 3, "alter"),
    ]
    alerts = report.table("public.alerts")
    assert alerts is not None
    assert [s.columns for s in alerts.states] == [["id", "camera", "score"]]
    assert uses_of(report, "public.alerts") == {("app/queries.py", 2, "read")}
    assert uses_of(report, "public.snapshots") == {("app/queries.py", 2, "read")}
    assert report.findings == []


def test_peewee_migrate_builds_what_the_replay_says(make_repo: MakeRepo, tmp_path: Path) -> None:
    """peewee_migrate's own Router runs the fixture's migrations on SQLite: the tables and
    columns the replay gives (its bookkeeping table `migratehistory` aside)."""
    pytest.importorskip("peewee_migrate")
    root = make_repo(PEEWEE_MIGRATIONS)
    database = tmp_path / "app.db"
    script = textwrap.dedent(
        f"""
        import json, sqlite3
        from peewee import SqliteDatabase
        from peewee_migrate import Router
        Router(SqliteDatabase({str(database)!r}), migrate_dir={str(root / "migrations")!r}).run()
        with sqlite3.connect({str(database)!r}) as conn:
            rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            names = [r[0] for r in rows]
            print(json.dumps({{n: [c[1] for c in conn.execute(f"PRAGMA table_info({{n}})")]
                              for n in names if n != "migratehistory"}}))
        """
    )
    built = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    import json

    report = scan(root)
    assert json.loads(built) == {
        t.name: t.states[0].columns for t in report.tables
    } == {"alerts": ["id", "camera", "score"], "snapshots": ["id"]}


def test_modules_named_as_steps_of_a_chain_of_upgrades(make_repo: MakeRepo) -> None:
    """`migrator/migrate1to2.py`, `migrate2to3.py`, ..., `migrate10to11.py`, each running its
    SQL from `do_migration(conn)`, which a runner imports by version: one ordered source,
    module by module in the order of the version each starts from (`10to11` after `2to3`),
    their SQL no use and no runtime DDL. A lone `py2to3.py` is named so by chance: its SQL
    stays the application's. The upgrade from version 1 starts from a schema no source
    creates: one `migration-order` warning (not an error per step) says so, naming the
    module that fails. sqlite3 runs the runner on a version-1 database."""
    import importlib
    import sqlite3

    steps = {
        1: "ALTER TABLE blobs ADD COLUMN size integer",
        2: "CREATE TABLE streams (sd_hash text, blob_hash text)",
        10: "ALTER TABLE streams ADD COLUMN added_on integer",
    }
    files: dict[str, str | bytes] = {
        "store/__init__.py": "",
        "store/migrator/__init__.py": "",
        "store/migrator/runner.py": (
            "import importlib\n\n\n"
            "def migrate(conn, start, end, skipped=range(3, 10)):\n"
            "    for version in range(start, end):\n"
            "        if version in skipped:\n"
            "            continue\n"
            "        step = importlib.import_module(\n"
            '            f"store.migrator.migrate{version}to{version + 1}")\n'
            "        step.do_migration(conn)\n"
        ),
        "store/py2to3.py": (
            "def convert(conn):\n"
            '    conn.execute("UPDATE streams SET sd_hash = lower(sd_hash)")\n'
        ),
        "store/files.py": (
            "def added(conn):\n"
            '    return conn.execute("SELECT sd_hash, added_on FROM streams").fetchall()\n'
        ),
    }
    for start, sql in steps.items():
        files[f"store/migrator/migrate{start}to{start + 1}.py"] = (
            f'def do_migration(conn):\n    conn.executescript("{sql};")\n'
        )
    root = make_repo(files)
    report = scan(root)
    streams = report.table("public.streams")
    assert streams is not None
    assert sorted((d.source, d.path, d.operation) for d in streams.definitions) == [
        ("migration-module:store/migrator", "store/migrator/migrate10to11.py", "alter"),
        ("migration-module:store/migrator", "store/migrator/migrate2to3.py", "create"),
    ]
    assert [s.columns for s in streams.states] == [["sd_hash", "blob_hash", "added_on"]]
    assert sorted(
        (t.qualified_name, u.path, u.line, u.kind) for t in report.tables for u in t.uses
    ) == [
        ("public.streams", "store/files.py", 2, "read"),
        ("public.streams", "store/py2to3.py", 2, "write"),
    ]
    # the chain starts at version 1: it upgrades a database an older release built
    assert [(f.name, f.table, f.severity, f.message) for f in report.findings] == [
        ("migration-order", "public.blobs", "warning",
         "On an empty database, migration migrate1to2 fails (store/migrator/migrate1to2.py:2):"
         " `ALTER TABLE blobs ADD COLUMN size integer` needs table public.blobs, which none of"
         " store/migrator's steps creates. The steps upgrade a database an older release"
         " built, a schema no source of the repository makes: a fresh database is built"
         " another way, or not at all"),
    ]
    with importable(root, "store"), sqlite3.connect(":memory:") as conn:
        conn.execute("CREATE TABLE blobs (blob_hash text)")  # version 1, made elsewhere
        importlib.import_module("store.migrator.runner").migrate(conn, 1, 11)
        columns = [row[1] for row in conn.execute("PRAGMA table_info(streams)")]
        assert columns == ["sd_hash", "blob_hash", "added_on"]


SERIAL_FILES: dict[str, str | bytes] = {
    "db/schema.sql": (
        "CREATE TABLE app_project (id serial PRIMARY KEY, name text);\n"
        "CREATE TABLE app_task (id bigint GENERATED BY DEFAULT AS IDENTITY, project int);\n"
    ),
    "app/__init__.py": "",
    "app/cluster.py": (
        "def next_ids(cur):\n"
        '    cur.execute("SELECT last_value FROM app_project_id_seq")\n'
        "    project = cur.fetchone()[0]\n"
        '    cur.execute("SELECT last_value FROM app_task_id_seq")\n'
        "    task = cur.fetchone()[0]\n"
        '    cur.execute("SELECT last_value FROM app_task_owner_seq")\n'
        "    return project, task, cur.fetchone()[0]\n"
    ),
}


def test_a_serial_columns_sequence_is_no_table(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """`SELECT last_value FROM app_project_id_seq` reads the sequence PostgreSQL makes for the
    serial (or identity) column `app_project.id`: no table, no undefined-table. A `_seq`
    name of no table's column (`app_task_owner_seq`) stays a table no source creates.
    PostgreSQL answers the first two and refuses the third."""
    import psycopg

    from analyzer.database.url import parse_database_url

    root = make_repo(SERIAL_FILES)
    report = scan(root)
    assert sorted(t.qualified_name for t in report.tables) == [
        "public.app_project", "public.app_task", "public.app_task_owner_seq",
    ]
    assert sorted((f.name, f.table) for f in report.findings) == [
        ("dead-table", "public.app_project"),
        ("dead-table", "public.app_task"),
        ("undefined-table", "public.app_task_owner_seq"),
    ]
    url = parse_database_url(make_database(SERIAL_FILES["db/schema.sql"]))  # type: ignore[arg-type]
    with psycopg.connect(url.conninfo, autocommit=True) as conn:
        assert conn.execute("SELECT last_value FROM app_project_id_seq").fetchone() == (1,)
        assert conn.execute("SELECT last_value FROM app_task_id_seq").fetchone() == (1,)
        with pytest.raises(psycopg.errors.UndefinedTable):
            conn.execute("SELECT last_value FROM app_task_owner_seq")


def test_a_statement_under_an_if_of_an_upgrade_module_is_conditional(
    make_repo: MakeRepo,
) -> None:
    """An upgrade module's `if "tmp_notes" in tables: ALTER TABLE tmp_notes RENAME TO notes`
    (`else:` creating it, then renaming) may not run: `conditional`, so replaying the steps
    from an empty database finds no `migration-order` error at the rename (it had said the
    table was created only after it, by the `else` branch). sqlite3 runs the step on an
    empty database and on one holding `tmp_notes`."""
    import importlib
    import sqlite3

    root = make_repo({
        "store/__init__.py": "",
        "store/migrator/__init__.py": "",
        "store/migrator/migrate1to2.py": (
            "def do_migration(conn):\n"
            "    tables = [row[0] for row in conn.execute(\n"
            "        \"SELECT name FROM sqlite_master WHERE type = 'table'\")]\n"
            '    if "tmp_notes" in tables:\n'
            '        conn.execute("ALTER TABLE tmp_notes RENAME TO notes")\n'
            "    else:\n"
            '        conn.executescript("CREATE TABLE IF NOT EXISTS tmp_notes (id int); "\n'
            '                           "ALTER TABLE tmp_notes RENAME TO notes;")\n'
        ),
        "store/migrator/migrate2to3.py": (
            "def do_migration(conn):\n"
            '    conn.execute("ALTER TABLE notes ADD COLUMN body text")\n'
        ),
        "store/notes.py": (
            "def bodies(conn):\n"
            '    return conn.execute("SELECT body FROM notes").fetchall()\n'
        ),
    })
    report = scan(root)
    assert report.findings == []
    notes = report.table("public.notes")
    assert notes is not None
    assert [s.columns for s in notes.states] == [["id", "body"]]
    assert sorted((d.line, d.operation, d.detail) for d in notes.definitions) == [
        (2, "alter", "add column body"),
        (5, "rename_to", "renamed from public.tmp_notes; conditional (under an if/try, or in "
                         "a helper a registered step calls)"),
        (8, "rename_to", "renamed from public.tmp_notes; conditional (under an if/try, or in "
                         "a helper a registered step calls)"),
    ]
    for existing in ("", "CREATE TABLE tmp_notes (id int);"):
        with importable(root, "store"), sqlite3.connect(":memory:") as conn:
            conn.executescript(existing)
            for step in ("migrate1to2", "migrate2to3"):
                importlib.import_module(f"store.migrator.{step}").do_migration(conn)
            assert [row[1] for row in conn.execute("PRAGMA table_info(notes)")] == [
                "id", "body"
            ]


INHERITS_FILES: dict[str, str | bytes] = {
    "db/schema.sql": (
        "CREATE TABLE log (id serial PRIMARY KEY, event_time timestamptz, actor int);\n"
        "CREATE TABLE log_comments (comment_id int) INHERITS (log);\n"
        "CREATE TABLE log_comment_votes (vote int, actor int) INHERITS (log_comments);\n"
        "ALTER TABLE log ADD COLUMN user_agent text;\n"
        "ALTER TABLE log DROP COLUMN actor;\n"
        "ALTER TABLE log RENAME COLUMN event_time TO logged_at;\n"
    ),
    "app/__init__.py": "",
    "app/models.py": (
        "from sqlalchemy import Column, DateTime, Integer, Text\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class LogColumns:\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    logged_at = Column(DateTime)\n"
        "    user_agent = Column(Text)\n\n\n"
        "class LogComment(LogColumns, Base):\n"
        '    __tablename__ = "log_comments"\n'
        "    comment_id = Column(Integer)\n\n\n"
        "def recent(session):\n"
        "    return session.query(LogComment).all()\n"
    ),
}


def test_a_table_inheriting_another_has_its_columns(
    make_repo: MakeRepo, make_database: MakeDatabase
) -> None:
    """`CREATE TABLE log_comments (comment_id int) INHERITS (log)` (PostgreSQL): the child
    has the parent's columns before its own, and the parent's later ADD, DROP and RENAME
    COLUMN reach it and its own children; a column a child declares itself stays when the
    parent drops it. The model of the child, with the parent's columns, drifts from nothing.
    PostgreSQL, running the same file, lists the same columns in the same order."""
    import psycopg

    from analyzer.database.url import parse_database_url

    report = scan(make_repo(INHERITS_FILES))
    columns = {
        t.name: [s.columns for s in t.states if s.source_kind == "sql"] for t in report.tables
    }
    expected = {
        "log": ["id", "logged_at", "user_agent"],
        "log_comments": ["id", "logged_at", "comment_id", "user_agent"],
        "log_comment_votes": ["id", "logged_at", "actor", "comment_id", "vote", "user_agent"],
    }
    assert columns == {name: [listed] for name, listed in expected.items()}
    assert [f.name for f in report.findings if f.name == "model-drift"] == []
    url = make_database(INHERITS_FILES["db/schema.sql"])
    with psycopg.connect(parse_database_url(url).conninfo) as conn:
        for table, listed in expected.items():
            rows = conn.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
                " ORDER BY ordinal_position", (table,),
            ).fetchall()
            assert [row[0] for row in rows] == listed


def test_a_child_of_a_table_another_source_makes_has_unknown_columns(
    make_repo: MakeRepo,
) -> None:
    """A migration creating `log_comments ... INHERITS (log)` where `log` is the models'
    (create_all), not the migration's: the child's columns are unknown to the migration's
    history, so no model-drift is claimed from its own column alone."""
    files = dict(INHERITS_FILES)
    files["db/schema.sql"] = "CREATE TABLE log_comments (comment_id int) INHERITS (log);\n"
    report = scan(make_repo(files))
    (table,) = [t for t in report.tables if t.name == "log_comments"]
    assert [(s.source_kind, s.columns) for s in table.states] == [
        ("model", ["comment_id", "id", "logged_at", "user_agent"]), ("sql", None),
    ]
    assert [f.name for f in report.findings if f.name == "model-drift"] == []


OPERATION_MIGRATIONS = {
    "store/__init__.py": "",
    "store/operations.py": '''\
class Operation:
    def __init__(self, table_name):
        self.table_name = table_name

    def execute(self, conn):
        conn.execute(self.format_sql())


class CreateTable(Operation):
    def __init__(self, table_name, columns):
        super().__init__(table_name)
        self.columns = columns

    def format_sql(self):
        return f"CREATE TABLE IF NOT EXISTS {self.table_name} ({self.columns})"


class AddColumn(Operation):
    def __init__(self, table_name, column):
        super().__init__(table_name)
        self.column = column

    def format_sql(self):
        return f"ALTER TABLE {self.table_name} ADD COLUMN {self.column}"


class DropTable(Operation):
    def format_sql(self):
        return f"DROP TABLE IF EXISTS {self.table_name}"
''',
    "store/migration.py": '''\
class NodeMigration:
    def forwards(self):
        raise NotImplementedError

    def backwards(self):
        raise NotImplementedError
''',
    "store/store_migrations/__init__.py": "",
    "store/store_migrations/events/__init__.py": "",
    "store/store_migrations/events/0001_events.py": '''\
from store import migration, operations


class Migration(migration.NodeMigration):
    def forwards(self):
        return [operations.CreateTable("events", "id INTEGER, kind TEXT")]

    def backwards(self):
        return [operations.DropTable("events")]
''',
    "store/store_migrations/events/0002_events_seen.py": '''\
from store import migration, operations


class Migration(migration.NodeMigration):
    def forwards(self):
        return [
            operations.AddColumn("events", "seen INTEGER"),
            operations.CreateTable("events_archive", "id INTEGER"),
        ]

    def _backwards_archive(self):
        return [operations.DropTable("events_archive")]
''',
    "store/queries.py": '''\
def recent(conn):
    return conn.execute("SELECT id, kind, seen FROM events").fetchall()


def archived(conn):
    return conn.execute("SELECT id FROM events_archive").fetchall()
''',
}


def test_numbered_modules_of_a_migration_framework_folder(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """A home-made framework's migrations in `store_migrations/<group>/0001_x.py` (a folder
    named for its kind of migrations), each a `class Migration` (not Django's: no
    `migrations` folder) whose `forwards()` returns operation objects that format their SQL
    (`CreateTable("events", ...)`): one ordered source per group, module by module; a
    reverse method (`backwards`, `_backwards_archive`) is no step. The table name reaches
    the SQL through the operation's constructor handing it up to its base's
    (`super().__init__(table_name)`, the base keeping `self.table_name`). So the tables are
    the migrations', neither runtime DDL nor dropped. The framework's own runner, run on
    SQLite, builds the same tables and columns. (`DropTable`, made by the constructor it
    inherits, is not followed: its SQL's table stays a name known at run time.)"""
    import importlib
    import sqlite3

    root = make_repo(OPERATION_MIGRATIONS)
    report = scan(root)
    assert [(s.id, s.kind) for s in report.sources] == [
        ("migration-module:store/store_migrations/events", "migration-module"),
    ]
    built = {t.name: t.states[0].columns for t in report.tables}
    assert {t.name: t.status for t in report.tables} == {"events": "used", "events_archive": "used"}
    assert [(f.name, f.path, f.line) for f in report.findings] == [
        ("dynamic-table-name", "store/operations.py", 29),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()
    with importable(root):
        conn = sqlite3.connect(tmp_path / "store.db")
        for name in ("0001_events", "0002_events_seen"):
            module = importlib.import_module(f"store.store_migrations.events.{name}")
            for operation in module.Migration().forwards():
                operation.execute(conn)
        real = {
            name: [c[1] for c in conn.execute(f"PRAGMA table_info({name})")]
            for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
    assert real == built == {"events": ["id", "kind", "seen"], "events_archive": ["id"]}


def test_steps_named_vN_vM_upgrade_a_database_of_the_first_version(make_repo: MakeRepo) -> None:
    """`db/upgrades/v26_v27.py`, `v27_v28.py`, `v28_v29.py` (rotki's naming), each an
    `upgrade_vN_to_vM(cursor)`: one ordered source, in version order. They upgrade a database
    of version 26 that something else built, so a table a step needs that an earlier step did
    not create is that schema's, even one a later step creates again (`events`, dropped and
    made anew at 28): one `migration-order` warning for the chain, not an error per step
    (rotki's 16). sqlite3 runs the steps on a version-26 database."""
    import importlib
    import sqlite3

    steps = {
        26: "DELETE FROM events WHERE kind = 'old'",
        27: "DROP TABLE events; CREATE TABLE events (id integer, kind text, seen integer)",
        28: "ALTER TABLE settings ADD COLUMN theme text",
    }
    files: dict[str, str | bytes] = {"app/__init__.py": "", "app/db/__init__.py": "",
                                     "app/db/upgrades/__init__.py": ""}
    for start, sql in steps.items():
        files[f"app/db/upgrades/v{start}_v{start + 1}.py"] = (
            f"def upgrade_v{start}_to_v{start + 1}(cursor):\n"
            f'    cursor.executescript("{sql};")\n'
        )
    files["app/db/queries.py"] = (
        "def seen(cursor):\n"
        '    return cursor.execute("SELECT id FROM events WHERE seen = 1").fetchall()\n'
    )
    root = make_repo(files)
    report = scan(root)
    assert [(s.id, s.kind) for s in report.sources] == [
        ("migration-module:app/db/upgrades", "migration-module"),
    ]
    events = report.table("public.events")
    assert events is not None
    assert [s.columns for s in events.states] == [["id", "kind", "seen"]]
    assert [(f.name, f.table, f.severity) for f in report.findings] == [
        ("migration-order", "public.events", "warning"),
    ]
    assert "later steps need public.settings too" in report.findings[0].message
    with importable(root, "app"), sqlite3.connect(":memory:") as conn:
        conn.executescript(  # version 26, made elsewhere
            "CREATE TABLE events (id integer, kind text); CREATE TABLE settings (name text);"
        )
        for start in steps:
            module = importlib.import_module(f"app.db.upgrades.v{start}_v{start + 1}")
            getattr(module, f"upgrade_v{start}_to_v{start + 1}")(conn.cursor())
        columns = [row[1] for row in conn.execute("PRAGMA table_info(events)")]
    assert columns == ["id", "kind", "seen"]


OWN_SQLITE_FILE = {
    "app/__init__.py": "",
    "app/models.py": (
        "from sqlalchemy import Column, Integer, create_engine\n"
        "from sqlalchemy.orm import DeclarativeBase\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        "class Check(Base):\n    __tablename__ = 'checks'\n"
        "    id = Column(Integer, primary_key=True)\n\n\n"
        "def init(url):\n    Base.metadata.create_all(create_engine(url))\n\n\n"
        "def count(session):\n    return session.query(Check).count()\n"
    ),
    "app/search.py": (
        "import sqlite3\n\n\n"
        "def build(path, texts):\n"
        "    con = sqlite3.connect(path)\n"
        "    con.execute('DROP TABLE IF EXISTS docs')\n"
        "    con.execute('CREATE VIRTUAL TABLE docs USING fts5(body)')\n"
        "    con.executemany('INSERT INTO docs VALUES (?)', [(t,) for t in texts])\n"
        "    con.commit()\n"
        "    return con.execute('SELECT count(*) FROM docs').fetchone()[0]\n"
    ),
    "app/cookies.py": (
        "from sqlite3 import dbapi2 as sqlite\n\n\n"
        "def read_cookies(filename):\n"
        "    con = sqlite.connect(filename)\n"
        "    return con.execute('SELECT host, name FROM moz_cookies').fetchall()\n"
    ),
}


def test_a_sqlite_file_the_code_opens_beside_the_application_database(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """Beside an application database its models own (`create_all`), a module opening a
    SQLite file of its own with `sqlite3.connect(path)`: a search index it builds (`CREATE
    VIRTUAL TABLE docs`), a browser's cookie database it reads (`moz_cookies`). Their tables
    are that file's, one external source per module: no `undefined-table` error for
    `moz_cookies` (Flexget), and the index's run-time DDL is info, not "move it into a
    migration" (healthchecks). Without an application database of another kind, a SQLite
    file the code opens is the application's own: nothing changes."""
    import sqlite3

    root = make_repo(OWN_SQLITE_FILE)
    report = scan(root)
    assert sorted(
        (s.id, list(s.tables)) for s in report.sources if s.id.startswith("external:")
    ) == [
        ("external:SQLite file opened at app/cookies.py:5", ["public.moz_cookies"]),
        ("external:SQLite file opened at app/search.py:5", ["public.docs"]),
    ]
    assert [(f.name, f.severity, f.table) for f in report.findings] == [
        ("runtime-created-table", "info", "public.docs"),
    ]
    assert "in the SQLite file opened at app/search.py:5" in report.findings[0].message
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    plain = make_repo({**{k: v for k, v in OWN_SQLITE_FILE.items() if k != "app/models.py"}})
    (plain / "app/models.py").unlink()
    alone = scan(plain)
    assert sorted((f.name, f.severity, f.table) for f in alone.findings) == [
        ("runtime-created-table", "warning", "public.docs"),
        ("undefined-table", "error", "public.moz_cookies"),
    ]
    with importable(root):
        import app.search

        index = tmp_path / "search.db"
        assert app.search.build(str(index), ["a", "b"]) == 2
        with sqlite3.connect(index) as con:
            assert con.execute(
                "SELECT name FROM sqlite_master WHERE name = 'docs'"
            ).fetchall() == [("docs",)]


SUBCLASS_CHAIN = {
    "app/__init__.py": "",
    "app/db.py": (
        "import sqlite3\n\n\n"
        "class Connection:\n"
        "    def __init__(self, filename):\n"
        "        self.raw = sqlite3.connect(filename)\n\n"
        "    def action(self, query):\n"
        "        return self.raw.execute(query)\n\n"
        "    def has_column(self, table, column):\n"
        "        rows = self.raw.execute(f\"PRAGMA table_info({table})\").fetchall()\n"
        "        return any(row[1] == column for row in rows)\n\n\n"
        "class SchemaUpgrade:\n"
        "    def __init__(self, connection):\n"
        "        self.connection = connection\n\n\n"
        "def _process(connection, upgrade_class):\n"
        "    instance = upgrade_class(connection)\n"
        "    if not instance.test():\n"
        "        instance.execute()\n"
        "    for sub in upgrade_class.__subclasses__():\n"
        "        _process(connection, sub)\n\n\n"
        "def upgrade_database(connection, schema):\n"
        "    _process(connection, schema)\n"
    ),
    "app/main_db.py": (
        "from app import db\n\n\n"
        "class InitialSchema(db.SchemaUpgrade):\n"
        "    def test(self):\n"
        "        return bool(self.connection.action(\n"
        "            \"SELECT name FROM sqlite_master WHERE name = 'shows'\").fetchall())\n\n"
        "    def execute(self):\n"
        "        self.connection.action(\n"
        "            'CREATE TABLE shows (id INTEGER PRIMARY KEY, name TEXT)')\n\n\n"
        "class AddYear(InitialSchema):\n"
        "    def test(self):\n"
        "        return self.connection.has_column('shows', 'year')\n\n"
        "    def execute(self):\n"
        "        self.connection.action('ALTER TABLE shows ADD COLUMN year INTEGER')\n\n\n"
        "class AddRatings(AddYear):\n"
        "    def test(self):\n"
        "        return bool(self.connection.action(\n"
        "            \"SELECT name FROM sqlite_master WHERE name = 'ratings'\").fetchall())\n\n"
        "    def execute(self):\n"
        "        self.connection.action('CREATE TABLE ratings (show_id INTEGER, stars INTEGER)')\n"
    ),
    "app/main.py": (
        "from app import db, main_db\n\n\n"
        "def start(path):\n"
        "    connection = db.Connection(path)\n"
        "    db.upgrade_database(connection, main_db.InitialSchema)\n"
        "    return connection\n\n\n"
        "def names(connection):\n"
        "    return connection.action('SELECT s.name, s.year, r.stars FROM shows AS s '\n"
        "                             'JOIN ratings AS r ON r.show_id = s.id').fetchall()\n"
    ),
}


def test_upgrade_steps_written_as_a_chain_of_subclasses(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """The SickBeard family's upgrades (Medusa, SickChill): `class AddYear(InitialSchema)`,
    `class AddRatings(AddYear)`, each with a `test()` and an `execute()`, run by a function
    that makes the class it is given, runs it when its test fails, and recurses into
    `cls.__subclasses__()`; `upgrade_database(con, main_db.InitialSchema)` names the root.
    One ordered source, the steps depth first; their SQL is the migration's, not the
    application's uses nor run-time DDL (Medusa: 22 false runtime-created-table warnings).
    Real sqlite3 runs the chain to the same tables and columns."""
    import sqlite3

    root = make_repo(SUBCLASS_CHAIN)
    report = scan(root)
    assert [s.id for s in report.sources] == ["migration-module:app/main_db.py:InitialSchema"]
    shows = report.table("public.shows")
    assert shows is not None and [s.columns for s in shows.states] == [["id", "name", "year"]]
    assert sorted((d.path, d.line, d.operation) for d in shows.definitions) == [
        ("app/main_db.py", 11, "create"), ("app/main_db.py", 19, "alter"),
    ]
    assert sorted({(t.name, u.path) for t in report.tables for u in t.uses}) == [
        ("ratings", "app/main.py"), ("shows", "app/main.py"),
    ]
    assert [f.name for f in report.findings] == []
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    with importable(root):
        import app.main

        connection = app.main.start(str(tmp_path / "main.db"))
        connection.action("INSERT INTO shows VALUES (1, 'x', 2020)")
        connection.action("INSERT INTO ratings VALUES (1, 5)")
        assert app.main.names(connection) == [("x", 2020, 5)]
        with sqlite3.connect(tmp_path / "main.db") as check:
            assert [row[1] for row in check.execute("PRAGMA table_info(shows)")] == [
                "id", "name", "year",
            ]


def test_tables_a_function_creates_on_its_own_in_memory_database(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """`conn = sqlite3.connect(":memory:")`, then `CREATE VIRTUAL TABLE probe USING
    fts5(...)` to learn whether the build has FTS5, or a scratch copy of an attached file's
    table: that database is gone when the function returns, so its tables are no schema's
    and no use of one (datasette: 4 runtime-created-table and 3 dead-table warnings on
    such probes). The attached database's table stays (external, as ATTACH makes it).
    Real sqlite3 runs both and leaves the file without those tables."""
    import sqlite3

    root = make_repo({
        "app/__init__.py": "",
        "app/probe.py": (
            "import sqlite3\n\n\n"
            "def supports_fts5():\n"
            "    conn = sqlite3.connect(':memory:')\n"
            "    try:\n"
            "        conn.execute('CREATE VIRTUAL TABLE probe USING fts5(data)')\n"
            "        conn.execute('DROP TABLE probe')\n"
            "        return True\n"
            "    except sqlite3.OperationalError:\n"
            "        return False\n\n\n"
            "def copy_notes(path):\n"
            "    conn = sqlite3.connect(':memory:')\n"
            "    conn.execute(f\"ATTACH DATABASE '{path}' AS disk\")\n"
            "    conn.execute('CREATE TABLE scratch AS SELECT * FROM disk.notes')\n"
            "    return conn.execute('SELECT count(*) FROM scratch').fetchone()[0]\n"
        ),
    })
    report = scan(root)
    assert [(t.qualified_name, t.status) for t in report.tables] == [("disk.notes", "external")]
    assert report.findings == []
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    with importable(root):
        import app.probe

        disk = tmp_path / "disk.db"
        with sqlite3.connect(disk) as con:
            con.execute("CREATE TABLE notes (body text)")
            con.execute("INSERT INTO notes VALUES ('a')")
        assert app.probe.copy_notes(str(disk)) == 1
        assert isinstance(app.probe.supports_fts5(), bool)
        with sqlite3.connect(disk) as con:
            assert con.execute("SELECT name FROM sqlite_master").fetchall() == [("notes",)]


def test_steps_registered_with_sqlite_utils_migrations(make_repo: MakeRepo) -> None:
    """`migrations = Migrations("app")` (sqlite-utils), then steps decorated
    `@migrations(name="0001_initial")`, one running a module constant
    (`db.executescript(SCHEMA)`): one ordered source, the steps in definition order, their
    SQL and the constant's the migration's (datasette: 12 runtime-created-table warnings
    on its internal catalog). The real registry applies them to the same tables."""
    sqlite_utils = pytest.importorskip("sqlite_utils")
    root = make_repo({
        "app/__init__.py": "",
        "app/internal_db.py": (
            "from sqlite_utils import Migrations\n\n"
            "SCHEMA = '''\n"
            "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT);\n"
            "CREATE TABLE IF NOT EXISTS tags (id INTEGER PRIMARY KEY, label TEXT);\n"
            "'''\n\n"
            "migrations = Migrations('app_internal')\n\n\n"
            "@migrations(name='0001_initial')\n"
            "def initial(db):\n"
            "    db.executescript(SCHEMA)\n\n\n"
            "@migrations(name='0002_note_tags')\n"
            "def note_tags(db):\n"
            "    db.execute('ALTER TABLE notes ADD COLUMN tag_id INTEGER')\n\n\n"
            "def count(db):\n"
            "    return db.execute('SELECT count(*) FROM notes JOIN tags ON tags.id = "
            "notes.tag_id').fetchone()[0]\n"
        ),
    })
    report = scan(root)
    assert [s.id for s in report.sources] == [
        "migration-module:app/internal_db.py:migrations"
    ]
    notes = report.table("public.notes")
    assert notes is not None and [s.columns for s in notes.states] == [["id", "body", "tag_id"]]
    assert report.findings == []
    assert sorted({(t.name, u.line, u.kind) for t in report.tables for u in t.uses}) == [
        ("notes", 22, "read"), ("tags", 22, "read"),
    ]
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    with importable(root):
        import app.internal_db

        db = sqlite_utils.Database(memory=True)
        app.internal_db.migrations.apply(db)
        assert [c.name for c in db["notes"].columns] == ["id", "body", "tag_id"]
        assert app.internal_db.count(db) == 0


def test_subclass_chains_on_connections_of_their_own_build_separate_databases(
    make_repo: MakeRepo, tmp_path: Path
) -> None:
    """Two upgrade chains run on connections made apart (`upgrade_database(Connection(
    "main.db"), main_db.InitialSchema)`, `upgrade_database(Connection("cache.db"),
    cache_db.InitialSchema)`) build two databases: each may have its own `db_version`,
    with other columns, and neither is a duplicate-definition nor a definition-drift of the
    other (Medusa: 3 and 2 such warnings). The same chains on one connection are rivals.
    Real sqlite3 builds the two files."""
    import sqlite3

    def chain(columns: str) -> str:
        return (
            "from app import db\n\n\n"
            "class InitialSchema(db.SchemaUpgrade):\n"
            "    def test(self):\n"
            "        return False\n\n"
            "    def execute(self):\n"
            f"        self.connection.action('CREATE TABLE db_version ({columns})')\n"
        )

    files = {
        **{k: v for k, v in SUBCLASS_CHAIN.items() if k in ("app/__init__.py", "app/db.py")},
        "app/main_db.py": chain("db_version INTEGER"),
        "app/cache_db.py": chain("db_version INTEGER, updated TEXT"),
        "app/main.py": (
            "from app import cache_db, db, main_db\n\n\n"
            "def start(folder):\n"
            "    db.upgrade_database(db.Connection(folder + '/main.db'), main_db.InitialSchema)\n"
            "    db.upgrade_database(db.Connection(folder + '/cache.db'), cache_db.InitialSchema)\n"
            "\n\n"
            "def version(connection):\n"
            "    return connection.action('SELECT db_version FROM db_version').fetchall()\n"
        ),
    }
    root = make_repo(files)
    report = scan(root)
    assert sorted(s.id for s in report.sources) == [
        "migration-module:app/cache_db.py:InitialSchema",
        "migration-module:app/main_db.py:InitialSchema",
    ]
    assert [f.name for f in report.findings] == []
    with importable(root):
        import app.main

        app.main.start(str(tmp_path))
        for name, columns in (("main.db", ["db_version"]), ("cache.db", ["db_version", "updated"])):
            with sqlite3.connect(tmp_path / name) as con:
                assert [r[1] for r in con.execute("PRAGMA table_info(db_version)")] == columns
    one = make_repo({**files, "app/main.py": files["app/main.py"].replace(
        "db.Connection(folder + '/cache.db')", "db.Connection(folder + '/main.db')"
    )})
    assert sorted(f.name for f in scan(one).findings) == [
        "definition-drift", "duplicate-definition",
    ]
