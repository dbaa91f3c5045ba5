"""POST /api/users/{id}/deactivate and /reactivate: sessions end at once, sign-in stops."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuthSession, CalendarFeedToken, FeedTokenEnd, Role, User
from tests.accounts.support import assert_problem, audit_entries, reload_user
from tests.factories.accounts import PASSWORD, login, make_user, signed_in

INCORRECT = "Incorrect username or password."
DEACTIVATED = "This account is deactivated; ask an administrator."


async def try_login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/token", data={"username": username, "password": password})


async def me_status(client: httpx.AsyncClient, headers: dict[str, str]) -> int:
    return (await client.get("/api/auth/me", headers=headers)).status_code


class TestDeactivate:
    @pytest.fixture
    async def target(
        self, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
    ) -> tuple[User, dict[str, str]]:
        return await signed_in(db, passwords, client, Role.ombudsperson)

    async def test_anonymous_is_401(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: tuple[User, dict[str, str]],
    ) -> None:
        user, headers = target
        assert_problem(await client.post(f"/api/users/{user.id}/deactivate"), 401)
        assert (await reload_user(db, user.id)).is_active is True
        assert await me_status(client, headers) == 200

    async def test_without_the_right_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: tuple[User, dict[str, str]],
        without_right_headers: dict[str, str],
    ) -> None:
        user, headers = target
        response = await client.post(
            f"/api/users/{user.id}/deactivate", headers=without_right_headers
        )
        assert_problem(response, 403)
        assert (await reload_user(db, user.id)).is_active is True
        assert await me_status(client, headers) == 200

    async def test_integration_token_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: tuple[User, dict[str, str]],
        integration_headers: dict[str, str],
    ) -> None:
        user, headers = target
        response = await client.post(
            f"/api/users/{user.id}/deactivate", headers=integration_headers
        )
        assert not response.is_success
        assert_problem(response, 403)
        assert (await reload_user(db, user.id)).is_active is True
        assert await me_status(client, headers) == 200

    async def test_ends_sessions_at_once_and_stops_sign_in(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: tuple[User, dict[str, str]],
        admin: tuple[User, dict[str, str]],
    ) -> None:
        user, user_headers = target
        actor, headers = admin
        second_headers = await login(client, user.username)
        assert await me_status(client, user_headers) == 200

        response = await client.post(f"/api/users/{user.id}/deactivate", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["is_active"] is False
        assert response.json()["id"] == str(user.id)
        assert (await reload_user(db, user.id)).is_active is False

        for session_headers in (user_headers, second_headers):
            refused = await client.get("/api/auth/me", headers=session_headers)
            assert_problem(refused, 401)
            assert refused.headers["www-authenticate"] == "Bearer"
        sessions = (
            await db.scalars(
                select(AuthSession)
                .where(AuthSession.user_id == user.id)
                .execution_options(populate_existing=True)
            )
        ).all()
        assert len(sessions) == 2
        assert all(s.revoked_at is not None for s in sessions)
        assert {s.revoked_reason for s in sessions} == {"deactivated"}

        [entry] = await audit_entries(db, "users.deactivate")
        assert (entry.actor_id, entry.object_id) == (actor.id, str(user.id))
        # the administrator's own session is untouched
        assert await me_status(client, headers) == 200

    async def test_sign_in_says_deactivated_only_with_the_right_password(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: tuple[User, dict[str, str]],
        admin_headers: dict[str, str],
    ) -> None:
        user, _ = target
        response = await client.post(f"/api/users/{user.id}/deactivate", headers=admin_headers)
        assert response.status_code == 200, response.text

        right = assert_problem(await try_login(client, user.username, PASSWORD), 401)
        assert right["detail"] == DEACTIVATED
        wrong = assert_problem(await try_login(client, user.username, "wrong password!!"), 401)
        assert wrong["detail"] == INCORRECT
        unknown = assert_problem(await try_login(client, "nobody-here", PASSWORD), 401)
        assert unknown["detail"] == INCORRECT

    async def test_cannot_deactivate_themselves(
        self, client: httpx.AsyncClient, db: AsyncSession, admin: tuple[User, dict[str, str]]
    ) -> None:
        actor, headers = admin
        response = await client.post(f"/api/users/{actor.id}/deactivate", headers=headers)
        assert_problem(response, 409)
        assert (await reload_user(db, actor.id)).is_active is True
        assert await me_status(client, headers) == 200
        assert await audit_entries(db, "users.deactivate") == []

    async def test_unknown_user_is_404(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.post(f"/api/users/{uuid.uuid4()}/deactivate", headers=admin_headers)
        assert_problem(response, 404)


class TestReactivate:
    @pytest.fixture
    async def target(self, db: AsyncSession, passwords: Passwords) -> User:
        return await make_user(db, passwords, Role.table_officer, active=False)

    async def test_anonymous_is_401(
        self, client: httpx.AsyncClient, db: AsyncSession, target: User
    ) -> None:
        assert_problem(await client.post(f"/api/users/{target.id}/reactivate"), 401)
        assert (await reload_user(db, target.id)).is_active is False

    async def test_without_the_right_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        without_right_headers: dict[str, str],
    ) -> None:
        response = await client.post(
            f"/api/users/{target.id}/reactivate", headers=without_right_headers
        )
        assert_problem(response, 403)
        assert (await reload_user(db, target.id)).is_active is False

    async def test_integration_token_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        integration_headers: dict[str, str],
    ) -> None:
        response = await client.post(
            f"/api/users/{target.id}/reactivate", headers=integration_headers
        )
        assert not response.is_success
        assert_problem(response, 403)
        assert (await reload_user(db, target.id)).is_active is False

    async def test_restores_sign_in(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        admin: tuple[User, dict[str, str]],
    ) -> None:
        actor, headers = admin
        refused = assert_problem(await try_login(client, target.username, PASSWORD), 401)
        assert refused["detail"] == DEACTIVATED

        response = await client.post(f"/api/users/{target.id}/reactivate", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json()["is_active"] is True
        assert (await reload_user(db, target.id)).is_active is True

        user_headers = await login(client, target.username)
        me = await client.get("/api/auth/me", headers=user_headers)
        assert me.status_code == 200, me.text
        assert me.json()["roles"] == ["table_officer"]
        [entry] = await audit_entries(db, "users.activate")
        assert (entry.actor_id, entry.object_id) == (actor.id, str(target.id))

    async def test_does_not_revive_ended_sessions(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        user, user_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        for action in ("deactivate", "reactivate"):
            response = await client.post(f"/api/users/{user.id}/{action}", headers=admin_headers)
            assert response.status_code == 200, response.text
        assert_problem(await client.get("/api/auth/me", headers=user_headers), 401)

    async def test_does_not_revive_the_old_feed_link(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        user, user_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        made = await client.post("/api/calendar/feed", headers=user_headers)
        path = "/api/feeds/" + made.json()["url"].rsplit("/", 1)[1]
        assert (await client.get(path)).status_code == 200
        for action in ("deactivate", "reactivate"):
            response = await client.post(f"/api/users/{user.id}/{action}", headers=admin_headers)
            assert response.status_code == 200, response.text
        assert_problem(await client.get(path), 410)
        ended = await db.scalar(
            select(CalendarFeedToken)
            .where(CalendarFeedToken.user_id == user.id)
            .execution_options(populate_existing=True)
        )
        assert ended is not None and ended.ended_how is FeedTokenEnd.revoked
        # Signed in again, they see no feed, and a new link is a new token.
        again = await login(client, user.username)
        status = await client.get("/api/calendar/feed", headers=again)
        assert status.json()["exists"] is False
        fresh = await client.post("/api/calendar/feed", headers=again)
        assert fresh.json()["url"] != made.json()["url"]
        assert (
            await client.get("/api/feeds/" + fresh.json()["url"].rsplit("/", 1)[1])
        ).status_code == 200

    async def test_unknown_user_is_404(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.post(f"/api/users/{uuid.uuid4()}/reactivate", headers=admin_headers)
        assert_problem(response, 404)
