"""Simple key/value facts about users (favourite colour, pet's name...)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True)
class UserFact:
    key: str
    value: str
    confidence: float


async def facts_for_user(session: AsyncSession, user_id: int) -> list[UserFact]:
    result = await session.execute(
        text(
            "SELECT fact_key, fact_value, confidence FROM user_facts "
            "WHERE user_id = :user_id ORDER BY created_at DESC"
        ),
        {"user_id": user_id},
    )
    return [UserFact(key, value, confidence) for key, value, confidence in result.all()]


async def remember_fact(session: AsyncSession, user_id: int, key: str, value: str, confidence: float) -> None:
    await session.execute(
        text(
            "INSERT INTO user_facts (user_id, fact_key, fact_value, confidence) "
            "VALUES (:user_id, :key, :value, :confidence)"
        ),
        {"user_id": user_id, "key": key, "value": value, "confidence": confidence},
    )
