"""Per-character cache of the rendered CDL profile.

Rendering a profile takes a dozen queries; the result is cached in PostgreSQL so that every
bot process shares it.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any

import asyncpg

logger = logging.getLogger(__name__)

CACHE_TTL = timedelta(minutes=30)


async def get_cached_profile(conn: asyncpg.Connection, character_id: int) -> dict[str, Any] | None:
    row = await conn.fetchrow(
        "SELECT payload, refreshed_at FROM character_runtime_cache WHERE character_id = $1",
        character_id,
    )
    if row is None or datetime.now(timezone.utc) - row["refreshed_at"] > CACHE_TTL:
        return None
    return json.loads(row["payload"])


async def store_profile(conn: asyncpg.Connection, character_id: int, payload: dict[str, Any]) -> None:
    await conn.execute(
        """
        INSERT INTO character_runtime_cache (character_id, payload, refreshed_at)
        VALUES ($1, $2::jsonb, now())
        ON CONFLICT (character_id) DO UPDATE
            SET payload = EXCLUDED.payload, refreshed_at = EXCLUDED.refreshed_at
        """,
        character_id,
        json.dumps(payload),
    )


async def invalidate(conn: asyncpg.Connection, character_id: int) -> None:
    await conn.execute("DELETE FROM character_runtime_cache WHERE character_id = $1", character_id)
    logger.debug("profile cache dropped for character %d", character_id)
