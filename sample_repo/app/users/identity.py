"""Universal identities: one user across Discord, the web app and the API."""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app.db import queries
from app.db.queries import GET_UNIVERSAL_USER

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UniversalUser:
    universal_id: str
    primary_username: str
    display_name: str | None
    email: str | None
    created_at: datetime
    last_active: datetime | None


async def get_user(conn: asyncpg.Connection, universal_id: str) -> UniversalUser | None:
    row = await conn.fetchrow(
        GET_UNIVERSAL_USER,
        universal_id,
    )
    return UniversalUser(**dict(row)) if row else None


async def linked_platforms(conn: asyncpg.Connection, universal_id: str) -> list[str]:
    rows = await conn.fetch(queries.LIST_PLATFORM_IDENTITIES, universal_id)
    return [f"{r['platform']}:{r['username'] or r['platform_user_id']}" for r in rows]


async def resolve_platform_user(
    conn: asyncpg.Connection, platform: str, platform_user_id: str, username: str
) -> str:
    """Return the universal id for a platform account, creating the user on first contact."""
    row = await conn.fetchrow(queries.GET_UNIVERSAL_USER_BY_PLATFORM, platform, platform_user_id)
    if row is not None:
        await conn.execute(queries.TOUCH_LAST_ACTIVE, row["universal_id"])
        return row["universal_id"]

    universal_id = f"lumen_{uuid.uuid4().hex[:16]}"
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO public.universal_users (universal_id, primary_username, display_name) "
            "VALUES ($1, $2, $2)",
            universal_id,
            username,
        )
        await conn.execute(
            "INSERT INTO platform_identities (universal_id, platform, platform_user_id, username) "
            "VALUES ($1, $2, $3, $4)",
            universal_id,
            platform,
            platform_user_id,
            username,
        )
    logger.info("new universal user %s for %s account %s", universal_id, platform, platform_user_id)
    return universal_id


async def rename_user(conn: asyncpg.Connection, universal_id: str, display_name: str) -> None:
    await conn.execute(
        "UPDATE universal_users SET display_name = $2 WHERE universal_id = $1", universal_id, display_name
    )
