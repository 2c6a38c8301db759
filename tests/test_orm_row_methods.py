"""A model base of the repository's own whose methods write the row through the session
(`Asset.create(...)`, `asset.update(data)`, `budget.delete()`, `budget.save()`): each call is
a write of the model's table, where a method of that name that writes nothing (or a dict's
`update`) is none; and a row a function of the repository returns, deleted by the
caller. SQLAlchemy, running the samples on SQLite, issues the statement each call is said
to."""

from __future__ import annotations

import importlib

from analyzer import scan
from tests.conftest import MakeRepo, importable
from tests.test_orm import statements_run

MODELS = '''\
from sqlalchemy import Column, Integer, String, create_engine
from sqlalchemy.orm import DeclarativeBase, Session

engine = create_engine("sqlite://")
session = Session(engine)


class Base(DeclarativeBase):
    pass


class BaseMixin:
    @classmethod
    def create(cls, **kw):
        instance = cls.create_no_commit(**kw)
        session.commit()
        return instance

    @classmethod
    def create_no_commit(cls, **kw):
        instance = cls(**kw)
        session.add(instance)
        return instance

    @classmethod
    def delete_all_by(cls, **kw):
        count = session.query(cls).filter_by(**kw).delete()
        session.commit()
        return count

    def save(self):
        session.add(self)
        session.commit()

    def update(self, data):
        for key, value in data.items():
            setattr(self, key, value)
        self.save()

    def delete(self):
        session.delete(self)
        session.commit()


class Asset(BaseMixin, Base):
    __tablename__ = "asset"
    id = Column(Integer, primary_key=True)
    name = Column(String)


class Budget(BaseMixin, Base):
    __tablename__ = "budget"
    id = Column(Integer, primary_key=True)
    amount = Column(Integer)
'''

SERVICES = '''\
from app.models import Asset, Budget, session


def new_asset(name):
    return Asset.create(name=name)


def rename(asset_id, name):
    asset = session.get(Asset, asset_id)
    asset.update({"name": name})


def drop_budget(budget_id):
    budget = session.query(Budget).filter_by(id=budget_id).first()
    budget.delete()


def new_budget(amount):
    budget = Budget(amount=amount)
    budget.save()
    return budget


def purge(name):
    return Asset.delete_all_by(name=name)


def settings(options):
    options.update({"theme": "dark"})
    return options
'''

FILES: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/models.py": MODELS,
    "app/services.py": SERVICES,
}


def test_a_model_bases_own_write_methods_are_writes(make_repo: MakeRepo) -> None:
    report = scan(make_repo(FILES))
    uses = sorted(
        (t.name, u.line, u.kind, u.operation)
        for t in report.tables for u in t.uses if u.path == "app/services.py"
    )
    assert uses == [
        ("asset", 5, "write", "create"),
        ("asset", 9, "read", "get"),
        ("asset", 10, "write", "update"),
        ("asset", 25, "write", "delete_all_by"),
        ("budget", 14, "read", "query"),
        ("budget", 15, "write", "delete"),
        ("budget", 19, "write", "constructor"),
        ("budget", 20, "write", "save"),
    ]


def test_sqlalchemy_writes_as_said(make_repo: MakeRepo) -> None:
    """Each function of the sample, run on SQLite: the statements it issues."""
    root = make_repo(FILES)
    with importable(root):
        models = importlib.import_module("app.models")
        services = importlib.import_module("app.services")
        models.Base.metadata.create_all(models.engine)
        issued = statements_run(models.engine)
        done = {}
        for call in (
            lambda: services.new_asset("a"),
            lambda: services.rename(1, "b"),
            lambda: services.new_budget(3),
            lambda: services.drop_budget(1),
            lambda: services.purge("b"),
        ):
            issued.clear()
            call()
            done[len(done)] = [
                " ".join(s.split()[:3]) for s in issued if s.split()[0] != "SELECT"
            ]
    assert done == {
        0: ["INSERT INTO asset"],
        1: ["UPDATE asset SET"],
        2: ["INSERT INTO budget"],
        3: ["DELETE FROM budget"],
        4: ["DELETE FROM asset"],
    }
    assert services.settings({}) == {"theme": "dark"}


HELPER_MODELS = '''\
from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


class Tag(Base):
    __tablename__ = "tag"
    id = Column(Integer, primary_key=True)
    name = Column(String)


class Star(Base):
    __tablename__ = "star"
    id = Column(Integer, primary_key=True)
    user = Column(String)
'''

