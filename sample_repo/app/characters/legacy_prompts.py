"""Fallbacks for characters imported before CDL v2.

A handful of characters still have no CDL rows; for those the prompt builder falls back to
the JSON-era prompt text and speech patterns.
"""

from __future__ import annotations

import logging

import asyncpg

logger = logging.getLogger(__name__)


async def legacy_prompt(conn: asyncpg.Connection, character_id: int) -> str | None:
    prompt = await conn.fetchval(
        "SELECT prompt_text FROM character_legacy_prompts WHERE character_id = $1 "
        "ORDER BY version DESC LIMIT 1",
        character_id,
    )
    if prompt is None:
        logger.warning("character %d has neither CDL data nor a legacy prompt", character_id)
    return prompt


async def speech_patterns(conn: asyncpg.Connection, character_id: int) -> list[tuple[str, str]]:
    rows = await conn.fetch(
        """SELECT pattern_type, pattern_value
           FROM character_speech_patterns
           WHERE character_id = $1 AND frequency <> 'never'""",
        character_id,
    )
    return [(r["pattern_type"], r["pattern_value"]) for r in rows]
