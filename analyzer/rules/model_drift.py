"""TT013 model-drift: an ORM model's columns differ from the table its migrations build."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import nodes_of_kind, operations_on
from analyzer.rules.base import Example, Rule, RuleContext, column_gaps, op_location

if TYPE_CHECKING:
    from analyzer.models import Finding
    from analyzer.sources.model import SourceHistory

MODEL = '''from sqlalchemy import Column, Integer, String
from sqlalchemy.orm import declarative_base

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column("email_address", String)
    nickname = Column(String)
'''


DJANGO_MODEL = """from django.db import models


class Ticket(models.Model):
    subject = models.CharField(max_length=200)
    priority = models.IntegerField(default=3)
"""
DJANGO_MIGRATION = """from django.db import migrations, models


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
DJANGO_PRIORITY = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]
    operations = [
        migrations.AddField("ticket", "priority", models.IntegerField(default=3)),
    ]
"""


def _describe(history: SourceHistory) -> str:
    if history.kind == "django":
        return f"the Django migrations' head state of {history.path}/"
    if history.kind == "alembic":
        return f"the Alembic head state of {history.path}/"
    if history.kind == "migration-module":
        return f"the migration modules of {history.path}"
    return f"the SQL source {history.path}"


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        states = sorted(data["states"], key=lambda item: item[0].id)
        models = [(h, e) for h, e in states if h.kind == "model" and e.columns is not None]
        if not models:
            continue
        # The reference is what `migrate` / `alembic upgrade head` builds, else what a SQL
        # source builds, else ordered migration modules (peewee_migrate's among them).
        reference = next(
            (
                (h, e)
                for kind in ("django", "alembic", "sql", "migration-module")
                for h, e in states
                if h.kind == kind and e.columns is not None
            ),
            None,
        )
        if reference is None:
            continue
        expected = set(reference[1].columns)
        detached = reference[0].detached_columns.get(data["key"], set())
        unread_ops = reference[0].unread_column_ops.get(data["key"], [])
        unknown = reference[0].unread_operations.get(data["key"], [])
        problems = []
        hedged = False
        for history, entry in models:
            missing, extra = column_gaps(expected, entry.columns)
            unread = history.unread_columns.get(data["key"], set())
            missing = [
                column for column in missing if column not in detached and column not in unread
            ]
            foreign = history.foreign_bases.get(data["key"])
            parts = []
            if missing and foreign:
                parts.append(
                    f"lacks {', '.join(missing)}, which the table has, unless its base {foreign} "
                    "(from another library, which tabletrace does not read) adds them"
                )
                hedged = True
            elif missing and unknown:
                path, line = unknown[0]
                parts.append(
                    f"lacks {', '.join(missing)}, which the table has unless the operation "
                    f"tabletrace cannot read at {path}:{line} changes them"
                )
                hedged = True
            elif missing:
                parts.append(f"lacks {', '.join(missing)}, which the table has")
            if extra and (unread_ops or unknown):
                path, line = (unread_ops or unknown)[0]
                parts.append(
                    f"declares {', '.join(extra)}, which the table does not have unless the "
                    f"column operation tabletrace cannot read at {path}:{line} adds them"
                )
                hedged = True
            elif extra:
                parts.append(f"declares {', '.join(extra)}, which the table does not have")
            if parts and not (missing and foreign and len(parts) == 1):
                # (columns the model lacks while a base from another library may add them, and
                # nothing else: no claim to make; `neutron_lib`'s `HasId`, `HasProject`)
                problems.append(f"the model in {history.path} {' and '.join(parts)}")
        if not problems:
            continue
        declarations = operations_on(ctx.graph, node, {"declare"})
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display}: compared with {_describe(reference[0])}, "
                f"{'; '.join(problems)}. Queries through the model fail on the columns the "
                "table does not have: align the model or add a migration"
            ),
            locations=[op_location(op) for op in declarations],
            confidence="medium" if hedged else "high",
        )


RULE = Rule(
    code="TT013",
    name="model-drift",
    severity="warning",
    summary="An ORM model whose columns differ from its table in the migrations.",
    check=check,
    explanation=(
        "An ORM model's columns differ from the columns its table has in the Django migrations' "
        "or the Alembic head state (or in its SQL source): the finding names the missing and "
        "extra columns. For a Django model it is the column part of what `makemigrations` "
        "would write."
    ),
    why_it_matters=(
        "SQLAlchemy selects every mapped column, so a column the migrations lack fails every "
        "query on that model; a column the model lacks is invisible to the code."
    ),
    how_to_fix=(
        "Add a migration for the missing columns, or update the model. `tabletrace explain PATH "
        "TABLE` shows both column lists."
    ),
    examples=(
        Example(
            files={
                "app/models.py": MODEL,
                "sql/schema.sql": (
                    "CREATE TABLE users (id int, email_address text, created_at timestamptz);\n"
                ),
            },
            expected=frozenset({"public.users"}),
        ),
        Example(
            files={
                "app/models.py": MODEL,
                "sql/schema.sql": (
                    "CREATE TABLE users (id int, email_address text, nickname text);\n"
                ),
            },
        ),
        Example(  # Django: `makemigrations` would add the field
            files={
                "support/__init__.py": "",
                "support/models.py": DJANGO_MODEL,
                "support/migrations/__init__.py": "",
                "support/migrations/0001_initial.py": DJANGO_MIGRATION,
            },
            expected=frozenset({"public.support_ticket"}),
        ),
        Example(
            files={
                "support/__init__.py": "",
                "support/models.py": DJANGO_MODEL,
                "support/migrations/__init__.py": "",
                "support/migrations/0001_initial.py": DJANGO_MIGRATION,
                "support/migrations/0002_priority.py": DJANGO_PRIORITY,
            },
        ),
    ),
)
