"""Mood history written by the emotion engine (the ORM model is app.models.CharacterMood)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import asyncpg

from app.models import CharacterMood

logger = logging.getLogger(__name__)

MOOD_HISTORY_DAYS = 30


async def prune_mood_history(conn: asyncpg.Connection, keep_days: int = MOOD_HISTORY_DAYS) -> int:
    """Only the last month of moods matters to the emotion engine; the rest is noise."""
    cutoff = datetime.now(timezone.utc) - timedelta(days=keep_days)
    # the table name comes from the model: one place to change it
    status = await conn.execute(
        f"DELETE FROM {CharacterMood.__tablename__} WHERE created_at < $1", cutoff
    )
    removed = int(status.split()[-1])
    logger.info("delete rows older than 30 days: %d mood rows removed", removed)
    return removed
