"""The floor: a bare FastAPI app on the same server and database, whose endpoint does one
primary-key SELECT and returns a small JSON object. Every figure is a ratio to it."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


def create_app() -> FastAPI:
    engine = create_async_engine(os.environ["OMBUDS_DATABASE_URL"], pool_size=10)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get("/floor/{complaint_id}")
    async def floor(complaint_id: uuid.UUID) -> dict[str, str]:
        async with engine.connect() as connection:
            row = (
                await connection.execute(
                    text("SELECT id, stage FROM complaints WHERE id = :id"), {"id": complaint_id}
                )
            ).one()
        return {"id": str(row.id), "stage": row.stage}

    return app
