"""4.3.1(iv): a table officer who is a party is removed from the case entirely, found from
the member directory; any officer may declare a conflict; the others see only how many."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, Member, OfficerConflict, Role, Stage, TimelineEvent
from tests.committees.support import Case, count, error_fields, open_case, problem
from tests.factories.accounts import signed_in
from tests.factories.committees import (
    committee_url,
    confirm,
    make_ombudsperson,
    make_staff_resource,
    propose,
    propose_ok,
    status_etag,
)

AFTER_NOTIFICATION = [Stage.committee, Stage.investigation, Stage.conclusions, Stage.closed]


def conflict_url(complaint_id: str) -> str:
    return f"/api/status/{complaint_id}/conflict"


async def everything_is_404(
    client: httpx.AsyncClient, headers: dict[str, str], case: Case, etag: str
) -> None:
    """The officer learns nothing of the complaint, on any route, not even that it exists."""
    unknown = problem(await client.get(f"/api/status/{uuid.uuid4()}", headers=headers), 404)
    responses = [
        await client.get(f"/api/status/{case.id}", headers=headers),
        await client.get(committee_url(case.id), headers=headers),
        await propose(client, headers, case.id, etag),
        await client.post(
            committee_url(case.id, "proposal/seats/1/redraw"),
            headers={**headers, "If-Match": etag},
        ),
        await confirm(client, headers, case.id, etag, 1),
        await client.post(conflict_url(case.id), headers={**headers, "If-Match": etag}),
    ]
    for response in responses:
        assert problem(response, 404) == unknown
    listed = await client.get("/api/status?include_closed=true", headers=headers)
    assert case.reference not in listed.text and case.id not in listed.text


async def with_pool(db: AsyncSession, passwords: Passwords) -> None:
    for _ in range(3):
        await make_ombudsperson(db, passwords)
    await make_staff_resource(db, passwords)


class TestAnOfficerWhoIsAParty:
    @pytest.mark.clause("4.3.1(iv)")
    @pytest.mark.parametrize("stage", AFTER_NOTIFICATION)
    async def test_the_other_party_never_sees_the_complaint(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, stage: Stage
    ) -> None:
        case = await open_case(client, db, passwords, stage=stage)
        await with_pool(db, passwords)
        _, party = await signed_in(
            db, passwords, client, Role.table_officer, member=case.other_party
        )
        _, colleague = await signed_in(db, passwords, client, Role.table_officer)
        etag = await status_etag(client, colleague, case.id)
        await everything_is_404(client, party, case, etag)
        status = (await client.get(f"/api/status/{case.id}", headers=colleague)).json()
        assert status["recused_officers"] == 1
        assert await count(db, OfficerConflict) == 0  # found from the directory, no row

    @pytest.mark.clause("4.3.1(iv)")
    @pytest.mark.parametrize("role", ["complainant", "witness"])
    async def test_any_part_in_the_complaint_recuses(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: str
    ) -> None:
        case = await open_case(client, db, passwords)
        member: Member = getattr(case, role)
        _, recused = await signed_in(db, passwords, client, Role.table_officer, member=member)
        _, colleague = await signed_in(db, passwords, client, Role.table_officer)
        etag = await status_etag(client, colleague, case.id)
        await everything_is_404(client, recused, case, etag)
        listed = (await client.get("/api/status", headers=colleague)).json()
        assert [(i["reference"], i["recused_officers"]) for i in listed["items"]] == [
            (case.reference, 1)
        ]

    @pytest.mark.clause("4.3.1(iv)")
    async def test_the_party_can_strike_no_panel_but_colleagues_can(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        await with_pool(db, passwords)
        _, party = await signed_in(
            db, passwords, client, Role.table_officer, member=case.other_party
        )
        _, colleague = await signed_in(db, passwords, client, Role.table_officer)
        proposal, etag = await propose_ok(client, colleague, case.id)
        problem(await confirm(client, party, case.id, etag, proposal["version"]), 404)
        response = await confirm(client, colleague, case.id, etag, proposal["version"])
        assert response.status_code == 200, response.text


class TestDeclareConflict:
    @pytest.mark.clause("4.3.1(iv)")
    async def test_the_officer_leaves_the_case_at_once(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        await with_pool(db, passwords)
        declarer, headers = await signed_in(db, passwords, client, Role.table_officer)
        _, colleague = await signed_in(db, passwords, client, Role.table_officer)
        await signed_in(db, passwords, client, Role.table_officer, member=case.witness)
        before = (await client.get(f"/api/status/{case.id}", headers=colleague)).json()
        assert before["recused_officers"] == 1
        etag = await status_etag(client, headers, case.id)
        response = await client.post(conflict_url(case.id), headers={**headers, "If-Match": etag})
        assert response.status_code == 204, response.text
        assert response.content == b"" and "etag" not in response.headers
        await everything_is_404(client, headers, case, etag)
        after = (await client.get(f"/api/status/{case.id}", headers=colleague)).json()
        assert after["recused_officers"] == 2
        assert after["version"] > before["version"]
        assert await count(db, OfficerConflict, OfficerConflict.user_id == declarer.id) == 1
        assert (
            await count(
                db,
                AuditEntry,
                AuditEntry.action == "officers.declare_conflict",
                AuditEntry.actor_id == declarer.id,
            )
            == 1
        )
        assert (
            await count(db, TimelineEvent, TimelineEvent.kind == "officer.conflict_declared") == 1
        )

    @pytest.mark.clause("4.3.1(iv)")
    @pytest.mark.parametrize("stage", [Stage.investigation, Stage.conclusions])
    async def test_at_any_stage_while_the_complaint_is_open(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, stage: Stage
    ) -> None:
        case = await open_case(client, db, passwords, stage=stage)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        etag = await status_etag(client, headers, case.id)
        response = await client.post(conflict_url(case.id), headers={**headers, "If-Match": etag})
        assert response.status_code == 204, response.text
        assert await count(db, OfficerConflict) == 1

    async def test_not_on_a_closed_complaint(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords, stage=Stage.closed)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        etag = await status_etag(client, headers, case.id)
        response = await client.post(conflict_url(case.id), headers={**headers, "If-Match": etag})
        assert problem(response, 409)["stage"] == "closed"
        assert await count(db, OfficerConflict) == 0

    async def test_if_match_is_required_and_must_be_current(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        missing = await client.post(conflict_url(case.id), headers=headers)
        assert error_fields(problem(missing, 428)) == [("If-Match", "required")]
        stale = (await status_etag(client, headers, case.id)).replace("-v", "-v9")
        problem(
            await client.post(conflict_url(case.id), headers={**headers, "If-Match": stale}), 412
        )
        assert await count(db, OfficerConflict) == 0

    @pytest.mark.clause("4.3.1(iii)")
    async def test_a_complaint_the_officers_were_not_told_of_is_404(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords, stage=None)
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        response = await client.post(conflict_url(case.id), headers={**headers, "If-Match": "x"})
        problem(response, 404)
        assert await count(db, OfficerConflict) == 0

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case = await open_case(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.post(conflict_url(case.id), headers={**headers, "If-Match": "x"}), 403)
        problem(await client.post(conflict_url(case.id), headers={"If-Match": "x"}), 401)
        assert await count(db, OfficerConflict) == 0
