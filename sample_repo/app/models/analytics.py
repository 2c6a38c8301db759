"""Reporting models on their own declarative base (the analytics schema is read-mostly)."""

from __future__ import annotations

from sqlalchemy import Column, Date, Integer, PrimaryKeyConstraint
from sqlalchemy.orm import declarative_base

AnalyticsBase = declarative_base()


class DailyCharacterStat(AnalyticsBase):
    __tablename__ = "daily_character_stats"
    __table_args__ = (
        PrimaryKeyConstraint("stat_date", "character_id"),
        {"schema": "analytics"},
    )

    stat_date = Column(Date, nullable=False)
    character_id = Column(Integer, nullable=False)
    message_count = Column(Integer, nullable=False, default=0)
    unique_users = Column(Integer, nullable=False, default=0)
    avg_response_ms = Column(Integer)
