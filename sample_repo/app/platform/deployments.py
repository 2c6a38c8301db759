"""Bot deployments: which character runs as which bot, and in what state."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from app.db.tables import BOT_DEPLOYMENTS

logger = logging.getLogger(__name__)

VALID_STATUSES = frozenset({"running", "stopped", "failed"})


@dataclass(frozen=True, slots=True)
class Deployment:
    bot_name: str
    status: str
    deployed_at: datetime | None


async def deployments_for(conn: asyncpg.Connection, character_id: int) -> list[Deployment]:
    rows = await conn.fetch(
        "SELECT bot_name, status, deployed_at FROM {table} WHERE character_id = $1 ORDER BY bot_name".format(
            table=BOT_DEPLOYMENTS
        ),
        character_id,
    )
    return [Deployment(**dict(r)) for r in rows]


async def set_status(conn: asyncpg.Connection, bot_name: str, status: str) -> None:
    if status not in VALID_STATUSES:
        raise ValueError(f"unknown deployment status: {status}")
    await conn.execute(
        "UPDATE bot_deployments SET status = $2, deployed_at = CASE WHEN $2 = 'running' THEN now() "
        "ELSE deployed_at END WHERE bot_name = $1",
        bot_name,
        status,
    )
    logger.info("bot %s is now %s", bot_name, status)
