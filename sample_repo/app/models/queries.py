"""Statement builders shared by the services and the web views (no model is declared here)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, select

from . import analytics
from .accounts import UserFact, Users


def stats_for_day(day: date) -> Select[tuple[analytics.DailyCharacterStat]]:
    return select(analytics.DailyCharacterStat).where(analytics.DailyCharacterStat.stat_date == day)


def facts_of(username: str) -> Select[tuple[UserFact]]:
    return (
        select(UserFact)
        .join(Users)
        .where(Users.username == username)
        .order_by(UserFact.fact_key)
    )
