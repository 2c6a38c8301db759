"""SQLAlchemy ORM models used by the web API."""

from app.models.accounts import UserFact, Users
from app.models.analytics import AnalyticsBase, DailyCharacterStat
from app.models.base import Base
from app.models.character import Character, CharacterTag, relationship_scores_table
from app.models.memory import EpisodicMemory, MemoryEntry
from app.models.personality import CharacterMood, MoodPreset, PersonalityTrait
from app.models.profile import PlatformIdentity, UserProfile
from app.models.voice import VoicedCharacter

__all__ = [
    "AnalyticsBase",
    "Base",
    "Character",
    "CharacterMood",
    "CharacterTag",
    "DailyCharacterStat",
    "EpisodicMemory",
    "MemoryEntry",
    "MoodPreset",
    "PersonalityTrait",
    "PlatformIdentity",
    "UserFact",
    "UserProfile",
    "Users",
    "VoicedCharacter",
    "relationship_scores_table",
]
