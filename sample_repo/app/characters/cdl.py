"""CDL (Character Definition Language) integration.

Builds the structured personality block of a character's system prompt from the CDL tables.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import asyncpg

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class CdlProfile:
    character_id: int
    full_name: str | None = None
    traits: list[tuple[str, float, str]] = field(default_factory=list)
    values: list[tuple[str, str]] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    relationships: list[tuple[str, str, int]] = field(default_factory=list)


async def load_profile(conn: asyncpg.Connection, character_id: int) -> CdlProfile:
    """Load everything the prompt builder needs for one character."""
    profile = CdlProfile(character_id=character_id)

    identity = await conn.fetchrow(
        """
        SELECT ci.full_name, ci.nickname, ci.location
        FROM characters c
        LEFT JOIN character_identity ci ON ci.character_id = c.id
        WHERE c.id = $1
        """,
        character_id,
    )
    if identity is not None:
        profile.full_name = identity["full_name"]

    traits = await conn.fetch(
        """
        SELECT pt.trait_name, pt.trait_value, pt.intensity
        FROM personality_traits pt
        WHERE pt.character_id = $1
        ORDER BY pt.trait_value DESC NULLS LAST
        """,
        character_id,
    )
    profile.traits = [(r["trait_name"], r["trait_value"], r["intensity"]) for r in traits]

    values = await conn.fetch(
        "SELECT value_key, value_description FROM character_values WHERE character_id = $1",
        character_id,
    )
    profile.values = [(r["value_key"], r["value_description"]) for r in values]

    for row in await conn.fetch(
        "SELECT category, description FROM character_attributes WHERE character_id = $1",
        character_id,
    ):
        profile.attributes.setdefault(row["category"], []).append(row["description"])

    relationships = await conn.fetch(
        """
        SELECT related_entity, relationship_type, strength
        FROM character_relationships
        WHERE character_id = $1 AND strength >= 5
        ORDER BY strength DESC
        """,
        character_id,
    )
    profile.relationships = [
        (r["related_entity"], r["relationship_type"], r["strength"]) for r in relationships
    ]
    logger.debug("loaded CDL profile for character %d", character_id)
    return profile


async def question_templates(
    conn: asyncpg.Connection, character_id: int, category: str
) -> list[tuple[str, str | None]]:
    """Follow-up questions the character may ask, with the answer it gave last time."""
    rows = await conn.fetch(
        """
        SELECT qt.template_text, qa.answer_text
        FROM character_question_templates qt
        LEFT JOIN character_question_answers qa
            ON qa.template_id = qt.id AND qa.character_id = qt.character_id
        WHERE qt.character_id = $1 AND qt.category = $2
        ORDER BY qt.priority DESC
        """,
        character_id,
        category,
    )
    return [(r["template_text"], r["answer_text"]) for r in rows]


async def entity_categories(conn: asyncpg.Connection, character_id: int) -> dict[str, str]:
    rows = await conn.fetch(
        "SELECT entity_keyword, category FROM character_entity_categories "
        "WHERE character_id = $1 AND confidence >= $2",
        character_id,
        0.6,
    )
    return {r["entity_keyword"]: r["category"] for r in rows}
