"""A party's request bodies refuse what they do not declare (mass assignment), naming the
field, and write nothing: the routes the security suite's matrix cannot send as a party."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Complaint, PortalMessage, WitnessAvailability
from ombuds.settings import Settings
from tests.portal.parties import portal_case
from tests.security.test_mass_assignment import PARTY_ONLY

BODIES = {
    "portal-respond": ("other_party", "/api/portal/response", {"text": "My answer."}),
    "portal-availability": ("witness", "/api/portal/availability", {"availability": "Mornings"}),
    "portal-send-message": ("other_party", "/api/portal/messages", {"body": "Hello."}),
}


def test_every_party_only_body_is_here() -> None:
    assert set(BODIES) == PARTY_ONLY


async def _written(db: AsyncSession, complaint_id: uuid.UUID) -> tuple[object, ...]:
    response = await db.scalar(
        select(Complaint.response_received_on)
        .where(Complaint.id == complaint_id)
        .execution_options(populate_existing=True)
    )
    messages = await db.scalar(select(func.count()).select_from(PortalMessage))
    said = await db.scalar(select(func.count()).select_from(WitnessAvailability))
    return response, messages, said


class TestUnknownFieldsRefused:
    @pytest.mark.clause("4.3.1(ii)")
    @pytest.mark.parametrize("operation", sorted(BODIES))
    @pytest.mark.parametrize("field", ["complaint_id", "person_id", "stage"])
    async def test_refused_naming_the_field_and_nothing_written(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        operation: str,
        field: str,
    ) -> None:
        role, path, body = BODIES[operation]
        pc = await portal_case(client, db, passwords, settings, roles=(role,))
        before = await _written(db, pc.case.id)
        r = await client.post(path, json={**body, field: str(uuid.uuid4())}, headers=pc[role])
        assert r.status_code == 422, r.text
        errors = r.json()["errors"]
        assert any(e["field"] == field and e["rule"] == "extra_forbidden" for e in errors)
        assert await _written(db, pc.case.id) == before
        # The same body without the stray field goes through: the refusal was the field's.
        assert (await client.post(path, json=body, headers=pc[role])).status_code in (200, 201)
