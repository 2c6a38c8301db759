"""Retention and housekeeping helpers shared by the nightly jobs."""

from __future__ import annotations

import logging
from datetime import datetime

import asyncpg

logger = logging.getLogger(__name__)


async def purge_older_than(conn: asyncpg.Connection, table_name: str, cutoff: datetime) -> int:
    """Delete rows created before ``cutoff`` and return how many were removed."""
    status = await conn.execute(f"DELETE FROM {table_name} WHERE created_at < $1", cutoff)
    removed = int(status.split()[-1])
    logger.info("retention: %s lost %d rows", table_name, removed)
    return removed


async def prune_conversation_entries(conn: asyncpg.Connection) -> None:
    """Drop conversation entries past the 90-day window, one worker at a time."""
    await conn.execute(
        "DO $$ BEGIN PERFORM pg_advisory_xact_lock(42); "
        "DELETE FROM conversation_entries WHERE created_at < now() - interval '90 days'; END $$"
    )


class StagingArea:
    """Scratch tables used by bulk imports, kept in their own schema."""

    def __init__(self, schema: str = "staging") -> None:
        self._schema = schema

    def _qualified(self, name: str) -> str:
        return f"{self._schema}.{name}"

    async def reset(self, conn: asyncpg.Connection, name: str) -> None:
        await conn.execute(f"TRUNCATE TABLE {self._qualified(name)}")
        logger.debug("staging table %s emptied", name)
