"""Characters that speak: joined-table inheritance onto character_voice_profiles."""

from __future__ import annotations

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from app.models.character import Character


class VoicedCharacter(Character):
    __tablename__ = "character_voice_profiles"

    character_id: Mapped[int] = mapped_column(ForeignKey("characters.id"), primary_key=True)
    pitch: Mapped[float | None]
    speed: Mapped[float | None]
