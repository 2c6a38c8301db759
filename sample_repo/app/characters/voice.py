"""Voice samples recorded for a character (read back by the TTS tuning screen)."""

from __future__ import annotations

import asyncpg

from app.db.database import Database


async def record_voice_sample(db: Database, character_id: int, text: str) -> None:
    await db.insert("voice_samples", {"character_id": character_id, "sample_text": text})


async def recent_voice_samples(db: Database, character_id: int) -> list[asyncpg.Record]:
    return await db.fetch_rows(
        "SELECT sample_text, recorded_at FROM voice_samples WHERE character_id = $1 "
        "ORDER BY recorded_at DESC LIMIT 20",
        character_id,
        table_hint="voice_samples",
    )
