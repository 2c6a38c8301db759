"""Relationship scores between a user and a character (trust, affection, attunement)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

import asyncpg

from app.db.tables import RELATIONSHIP_SCORES_TABLE

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RelationshipScores:
    trust: Decimal
    affection: Decimal
    attunement: Decimal
    interaction_count: int


async def get_scores(conn: asyncpg.Connection, universal_id: str, character_id: int) -> RelationshipScores | None:
    row = await conn.fetchrow(
        f"SELECT trust, affection, attunement, interaction_count FROM {RELATIONSHIP_SCORES_TABLE} "
        "WHERE universal_id = $1 AND character_id = $2",
        universal_id,
        character_id,
    )
    return RelationshipScores(**dict(row)) if row else None


async def record_interaction(
    conn: asyncpg.Connection, universal_id: str, character_id: int, trust_delta: Decimal
) -> None:
    await conn.execute(
        f"""
        INSERT INTO {RELATIONSHIP_SCORES_TABLE} AS rs (universal_id, character_id, trust, interaction_count)
        VALUES ($1, $2, $3, 1)
        ON CONFLICT (universal_id, character_id) DO UPDATE
            SET trust = rs.trust + EXCLUDED.trust,
                interaction_count = rs.interaction_count + 1,
                updated_at = now()
        """,
        universal_id,
        character_id,
        trust_delta,
    )


async def legacy_relationship_status(conn: asyncpg.Connection, user_id: int, character_id: int) -> str | None:
    """Status from the pre-1.0.20 relationship model, still shown on old profile pages."""
    return await conn.fetchval(
        "SELECT status FROM user_relationships WHERE user_id = $1 AND character_id = $2",
        user_id,
        character_id,
    )
