"""Tests for the SQLAlchemy ORM reader (analyzer.readers.sqlalchemy)."""

from __future__ import annotations

import textwrap

from analyzer.facts import (
    CreateAllCall,
    Hole,
    Literal,
    OrmBaseFactory,
    OrmClass,
    OrmColumn,
    OrmFacts,
    OrmReference,
    OrmTable,
)
from analyzer.python.parse import ParsedModule, parse_module
from analyzer.python.scopes import walk_module
from analyzer.python.templates import TemplateBuilder
from analyzer.python.translate import Translator
from analyzer.readers.python_module import extract_python
from analyzer.readers.sqlalchemy import read_sqlalchemy


def orm(src: str) -> OrmFacts:
    """ORM facts of ``src`` (dedented; its first line is line 1), through extract_python."""
    source = textwrap.dedent(src).lstrip("\n").encode("utf-8")
    facts = extract_python("pkg/mod.py", source, "pkg.mod")
    assert facts.problems == []
    return facts.orm


def classes(src: str) -> dict[str, OrmClass]:
    return {c.name: c for c in orm(src).classes}


def T(text: str, line: int) -> tuple[Literal, ...]:
    return (Literal(text, line),)


def C(attribute: str | None, name: str | None, line: int, fk: str | None = None) -> OrmColumn:
    return OrmColumn(attribute, name if name is not None else attribute, line, fk)  # type: ignore[arg-type]


# Uses are written after this header (body lines start at FIRST).
HEADER = """\
import sqlalchemy as sa
from sqlalchemy import delete, exists, insert, select, update
from sqlalchemy.orm import aliased, with_polymorphic
from app.models import Address, User
from app import db, models
import app.tables
from app.tables import users
"""
FIRST = 8


def uses(body: str) -> list[tuple[str, int, str, str, str]]:
    """(name, line, kind, context, confidence) of the references of HEADER + body."""
    facts = orm(HEADER + textwrap.dedent(body).lstrip("\n"))
    return sorted((r.name, r.line, r.kind, r.context, r.confidence) for r in facts.references)


def R(name: str, line: int, kind: str, context: str, confidence: str = "high") -> tuple:
    return (name, line, kind, context, confidence)


# ============================================================================================
# Declarations
# ============================================================================================


def test_declarative_2_0_mapped_columns_and_relationships() -> None:
    found = classes(
        """
        from typing import List, Optional
        from sqlalchemy import ForeignKey, String
        from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


        class Base(DeclarativeBase):
            pass


        class User(Base):
            __tablename__ = "user_account"

            id: Mapped[int] = mapped_column(primary_key=True)
            name: Mapped[str] = mapped_column(String(30))
            fullname: Mapped[Optional[str]]
            email: Mapped[str] = mapped_column("email_address", String(120))
            nick: Mapped[str] = mapped_column(String, name="nickname")
            addresses: Mapped[List["Address"]] = relationship(back_populates="user")

            def greet(self) -> str:
                return self.name


        class Address(Base):
            __tablename__ = "address"

            id: Mapped[int] = mapped_column(primary_key=True)
            user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
            user: Mapped["User"] = relationship(back_populates="addresses")
            owner: Mapped[User | None] = relationship()
        """
    )
    assert found["Base"] == OrmClass("Base", 6, ("DeclarativeBase",))
    assert found["User"] == OrmClass(
        name="User",
        line=10,
        bases=("Base",),
        tablename=T("user_account", 11),
        columns=(
            C("id", None, 13),
            C("name", None, 14),
            C("fullname", None, 15),
            C("email", "email_address", 16),
            C("nick", "nickname", 17),
        ),
        relationships=(("Address", 18),),
    )
    assert found["Address"] == OrmClass(
        name="Address",
        line=24,
        bases=("Base",),
        tablename=T("address", 25),
        columns=(C("id", None, 27), C("user_id", None, 28, "user_account.id")),
        relationships=(("User", 29), ("User", 30)),
    )


def test_classic_columns_name_overrides_and_foreign_keys() -> None:
    (cls,) = orm(
        """
        import sqlalchemy as sa
        from sqlalchemy import Column, ForeignKey, Integer, String

        class Order(Base):
            __tablename__ = "orders"
            id = Column(Integer, primary_key=True)
            code = Column("order_code", String(10))
            label = sa.Column(String, name="order_label")
            user_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
            org_id = sa.Column(sa.ForeignKey("auth.orgs.id"))
            a = b = Column(Integer)
        """
    ).classes
    assert cls == OrmClass(
        name="Order",
        line=4,
        bases=("Base",),
        tablename=T("orders", 5),
        columns=(
            C("id", None, 6),
            C("code", "order_code", 7),
            C("label", "order_label", 8),
            C("user_id", None, 9, "users.id"),
            C("org_id", None, 10, "auth.orgs.id"),
            C("a", None, 11),
            C("b", None, 11),
        ),
    )


