"""ORM support on small repositories: naming rules checked against the real libraries,
cross-module resolution, confidence, and the look-alikes that must not count."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from analyzer import Report, scan
from tests.conftest import MakeRepo, importable

FLASK_APP = {
    "flaskdemo/__init__.py": "",
    "flaskdemo/extensions.py": "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n",
    "flaskdemo/models.py": '''\
from sqlalchemy.orm import column_property

from flaskdemo.extensions import db


class UserAccount(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120))


class HTTPRequestLog(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    path = db.Column("request_path", db.String)


class Admin(UserAccount):
    level = db.Column(db.Integer)


class Explicit(db.Model):
    __tablename__ = "explicit_things"
    id = db.Column(db.Integer, primary_key=True)


class TimestampedModel(db.Model):
    __abstract__ = True
    id = db.Column(db.Integer, primary_key=True)
    created_at = db.Column(db.DateTime)


class PurchaseOrder(TimestampedModel):
    total = db.Column(db.Numeric)


class Manager(UserAccount):
    # no primary key of its own: single-table inheritance; Flask-SQLAlchemy drops the name
    __tablename__ = "managers"
    team = db.Column(db.String)


class Customer(UserAccount):
    # a primary key of its own: a joined table, named by the snake_case rule
    id = db.Column(db.Integer, db.ForeignKey("user_account.id"), primary_key=True)
    tier = db.Column(db.String)


class Invoice(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    amount = column_property(db.Column(db.Numeric))
''',
    "flaskdemo/views.py": '''\
from flaskdemo.extensions import db
from flaskdemo.models import HTTPRequestLog, PurchaseOrder, UserAccount


def show(email):
    user = UserAccount.query.filter_by(email=email).first()
    db.session.add(HTTPRequestLog(path="/show"))
    orders = db.session.execute(db.select(PurchaseOrder)).scalars()
    return user, orders
''',
}

SQLMODEL_APP = {
    "sqlmodeldemo/__init__.py": "",
    "sqlmodeldemo/models.py": '''\
from sqlmodel import Field, Relationship, SQLModel


class TeamBase(SQLModel):
    name: str
    headquarters: str


class Team(TeamBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    heroes: list["HeroCard"] = Relationship(back_populates="team")


class HeroCard(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str
    team_id: int | None = Field(default=None, foreign_key="team.id")
    team: Team | None = Relationship(back_populates="heroes")


class TeamRead(TeamBase):
    id: int
''',
    "sqlmodeldemo/api.py": '''\
from sqlmodel import Session, select

from sqlmodeldemo.models import HeroCard, Team, TeamRead


def heroes(session: Session, team: TeamRead) -> list[HeroCard]:
    return list(session.exec(select(HeroCard).where(HeroCard.team_id == team.id)))


def create(session: Session, name: str) -> None:
    session.add(Team(name=name, headquarters="?"))
''',
}


@contextmanager
def imported(root: Path, module: str) -> Iterator[object]:
    """Import a module of a generated repository in this test only, then forget it."""
    package = module.split(".")[0]
    sys.path.insert(0, str(root))
    saved = sys.dont_write_bytecode
    sys.dont_write_bytecode = True
    try:
        yield importlib.import_module(module)
    finally:
        sys.dont_write_bytecode = saved
        sys.path.remove(str(root))
        for name in [n for n in sys.modules if n == package or n.startswith(package + ".")]:
            del sys.modules[name]


def model_tables(report: Report) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for table in report.tables:
        for state in table.states:
            if state.source_kind == "model":
                found.setdefault(table.name, [])
                found[table.name] += [c for c in state.columns or [] if c not in found[table.name]]
    return found


def sqlite_engine(models: Any, rows: Sequence[Any] = ()) -> Any:
    """An in-memory SQLite engine with the tables of `models.Base` created and `rows` (mapped
    instances) committed: the database a test runs a scanned module's functions on."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    engine = sa.create_engine("sqlite://")
    models.Base.metadata.create_all(engine)
    if rows:
        with Session(engine) as session:
            session.add_all(rows)
            session.commit()
    return engine


def one_model(name: str, table: str, column: str) -> str:
    """`app/models.py` with a declarative `Base` and one model: `id` and a string column."""
    return (
        "import sqlalchemy as sa\nfrom sqlalchemy.orm import DeclarativeBase\n\n\n"
        "class Base(DeclarativeBase):\n    pass\n\n\n"
        f"class {name}(Base):\n"
        f'    __tablename__ = "{table}"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
        f"    {column} = sa.Column(sa.String)\n"
    )


def statements_run(engine: Any) -> list[str]:
    """Every statement `engine` runs from now on, in order (SQLAlchemy's cursor event)."""
    import sqlalchemy as sa

    found: list[str] = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: found.append(args[2]))
    return found


def orm_uses(report: Report) -> set[tuple[str, int, str, str, str]]:
    return {
        (u.path, u.line, t.name, u.kind, u.confidence)
        for t in report.tables
        for u in t.uses
        if u.via == "orm"
    }


def test_flask_sqlalchemy_names_match_the_library(make_repo) -> None:
    pytest.importorskip("flask_sqlalchemy")
    root = make_repo(FLASK_APP)
    report = scan(root)
    with imported(root, "flaskdemo.models") as models:
        real = {
            name: [c.name for c in table.columns]
            for name, table in models.db.metadata.tables.items()  # type: ignore[attr-defined]
        }
    assert real == {
        "user_account": ["id", "email", "level", "team"],
        "http_request_log": ["id", "request_path"],
        "explicit_things": ["id"],
        "purchase_order": ["total", "id", "created_at"],
        "customer": ["id", "tier"],
        "invoice": ["id", "amount"],
    }
    found = model_tables(report)
    assert {name: sorted(columns) for name, columns in found.items()} == {
        name: sorted(columns) for name, columns in real.items()
    }
    assert orm_uses(report) == {
        ("flaskdemo/views.py", 6, "user_account", "read", "high"),
        ("flaskdemo/views.py", 7, "http_request_log", "write", "high"),
        ("flaskdemo/views.py", 8, "purchase_order", "read", "high"),
    }
    assert report.table("managers") is None


def test_sqlmodel_names_match_the_library(make_repo) -> None:
    pytest.importorskip("sqlmodel")
    root = make_repo(SQLMODEL_APP)
    report = scan(root)
    with imported(root, "sqlmodeldemo.models"):
        from sqlmodel import SQLModel

        real = {
            name: [c.name for c in table.columns]
            for name, table in SQLModel.metadata.tables.items()
            if name in ("team", "herocard")
        }
        SQLModel.metadata.clear()
    assert set(real) == {"team", "herocard"}
    found = model_tables(report)
    assert {name: sorted(columns) for name, columns in found.items()} == {
        name: sorted(columns) for name, columns in real.items()
    }
    assert orm_uses(report) == {
        ("sqlmodeldemo/api.py", 7, "herocard", "read", "high"),
        ("sqlmodeldemo/api.py", 11, "team", "write", "high"),
    }
    assert {(t.name, link.table) for t in report.tables for link in t.references} == {
        ("herocard", "public.team"),
        ("team", "public.herocard"),
    }


LOOKALIKES = {
    "app/__init__.py": "",
    "app/base.py": "class Base:\n    pass\n",
    "app/fake.py": '''\
from pydantic import BaseModel
from rich.table import Table

from app.base import Base


class User(Base):
    __tablename__ = "users"


class Payload(BaseModel):
    name: str


REPORT = Table("Name", "Size")
''',
    "app/real.py": '''\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Model = declarative_base()


class Account(Model):
    __tablename__ = "accounts"
    id = sa.Column(sa.Integer, primary_key=True)
''',
    "app/star.py": "from app.real import *\n\n\ndef count(session):\n"
    "    return session.query(Account).count()\n",
    "app/use.py": '''\
from app.fake import Payload, User
from app.real import Account


def render(account: Account, session) -> str:
    """Select Account rows."""
    user = User()
    return Payload(name=str(user)).name + str(session)
''',
}


def test_look_alikes_are_not_models_and_star_imports_are_low_confidence(make_repo) -> None:
    report = scan(make_repo(LOOKALIKES))
    assert model_tables(report) == {"accounts": ["id"]}
    assert {t.qualified_name for t in report.tables} == {"public.accounts"}
    assert orm_uses(report) == {("app/star.py", 5, "accounts", "read", "low")}


TABLE_LOOKALIKES = {
    "app/__init__.py": "",
    "app/schema.py": """\
import sqlalchemy as sa

metadata = sa.MetaData()
accounts = sa.Table("accounts", metadata, sa.Column("id", sa.Integer, primary_key=True))
""",
    # a key-value store's resource: `Table(name)` names a DynamoDB table, no SQL table
    "app/store.py": """\
class Resource:
    def Table(self, name):
        return {"TableName": name}


def client():
    return Resource()


MAIN = client().Table("Main")


def history(resource):
    return resource.Table("History")
""",
    # the repository's own class named `Table`
    "app/wrap.py": """\
class Table:
    def __init__(self, database, name):
        self.database = database
        self.name = name


def table(database, name):
    return Table(database, name)
""",
}


def test_other_libraries_tables_are_not_sqlalchemy_tables(make_repo) -> None:
    """SQLAlchemy's `Table` takes a MetaData or columns after its name, or reflects: a
    `Table("Main")` of one argument (a DynamoDB resource's) or the repository's own class
    `Table(database, name)` declares no table, and no diagnostic says one's name is unknown.
    SQLAlchemy itself, importing the module, holds exactly the table reported."""
    root = make_repo(TABLE_LOOKALIKES)
    report = scan(root)
    assert {t.qualified_name: t.status for t in report.tables} == {"public.accounts": "dead"}
    assert [(d.code, d.path) for d in report.diagnostics] == []
    with imported(root, "app.schema") as module:
        assert sorted(module.metadata.tables) == ["accounts"]  # type: ignore[attr-defined]


def test_imports_through_packages_aliases_and_relative_paths(make_repo) -> None:
    root = make_repo(
        {
            "svc/__init__.py": "",
            "svc/db/__init__.py": "from .models import Invoice as Invoice\n",
            "svc/db/models.py": (
                "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\n\n"
                "class Base(DeclarativeBase):\n    pass\n\n\n"
                "class Invoice(Base):\n    __tablename__ = 'invoices'\n"
                "    id: Mapped[int] = mapped_column(primary_key=True)\n"
                "    total: Mapped[int]\n"
            ),
            "svc/api/__init__.py": "",
            "svc/api/routes.py": (
                "import svc.db as db\nfrom ..db import Invoice\nfrom svc.db import models as m\n"
                "from sqlalchemy import delete, select\n\n\n"
                "def run(session):\n"
                "    session.scalars(select(db.Invoice))\n"
                "    session.execute(delete(Invoice).where(Invoice.total < 0))\n"
                "    session.add(m.Invoice(total=1))\n"
            ),
        }
    )
    report = scan(root)
    assert orm_uses(report) == {
        ("svc/api/routes.py", 8, "invoices", "read", "high"),
        ("svc/api/routes.py", 9, "invoices", "write", "high"),
        ("svc/api/routes.py", 9, "invoices", "read", "high"),
        ("svc/api/routes.py", 10, "invoices", "write", "high"),
    }
    invoices = report.table("invoices")
    assert invoices is not None
    assert invoices.present_in == ["model"]
    definitions = [
        (d.source_kind, d.path, d.line, d.operation, d.columns) for d in invoices.definitions
    ]
    assert definitions == [("model", "svc/db/models.py", 8, "declare", ["id", "total"])]
    assert invoices.used_by_modules == ["svc.api.routes"]


