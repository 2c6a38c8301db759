"""Declarative base and the mixins shared by the ORM models."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, func
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column


class Base(DeclarativeBase):
    pass


class TimestampMixin:
    """Creation time, filled in by the database."""

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class LowercaseTableNameMixin:
    """Names the table after the class (``Users`` -> ``users``), as the first web prototype did."""

    @declared_attr
    def __tablename__(cls) -> str:
        return cls.__name__.lower()
