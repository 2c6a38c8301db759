"""Server-rendered pages: settings, character cards and the stats dashboard."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.models.character import Character as CharacterModel
from app.models.queries import facts_of, stats_for_day

from .. import models
from ..models import profile


def settings_page(session: Session, universal_id: str) -> dict[str, object]:
    user_profile = session.get(profile.UserProfile, universal_id)
    identities = session.scalars(
        select(profile.PlatformIdentity).where(profile.PlatformIdentity.universal_id == universal_id)
    ).all()
    return {
        "display_name": user_profile.display_name if user_profile else None,
        "platforms": sorted(identity.platform for identity in identities),
    }


def save_settings(session: Session, universal_id: str, timezone: str, locale: str) -> None:
    session.execute(
        update(profile.UserProfile)
        .where(profile.UserProfile.universal_id == universal_id)
        .values(timezone=timezone, locale=locale)
    )


def create_profile(session: Session, universal_id: str, display_name: str) -> None:
    session.add(profile.UserProfile(universal_id=universal_id, display_name=display_name))


def character_page(session: Session, character_id: int) -> dict[str, object]:
    character = session.get(CharacterModel, character_id)
    voice = session.get(models.VoicedCharacter, character_id)
    return {
        "card": render_card(character) if character else None,
        "voice": {"pitch": voice.pitch, "speed": voice.speed} if voice else None,
    }


def render_card(character: CharacterModel) -> dict[str, object]:
    """Card data of a CharacterModel instance (the annotation is the only mention of the model)."""
    return {"title": character.name, "subtitle": character.archetype or ""}


def stats_page(session: Session, day: date) -> list[dict[str, object]]:
    rows = session.scalars(stats_for_day(day)).all()
    return [{"character_id": row.character_id, "messages": row.message_count} for row in rows]


def facts_page(session: Session, username: str) -> list[tuple[str, str]]:
    return [(fact.fact_key, fact.value) for fact in session.scalars(facts_of(username))]


def users_page(session: Session) -> list[str]:
    return list(session.scalars(select(models.Users.username).order_by(models.Users.id)))
