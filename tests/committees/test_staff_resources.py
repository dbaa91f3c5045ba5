"""4.3.1(v): the table officers striking the CRC choose its staff resource from a list of
the active staff resources of the two allowed kinds (or let one be drawn)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, OfficerConflict, Role, StaffResourceKind
from tests.committees.support import count, open_case, problem, ready_to_strike
from tests.factories.accounts import signed_in
from tests.factories.committees import committee_url, make_staff_resource, propose_ok


def url(complaint_id: str) -> str:
    return committee_url(complaint_id, "staff-resources")


class TestStaffResourcesForOfficers:
    @pytest.mark.clause("4.3.1(v)")
    async def test_lists_the_active_staff_resources_of_the_allowed_kinds(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, sao = await ready_to_strike(client, db, passwords)
        equality = await make_staff_resource(
            db, passwords, kind=StaffResourceKind.equality_representative, name="A Equality"
        )
        await make_staff_resource(db, passwords, kind=None, name="Other kind")
        await make_staff_resource(db, passwords, active=False, name="Inactive")
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        before = await count(db, AuditEntry)
        response = await client.get(url(case.id), headers=officer)
        assert response.status_code == 200, response.text
        assert response.json() == [
            {
                "user_id": str(equality.id),
                "kind": "equality_representative",
                "display_name": "A Equality",
            },
            {
                "user_id": str(sao.id),
                "kind": "special_assignments_officer",
                "display_name": sao.display_name,
            },
        ]
        assert await count(db, AuditEntry) == before  # a read changes nothing
        # The officer's choice from the list goes on the panel.
        proposal, _ = await propose_ok(client, officer, case.id, staff_resource_id=equality.id)
        assert proposal["staff_resource"]["user_id"] == str(equality.id)

    @pytest.mark.clause("4.3.1(iv)")
    async def test_hidden_from_a_recused_officer_and_before_the_officers_are_told(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        recused, headers = await signed_in(db, passwords, client, Role.table_officer)
        db.add(OfficerConflict(complaint_id=uuid.UUID(case.id), user_id=recused.id))
        await db.commit()
        missing = problem(await client.get(url(str(uuid.uuid4())), headers=headers), 404)
        assert problem(await client.get(url(case.id), headers=headers), 404) == missing
        untold = await open_case(client, db, passwords, stage=None)
        _, other = await signed_in(db, passwords, client, Role.table_officer)
        assert problem(await client.get(url(untold.id), headers=other), 404) == missing

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403_and_anonymous_401(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.get(url(case.id), headers=headers), 403)
        problem(await client.get(url(case.id)), 401)
