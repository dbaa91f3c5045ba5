"""5.1: a destroyed record takes the parties' portal messages with it (issue 16): every
message and attachment of the complaint is deleted with its content; another
complaint's stay."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Complaint, PortalMessage, PortalMessageAttachment
from ombuds.retention import destroy
from tests.portal.support import Case, bearer, open_case, party_in

pytestmark = pytest.mark.clause("5.1")
PDF = b"%PDF-1.4\n%%EOF\n"


async def _message_with_file(client: httpx.AsyncClient, case: Case) -> None:
    party = bearer((await party_in(client, case))["access_token"])
    r = await client.post("/api/portal/messages", json={"body": "Private"}, headers=party)
    assert r.status_code == 201, r.text
    r = await client.post(
        f"/api/portal/messages/{r.json()['id']}/attachments",
        files={"file": ("a.pdf", PDF)},
        headers=party,
    )
    assert r.status_code == 201, r.text
    r = await client.post(
        f"{case.url}/portal-messages",
        json={"person_id": case.people["other_party"], "body": "Reply"},
        headers=case.staff,
    )
    assert r.status_code == 201, r.text


async def _left(
    db: AsyncSession, model: type[PortalMessage | PortalMessageAttachment]
) -> dict[uuid.UUID, int]:
    rows = await db.execute(select(model.complaint_id, func.count()).group_by(model.complaint_id))
    return {cid: int(n) for cid, n in rows.all()}


class TestPortalMessagesDestruction:
    async def test_messages_and_attachments_are_gone(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(db, passwords, client)
        kept = await open_case(db, passwords, client)
        await _message_with_file(client, case)
        await _message_with_file(client, kept)
        cid, kid = uuid.UUID(case.id), uuid.UUID(kept.id)
        assert await _left(db, PortalMessage) == {cid: 2, kid: 2}

        async with app.state.sessionmaker() as session:
            record = await session.get(Complaint, cid)
            assert record is not None
            await destroy.complaint(session, record)
            await session.commit()

        assert await _left(db, PortalMessage) == {kid: 2}
        assert await _left(db, PortalMessageAttachment) == {kid: 1}
