"""Bookkeeping of the hourly roll-up job: one row per run (the analytics database)."""

from __future__ import annotations

from datetime import datetime, timezone


async def finish_run(store, started_at: datetime, rows_written: int) -> None:
    """``store`` is a Database on the analytics pool in production, a list-backed fake in the
    job's tests: anything with an ``insert(table_name, row)`` coroutine."""
    finished_at = datetime.now(timezone.utc)
    row = {"started_at": started_at, "finished_at": finished_at, "rows_written": rows_written}
    await store.insert("analytics_rollup_runs", row)
