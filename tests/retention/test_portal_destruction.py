"""5.1: a destroyed record takes the parties' portal with it (issue 16): invitations,
accesses and sessions are deleted with the content, and a party's token opens nothing."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Complaint, PortalAccess, PortalInvitation, PortalSession
from ombuds.retention import destroy
from tests.portal.support import bearer, invite, open_case, party_in, refused, sign_in

pytestmark = pytest.mark.clause("5.1")


async def _count(db: AsyncSession, model: type[object]) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


class TestPortalDestruction:
    async def test_invitations_accesses_and_sessions_are_gone(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(db, passwords, client)
        kept = await open_case(db, passwords, client)  # another complaint's stay
        party = await party_in(client, case)
        await invite(client, case, "witness")
        await party_in(client, kept)
        etag = (await client.get(case.url, headers=case.staff)).headers["ETag"]
        r = await client.post(f"{case.url}/withdraw", headers={**case.staff, "If-Match": etag})
        assert r.status_code == 200
        assert (await client.get("/api/portal/me", headers=bearer(party["access_token"]))).json()[
            "read_only"
        ] is True

        async with app.state.sessionmaker() as session:
            record = await session.get(Complaint, uuid.UUID(case.id))
            assert record is not None
            await destroy.complaint(session, record)
            await session.commit()

        cid = uuid.UUID(case.id)
        for model in (PortalInvitation, PortalAccess):
            left = await db.scalar(
                select(func.count()).select_from(model).where(model.complaint_id == cid)
            )
            assert left == 0, model.__tablename__
        assert (await _count(db, PortalInvitation), await _count(db, PortalAccess)) == (1, 1)
        assert await _count(db, PortalSession) == 1  # the other complaint's party's
        me = await client.get("/api/portal/me", headers=bearer(party["access_token"]))
        assert me.status_code == 401
        assert refused(await sign_in(client, party["sign_in_id"]))
