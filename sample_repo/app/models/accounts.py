"""Web login accounts and the facts learned about them (the Alembic baseline's tables)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, LowercaseTableNameMixin, TimestampMixin


class Users(LowercaseTableNameMixin, TimestampMixin, Base):
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str | None] = mapped_column(String(255))

    facts: Mapped[list[UserFact]] = relationship(back_populates="user")


class UserFact(TimestampMixin, Base):
    __tablename__ = "user_facts"
    __table_args__ = {"schema": "public"}

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    fact_key: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column("fact_value", Text)
    confidence: Mapped[float | None]
    # the "source" column (Alembic 2a3b4c5d6e7f) was never added here

    user: Mapped[Users] = relationship(back_populates="facts")