# A project's own subclass of Flask-SQLAlchemy's class (to tune the engine or the session);
# `db` is an instance of it, so `db.Model` is a declarative base like any other.
SUBCLASSED_FLASK_APP = {
    "subdemo/__init__.py": "",
    "subdemo/ext.py": '''\
from flask_sqlalchemy import SQLAlchemy


class TunedSQLAlchemy(SQLAlchemy):
    def apply_pool_defaults(self, app, options):
        options["pool_pre_ping"] = True
        return options


class AppSQLAlchemy(TunedSQLAlchemy):
    pass


db = AppSQLAlchemy(session_options={"expire_on_commit": False})
''',
    "subdemo/models.py": '''\
from subdemo.ext import db


class Notebook(db.Model):
    __tablename__ = "notebooks"
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(80))


class PageVersion(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    notebook_id = db.Column(db.Integer, db.ForeignKey("notebooks.id"))
''',
    "subdemo/views.py": '''\
from subdemo.ext import db
from subdemo.models import Notebook, PageVersion


def titles():
    return [n.title for n in Notebook.query.all()]


def add_version(notebook_id):
    db.session.add(PageVersion(notebook_id=notebook_id))
''',
    "subdemo/cli.py": '''\
from subdemo.ext import db


def create_tables():
    db.create_all()
''',
}


@pytest.mark.parametrize("prefilter", [True, False])
def test_subclass_of_flask_sqlalchemy_makes_a_declarative_base(make_repo, prefilter) -> None:
    pytest.importorskip("flask_sqlalchemy")
    root = make_repo(SUBCLASSED_FLASK_APP)
    report = scan(root, prefilter=prefilter)
    with imported(root, "subdemo.models") as models:
        real = {
            name: [c.name for c in table.columns]
            for name, table in models.db.metadata.tables.items()  # type: ignore[attr-defined]
        }
    assert real == {"notebooks": ["id", "title"], "page_version": ["id", "notebook_id"]}
    assert model_tables(report) == real
    assert orm_uses(report) == {
        ("subdemo/views.py", 6, "notebooks", "read", "high"),
        ("subdemo/views.py", 10, "page_version", "write", "high"),
    }
    assert {
        (t.name, d.source_kind, d.operation, d.path, d.line)
        for t in report.tables
        for d in t.definitions
    } == {
        ("notebooks", "create_all", "create", "subdemo/cli.py", 5),
        ("page_version", "create_all", "create", "subdemo/cli.py", 5),
        ("notebooks", "model", "declare", "subdemo/models.py", 4),
        ("page_version", "model", "declare", "subdemo/models.py", 10),
    }
    assert [f.rule for f in report.findings] == []


HELPER_COLUMN_APP = {
    "helperdemo/__init__.py": "",
    "helperdemo/models.py": '''\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()
CREATED_BY = Column(String)


def primary_key():
    return Column(Integer, primary_key=True)


def audit_column():
    return Column(Integer)


class Audited:
    created_by = CREATED_BY
    reviewed_by = audit_column()
    audit_note = "kept"


class Favorite(Audited, Base):
    __tablename__ = "favorites"
    id = primary_key()
    label = Column(String)
''',
    "helperdemo/views.py": '''\
from helperdemo.models import Favorite


def labels(session):
    return [f.label for f in session.query(Favorite)]
''',
    "sql/schema.sql": (
        "CREATE TABLE favorites (id int, label text, reviewed_by int, note text, "
        "created_by text, audit_note text);\n"
    ),
}


def test_a_column_built_by_a_helper_is_not_said_to_be_missing(make_repo) -> None:
    """`id = primary_key()`: tabletrace does not read the helper, so the model may have `id`
    (SQLAlchemy says it has): model-drift names only what the model surely lacks."""
    root = make_repo(HELPER_COLUMN_APP)
    with imported(root, "helperdemo.models") as models:
        real = [c.name for c in models.Favorite.__table__.columns]  # type: ignore[attr-defined]
    assert sorted(real) == ["created_by", "id", "label", "reviewed_by"]
    report = scan(root)
    assert model_tables(report) == {"favorites": ["label"]}  # what tabletrace read for sure
    drift = [f for f in report.findings if f.name == "model-drift"]
    assert [(f.table, f.path, f.line, f.message) for f in drift] == [
        (
            "public.favorites",
            "helperdemo/models.py",
            22,
            "public.favorites: compared with the SQL source sql/schema.sql, the model in "
            "helperdemo/models.py lacks audit_note, note, which the table has. Queries "
            "through the model fail on the columns the table does not have: align the model "
            "or add a migration",
        )
    ]


TYPE_CHECKING_APP = {
    "tcdemo/__init__.py": "",
    "tcdemo/models.py": '''\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Checkout(Base):
    __tablename__ = "checkouts"
    id = Column(Integer, primary_key=True)
    status = Column(String)
''',
    "tcdemo/guard.py": '''\
from typing import TYPE_CHECKING

from tcdemo.models import Checkout

if TYPE_CHECKING:

    class PaidCheckout(Checkout):
        receipt: str
else:
    PaidCheckout = Checkout


def is_paid(checkout: Checkout) -> bool:
    return checkout.status == "paid"


def paid(session):
    return session.query(PaidCheckout).filter(PaidCheckout.status == "paid").all()
''',
    "sql/schema.sql": "CREATE TABLE checkouts (id int, status text);\n",
}


def test_a_class_for_the_type_checker_only_is_no_model(make_repo) -> None:
    """`if TYPE_CHECKING: class PaidCheckout(Checkout)`: the interpreter never defines it, so
    SQLAlchemy maps no such class; it declares nothing and lacks nothing."""
    root = make_repo(TYPE_CHECKING_APP)
    with imported(root, "tcdemo.guard") as guard:
        from sqlalchemy import inspect

        assert guard.PaidCheckout is guard.Checkout  # type: ignore[attr-defined]
        assert [m.class_.__name__ for m in inspect(guard.Checkout).registry.mappers] == [  # type: ignore[attr-defined]
            "Checkout"
        ]
    report = scan(root)
    assert model_tables(report) == {"checkouts": ["id", "status"]}
    assert {
        (d.path, d.line) for t in report.tables for d in t.definitions if d.source_kind == "model"
    } == {("tcdemo/models.py", 7)}
    assert [f.name for f in report.findings] == []


FOREIGN_MIXIN = '''\
from sqlalchemy import Column, String


class AuditMixin:
    created_by = Column(String)
'''
FOREIGN_MIXIN_APP = {
    "fmdemo/__init__.py": "",
    "fmdemo/models.py": '''\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base
from vendorlib.mixins import AuditMixin

Base = declarative_base()


class Note(AuditMixin, Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
    body = Column(String)
    pinned = Column(String)
''',
    "sql/schema.sql": "CREATE TABLE notes (id int, body text, created_by text);\n",
}


def test_a_base_from_another_library_may_add_columns(make_repo, tmp_path) -> None:
    """A model deriving from another library's mixin: SQLAlchemy maps the mixin's column, which
    tabletrace does not read, so 'lacks created_by' is hedged (confidence medium); what the
    model surely declares and the table lacks (`pinned`) is still said."""
    vendor = tmp_path / "site"
    (vendor / "vendorlib").mkdir(parents=True)
    (vendor / "vendorlib" / "__init__.py").write_text("", encoding="utf-8")
    (vendor / "vendorlib" / "mixins.py").write_text(FOREIGN_MIXIN, encoding="utf-8")
    root = make_repo(FOREIGN_MIXIN_APP)
    sys.path.insert(0, str(vendor))
    try:
        with imported(root, "fmdemo.models") as models:
            real = [c.name for c in models.Note.__table__.columns]  # type: ignore[attr-defined]
    finally:
        sys.path.remove(str(vendor))
        for name in [n for n in sys.modules if n.split(".")[0] == "vendorlib"]:
            del sys.modules[name]
    assert sorted(real) == ["body", "created_by", "id", "pinned"]
    report = scan(root)
    drift = [f for f in report.findings if f.name == "model-drift"]
    assert [(f.table, f.path, f.line, f.confidence, f.message) for f in drift] == [
        (
            "public.notes",
            "fmdemo/models.py",
            8,
            "medium",
            "public.notes: compared with the SQL source sql/schema.sql, the model in "
            "fmdemo/models.py lacks created_by, which the table has, unless its base "
            "vendorlib.mixins.AuditMixin (from another library, which tabletrace does not "
            "read) adds them and declares pinned, which the table does not have. Queries "
            "through the model fail on the columns the table does not have: align the model "
            "or add a migration",
        )
    ]


DATACLASS_REGISTRY_APP = {
    "regdemo/__init__.py": "",
    "regdemo/meta.py": '''\
from sqlalchemy import MetaData
from sqlalchemy.orm import registry

metadata = MetaData()
mapper_registry = registry(metadata=metadata)
''',
    "regdemo/models.py": '''\
from sqlalchemy import Table
from sqlalchemy.orm import Mapped, mapped_column

from regdemo.meta import mapper_registry, metadata


@mapper_registry.mapped_as_dataclass
class Upload:
    __tablename__ = "uploads"
    id: Mapped[int] = mapped_column(primary_key=True, init=False)
    name: Mapped[str]


def schema_version(engine):
    # reflected from the database: declares nothing
    return Table("alembic_version", metadata, autoload_with=engine)


def legacy_version(engine):
    return Table("legacy_counts", metadata, autoload=True, autoload_with=engine)
''',
    "regdemo/views.py": '''\
from regdemo.models import Upload


def find(session, ident):
    return session.get(Upload, ident)
''',
    "sql/schema.sql": "CREATE TABLE uploads (id int, name text);\n",
}


def test_a_dataclass_registry_maps_and_a_reflected_table_declares_nothing(make_repo) -> None:
    """`@reg.mapped_as_dataclass` maps a class as `@reg.mapped` does (SQLAlchemy says which
    table); `Table(name, md, autoload_with=engine)` reads a table the database has: no model
    declares it, so no migration is asked for (alembic_version is Alembic's own)."""
    root = make_repo(DATACLASS_REGISTRY_APP)
    with imported(root, "regdemo.models") as models:
        real = {
            name: [c.name for c in table.columns]
            for name, table in models.metadata.tables.items()  # type: ignore[attr-defined]
        }
    assert real == {"uploads": ["id", "name"]}
    report = scan(root)
    assert model_tables(report) == real
    assert orm_uses(report) == {("regdemo/views.py", 5, "uploads", "read", "high")}
    assert {t.name: t.status for t in report.tables} == {"uploads": "used"}
    assert [f.name for f in report.findings] == []


INHERITED = {
    "shop/__init__.py": "",
    "shop/base.py": '''\
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base, declared_attr

Base = declarative_base()


class Audited:
    @declared_attr
    def created_by_id(cls):
        return Column(Integer, ForeignKey("users.id"))

    approved_by_id = Column(Integer, ForeignKey("users.id"))


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    kind = Column(Integer)
    team_id = Column(Integer, ForeignKey("teams.id"))
    __mapper_args__ = {"polymorphic_on": kind}
''',
    "shop/models.py": '''\
from sqlalchemy import Column, ForeignKey, Integer

from shop.base import Audited, Base, User


class Team(Base):
    __tablename__ = "teams"
    id = Column(Integer, primary_key=True)


class Order(Audited, Base):
    __tablename__ = "orders"
    id = Column(Integer, primary_key=True)
    team_id = Column(Integer, ForeignKey("teams.id"))


class Admin(User):
    __mapper_args__ = {"polymorphic_identity": 2}
''',
}