def test_things_that_are_not_columns() -> None:
    (_, cls) = orm(
        """
        from sqlalchemy.ext.hybrid import hybrid_property
        from sqlalchemy.orm import backref, column_property, relationship, synonym

        class Base: ...
        class User(Base):
            __tablename__ = "users"
            __mapper_args__ = {"polymorphic_on": "type"}
            id = Column(Integer, primary_key=True)
            first = Column(String)
            full = column_property(first + " x")
            alias = synonym("first")
            parent = relationship("Parent", backref=backref("children"))
            x: Mapped[int] = column_property(select(1).scalar_subquery())
            counter = 0
            note: str = "plain attribute, not SQLModel"
            kind: ClassVar[Mapped[int]]

            @hybrid_property
            def upper(self):
                return self.first.upper()

            def method(self):
                return Column(Integer)
        """
    ).classes
    assert cls.columns == (C("id", None, 8), C("first", None, 9))
    assert cls.relationships == (("Parent", 12),)


def test_relationship_targets() -> None:
    (cls,) = orm(
        """
        class Parent(Base):
            __tablename__ = "parent"
            a = relationship("Child")
            b = relationship(Child, lazy="joined")
            c = relationship(lambda: models.Child)
            d = relationship("app.models.Child", uselist=False)
            e: Mapped[list["Child"]] = relationship()
            f: Mapped["Child"] = relationship()
            g: Mapped[Child | None] = relationship()
            h: Mapped[Optional["Child"]] = relationship()
            i: Mapped[dict[str, "Child"]] = relationship(collection_class=attribute_keyed_dict("k"))
            j: "Mapped[List['Child']]" = relationship()
            k: WriteOnlyMapped["Child"] = relationship()
            m = db.relationship("Child", secondary=tags)
            n = relationship(argument="Child")
            o: Mapped[Set[Child]] = relationship()
        """
    ).classes
    assert cls.columns == ()
    assert cls.relationships == (
        ("Child", 3),
        ("Child", 4),
        ("models.Child", 5),
        ("app.models.Child", 6),
        ("Child", 7),
        ("Child", 8),
        ("Child", 9),
        ("Child", 10),
        ("Child", 11),
        ("Child", 12),
        ("Child", 13),
        ("Child", 14),
        ("Child", 15),
        ("Child", 16),
    )


def test_declared_attr_tablename_literal_and_expression() -> None:
    found = classes(
        """
        import sqlalchemy as sa
        from sqlalchemy.orm import declared_attr

        class Named:
            @declared_attr.directive
            def __tablename__(cls) -> str:
                return cls.__name__.lower()

        class Fixed(Base):
            @declared_attr
            def __tablename__(cls):
                return "fixed_things"

        class Qualified(Base):
            @sa.orm.declared_attr
            def __tablename__(cls):
                return f"t_{cls.__name__}"

            @declared_attr
            def __table_args__(cls):
                return {"schema": "audit"}

            @declared_attr
            def owner_id(cls):
                return Column(Integer, ForeignKey("users.id"))

            @declared_attr
            def owner(cls):
                return relationship("User")

        class NotDeclared(Base):
            def __tablename__(cls):
                return "ignored"
        """
    )
    assert found["Named"] == OrmClass("Named", 4, (), tablename_expr="cls.__name__.lower()")
    assert found["Fixed"].tablename == T("fixed_things", 12)
    assert found["Fixed"].tablename_expr == '"fixed_things"'
    assert found["Qualified"].tablename is None
    assert found["Qualified"].tablename_expr == 'f"t_{cls.__name__}"'
    assert found["Qualified"].schema == "audit"
    assert found["Qualified"].columns == (C("owner_id", None, 24, "users.id"),)
    assert found["Qualified"].relationships == (("User", 28),)
    assert found["NotDeclared"].tablename is None
    assert found["NotDeclared"].tablename_expr is None


def test_tablename_from_constants_and_fstrings() -> None:
    found = classes(
        """
        from app.names import PREFIX, USERS

        class A(Base):
            __tablename__ = USERS

        class B(Base):
            __tablename__ = f"{PREFIX}_b"

        class C(Base):
            __tablename__ = "c_" + names.SUFFIX

        class D(Base):
            __tablename__: ClassVar[str] = "d"

        class E(A):
            __tablename__ = None
        """
    )
    assert found["A"].tablename == (Hole("USERS", "USERS", 4, "argument"),)
    assert found["B"].tablename == (Hole("PREFIX", "PREFIX", 7, "fstring"), Literal("_b", 7))
    assert found["C"].tablename == (
        Literal("c_", 10),
        Hole("names.SUFFIX", "names.SUFFIX", 10, "concat"),
    )
    assert found["D"].tablename == T("d", 13)
    assert found["E"].tablename is None


