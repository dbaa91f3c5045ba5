"""5.1: a destroyed record takes the witnesses' answers in the portal with it (issue 16)."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Complaint, WitnessAvailability
from ombuds.retention import destroy
from ombuds.settings import Settings
from tests.portal.parties import portal_case

pytestmark = pytest.mark.clause("5.1")


class TestWitnessAvailabilityDestruction:
    async def test_the_answers_go_with_the_record(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        gone = await portal_case(client, db, passwords, settings, roles=("witness",))
        kept = await portal_case(client, db, passwords, settings, roles=("witness",))
        for pc in (gone, kept):
            r = await client.post(
                "/api/portal/availability",
                json={"availability": "Evenings."},
                headers=pc["witness"],
            )
            assert r.status_code == 200, r.text
        async with app.state.sessionmaker() as session:
            record = await session.get(Complaint, gone.case.id)
            assert record is not None
            await destroy.complaint(session, record)
            await session.commit()
        left = await db.scalars(select(WitnessAvailability.complaint_id))
        assert list(left.all()) == [kept.case.id]
