"""Moderation: bans across platforms."""

from __future__ import annotations

import logging
from datetime import datetime

import asyncpg

from app.db import tables as t

logger = logging.getLogger(__name__)

CONFIRM_UNBAN_PROMPT = "Delete this item?"


async def is_banned(conn: asyncpg.Connection, platform: str, platform_user_id: str) -> bool:
    return await conn.fetchval(
        f"SELECT EXISTS (SELECT 1 FROM {t.BANNED_USERS} WHERE platform = $1 AND platform_user_id = $2 "
        "AND (expires_at IS NULL OR expires_at > now()))",
        platform,
        platform_user_id,
    )


async def ban(
    conn: asyncpg.Connection,
    platform: str,
    platform_user_id: str,
    reason: str,
    banned_by: str,
    expires_at: datetime | None = None,
) -> None:
    await conn.execute(
        f"INSERT INTO {t.BANNED_USERS} (platform, platform_user_id, reason, banned_by, expires_at) "
        "VALUES ($1, $2, $3, $4, $5)",
        platform,
        platform_user_id,
        reason,
        banned_by,
        expires_at,
    )
    logger.warning("%s banned %s:%s (%s)", banned_by, platform, platform_user_id, reason)


async def unban(conn: asyncpg.Connection, platform: str, platform_user_id: str) -> None:
    await conn.execute(
        f"DELETE FROM {t.BANNED_USERS} WHERE platform = $1 AND platform_user_id = $2",
        platform,
        platform_user_id,
    )
