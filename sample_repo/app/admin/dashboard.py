"""Numbers for the operator dashboard."""

from __future__ import annotations

from dataclasses import dataclass

import asyncpg


@dataclass(frozen=True, slots=True)
class DashboardOverview:
    active_conversations: int
    top_characters: list[tuple[str, int, int]]


async def overview(conn: asyncpg.Connection, top_n: int = 5) -> DashboardOverview:
    active = await conn.fetchval("SELECT count(*) FROM active_conversations")
    rows = await conn.fetch(
        "SELECT name, unique_users, message_count "
        + "FROM character_engagement_summary "
        + "ORDER BY message_count DESC LIMIT $1",
        top_n,
    )
    return DashboardOverview(
        active_conversations=active,
        top_characters=[(r["name"], r["unique_users"], r["message_count"]) for r in rows],
    )
