"""TT002 dead-table: a table left in place by some source that no application code uses."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import CREATING_OPERATIONS, nodes_of_kind, operations_on, uses_of
from analyzer.rules.base import (
    Example,
    Rule,
    RuleContext,
    op_location,
    plural,
    use_location,
    where,
)
from analyzer.sql.refs import TEMPORARY_CREATION
from analyzer.status import is_dead

if TYPE_CHECKING:
    from analyzer.models import Finding
    from analyzer.sql.names import TableKey


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        if not is_dead(ctx.graph, node, data):
            continue
        uses = uses_of(ctx.graph, node)
        creates = operations_on(ctx.graph, node, CREATING_OPERATIONS | {"declare"})
        kinds = ", ".join(sorted(data["present_in"]))
        ddl_note = (
            f"; only DDL in application code touches it ({uses[0].path}:{uses[0].line})"
            if uses
            else ""
        )
        origin = f" (defined at {where(creates[0])})" if creates else ""
        doubt = _doubt(ctx) or _accessor_doubt(ctx, data["key"]) or _script_doubt(
            ctx, data["key"]
        )
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display} exists in the final schema of {kinds} sources{origin} "
                f"but no application code reads or writes it{ddl_note}: drop it in a "
                "migration, or add it to ignore_tables if something outside this repository "
                f"uses it{doubt}"
            ),
            locations=[op_location(op) for op in creates]
            + [use_location(use) for use in uses],
            confidence="medium" if doubt else "high",
        )


def _script_doubt(ctx: RuleContext, key: TableKey) -> str:
    """Why "no code uses it" may be wrong: a `.sql` file does a job's work on its rows
    (`INSERT INTO report.annotations SELECT ...`, `REFRESH MATERIALIZED VIEW`), which a
    scheduler or an operator may run (`analysis.script_dml`)."""
    found = ctx.graph.graph.get("script_dml", {}).get(key)
    if found is None:
        return ""
    path, line, verb = found
    return (
        f" (confidence medium: the SQL script {path}:{line} {verb} its rows; if a job or an "
        "operator runs it, the table is in use)"
    )


def _accessor_doubt(ctx: RuleContext, key: TableKey) -> str:
    """Why "no code uses it" may be wrong for this table: a relation accessor of it is read on
    a value of unknown type (`order_line.discounts.create(...)`, `order_line` untyped)."""
    places = ctx.graph.graph.get("maybe_reached", {}).get(key)
    if not places:
        return ""
    path, line, accessor = places[0]
    more = f" and {plural(len(places) - 1, 'other place')}" if len(places) > 1 else ""
    return (
        f" (confidence medium: `.{accessor}` at {path}:{line}{more} may be its relation, on "
        "a value whose model tabletrace cannot tell)"
    )


def _doubt(ctx: RuleContext) -> str:
    """Why "no code uses it" may be wrong: table names tabletrace could not resolve."""
    # a temporary table or view named at run time lives in its session: it uses no table
    # (one per statement: `dynamic-table-name` reports a name written twice in one once)
    dynamic = len({
        (data["use"].path, data["use"].line) for _, data in nodes_of_kind(ctx.graph, "dynamic")
        if data["use"].operation != TEMPORARY_CREATION
    })
    models = ctx.graph.graph.get("unnamed_models", 0)
    lookups = ctx.graph.graph.get("unresolved_lookups", 0)
    reasons = []
    if dynamic:
        reasons.append(f"{plural(dynamic, 'statement')} with a table name known only at run time")
    if models:
        reasons.append(f"{plural(models, 'model')} whose table name cannot be computed")
    if lookups:
        reasons.append(f"{plural(lookups, 'use')} of a model looked up by a name that names "
                       "no single model")
    if ctx.graph.graph.get("application_modules", 1) == 0:
        return (
            " (confidence medium: the repository has no Python application code, and "
            "tabletrace reads Python only: code in another language may use it)"
        )
    if not reasons:
        return ""
    return (
        f" (confidence medium: the repository has {' and '.join(reasons)}, see "
        "dynamic-table-name and the diagnostics; one of them may use this table)"
    )


RELATIONSHIP_MODELS = """from sqlalchemy import Column, ForeignKey, Integer
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class NotifierOptions(Base):
    __tablename__ = "notifier_options"
    id = Column(Integer, primary_key=True)
    notifier_id = Column(Integer, ForeignKey("notifiers.id"))


