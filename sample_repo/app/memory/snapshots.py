"""Periodic summaries of what a character remembers about a user."""

from __future__ import annotations

import asyncpg

from app.db.database import Database


async def save_snapshot(pool: asyncpg.Pool, character_id: int, user_id: int, summary: str) -> None:
    """Called by the summariser worker, which has its own pool."""
    db = Database(pool)
    row = {"character_id": character_id, "user_id": user_id, "summary_text": summary}
    await db.insert("memory_snapshots", {**row, "source": "summariser"})
