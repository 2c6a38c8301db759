"""Audit trail of operator and moderation actions."""

from __future__ import annotations

import json
import logging
from typing import Any

import asyncpg

logger = logging.getLogger(__name__)


async def record(conn: asyncpg.Connection, actor: str, action: str, target: str, **details: Any) -> None:
    await conn.execute(
        'INSERT INTO "AuditTrail" (actor, action, target, details) VALUES ($1, $2, $3, $4::jsonb)',
        actor,
        action,
        target,
        json.dumps(details, default=str),
    )


async def history(conn: asyncpg.Connection, target: str, limit: int = 100) -> list[asyncpg.Record]:
    return await conn.fetch(
        """
        SELECT actor, action, details, occurred_at
        FROM "AuditTrail"
        WHERE target = $1
        ORDER BY occurred_at DESC
        LIMIT $2
        """,
        target,
        limit,
    )