class NotifierLog(Base):
    __tablename__ = "notifier_log"
    id = Column(Integer, primary_key=True)
    notifier_id = Column(Integer, ForeignKey("notifiers.id"))
    notifier = relationship("Notifier")


class Notifier(Base):
    __tablename__ = "notifiers"
    id = Column(Integer, primary_key=True)
    options = relationship(NotifierOptions, uselist=False, cascade="all, delete-orphan")
"""


RULE = Rule(
    code="TT002",
    name="dead-table",
    severity="warning",
    summary="A table present in a source's final schema that no application code reads or writes.",
    check=check,
    explanation=(
        "The table is present in the final schema of at least one source (the Alembic head "
        "state, a `.sql` file, runtime DDL or an ORM model), but no application code reads or "
        "writes it. DDL alone (`CREATE TABLE IF NOT EXISTS` in code) does not count as a use. "
        "The join table of a Django many-to-many field, and the target of a SQLAlchemy "
        "`relationship()`, count as used when the table of the model declaring the relation "
        "is: forms, serializers, templates and attribute access reach it through the relation "
        "(a relationship loads its target when read, and writes it through its cascade). "
        "Tables owned "
        "outside the repository (status `external`) are never dead. The finding has medium "
        "confidence when a use may have been missed: a table name known only at run time, a "
        "model whose table cannot be named, a model looked up by a name that names no single "
        "model, a Django relation accessor of this table (`line.discounts.create(...)`) "
        "read on a value whose model tabletrace cannot tell (an untyped parameter), a `.sql` "
        "script doing a job's work on its rows (`INSERT INTO report.daily SELECT ...`, "
        "`UPDATE`, `DELETE`, `REFRESH MATERIALIZED VIEW`; not a schema's `INSERT ... VALUES` "
        "seed rows), which a scheduler or an operator may run, or no Python application "
        "code at all (a service in another language keeping its SQL migrations in the "
        "repository)."
    ),
    why_it_matters=(
        "Dead tables cost storage, backups and migrations, mislead readers about what the "
        "service stores, and hide the one table that is really used when two have similar "
        "names."
    ),
    how_to_fix=(
        "Drop it in a migration once you have checked that nothing outside this repository uses "
        "it. If something outside does (a BI tool, another service), add it to `ignore_tables`, "
        "or put `-- tabletrace: ignore[dead-table]` on the `CREATE TABLE` line."
    ),
    examples=(
        Example(
            files={"schema.sql": "CREATE TABLE old_audit (id int);\n"},
            expected=frozenset({"public.old_audit"}),
        ),
        Example(
            files={
                "schema.sql": "CREATE TABLE users (id int);\n",
                "app/repo.py": 'def f(cur):\n    cur.execute("SELECT * FROM public.users")\n',
            },
        ),
        Example(
            files={
                "migrations/001_a.sql": "CREATE TABLE tmp (id int);\n",
                "migrations/002_b.sql": "DROP TABLE tmp;\n",
            },
        ),
        Example(  # the relationship's target is read through `notifier.options`; the log is dead
            files={
                "schema.sql": (
                    "CREATE TABLE notifiers (id int);\n"
                    "CREATE TABLE notifier_options (id int, notifier_id int);\n"
                    "CREATE TABLE notifier_log (id int, notifier_id int);\n"
                ),
                "app/models.py": RELATIONSHIP_MODELS,
                "app/views.py": (
                    "from app.models import Notifier\n\n\n"
                    "def options(session, ident):\n"
                    "    return session.get(Notifier, ident).options\n"
                ),
            },
            expected=frozenset({"public.notifier_log"}),
        ),
    ),
)
