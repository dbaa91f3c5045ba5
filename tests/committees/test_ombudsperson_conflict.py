"""4.3.1(v): an ombudsperson who declares a conflict never sits on the complaint's CRC."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import (
    AuditEntry,
    ExclusionReason,
    OmbudspersonConflict,
    Role,
    Stage,
    TimelineEvent,
)
from tests.committees.support import count, error_fields, open_case, problem
from tests.factories.accounts import signed_in
from tests.factories.committees import took_part_informally


def url(complaint_id: str) -> str:
    return f"/api/complaints/{complaint_id}/ombudsperson-conflict"


async def etag_for(client: httpx.AsyncClient, headers: dict[str, str], complaint_id: str) -> str:
    response = await client.get(f"/api/complaints/{complaint_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


class TestDeclareOmbudspersonConflict:
    @pytest.mark.clause("4.3.1(v)")
    async def test_declared_conflict_is_a_reason_not_to_sit(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        # Declared while the complaint is still informal: from the formal route on, one
        # who only took part informally no longer reads it (4.3).
        case = await open_case(client, db, passwords, stage=None)
        informal, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        await took_part_informally(db, case.id, informal)
        etag = await etag_for(client, headers, case.id)
        response = await client.post(url(case.id), headers={**headers, "If-Match": etag})
        assert response.status_code == 204, response.text
        assert response.headers["ETag"] != etag
        assert response.headers["ETag"] == await etag_for(client, headers, case.id)
        assert await count(db, OmbudspersonConflict, OmbudspersonConflict.user_id == informal.id)
        assert (
            await count(
                db,
                AuditEntry,
                AuditEntry.actor_id == informal.id,
                AuditEntry.action == "committees.declare_ombudsperson_conflict",
            )
            == 1
        )
        assert (
            await count(db, TimelineEvent, TimelineEvent.kind == "ombudsperson.conflict_declared")
            == 1
        )
        table = await client.get(
            f"/api/complaints/{case.id}/committee/eligibility", headers=case.intake_headers
        )
        (row,) = [o for o in table.json()["ombudspersons"] if o["user_id"] == str(informal.id)]
        assert row["reasons"] == [
            ExclusionReason.took_part_informally,
            ExclusionReason.declared_conflict,
            ExclusionReason.untrained,
            ExclusionReason.no_current_seat,
        ]

    @pytest.mark.clause("4.3.1(v)")
    async def test_once_only(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        etag = await etag_for(client, case.intake_headers, case.id)
        first = await client.post(url(case.id), headers={**case.intake_headers, "If-Match": etag})
        assert first.status_code == 204
        again = await client.post(
            url(case.id), headers={**case.intake_headers, "If-Match": first.headers["ETag"]}
        )
        assert error_fields(problem(again, 409)) == [("conflict", "unique")]
        assert await count(db, OmbudspersonConflict) == 1

    async def test_if_match_is_required_and_must_be_current(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        problem(await client.post(url(case.id), headers=case.intake_headers), 428)
        etag = await etag_for(client, case.intake_headers, case.id)
        stale = etag.replace("-v", "-v9")
        problem(
            await client.post(url(case.id), headers={**case.intake_headers, "If-Match": stale}), 412
        )
        assert await count(db, OmbudspersonConflict) == 0

    @pytest.mark.clause("4.3.1(v)")
    async def test_not_once_the_crc_is_struck(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords, stage=Stage.investigation)
        etag = await etag_for(client, case.intake_headers, case.id)
        response = await client.post(
            url(case.id), headers={**case.intake_headers, "If-Match": etag}
        )
        assert problem(response, 409)["stage"] == "investigation"
        assert await count(db, OmbudspersonConflict) == 0

    async def test_an_ombudsperson_who_cannot_see_it_gets_404(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        _, stranger = await signed_in(db, passwords, client, Role.ombudsperson)
        etag = await etag_for(client, case.intake_headers, case.id)
        problem(await client.post(url(case.id), headers={**stranger, "If-Match": etag}), 404)
        missing = url(str(uuid.uuid4()))
        problem(await client.post(missing, headers={**stranger, "If-Match": etag}), 404)
        assert await count(db, OmbudspersonConflict) == 0

    @pytest.mark.parametrize("role", [Role.table_officer, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case = await open_case(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.post(url(case.id), headers={**headers, "If-Match": "x"}), 403)
        problem(await client.post(url(case.id), headers={"If-Match": "x"}), 401)
        assert await count(db, OmbudspersonConflict) == 0
