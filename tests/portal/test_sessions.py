"""A party's session and what they learn of it: /api/portal/me and signing out; idle and
absolute expiry; the complaint's closing (read-only, then nothing) and destruction."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.kit.clock import local_today, utcnow
from ombuds.models import Complaint, PortalSession
from ombuds.settings import Settings
from tests.portal.support import Case, bearer, party_in, refused, sign_in


async def _close(client: httpx.AsyncClient, case: Case) -> None:
    etag = (await client.get(case.url, headers=case.staff)).headers["ETag"]
    r = await client.post(f"{case.url}/withdraw", headers={**case.staff, "If-Match": etag})
    assert r.status_code == 200, r.text


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.get("/api/portal/me", headers=bearer(token))


@pytest.mark.clause("4.3.1(vii)")
class TestMe:
    async def test_the_party_their_complaint_and_the_session(
        self, client: httpx.AsyncClient, case: Case, settings: Settings
    ) -> None:
        party = await party_in(client, case)
        r = await _me(client, party["access_token"])
        assert r.status_code == 200
        body = r.json()
        assert set(body) == {"party", "reference", "read_only", "session_expires_at"}
        assert (body["party"], body["reference"], body["read_only"]) == (
            "other_party",
            case.reference,
            False,
        )
        # The idle timeout comes first: 15 minutes from this request.
        idle = timedelta(minutes=settings.portal_session_idle_minutes)
        assert idle == timedelta(minutes=15)
        ends = body["session_expires_at"]
        assert abs((utcnow() + idle) - datetime.fromisoformat(ends)) < timedelta(seconds=30)

    async def test_closing_gives_read_only_then_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, settings: Settings
    ) -> None:
        party = await party_in(client, case)
        await _close(client, case)
        r = await _me(client, party["access_token"])
        assert r.status_code == 200 and r.json()["read_only"] is True
        signed = await sign_in(client, party["sign_in_id"])
        assert signed.status_code == 200  # within the grace period, read-only
        # The last day of the grace period, then the day after.
        cid = uuid.UUID(case.id)
        last = local_today() - timedelta(days=settings.portal_grace_days)
        await db.execute(update(Complaint).where(Complaint.id == cid).values(closed_on=last))
        await db.commit()
        assert (await _me(client, party["access_token"])).json()["read_only"] is True
        await db.execute(
            update(Complaint).where(Complaint.id == cid).values(closed_on=last - timedelta(days=1))
        )
        await db.commit()
        assert (await _me(client, party["access_token"])).status_code == 401
        assert refused(await sign_in(client, party["sign_in_id"]))


@pytest.mark.clause("5.1")
class TestSessionExpiry:
    async def test_an_idle_session_ends(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, settings: Settings
    ) -> None:
        party = await party_in(client, case)
        idle = timedelta(minutes=settings.portal_session_idle_minutes)
        await db.execute(
            update(PortalSession).values(last_seen_at=utcnow() - idle + timedelta(seconds=30))
        )
        await db.commit()
        assert (await _me(client, party["access_token"])).status_code == 200  # still in
        await db.execute(update(PortalSession).values(last_seen_at=utcnow() - idle))
        await db.commit()
        r = await _me(client, party["access_token"])
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"

    async def test_a_session_ends_after_its_hours_however_busy(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, settings: Settings
    ) -> None:
        party = await party_in(client, case)
        await db.execute(update(PortalSession).values(expires_at=utcnow()))
        await db.commit()
        assert (await _me(client, party["access_token"])).status_code == 401
        assert settings.portal_session_hours == 4
        fresh = await sign_in(client, party["sign_in_id"])
        assert fresh.status_code == 200
        made = datetime.fromisoformat(fresh.json()["session_expires_at"])
        assert abs(made - (utcnow() + timedelta(hours=4))) < timedelta(seconds=30)


@pytest.mark.clause("4.3.1(vii)")
class TestSignOut:
    async def test_the_token_is_dead_after(self, client: httpx.AsyncClient, case: Case) -> None:
        party = await party_in(client, case)
        r = await client.post("/api/portal/sign-out", headers=bearer(party["access_token"]))
        assert r.status_code == 204
        assert (await _me(client, party["access_token"])).status_code == 401
        assert (await sign_in(client, party["sign_in_id"])).status_code == 200

    async def test_nobody_signed_in_is_refused(self, client: httpx.AsyncClient) -> None:
        for headers in ({}, bearer("not-a-token")):
            r = await client.post("/api/portal/sign-out", headers=headers)
            assert r.status_code == 401
