"""ORM models for a character's personality: traits, moods and the mood presets."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, SnakeCaseTableName, TimestampMixin
from app.models.character import Character


class CharacterOwned(Base):
    """Columns shared by every per-character table; no table of its own."""

    __abstract__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    character_id: Mapped[int] = mapped_column(ForeignKey("characters.id", ondelete="CASCADE"))


class PersonalityTrait(CharacterOwned):
    __tablename__ = "personality_traits"

    trait_name: Mapped[str] = mapped_column(String(100))
    trait_value: Mapped[float | None]
    intensity: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(Text)

    character: Mapped[Character] = relationship("Character")


class CharacterMood(TimestampMixin, CharacterOwned):
    """Current mood of a character, written by the emotion engine (table: Alembic 9b0c1d2e3f4a)."""

    __tablename__ = "character_moods"

    mood: Mapped[str] = mapped_column(String(50))
    intensity: Mapped[float] = mapped_column(default=0.5)


class MoodPreset(SnakeCaseTableName, Base):
    """A named mood the emotion engine can switch to; no ``__tablename__``: "mood_preset"."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    valence: Mapped[float]
    arousal: Mapped[float]