def test_mixins_abstract_and_single_table_inheritance() -> None:
    found = classes(
        """
        class TimestampMixin:
            created_at: Mapped[datetime] = mapped_column(server_default=func.now())
            updated_at = Column(DateTime)

        class AbstractBase(Base):
            __abstract__ = True
            id: Mapped[int] = mapped_column(primary_key=True)

        class Employee(TimestampMixin, AbstractBase):
            __tablename__ = "employee"
            type = Column(String(50))
            __mapper_args__ = {"polymorphic_on": type, "polymorphic_identity": "employee"}

        class Manager(Employee):
            manager_name = Column(String(30))
            __mapper_args__ = {"polymorphic_identity": "manager"}

        class NotAbstract(Base):
            __abstract__ = False
        """
    )
    assert found["TimestampMixin"] == OrmClass(
        "TimestampMixin", 1, (), columns=(C("created_at", None, 2), C("updated_at", None, 3))
    )
    assert found["AbstractBase"] == OrmClass(
        "AbstractBase", 5, ("Base",), abstract=True, columns=(C("id", None, 7),)
    )
    assert found["Employee"] == OrmClass(
        "Employee",
        9,
        ("TimestampMixin", "AbstractBase"),
        tablename=T("employee", 10),
        columns=(C("type", None, 11),),
    )
    assert found["Manager"] == OrmClass(
        "Manager", 14, ("Employee",), columns=(C("manager_name", None, 15),)
    )
    assert found["NotAbstract"].abstract is False


def test_table_dunder_and_table_args() -> None:
    found = classes(
        """
        class A(Base):
            __table__ = Table(
                "a_table",
                Base.metadata,
                Column("id", Integer, primary_key=True),
                Column("b_id", ForeignKey("b.id")),
                schema="s1",
            )

        class B(Base):
            __table__ = b_table

        class C(Base):
            __table__ = tables.c_table

        class D(Base):
            __tablename__ = "d"
            __table_args__ = {"schema": "s2", "comment": "x"}

        class E(Base):
            __tablename__ = "e"
            __table_args__ = (UniqueConstraint("a"), Index("ix", "b"), {"schema": "s3"})

        class F(Base):
            __tablename__ = "f"
            __table_args__ = (UniqueConstraint("a"),)

        class G(Base):
            __tablename__ = "g"
            __table_args__ = dict(schema="s4")
        """
    )
    assert found["A"].table == OrmTable(
        variable="__table__",
        name=T("a_table", 3),
        line=2,
        schema="s1",
        columns=(C(None, "id", 5), C(None, "b_id", 6, "b.id")),
        metadata="Base.metadata",
    )
    assert found["A"].tablename is None
    assert found["B"].table is None
    assert found["B"].table_ref == "b_table"
    assert found["C"].table_ref == "tables.c_table"
    assert found["D"].schema == "s2"
    assert found["E"].schema == "s3"
    assert found["F"].schema is None
    assert found["G"].schema == "s4"
    # a class's __table__ is not also a module-level table
    assert (
        orm("class A(Base):\n    __table__ = Table('a', md, Column('x', Integer))\n").tables == []
    )


def test_flask_sqlalchemy_models() -> None:
    facts = orm(
        """
        from flask_sqlalchemy import SQLAlchemy

        db = SQLAlchemy()

        class User(db.Model):
            __tablename__ = "users"
            id = db.Column(db.Integer, primary_key=True)
            email = db.Column("email_address", db.String(120), unique=True)
            posts = db.relationship("Post", backref="author", lazy=True)

        class Post(db.Model):
            id = db.Column(db.Integer, primary_key=True)
            author_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)

        tags = db.Table(
            "tags",
            db.Column("tag_id", db.Integer, db.ForeignKey("tag.id")),
            db.Column("post_id", db.Integer),
        )
        """
    )
    assert facts.bases == [OrmBaseFactory("db", "flask_sqlalchemy", 3)]
    user, post = facts.classes
    assert user == OrmClass(
        "User",
        5,
        ("db.Model",),
        tablename=T("users", 6),
        columns=(C("id", None, 7), C("email", "email_address", 8)),
        relationships=(("Post", 9),),
        backrefs=(("Post", 9),),  # `backref="author"`: Post gets a relationship back
    )
    assert post == OrmClass(
        "Post",
        11,
        ("db.Model",),
        columns=(C("id", None, 12), C("author_id", None, 13, "users.id")),
    )
    assert facts.tables == [
        OrmTable(
            variable="tags",
            name=T("tags", 16),
            line=15,
            columns=(C(None, "tag_id", 17, "tag.id"), C(None, "post_id", 18)),
            metadata="db",  # Flask-SQLAlchemy's db.Table passes db's MetaData itself
        )
    ]
    assert facts.references == []  # db.* is the factory, not a model or table


