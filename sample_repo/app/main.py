"""Service entry point: ``uvicorn app.main:app`` or ``python -m app.main --discord``."""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from app.api import moods
from app.api.routes import router
from app.db.bootstrap import ensure_runtime_schema
from app.db.pool import acquire, close_pool, init_pool
from app.enrichment.worker import EnrichmentWorker

logger = logging.getLogger("lumen")


@asynccontextmanager
async def lifespan(_: FastAPI) -> AsyncIterator[None]:
    await init_pool()
    async with acquire() as conn:
        await ensure_runtime_schema(conn)
    worker = asyncio.create_task(EnrichmentWorker().run_forever())
    try:
        yield
    finally:
        worker.cancel()
        await close_pool()


app = FastAPI(title="Lumen", lifespan=lifespan)
app.include_router(router)
app.include_router(moods.router)


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the Lumen service")
    parser.add_argument("--discord", action="store_true", help="start the Discord bot instead of the API")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO)
    if args.discord:
        logger.error("the Discord gateway lives in the lumen-discord package")
        raise SystemExit(2)
    import uvicorn

    uvicorn.run(app, host="0.0.0.0", port=8080)


if __name__ == "__main__":
    main()
