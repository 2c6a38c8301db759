"""Roleplay transactions (multi-step actions such as trades or quests) and role assignments."""

from __future__ import annotations

import json
import logging
from typing import Any

import asyncpg

logger = logging.getLogger(__name__)


class RoleplayTransactionStore:
    """Lifecycle of a roleplay transaction: pending -> completed | cancelled."""

    TABLE = "roleplay_transactions"

    async def open(
        self,
        conn: asyncpg.Connection,
        universal_id: str,
        character_id: int,
        transaction_type: str,
        payload: dict[str, Any],
    ) -> int:
        return await conn.fetchval(
            f"INSERT INTO {self.TABLE} (universal_id, character_id, transaction_type, payload) "
            "VALUES ($1, $2, $3, $4::jsonb) RETURNING id",
            universal_id,
            character_id,
            transaction_type,
            json.dumps(payload),
        )

    async def pending(self, conn: asyncpg.Connection, universal_id: str, character_id: int) -> list[asyncpg.Record]:
        return await conn.fetch(
            f"""
            SELECT id, transaction_type, payload, created_at
            FROM {self.TABLE}
            WHERE universal_id = $1 AND character_id = $2 AND state = 'pending'
            ORDER BY created_at
            """,
            universal_id,
            character_id,
        )

    async def complete(self, conn: asyncpg.Connection, transaction_id: int) -> None:
        await conn.execute(
            f"UPDATE {self.TABLE} SET state = 'completed', completed_at = now() WHERE id = $1",
            transaction_id,
        )
        logger.info("roleplay transaction %d completed", transaction_id)


async def active_roles(conn: asyncpg.Connection, universal_id: str, character_id: int) -> list[str]:
    """Roles the user currently plays with the character ("apprentice", "rival", ...)."""
    table = "role_transactions"
    rows = await conn.fetch(
        f"SELECT role_name FROM {table} WHERE universal_id = $1 AND character_id = $2 AND status = 'active'",
        universal_id,
        character_id,
    )
    return [r["role_name"] for r in rows]
