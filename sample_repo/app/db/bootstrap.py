"""Idempotent schema set-up run when the service starts.

Some tables predate both migration systems and are still ensured here, so that a fresh
developer database works with nothing but ``alembic upgrade head``.
"""

from __future__ import annotations

import logging

import asyncpg

logger = logging.getLogger(__name__)


async def ensure_runtime_schema(conn: asyncpg.Connection) -> None:
    """Create the tables the service needs at runtime if they are missing."""
    await conn.execute(
        """
        CREATE TABLE IF NOT EXISTS conversation_entries (
            id BIGSERIAL PRIMARY KEY,
            conversation_id BIGINT NOT NULL,
            role VARCHAR(20) NOT NULL,
            content TEXT NOT NULL,
            token_count INTEGER,
            created_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """
    )

    # 1.0.20 renamed the cache; older databases still have the old name.
    await conn.execute("ALTER TABLE IF EXISTS character_cache RENAME TO character_runtime_cache")
    await conn.execute(
        """
        CREATE TABLE IF NOT EXISTS character_runtime_cache (
            character_id INTEGER PRIMARY KEY,
            payload JSONB NOT NULL DEFAULT '{}'::jsonb,
            refreshed_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """
    )
    await conn.execute(
        "CREATE INDEX IF NOT EXISTS idx_character_runtime_cache_refreshed "
        "ON character_runtime_cache (refreshed_at)"
    )
    logger.info("runtime schema ensured")
