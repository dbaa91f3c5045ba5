"""4.3.1(iv): table officers see non-identifying status only: the reference, where the
procedure stands, its deadlines and how many officers are recused. Nothing else."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.deadlines import service as deadlines
from ombuds.kit.clock import local_today
from ombuds.models import AuditEntry, Closure, Complaint, DeadlineKind, Role, Stage
from ombuds.settings import Settings
from tests.committees.support import count, error_fields, open_case, problem
from tests.factories.accounts import signed_in
from tests.factories.committees import status_etag

STATUS_KEYS = {
    "id",
    "reference",
    "version",
    "stage",
    "awaiting",
    "crc_to_be_struck",
    "recused_officers",
    "deadlines",
}
AWAITING = {
    Stage.committee: "A Complaint Review Committee must be struck",
    Stage.investigation: "The Complaint Review Committee is investigating",
    Stage.conclusions: "Conclusions are being communicated",
    Stage.closed: "Closed",
}


async def officer(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> dict[str, str]:
    _, headers = await signed_in(db, passwords, client, Role.table_officer)
    return headers


async def close(db: AsyncSession, complaint_id: str, closure: Closure) -> None:
    complaint = await db.get(Complaint, uuid.UUID(complaint_id), populate_existing=True)
    assert complaint is not None
    complaint.stage, complaint.closure = Stage.closed, closure
    complaint.closed_on = local_today()
    await db.commit()


async def board(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    response = await client.get("/api/status", headers=headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestList:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        problem(await client.get("/api/status"), 401)

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        await open_case(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.get("/api/status", headers=headers), 403)

    @pytest.mark.clause("4.3.1(iii)")
    async def test_only_complaints_the_officers_were_told_of(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        told = await open_case(client, db, passwords)
        await open_case(client, db, passwords, stage=None)
        closed = await open_case(client, db, passwords, stage=Stage.closed)
        headers = await officer(client, db, passwords)
        listed = await board(client, headers)
        assert [i["reference"] for i in listed["items"]] == [told.reference]
        everything = await board(client, headers, include_closed="true")
        assert sorted(i["reference"] for i in everything["items"]) == sorted(
            [told.reference, closed.reference]
        )

    async def test_keyset_pages_by_reference(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        cases = [await open_case(client, db, passwords) for _ in range(3)]
        headers = await officer(client, db, passwords)
        first = await board(client, headers, limit=2)
        assert first["next_cursor"] is not None
        second = await board(client, headers, limit=2, cursor=first["next_cursor"])
        assert second["next_cursor"] is None
        seen = [i["reference"] for i in first["items"] + second["items"]]
        assert seen == sorted(c.reference for c in cases)
        bad = await client.get("/api/status", headers=headers, params={"cursor": "nonsense"})
        assert error_fields(problem(bad, 422)) == [("cursor", "cursor_invalid")]


class TestGet:
    @pytest.mark.clause("4.3.1(iv)")
    async def test_non_identifying_status_with_its_deadlines(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await open_case(client, db, passwords)
        long_ago = local_today() - timedelta(days=40)
        response_due = await deadlines.open_after_days(
            db, settings, uuid.UUID(case.id), DeadlineKind.written_response, long_ago, 14
        )
        await db.commit()
        officer_user, headers = await signed_in(db, passwords, client, Role.table_officer)
        response = await client.get(f"/api/status/{case.id}", headers=headers)
        assert response.status_code == 200, response.text
        status = response.json()
        version = status.pop("version")
        assert status == {
            "id": case.id,
            "reference": case.reference,
            "stage": "committee",
            "awaiting": "A Complaint Review Committee must be struck",
            "crc_to_be_struck": True,
            "recused_officers": 0,
            "deadlines": [
                {
                    "kind": "written_response",
                    "due_on": response_due.due_on.isoformat(),
                    "status": "open",
                    "overdue": True,
                }
            ],
        }
        assert response.headers["ETag"] == f'"{uuid.UUID(case.id).hex[:12]}-v{version}"'
        listed = await board(client, headers)
        assert listed["items"] == [{**status, "version": version}]
        assert (
            await count(
                db,
                AuditEntry,
                AuditEntry.action == "officers.read_status",
                AuditEntry.actor_id == officer_user.id,
            )
            == 1
        )

    @pytest.mark.clause("4.3.1(iv)")
    @pytest.mark.parametrize("stage", list(AWAITING))
    async def test_the_step_awaited_in_fixed_words(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, stage: Stage
    ) -> None:
        case = await open_case(client, db, passwords, stage=stage)
        headers = await officer(client, db, passwords)
        status = (await client.get(f"/api/status/{case.id}", headers=headers)).json()
        assert (status["stage"], status["awaiting"]) == (stage.value, AWAITING[stage])
        assert status["crc_to_be_struck"] is (stage is Stage.committee)

    @pytest.mark.clause("4.3.1(iv)")
    @pytest.mark.parametrize("closure", [Closure.dismissed, Closure.concluded, Closure.withdrawn])
    async def test_a_closed_complaint_never_reveals_the_finding(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, closure: Closure
    ) -> None:
        case = await open_case(client, db, passwords)
        await close(db, case.id, closure)
        headers = await officer(client, db, passwords)
        response = await client.get(f"/api/status/{case.id}", headers=headers)
        assert (response.json()["stage"], response.json()["awaiting"]) == ("closed", "Closed")
        listed = await client.get("/api/status", headers=headers, params={"include_closed": True})
        for text in (response.text, listed.text):
            assert closure.value not in text

    async def test_unknown_or_not_told_is_404(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        untold = await open_case(client, db, passwords, stage=None)
        headers = await officer(client, db, passwords)
        missing = await client.get(f"/api/status/{uuid.uuid4()}", headers=headers)
        hidden = await client.get(f"/api/status/{untold.id}", headers=headers)
        assert problem(missing, 404) == problem(hidden, 404)

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case = await open_case(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.get(f"/api/status/{case.id}", headers=headers), 403)
        problem(await client.get(f"/api/status/{case.id}"), 401)

    async def test_the_etag_is_the_one_striking_needs(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await open_case(client, db, passwords)
        headers = await officer(client, db, passwords)
        etag = await status_etag(client, headers, case.id)
        detail = await client.get(f"/api/complaints/{case.id}", headers=case.intake_headers)
        assert detail.headers["ETag"] == etag
