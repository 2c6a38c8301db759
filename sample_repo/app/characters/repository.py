"""Character lookup and persistence."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import asyncpg

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Character:
    id: int
    name: str
    normalized_name: str
    bot_name: str | None
    archetype: str | None
    description: str | None


@dataclass(frozen=True, slots=True)
class CharacterDeployment:
    character: Character
    status: str
    ability_count: int


class CharacterRepository:
    """Reads and writes rows of the ``characters`` table."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def get_by_name(self, name: str) -> Character | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                "SELECT id, name, normalized_name, bot_name, archetype, description "
                "FROM characters WHERE normalized_name = $1",
                name.strip().lower(),
            )
        return Character(**dict(row)) if row else None

    async def list_names(self, archetype: str) -> list[tuple[int, str]]:
        async with self._pool.acquire() as conn:
            rows = await conn.fetch("SELECT id, name FROM characters WHERE archetype = $1 AND is_active", archetype)
        return [(row["id"], row["name"]) for row in rows]

    async def get_deployment(self, bot_name: str) -> CharacterDeployment | None:
        async with self._pool.acquire() as conn:
            row = await conn.fetchrow(
                """
                SELECT c.id, c.name, c.normalized_name, c.bot_name, c.archetype, c.description,
                       d.status, count(a.id) AS ability_count
                FROM characters c
                JOIN bot_deployments d ON d.character_id = c.id
                LEFT JOIN character_abilities a
                    ON a.character_id = c.id
                WHERE d.bot_name = $1
                GROUP BY c.id, d.status
                """,
                bot_name,
            )
        if row is None:
            return None
        character = Character(
            id=row["id"],
            name=row["name"],
            normalized_name=row["normalized_name"],
            bot_name=row["bot_name"],
            archetype=row["archetype"],
            description=row["description"],
        )
        return CharacterDeployment(character, row["status"], row["ability_count"])

    async def create(self, name: str, archetype: str, description: str | None) -> int:
        async with self._pool.acquire() as conn:
            character_id = await conn.fetchval(
                """
                INSERT INTO characters (name, normalized_name, archetype, description)
                VALUES ($1, $2, $3, $4)
                RETURNING id
                """,
                name,
                name.strip().lower(),
                archetype,
                description,
            )
        logger.info("created character %s (%d)", name, character_id)
        return character_id

    async def deactivate(self, character_id: int) -> None:
        async with self._pool.acquire() as conn:
            await conn.execute(
                "UPDATE characters SET is_active = false, updated_at = now() WHERE id = $1",
                character_id,
            )
