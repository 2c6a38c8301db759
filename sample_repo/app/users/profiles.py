"""User profiles (timezone, locale, bio), edited from the web settings page."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass

import psycopg2.extensions

logger = logging.getLogger(__name__)

SETTINGS_PAGE_TITLE = "Update your profile settings"


@dataclass(slots=True)
class Profile:
    universal_id: str
    display_name: str | None = None
    timezone: str = "UTC"
    locale: str = "en"
    bio: str | None = None


def get_profile(conn: psycopg2.extensions.connection, universal_id: str) -> Profile | None:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT display_name, timezone, locale, bio FROM user_profiles WHERE universal_id = %s",
            (universal_id,),
        )
        row = cur.fetchone()
    if row is None:
        return None
    display_name, tz, locale, bio = row
    return Profile(universal_id, display_name, tz, locale, bio)


def save_profile(conn: psycopg2.extensions.connection, profile: Profile) -> None:
    with conn.cursor() as cur:
        cur.execute(
            """
            INSERT INTO user_profiles (universal_id, display_name, timezone, locale, bio, updated_at)
            VALUES (%(universal_id)s, %(display_name)s, %(timezone)s, %(locale)s, %(bio)s, now())
            ON CONFLICT (universal_id) DO UPDATE SET
                display_name = EXCLUDED.display_name,
                timezone = EXCLUDED.timezone,
                locale = EXCLUDED.locale,
                bio = EXCLUDED.bio,
                updated_at = EXCLUDED.updated_at
            """,
            asdict(profile),
        )
    conn.commit()
    logger.info("profile saved for %s", profile.universal_id)
