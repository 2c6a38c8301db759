"""Thumbs up/down on assistant messages."""

from __future__ import annotations

from app.db.database import Database, db


async def record_feedback(
    entry_id: int,
    character_id: int,
    rating: int,
    reason_code: str | None = None,
    conn: Database | None = None,
) -> None:
    """``conn`` lets the chat pipeline pass the handle it already holds; else the service's."""
    row = {
        "conversation_entry_id": entry_id,
        "character_id": character_id,
        "rating": rating,
        "reason_code": reason_code,
    }
    await (conn or db).insert("message_feedback", row)
