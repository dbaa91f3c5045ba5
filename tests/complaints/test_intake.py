"""Intake (1.3, 1.4, 2.1, 2.2), the case worker's views and who may see them."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, Complaint, PartyNotice, Role
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit


async def _complaints(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Complaint)) or 0)


class TestCreate:
    @pytest.mark.clause("2.1")
    async def test_ombudsperson_takes_in_a_complaint(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        detail, etag = await file_complaint(client, headers, complaint_body(a, b))
        assert detail["stage"] == "intake"
        assert detail["reference"].startswith("C-") and len(detail["reference"]) == 8
        assert etag == f'"{detail["id"].replace("-", "")[:12]}-v{detail["version"]}"'
        roles = sorted((p["role"], p["full_name"]) for p in detail["people"])
        assert roles == [("complainant", a.full_name), ("other_party", b.full_name)]
        assert detail["incidents"][0]["categories"] == ["comments", "verbal_abuse"]
        assert "choose_formal_route" in detail["allowed_actions"]

    @pytest.mark.clause("1.3")
    async def test_workplace_harassment_is_redirected_and_closed(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        body = complaint_body(a, b, setting="workplace", redirected_to="grievance_procedure")
        detail, _ = await file_complaint(client, headers, body)
        assert (detail["stage"], detail["closure"]) == ("closed", "redirected")
        assert detail["redirected_to"] == "grievance_procedure"
        assert detail["allowed_actions"] == []  # nothing is left to do on it
        # Nobody else was told anything: redirected intake owes no party notices.
        assert await db.scalar(select(func.count()).select_from(PartyNotice)) == 0

    @pytest.mark.clause("1.3")
    async def test_workplace_without_redirection_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        response = await client.post(
            "/api/complaints", headers=headers, json=complaint_body(a, b, setting="workplace")
        )
        assert response.status_code == 422
        assert "redirected" in response.text
        assert await _complaints(db) == 0

    @pytest.mark.clause("2.2")
    async def test_unknown_ground_is_named_and_nothing_saved(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        response = await client.post(
            "/api/complaints", headers=headers, json=complaint_body(a, b, grounds=["age", "height"])
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {
                "field": "grounds.1",
                "rule": "known_ground",
                "message": "not a ground of 2.2; see /api/grounds",
            }
        ]
        assert await _complaints(db) == 0

    @pytest.mark.parametrize("role", [Role.administrator, Role.table_officer, Role.staff_resource])
    async def test_others_may_not_take_in_complaints(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.post("/api/complaints", headers=headers, json=complaint_body(a, b))
        assert response.status_code == 403
        assert await _complaints(db) == 0


class TestGet:
    async def test_visibility(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        intake, intake_headers = await signed_in(db, passwords, client, Role.ombudsperson)
        detail, _ = await file_complaint(client, intake_headers, complaint_body(a, b))
        url = f"/api/complaints/{detail['id']}"
        assert (await client.get(url, headers=intake_headers)).status_code == 200
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        unrelated = await client.get(url, headers=other)
        missing = await client.get(
            "/api/complaints/00000000-0000-0000-0000-000000000000", headers=other
        )
        assert unrelated.status_code == missing.status_code == 404
        assert unrelated.json() == missing.json()
        assert (await client.get(url, headers=admin)).status_code == 403
        assert (await client.get(url, headers=officer)).status_code == 403
        assert (await client.get(url)).status_code == 401
        reads = await db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == "complaints.read", AuditEntry.actor_id == intake.id)
        )
        assert reads == 2  # once at creation's response, once on the GET

    @pytest.mark.clause("5.1")
    async def test_ombudsperson_who_is_a_party_never_sees_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        a, b = await make_member(db, unit), await make_member(db, unit)
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson, member=b)
        detail, _ = await file_complaint(client, headers, complaint_body(a, b))
        response = await client.get(f"/api/complaints/{detail['id']}", headers=headers)
        assert response.status_code == 404
        listed = await client.get("/api/complaints", headers=headers)
        assert listed.json()["items"] == []
