"""Emotional triggers: topics that make a character react strongly."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg

_TRIGGER_COLUMNS = "trigger_type, trigger_content, emotional_response, intensity"


@dataclass(frozen=True, slots=True)
class EmotionalTrigger:
    trigger_type: str
    trigger_content: str
    emotional_response: str | None
    intensity: int


async def triggers_for(conn: asyncpg.Connection, character_id: int, min_intensity: int = 3) -> list[EmotionalTrigger]:
    rows = await conn.fetch(
        f"SELECT {_TRIGGER_COLUMNS} FROM character_emotional_triggers_v2 "
        "WHERE character_id = $1 AND intensity >= $2 ORDER BY intensity DESC",
        character_id,
        min_intensity,
    )
    return [EmotionalTrigger(**dict(r)) for r in rows]


def matching_triggers(message: str, triggers: list[EmotionalTrigger]) -> list[EmotionalTrigger]:
    """Triggers whose content appears in the message (case-insensitive)."""
    lowered = message.lower()
    return [t for t in triggers if t.trigger_content.lower() in lowered]
