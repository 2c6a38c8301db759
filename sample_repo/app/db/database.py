"""Row-at-a-time writes for the newer features.

Most of lumen writes with hand-written SQL. The features added since 1.0.25 (voice samples,
memory snapshots, message feedback, roll-up bookkeeping) only ever insert one dict per call,
so they share ``Database.insert`` instead of repeating the INSERT in every module.
"""

from __future__ import annotations

import logging
from typing import Any

import asyncpg

from app.db.pool import init_pool

logger = logging.getLogger(__name__)


class Database:
    """A handle on one pool (the service's own unless another is given)."""

    def __init__(self, pool: asyncpg.Pool | None = None) -> None:
        self._pool = pool

    async def _get_pool(self) -> asyncpg.Pool:
        return self._pool or await init_pool()

    async def insert(self, table_name: str, row: dict[str, Any]) -> None:
        """Insert one row; the keys of ``row`` are the column names."""
        columns = ", ".join(row)
        placeholders = ", ".join(f"${i}" for i in range(1, len(row) + 1))
        pool = await self._get_pool()
        async with pool.acquire() as conn:
            await conn.execute(
                f"INSERT INTO {table_name} ({columns}) VALUES ({placeholders})", *row.values()
            )

    async def fetch_rows(
        self, query: str, *args: Any, table_hint: str | None = None
    ) -> list[asyncpg.Record]:
        """Run a read query. ``table_hint`` only labels the slow-query log: it is checked to be a
        plain identifier and never becomes part of the SQL."""
        if table_hint is not None and not table_hint.isidentifier():
            raise ValueError(f"not a table name: {table_hint!r}")
        pool = await self._get_pool()
        async with pool.acquire() as conn:
            rows = await conn.fetch(query, *args)
        logger.debug("%s: %d rows", table_hint or "query", len(rows))
        return rows


# the service-wide handle; jobs that talk to another database build their own Database(pool)
db = Database()
