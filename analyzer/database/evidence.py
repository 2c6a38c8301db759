"""What database rules read: the report, and a live catalogue or a scratch build (or both).

Shared helpers keep the rules' wording of the same evidence identical: `activity_text` is the
one place that turns `pg_stat_user_tables` counters into a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from analyzer.models import Location, Report, Table
from analyzer.sql.names import BOOKKEEPING_TABLES, TableKey

if TYPE_CHECKING:
    from analyzer.database.build import BuildResult
    from analyzer.database.catalog import LiveCatalog, LiveTable


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"



@dataclass(frozen=True, slots=True)
class DatabaseContext:
    report: Report
    live: LiveCatalog | None = None
    build: BuildResult | None = None


def table_key(table: Table) -> TableKey:
    return TableKey(table.schema_name, table.name)


def is_bookkeeping(table: LiveTable) -> bool:
    """Alembic's version table (one `version_num` column, whatever its name) and the like."""
    return table.columns == ("version_num",) or table.name in BOOKKEEPING_TABLES


def day(timestamp: str | None) -> str | None:
    return timestamp[:10] if timestamp else None


def since_reset(stats_reset: str | None) -> str:
    if stats_reset:
        return f"since statistics were reset on {day(stats_reset)}"
    return "since statistics began (they were never reset)"


def activity_text(table: LiveTable, stats_reset: str | None) -> str:
    """`0 scans and 0 writes since statistics were reset on 2026-10-01` and the like.

    Sequential scans that building the schema explains (one per index build and per foreign
    key validated) are not counted as use, and the sentence says so.
    """
    activity = table.activity
    assert activity is not None
    seq_use = max(0, activity.seq_scan - table.ddl_scans)
    ddl = activity.seq_scan - seq_use
    if seq_use or activity.idx_scan:
        scans = (
            f"{plural(seq_use + activity.idx_scan, 'scan')} ({seq_use} sequential, "
            f"{activity.idx_scan} index)"
        )
    else:
        scans = "0 scans"
    writes = (
        f"{plural(activity.writes, 'write')} ({activity.n_tup_ins} inserted, "
        f"{activity.n_tup_upd} updated, {activity.n_tup_del} deleted)"
        if activity.writes
        else "0 writes"
    )
    note = (
        f" (not counting {plural(ddl, 'sequential scan')}: building its indexes and foreign "
        "keys may take as many)"
        if ddl
        else ""
    )
    rows = f", about {plural(activity.n_live_tup, 'live row')}" if activity.n_live_tup else ""
    return f"{scans} and {writes} {since_reset(stats_reset)}{note}{rows}"


def database_location(live: LiveCatalog, table: LiveTable) -> Location:
    """Where a database-only fact is: the (masked) URL and the relation."""
    return Location(path=live.url, line=None, snippet=f"{table.display} ({table.object_type})")


def alembic_head_columns(table: Table) -> list[tuple[str, list[str] | None]]:
    """(source id, columns) of each Alembic head state that has this table."""
    return [
        (state.source, state.columns)
        for state in table.states
        if state.source_kind == "alembic" and state.object_type == "table"
    ]


def creating_locations(table: Table, source: str | None = None) -> list[Location]:
    return [
        Location(path=d.path, line=d.line, snippet=d.snippet)
        for d in table.definitions
        if d.operation in ("create", "rename_to", "declare")
        and (source is None or d.source == source)
    ]


def database_lines(table: Table) -> list[str]:
    """What the live database says about one table, for `explain`."""
    evidence = table.database
    if evidence is None:
        return []
    if not evidence.present:
        return ["not in the database"]
    lines = [f"{evidence.object_type}: {', '.join(evidence.columns or []) or '(no columns)'}"]
    stats = evidence.statistics
    if stats is not None:
        lines.append(
            f"{plural(stats.seq_scan, 'sequential scan')}, {plural(stats.idx_scan, 'index scan')}; "
            f"{stats.n_tup_ins} inserted, {stats.n_tup_upd} updated, {stats.n_tup_del} deleted; "
            f"{plural(stats.n_live_tup, 'live row')}, {since_reset(evidence.stats_reset)}"
        )
        lines.append(
            f"last vacuum {stats.last_vacuum or stats.last_autovacuum or 'never'}, "
            f"last analyze {stats.last_analyze or stats.last_autoanalyze or 'never'}"
        )
    return lines
