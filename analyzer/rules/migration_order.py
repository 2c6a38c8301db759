"""TT015 migration-order: a step of an ordered source needs a table or column that is not there
yet when the source runs on an empty database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import CREATING_OPERATIONS, nodes_of_kind, operations_on, table_node
from analyzer.rules.base import Example, Rule, RuleContext, op_location, where

if TYPE_CHECKING:
    import networkx as nx

    from analyzer.models import Finding
    from analyzer.sources.model import SchemaOp, SourceHistory
    from analyzer.sources.order import OrderFault

REVISION_A = '''from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer))
'''
REVISION_B = '''from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.drop_column("legacy_profiles", "fax")
'''

DJANGO_INITIAL = """from django.db import migrations


class Migration(migrations.Migration):
    dependencies = []
    operations = [
        migrations.RunSQL("ALTER TABLE support_legacy DROP COLUMN fax"),
    ]
"""


def check(ctx: RuleContext) -> Iterator[Finding]:
    bootstraps = _bootstraps(ctx.graph)
    for _node, data in nodes_of_kind(ctx.graph, "source"):
        history: SourceHistory = data["history"]
        if history.kind == "alembic" and bootstraps and history.faults:
            # Fresh databases come from create_all + stamp: an empty-database upgrade is not
            # how this project builds one, so one note per environment, not one per step.
            yield _bootstrapped(ctx.graph, history, bootstraps)
            continue
        baseline = _baseline(history)
        if baseline:
            yield (
                _trimmed(ctx.graph, history, baseline) if history.kind == "alembic"
                else _older_schema(history, baseline)
            )
        for fault in history.faults:
            if fault not in baseline:
                yield _finding(ctx.graph, history, fault, bootstraps)


def _baseline(history: SourceHistory) -> list[OrderFault]:
    """The faults of an Alembic environment whose history starts from an existing schema: its
    root revision (no `down_revision`) needs a table, and so do later steps, on tables that
    no revision of it ever creates. The older revisions were removed (a trimmed history) or
    the first database was built another way; the steps are one fact, not one fault each.
    A table some revision creates, too late, is an ordering fault of its own. Home-made
    upgrade steps (`migrate3to4.py`, `m002_...`) needing tables none of them creates, at
    any step, upgrade a database an older release made: one fact too; so do steps named as a
    chain of version upgrades (`v26_v27.py`) needing any table, one a later step creates
    again included (`SourceHistory.upgrades`)."""
    if history.kind not in ("alembic", "migration-module"):
        return []
    created = {
        op.table for op in history.operations if op.operation in ("create", "rename_to")
    }
    never = [
        fault for fault in history.faults
        if fault.missing == "table" and (fault.op.table not in created or history.upgrades)
    ]
    if not never or (history.kind == "alembic" and not any(fault.at_root for fault in never)):
        return []
    tables = {fault.op.table for fault in never}
    return [fault for fault in history.faults if fault.op.table in tables]


def _trimmed(
    graph: nx.MultiDiGraph, history: SourceHistory, faults: list[OrderFault]
) -> Finding:
    first = next(fault for fault in faults if fault.at_root)
    op = first.op
    later = [fault for fault in faults if fault is not first]
    shown = _other_tables(first, later)
    message = (
        f"`alembic upgrade head` on an empty database stops at revision {op.revision} "
        f"({op.path}:{op.line}), which has no down_revision: {_what(op)} needs table "
        f"{op.table.display}, which no revision creates. The history starts from an existing "
        "schema (its older revisions removed, or the first database built another way)"
    )
    if later:
        message += (
            f"; {len(later)} later {'step' if len(later) == 1 else 'steps'} also "
            f"{'needs' if len(later) == 1 else 'need'} tables no revision creates"
            + (f" ({shown})" if shown else "")
        )
    keys = {fault.op.table for fault in faults}
    builders = sorted(
        {
            where(other)
            for key in keys
            for other in operations_on(graph, table_node(key), CREATING_OPERATIONS)
            if other.source != history.id and other.source_kind == "create_all"
        }
    )
    if builders:
        message += (
            f". create_all at {', '.join(builders[:3])} builds the head schema: build a fresh "
            "database with it, then `alembic stamp head`"
        )
    else:
        message += (
            ". To build a fresh database, add a first revision that creates the schema the "
            "history starts from"
        )
    return RULE.finding(
        table=op.table.display,
        message=message,
        locations=[op_location(fault.op) for fault in [first, *later]],
        severity="warning",
    )


def _older_schema(history: SourceHistory, faults: list[OrderFault]) -> Finding:
    """Ordered upgrade steps that need tables none of them creates: they upgrade a database
    an older release built (lbry's `migrator/migrate1to2.py` ... start at version 1), which
    no source of the repository makes; one warning at the first step needing one."""
    first = faults[0]
    op = first.op
    shown = _other_tables(first, faults[1:])
    message = (
        f"{_run(history, first)}: {_what(op)} "
        f"needs table {op.table.display}, which none of {history.path}'s steps creates"
        + (f"; later steps need {shown} too" if shown else "")
        + ". The steps upgrade a database an older release built, a schema no source of "
        "the repository makes: a fresh database is built another way, or not at all"
    )
    return RULE.finding(
        table=op.table.display,
        message=message,
        locations=[op_location(fault.op) for fault in faults],
        severity="warning",
    )


def _bootstrapped(
    graph: nx.MultiDiGraph, history: SourceHistory, bootstraps: list[SourceHistory]
) -> Finding:
    first, *later = history.faults
    finding = _finding(graph, history, first, bootstraps)
    if not later:
        return finding
    shown = _other_tables(first, later)
    more = f" (tables {shown})" if shown else ""
    return finding.model_copy(
        update={
            "message": f"{finding.message}; {len(later)} later "
            f"{'step' if len(later) == 1 else 'steps'} of this environment also "
            f"{'needs' if len(later) == 1 else 'need'} what only create_all builds{more}",
            "locations": finding.locations + [op_location(fault.op) for fault in later],
        }
    )


def _other_tables(first: OrderFault, later: list[OrderFault]) -> str:
    """The tables the later faults name besides the first's, the first five of them."""
    tables = sorted({fault.op.table.display for fault in later} - {first.op.table.display})
    return ", ".join(tables[:5]) + (f" and {len(tables) - 5} more" if len(tables) > 5 else "")


def _bootstraps(graph: nx.MultiDiGraph) -> list[SourceHistory]:
    """create_all followed by `alembic stamp head`: how the project builds a fresh database."""
    return [
        data["history"]
        for _, data in nodes_of_kind(graph, "source")
        if data["history"].kind == "create_all" and data["history"].bootstrap
    ]


def _finding(
    graph: nx.MultiDiGraph,
    history: SourceHistory,
    fault: OrderFault,
    bootstraps: list[SourceHistory],
) -> Finding:
    op = fault.op
    table = op.table.display
    others = [
        other
        for other in operations_on(graph, table_node(op.table), CREATING_OPERATIONS)
        if other.source != history.id
    ]
    if fault.missing == "column":
        others = [other for other in others if other.columns and fault.column in other.columns]
        known = ", ".join(fault.columns or ()) or "none known"
        need = (
            f"needs column {fault.column} of {table}, which {table} does not have at that point "
            f"(its columns then: {known})"
        )
    else:
        need = f"needs table {table}, which {_no_earlier(history)} creates"
    thing = "that column" if fault.missing == "column" else "it"
    may = False  # the step may pass: an app outside the repository may create the table
    if others:
        verb = "has" if fault.missing == "column" else "creates"
        verb = verb if len(others) == 1 else {"has": "have", "creates": "create"}[verb]
        first = (
            # create_all builds the head schema: the revisions must not run on it after
            "build a fresh database with it, then `alembic stamp head`"
            if history.kind == "alembic"
            and all(other.source_kind == "create_all" for other in others)
            else f"run {'it' if len(others) == 1 else 'one'} first"
        )
        fix = (
            f"; {_places(others)} {verb} {thing}: {first}, or create {thing} in an earlier "
            f"{_step_word(history)}"
        )
    elif fault.missing == "table" and (later := _created_in_source(history, op)):
        fix = (
            f"; {_places(later)} of the same source {'creates' if len(later) == 1 else 'create'}"
            f" it, but not before this step{_branch_hint(history)}"
        )
    elif fault.missing == "table" and history.outside_apps:
        # `UPDATE social_auth_usersocialauth` in a data migration: an installed app's table,
        # made by its own migrations, which `migrate` runs before this one only if the
        # migration depends on it (or by chance of order)
        apps = ", ".join(history.outside_apps[:3]) + (
            ", ..." if len(history.outside_apps) > 3 else ""
        )
        fix = (
            f", and no source of the repository creates it. The project installs apps "
            f"outside the repository ({apps}) whose migrations may create it: if one does, "
            "make this migration depend on that app's migration"
        )
        may = True
    else:
        fix = (
            f", and no other source {'has' if fault.missing == 'column' else 'creates'} "
            f"{thing}: create {thing} in an earlier {_step_word(history)}, or remove the step"
        )
    run = _run(history, fault)
    if may:
        run = run.replace(" stops at ", " may stop at ", 1)
    message = f"{run}: {_what(op)} {need}{fix}"
    severity = "error" if not (others or may or fault.passes_in_full_plan) else "warning"
    if fault.passes_in_full_plan:
        message += (
            ". The full `migrate` passes: its plan happens to run the other branch first"
        )
    if history.kind == "alembic" and bootstraps:
        builder = bootstraps[0]
        message += (
            f". This repository builds a fresh database with create_all then `alembic stamp "
            f"head` ({builder.path}:{builder.operations[0].line if builder.operations else 0}), "
            "so only `alembic upgrade head` on an empty database meets this"
        )
        severity = "info"
    return RULE.finding(
        table=table, message=message, locations=[op_location(op)], severity=severity
    )


def _created_in_source(history: SourceHistory, op: SchemaOp) -> list[SchemaOp]:
    """The source's own steps that create the table (later, or on a sibling branch)."""
    return [
        other
        for other in history.operations
        if other.table == op.table and other.operation in ("create", "rename_to")
    ]


def _branch_hint(history: SourceHistory) -> str:
    if history.kind == "alembic":
        return (
            " on every path `alembic upgrade` may take: make this revision depend on that one "
            "(down_revision or depends_on), or move the step"
        )
    if history.kind == "django":
        # Another app's migration, usually: `migrate <app>` runs this one without it.
        return (
            " on every path `migrate` may take: add that migration to this one's "
            "`dependencies`, or move the step"
        )
    return f": move the creation into an earlier {_step_word(history)}"


def _run(history: SourceHistory, fault: OrderFault) -> str:
    op = fault.op
    if history.kind == "alembic":
        return (
            f"`alembic upgrade head` on an empty database stops at revision {op.revision} "
            f"({op.path}:{op.line})"
        )
    if history.kind == "django":
        command = (
            f"`migrate {(op.revision or '').split('.')[0]}`"
            if fault.passes_in_full_plan
            else "`migrate`"
        )
        return (
            f"{command} on an empty database stops at migration {op.revision} "
            f"({op.path}:{op.line})"
        )
    if history.kind == "migration-module":
        # a step is a function of a module (`m002_tags`), or a whole numbered module
        step = op.revision or op.path.rsplit("/", 1)[-1].removesuffix(".py")
        return f"On an empty database, migration {step} fails ({op.path}:{op.line})"
    return f"{op.path} run on an empty database fails at line {op.line}"


def _no_earlier(history: SourceHistory) -> str:
    return {
        "alembic": "no earlier revision",
        "migration-module": "no earlier migration",
        # Django runs a migration after its dependencies only: another app's migration that it
        # does not depend on may run later (`migrate <app>` runs it alone).
        "django": "no migration it depends on",
    }.get(history.kind, "no earlier statement of this source")


def _step_word(history: SourceHistory) -> str:
    return {"alembic": "revision", "migration-module": "migration", "django": "migration"}.get(
        history.kind, "file"
    )


def _what(op: SchemaOp) -> str:
    snippet = " ".join(op.snippet.split())
    return f"`{snippet if len(snippet) <= 70 else snippet[:67] + '...'}`"


KIND_WORDS = {
    "sql": "the SQL file",
    "alembic": "Alembic",
    "create_all": "create_all at",
    "runtime": "application DDL at",
    "migration-module": "the migration module",
    "django": "the Django migration at",
}


def _places(ops: list[SchemaOp]) -> str:
    shown = ", ".join(
        f"{KIND_WORDS.get(op.source_kind, op.source_kind)} {where(op)}" for op in ops[:3]
    )
    return shown + (f" and {len(ops) - 3} more" if len(ops) > 3 else "")


RULE = Rule(
    code="TT015",
    name="migration-order",
    severity="error",
    summary="A migration step that needs a table or column no earlier step creates.",
    check=check,
    explanation=(
        "Every ordered source is replayed from an empty database, as a fresh setup runs it: "
        "each Alembic environment along its revision graph (a revision starts from what its "
        "parents leave), each `.sql` file or numbered folder top to bottom, each migration "
        "module in the order of its numbers, each Django project's migrations along their "
        "graph (a migration starts from what its `dependencies` leave; the tables of contrib "
        "and third-party apps and of unmanaged models exist before). An operation that needs "
        "a table or column that is not there at that point (DROP, RENAME, ALTER ... "
        "ADD/DROP/RENAME COLUMN, INSERT, UPDATE, DELETE, COPY) is reported at that step, with "
        "the sources that do create it. "
        "A `.sql` source often relies on tables another source made (a data fix, an ALTER "
        "script), so there only a table that the source itself creates later is reported, "
        "and not a drop that its next step on the table re-creates (`DROP VIEW v; CREATE VIEW "
        "v AS ...` replaces what it found).\n\n"
        "Severity error when no source creates the table, warning when another source does (run "
        "it first; for Alembic and create_all, build with create_all then `alembic stamp "
        "head`), info for Alembic when the repository builds fresh databases with "
        "`create_all` then `alembic stamp head` (then one finding per environment, at its first "
        "such step, listing the others). An Alembic environment whose root revision (no "
        "`down_revision`) already needs a table that no revision creates starts from an "
        "existing schema (its older revisions removed): one warning for the environment, at "
        "that step, listing the later steps that need tables no revision creates; so do "
        "home-made upgrade steps (`migrate3to4.py`, `m002_...`) that need tables none of them "
        "creates, at any step (they upgrade a database an older release built). Operations "
        "that tolerate the state they find (`IF EXISTS`, `IF NOT EXISTS`, Alembic operations "
        "inside `if`/`try`) are never reported."
    ),
    why_it_matters=(
        "A new environment, a CI database or a disaster recovery built from the migrations "
        "stops at that step: `alembic upgrade head` or `migrate` fails with \"relation does "
        "not exist\" and the database is left half built."
    ),
    how_to_fix=(
        "Create the table (or column) in an earlier revision, file or migration, or document "
        "and automate the source that must run first (the init SQL dump, create_all). "
        "`tabletrace verify --dev-url` runs the sources on a scratch PostgreSQL to confirm. If "
        "the step is meant for existing databases only, guard it (`DROP ... IF EXISTS`, `if "
        "has_table(...)`) or put `# tabletrace: ignore[migration-order]` on its line."
    ),
    examples=(
        Example(
            files={
                "alembic.ini": "[alembic]\nscript_location = migrations\n",
                "migrations/versions/a1.py": REVISION_A,
                "migrations/versions/b2.py": REVISION_B,
                "sql/init.sql": "CREATE TABLE legacy_profiles (id int, fax text);\n",
            },
            expected=frozenset({"public.legacy_profiles"}),
        ),
        Example(
            files={
                "alembic.ini": "[alembic]\nscript_location = migrations\n",
                "migrations/versions/a1.py": REVISION_A,
                "migrations/versions/b2.py": REVISION_B.replace(
                    'op.drop_column("legacy_profiles", "fax")',
                    'op.execute("ALTER TABLE IF EXISTS legacy_profiles DROP COLUMN fax")',
                ),
            },
        ),
        Example(
            files={
                "db/001_init.sql": "CREATE TABLE users (id int);\n",
                "db/002_seed.sql": "INSERT INTO users VALUES (1);\nINSERT INTO roles VALUES (1);\n",
                "db/003_roles.sql": "CREATE TABLE roles (id int);\n",
            },
            expected=frozenset({"public.roles"}),
        ),
        Example(  # a trimmed history: the root revision alters a table no revision creates
            files={
                "alembic.ini": "[alembic]\nscript_location = migrations\n",
                "migrations/versions/a1.py": REVISION_A.replace(
                    'op.create_table("users", sa.Column("id", sa.Integer))',
                    'op.add_column("orders", sa.Column("note", sa.Text))',
                ),
                "migrations/versions/b2.py": REVISION_B,
            },
            expected=frozenset({"public.orders"}),
        ),
        Example(  # Django: a migration drops a column of a table no migration creates
            files={
                "support/__init__.py": "",
                "support/models.py": "",
                "support/migrations/__init__.py": "",
                "support/migrations/0001_initial.py": DJANGO_INITIAL,
            },
            expected=frozenset({"public.support_legacy"}),
        ),
    ),
)
