"""Character browsing and personality editing for the web API.

Everything here goes through the ORM: Character rows, their PersonalityTrait and CharacterMood
children and the relationship_scores Table object.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session, aliased

from app.models import Character, CharacterMood, PersonalityTrait, relationship_scores_table

logger = logging.getLogger(__name__)


def list_active(session: Session) -> list[Character]:
    return list(session.scalars(select(Character).where(Character.is_active.is_(True))))


def get_character(session: Session, character_id: int) -> Character | None:
    return session.get(Character, character_id)


def count_characters(session: Session) -> int:
    return session.scalar(select(func.count(Character.id))) or 0


def traits_by_name(session: Session, normalized_name: str) -> list[PersonalityTrait]:
    stmt = (
        select(PersonalityTrait)
        .join(Character)
        .where(Character.normalized_name == normalized_name)
        .order_by(PersonalityTrait.trait_name)
    )
    return list(session.scalars(stmt))


def characters_sharing_traits(session: Session, character_id: int) -> list[int]:
    other = aliased(PersonalityTrait)
    stmt = (
        select(other.character_id, PersonalityTrait.trait_name)
        .join(other, other.trait_name == PersonalityTrait.trait_name)
        .where(PersonalityTrait.character_id == character_id)
        .where(other.character_id != PersonalityTrait.character_id)
    )
    return sorted({row[0] for row in session.execute(stmt)})


def set_trait(session: Session, character_id: int, trait_name: str, value: float) -> None:
    result = session.execute(
        update(PersonalityTrait)
        .where(PersonalityTrait.character_id == character_id)
        .where(PersonalityTrait.trait_name == trait_name)
        .values(trait_value=value)
    )
    if result.rowcount == 0:
        session.execute(
            insert(PersonalityTrait).values(character_id=character_id, trait_name=trait_name, trait_value=value)
        )
    logger.info("Character %s: trait %s set to %s", character_id, trait_name, value)


def upsert_character(session: Session, character_id: int, name: str) -> Character:
    return session.merge(Character(id=character_id, name=name, normalized_name=name.lower()))


def record_mood(session: Session, character_id: int, mood: str, intensity: float) -> None:
    session.execute(delete(CharacterMood).where(CharacterMood.character_id == character_id))
    session.add(CharacterMood(character_id=character_id, mood=mood, intensity=intensity))


def neutral_mood(character_id: int) -> CharacterMood:
    return CharacterMood(character_id=character_id, mood="neutral", intensity=0.5)


def describe(obj: object) -> str:
    # isinstance() is a type test, not a table access
    if isinstance(obj, Character):
        return f"Character {obj.name}"
    return repr(obj)


def character_card(character: Character) -> dict[str, object]:
    return {"id": character.id, "name": character.name, "kind": "Character"}


def relationship_score(session: Session, universal_id: str, character_id: int) -> dict[str, object] | None:
    stmt = select(relationship_scores_table).where(
        relationship_scores_table.c.universal_id == universal_id,
        relationship_scores_table.c.character_id == character_id,
    )
    row = session.execute(stmt).mappings().first()
    return dict(row) if row else None


def all_scores(session: Session) -> list[dict[str, object]]:
    return [dict(row) for row in session.execute(relationship_scores_table.select()).mappings()]


def start_relationship(session: Session, universal_id: str, character_id: int) -> None:
    session.execute(
        relationship_scores_table.insert().values(
            universal_id=universal_id,
            character_id=character_id,
            trust=0,
            affection=0,
            attunement=0,
            interaction_count=0,
            updated_at=func.now(),
        )
    )


def bump_interactions(session: Session, universal_id: str, character_id: int) -> None:
    session.execute(
        relationship_scores_table.update()
        .where(relationship_scores_table.c.universal_id == universal_id)
        .where(relationship_scores_table.c.character_id == character_id)
        .values(interaction_count=relationship_scores_table.c.interaction_count + 1, updated_at=func.now())
    )
