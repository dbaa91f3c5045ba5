"""Login (OAuth2 password flow), server-side sessions, logout."""

from __future__ import annotations

import threading
from datetime import timedelta
from unittest.mock import patch

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import utcnow
from ombuds.models import AuditEntry, AuthSession, Outcome, Role
from tests.factories.accounts import PASSWORD, login, make_user, signed_in


class TestToken:
    async def test_returns_a_bearer_token(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        response = await client.post(
            "/api/auth/token", data={"username": user.username.upper(), "password": PASSWORD}
        )
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"access_token", "token_type"}
        assert body["token_type"] == "bearer"

    @pytest.mark.parametrize("username", ["nobody", "USER-EXISTS"])
    async def test_wrong_credentials_get_one_generic_problem(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, username: str
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        name = user.username if username == "USER-EXISTS" else username
        response = await client.post(
            "/api/auth/token", data={"username": name, "password": "wrong password!"}
        )
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["detail"] == "Incorrect username or password."
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_unknown_user_costs_one_password_verification_like_a_known_one(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        calls: list[str] = []
        real_verify = PasswordHasher.verify

        def counting(self: PasswordHasher, hash: str, password: str) -> bool:
            calls.append(hash.split("$")[1])
            return real_verify(self, hash, password)

        with patch.object(PasswordHasher, "verify", counting):
            await client.post("/api/auth/token", data={"username": "nobody", "password": "x"})
            await client.post("/api/auth/token", data={"username": user.username, "password": "x"})
        # Both paths run exactly one argon2id verification with the same parameters.
        assert calls == ["argon2id", "argon2id"]

    async def test_the_password_is_checked_off_the_event_loop(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        """argon2id is slow on purpose; while it runs, the worker's other requests must go
        on, so it never runs on the event loop's thread."""
        user = await make_user(db, passwords, Role.ombudsperson)
        loop_thread = threading.get_ident()
        threads: list[int] = []
        real_verify = PasswordHasher.verify

        def recording(self: PasswordHasher, hash: str, password: str) -> bool:
            threads.append(threading.get_ident())
            return real_verify(self, hash, password)

        with patch.object(PasswordHasher, "verify", recording):
            ok = await client.post(
                "/api/auth/token", data={"username": user.username, "password": PASSWORD}
            )
            await client.post("/api/auth/token", data={"username": "nobody", "password": "x"})
        assert ok.status_code == 200, ok.text
        assert len(threads) == 2
        assert loop_thread not in threads

    async def test_failed_logins_are_audited_without_the_username(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        await client.post("/api/auth/token", data={"username": user.username, "password": "x"})
        await client.post("/api/auth/token", data={"username": "ghost", "password": "x"})
        entries = (
            await db.scalars(
                select(AuditEntry).where(AuditEntry.action == "auth.login").order_by(AuditEntry.seq)
            )
        ).all()
        assert [(e.object_id, e.outcome) for e in entries] == [
            (str(user.id), Outcome.denied),
            (None, Outcome.denied),
        ]

    async def test_deactivated_account_is_told_only_with_the_right_password(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson, active=False)
        right = await client.post(
            "/api/auth/token", data={"username": user.username, "password": PASSWORD}
        )
        wrong = await client.post(
            "/api/auth/token", data={"username": user.username, "password": "nope"}
        )
        assert right.status_code == wrong.status_code == 401
        assert "deactivated" in right.json()["detail"]
        assert wrong.json()["detail"] == "Incorrect username or password."

    async def test_missing_form_fields_are_named(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/auth/token", data={"username": "x"})
        assert response.status_code == 422
        assert [e["field"] for e in response.json()["errors"]] == ["password"]

    async def test_weaker_stored_hash_is_upgraded_on_login(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
        await db.execute(
            update(type(user)).where(type(user).id == user.id).values(password_hash=weak)
        )
        await db.commit()
        await login(client, user.username)
        db.expire_all()
        await db.refresh(user)
        assert user.password_hash != weak
        assert "m=1024" in user.password_hash


class TestMe:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/auth/me")
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"

    async def test_shows_the_users_roles(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, headers = await signed_in(
            db, passwords, client, Role.table_officer, Role.ombudsperson
        )
        body = (await client.get("/api/auth/me", headers=headers)).json()
        assert body["id"] == str(user.id)
        assert body["roles"] == ["ombudsperson", "table_officer"]
        assert "password_hash" not in body

    async def test_a_tampered_token_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        token = headers["Authorization"].removeprefix("Bearer ")
        head, payload, signature = token.split(".")
        forged = f"{head}.{payload}.{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"
        response = await client.get("/api/auth/me", headers={"Authorization": f"Bearer {forged}"})
        assert response.status_code == 401


class TestSessions:
    async def test_logout_ends_the_session_on_the_next_request(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        assert (await client.post("/api/auth/logout", headers=headers)).status_code == 204
        response = await client.get("/api/auth/me", headers=headers)
        assert response.status_code == 401
        assert response.json()["detail"] == "The session has ended; sign in again."

    async def test_logout_ends_only_that_session(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, first = await signed_in(db, passwords, client, Role.ombudsperson)
        second = await login(client, user.username)
        await client.post("/api/auth/logout", headers=first)
        assert (await client.get("/api/auth/me", headers=second)).status_code == 200

    async def test_idle_session_expires(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        await db.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user.id)
            .values(last_seen_at=utcnow() - timedelta(hours=2))
        )
        await db.commit()
        response = await client.get("/api/auth/me", headers=headers)
        assert response.status_code == 401
        assert "expired" in response.json()["detail"]

    async def test_session_past_its_absolute_limit_expires(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        await db.execute(
            update(AuthSession)
            .where(AuthSession.user_id == user.id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        await db.commit()
        assert (await client.get("/api/auth/me", headers=headers)).status_code == 401

    async def test_deleted_session_row_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        session_row = await db.scalar(select(AuthSession).where(AuthSession.user_id == user.id))
        await db.delete(session_row)
        await db.commit()
        assert (await client.get("/api/auth/me", headers=headers)).status_code == 401

    async def test_activity_keeps_the_session_alive(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        stale = utcnow() - timedelta(minutes=30)
        await db.execute(
            update(AuthSession).where(AuthSession.user_id == user.id).values(last_seen_at=stale)
        )
        await db.commit()
        assert (await client.get("/api/auth/me", headers=headers)).status_code == 200
        user_id = user.id
        db.expire_all()
        seen = await db.scalar(
            select(AuthSession.last_seen_at).where(AuthSession.user_id == user_id)
        )
        assert seen is not None and seen > stale + timedelta(minutes=29)
