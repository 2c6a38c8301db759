"""What the mood handlers receive through ``Depends``.

Handlers never import the ORM classes themselves: they get a ``LumenModels`` and write
``db.MoodPreset``, so the tests (and the multi-tenant build) hand in other classes without
patching imports.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from app.config import get_settings
from app.models import CharacterMood, MoodPreset


class LumenModels:
    """The mapped classes the handlers may use."""

    @property
    def CharacterMood(self) -> type[CharacterMood]:
        return CharacterMood

    @property
    def MoodPreset(self) -> type[MoodPreset]:
        return MoodPreset


def provide_models() -> LumenModels:
    return LumenModels()


async def get_session() -> AsyncIterator[AsyncSession]:
    url = get_settings().database_url.replace("postgresql://", "postgresql+asyncpg://", 1)
    sessions = async_sessionmaker(create_async_engine(url))
    async with sessions() as session:
        yield session
