"""TT012 model-without-migration: an ORM model whose table no migration source creates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import MIGRATION_KINDS, nodes_of_kind, operations_on, source_node
from analyzer.rules.base import Example, Rule, RuleContext, op_location

if TYPE_CHECKING:
    from analyzer.models import Finding
    from analyzer.sources.model import SchemaOp

MODELS = '''from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Mood(Base):
    __tablename__ = "character_moods"
    id: Mapped[int] = mapped_column(primary_key=True)


class Profile(Base):
    __tablename__ = "profiles"
    id: Mapped[int] = mapped_column(primary_key=True)
'''


DJANGO_MODELS = """from django.db import models


class Ticket(models.Model):
    subject = models.CharField(max_length=200)


class Legacy(models.Model):
    code = models.CharField(max_length=3)

    class Meta:
        managed = False
"""
DJANGO_INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Ticket",
            fields=[("id", models.BigAutoField(primary_key=True)),
                    ("subject", models.CharField(max_length=200))],
        ),
    ]
"""


#: Sources that create a table for a model: the migration kinds, or owned outside (`external`)
_CREATORS = MIGRATION_KINDS | {"external"}


def _owner(ctx: RuleContext, op: SchemaOp) -> str | None:
    history = ctx.graph.nodes[source_node(op.source)].get("history")
    owners = getattr(history, "metadata_owners", {})
    return owners.get(op.table) if op.table is not None else None


def _uncreated_metadata(ctx: RuleContext) -> dict[str, int]:
    """MetaData none of whose tables any source creates, while another MetaData of the
    repository has tables that are created: its database is likely another program's
    (calibre-web's models of Calibre's own `metadata.db`). MetaData -> its table count."""
    tables: dict[str, int] = {}
    created: set[str] = set()
    for node, data in nodes_of_kind(ctx.graph, "table"):
        if "model" not in data["present_in"]:
            continue
        for op in operations_on(ctx.graph, node, {"declare"}):
            owner = _owner(ctx, op)
            if owner is None:
                continue
            tables[owner] = tables.get(owner, 0) + 1
            if data["present_in"] & _CREATORS:
                created.add(owner)
    if not created:
        return {}
    return {owner: count for owner, count in tables.items() if owner not in created}


def check(ctx: RuleContext) -> Iterator[Finding]:
    uncreated = _uncreated_metadata(ctx)
    for node, data in nodes_of_kind(ctx.graph, "table"):
        present = data["present_in"]
        if "model" not in present or present & _CREATORS:
            continue
        declarations = operations_on(ctx.graph, node, {"declare"})
        runtime = " (application code creates it at run time, see TT003)" if (
            "runtime" in present
        ) else ""
        owner = _owner(ctx, declarations[0])
        doubt = ""
        if owner in uncreated:
            where_declared = owner.split(":", 1)[-1]  # type: ignore[union-attr]
            doubt = (
                f" (confidence low: no source of the repository creates any of the "
                f"{uncreated[owner]} tables of its MetaData ({where_declared}), while it creates "
                "those of another: the database may be another program's; if so, list its "
                "tables in ignore_tables)"
            )
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display} is declared by {declarations[0].snippet} at "
                f"{declarations[0].path}:{declarations[0].line} but no migration (Django's, "
                f"Alembic's head state), SQL file or create_all of its MetaData creates "
                f"it{runtime}: add a migration (`makemigrations` for a Django model), or drop "
                f"the model{doubt}"
            ),
            confidence="low" if doubt else "high",
            locations=[op_location(op) for op in declarations],
        )


RULE = Rule(
    code="TT012",
    name="model-without-migration",
    severity="warning",
    summary="An ORM model's table that no migration (Django, Alembic head), SQL source or "
    "create_all creates.",
    check=check,
    explanation=(
        "An ORM model (SQLAlchemy, Flask-SQLAlchemy, SQLModel, Django) declares a table that "
        "neither the Django migrations, the Alembic head state, nor any SQL source or migration "
        "module, nor a `metadata.create_all()` of the model's MetaData creates. A `create_all` "
        "of another MetaData does not count: each builds only its own tables. For Django it is "
        "what `makemigrations` would create. A Django model with `managed = False` is never "
        "reported: its table belongs to someone else (status `external` when no source of the "
        "repository creates it)."
    ),
    why_it_matters=(
        "Code using the model fails on a database built from the migrations; the model was "
        "added without its migration."
    ),
    how_to_fix=(
        "Generate the migration (`alembic revision --autogenerate`, `manage.py makemigrations`) "
        "or add the table to the SQL source. Abstract or test-only models can be silenced "
        "with `# tabletrace: ignore[model-without-migration]` on the class line."
    ),
    examples=(
        Example(
            files={
                "app/models.py": MODELS,
                "sql/schema.sql": "CREATE TABLE profiles (id int);\n",
            },
            expected=frozenset({"public.character_moods"}),
        ),
        Example(  # Django: no migration creates the table; the unmanaged model is external
            files={"support/__init__.py": "", "support/models.py": DJANGO_MODELS},
            expected=frozenset({"public.support_ticket"}),
        ),
        Example(
            files={
                "support/__init__.py": "",
                "support/models.py": DJANGO_MODELS,
                "support/migrations/__init__.py": "",
                "support/migrations/0001_initial.py": DJANGO_INITIAL,
            },
        ),
        Example(
            files={
                "app/models.py": MODELS,
                "sql/schema.sql": (
                    "CREATE TABLE profiles (id int);\nCREATE TABLE character_moods (id int);\n"
                ),
            },
        ),
        Example(  # the schema is built by create_all
            files={
                "app/models.py": MODELS,
                "app/main.py": (
                    "from app.models import Base\n\n\n"
                    "def start(engine):\n    Base.metadata.create_all(engine)\n"
                ),
            },
        ),
    ),
)
