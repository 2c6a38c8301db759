"""HTTP routes. Handlers stay thin: validation here, data access in the service modules."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request

from app.admin import audit
from app.api.schemas import BanIn, CharacterIn, CharacterOut, MemoryIn
from app.characters.repository import CharacterRepository
from app.db.pool import acquire, init_pool
from app.memory.store import MemoryStore
from app.platform import moderation

router = APIRouter(prefix="/api")


async def get_repository() -> CharacterRepository:
    return CharacterRepository(await init_pool())


async def get_memory_store() -> MemoryStore:
    return MemoryStore(await init_pool())


@router.get("/characters/{name}", response_model=CharacterOut)
async def get_character(name: str, repo: CharacterRepository = Depends(get_repository)) -> CharacterOut:
    character = await repo.get_by_name(name)
    if character is None:
        raise HTTPException(status_code=404, detail=f"no character named {name!r}")
    return CharacterOut(
        id=character.id, name=character.name, archetype=character.archetype, description=character.description
    )


@router.post("/characters", response_model=CharacterOut, status_code=201, summary="Create a new character")
async def create_character(body: CharacterIn, repo: CharacterRepository = Depends(get_repository)) -> CharacterOut:
    character_id = await repo.create(body.name, body.archetype, body.description)
    return CharacterOut(id=character_id, name=body.name, archetype=body.archetype, description=body.description)


@router.post("/memories", status_code=201)
async def add_memory(body: MemoryIn, store: MemoryStore = Depends(get_memory_store)) -> dict[str, int]:
    memory_id = await store.add(body.universal_id, body.character_id, body.content, importance=body.importance)
    return {"id": memory_id}


@router.post("/moderation/bans", status_code=204)
async def ban_user(body: BanIn, request: Request) -> None:
    operator = request.headers.get("x-operator", "api")
    async with acquire() as conn:
        await moderation.ban(conn, body.platform, body.platform_user_id, body.reason, operator)
        await audit.record(conn, operator, "ban", f"{body.platform}:{body.platform_user_id}", reason=body.reason)
