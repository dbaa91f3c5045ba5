from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


class TestLive:
    async def test_anonymous_gets_ok(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/health")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
        assert response.headers["cache-control"] == "no-store"


class TestReady:
    async def test_ready_when_migrated(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/ready")
        assert response.status_code == 200, response.text

    async def test_not_ready_when_schema_behind(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await db.execute(text("UPDATE alembic_version SET version_num = 'older'"))
        await db.commit()
        response = await client.get("/api/ready")
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert "ombuds migrate" in response.json()["detail"]
