"""Nightly roll-up of per-character usage into the analytics schema."""

from __future__ import annotations

import logging
from datetime import date

import psycopg2.extensions

from app.db.tables import DAILY_CHARACTER_STATS

logger = logging.getLogger(__name__)


def rollup_day(conn: psycopg2.extensions.connection, day: date) -> None:
    """Recompute the stats of one day (idempotent)."""
    with conn.cursor() as cur:
        cur.execute(
            "DELETE FROM %s WHERE stat_date = '%s'"
            % (DAILY_CHARACTER_STATS, day.isoformat())
        )
        cur.execute(
            """
            INSERT INTO analytics.daily_character_stats (stat_date, character_id, message_count, unique_users)
            SELECT %s, c.character_id, count(ce.id), count(DISTINCT c.universal_id)
            FROM conversations c
            JOIN conversation_entries ce ON ce.conversation_id = c.id
            WHERE ce.created_at::date = %s
            GROUP BY c.character_id
            """,
            (day, day),
        )
    conn.commit()
    logger.info("analytics roll-up done for %s", day)


def stats_for(conn: psycopg2.extensions.connection, character_id: int, days: int = 30) -> list[tuple]:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT stat_date, message_count, unique_users FROM analytics.daily_character_stats "
            "WHERE character_id = %s ORDER BY stat_date DESC LIMIT %s",
            (character_id, days),
        )
        return cur.fetchall()