HELPER_QUERIES = '''\
from app.models import Star, Tag


def get_tag(session, name):
    return session.query(Tag).filter_by(name=name).first()


def new_star(user):
    return Star(user=user)


def find(session, model, key):
    return session.get(model, key)


def drop_tag(session, name):
    tag = get_tag(session, name)
    session.delete(tag)


def star(session, user):
    row = new_star(user)
    session.add(row)


def drop_star(session, key):
    row = find(session, Star, key)
    session.delete(row)
'''

HELPER_FILES: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/models.py": HELPER_MODELS,
    "app/queries.py": HELPER_QUERIES,
}


def test_a_row_a_helper_returns_is_the_helpers_model(make_repo: MakeRepo) -> None:
    """`tag = get_tag(session, name)` (a function of the repository returning a query's
    first row), `row = find(session, Star, key)` (returning `session.get(model, key)` for the
    model it is given), then `session.delete(...)`: a delete of that model's table at the
    delete. SQLAlchemy issues both DELETEs on SQLite."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    root = make_repo(HELPER_FILES)
    report = scan(root)
    writes = sorted(
        (t.name, u.line, u.operation)
        for t in report.tables for u in t.uses if u.kind == "write"
    )
    assert writes == [("star", 9, "constructor"), ("star", 28, "delete"), ("tag", 18, "delete")]
    with importable(root):
        models = importlib.import_module("app.models")
        queries = importlib.import_module("app.queries")
        engine = create_engine("sqlite://")
        models.Base.metadata.create_all(engine)
        issued = statements_run(engine)
        with Session(engine) as session:
            session.add_all([models.Tag(id=1, name="a"), models.Star(id=1, user="u")])
            session.flush()
            issued.clear()
            queries.drop_tag(session, "a")
            queries.drop_star(session, 1)
            session.flush()
    assert [" ".join(s.split()[:3]) for s in issued if not s.startswith("SELECT")] == [
        "DELETE FROM tag", "DELETE FROM star"
    ]


SELECTED_QUERIES = '''\
from sqlalchemy import select

from app.models import Star, Tag


def forget(session, key):
    found = session.execute(select(Tag).where(Tag.id == key)).scalar_one_or_none()
    if found:
        session.delete(found)


def rename(session, key, user):
    row = session.scalars(select(Star).filter_by(id=key).limit(1)).first()
    row.user = user


def ids(session):
    first = session.scalars(select(Star.id)).first()
    first.real = 1
    return first
'''


def test_a_row_a_select_statement_returns_is_the_selected_models(make_repo: MakeRepo) -> None:
    """SQLAlchemy 2.0's style: `session.execute(select(Tag)...).scalar_one_or_none()` and
    `session.scalars(select(Star)...).first()` give rows of the model selected first, so
    deleting one or setting its attribute writes that table; a selected column
    (`select(Star.id)`) gives no row of a model. SQLAlchemy issues the DELETE and the UPDATE
    on SQLite."""
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    files = dict(HELPER_FILES, **{"app/queries.py": SELECTED_QUERIES})
    root = make_repo(files)
    report = scan(root)
    uses = sorted(
        (t.name, u.line, u.kind, u.operation)
        for t in report.tables for u in t.uses if u.path == "app/queries.py"
    )
    assert uses == [
        ("star", 13, "read", "select"),
        ("star", 14, "write", "update"),
        ("star", 18, "read", "select"),
        ("tag", 7, "read", "attribute"),
        ("tag", 7, "read", "select"),
        ("tag", 9, "write", "delete"),
    ]
    with importable(root):
        models = importlib.import_module("app.models")
        queries = importlib.import_module("app.queries")
        engine = create_engine("sqlite://")
        models.Base.metadata.create_all(engine)
        issued = statements_run(engine)
        with Session(engine) as session:
            session.add_all([models.Tag(id=1, name="a"), models.Star(id=1, user="u")])
            session.flush()
            issued.clear()
            queries.forget(session, 1)
            queries.rename(session, 1, "v")
            session.flush()
    assert [" ".join(s.split()[:3]) for s in issued if not s.startswith("SELECT")] == [
        "DELETE FROM tag", "UPDATE star SET"  # (the second select flushes the delete)
    ]
