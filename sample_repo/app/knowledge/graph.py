"""Knowledge graph queries (SQLAlchemy Core over the async engine)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RelatedEntity:
    entity_id: int
    name: str
    entity_type: str
    depth: int


async def related_entities(session: AsyncSession, entity_id: int, max_depth: int = 2) -> list[RelatedEntity]:
    """Entities reachable from ``entity_id`` in at most ``max_depth`` hops."""
    result = await session.execute(
        text(
            """
            WITH RECURSIVE related(entity_id, depth) AS (
                SELECT er.to_entity_id, 1
                FROM entity_relationships er
                WHERE er.from_entity_id = :entity_id
                UNION ALL
                SELECT er.to_entity_id, related.depth + 1
                FROM entity_relationships er
                JOIN related ON er.from_entity_id = related.entity_id
                WHERE related.depth < :max_depth
            )
            SELECT fe.id, fe.entity_name, fe.entity_type, min(related.depth) AS depth
            FROM related
            JOIN fact_entities fe ON fe.id = related.entity_id
            GROUP BY fe.id, fe.entity_name, fe.entity_type
            ORDER BY depth, fe.entity_name
            """
        ),
        {"entity_id": entity_id, "max_depth": max_depth},
    )
    return [RelatedEntity(*row) for row in result.all()]


async def facts_about_user(session: AsyncSession, universal_id: str) -> list[tuple[str, str, str]]:
    result = await session.execute(
        text(
            "SELECT fe.entity_name, fe.entity_type, ufr.relationship_type "
            "FROM user_fact_relationships ufr JOIN fact_entities fe ON fe.id = ufr.entity_id "
            "WHERE ufr.user_id = :user_id AND ufr.confidence >= :min_confidence"
        ),
        {"user_id": universal_id, "min_confidence": 0.5},
    )
    return [tuple(row) for row in result.all()]


async def upsert_entity(session: AsyncSession, entity_type: str, name: str, category: str | None) -> int:
    result = await session.execute(
        text(
            """
            INSERT INTO fact_entities (entity_type, entity_name, category)
            VALUES (:entity_type, :name, :category)
            ON CONFLICT (entity_type, entity_name) DO UPDATE SET category = EXCLUDED.category
            RETURNING id
            """
        ),
        {"entity_type": entity_type, "name": name, "category": category},
    )
    entity_id = result.scalar_one()
    logger.debug("entity %s/%s -> %d", entity_type, name, entity_id)
    return entity_id
