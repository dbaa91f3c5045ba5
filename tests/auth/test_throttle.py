"""Login throttling per account and per client address; no permanent lockout."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth import throttle
from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import utcnow
from ombuds.models import LoginFailure, Role
from tests.factories.accounts import PASSWORD, make_user


async def _try(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/token", data={"username": username, "password": password})


class TestPerAccount:
    async def test_five_failures_then_429_with_retry_after(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        for _ in range(throttle.ACCOUNT_FREE_FAILURES):
            assert (await _try(client, user.username, "wrong")).status_code == 401
        refused = await _try(client, user.username, PASSWORD)  # even the right password waits
        assert refused.status_code == 429
        assert refused.headers["content-type"] == "application/problem+json"
        assert 1 <= int(refused.headers["retry-after"]) <= 30
        assert refused.json()["type"].endswith("/too-many-attempts")

    async def test_the_wait_passes_and_success_clears_the_count(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        for _ in range(throttle.ACCOUNT_FREE_FAILURES):
            await _try(client, user.username, "wrong")
        await db.execute(update(LoginFailure).values(at=utcnow() - timedelta(minutes=1)))
        await db.commit()
        assert (await _try(client, user.username, PASSWORD)).status_code == 200
        remaining = await db.scalar(select(func.count()).select_from(LoginFailure))
        assert remaining == 0

    async def test_old_failures_fall_out_of_the_window(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        for _ in range(10):
            await _try(client, user.username, "wrong")
        await db.execute(update(LoginFailure).values(at=utcnow() - throttle.WINDOW))
        await db.commit()
        assert (await _try(client, user.username, PASSWORD)).status_code == 200

    async def test_unknown_accounts_are_throttled_alike(self, client: httpx.AsyncClient) -> None:
        for _ in range(throttle.ACCOUNT_FREE_FAILURES):
            await _try(client, "nobody-here", "wrong")
        assert (await _try(client, "nobody-here", "wrong")).status_code == 429

    async def test_failures_store_no_username(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        await _try(client, "Canary-Username-77", "wrong")
        row = await db.scalar(select(LoginFailure))
        assert row is not None
        assert "Canary" not in row.account_key and len(row.account_key) == 64


class TestAttemptsAtOnce:
    @pytest.mark.parametrize("attempts", [8, 12])
    async def test_failures_sent_together_get_only_the_free_ones(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, attempts: int
    ) -> None:
        """Each attempt is counted before its password is checked, where attempts racing
        on every worker and instance see it: a burst gets no more guesses than a series
        (an attempt still in flight counts until it is known, so it may get fewer)."""
        user = await make_user(db, passwords, Role.ombudsperson)
        answers = await asyncio.gather(
            *(_try(client, user.username, "wrong") for _ in range(attempts))
        )
        codes = Counter(a.status_code for a in answers)
        assert set(codes) <= {401, 429} and codes[401] + codes[429] == attempts
        assert codes[401] <= throttle.ACCOUNT_FREE_FAILURES and codes[429] > 0
        # Refused attempts leave nothing behind: only the failures are kept.
        stored = await db.scalar(select(func.count()).select_from(LoginFailure))
        assert stored == codes[401]


class TestPerClient:
    async def test_many_accounts_from_one_address_are_throttled(
        self, client: httpx.AsyncClient
    ) -> None:
        for n in range(throttle.CLIENT_MAX_FAILURES):
            assert (await _try(client, f"spray{n}", "wrong")).status_code == 401
        refused = await _try(client, "spray-next", "wrong")
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
