"""ORM models for user profiles (read by the web settings page) and platform identities."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Integer, String, Table, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class UserProfile(Base):
    __tablename__ = "user_profiles"

    universal_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(255))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str] = mapped_column(String(16), default="en")
    bio: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), onupdate=func.now())


class PlatformIdentity(Base):
    """Mapped onto an explicit Table (the columns mirror 00_init.sql one for one)."""

    __table__ = Table(
        "platform_identities",
        Base.metadata,
        Column("id", Integer, primary_key=True),
        Column("universal_id", String(255), nullable=False, index=True),
        Column("platform", String(50), nullable=False),
        Column("platform_user_id", String(255), nullable=False),
        Column("username", String(255)),
        Column("linked_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    )
