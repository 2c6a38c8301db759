"""TT009 definition-drift: sources that define the same table with different columns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from analyzer.graph import nodes_of_kind, operations_on
from analyzer.rules.base import Example, Rule, RuleContext, column_gaps, op_location
from analyzer.sources.model import SourceHistory, StateEntry
from analyzer.sql.names import TableKey

if TYPE_CHECKING:
    from analyzer.models import Finding

State = tuple[SourceHistory, StateEntry]


def _reference(states: list[State]) -> State:
    """Compare against the Alembic head when there is one: it is what `upgrade head` builds."""
    alembic = [item for item in states if item[0].kind == "alembic"]
    return (alembic or states)[0]


def _named(history: SourceHistory) -> str:
    """Where the source is: its file or folder, or for a chain of upgrade scripts, which
    share their folder with the fresh script, the pattern of its files (`db/update_app_*`)."""
    return history.id.removeprefix("sql:") if history.id.endswith("*") else history.path


def _compared(key: TableKey, states: list[State]) -> Iterator[State]:
    """Each source's table as it is compared: revisions kept from before a squash by what an
    old database they built becomes once the squash's later revisions run (a column added
    after the squash is no gap; a table dropped after it is not compared)."""
    for history, entry in states:
        if history.upgraded is None:
            yield history, entry
        elif key in history.upgraded:
            yield history, history.upgraded[key]


def check(ctx: RuleContext) -> Iterator[Finding]:
    for node, data in nodes_of_kind(ctx.graph, "table"):
        # Models have their own rule (TT013): this one compares sources that build tables.
        states = sorted(
            (
                (history, entry)
                for history, entry in _compared(data["key"], data["states"])
                if entry.columns is not None and history.kind not in ("model", "create_all")
            ),
            key=lambda item: item[0].id,
        )
        # sources building databases of their own (`SourceHistory.database`) are compared
        # only with the sources of the same database
        groups: dict[str | None, list[State]] = {}
        for item in states:
            groups.setdefault(item[0].database, []).append(item)
        drifting = [
            group for _, group in sorted(groups.items(), key=lambda g: g[0] or "")
            if len({frozenset(entry.columns) for _, entry in group}) >= 2  # type: ignore[arg-type]
        ]
        if not drifting:
            continue
        states = drifting[0]
        reference_history, reference = _reference(states)
        expected = set(reference.columns)
        differences = []
        for history, entry in states:
            if history is reference_history:
                continue
            missing, extra = column_gaps(expected, entry.columns)
            if not missing and not extra:
                continue
            parts = []
            if missing:
                parts.append(f"lacks {', '.join(missing)}")
            if extra:
                parts.append(f"adds {', '.join(extra)}")
            differences.append(f"{_named(history)} {' and '.join(parts)}")
        creates = operations_on(ctx.graph, node, {"create"})
        yield RULE.finding(
            table=data["key"].display,
            message=(
                f"{data['key'].display} has different columns in different sources; compared "
                f"with {_named(reference_history)} ({reference_history.kind}): "
                f"{'; '.join(differences)}. Code written against one source breaks on a "
                "database built from another: align them"
            ),
            locations=[op_location(op) for op in creates],
        )


RULE = Rule(
    code="TT009",
    name="definition-drift",
    severity="warning",
    summary="A table whose column set differs between the sources that define it.",
    check=check,
    explanation=(
        "Sources that define the same table disagree on its columns: the finding names the "
        "columns each source lacks or adds."
    ),
    why_it_matters=(
        "Which columns the table has depends on which source built the database; queries that "
        "work on one environment fail on another."
    ),
    how_to_fix=(
        "Make the definitions agree, or remove all but the owning source. `tabletrace explain "
        "PATH TABLE` lists each source's columns."
    ),
    examples=(
        Example(
            files={
                "sql/00_init.sql": "CREATE TABLE users (id int, email text, name text);\n",
                "sql/legacy.sql": "CREATE TABLE users (id int, login text);\n",
            },
            expected=frozenset({"public.users"}),
        ),
        Example(
            files={
                "sql/00_init.sql": "CREATE TABLE users (id int, email text);\n",
                "sql/legacy.sql": "CREATE TABLE users (email text, id int);\n",
            },
        ),
    ),
)