def test_an_inherited_foreign_key_is_evidence_in_the_file_that_declares_it(make_repo) -> None:
    """A mixin's foreign key (a plain or `declared_attr` column) and a single-table parent's
    are cited where they are written: the model's own file has other code on those lines."""
    root = make_repo(INHERITED)
    with imported(root, "shop.models"):
        from shop.base import Base  # type: ignore[import-not-found]

        real = {
            (table.name, fk.column.table.name)
            for table in Base.metadata.tables.values() for fk in table.foreign_keys
        }
    assert real == {("orders", "users"), ("orders", "teams"), ("users", "teams")}
    report = scan(root)
    links = {
        (t.name, link.table, link.path, link.line, link.via)
        for t in report.tables for link in t.references
    }
    assert links == {
        ("orders", "public.users", "shop/base.py", 9, "foreign_key"),  # the declared_attr
        ("orders", "public.users", "shop/base.py", 12, "foreign_key"),
        ("orders", "public.teams", "shop/models.py", 14, "foreign_key"),
        ("users", "public.teams", "shop/base.py", 19, "foreign_key"),
    }


def test_super_naming_the_model_is_no_use(make_repo) -> None:
    """`super(Account, self).__init__(**kwargs)` in the model names its class to reach the
    base's constructor: no query, so no use (it was a `low` read of `accounts` at that line).
    SQLAlchemy builds the instance without any statement."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Account(Base):\n"
            '    __tablename__ = "accounts"\n'
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    name = sa.Column(sa.String)\n\n"
            "    def __init__(self, **kwargs):\n"
            "        super(Account, self).__init__(**kwargs)\n"
            "        self.name = (self.name or \"\").strip()\n\n\n"
            "def names(session):\n"
            "    return [a.name for a in session.query(Account)]\n"
        ),
    })
    report = scan(root)
    assert orm_uses(report) == {("app/models.py", 18, "accounts", "read", "high")}
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    with imported(root, "app.models") as module:
        engine = sa.create_engine("sqlite://")
        statements = statements_run(engine)
        with Session(engine):
            account = module.Account(name=" a ")  # type: ignore[attr-defined]
        assert (account.name, statements) == ("a", [])


def test_a_class_constant_or_the_mapping_of_a_model_is_no_use(make_repo) -> None:
    """`ReadBook.STATUS_FINISHED` (a constant of the class body, or of its base) and
    `ReadBook.__mapper__.has_property("x")` query nothing: no use. A column read on the class
    (`ReadBook.status == ...` in a query) is one. SQLAlchemy, reading the same attributes,
    runs no statement."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Statuses:\n"
            "    STATUS_UNREAD = 0\n\n\n"
            "class ReadBook(Base, Statuses):\n"
            '    __tablename__ = "book_read_link"\n'
            "    STATUS_FINISHED = 1\n"
            "    LABELS = (\"unread\", \"finished\")\n"
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    status = sa.Column(sa.Integer)\n"
        ),
        "app/labels.py": (
            "from app.models import ReadBook\n\n\n"
            "def label(status):\n"
            "    if status == ReadBook.STATUS_FINISHED:\n"
            "        return ReadBook.LABELS[1]\n"
            "    return ReadBook.LABELS[0]\n\n\n"
            "def tracks_status():\n"
            '    return ReadBook.__mapper__.has_property("status")\n'
        ),
        "app/queries.py": (
            "from app.models import ReadBook\n\n\n"
            "def finished(session):\n"
            "    return session.query(ReadBook.id).filter(\n"
            "        ReadBook.status == ReadBook.STATUS_FINISHED).all()\n"
        ),
    })
    report = scan(root)
    assert orm_uses(report) == {
        ("app/queries.py", 5, "book_read_link", "read", "high"),
        ("app/queries.py", 6, "book_read_link", "read", "high"),
    }
    import sqlalchemy as sa

    with imported(root, "app.labels") as labels:
        engine = sa.create_engine("sqlite://")
        statements = statements_run(engine)
        assert (labels.label(1), labels.tracks_status(), statements) == (  # type: ignore[attr-defined]
            "finished", True, [],
        )


