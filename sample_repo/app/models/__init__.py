"""SQLAlchemy ORM models used by the web API."""

from app.models.base import Base
from app.models.character import Character, CharacterTag, relationship_scores_table
from app.models.profile import UserProfile

__all__ = ["Base", "Character", "CharacterTag", "UserProfile", "relationship_scores_table"]
