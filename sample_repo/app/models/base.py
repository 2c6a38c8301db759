"""Declarative base and the mixins shared by the ORM models."""

from __future__ import annotations

import re
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


class SnakeCaseTableName:
    """Names the table after the class in snake_case (``MoodPreset`` -> ``mood_preset``).

    The naming rule of every model added since 1.0.25; the older models keep their explicit
    ``__tablename__`` (or the lowercase rule above) so existing tables are not renamed.
    """

    @declared_attr.directive
    def __tablename__(cls) -> str:
        # insert "_" before every capital letter except the first, then lowercase
        return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()
