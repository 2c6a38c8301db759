"""ORM models for characters and their tags (used by the web character browser)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, Numeric, String, Table, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base


class Character(Base):
    __tablename__ = "characters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    normalized_name: Mapped[str] = mapped_column(String(100), unique=True)
    bot_name: Mapped[str | None] = mapped_column(String(100))
    archetype: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    tags: Mapped[list[CharacterTag]] = relationship(back_populates="character")


class CharacterTag(Base):
    __tablename__ = "character_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    character_id: Mapped[int] = mapped_column(ForeignKey("characters.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    character: Mapped[Character] = relationship(back_populates="tags")


relationship_scores_table = Table(
    "relationship_scores",
    Base.metadata,
    Column("universal_id", String(255), primary_key=True),
    Column("character_id", Integer, ForeignKey("characters.id"), primary_key=True),
    Column("trust", Numeric(5, 2), nullable=False),
    Column("affection", Numeric(5, 2), nullable=False),
    Column("attunement", Numeric(5, 2), nullable=False),
    Column("interaction_count", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
