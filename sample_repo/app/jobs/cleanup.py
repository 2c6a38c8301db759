"""Nightly clean-up: retention, orphaned memories and relationship counters."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import asyncpg

from app.config import get_settings
from app.db.maintenance import prune_conversation_entries, purge_older_than

logger = logging.getLogger(__name__)


async def prune_orphan_memories(conn: asyncpg.Connection, threshold: float = 0.2) -> int:
    """Remove unimportant memories that belong to retired characters."""
    # DELETE FROM memory_entries WHERE importance < 0.1 was too aggressive (issue #212)
    status = await conn.execute(
        """
        DELETE FROM memory_entries m
        USING characters c
        WHERE m.character_id = c.id
          AND NOT c.is_active
          AND m.importance < $1
        """,
        threshold,
    )
    return int(status.split()[-1])


async def refresh_interaction_counts(conn: asyncpg.Connection) -> None:
    await conn.execute(
        """
        UPDATE relationship_scores rs
        SET interaction_count = sub.n, updated_at = now()
        FROM (
            SELECT c.universal_id, c.character_id, count(*) AS n
            FROM conversations c
            JOIN conversation_entries ce ON ce.conversation_id = c.id
            GROUP BY c.universal_id, c.character_id
        ) AS sub
        WHERE rs.universal_id = sub.universal_id AND rs.character_id = sub.character_id
        """
    )


async def run_nightly(conn: asyncpg.Connection) -> None:
    retention = timedelta(days=get_settings().memory_retention_days)
    cutoff = datetime.now(timezone.utc) - retention
    await purge_older_than(conn, "memory_entries", cutoff)
    await prune_conversation_entries(conn)
    removed = await prune_orphan_memories(conn)
    await refresh_interaction_counts(conn)
    logger.info("nightly clean-up finished (%d orphaned memories)", removed)
