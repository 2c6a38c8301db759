"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from pydantic import BaseModel, Field


class CharacterIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    archetype: str = "real-world"
    description: str | None = None


class CharacterOut(BaseModel):
    id: int
    name: str
    archetype: str | None = None
    description: str | None = None


class MemoryIn(BaseModel):
    universal_id: str
    character_id: int
    content: str = Field(min_length=1, max_length=4000)
    importance: float = Field(default=0.5, ge=0.0, le=1.0)


class BanIn(BaseModel):
    platform: str
    platform_user_id: str
    reason: str
