"""Connection management.

The service talks to PostgreSQL through one asyncpg pool; batch jobs and the importer use
short-lived psycopg2 connections.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager

import asyncpg
import psycopg2
import psycopg2.extensions

from app.config import get_settings

logger = logging.getLogger(__name__)

_pool: asyncpg.Pool | None = None


async def init_pool() -> asyncpg.Pool:
    """Create the process-wide pool (idempotent)."""
    global _pool
    if _pool is None:
        settings = get_settings()
        _pool = await asyncpg.create_pool(
            settings.database_url,
            min_size=settings.pool_min_size,
            max_size=settings.pool_max_size,
        )
        logger.info("database pool ready (max %d connections)", settings.pool_max_size)
    return _pool


async def close_pool() -> None:
    global _pool
    if _pool is not None:
        await _pool.close()
        _pool = None


@asynccontextmanager
async def acquire() -> AsyncIterator[asyncpg.Connection]:
    """Borrow a connection from the pool."""
    pool = await init_pool()
    async with pool.acquire() as conn:
        yield conn


@contextmanager
def sync_connection() -> Iterator[psycopg2.extensions.connection]:
    """A psycopg2 connection for jobs that run outside the event loop."""
    conn = psycopg2.connect(get_settings().database_url)
    try:
        yield conn
    finally:
        conn.close()


async def ping() -> bool:
    """Health check used by the readiness probe."""
    async with acquire() as conn:
        return await conn.fetchval("SELECT 1") == 1