def test_a_class_nested_in_a_model_is_no_use(make_repo) -> None:
    """`Subscription.Type.MENTION`, an enum nested in the model's body: reading it queries
    nothing (it had been a read of the table in every module naming the enum). A column read
    in a query is one. SQLAlchemy, reading the enum, runs no statement."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "import enum\n\nimport sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Subscription(Base):\n"
            '    __tablename__ = "subscriptions"\n\n'
            "    class Type(enum.Enum):\n"
            '        REPLY = "reply"\n'
            '        MENTION = "mention"\n\n'
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    type = sa.Column(sa.String)\n"
        ),
        "app/notify.py": (
            "from app.models import Subscription\n\n\n"
            "def kind_of(mentioned):\n"
            "    if mentioned:\n"
            "        return Subscription.Type.MENTION\n"
            "    return Subscription.Type.REPLY\n\n\n"
            "def replies(session):\n"
            "    return session.query(Subscription.id).filter(\n"
            '        Subscription.type == Subscription.Type.REPLY.value).all()\n'
        ),
    })
    report = scan(root)
    assert orm_uses(report) == {
        ("app/notify.py", 11, "subscriptions", "read", "high"),
        ("app/notify.py", 12, "subscriptions", "read", "high"),
    }
    import sqlalchemy as sa

    with imported(root, "app.notify") as notify:
        engine = sa.create_engine("sqlite://")
        statements = statements_run(engine)
        assert (notify.kind_of(True).value, statements) == (  # type: ignore[attr-defined]
            "mention", [],
        )


INHERITED_NAMES = {
    "logdemo/__init__.py": "",
    "logdemo/models.py": '''\
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import declared_attr

db = SQLAlchemy()


def table_args(cls, **kwargs):
    """The project's helper merging a class's table arguments (given the schema)."""
    return (kwargs,)


class LogEntryBase(db.Model):
    __abstract__ = True
    __tablename__ = "logs"
    id = db.Column(db.Integer, primary_key=True)


class EventLogEntry(LogEntryBase):
    __table_args__ = {"schema": "events"}


class UserLogEntry(LogEntryBase):
    __table_args__ = {"schema": "users"}


class NamedMixin:
    __tablename__ = "named_things"


class NamedThing(NamedMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)


class RoomPrincipal(db.Model):
    __tablename__ = "room_principals"
    id = db.Column(db.Integer, primary_key=True)

    @declared_attr
    def __table_args__(cls):
        return table_args(cls, schema="roombooking")
''',
}


def test_a_name_inherited_from_an_abstract_base_or_a_mixin_is_the_tables(make_repo) -> None:
    """`__tablename__ = "logs"` on an `__abstract__` base (or a mixin) names each subclass's
    table (in each one's schema): Flask-SQLAlchemy generates no name then. A schema given to
    the project's helper that builds `__table_args__` (`table_args(cls, schema="x")`) is the
    table's. Flask-SQLAlchemy's MetaData holds exactly the tables reported."""
    pytest.importorskip("flask_sqlalchemy")
    root = make_repo(INHERITED_NAMES)
    report = scan(root)
    with imported(root, "logdemo.models") as models:
        real = sorted(models.db.metadata.tables)  # type: ignore[attr-defined]
    assert real == ["events.logs", "named_things", "roombooking.room_principals", "users.logs"]
    assert sorted(t.qualified_name for t in report.tables) == [
        "events.logs", "public.named_things", "roombooking.room_principals", "users.logs",
    ]


CONDITIONAL_COLUMNS = {
    "alembic.ini": "[alembic]\nscript_location = migrations\n",
    "migrations/env.py": "from alembic import context\n",
    "migrations/versions/001_principals.py": '''\
"""principals

Revision ID: 001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "001"
down_revision = None


def upgrade():
    op.create_table("room_principals", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_table(
        "event_principals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String()),
        sa.Column("event_id", sa.Integer()),
    )
''',
    "app/__init__.py": "",
    "app/models.py": '''\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, declared_attr

Base = declarative_base()


class PrincipalMixin:
    allow_emails = False
    link_events = False

    @declared_attr
    def email(cls):
        if not cls.allow_emails:
            return
        return sa.Column(sa.String)

    @declared_attr
    def event_id(cls):
        if cls.link_events:
            return sa.Column(sa.Integer)


class RoomPrincipal(PrincipalMixin, Base):
    __tablename__ = "room_principals"
    id = sa.Column(sa.Integer, primary_key=True)


class EventPrincipal(PrincipalMixin, Base):
    __tablename__ = "event_principals"
    allow_emails = True
    link_events = True
    id = sa.Column(sa.Integer, primary_key=True)


def everyone(session):
    return session.query(RoomPrincipal).all() + session.query(EventPrincipal).all()
''',
}


def test_a_column_a_mixin_declares_for_some_classes_only_is_no_drift(make_repo) -> None:
    """A `declared_attr` column that the mixin returns only when the class turns it on (`if
    not cls.allow_emails: return`) may or may not be the class's: the model is said neither
    to declare it nor to lack it, so no `model-drift` either way. SQLAlchemy maps the email
    and event columns to one class only, as the migration builds them."""
    root = make_repo(CONDITIONAL_COLUMNS)
    report = scan(root)
    assert [f.name for f in report.findings] == []
    with imported(root, "app.models") as models:
        real = {
            name: sorted(c.name for c in table.columns)
            for name, table in models.Base.metadata.tables.items()  # type: ignore[attr-defined]
        }
    assert real == {
        "event_principals": ["email", "event_id", "id"], "room_principals": ["id"],
    }
    assert {
        t.name: sorted(s.columns or []) for t in report.tables for s in t.states
        if s.source_kind == "alembic"
    } == real


LISTENER = {
    "app/__init__.py": "",
    "app/models.py": '''\
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Note(Base):
    __tablename__ = "notes"
    id = sa.Column(sa.Integer, primary_key=True)
    body = sa.Column(sa.String)


@event.listens_for(Note.__table__, "after_create")
def _touch_trigger(target, conn, **kw):
    conn.execute(sa.text(
        f"CREATE TRIGGER notes_touch AFTER UPDATE ON {target.fullname} BEGIN SELECT 1; END"
    ))


def bodies(session):
    return [n.body for n in session.query(Note)]
''',
}


def test_a_table_event_listeners_target_is_that_table(make_repo) -> None:
    """`@listens_for(Note.__table__, "after_create")`: SQLAlchemy calls the listener with that
    table as its first argument, so `{target.fullname}` is `notes`, no dynamic name. A real
    `create_all` runs it: SQLite's catalog has the trigger on `notes`."""
    root = make_repo(LISTENER)
    report = scan(root)
    assert [f.name for f in report.findings if f.name == "dynamic-table-name"] == []
    (notes,) = report.tables
    assert sorted((u.line, u.kind) for u in notes.uses) == [(17, "ddl"), (22, "read")]
    import sqlalchemy as sa

    with imported(root, "app.models") as models:
        engine = sqlite_engine(models)
        with engine.connect() as conn:
            triggers = conn.execute(sa.text(
                "SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"
            )).fetchall()
    assert [tuple(row) for row in triggers] == [("notes_touch", "notes")]


QUERIED_THEN_DELETED = {
    "app/__init__.py": "",
    "app/models.py": (
        "import sqlalchemy as sa\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "class Award(Base):\n"
        '    __tablename__ = "awards"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n\n\n"
        "class Hint(Base):\n"
        '    __tablename__ = "hints"\n'
        "    id = sa.Column(sa.Integer, primary_key=True)\n"
    ),
    "app/api.py": (
        "from app.models import Award, Hint\n\n\n"
        "def delete_award(session, award_id):\n"
        "    award = session.query(Award).filter_by(id=award_id).first()\n"
        "    session.delete(award)\n"
        "    session.commit()\n\n\n"
        "def delete_hint(session, hint_id):\n"
        "    hint = session.get(Hint, hint_id)\n"
        "    session.delete(hint)\n"
        "    session.commit()\n"
    ),
}


def test_an_instance_a_query_returned_is_deleted_from_its_table(make_repo) -> None:
    """`award = session.query(Award)...first()` (or `session.get(Hint, 1)`, or Flask-
    SQLAlchemy's `Award.query...first_or_404()`) then `session.delete(award)`: a write of the
    model's table at the delete (there was only the query's read). SQLAlchemy, running the
    same functions, deletes from exactly those tables."""
    root = make_repo(QUERIED_THEN_DELETED)
    report = scan(root)
    assert orm_uses(report) == {
        ("app/api.py", 5, "awards", "read", "high"),
        ("app/api.py", 6, "awards", "write", "high"),
        ("app/api.py", 11, "hints", "read", "high"),
        ("app/api.py", 12, "hints", "write", "high"),
    }
    assert scan(root, prefilter=False).to_json() == report.to_json()
    from sqlalchemy.orm import Session

    with imported(root, "app.api") as api, imported(root, "app.models") as models:
        seeded = [models.Award(id=1), models.Hint(id=1)]  # type: ignore[attr-defined]
        engine = sqlite_engine(models, seeded)
        statements = statements_run(engine)
        with Session(engine) as session:
            api.delete_award(session, 1)  # type: ignore[attr-defined]
            api.delete_hint(session, 1)  # type: ignore[attr-defined]
    assert [s.split()[2] for s in statements if s.startswith("DELETE")] == ["awards", "hints"]


def test_an_abstract_bases_classmethod_reads_each_mapped_subclasss_table(make_repo) -> None:
    """`f"DELETE FROM {cls.__tablename__}"` in a classmethod of an `__abstract__` base is
    each mapped subclass's table (named by the base's `declared_attr`, so no subclass binds
    it itself): no dynamic name. SQLAlchemy runs it on each class and the
    statements name exactly those tables."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base, declared_attr\n\n"
            "Base = declarative_base()\n\n\n"
            "class Purgeable(Base):\n"
            "    __abstract__ = True\n"
            "    id = sa.Column(sa.Integer, primary_key=True)\n\n"
            "    @declared_attr\n"
            "    def __tablename__(cls):\n"
            '        return cls.__name__.lower() + "s"\n\n'
            "    @classmethod\n"
            "    def purge(cls, conn):\n"
            '        conn.execute(sa.text(f"DELETE FROM {cls.__tablename__}"))\n\n\n'
            "class Session(Purgeable):\n"
            "    pass\n\n\n"
            "class Token(Purgeable):\n"
            "    pass\n"
        ),
    })
    report = scan(root)
    assert [f.name for f in report.findings if f.name == "dynamic-table-name"] == []
    assert {
        t.name: [(u.line, u.kind) for u in t.uses if u.via == "sql"] for t in report.tables
    } == {"sessions": [(17, "write")], "tokens": [(17, "write")]}
    assert scan(root, prefilter=False).to_json() == report.to_json()

    with imported(root, "app.models") as models:
        engine = sqlite_engine(models)
        statements = statements_run(engine)
        with engine.begin() as conn:
            models.Session.purge(conn)  # type: ignore[attr-defined]
            models.Token.purge(conn)  # type: ignore[attr-defined]
    assert statements == ["DELETE FROM sessions", "DELETE FROM tokens"]


def test_a_mapped_subclass_in_a_module_of_its_own_is_read_for_its_bases_method(make_repo) -> None:
    """The concrete class sits in a module that only imports its base (no SQLAlchemy name, no
    table of its own in sight): the first look still reads it, so the base's `cls.__tablename__`
    statement names its table with the pre-filter on as off."""
    root = make_repo({
        "app/__init__.py": "",
        "app/base.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base, declared_attr\n\n"
            "Base = declarative_base()\n\n\n"
            "class Purgeable(Base):\n"
            "    __abstract__ = True\n"
            "    id = sa.Column(sa.Integer, primary_key=True)\n\n"
            "    @declared_attr\n"
            "    def __tablename__(cls):\n"
            '        return cls.__name__.lower() + "s"\n\n'
            "    @classmethod\n"
            "    def purge(cls, conn):\n"
            '        conn.execute(sa.text(f"DELETE FROM {cls.__tablename__}"))\n'
        ),
        "app/tokens.py": "from app.base import Purgeable\n\n\nclass Token(Purgeable):\n    pass\n",
    })
    report = scan(root)
    assert {
        t.name: [(u.path, u.line, u.kind) for u in t.uses] for t in report.tables
    } == {"tokens": [("app/base.py", 17, "write")]}
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_a_model_made_only_to_call_a_method_is_no_new_row(make_repo) -> None:
    """`Setting().get("site_name")` makes an instance to call a method and drops it: a read
    (low, the method's queries are not in sight), not a write; `session.add(Setting(...))`
    is the write. SQLAlchemy inserts a row only for the added instance."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Setting(Base):\n"
            '    __tablename__ = "settings"\n'
            "    name = sa.Column(sa.String, primary_key=True)\n"
            "    value = sa.Column(sa.String)\n\n"
            "    def default(self, name):\n"
            '        return {"site_name": "dns"}.get(name)\n'
        ),
        "app/views.py": (
            "from app.models import Setting\n\n\n"
            "def title():\n"
            '    return Setting().default("site_name")\n\n\n'
            "def save(session, name, value):\n"
            "    session.add(Setting(name=name, value=value))\n"
            "    session.commit()\n"
        ),
    })
    report = scan(root)
    assert orm_uses(report) == {
        ("app/views.py", 5, "settings", "read", "low"),
        ("app/views.py", 9, "settings", "write", "high"),
    }
    from sqlalchemy.orm import Session

    with imported(root, "app.views") as views, imported(root, "app.models") as models:
        engine = sqlite_engine(models)
        statements = statements_run(engine)
        with Session(engine) as session:
            assert views.title() == "dns"  # type: ignore[attr-defined]
            session.commit()
            assert [s for s in statements if s.startswith("INSERT")] == []
            views.save(session, "theme", "dark")  # type: ignore[attr-defined]
    assert [s.split()[2] for s in statements if s.startswith("INSERT")] == ["settings"]


def test_a_bases_to_dict_over_self_table_columns_reads_no_row(make_repo) -> None:
    """`{c.name: getattr(self, c.name) for c in self.__table__.columns}` in a base's method
    reads the mapping of whichever model, no row: no use of any model's table (SQLAlchemy
    runs no statement for it)."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base, declared_attr\n\n"
            "Base = declarative_base()\n\n\n"
            "class Model(Base):\n"
            "    __abstract__ = True\n"
            "    id = sa.Column(sa.Integer, primary_key=True)\n\n"
            "    @declared_attr\n"
            "    def __tablename__(cls):\n"
            "        return cls.__name__.lower()\n\n"
            "    def as_dict(self):\n"
            "        return {c.name: getattr(self, c.name) for c in self.__table__.columns}\n\n\n"
            "class User(Model):\n"
            "    pass\n\n\n"
            "class Team(Model):\n"
            "    pass\n"
        ),
    })
    report = scan(root)
    assert {t.name: t.uses for t in report.tables} == {"team": [], "user": []}
    import sqlalchemy as sa

    with imported(root, "app.models") as models:
        engine = sa.create_engine("sqlite://")
        statements = statements_run(engine)
        assert models.User(id=1).as_dict() == {"id": 1}  # type: ignore[attr-defined]
    assert statements == []


def test_each_instance_of_a_query_result_deleted_in_a_loop(make_repo) -> None:
    """`for award in session.query(Award).filter(...).all(): session.delete(award)`: a write
    of the model's table at the delete. SQLAlchemy deletes from that table."""
    root = make_repo({
        **{k: v for k, v in QUERIED_THEN_DELETED.items() if k != "app/api.py"},
        "app/api.py": (
            "from app.models import Award\n\n\n"
            "def purge(session):\n"
            "    for award in session.query(Award).filter(Award.id > 0).all():\n"
            "        session.delete(award)\n"
            "    session.commit()\n"
        ),
    })
    report = scan(root)
    assert orm_uses(report) == {
        ("app/api.py", 5, "awards", "read", "high"),
        ("app/api.py", 6, "awards", "write", "high"),
    }
    assert scan(root, prefilter=False).to_json() == report.to_json()
    from sqlalchemy.orm import Session

    with imported(root, "app.api") as api, imported(root, "app.models") as models:
        seeded = [models.Award(id=1), models.Award(id=2)]  # type: ignore[attr-defined]
        engine = sqlite_engine(models, seeded)
        statements = statements_run(engine)
        with Session(engine) as session:
            api.purge(session)  # type: ignore[attr-defined]
    assert {s.split()[2] for s in statements if s.startswith("DELETE")} == {"awards"}


FLAVOURED_MODELS = '''import os

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()
FLAVOUR = os.environ.get("SHOP_FLAVOUR", "retail")


class RetailItem(Base):
    __tablename__ = "retail_items"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String)


class WholesaleItem(Base):
    __tablename__ = "wholesale_items"
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String)


class Ledger(Base):
    __tablename__ = "ledger"
    id = sa.Column(sa.Integer, primary_key=True)


Entry = Ledger
if FLAVOUR == "retail":
    Item = RetailItem
elif FLAVOUR == "wholesale":
    Item = WholesaleItem
'''
FLAVOURED_CODE = '''from app import models
from app.models import Item


def names(session):
    return [item.name for item in session.query(models.Item)]


def add(session, name):
    session.add(Item(name=name))
'''


@pytest.mark.parametrize("prefilter", [True, False])
def test_a_model_chosen_by_a_setting_is_either_table(make_repo, prefilter: bool) -> None:
    """`if FLAVOUR == "retail": Item = RetailItem` / `elif ...: Item = WholesaleItem`:
    `models.Item` and an imported `Item` are one of the two at run time, so each use is of
    both tables, confidence medium (the name had been unknown: no use at all). An alias
    (`Entry = Ledger`, or each branch) names a model and queries nothing: no use. SQLAlchemy
    runs the code under each setting: the tables its statements name are, together, the
    tables reported at each line."""
    root = make_repo({
        "app/__init__.py": "", "app/models.py": FLAVOURED_MODELS, "app/shop.py": FLAVOURED_CODE,
    })
    report = scan(root, prefilter=prefilter)
    assert orm_uses(report) == {
        ("app/shop.py", 6, "retail_items", "read", "medium"),
        ("app/shop.py", 6, "wholesale_items", "read", "medium"),
        ("app/shop.py", 10, "retail_items", "write", "medium"),
        ("app/shop.py", 10, "wholesale_items", "write", "medium"),
    }
    # `Entry = Ledger` is the ledger's only mention: it is dead, as no statement reads it
    assert sorted(f.table for f in report.findings if f.name == "dead-table") == [
        "public.ledger"
    ]
    import os

    from sqlalchemy.orm import Session

    ran: dict[int, set[str]] = {6: set(), 10: set()}
    for flavour in ("retail", "wholesale"):
        os.environ["SHOP_FLAVOUR"] = flavour
        try:
            with imported(root, "app.shop") as shop:
                models = sys.modules["app.models"]
                engine = sqlite_engine(models)
                statements = statements_run(engine)
                with Session(engine) as session:
                    shop.names(session)  # type: ignore[attr-defined]
                    ran[6] |= {t for t in ("retail_items", "wholesale_items", "ledger")
                               if t in statements[-1]}
                    shop.add(session, "pen")  # type: ignore[attr-defined]
                    session.flush()
                    ran[10] |= {t for t in ("retail_items", "wholesale_items", "ledger")
                                if t in statements[-1]}
        finally:
            del os.environ["SHOP_FLAVOUR"]
    assert ran == {
        line: {table for path, at, table, _, _ in orm_uses(report) if at == line}
        for line in (6, 10)
    }


LISTENED_MODELS = '''import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Project(Base):
    __tablename__ = "projects"
    id = sa.Column(sa.Integer, primary_key=True)
    backend = sa.Column(sa.String)


