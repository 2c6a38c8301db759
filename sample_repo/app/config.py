"""Runtime configuration read from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    pool_min_size: int = 2
    pool_max_size: int = 10
    memory_retention_days: int = 365
    enrichment_batch_size: int = 100
    discord_token: str | None = None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Build the settings once per process."""
    return Settings(
        database_url=os.environ.get("LUMEN_DATABASE_URL", "postgresql://lumen@localhost/lumen"),
        pool_min_size=int(os.environ.get("LUMEN_POOL_MIN", "2")),
        pool_max_size=int(os.environ.get("LUMEN_POOL_MAX", "10")),
        memory_retention_days=int(os.environ.get("LUMEN_MEMORY_RETENTION_DAYS", "365")),
        enrichment_batch_size=int(os.environ.get("LUMEN_ENRICHMENT_BATCH", "100")),
        discord_token=os.environ.get("DISCORD_BOT_TOKEN"),
    )