def test_sqlmodel_table_classes() -> None:
    found = classes(
        """
        from typing import ClassVar, Optional
        from sqlmodel import Column, Field, Relationship, SQLModel, String

        class Team(SQLModel, table=True):
            id: Optional[int] = Field(default=None, primary_key=True)
            name: str = Field(index=True)
            headquarters: str
            heroes: list["Hero"] = Relationship(back_populates="team")

        class HeroBase(SQLModel):
            secret_name: str

        class Hero(HeroBase, table=True):
            __tablename__ = "heroes"
            id: int | None = Field(default=None, primary_key=True)
            age: int | None = None
            team_id: int | None = Field(default=None, foreign_key="team.id")
            team: Team | None = Relationship(back_populates="heroes")
            kind: ClassVar[str] = "hero"
            _cache: dict = {}
            legacy: str = Field(sa_column=Column("legacy_name", String))

        class HeroRead(HeroBase):
            id: int
        """
    )
    assert found["Team"] == OrmClass(
        "Team",
        4,
        ("SQLModel",),
        keywords=(("table", "True"),),
        columns=(C("id", None, 5), C("name", None, 6), C("headquarters", None, 7)),
        relationships=(("Hero", 8),),
    )
    # a plain SQLModel base: its fields become columns of its table=True subclasses
    assert found["HeroBase"].columns == (C("secret_name", None, 11),)
    assert found["Hero"] == OrmClass(
        "Hero",
        13,
        ("HeroBase",),
        keywords=(("table", "True"),),
        tablename=T("heroes", 14),
        columns=(
            C("id", None, 15),
            C("age", None, 16),
            C("team_id", None, 17, "team.id"),
            C("legacy", "legacy_name", 21),
        ),
        relationships=(("Team", 18),),
    )
    assert found["HeroRead"].columns == ()  # neither table=True nor a direct SQLModel


def test_class_shapes_bases_keywords_decorators_nesting() -> None:
    found = classes(
        """
        @as_declarative()
        class Base:
            pass

        @mapper_registry.mapped
        @dataclass
        class Item(Generic[T], models.Base, metaclass=Meta, table=True):
            pass

        def factory():
            class Local(Base):
                __tablename__ = "local"

            return Local

        class Outer:
            class Inner(Base):
                __tablename__ = "inner"

        class Short(Base): __tablename__ = "short"
        """
    )
    assert found["Base"] == OrmClass("Base", 2, (), decorators=("as_declarative",))
    assert found["Item"] == OrmClass(
        "Item",
        7,
        ("Generic", "models.Base"),
        keywords=(("metaclass", "Meta"), ("table", "True")),
        decorators=("mapper_registry.mapped", "dataclass"),
    )
    assert found["Local"] == OrmClass("Local", 11, ("Base",), tablename=T("local", 12), nested=True)
    assert found["Outer"].nested is False
    assert found["Inner"] == OrmClass("Inner", 17, ("Base",), tablename=T("inner", 18), nested=True)
    assert found["Short"].tablename == T("short", 20)


def test_module_level_tables() -> None:
    facts = orm(
        """
        import sqlalchemy
        import sqlalchemy as sa
        from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, column, sql, table
        from app.names import SUFFIX, TABLE_NAME

        metadata = MetaData()
        users = Table(
            "users",
            metadata,
            Column("id", Integer, primary_key=True),
            Column("org_id", ForeignKey("orgs.id")),
            schema="auth",
        )
        orgs = sa.Table("orgs", metadata, sa.Column("id", sa.Integer))
        logs = sqlalchemy.Table(f"logs_{SUFFIX}", metadata)
        reflected = Table(TABLE_NAME, metadata, autoload_with=engine)
        light = table("light", column("a"), column("b"))
        light2 = sa.table("light2", sa.column("x"), schema="s")
        light3 = sql.table("light3")
        Table("unassigned", metadata, Column("x", Integer))
        register(Table("passed", metadata))

        def make():
            t = Table("in_function", metadata)
            return t

        class Holder:
            assoc = Table("assoc", metadata)
        """
    )
    assert facts.tables == [
        OrmTable(
            "users",
            T("users", 8),
            7,
            schema="auth",
            columns=(C(None, "id", 10), C(None, "org_id", 11, "orgs.id")),
            metadata="metadata",
        ),
        OrmTable("orgs", T("orgs", 14), 14, columns=(C(None, "id", 14),), metadata="metadata"),
        OrmTable(
            "logs",
            (Literal("logs_", 15), Hole("SUFFIX", "SUFFIX", 15, "fstring")),
            15,
            metadata="metadata",
        ),
        OrmTable(  # autoload_with: read from the database, declares nothing
            "reflected",
            (Hole("TABLE_NAME", "TABLE_NAME", 16, "argument"),),
            16,
            metadata="metadata",
            reflected=True,
        ),
        OrmTable(
            "light",
            T("light", 17),
            17,
            columns=(C(None, "a", 17), C(None, "b", 17)),
            lightweight=True,
        ),
        OrmTable(
            "light2", T("light2", 18), 18, schema="s", columns=(C(None, "x", 18),), lightweight=True
        ),
        OrmTable("light3", T("light3", 19), 19, lightweight=True),
        OrmTable(None, T("unassigned", 20), 20, columns=(C(None, "x", 20),), metadata="metadata"),
        OrmTable(None, T("passed", 21), 21, metadata="metadata"),
        OrmTable(None, T("in_function", 24), 24, metadata="metadata"),
        OrmTable("assoc", T("assoc", 28), 28, metadata="metadata"),
    ]
    # a module-level MetaData is what its tables belong to (create_all builds them)
    assert facts.bases == [OrmBaseFactory("metadata", "metadata", 6)]