@event.listens_for(Project.backend, "set")
def backend_set(target, value, oldvalue, initiator):
    return value.strip()


def stamp(mapper, connection, target):
    target.backend = target.backend or "none"


event.listen(Project, "before_insert", stamp)


def backends(session):
    return [p.backend for p in session.query(Project)]
'''


def test_registering_a_listener_on_a_model_is_no_use(make_repo) -> None:
    """`@event.listens_for(Project.backend, "set")` and `event.listen(Project,
    "before_insert", stamp)` register listeners on the class and its attribute: no use (they
    had been reads, high, at the decorator). The query is one. SQLAlchemy runs no statement
    while the listeners are registered, and one SELECT from projects for the query."""
    root = make_repo({"app/__init__.py": "", "app/models.py": LISTENED_MODELS})
    report = scan(root)
    assert orm_uses(report) == {("app/models.py", 27, "projects", "read", "high")}
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    engine = sa.create_engine("sqlite://")
    statements = statements_run(engine)
    with imported(root, "app.models") as module:
        assert statements == []
        module.Base.metadata.create_all(engine)  # type: ignore[attr-defined]
        del statements[:]
        with Session(engine) as session:
            assert module.backends(session) == []  # type: ignore[attr-defined]
    assert len(statements) == 1 and "FROM projects" in statements[0]


COLUMN_METADATA_CODE = '''import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Version(Base):
    __tablename__ = "project_versions"
    id = sa.Column(sa.Integer, primary_key=True)
    version = sa.Column(sa.String(50), info={"label": "Version"})


def longest():
    return Version.version.property.columns[0].type.length


def label():
    return Version.version.info["label"]


def newest(session):
    return session.query(Version).filter(Version.version.startswith("1")).all()
'''


def test_a_columns_description_is_no_use(make_repo) -> None:
    """`Version.version.property.columns[0].type.length` and `Version.version.info` describe
    the mapped column: no use (had been reads, high). A filter on the column in a query is
    one. SQLAlchemy answers the first two without a statement."""
    root = make_repo({"app/__init__.py": "", "app/models.py": COLUMN_METADATA_CODE})
    report = scan(root)
    assert orm_uses(report) == {
        ("app/models.py", 22, "project_versions", "read", "high"),
    }
    from sqlalchemy.orm import Session

    with imported(root, "app.models") as module:
        engine = sqlite_engine(module)
        statements = statements_run(engine)
        assert (module.longest(), module.label()) == (50, "Version")  # type: ignore[attr-defined]
        assert statements == []
        with Session(engine) as session:
            assert module.newest(session) == []  # type: ignore[attr-defined]
        assert len(statements) == 1 and "FROM project_versions" in statements[0]


LOOPED_ORM = '''import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Color(Base):
    __tablename__ = "colors"
    id = sa.Column(sa.Integer, primary_key=True)


class Size(Base):
    __tablename__ = "sizes"
    id = sa.Column(sa.Integer, primary_key=True)


LOOKUPS = (Color, Size)


def wipe(session):
    for model in LOOKUPS:
        session.query(model).delete()


def add_defaults(session):
    for model in LOOKUPS:
        session.add(model(id=1))


def counts(session):
    return [session.query(model).count() for model in (Color, Size)]
'''


def test_a_loop_over_models_uses_each_table(make_repo) -> None:
    """`for model in LOOKUPS: session.query(model).delete()`, `session.add(model(...))` and
    a comprehension over a literal: each element of the loop, so both tables at each line (a
    loop variable had been unknown: no use). SQLAlchemy's statements name both tables."""
    root = make_repo({"app/__init__.py": "", "app/models.py": LOOPED_ORM})
    report = scan(root)
    assert {u for u in orm_uses(report) if u[1] in (22, 27, 31) and u[4] == "high"} == {
        ("app/models.py", 22, "colors", "read", "high"),
        ("app/models.py", 22, "sizes", "read", "high"),
        ("app/models.py", 27, "colors", "write", "high"),
        ("app/models.py", 27, "sizes", "write", "high"),
        ("app/models.py", 31, "colors", "read", "high"),  # the comprehension
        ("app/models.py", 31, "sizes", "read", "high"),
    }
    from sqlalchemy.orm import Session

    with imported(root, "app.models") as module:
        engine = sqlite_engine(module)
        statements = statements_run(engine)
        with Session(engine) as session:
            module.wipe(session)  # type: ignore[attr-defined]
            module.add_defaults(session)  # type: ignore[attr-defined]
            session.flush()
            assert module.counts(session) == [1, 1]  # type: ignore[attr-defined]
    assert {(s.split()[0], t) for s in statements for t in ("colors", "sizes") if t in s} == {
        ("DELETE", "colors"), ("DELETE", "sizes"), ("INSERT", "colors"), ("INSERT", "sizes"),
        ("SELECT", "colors"), ("SELECT", "sizes"),
    }


NAMING_LIBRARY = '''\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, declared_attr


class _Base:
    @declared_attr
    def __tablename__(cls):
        return cls.__name__.lower() + "s"


BASEV2 = declarative_base(cls=_Base)


class HasId:
    id = sa.Column(sa.String(36), primary_key=True)
'''
NAMED_BY_LIBRARY = {
    "netdemo/__init__.py": "",
    "netdemo/models.py": '''\
import sqlalchemy as sa
from vendorbase.model_base import BASEV2, HasId


class Port(BASEV2, HasId):
    name = sa.Column(sa.String(255))


class Network(BASEV2, HasId):
    name = sa.Column(sa.String(255))


class Router(BASEV2, HasId):
    name = sa.Column(sa.String(255))
    flavor = sa.Column(sa.String(36))


class Segment(BASEV2, HasId):
    network_id = sa.Column(sa.String(36))
''',
    "netdemo/ports.py": '''\
from netdemo.models import Port, Router


def ports(session):
    return session.query(Port).all()


def routers(session):
    return session.query(Router).filter(Router.name == "r1").all()
''',
    "netdemo/objects.py": '''\
from netdemo import models
from vendorbase.objects import DataObject


class NetworkObject(DataObject):
    db_model = models.Network
''',
    "alembic.ini": "[alembic]\nscript_location = migrations\n",
    "migrations/env.py": "",
    "migrations/versions/a1.py": '''\
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("ports", sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("name", sa.String(255)))
    op.create_table("networks", sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("name", sa.String(255)))
    op.create_table("routers", sa.Column("id", sa.String(36), primary_key=True),
                    sa.Column("name", sa.String(255)))
''',
}


def test_a_library_base_that_names_tables_by_rule(make_repo, tmp_path) -> None:
    """Models on another library's declarative base with no `__tablename__` (neutron_lib's
    `BASEV2` names a table after its class, lower case plus "s"): the rule that names most of
    them after tables the migrations create is read as the library's, and those classes are
    mapped, their uses at confidence medium. `Segment`, whose name no migration creates,
    stays unnamed. The columns the library's mixin adds (`id`) are no drift; a column the
    table lacks (`Router.flavor`) still is. `db_model = models.Network` on a data object
    reads its model. SQLAlchemy names the same tables."""
    vendor = tmp_path / "site"
    (vendor / "vendorbase").mkdir(parents=True)
    (vendor / "vendorbase" / "__init__.py").write_text("", encoding="utf-8")
    (vendor / "vendorbase" / "model_base.py").write_text(NAMING_LIBRARY, encoding="utf-8")
    (vendor / "vendorbase" / "objects.py").write_text("class DataObject:\n    pass\n")
    root = make_repo(NAMED_BY_LIBRARY)
    sys.path.insert(0, str(vendor))
    try:
        with imported(root, "netdemo.models") as models:
            real = {
                name: getattr(models, name).__table__.name
                for name in ("Port", "Network", "Router", "Segment")
            }
    finally:
        sys.path.remove(str(vendor))
        for name in [n for n in sys.modules if n.split(".")[0] == "vendorbase"]:
            del sys.modules[name]
    assert real == {
        "Port": "ports", "Network": "networks", "Router": "routers", "Segment": "segments"
    }
    report = scan(root)
    uses = {
        t.name: sorted((u.path, u.line, u.kind, u.operation, u.confidence) for u in t.uses)
        for t in report.tables
    }
    assert uses == {
        "networks": [("netdemo/objects.py", 6, "read", "class_attribute", "low")],
        "ports": [("netdemo/ports.py", 5, "read", "query", "medium")],
        "routers": [
            ("netdemo/ports.py", 9, "read", "attribute", "medium"),
            ("netdemo/ports.py", 9, "read", "query", "medium"),
        ],
    }
    assert [(f.name, f.table, f.confidence) for f in report.findings] == [
        ("model-drift", "public.routers", "medium")
    ]
    [drift] = report.findings
    assert "declares flavor, which the table does not have" in drift.message
    assert [(d.code, d.path, d.line) for d in report.diagnostics
            if d.code.startswith("orm-")] == [
        ("orm-tablename-rule", "netdemo/models.py", 5),
        ("orm-dynamic-tablename", "netdemo/models.py", 18),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()


CLASSMETHOD_ROWS = {
    "tokdemo/__init__.py": "",
    "tokdemo/models.py": '''\
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Expiring:
    @classmethod
    def new(cls, db, ident):
        row = cls(id=ident)
        db.add(row)
        db.commit()
        return row

    @classmethod
    def purge(cls, db):
        db.query(cls).delete()
        db.commit()


class Token(Expiring, Base):
    __tablename__ = "tokens"
    id = sa.Column(sa.Integer, primary_key=True)


class Code(Expiring, Base):
    __tablename__ = "codes"
    id = sa.Column(sa.Integer, primary_key=True)
