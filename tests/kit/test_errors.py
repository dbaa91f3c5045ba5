"""Every 4xx and 5xx is RFC 9457 problem+json; nothing internal leaks."""

from __future__ import annotations

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.access import Public
from ombuds.auth.passwords import Passwords
from ombuds.main import create_app
from ombuds.models import Role, Unit
from tests.conftest import make_settings
from tests.factories.accounts import signed_in

PROBLEM = "application/problem+json"


async def _units(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Unit)) or 0)


class TestProblemDetails:
    async def test_unknown_route_is_a_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/nowhere")
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["status"] == 404

    async def test_wrong_method_is_a_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/api/health")
        assert response.status_code == 405
        assert response.headers["content-type"] == PROBLEM

    async def test_malformed_json_names_the_body(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units",
            content=b'{"code": "X1", "name": ',
            headers={**headers, "content-type": "application/json"},
        )
        assert response.status_code == 422
        body = response.json()
        assert response.headers["content-type"] == PROBLEM
        assert body["errors"][0]["rule"] == "json_invalid"
        assert await _units(db) == 0

    async def test_wrong_type_and_extra_field_name_field_and_rule(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units",
            json={"code": "X1", "name": "Unit", "is_affiliates": "perhaps", "colour": "red"},
            headers=headers,
        )
        assert response.status_code == 422
        errors = {(e["field"], e["rule"]) for e in response.json()["errors"]}
        assert errors == {("is_affiliates", "bool_parsing"), ("colour", "extra_forbidden")}
        assert "perhaps" not in response.text
        assert await _units(db) == 0


class TestBodyLimit:
    async def test_oversized_body_is_refused_before_parsing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units", json={"code": "X1", "name": "n" * (2 * 1024 * 1024)}, headers=headers
        )
        assert response.status_code == 413
        assert response.headers["content-type"] == PROBLEM
        assert response.headers["cache-control"] == "no-store"
        assert await _units(db) == 0

    async def test_chunked_body_without_length_is_counted(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)

        async def chunks():  # type: ignore[no-untyped-def]
            for _ in range(40):
                yield b"x" * 65536

        response = await client.post(
            "/api/units",
            content=chunks(),
            headers={**headers, "content-type": "application/json"},
        )
        assert response.status_code == 413
        assert await _units(db) == 0


class TestCrash:
    @pytest.fixture
    async def crashing_app(self, database_url: str) -> FastAPI:
        app = create_app(make_settings(database_url))

        @app.get("/api/crash-test")
        async def crash(_: Public) -> None:
            raise RuntimeError("secret member name Canary-Quokka in SQL parameters")

        return app

    async def test_500_is_a_problem_without_internals(
        self, crashing_app: FastAPI, caplog: pytest.LogCaptureFixture
    ) -> None:
        async with LifespanManager(crashing_app):
            transport = httpx.ASGITransport(app=crashing_app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                response = await client.get("/api/crash-test")
        assert response.status_code == 500
        assert response.headers["content-type"] == PROBLEM
        assert "Canary-Quokka" not in response.text
        assert "RuntimeError" not in response.text
        assert "Traceback" not in response.text
        logged = [r.getMessage() for r in caplog.records if r.name == "ombuds.errors"]
        assert logged == ["unhandled error: RuntimeError"]
