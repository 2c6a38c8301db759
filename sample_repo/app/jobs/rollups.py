"""Analytics events and their hourly roll-ups (the analytics database, analytics/alembic.ini)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.engine import Connection


def record_event(conn: Connection, event_type: str, character_id: int, user_ref: str) -> None:
    conn.execute(
        text(
            "INSERT INTO analytics_events (event_type, character_id, user_ref) "
            "VALUES (:event_type, :character_id, :user_ref)"
        ),
        {"event_type": event_type, "character_id": character_id, "user_ref": user_ref},
    )


def top_events(conn: Connection, day: date, limit: int = 10) -> list[tuple[int, str, int]]:
    result = conn.execute(
        text(
            """
            SELECT character_id, event_type, event_count
            FROM analytics_rollups
            WHERE rollup_date = :day
            ORDER BY event_count DESC
            LIMIT :limit
            """
        ),
        {"day": day, "limit": limit},
    )
    return [(row.character_id, row.event_type, row.event_count) for row in result]