''',
}


def test_a_classmethod_making_and_deleting_rows_of_cls(make_repo) -> None:
    """`row = cls(...); db.add(row)` and `db.query(cls).delete()` in a classmethod of a mixin
    (jupyterhub's `Expiring`): an insert and a delete of each mapped class's table. They were
    a read, and nothing. SQLAlchemy runs an INSERT and a DELETE on both tables."""
    from sqlalchemy.orm import Session

    root = make_repo(CLASSMETHOD_ROWS)
    with imported(root, "tokdemo.models") as models:
        engine = sqlite_engine(models)
        seen = statements_run(engine)
        with Session(engine) as session:
            for model in (models.Token, models.Code):  # type: ignore[attr-defined]
                model.new(session, 1)
                model.purge(session)
    verbs = sorted({sql.split()[0] + " " + sql.split()[2] for sql in seen
                    if sql.startswith(("INSERT", "DELETE"))})
    assert verbs == ["DELETE codes", "DELETE tokens", "INSERT codes", "INSERT tokens"]
    report = scan(root)
    uses = {
        t.name: sorted((u.line, u.kind, u.operation) for u in t.uses) for t in report.tables
    }
    expected = [(10, "write", "constructor"), (17, "read", "query"), (17, "write", "query_delete")]
    assert uses == {"tokens": expected, "codes": expected}
    assert scan(root, prefilter=False).to_json() == report.to_json()


def test_a_foreign_key_target_no_source_creates_is_undefined_not_removed(make_repo) -> None:
    """`ForeignKey("parentz.id")` to a table no model, migration or SQL file makes: the
    target's status is `undefined` (it was `removed`, as if a source had dropped it).
    SQLAlchemy cannot create the model's table either: the referenced table is unknown."""
    import sqlalchemy as sa

    root = make_repo({
        "fkdemo/__init__.py": "",
        "fkdemo/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base\n\n"
            "Base = declarative_base()\n\n\n"
            "class Kid(Base):\n"
            '    __tablename__ = "kids"\n'
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            '    parent_id = sa.Column(sa.Integer, sa.ForeignKey("parentz.id"))\n\n\n'
            "def kids(session):\n"
            "    return session.query(Kid).all()\n"
        ),
    })
    with imported(root, "fkdemo.models") as models, pytest.raises(sa.exc.NoReferencedTableError):
        models.Base.metadata.create_all(sa.create_engine("sqlite://"))  # type: ignore[attr-defined]
    report = scan(root)
    assert {t.name: t.status for t in report.tables} == {"kids": "used", "parentz": "undefined"}
    parentz = report.table("public.parentz")
    assert parentz is not None and parentz.definitions == [] and parentz.uses == []


def test_a_mapped_classs_table_object_is_written_through_dunder_table(make_repo) -> None:
    """`Job.__table__.insert().from_select(...)`, `Job.__table__.insert().values(...)` and
    `insert(Job.__table__)`: statements on the class's Table object write its table (they
    had been reads of an attribute, or nothing). `Job.__table__.name` names it, no use.
    SQLAlchemy runs the three INSERTs."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": one_model("Job", "job", "name"),
        "app/queue.py": (
            "from sqlalchemy import insert, literal_column, select\n\n"
            "from app.models import Job\n\n\n"
            "def schedule(session, name):\n"
            "    query = Job.__table__.insert().from_select(\n"
            '        ["name"], select(literal_column(f"\'{name}\'")))\n'
            "    session.execute(query)\n\n\n"
            "def add(session, name):\n"
            "    session.execute(Job.__table__.insert().values(name=name))\n\n\n"
            "def add_many(session, rows):\n"
            "    session.execute(insert(Job.__table__).values(rows))\n\n\n"
            "def label():\n"
            "    return Job.__table__.name\n"
        ),
    })
    report = scan(root)
    assert orm_uses(report) == {
        ("app/queue.py", 7, "job", "write", "high"),
        ("app/queue.py", 13, "job", "write", "high"),
        ("app/queue.py", 17, "job", "write", "high"),
    }
    from sqlalchemy.orm import Session

    with imported(root, "app.queue") as queue, imported(root, "app.models") as models:
        engine = sqlite_engine(models)
        statements = statements_run(engine)
        with Session(engine) as session:
            queue.schedule(session, "a")  # type: ignore[attr-defined]
            queue.add(session, "b")  # type: ignore[attr-defined]
            queue.add_many(session, [{"name": "c"}])  # type: ignore[attr-defined]
            assert queue.label() == "job"  # type: ignore[attr-defined]
    assert [s.split()[:3] for s in statements] == [["INSERT", "INTO", "job"]] * 3


def test_a_helper_given_the_model_uses_its_table_at_the_call(make_repo) -> None:
    """`def _upsert(table, values): return insert(table).values(values)` called as
    `self._upsert(Job, rows)`, and `get_or_create(session, Job, ...)` querying its `model`
    parameter: the model the call gives writes or reads its table at the call, medium (the
    helper is read with the call's arguments). SQLAlchemy runs the INSERT and the SELECT."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": one_model("Job", "job", "name"),
        "app/bulk.py": (
            "from sqlalchemy import insert\n\nfrom app.models import Job\n\n\n"
            "class Bulk:\n"
            "    def __init__(self, session):\n        self.session = session\n\n"
            "    def add_jobs(self, rows):\n"
            "        return self.session.execute(self._upsert(Job, rows))\n\n"
            "    @staticmethod\n"
            "    def _upsert(table, values):\n"
            "        return insert(table).values(values)\n\n\n"
            "def first_of(session, model, **kwargs):\n"
            "    return session.query(model).filter_by(**kwargs).first()\n\n\n"
            "def named(session, name):\n"
            "    return first_of(session, Job, name=name)\n"
        ),
    })
    report = scan(root)
    assert {
        (u.path, u.line, u.kind, u.operation, u.confidence)
        for t in report.tables for u in t.uses if u.confidence != "low"
    } == {
        ("app/bulk.py", 11, "write", "insert", "medium"),
        ("app/bulk.py", 23, "read", "query", "medium"),
    }
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    from sqlalchemy.orm import Session

    with imported(root, "app.bulk") as bulk, imported(root, "app.models") as models:
        engine = sqlite_engine(models)
        statements = statements_run(engine)
        with Session(engine) as session:
            bulk.Bulk(session).add_jobs([{"name": "a"}])  # type: ignore[attr-defined]
            assert bulk.named(session, "a") is not None  # type: ignore[attr-defined]
    assert [s.split()[0] for s in statements] == ["INSERT", "SELECT"]


def test_a_bulk_delete_or_update_on_a_query_kept_in_a_variable_writes(make_repo) -> None:
    """`q = session.query(Attribute).filter(...)`, then `q.delete()` / `q.update({...})`:
    the query's model is written, as the same call written as one chain is (it had been
    missed). A dict's `d.update(...)` is no use. SQLAlchemy runs the DELETE and UPDATE."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": one_model("Attribute", "attribute", "key"),
        "app/ops.py": (
            "from app.models import Attribute\n\n\n"
            "def drop_keys(session, key):\n"
            "    q = session.query(Attribute).filter(Attribute.key == key)\n"
            "    q.delete()\n\n\n"
            "def rename(session, old, new):\n"
            "    q = session.query(Attribute).filter(Attribute.key == old)\n"
            '    return q.update({"key": new})\n\n\n'
            "def touch(d):\n"
            '    d.update({"a": 1})\n'
        ),
    })
    report = scan(root)
    assert {u for u in orm_uses(report) if u[3] == "write"} == {
        ("app/ops.py", 6, "attribute", "write", "high"),
        ("app/ops.py", 11, "attribute", "write", "high"),
    }
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    from sqlalchemy.orm import Session

    with imported(root, "app.ops") as ops, imported(root, "app.models") as models:
        engine = sqlite_engine(models)
        statements = statements_run(engine)
        with Session(engine) as session:
            ops.drop_keys(session, "a")  # type: ignore[attr-defined]
            ops.rename(session, "b", "c")  # type: ignore[attr-defined]
    assert [s.split()[0] for s in statements] == ["DELETE", "UPDATE"]


LOADED_ROW_CODE = '''import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Shelf(Base):
    __tablename__ = "shelves"
    name = sa.Column(sa.String, primary_key=True)
    label = sa.Column(sa.String)


def not_found():
    raise LookupError("no such shelf")


def rename(session, name, label):
    shelf = session.get(Shelf, name) or not_found()
    shelf.label = label
    shelf.cache = {}
    session.commit()


def drop(session, name):
    shelf = session.get(Shelf, name) or not_found()
    session.delete(shelf)
    session.commit()


def create(session, name):
    shelf = Shelf(name=name)
    shelf.label = "new"
    session.add(shelf)
    session.commit()


def label_of(shelf: Shelf, label):
    shelf.label = label


def relabel(session, name):
    label_of(Shelf(name=name), "new")
'''


def test_a_loaded_rows_attribute_set_and_delete_behind_or(make_repo) -> None:
    """`shelf = session.get(Shelf, name) or not_found()` is a row the query loaded (the other
    operand raises): `session.delete(shelf)` deletes from its table, and `shelf.label =
    label` is the session's UPDATE of it. Setting an attribute that is no column
    (`shelf.cache`) writes nothing, nor does one on a row made by the constructor before
    `add` (its INSERT), nor one on a row a helper is handed (`label_of(Shelf(...), x)`: it
    may be a new one). SQLAlchemy runs the same statements."""
    root = make_repo({"app/__init__.py": "", "app/models.py": LOADED_ROW_CODE})
    report = scan(root)
    shelves = report.table("public.shelves")
    assert shelves is not None
    assert [(u.line, u.kind, u.operation, u.confidence) for u in shelves.uses] == [
        (20, "read", "get", "high"),
        (21, "write", "update", "high"),
        (27, "read", "get", "high"),
        (28, "write", "delete", "high"),
        (33, "write", "constructor", "low"),
        (44, "write", "constructor", "low"),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()
    from sqlalchemy.orm import Session

    with imported(root, "app.models") as module:
        engine = sqlite_engine(module)
        statements = statements_run(engine)
        with Session(engine) as session:
            module.create(session, "a")  # type: ignore[attr-defined]
            module.rename(session, "a", "tools")  # type: ignore[attr-defined]
            module.drop(session, "a")  # type: ignore[attr-defined]
        verbs = [s.split()[0] for s in statements]
        assert verbs == ["INSERT", "SELECT", "UPDATE", "SELECT", "DELETE"], statements


ASSOCIATION_CODE = '''import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


owners = sa.Table(
    "shelf_owners", Base.metadata,
    sa.Column("shelf_name", sa.ForeignKey("shelves.name"), primary_key=True),
    sa.Column("reader_id", sa.ForeignKey("readers.id"), primary_key=True),
)


class Reader(Base):
    __tablename__ = "readers"
    id = sa.Column(sa.Integer, primary_key=True)


class Shelf(Base):
    __tablename__ = "shelves"
    name = sa.Column(sa.String, primary_key=True)
    owners = relationship(Reader, secondary=owners)


def share(session, name, reader_id):
    shelf = session.get(Shelf, name)
    reader = session.get(Reader, reader_id)
    shelf.owners.append(reader)
    session.commit()


def unshare(session, name, reader_id):
    shelf = session.get(Shelf, name)
    shelf.owners.remove(session.get(Reader, reader_id))
    shelf.tags = []
    shelf.tags.append("x")
    session.commit()


def create(session, name, reader):
    shelf = Shelf(name=name)
    shelf.owners.append(reader)
    session.add(shelf)
    session.commit()
'''


def test_a_relationship_collection_changed_writes_its_association_table(make_repo) -> None:
    """`shelf.owners.append(reader)` / `.remove(...)` on a loaded row, or on one the
    constructor made, changes the relationship `owners`, whose `secondary=` table the session
    writes (it had only the read every use of the class gives it, at the relationship); a
    list that is no relationship (`shelf.tags`) writes nothing. SQLAlchemy runs the INSERT
    and DELETE on the association table."""
    root = make_repo({"app/__init__.py": "", "app/models.py": ASSOCIATION_CODE})
    report = scan(root)
    association = report.table("public.shelf_owners")
    assert association is not None
    assert [(u.line, u.kind, u.operation) for u in association.uses] == [
        (24, "read", "relationship"),
        (30, "write", "relationship"),
        (36, "write", "relationship"),
        (44, "write", "relationship"),
    ]
    assert scan(root, prefilter=False).to_json() == report.to_json()
    from sqlalchemy.orm import Session

    with imported(root, "app.models") as module:
        engine = sqlite_engine(module, [module.Reader(id=1), module.Reader(id=2)])  # type: ignore[attr-defined]
        statements = statements_run(engine)
        with Session(engine) as session:
            module.create(session, "a", session.get(module.Reader, 2))  # type: ignore[attr-defined]
            module.share(session, "a", 1)  # type: ignore[attr-defined]
            module.unshare(session, "a", 1)  # type: ignore[attr-defined]
        writes = [
            s.split()[0] for s in statements
            if s.startswith(("INSERT INTO shelf_owners", "DELETE FROM shelf_owners"))
        ]
        assert writes == ["INSERT", "INSERT", "DELETE"], statements


CALLABLE_SECONDARY_CODE = '''import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, relationship


class Base(DeclarativeBase):
    pass


