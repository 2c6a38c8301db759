"""Bulk import of memories exported from the v1 bot (CSV).

Rows are streamed into a staging table with COPY, validated against ``universal_users`` and
moved into ``memory_entries`` in one statement.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterable
from dataclasses import astuple, dataclass

import psycopg2.extensions

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ImportedMemory:
    universal_id: str
    character_id: int
    memory_type: str
    content: str
    importance: float | None


def import_memories(conn: psycopg2.extensions.connection, memories: Iterable[ImportedMemory]) -> int:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for memory in memories:
        writer.writerow(astuple(memory))
    buffer.seek(0)

    with conn.cursor() as cur:
        cur.execute(
            """
            CREATE TABLE IF NOT EXISTS memory_import_staging (
                universal_id VARCHAR(255) NOT NULL,
                character_id INTEGER NOT NULL,
                memory_type VARCHAR(50) NOT NULL,
                content TEXT NOT NULL,
                importance REAL
            )
            """
        )
        cur.execute("TRUNCATE memory_import_staging")
        cur.copy_expert(
            "COPY memory_import_staging (universal_id, character_id, memory_type, content, importance) "
            "FROM STDIN WITH (FORMAT csv)",
            buffer,
        )
        cur.execute(
            """
            INSERT INTO memory_entries (universal_id, character_id, memory_type, content, importance, source)
            SELECT s.universal_id, s.character_id, s.memory_type, s.content, coalesce(s.importance, 0.5), 'import'
            FROM memory_import_staging s
            JOIN universal_users u ON u.universal_id = s.universal_id
            """
        )
        imported = cur.rowcount
        cur.execute("DROP TABLE IF EXISTS memory_import_staging")
    conn.commit()
    logger.info("imported %d memories", imported)
    return imported
