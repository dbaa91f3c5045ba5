"""/api/calendar/feed: create or rotate, see, and revoke one's secret feed URL."""

from __future__ import annotations

import hashlib

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, CalendarFeedToken, FeedTokenEnd, Role
from tests.calendars.support import problem
from tests.factories.accounts import signed_in
from tests.factories.calendars import create_feed, feed_path

ROLES = [Role.ombudsperson, Role.staff_resource, Role.table_officer, Role.administrator]


async def tokens(db: AsyncSession) -> list[CalendarFeedToken]:
    rows = await db.scalars(
        select(CalendarFeedToken)
        .order_by(CalendarFeedToken.created_at)
        .execution_options(populate_existing=True)
    )
    return list(rows)


async def audited(db: AsyncSession, action: str) -> int:
    return len(list(await db.scalars(select(AuditEntry).where(AuditEntry.action == action))))


class TestCreateFeed:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        problem(await client.post("/api/calendar/feed"), 401)
        assert await tokens(db) == []

    @pytest.mark.parametrize("role", ROLES)
    async def test_every_user_gets_a_secret_url_shown_once_and_stored_hashed(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        user, headers = await signed_in(db, passwords, client, role)
        feed = await create_feed(client, headers)
        token = feed["url"].rsplit("/", 1)[1].removesuffix(".ics")
        assert len(token) == 43  # 256 random bits, URL-safe base64
        assert feed["url"] == f"http://testserver/api/feeds/{token}.ics"
        assert feed["webcal_url"] == f"webcal://testserver/api/feeds/{token}.ics"
        (row,) = await tokens(db)
        assert row.user_id == user.id and row.ended_at is None
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in {str(v) for v in vars(row).values()}
        assert await audited(db, "calendar.create_feed") == 1

    async def test_a_second_call_rotates(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        first = await create_feed(client, headers)
        second = await create_feed(client, headers)
        assert first["url"] != second["url"]
        old, new = await tokens(db)
        assert (old.ended_how, new.ended_at) == (FeedTokenEnd.rotated, None)
        problem(await client.get(feed_path(first)), 410)
        assert (await client.get(feed_path(second))).status_code == 200
        assert await audited(db, "calendar.rotate_feed") == 1


class TestGetFeed:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        problem(await client.get("/api/calendar/feed"), 401)

    async def test_shows_whether_a_feed_exists_never_the_url(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        none = await client.get("/api/calendar/feed", headers=headers)
        assert none.json() == {"exists": False, "created_at": None}
        feed = await create_feed(client, headers)
        some = await client.get("/api/calendar/feed", headers=headers)
        assert some.json() == {"exists": True, "created_at": feed["created_at"]}
        assert feed["url"].rsplit("/", 1)[1].removesuffix(".ics") not in some.text

    async def test_someone_elses_feed_is_not_theirs(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, mine = await signed_in(db, passwords, client, Role.ombudsperson)
        await create_feed(client, mine)
        _, theirs = await signed_in(db, passwords, client, Role.ombudsperson)
        response = await client.get("/api/calendar/feed", headers=theirs)
        assert response.json() == {"exists": False, "created_at": None}


class TestRevokeFeed:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        problem(await client.delete("/api/calendar/feed"), 401)

    async def test_without_a_feed_is_404(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        problem(await client.delete("/api/calendar/feed", headers=headers), 404)

    async def test_revoking_turns_the_url_off_and_leaves_others_alone(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, mine = await signed_in(db, passwords, client, Role.ombudsperson)
        _, theirs = await signed_in(db, passwords, client, Role.ombudsperson)
        my_feed = await create_feed(client, mine)
        their_feed = await create_feed(client, theirs)
        assert (await client.delete("/api/calendar/feed", headers=mine)).status_code == 204
        problem(await client.get(feed_path(my_feed)), 410)
        assert (await client.get(feed_path(their_feed))).status_code == 200
        status = await client.get("/api/calendar/feed", headers=mine)
        assert status.json()["exists"] is False
        assert await audited(db, "calendar.revoke_feed") == 1
        problem(await client.delete("/api/calendar/feed", headers=mine), 404)