def _managers():
    return managers


class User(Base):
    __tablename__ = "users"
    email = sa.Column(sa.String, primary_key=True)


class Domain(Base):
    __tablename__ = "domains"
    name = sa.Column(sa.String, primary_key=True)
    managers = relationship(User, secondary=_managers)


managers = sa.Table(
    "manager", Base.metadata,
    sa.Column("domain_name", sa.ForeignKey("domains.name"), primary_key=True),
    sa.Column("user_email", sa.ForeignKey("users.email"), primary_key=True),
)


def promote(session, name, email):
    domain = session.get(Domain, name)
    domain.managers.append(session.get(User, email))
    session.commit()
'''


def test_a_secondary_given_as_a_function_returning_the_table(make_repo) -> None:
    """`relationship(User, secondary=_managers)`, `_managers` returning the Table defined
    after the class (SQLAlchemy calls it when it configures the mappers): the association
    table is the one it returns, read at the relationship and written by
    `domain.managers.append(...)`. SQLAlchemy inserts into it."""
    root = make_repo({"app/__init__.py": "", "app/models.py": CALLABLE_SECONDARY_CODE})
    report = scan(root)
    manager = report.table("public.manager")
    assert manager is not None
    assert [(u.line, u.kind, u.operation) for u in manager.uses] == [
        (10, "read", "argument"),
        (21, "read", "relationship"),
        (33, "write", "relationship"),
    ]
    from sqlalchemy.orm import Session

    with imported(root, "app.models") as module:
        engine = sqlite_engine(module, [module.Domain(name="d"), module.User(email="u")])  # type: ignore[attr-defined]
        statements = statements_run(engine)
        with Session(engine) as session:
            module.promote(session, "d", "u")  # type: ignore[attr-defined]
        assert any(s.startswith("INSERT INTO manager") for s in statements), statements


WRAPPED_ATTRIBUTES = {
    "wrapdemo/__init__.py": "",
    "wrapdemo/models.py": '''\
from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def with_roles(attr, **roles):
    return attr


def immutable(attr):
    return attr


class Base(DeclarativeBase):
    pass


class Owner(Base):
    __tablename__ = "owner"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column("type")
    flavour_: Mapped[str] = immutable(with_roles(mapped_column("flavour"), read={"all"}))


class Item(Base):
    __tablename__ = "item"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = with_roles(mapped_column(ForeignKey("owner.id")), read={"all"})
    owner: Mapped[Owner] = with_roles(relationship(), read={"all"})
    legacy = immutable(Column("old_name", Integer))
''',
}


def test_a_declaration_wrapped_in_a_projects_function_is_the_declaration(make_repo) -> None:
    """`with_roles(relationship(), read={"all"})` and `immutable(mapped_column("type"))`
    (coaster's and many projects' way of marking attributes): the wrapper returns what it is
    given, so the attribute is a relationship (no column) or the column it names (`type`,
    not the attribute's name). funnel's model-drift warnings listed such relationships as
    columns the table lacked. SQLAlchemy, importing the models, has the same columns."""
    root = make_repo(WRAPPED_ATTRIBUTES)
    report = scan(root)
    ours = {t.name: t.states[0].columns for t in report.tables}
    with imported(root, "wrapdemo.models") as models:
        real = {
            name: [c.name for c in table.columns]
            for name, table in models.Base.metadata.tables.items()  # type: ignore[attr-defined]
        }
    assert ours == real == {
        "owner": ["id", "type", "flavour"], "item": ["id", "owner_id", "old_name"],
    }
    assert {(t.name, link.table, link.via) for t in report.tables for link in t.references} == {
        ("item", "public.owner", "foreign_key"), ("item", "public.owner", "relationship"),
    }


LOCAL_METADATA = {
    "markerdemo/__init__.py": "",
    "markerdemo/models.py": '''\
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class Task(Base):
    __tablename__ = "tasks"
    id = Column(Integer, primary_key=True)
    name = Column(String)


def touch_marker(engine, table_name):
    metadata = MetaData()
    marker = Table(table_name, metadata, Column("id", Integer, primary_key=True))
    metadata.create_all(engine)
    return marker