def test_table_look_alikes() -> None:
    facts = orm(
        """
        from rich.table import Table
        from tabulate import table

        report = Table("Name", "Size")
        summary = Table("Only a title")
        grid = table("x", rows)
        text = table("x")
        """
    )
    assert facts.tables == []


def test_a_table_class_of_a_project_module_is_no_sqlalchemy_table() -> None:
    """`from app.lib.table import Table; Table(rows, columns, transpose=True)`: a class of the
    project (an HTML table), not SQLAlchemy's (it had been an unnamed table, hedging every
    dead-table). One re-exported from the project still reads when it names its table or
    holds columns."""
    facts = orm(
        """
        import sqlalchemy as sa
        from app.lib.table import Table
        from app.db import Column, metadata

        grid = Table(rows, getattr(rows[0], "fields", []), transpose=True)
        links = Table("links", metadata)
        named = Table(name, metadata, Column("id", sa.Integer))
        """
    )
    assert [(t.variable, t.line) for t in facts.tables] == [("links", 6), ("named", 7)]


def test_a_widget_table_is_no_sqlalchemy_table() -> None:
    """`Gtk.Table(3, 2)` (a GTK layout) and `ui.Table(rows, columns)` of a module imported
    from another library: not SQLAlchemy's, whose first argument is the table's name (they
    had been unnamed tables, an `orm-dynamic-tablename` diagnostic); `models.Table("x",
    metadata)` of a project module still is one."""
    facts = orm(
        """
        import sqlalchemy as sa
        from gi.repository import Gtk
        from toolkit import ui
        from app import models

        layout = Gtk.Table(3, 2)
        grid = ui.Table(rows, columns)
        audit = models.Table("audit", models.metadata, sa.Column("id", sa.Integer))
        """
    )
    assert [(t.variable, t.line) for t in facts.tables] == [("audit", 8)]


def test_base_factories() -> None:
    facts = orm(
        """
        import flask_sqlalchemy
        import sqlalchemy
        import sqlalchemy as sa
        from flask_sqlalchemy import SQLAlchemy
        from sqlalchemy.orm import declarative_base, registry

        Base = declarative_base()
        Base2 = sa.orm.declarative_base(metadata=md)
        Base3 = sqlalchemy.ext.declarative.declarative_base()
        db = SQLAlchemy()
        db2 = flask_sqlalchemy.SQLAlchemy(app)
        mapper_registry = registry()
        Base4 = registry().generate_base()
        Base5 = mapper_registry.generate_base()
        engine = sa.create_engine(url)
        Base6 = registry(metadata=shared.md).generate_base()
        """
    )
    assert facts.bases == [
        OrmBaseFactory("Base", "declarative_base", 7),
        OrmBaseFactory("Base2", "declarative_base", 8, metadata="md"),
        OrmBaseFactory("Base3", "declarative_base", 9),
        OrmBaseFactory("db", "flask_sqlalchemy", 10),
        OrmBaseFactory("db2", "flask_sqlalchemy", 11),
        OrmBaseFactory("mapper_registry", "registry_object", 12),
        OrmBaseFactory("Base4", "registry", 13),
        OrmBaseFactory("Base5", "registry", 14, metadata="mapper_registry"),
        OrmBaseFactory("Base6", "registry", 16, metadata="shared.md"),
    ]
    assert facts.tables == []
    assert facts.references == []


def test_metadata_of_a_base_and_create_all_calls() -> None:
    facts = orm(
        """
        import sqlalchemy as sa
        from sqlalchemy.orm import DeclarativeBase
        from app.shared import shared_md

        class Own(DeclarativeBase):
            metadata = sa.MetaData(schema="billing")

        class Shared(DeclarativeBase):
            metadata = shared_md

        async def init(engine, db, tables):
            async with engine.begin() as conn:
                await conn.run_sync(Own.metadata.create_all)
            Shared.metadata.create_all(engine, tables=[Shared.metadata.tables["a"], orders])
            db.create_all()
            self.md.create_all(engine, tables=tables)
            Own.metadata.drop_all(engine)
        """
    )
    assert [(c.name, c.metadata) for c in facts.classes] == [("Own", ""), ("Shared", "shared_md")]
    # each with the other calls of its function (one of them might stamp Alembic)
    others = ("Own.metadata.drop_all", "conn.run_sync", "engine.begin")
    assert facts.create_all == [
        CreateAllCall(
            "Own.metadata", 13, "conn.run_sync(Own.metadata.create_all)",
            nearby=("Own.metadata.drop_all", "engine.begin"), function="init",
        ),
        CreateAllCall(
            "Shared.metadata",
            14,
            'Shared.metadata.create_all(engine, tables=[Shared.metadata.tables["a"], orders])',
            ("?", "orders"),
            others,
            function="init",
        ),
        CreateAllCall("db", 15, "db.create_all()", nearby=others, function="init"),
        CreateAllCall(
            "self.md", 16, "self.md.create_all(engine, tables=tables)", ("?",), others,
            function="init",
        ),
    ]


