"""/api/service-accounts/{id}/tokens: scoped API tokens, shown once, stored hashed."""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

import httpx
import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.principal import PrincipalKind
from ombuds.auth.service import resolve_bearer
from ombuds.kit.errors import Unauthenticated
from ombuds.models import ApiToken, Scope, ServiceAccount, User
from ombuds.settings import Settings
from tests.accounts.support import assert_problem, audit_entries, error_rules, make_account
from tests.factories.accounts import make_api_token

TOKEN_FIELDS = {"id", "prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"}
READ = {"scopes": ["deadlines:read"]}
READ_SCOPES = (Scope.deadlines_read,)


async def count_tokens(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(ApiToken)) or 0)


async def assert_token_refused(db: AsyncSession, settings: Settings, token: str) -> None:
    """Rolls ``db`` back afterwards, which expires every object it holds."""
    with pytest.raises(Unauthenticated):
        await resolve_bearer(db, settings, token)
    await db.rollback()


async def assert_token_accepted(
    db: AsyncSession, settings: Settings, token: str, account_id: uuid.UUID
) -> None:
    principal = await resolve_bearer(db, settings, token)
    await db.rollback()
    assert principal.kind is PrincipalKind.service
    assert principal.id == account_id
    assert principal.scopes == {"deadlines:read"}
    assert principal.roles == frozenset()


class Issued(NamedTuple):
    account_id: uuid.UUID
    token_id: uuid.UUID
    token: str