def setup(url):
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    return engine
''',
}


def test_a_create_all_on_a_metadata_the_function_makes_builds_no_models(make_repo) -> None:
    """`metadata = MetaData()` in a function, a `Table` put on it, then
    `metadata.create_all(engine)`: that MetaData holds the function's table only, so the
    call creates none of the models' (luigi's three task tables had been "created by
    create_all(3)", and a create-all-assumed note said its MetaData could not be read).
    SQLAlchemy, running both functions on SQLite, creates `tasks` from the models' MetaData
    and only the marker table from the other."""
    import sqlalchemy as sa

    root = make_repo(LOCAL_METADATA)
    report = scan(root)
    tasks = report.table("public.tasks")
    assert tasks is not None
    assert sorted(d.source for d in tasks.definitions) == [
        "create_all:markerdemo/models.py:22", "model:markerdemo/models.py",
    ]
    assert [d.code for d in report.diagnostics] == ["orm-dynamic-tablename"]
    with imported(root, "markerdemo.models") as models:
        engine = models.setup("sqlite://")  # type: ignore[attr-defined]
        before = set(sa.inspect(engine).get_table_names())
        models.touch_marker(engine, "table_updates")  # type: ignore[attr-defined]
        after = set(sa.inspect(engine).get_table_names())
    assert (before, after - before) == ({"tasks"}, {"table_updates"})


IMPERATIVE = {
    "app/__init__.py": "",
    "app/meta.py": (
        "from sqlalchemy import MetaData, orm\n"
        "from sqlalchemy.orm import scoped_session, sessionmaker\n\n"
        "metadata = MetaData()\n"
        "registry = orm.registry(metadata=metadata)\n"
        "Session = scoped_session(sessionmaker())\n"
    ),
    "app/user.py": (
        "import sqlalchemy as sa\n\n"
        "from app import meta\n\n"
        "user_table = sa.Table(\n"
        '    "user", meta.metadata,\n'
        '    sa.Column("id", sa.Integer, primary_key=True),\n'
        '    sa.Column("name", sa.Text),\n'
        ")\n"
        "api_token_table = sa.Table(\n"
        '    "api_token", meta.metadata,\n'
        '    sa.Column("id", sa.Integer, primary_key=True),\n'
        '    sa.Column("user_id", sa.Integer, sa.ForeignKey("user.id")),\n'
        ")\n\n\n"
        "class User:\n"
        "    @classmethod\n"
        '    def by_name(cls, name: str) -> "User | None":\n'
        "        return meta.Session.query(cls).filter(cls.name == name).first()\n\n\n"
        "class ApiToken:\n"
        "    pass\n\n\n"
        "class Unmapped:\n"
        "    pass\n\n\n"
        "meta.registry.map_imperatively(User, user_table, properties={\n"
        '    "tokens": sa.orm.relationship(ApiToken, backref="owner"),\n'
        "})\n"
        "meta.registry.map_imperatively(ApiToken, api_token_table)\n"
    ),
    "app/views.py": (
        "from app import meta\n"
        "from app.user import ApiToken, Unmapped, User\n\n\n"
        "def show(name: str) -> list[User]:\n"
        "    return meta.Session.query(User).filter(User.name == name).all()\n\n\n"
        "def add_token(user_id: int) -> None:\n"
        "    meta.Session.add(ApiToken(user_id=user_id))\n"
        "    meta.Session.add(Unmapped())\n"
    ),
}


def test_a_class_mapped_imperatively_is_its_tables_model(make_repo: MakeRepo) -> None:
    """`registry.map_imperatively(User, user_table)` maps a plain class to a Table object:
    queries and adds of `User` use that table, and the mapping call names the class and the
    Table without reading either (it had been the only, low-confidence "read" of each table,
    while every query of the class was missed). The real registry agrees."""
    import sqlalchemy as sa

    root = make_repo(IMPERATIVE)
    report = scan(root)
    assert {
        t.name: sorted({(u.path, u.line, u.kind, u.confidence) for u in t.uses})
        for t in report.tables
    } == {
        "api_token": [("app/views.py", 10, "write", "high")],
        "user": [("app/user.py", 20, "read", "high"), ("app/views.py", 6, "read", "high")],
    }
    assert {
        t.name: sorted((d.path, d.line) for d in t.definitions) for t in report.tables
    } == {"api_token": [("app/user.py", 10)], "user": [("app/user.py", 5)]}
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    with importable(root):
        import app.user

        assert sa.inspect(app.user.User).persist_selectable.name == "user"
        assert sa.inspect(app.user.ApiToken).persist_selectable.name == "api_token"
        assert sa.inspect(app.user.Unmapped, raiseerr=False) is None


JOINED_SECONDARY = {
    "app/__init__.py": "",
    "app/models.py": (
        "from sqlalchemy import Column, ForeignKey, Integer, String\n"
        "from sqlalchemy.orm import declarative_base, relationship\n\n"
        "Base = declarative_base()\n\n\n"
        "class Role(Base):\n"
        "    __tablename__ = 'roles'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    name = Column(String)\n\n\n"
        "class Membership(Base):\n"
        "    __tablename__ = 'memberships'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    user_id = Column(Integer, ForeignKey('users.id'))\n"
        "    event_id = Column(Integer, ForeignKey('events.id'))\n"
        "    role_id = Column(Integer, ForeignKey('roles.id'))\n\n\n"
        "class User(Base):\n"
        "    __tablename__ = 'users'\n"
        "    id = Column(Integer, primary_key=True)\n\n\n"
        "class Event(Base):\n"
        "    __tablename__ = 'events'\n"
        "    id = Column(Integer, primary_key=True)\n"
        "    owners = relationship(\n"
        "        'User', viewonly=True,\n"
        "        secondary='join(Membership, Role, Role.id == Membership.role_id)',\n"
        "        primaryjoin='and_(Membership.event_id == Event.id, Role.name == \"owner\")',\n"
        "        secondaryjoin='Membership.user_id == User.id',\n"
        "    )\n"
    ),
    "app/views.py": (
        "from app.models import Event\n\n\n"
        "def owners_of(session, event_id):\n"
        "    return session.get(Event, event_id).owners\n"
    ),
    "app/setup.py": (
        "from app.models import Base\n\n\n"
        "def init(engine):\n    Base.metadata.create_all(engine)\n"
    ),
}


def test_a_secondary_written_as_a_join_expression(make_repo: MakeRepo) -> None:
    """`relationship(..., secondary="join(Membership, Role, Role.id == ...)")`, a view-only
    relationship over a join: SQLAlchemy evaluates the string against its registry, so the
    joined classes' tables are read with the relationship; the string is no table (open-
    event-server: 16 undefined-table errors named after such strings, with Continuum
    version tables made up from them). SQLAlchemy 1.x evaluates such a string (open-event-
    server pins 1.3, where the mapper joins those two tables); 2.x reads a `secondary`
    string as a table name only: either way the string names no table."""
    import sqlalchemy as sa

    root = make_repo(JOINED_SECONDARY)
    report = scan(root)
    assert sorted(t.name for t in report.tables) == ["events", "memberships", "roles", "users"]
    assert [f.name for f in report.findings] == []
    assert sorted(
        (t.name, u.line, u.operation) for t in report.tables for u in t.uses
        if u.path == "app/models.py"
    ) == [("memberships", 29, "relationship"), ("roles", 29, "relationship")]
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    with importable(root):
        import app.models

        assert "join(Membership" not in app.models.Base.metadata.tables
        if sa.__version__.startswith("1."):
            sa.orm.configure_mappers()
            secondary = sa.inspect(app.models.Event).relationships["owners"].secondary
            assert {secondary.left.name, secondary.right.name} == {"memberships", "roles"}
        else:  # (2.x's registry lookup of the string fails; configuring would say so)
            registry = app.models.Base.registry
            assert "join(Membership, Role, Role.id == Membership.role_id)" not in (
                registry.metadata.tables
            )


def test_an_aggregated_method_declares_its_column(make_repo: MakeRepo) -> None:
    """sqlalchemy_utils' `@aggregated("members", Column(Integer, default=0))` on a method
    declares a column named after the method, which the library keeps up to date
    (open-event-server: a model-drift warning said the model lacked `follower_count`, which
    its migration adds). The real table has it."""
    pytest.importorskip("sqlalchemy_utils")
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "import sqlalchemy as sa\n"
            "from sqlalchemy.orm import declarative_base, relationship\n"
            "from sqlalchemy_utils import aggregated\n\n"
            "Base = declarative_base()\n\n\n"
            "class Group(Base):\n"
            "    __tablename__ = 'groups'\n"
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    members = relationship('Member')\n\n"
            "    @aggregated('members', sa.Column(sa.Integer, default=0))\n"
            "    def member_count(self):\n"
            "        return sa.func.count('1')\n\n\n"
            "class Member(Base):\n"
            "    __tablename__ = 'members'\n"
            "    id = sa.Column(sa.Integer, primary_key=True)\n"
            "    group_id = sa.Column(sa.Integer, sa.ForeignKey('groups.id'))\n"
        ),
    })
    report = scan(root)
    groups = report.table("public.groups")
    assert groups is not None
    assert [s.columns for s in groups.states] == [["id", "member_count"]]
    with importable(root):
        import app.models

        assert [c.name for c in app.models.Group.__table__.columns] == ["id", "member_count"]


def test_a_model_named_in_a_class_attribute_dict(make_repo: MakeRepo) -> None:
    """flask-rest-jsonapi's `data_layer = {"session": db.session, "model": Page}` on a
    resource class: the generic resource queries the model the dict names, a read of
    confidence low as `model = Page` is (open-event-server: 260 such resources, `pages`
    reported dead). A dict naming no model key reads nothing."""
    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "from flask_sqlalchemy import SQLAlchemy\n\ndb = SQLAlchemy()\n\n\n"
            "class Page(db.Model):\n"
            "    __tablename__ = 'pages'\n"
            "    id = db.Column(db.Integer, primary_key=True)\n\n\n"
            "class Tag(db.Model):\n"
            "    __tablename__ = 'tags'\n"
            "    id = db.Column(db.Integer, primary_key=True)\n"
        ),
        "app/api.py": (
            "from flask_rest_jsonapi import ResourceList\n\n"
            "from app.models import Page, Tag, db\n\n\n"
            "class PageList(ResourceList):\n"
            "    data_layer = {'session': db.session, 'model': Page}\n\n\n"
            "class TagList(ResourceList):\n"
            "    labels = {'kind': Tag}\n"
        ),
        "app/setup.py": "from app.models import db\n\n\ndef init():\n    db.create_all()\n",
    })
    report = scan(root)
    assert [
        (t.name, t.status, [(u.path, u.line, u.kind, u.confidence) for u in t.uses])
        for t in report.tables
    ] == [
        ("pages", "used", [("app/api.py", 7, "read", "low")]),
        ("tags", "dead", []),
    ]
    assert report.model_dump() == scan(root, prefilter=False).model_dump()


def test_a_table_of_each_name_the_database_lists_declares_nothing(make_repo: MakeRepo) -> None:
    """`for name in inspector.get_table_names(): Table(name, metadata, *fks)` (a script
    dropping every table): each table the database already has, reflected, declaring none;
    it had been a model whose table name cannot be computed, which lowered every dead and
    undefined finding to confidence medium (open-event-server's drop_db.py: 18 findings).
    The real inspector lists the tables."""
    import sqlalchemy as sa

    root = make_repo({
        "app/__init__.py": "",
        "app/models.py": (
            "from sqlalchemy import Column, Integer\n"
            "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n\n\n"
            "class Old(Base):\n    __tablename__ = 'old'\n"
            "    id = Column(Integer, primary_key=True)\n\n\n"
            "def init(engine):\n    Base.metadata.create_all(engine)\n"
        ),
        "app/drop.py": (
            "from sqlalchemy import MetaData, Table, inspect\n\n\n"
            "def drop_all(engine):\n"
            "    metadata = MetaData()\n"
            "    tables = []\n"
            "    for name in inspect(engine).get_table_names():\n"
            "        tables.append(Table(name, metadata))\n"
            "    with engine.begin() as conn:\n"
            "        for table in tables:\n"
            "            table.drop(conn)\n"
        ),
    })
    report = scan(root)
    assert [(f.name, f.table, f.confidence) for f in report.findings] == [
        ("dead-table", "public.old", "high"),
    ]
    assert [d.code for d in report.diagnostics] == []
    with importable(root):
        import app.drop
        import app.models

        engine = sa.create_engine("sqlite://")
        app.models.init(engine)
        assert sa.inspect(engine).get_table_names() == ["old"]
        app.drop.drop_all(engine)
        assert sa.inspect(engine).get_table_names() == []


PUBLISHED_BASE = {
    "app/__init__.py": (
        "import sys\n\n\n"
        "def public(**names):\n"
        "    \"\"\"atpublic's keyword form: bind each name in the caller's module.\"\"\"\n"
        "    sys._getframe(1).f_globals.update(names)\n"
    ),
    "app/database.py": (
        "from sqlalchemy.orm import declarative_base\n\n"
        "from app import public\n\n"
        "public(Model=declarative_base())\n"
    ),
    "app/models.py": (
        "from sqlalchemy import Column, Integer\n\n"
        "from app.database import Model\n\n\n"
        "class Thing(Model):\n"
        "    __tablename__ = 'thing'\n"
        "    id = Column(Integer, primary_key=True)\n\n\n"
        "def count(session):\n"
        "    return session.query(Thing).count()\n\n\n"
        "def init(engine):\n"
        "    Model.metadata.create_all(engine)\n"
    ),
}


def test_a_base_bound_by_a_public_call(make_repo: MakeRepo) -> None:
    """`public(Model=declarative_base())` at module level (the atpublic package's keyword
    form, and its copies: GNU Mailman binds its declarative base so) binds `Model` as
    `Model = declarative_base()` would: its classes are models (mailman: 22 tables and 314
    uses had been lost, 3 false dead tables). The real module has the base."""
    import sqlalchemy as sa

    root = make_repo(PUBLISHED_BASE)
    report = scan(root)
    assert [(t.name, t.status, [(u.path, u.line, u.kind) for u in t.uses])
            for t in report.tables] == [("thing", "used", [("app/models.py", 12, "read")])]
    assert report.findings == []
    assert report.model_dump() == scan(root, prefilter=False).model_dump()
    with importable(root):
        import app.models

        engine = sa.create_engine("sqlite://")
        app.models.init(engine)
        assert sa.inspect(engine).get_table_names() == ["thing"]


CLASS_VARIABLE_SESSION = """\
from typing import ClassVar

from sqlalchemy import Integer
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, scoped_session


class Base(DeclarativeBase):
    pass


class Trade(Base):
    __tablename__ = "trades"
    session: ClassVar[scoped_session]
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


def cleanup():
    Trade.session.remove()


def first():
    return Trade.session.get(Trade, 1)
"""


def test_a_class_variable_of_a_model_is_no_column(make_repo: MakeRepo) -> None:
    """`session: ClassVar[scoped_session]` on a model (freqtrade's `Trade.session`): SQLAlchemy
    maps no column for it, so `Trade.session.remove()` reads no row (freqtrade: about 37 such
    reads); the query it runs on `Trade` is still a read. SQLAlchemy's mapper agrees."""
    root = make_repo({"app/__init__.py": "", "app/models.py": CLASS_VARIABLE_SESSION})
    report = scan(root)
    trades = report.table("public.trades")
    assert trades is not None
    assert [(u.line, u.kind, u.operation) for u in trades.uses] == [(22, "read", "get")]
    with importable(root):
        import sqlalchemy as sa
        from app.models import Trade  # type: ignore[import-not-found]

        assert list(sa.inspect(Trade).attrs.keys()) == ["id"]


MODEL_FACTORIES = {
    "app/__init__.py": "",
    "app/models.py": (
        "from sqlalchemy import Column, ForeignKey, Integer, String\n"
        "from sqlalchemy.orm import declarative_base\n\n"
        "Base = declarative_base()\n\n\n"
        "def make_label(table):\n"
        "    class Label(Base):\n"
        '        __tablename__ = f"{table}_labels"\n'
        "        id = Column(Integer, primary_key=True)\n"
        "        name = Column(String(255))\n"
        '        parent = Column(Integer, ForeignKey(f"{table}.id"))\n\n'
        "    return Label\n\n\n"
        "def make_tag(table):\n"
        "    class Tag(Base):\n"
        '        __tablename__ = f"{table}_tags"\n'
        "        id = Column(Integer, primary_key=True)\n\n"
        "    return Tag\n\n\n"
        "class Run(Base):\n"
        '    __tablename__ = "runs"\n'
        "    id = Column(Integer, primary_key=True)\n"
        "    Label = make_label(__tablename__)\n\n\n"
        "class Artifact(Base):\n"
        '    __tablename__ = "artifacts"\n'
        "    id = Column(Integer, primary_key=True)\n"
        "    Label = make_label(__tablename__)\n"
        "    Tag = make_tag(table=__tablename__)\n"
    ),
    "app/db.py": (
        "from app.models import Artifact, Run\n\n\n"
        "def labels(session, uid):\n"
        "    return session.query(Run.Label).filter(Run.Label.parent == uid).all()\n\n\n"
        "def tagged(session):\n"
        "    return session.query(Artifact).join(Artifact.Tag).all()\n\n\n"
        "def purge(conn):\n"
        '    conn.execute(f"DELETE FROM {Artifact.Label.__tablename__}")\n'
    ),
}


def test_models_a_factory_function_makes_for_class_attributes(make_repo: MakeRepo) -> None:
    """`Label = make_label(__tablename__)` in each model's body, `make_label(table)` defining
    and returning `class Label(Base)` with `__tablename__ = f"{table}_labels"` (mlrun's
    labels, tags and notifications): each call maps a model of its own, named with the
    argument, and `Run.Label` / `join(Artifact.Tag)` read its table, not `runs`', as
    `Artifact.Label.__tablename__` names it (mlrun: 14 of 18 false dead tables and 2 dynamic
    names gone). SQLAlchemy's metadata holds the same tables."""
    root = make_repo(MODEL_FACTORIES)
    report = scan(root)
    assert {
        t.name: (t.status, [(u.path, u.line, u.operation) for u in t.uses])
        for t in report.tables
    } == {
        "artifacts": ("used", [("app/db.py", 9, "query")]),
        "artifacts_labels": ("used", [("app/db.py", 13, "delete")]),
        "artifacts_tags": ("used", [("app/db.py", 9, "join")]),
        "runs": ("dead", []),
        "runs_labels": ("used", [
            ("app/db.py", 5, "attribute"), ("app/db.py", 5, "query"),
        ]),
    }
    assert report.table("public.artifacts_tags").definitions[0].line == 18  # type: ignore[union-attr]
    with importable(root):
        from app.models import Artifact, Base, Run  # type: ignore[import-not-found]

        assert sorted(Base.metadata.tables) == [
            "artifacts", "artifacts_labels", "artifacts_tags", "runs", "runs_labels",
        ]
        assert (Run.Label.__tablename__, Artifact.Tag.__tablename__) == (
            "runs_labels", "artifacts_tags",
        )
