"""Long-term memory.

Memories are short facts and episodes distilled from conversations; the prompt builder pulls
the most recent and most important ones for the user/character pair.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Final

import asyncpg

logger = logging.getLogger(__name__)

_TABLE: Final = "memory_entries"


@dataclass(frozen=True, slots=True)
class Memory:
    id: int
    memory_type: str
    content: str
    importance: float
    created_at: datetime


class MemoryStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add(
        self,
        universal_id: str,
        character_id: int,
        content: str,
        *,
        memory_type: str = "conversation",
        importance: float = 0.5,
        source: str = "conversation",
    ) -> int:
        async with self._pool.acquire() as conn:
            return await conn.fetchval(
                f"""
                INSERT INTO {_TABLE} (universal_id, character_id, memory_type, content, importance, source)
                VALUES ($1, $2, $3, $4, $5, $6)
                RETURNING id
                """,
                universal_id,
                character_id,
                memory_type,
                content,
                importance,
                source,
            )

    async def recent(self, universal_id: str, character_id: int, limit: int = 20) -> list[Memory]:
        """Return the newest memories of a user with one character.

        Equivalent to SELECT * FROM memory_entries WHERE universal_id = $1 ORDER BY created_at DESC,
        restricted to the columns the prompt builder reads.
        """
        async with self._pool.acquire() as conn:
            rows = await conn.fetch(
                f"SELECT id, memory_type, content, importance, created_at FROM {_TABLE} "
                "WHERE universal_id = $1 AND character_id = $2 ORDER BY created_at DESC LIMIT $3",
                universal_id,
                character_id,
                limit,
            )
        return [Memory(**dict(r)) for r in rows]

    async def forget_user(self, universal_id: str) -> int:
        """Right-to-be-forgotten: remove every memory of a user."""
        async with self._pool.acquire() as conn:
            status = await conn.execute(f"DELETE FROM {_TABLE} WHERE universal_id = $1", universal_id)
        removed = int(status.split()[-1])
        logger.info("forgot %d memories of %s", removed, universal_id)
        return removed