# ============================================================================================
# Uses
# ============================================================================================


def test_select_forms() -> None:
    assert uses(
        """
        select(User)
        select(User.id, User.name)
        sa.select(models.User)
        select(users.c.id, app.tables.orders)
        db.select(Address)
        select(users).where(users.c.id == 1)
        exists(User)
        select([users.c.id, Address])
        """
    ) == sorted(
        [
            R("User", 8, "read", "select"),
            R("User", 9, "read", "select"),
            R("models.User", 10, "read", "select"),
            R("users", 11, "read", "select"),
            R("app.tables.orders", 11, "read", "select"),
            R("Address", 12, "read", "select"),
            R("users", 13, "read", "select"),
            R("users", 13, "read", "attribute"),
            R("User", 14, "read", "exists"),
            R("users", 15, "read", "select"),
            R("Address", 15, "read", "select"),
        ]
    )


def test_session_reads() -> None:
    assert uses(
        """
        session.query(User)
        session.query(User.name, Address)
        session.get(User, 1)
        db.session.get(Address, 1)
        db.get_or_404(User, 1)
        session.scalars(select(User))
        db.session.execute(db.select(Address).join(User))
        session.query(User).outerjoin(Address, User.id == Address.user_id)
        aliased(User)
        with_polymorphic(User, [Address])
        select(User).select_from(Address)
        users.join(app.tables.orders)
        """
    ) == sorted(
        [
            R("User", 8, "read", "query"),
            R("User", 9, "read", "query"),
            R("Address", 9, "read", "query"),
            R("User", 10, "read", "get"),
            R("Address", 11, "read", "get"),
            R("User", 12, "read", "get"),
            R("User", 13, "read", "select"),
            R("Address", 14, "read", "select"),
            R("User", 14, "read", "join"),
            R("User", 15, "read", "query"),
            R("Address", 15, "read", "join"),
            R("User", 15, "read", "attribute"),
            R("Address", 15, "read", "attribute"),
            R("User", 16, "read", "aliased"),
            R("User", 17, "read", "with_polymorphic"),
            R("Address", 17, "read", "with_polymorphic"),
            R("User", 18, "read", "select"),
            R("Address", 18, "read", "select_from"),
            R("users", 19, "read", "table_method"),
            R("app.tables.orders", 19, "read", "join"),
        ]
    )


def test_attributes_query_property_and_table_methods() -> None:
    assert uses(
        """
        User.query.filter_by(name="x").first()
        models.User.query.get(1)
        User.name == "x"
        order_by(User.name.desc())
        users.select()
        users.c.id
        app.tables.orders.c.total
        User.__table__
        """
    ) == sorted(
        [
            R("User", 8, "read", "query_property"),
            R("models.User", 9, "read", "query_property"),
            R("User", 10, "read", "attribute"),
            R("User", 11, "read", "attribute"),
            R("users", 12, "read", "table_method"),
            R("users", 13, "read", "attribute"),
            R("app.tables.orders", 14, "read", "attribute"),
            # `User.__table__` (line 15) names the table for SQL or a migration: not a use
        ]
    )


def test_writes() -> None:
    assert uses(
        """
        insert(User)
        sa.insert(users).values(id=1)
        update(User).where(User.id == 1)
        delete(models.User)
        users.insert()
        users.update().where(users.c.id == 1)
        users.delete()
        conn.execute(app.tables.orders.insert(), rows)
        db.update(Address)
        """
    ) == sorted(
        [
            R("User", 8, "write", "insert"),
            R("users", 9, "write", "insert"),
            R("User", 10, "write", "update"),
            R("User", 10, "read", "attribute"),
            R("models.User", 11, "write", "delete"),
            R("users", 12, "write", "table_method"),
            R("users", 13, "write", "table_method"),
            R("users", 13, "read", "attribute"),
            R("users", 14, "write", "table_method"),
            R("app.tables.orders", 15, "write", "table_method"),
            R("Address", 16, "write", "update"),
        ]
    )


