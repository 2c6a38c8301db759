"""Conversation history: sessions per user/character and the messages in them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app.db import queries

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Entry:
    role: str
    content: str
    created_at: datetime


async def start_conversation(
    conn: asyncpg.Connection, universal_id: str, character_id: int, platform: str, channel_id: str | None
) -> int:
    conversation_id = await conn.fetchval(
        "INSERT INTO conversations (universal_id, character_id, platform, channel_id) "
        "VALUES ($1, $2, $3, $4) RETURNING id",
        universal_id,
        character_id,
        platform,
        channel_id,
    )
    await conn.execute(queries.TOUCH_LAST_ACTIVE, universal_id)
    return conversation_id


async def append_entry(
    conn: asyncpg.Connection, conversation_id: int, role: str, content: str, token_count: int | None
) -> None:
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO conversation_entries (conversation_id, role, content, token_count) "
            "VALUES ($1, $2, $3, $4)",
            conversation_id,
            role,
            content,
            token_count,
        )
        await conn.execute(
            "UPDATE conversations SET last_message_at = now() WHERE id = $1", conversation_id
        )


async def transcript(conn: asyncpg.Connection, conversation_id: int, limit: int = 50) -> list[Entry]:
    rows = await conn.fetch(
        """
        SELECT ce.role, ce.content, ce.created_at
        FROM conversation_entries ce
        JOIN conversations c
          ON c.id = ce.conversation_id
        WHERE c.id = $1
        ORDER BY ce.created_at DESC
        LIMIT $2
        """,
        conversation_id,
        limit,
    )
    return [Entry(**dict(r)) for r in reversed(rows)]


async def recent_partners(conn: asyncpg.Connection, character_id: int, days: int = 7) -> list[tuple[str, str | None]]:
    """Users the character talked to in the last ``days`` days, most recent first."""
    rows = await conn.fetch(
        """
        WITH recent AS (
            SELECT universal_id, max(last_message_at) AS last_seen
            FROM conversations
            WHERE character_id = $1
              AND last_message_at > now() - make_interval(days => $2)
            GROUP BY universal_id
        )
        SELECT u.universal_id, u.display_name
        FROM recent
        JOIN universal_users u ON u.universal_id = recent.universal_id
        ORDER BY recent.last_seen DESC
        """,
        character_id,
        days,
    )
    return [(r["universal_id"], r["display_name"]) for r in rows]


def message_count(cur, character_id: int) -> int:
    """Messages exchanged with a character (psycopg2 cursor; used by the stats CLI)."""
    cur.execute(
        "SELECT count(*) FROM conversation_entries ce "
        "JOIN conversations c ON c.id = ce.conversation_id "
        f"WHERE c.character_id = {character_id}"
    )
    (count,) = cur.fetchone()
    return count