class TestListTokens:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        account, _ = await make_api_token(db)
        assert_problem(await client.get(f"/api/service-accounts/{account.id}/tokens"), 401)

    async def test_without_the_right_is_403(
        self, client: httpx.AsyncClient, db: AsyncSession, without_right_headers: dict[str, str]
    ) -> None:
        account, _ = await make_api_token(db)
        response = await client.get(
            f"/api/service-accounts/{account.id}/tokens", headers=without_right_headers
        )
        assert_problem(response, 403)

    async def test_integration_token_is_403_even_for_its_own_account(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        account, token = await make_api_token(db, *READ_SCOPES)
        response = await client.get(
            f"/api/service-accounts/{account.id}/tokens",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert not response.is_success
        assert_problem(response, 403)
        assert token not in response.text

    async def test_shows_prefix_scopes_and_dates_never_the_token(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        account = await make_account(db)
        issued = await client.post(
            f"/api/service-accounts/{account.id}/tokens", json=READ, headers=admin_headers
        )
        assert issued.status_code == 201, issued.text
        token = issued.json()["token"]

        response = await client.get(
            f"/api/service-accounts/{account.id}/tokens", headers=admin_headers
        )
        assert response.status_code == 200, response.text
        [item] = response.json()
        assert set(item) == TOKEN_FIELDS
        assert item["id"] == issued.json()["id"]
        assert item["prefix"] == token[:12]
        assert item["scopes"] == ["deadlines:read"]
        assert item["created_at"] == issued.json()["created_at"]
        assert (item["expires_at"], item["revoked_at"]) == (None, None)
        assert token not in response.text
        assert token[12:] not in response.text
        assert hashlib.sha256(token.encode()).hexdigest() not in response.text

    async def test_lists_only_this_accounts_tokens(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        account, _ = await make_api_token(db, *READ_SCOPES)
        await make_api_token(db, *READ_SCOPES)
        response = await client.get(
            f"/api/service-accounts/{account.id}/tokens", headers=admin_headers
        )
        assert response.status_code == 200, response.text
        [item] = response.json()
        row = await db.scalar(select(ApiToken).where(ApiToken.service_account_id == account.id))
        assert row is not None and item["id"] == str(row.id)

    async def test_unknown_account_is_404(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.get(
            f"/api/service-accounts/{uuid.uuid4()}/tokens", headers=admin_headers
        )
        assert_problem(response, 404)


class TestIssueToken:
    @pytest.fixture
    async def account(self, db: AsyncSession) -> ServiceAccount:
        return await make_account(db)

    async def test_anonymous_is_401(
        self, client: httpx.AsyncClient, db: AsyncSession, account: ServiceAccount
    ) -> None:
        response = await client.post(f"/api/service-accounts/{account.id}/tokens", json=READ)
        assert_problem(response, 401)
        assert await count_tokens(db) == 0

    async def test_without_the_right_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        account: ServiceAccount,
        without_right_headers: dict[str, str],
    ) -> None:
        response = await client.post(
            f"/api/service-accounts/{account.id}/tokens", json=READ, headers=without_right_headers
        )
        assert_problem(response, 403)
        assert await count_tokens(db) == 0

    async def test_integration_token_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        account: ServiceAccount,
        integration_headers: dict[str, str],
    ) -> None:
        before = await count_tokens(db)
        response = await client.post(
            f"/api/service-accounts/{account.id}/tokens", json=READ, headers=integration_headers
        )
        assert not response.is_success
        assert_problem(response, 403)
        assert await count_tokens(db) == before

    async def test_issues_a_token_shown_once(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        account: ServiceAccount,
        admin: tuple[User, dict[str, str]],
    ) -> None:
        actor, headers = admin
        response = await client.post(
            f"/api/service-accounts/{account.id}/tokens", json=READ, headers=headers
        )
        assert response.status_code == 201, response.text
        out = response.json()
        assert set(out) == {*TOKEN_FIELDS, "token"}
        token = out["token"]
        assert token.startswith("omb_")
        assert len(token) >= 40
        assert out["prefix"] == token[:12]
        assert out["scopes"] == ["deadlines:read"]
        assert (out["expires_at"], out["revoked_at"], out["last_used_at"]) == (None, None, None)

        row = await db.get(ApiToken, uuid.UUID(out["id"]))
        assert row is not None
        assert row.service_account_id == account.id
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        [entry] = await audit_entries(db, "api_tokens.issue")
        assert (entry.actor_id, entry.object_id) == (actor.id, out["id"])
        await assert_token_accepted(db, settings, token, account.id)

    async def test_database_holds_only_the_hash(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        account: ServiceAccount,
        admin_headers: dict[str, str],
    ) -> None:
        response = await client.post(
            f"/api/service-accounts/{account.id}/tokens", json=READ, headers=admin_headers
        )
        assert response.status_code == 201, response.text
        token = response.json()["token"]
        secret = token.removeprefix("omb_")
        rows = (await db.execute(text("SELECT * FROM api_tokens"))).all()
        assert len(rows) == 1
        for value in rows[0]:
            assert secret not in str(value)
        assert hashlib.sha256(token.encode()).hexdigest() in {str(v) for v in rows[0]}

    async def test_token_is_not_a_user(
        self,
        client: httpx.AsyncClient,
        account: ServiceAccount,
        admin_headers: dict[str, str],
    ) -> None:
        response = await client.post(
            f"/api/service-accounts/{account.id}/tokens", json=READ, headers=admin_headers
        )
        assert response.status_code == 201, response.text
        bearer = {"Authorization": f"Bearer {response.json()['token']}"}
        assert_problem(await client.get("/api/auth/me", headers=bearer), 403)
        assert_problem(await client.post("/api/auth/logout", headers=bearer), 403)

    async def test_expiry_is_kept(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        account: ServiceAccount,
        admin_headers: dict[str, str],
    ) -> None:
        expires = datetime(2031, 1, 31, 12, 0, tzinfo=UTC)
        response = await client.post(
            f"/api/service-accounts/{account.id}/tokens",
            json={**READ, "expires_at": expires.isoformat()},
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        assert datetime.fromisoformat(response.json()["expires_at"]) == expires
        row = await db.get(ApiToken, uuid.UUID(response.json()["id"]))
        assert row is not None and row.expires_at == expires

    async def test_expired_token_is_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        account: ServiceAccount,
        admin_headers: dict[str, str],
    ) -> None:
        past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
        refused = await client.post(
            f"/api/service-accounts/{account.id}/tokens",
            json={**READ, "expires_at": past},
            headers=admin_headers,
        )
        assert refused.status_code == 422
        assert [(e["field"], e["rule"], e["message"]) for e in refused.json()["errors"]] == [
            ("expires_at", "in_future", "must be in the future")
        ]
        soon = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
        response = await client.post(
            f"/api/service-accounts/{account.id}/tokens",
            json={**READ, "expires_at": soon},
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        await db.execute(
            update(ApiToken)
            .where(ApiToken.id == uuid.UUID(response.json()["id"]))
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await db.commit()
        await assert_token_refused(db, settings, response.json()["token"])

    async def test_expiry_without_a_time_zone_is_422(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        account: ServiceAccount,
        admin_headers: dict[str, str],
    ) -> None:
        response = await client.post(
            f"/api/service-accounts/{account.id}/tokens",
            json={**READ, "expires_at": "2031-01-31T12:00:00"},
            headers=admin_headers,
        )
        assert_problem(response, 422, "expires_at")
        assert await count_tokens(db) == 0

    @pytest.mark.parametrize(
        ("body", "field", "rule"),
        [
            pytest.param({"scopes": ["complaints:write"]}, "scopes.0", "enum", id="unknown"),
            pytest.param({"scopes": []}, "scopes", "too_short", id="empty"),
            pytest.param({}, "scopes", "missing", id="missing"),
            pytest.param({**READ, "revoked_at": None}, "revoked_at", "extra_forbidden", id="extra"),
        ],
    )
    async def test_invalid_input_is_422(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        account: ServiceAccount,
        admin_headers: dict[str, str],
        body: dict[str, Any],
        field: str,
        rule: str,
    ) -> None:
        response = await client.post(
            f"/api/service-accounts/{account.id}/tokens", json=body, headers=admin_headers
        )
        assert rule in error_rules(assert_problem(response, 422, field), field)
        assert await count_tokens(db) == 0

    async def test_unknown_account_is_404(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        response = await client.post(
            f"/api/service-accounts/{uuid.uuid4()}/tokens", json=READ, headers=admin_headers
        )
        assert_problem(response, 404)
        assert await count_tokens(db) == 0


class TestRevokeToken:
    @pytest.fixture
    async def issued(self, db: AsyncSession) -> Issued:
        account, token = await make_api_token(db, *READ_SCOPES)
        row = await db.scalar(select(ApiToken).where(ApiToken.service_account_id == account.id))
        assert row is not None
        return Issued(account.id, row.id, token)

    @staticmethod
    def url(account_id: uuid.UUID, token_id: uuid.UUID) -> str:
        return f"/api/service-accounts/{account_id}/tokens/{token_id}/revoke"

    async def test_anonymous_is_401(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        issued: Issued,
    ) -> None:
        account_id, token_id, token = issued
        assert_problem(await client.post(self.url(account_id, token_id)), 401)
        await assert_token_accepted(db, settings, token, account_id)

    async def test_without_the_right_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        issued: Issued,
        without_right_headers: dict[str, str],
    ) -> None:
        account_id, token_id, token = issued
        response = await client.post(self.url(account_id, token_id), headers=without_right_headers)
        assert_problem(response, 403)
        await assert_token_accepted(db, settings, token, account_id)

    async def test_integration_token_cannot_revoke_itself(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        issued: Issued,
    ) -> None:
        account_id, token_id, token = issued
        response = await client.post(
            self.url(account_id, token_id), headers={"Authorization": f"Bearer {token}"}
        )
        assert not response.is_success
        assert_problem(response, 403)
        await assert_token_accepted(db, settings, token, account_id)

    async def test_revoked_token_is_refused_at_once(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        issued: Issued,
        admin: tuple[User, dict[str, str]],
    ) -> None:
        account_id, token_id, token = issued
        actor_id, headers = admin[0].id, admin[1]
        await assert_token_accepted(db, settings, token, account_id)

        response = await client.post(self.url(account_id, token_id), headers=headers)
        assert response.status_code == 200, response.text
        out = response.json()
        assert set(out) == TOKEN_FIELDS
        assert out["id"] == str(token_id)
        assert out["revoked_at"] is not None
        await assert_token_refused(db, settings, token)

        listed = await client.get(f"/api/service-accounts/{account_id}/tokens", headers=headers)
        assert [t["revoked_at"] for t in listed.json()] == [out["revoked_at"]]
        [entry] = await audit_entries(db, "api_tokens.revoke")
        assert (entry.actor_id, entry.object_id) == (actor_id, str(token_id))

        again = await client.post(self.url(account_id, token_id), headers=headers)
        assert again.status_code == 200, again.text
        assert again.json()["revoked_at"] == out["revoked_at"]
        assert len(await audit_entries(db, "api_tokens.revoke")) == 1

    async def test_token_of_another_account_is_404(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        settings: Settings,
        issued: Issued,
        admin_headers: dict[str, str],
    ) -> None:
        account_id, token_id, token = issued
        other_id = (await make_account(db)).id
        response = await client.post(self.url(other_id, token_id), headers=admin_headers)
        assert_problem(response, 404)
        await assert_token_accepted(db, settings, token, account_id)
        refreshed = await db.scalar(
            select(ApiToken)
            .where(ApiToken.id == token_id)
            .execution_options(populate_existing=True)
        )
        assert refreshed is not None and refreshed.revoked_at is None

    async def test_unknown_token_is_404(
        self,
        client: httpx.AsyncClient,
        issued: Issued,
        admin_headers: dict[str, str],
    ) -> None:
        account_id, _, _ = issued
        response = await client.post(self.url(account_id, uuid.uuid4()), headers=admin_headers)
        assert_problem(response, 404)

    async def test_unknown_account_is_404(
        self,
        client: httpx.AsyncClient,
        issued: Issued,
        admin_headers: dict[str, str],
    ) -> None:
        _, token_id, _ = issued
        response = await client.post(self.url(uuid.uuid4(), token_id), headers=admin_headers)
        assert_problem(response, 404)