def test_session_writes() -> None:
    assert uses(
        """
        session.add(User(name="x"))
        session.add_all([User(), Address()])
        session.add_all(Address(n=n) for n in names)
        session.merge(models.User(id=1))
        session.bulk_save_objects([Address()])
        session.bulk_insert_mappings(User, rows)
        session.bulk_update_mappings(Address, rows)
        db.session.add(models.Address())
        """
    ) == sorted(
        [
            R("User", 8, "write", "add"),
            R("User", 9, "write", "add_all"),
            R("Address", 9, "write", "add_all"),
            R("Address", 10, "write", "add_all"),
            R("models.User", 11, "write", "merge"),
            R("Address", 12, "write", "bulk_save_objects"),
            R("User", 13, "write", "bulk_insert_mappings"),
            R("Address", 14, "write", "bulk_update_mappings"),
            R("models.Address", 15, "write", "add"),
        ]
    )


def test_query_delete_and_update() -> None:
    assert uses(
        """
        User.query.filter(User.id == 1).delete()
        session.query(User).filter_by(id=1).update({"name": "x"})
        db.session.query(Address).delete()
        models.User.query.delete(synchronize_session=False)
        session.query(User).filter(x).update(values)
        session.query(User).filter(x).all()
        """
    ) == sorted(
        [
            R("User", 8, "write", "query_delete"),
            R("User", 8, "read", "query_property"),
            R("User", 8, "read", "attribute"),
            R("User", 9, "write", "query_update"),
            R("User", 9, "read", "query"),
            R("Address", 10, "write", "query_delete"),
            R("Address", 10, "read", "query"),
            R("models.User", 11, "write", "query_delete"),
            R("models.User", 11, "read", "query_property"),
            R("User", 12, "write", "query_update"),
            R("User", 12, "read", "query"),
            R("User", 13, "read", "query"),
        ]
    )


def test_constructors_and_plain_arguments() -> None:
    assert uses(
        """
        u = User(name="x")
        a = models.Address()
        rows = [User, Address]
        register(users)
        getattr(User, "name")
        helper = models.make_user()
        """
    ) == sorted(
        [
            R("User", 8, "write", "constructor", "low"),
            R("models.Address", 9, "write", "constructor", "low"),
            R("User", 10, "read", "argument", "low"),
            R("Address", 10, "read", "argument", "low"),
            R("users", 11, "read", "argument", "low"),
            R("User", 12, "read", "argument", "low"),
        ]
    )


def test_one_reference_per_name_line_kind_and_context() -> None:
    assert uses("select(User, User.id).where(User.id == User.id)\n") == [
        R("User", 8, "read", "attribute"),
        R("User", 8, "read", "select"),
    ]


def test_line_is_the_line_of_the_name() -> None:
    assert uses(
        """
        q = (
            session.query(
                User
            )
            .filter(
                models.User.id
                == 1
            )
        )
        """
    ) == [R("User", 10, "read", "query"), R("models.User", 13, "read", "attribute")]


def test_import_forms_and_locally_defined_names() -> None:
    facts = orm(
        """
        import app.models
        import app.models as m
        from .models import Account
        from ..tables import ledger

        class Local:
            pass

        local_table = Table("local_table", metadata, Column("id", Integer))

        app.models.User.query.all()
        m.User()
        Account.id
        ledger.insert()
        Local()
        select(local_table)
        """
    )
    assert [(r.name, r.line, r.kind, r.context, r.confidence) for r in facts.references] == [
        R("app.models.User", 11, "read", "query_property"),
        R("m.User", 12, "write", "constructor", "low"),
        R("Account", 13, "read", "attribute"),
        R("ledger", 14, "write", "table_method"),
        R("Local", 15, "write", "constructor", "low"),
        R("local_table", 16, "read", "select"),
    ]


def test_names_a_project_star_import_may_provide() -> None:
    facts = orm(
        """
        from app.models import *
        from sqlalchemy import select

        LIMIT = 10

        def helper(x):
            return x

        def f(session, obj, Model):
            select(User).limit(LIMIT)
            users_table.insert()
            session.add(Address(x=1))
            value = helper(obj)
            row.name, row.c
            Model.query.all()
            raise ValueError(None, True)
        """
    )
    assert [(r.name, r.line, r.kind, r.context, r.confidence) for r in facts.references] == [
        R("User", 10, "read", "select"),
        R("users_table", 11, "write", "table_method"),
        R("Address", 12, "write", "add"),
        R("row", 14, "read", "attribute"),
    ]


def test_enclosing_function_qualnames() -> None:
    facts = orm(
        """
        from app.models import User

        select(User)

        def top():
            def inner():
                return select(User)
            return inner

        class Repo:
            def get(self, session):
                return session.get(User, 1)

            fetch = lambda self: select(User)
        """
    )
    assert [(r.line, r.function) for r in facts.references] == [
        (3, None),
        (7, "top.inner"),
        (12, "Repo.get"),
        (14, None),
    ]
    assert all(isinstance(r, OrmReference) for r in facts.references)


