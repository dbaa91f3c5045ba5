"""/api/service-accounts: the integrations that act through scoped API tokens."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import ServiceAccount, User
from tests.accounts.support import assert_problem, audit_entries, error_rules, make_account

ACCOUNT_FIELDS = {"id", "name", "is_active", "created_at"}


async def count_accounts(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(ServiceAccount)) or 0)


class TestList:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/api/service-accounts"), 401)

    async def test_without_the_right_is_403(
        self, client: httpx.AsyncClient, without_right_headers: dict[str, str]
    ) -> None:
        response = await client.get("/api/service-accounts", headers=without_right_headers)
        assert_problem(response, 403)

    async def test_integration_token_is_403(
        self, client: httpx.AsyncClient, integration_headers: dict[str, str]
    ) -> None:
        response = await client.get("/api/service-accounts", headers=integration_headers)
        assert not response.is_success
        assert_problem(response, 403)

    async def test_lists_accounts_by_name(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        calendar = await make_account(db, "calendar")
        backup = await make_account(db, "backup")
        response = await client.get("/api/service-accounts", headers=admin_headers)
        assert response.status_code == 200, response.text
        items = response.json()
        assert all(set(item) == ACCOUNT_FIELDS for item in items)
        assert [(i["id"], i["name"], i["is_active"]) for i in items] == [
            (str(backup.id), "backup", True),
            (str(calendar.id), "calendar", True),
        ]


class TestCreate:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        response = await client.post("/api/service-accounts", json={"name": "calendar"})
        assert_problem(response, 401)
        assert await count_accounts(db) == 0

    async def test_without_the_right_is_403(
        self, client: httpx.AsyncClient, db: AsyncSession, without_right_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            "/api/service-accounts", json={"name": "calendar"}, headers=without_right_headers
        )
        assert_problem(response, 403)
        assert await count_accounts(db) == 0

    async def test_integration_token_is_403(
        self, client: httpx.AsyncClient, db: AsyncSession, integration_headers: dict[str, str]
    ) -> None:
        before = await count_accounts(db)
        response = await client.post(
            "/api/service-accounts", json={"name": "calendar"}, headers=integration_headers
        )
        assert not response.is_success
        assert_problem(response, 403)
        assert await count_accounts(db) == before

    async def test_creates_an_account(
        self, client: httpx.AsyncClient, db: AsyncSession, admin: tuple[User, dict[str, str]]
    ) -> None:
        actor, headers = admin
        response = await client.post(
            "/api/service-accounts", json={"name": "  calendar  "}, headers=headers
        )
        assert response.status_code == 201, response.text
        out = response.json()
        assert set(out) == ACCOUNT_FIELDS
        assert (out["name"], out["is_active"]) == ("calendar", True)
        account = await db.get(ServiceAccount, uuid.UUID(out["id"]))
        assert account is not None and account.name == "calendar"
        [entry] = await audit_entries(db, "service_accounts.create")
        assert (entry.actor_id, entry.object_id) == (actor.id, out["id"])

    async def test_duplicate_name_is_409(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        await make_account(db, "calendar")
        response = await client.post(
            "/api/service-accounts", json={"name": "calendar"}, headers=admin_headers
        )
        assert error_rules(assert_problem(response, 409, "name"), "name") == {"unique"}
        assert await count_accounts(db) == 1

    @pytest.mark.parametrize(
        ("body", "field", "rule"),
        [
            pytest.param({"name": ""}, "name", "string_too_short", id="empty"),
            pytest.param({"name": "   "}, "name", "string_too_short", id="blank"),
            pytest.param({"name": "x" * 101}, "name", "string_too_long", id="long"),
            pytest.param({}, "name", "missing", id="missing"),
            pytest.param(
                {"name": "calendar", "is_active": False}, "is_active", "extra_forbidden", id="extra"
            ),
        ],
    )
    async def test_invalid_input_is_422(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        body: dict[str, Any],
        field: str,
        rule: str,
    ) -> None:
        response = await client.post("/api/service-accounts", json=body, headers=admin_headers)
        assert rule in error_rules(assert_problem(response, 422, field), field)
        assert await count_accounts(db) == 0
