"""Long-term memory through the ORM (the asyncpg MemoryStore stays the hot path)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, with_polymorphic

import app.models as m


def recent_memories(session: Session, universal_id: str, limit: int = 20) -> list[m.MemoryEntry]:
    return (
        session.query(m.MemoryEntry)
        .filter(m.MemoryEntry.universal_id == universal_id)
        .order_by(m.MemoryEntry.created_at.desc())
        .limit(limit)
        .all()
    )


def memories_with_episodes(session: Session, universal_id: str) -> list[m.MemoryEntry]:
    memories = with_polymorphic(m.MemoryEntry, [m.EpisodicMemory])
    return list(session.scalars(select(memories).where(m.MemoryEntry.universal_id == universal_id)))


def remember_episode(session: Session, universal_id: str, character_id: int, content: str) -> None:
    session.add(m.EpisodicMemory(universal_id=universal_id, character_id=character_id, content=content, importance=0.7))


def remember_many(session: Session, universal_id: str, character_id: int, contents: list[str]) -> None:
    session.add_all(
        [
            m.MemoryEntry(universal_id=universal_id, character_id=character_id, content=content)
            for content in contents
        ]
    )


def import_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    session.bulk_insert_mappings(m.MemoryEntry, rows)


def draft(universal_id: str, character_id: int, content: str) -> m.MemoryEntry:
    entry = m.MemoryEntry(universal_id=universal_id, character_id=character_id, content=content)
    entry.importance = 0.3
    return entry


def save(session: Session, entry: m.MemoryEntry) -> None:
    # `entry` is a parameter: its type is only an annotation
    session.add(entry)
    session.flush()


def forget_unimportant(session: Session, universal_id: str, threshold: float) -> int:
    return (
        session.query(m.MemoryEntry)
        .filter(m.MemoryEntry.universal_id == universal_id, m.MemoryEntry.importance < threshold)
        .delete(synchronize_session=False)
    )


def boost(session: Session, memory_ids: list[int], delta: float) -> None:
    session.query(m.MemoryEntry).filter(m.MemoryEntry.id.in_(memory_ids)).update(
        {m.MemoryEntry.importance: m.MemoryEntry.importance + delta}, synchronize_session=False
    )
