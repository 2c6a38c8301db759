"""Memory store and conversation tests."""

from __future__ import annotations

import json

import asyncpg

from app.memory.conversations import transcript


async def _load_fixture(conn: asyncpg.Connection, name: str) -> dict:
    payload = await conn.fetchval("SELECT payload FROM test_only_fixtures WHERE name = $1", name)
    return json.loads(payload)


async def test_transcript_is_chronological(conn: asyncpg.Connection) -> None:
    await conn.execute(
        "INSERT INTO test_only_fixtures (name, payload) VALUES ($1, $2::jsonb)",
        "conversation",
        json.dumps({"entries": ["hi", "hello", "how are you?"]}),
    )
    fixture = await _load_fixture(conn, "conversation")
    conversation_id = await conn.fetchval(
        "INSERT INTO conversations (universal_id, character_id, platform) VALUES ('u1', 1, 'test') RETURNING id"
    )
    for text in fixture["entries"]:
        await conn.execute(
            "INSERT INTO conversation_entries (conversation_id, role, content) VALUES ($1, 'user', $2)",
            conversation_id,
            text,
        )
    entries = await transcript(conn, conversation_id)
    assert [e.content for e in entries] == fixture["entries"]
