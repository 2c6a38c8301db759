"""Character learning: insights, learning timeline and personality evolution.

Characters notice things about themselves over many conversations; this module records
those observations and adjusts trait values slowly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

import asyncpg

logger = logging.getLogger(__name__)

MAX_TRAIT_STEP = 0.05


@dataclass(frozen=True, slots=True)
class Insight:
    insight_type: str
    content: str
    confidence: float
    discovered_at: datetime


async def record_insight(
    conn: asyncpg.Connection, character_id: int, insight_type: str, content: str, confidence: float
) -> None:
    async with conn.transaction():
        await conn.execute(
            "INSERT INTO character_insights (character_id, insight_type, content, confidence) "
            "VALUES ($1, $2, $3, $4)",
            character_id,
            insight_type,
            content,
            confidence,
        )
        await conn.execute(
            """
            INSERT INTO character_learning_timeline (character_id, learning_event, learning_type, significance)
            VALUES ($1, $2, 'insight', $3)
            """,
            character_id,
            content,
            confidence,
        )


async def recent_insights(conn: asyncpg.Connection, character_id: int, limit: int = 10) -> list[Insight]:
    rows = await conn.fetch(
        """
        SELECT insight_type, content, confidence, discovered_at
        FROM character_insights
        WHERE character_id = $1
        ORDER BY discovered_at DESC
        LIMIT $2
        """,
        character_id,
        limit,
    )
    return [Insight(**dict(r)) for r in rows]


async def abilities(conn: asyncpg.Connection, character_id: int) -> list[str]:
    rows = await conn.fetch(
        "SELECT ability_name FROM character_abilities WHERE proficiency >= 7 AND character_id = "
        + str(int(character_id))
    )
    return [r["ability_name"] for r in rows]


async def trait_links(conn: asyncpg.Connection, character_id: int) -> list[tuple[str, str, float]]:
    rows = await conn.fetch(
        """
        SELECT trait_a, trait_b, relationship_strength
        FROM character_trait_relationships
        WHERE character_id = $1
        """,
        character_id,
    )
    return [(r["trait_a"], r["trait_b"], r["relationship_strength"]) for r in rows]


async def evolve_trait(
    conn: asyncpg.Connection, character_id: int, trait_name: str, delta: float, reason: str
) -> float:
    """Nudge a trait by at most MAX_TRAIT_STEP and keep the history."""
    step = max(-MAX_TRAIT_STEP, min(MAX_TRAIT_STEP, delta))
    async with conn.transaction():
        old_value = await conn.fetchval(
            "SELECT trait_value FROM personality_traits WHERE character_id = $1 AND trait_name = $2 FOR UPDATE",
            character_id,
            trait_name,
        )
        new_value = min(1.0, max(0.0, (old_value or 0.5) + step))
        await conn.execute(
            "UPDATE personality_traits SET trait_value = $3 WHERE character_id = $1 AND trait_name = $2",
            character_id,
            trait_name,
            new_value,
        )
        await conn.execute(
            """
            INSERT INTO personality_evolution_timeline (character_id, trait_name, old_value, new_value, reason)
            VALUES ($1, $2, $3, $4, $5)
            """,
            character_id,
            trait_name,
            old_value,
            new_value,
            reason,
        )
    logger.info("trait %s of character %d: %.3f -> %.3f", trait_name, character_id, old_value or 0.5, new_value)
    return new_value
