"""Ban checks for the web API, through a lightweight table construct (no mapped class)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

banned_users = sa.table(
    "banned_users",
    sa.column("platform"),
    sa.column("platform_user_id"),
    sa.column("expires_at"),
)


def banned_ids(session: Session, platform: str) -> set[str]:
    stmt = sa.select(banned_users.c.platform_user_id).where(banned_users.c.platform == platform)
    return set(session.scalars(stmt))


def is_banned(session: Session, platform: str, platform_user_id: str) -> bool:
    stmt = sa.select(banned_users.c.expires_at).where(
        banned_users.c.platform == platform,
        banned_users.c.platform_user_id == platform_user_id,
    )
    return session.execute(stmt).first() is not None
