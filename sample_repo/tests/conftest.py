"""Fixtures for the database tests (need a throwaway PostgreSQL in LUMEN_TEST_DATABASE_URL)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import asyncpg
import pytest

TEST_DATABASE_URL = os.environ.get("LUMEN_TEST_DATABASE_URL", "postgresql://lumen@localhost/lumen_test")


@pytest.fixture
async def conn() -> AsyncIterator[asyncpg.Connection]:
    connection = await asyncpg.connect(TEST_DATABASE_URL)
    transaction = connection.transaction()
    await transaction.start()
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS test_only_fixtures (name text PRIMARY KEY, payload jsonb NOT NULL)"
    )
    try:
        yield connection
    finally:
        await transaction.rollback()
        await connection.close()
