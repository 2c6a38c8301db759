"""Enrichment worker: turns fresh memories into knowledge-graph facts."""

from __future__ import annotations

import asyncio
import logging

import asyncpg

from ..config import get_settings
from ..db.pool import acquire
from ..db.queries import LIST_PENDING_FACT_ENTITIES

logger = logging.getLogger(__name__)


class EnrichmentWorker:
    def __init__(self, poll_interval: float = 30.0) -> None:
        self._poll_interval = poll_interval
        self._batch_size = get_settings().enrichment_batch_size

    async def run_forever(self) -> None:
        while True:
            try:
                linked = await self.run_once()
            except asyncpg.PostgresError:
                logger.exception("enrichment pass failed")
                linked = 0
            if linked == 0:
                await asyncio.sleep(self._poll_interval)

    async def run_once(self) -> int:
        async with acquire() as conn:
            pending = await conn.fetch(LIST_PENDING_FACT_ENTITIES, self._batch_size)
            if not pending:
                return 0
            linked = await link_mentions(conn, "enrichment")
        logger.info("enrichment: %d pending entities, %d links created", len(pending), linked)
        return linked


async def link_mentions(conn: asyncpg.Connection, mentioned_by: str) -> int:
    """Link users to the entities their recent memories mention."""
    status = await conn.execute(
        """
        INSERT INTO user_fact_relationships (user_id, entity_id, relationship_type, confidence, mentioned_by_character)
        SELECT DISTINCT m.universal_id, fe.id, 'mentioned', 0.6, $1
        FROM memory_entries m
        JOIN fact_entities fe ON m.content ILIKE '%' || fe.entity_name || '%'
        WHERE m.created_at > now() - interval '1 day'
        ON CONFLICT (user_id, entity_id, relationship_type) DO NOTHING
        """,
        mentioned_by,
    )
    return int(status.split()[-1])
