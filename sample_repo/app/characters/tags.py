"""Character tags for the web character browser (ORM-based)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.models.character import Character, CharacterTag


async def tags_for(session: AsyncSession, character_id: int) -> list[str]:
    result = await session.scalars(
        select(CharacterTag.tag).where(CharacterTag.character_id == character_id).order_by(CharacterTag.tag)
    )
    return list(result)


async def characters_tagged(session: AsyncSession, tag: str) -> list[Character]:
    result = await session.scalars(
        select(Character).join(CharacterTag, CharacterTag.character_id == Character.id).where(CharacterTag.tag == tag)
    )
    return list(result)


async def replace_tags(session: AsyncSession, character_id: int, tags: set[str]) -> None:
    await session.execute(delete(CharacterTag).where(CharacterTag.character_id == character_id))
    session.add_all(CharacterTag(character_id=character_id, tag=tag) for tag in sorted(tags))
    await session.flush()