def test_model_class_bodies_are_not_uses_but_their_methods_are() -> None:
    facts = orm(
        """
        from app.models import Address, Base, User

        class Order(Base):
            __tablename__ = "orders"
            user = relationship(User)
            total = column_property(select(Address.id).scalar_subquery())
            __table_args__ = (ForeignKeyConstraint([User.id], ["x"]),)

            class Meta:
                model = User

            @validates("user")
            def check(self, key, value):
                return User.query.get(value)

        class Plain:
            model = User
        """
    )
    assert [(r.name, r.line, r.kind, r.context, r.function) for r in facts.references] == [
        ("User", 14, "read", "query_property", "Order.check"),
        ("User", 17, "read", "argument", None),
    ]
    assert facts.references[1].confidence == "low"


# ---- look-alikes ---------------------------------------------------------------------------


def test_annotations_are_not_uses() -> None:
    assert (
        orm(
            """
            from typing import Optional
            from sqlalchemy.orm import Mapped, Session
            from app.models import User

            def f(u: User, s: Session, users: list[User] = None) -> Optional[User]:
                x: Mapped[User]
                items: list[User] = []
                other: "User" = None
                return cast("User", u)

            Alias = Optional[User]
            """
        ).references
        == []
    )


def test_isinstance_strings_and_unbound_names_are_not_uses() -> None:
    assert (
        orm(
            """
            from app.models import User

            Customer = make_model("customer")

            def f(obj):
                if isinstance(obj, User) or issubclass(type(obj), (User,)):
                    pass
                name = "User"
                sql = f"SELECT * FROM User WHERE id = {obj}"
                Customer()
                Customer.query.all()
                user = obj
                return user.name

            __all__ = ["User"]
            """
        ).references
        == []
    )


def test_a_parameter_named_like_a_receiver_or_shadowing_a_model() -> None:
    assert (
        orm(
            """
            from app.db import session
            from app.models import User
            from sqlalchemy.orm import Session

            def f(session: Session, obj):
                session.add(obj)
                session.query(thing).all()

            def g(User):
                return User.query.all()

            h = lambda User: User()
            """
        ).references
        == []
    )


def test_imports_only() -> None:
    facts = orm(
        """
        from app.models import Address, User
        import app.tables
        from app.tables import *
        """
    )
    assert facts == OrmFacts()


def test_stdlib_and_library_imports_bind_nothing() -> None:
    assert (
        orm(
            """
            import os
            from datetime import datetime
            from sqlalchemy import Table
            from sqlalchemy.orm import Session

            def f(session: Session):
                os.path.join(datetime.now().isoformat())
                return Session(bind=engine)
            """
        ).references
        == []
    )


# ============================================================================================
# Integration and robustness
# ============================================================================================


def test_no_orm_facts_for_unparsable_or_irrelevant_files() -> None:
    facts = extract_python("pkg/mod.py", b"class A(:\n", "pkg.mod")
    assert facts.problems and facts.orm == OrmFacts()
    assert orm("X = 1\n\ndef f():\n    return X\n") == OrmFacts()
    assert orm("") == OrmFacts()


def _read(parsed: ParsedModule) -> OrmFacts:
    model = walk_module(parsed)
    return read_sqlalchemy(parsed, TemplateBuilder(parsed, Translator(parsed, model)), model.module)


def test_read_sqlalchemy_never_raises() -> None:
    parsed = parse_module("m.py", "m", b"from app.models import User\nselect(User)\n")
    assert isinstance(parsed, ParsedModule)
    assert _read(parsed).references == [OrmReference("User", 2, "read", "select")]
    broken = ParsedModule(parsed.path, parsed.module, parsed.tree, {})
    assert isinstance(
        read_sqlalchemy(broken, TemplateBuilder(broken, Translator(broken, walk_module(parsed))),
                        walk_module(parsed).module),
        OrmFacts,
    )  # broken metadata: partial facts
    deep = parse_module(
        # (an argument: `x = (((User)))` would be an alias, which names the model only)
        "m.py", "m",
        ("from m import User\nprint(" + "(" * 200 + "User" + ")" * 200 + ")\n").encode(),
    )
    assert isinstance(deep, ParsedModule)
    assert _read(deep).references == [OrmReference("User", 2, "read", "argument", "low")]


def test_a_decorators_metadata_keyword_is_the_class_metadata() -> None:
    """`@as_declarative(metadata=Base.metadata)`: the MetaData the base's models join, as
    `metadata = ...` in the body says it; the body's own still wins."""
    found = classes(
        """
        def plugin_base(plugin):
            @as_declarative(metadata=Base.metadata)
            class PluginBase:
                _plugin = plugin

            return PluginBase

        @as_declarative(metadata=shared)
        class Own:
            metadata = MetaData()
        """
    )
    assert found["PluginBase"] == OrmClass(
        "PluginBase", 3, (), decorators=("as_declarative",), nested=True,
        metadata="Base.metadata", unread=("_plugin",),
    )
    assert found["Own"].metadata == ""
