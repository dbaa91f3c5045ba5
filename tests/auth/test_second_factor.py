"""TOTP second factor: enrolment, sign-in with a code, codes usable once, required roles."""

from __future__ import annotations

import asyncio
import time

import httpx
import pyotp
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.main import create_app
from ombuds.models import Role, User
from tests.conftest import make_settings
from tests.factories.accounts import PASSWORD, login, make_user


async def _enrol(client: httpx.AsyncClient, headers: dict[str, str]) -> pyotp.TOTP:
    started = await client.post("/api/auth/second-factor", headers=headers)
    assert started.status_code == 201
    totp = pyotp.TOTP(started.json()["secret"])
    assert started.json()["otpauth_uri"].startswith("otpauth://totp/Ombuds:")
    confirmed = await client.post(
        "/api/auth/second-factor/confirm", headers=headers, json={"code": totp.now()}
    )
    assert confirmed.status_code == 204
    return totp


class TestSignInWithCode:
    async def test_code_required_then_accepted_once(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        totp = await _enrol(client, await login(client, user.username))
        form = {"username": user.username, "password": PASSWORD}
        missing = await client.post("/api/auth/token", data=form)
        assert missing.status_code == 401
        assert missing.json()["type"].endswith("/second-factor-required")
        # The code used to confirm the enrolment is spent; the next step's code works once.
        code = totp.at(int(time.time()) + 30)
        first = await client.post("/api/auth/token", data={**form, "otp": code})
        assert first.status_code == 200, first.text
        again = await client.post("/api/auth/token", data={**form, "otp": code})
        assert again.status_code == 401
        assert again.json()["type"].endswith("/second-factor-wrong")

    @pytest.mark.parametrize("attempts", [2, 4])  # fewer than the throttle lets through
    async def test_one_code_sent_at_once_signs_in_once(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, attempts: int
    ) -> None:
        """Sign-ins racing with one code (on one worker or several) cannot both use it:
        the time step is taken in the database, not judged from a row read earlier."""
        user = await make_user(db, passwords, Role.ombudsperson)
        totp = await _enrol(client, await login(client, user.username))
        form = {"username": user.username, "password": PASSWORD}
        code = totp.at(int(time.time()) + 30)
        answers = await asyncio.gather(
            *(client.post("/api/auth/token", data={**form, "otp": code}) for _ in range(attempts))
        )
        assert sorted(a.status_code for a in answers) == [200] + [401] * (attempts - 1)
        assert all(
            a.json()["type"].endswith("/second-factor-wrong")
            for a in answers
            if a.status_code == 401
        )

    async def test_secret_is_stored_encrypted(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        username = user.username
        headers = await login(client, username)
        secret = (await client.post("/api/auth/second-factor", headers=headers)).json()["secret"]
        db.expire_all()
        stored = await db.scalar(select(User.totp_secret).where(User.username == username))
        assert stored is not None and secret.encode() not in stored

    async def test_a_wrong_code_does_not_confirm(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        headers = await login(client, user.username)
        await client.post("/api/auth/second-factor", headers=headers)
        refused = await client.post(
            "/api/auth/second-factor/confirm", headers=headers, json={"code": "000000"}
        )
        assert refused.status_code in (422,)
        assert refused.json()["errors"][0]["field"] == "code"
        me = (await client.get("/api/auth/me", headers=headers)).json()
        assert me["second_factor_enabled"] is False


class TestRequiredBySetting:
    @pytest.mark.parametrize("role", [Role.administrator, Role.ombudsperson, Role.table_officer])
    async def test_session_can_only_enrol_until_it_has_a_second_factor(
        self, database_url: str, role: Role
    ) -> None:
        app = create_app(make_settings(database_url, require_second_factor=True))
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                async with app.state.sessionmaker() as db:
                    user = await make_user(db, app.state.passwords, role)
                headers = await login(client, user.username)
                me = (await client.get("/api/auth/me", headers=headers)).json()
                assert me["second_factor_pending"] is True
                blocked = await client.get("/api/grounds", headers=headers)
                assert blocked.status_code == 403
                assert "second factor" in blocked.json()["detail"]
                await _enrol(client, headers)
                assert (await client.get("/api/grounds", headers=headers)).status_code == 200

    async def test_staff_resources_are_not_asked(self, database_url: str) -> None:
        app = create_app(make_settings(database_url, require_second_factor=True))
        async with LifespanManager(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
                async with app.state.sessionmaker() as db:
                    user = await make_user(db, app.state.passwords, Role.staff_resource)
                headers = await login(client, user.username)
                assert (await client.get("/api/grounds", headers=headers)).status_code == 200
