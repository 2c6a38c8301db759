"""HTTP routes of the mood picker (the web UI's "How is she feeling?" panel)."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Depends
from pydantic import BaseModel
from sqlalchemy.ext.asyncio import AsyncSession

from app.api.dependencies import LumenModels, get_session, provide_models

router = APIRouter(prefix="/api/moods")


class MoodIn(BaseModel):
    mood: str
    intensity: float = 0.5


@router.get("/presets")
async def list_presets(
    session: AsyncSession = Depends(get_session), db: LumenModels = Depends(provide_models)
) -> list[str]:
    result = await session.execute(sa.select(db.MoodPreset).order_by(db.MoodPreset.name))
    return [preset.name for preset in result.scalars()]


@router.put("/{character_id}", status_code=204)
async def set_mood(
    character_id: int,
    body: MoodIn,
    session: AsyncSession = Depends(get_session),
    db=Depends(provide_models),  # typed by provide_models() -> LumenModels
) -> None:
    await session.execute(
        sa.insert(db.CharacterMood).values(
            character_id=character_id, mood=body.mood, intensity=body.intensity
        )
    )
    await session.commit()
