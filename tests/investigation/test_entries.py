"""4.3.1(vi): the CRC reviews, interviews and records each step."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import InvestigationEntry, TimelineEvent
from ombuds.settings import Settings
from tests.factories.investigation import (
    Actor,
    Case,
    at_investigation,
    record_entry,
    record_findings,
    today,
)
from tests.investigation.support import audited, problem, state


def entry(**overrides: str) -> dict[str, str]:
    body = {"kind": "letter_review", "occurred_on": today(), "notes": "Read the signed letter."}
    body.update(overrides)
    return body


class TestRecordEntry:
    @pytest.mark.clause("4.3.1(vi)")
    async def test_a_crc_member_records_a_step(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        member = case.crc[1]
        before = case.etag
        response = await client.post(
            f"{case.url}/investigation", headers=case.change(member), json=entry()
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["kind"], body["occurred_on"], body["notes"]) == (
            "letter_review",
            today(),
            "Read the signed letter.",
        )
        assert body["recorded_by"] == str(member.user.id)
        assert response.headers["ETag"] != before
        saved = await db.scalar(select(InvestigationEntry))
        assert saved is not None and saved.complaint_id == case.id
        kinds = (
            await db.scalars(
                select(TimelineEvent.kind).where(TimelineEvent.complaint_id == case.id)
            )
        ).all()
        assert kinds[-1] == "investigation.entry_recorded"
        assert await audited(db, "investigation.record_entry", member.user.id) == 1

    @pytest.mark.clause("4.3.1(vi)")
    @pytest.mark.parametrize(
        "kind",
        [
            "response_review",
            "complainant_interview",
            "other_party_interview",
            "witness_interview",
            "document",
        ],
    )
    async def test_the_staff_resource_records_each_kind_of_step(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, kind: str
    ) -> None:
        response = await client.post(
            f"{case.url}/investigation", headers=case.change(case.staff), json=entry(kind=kind)
        )
        assert response.status_code == 201, response.text
        assert response.json()["kind"] == kind
        assert (await state(db, case.id))["entries"] == 1

    async def test_anonymous_caller_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/investigation", headers={"If-Match": case.etag}, json=entry()
        )
        problem(response, 401)
        assert await state(db, case.id) == before

    async def test_a_role_without_the_right_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case, admin: Actor
    ) -> None:
        before = await state(db, case.id)
        for actor in (admin, case.officer):
            response = await client.post(
                f"{case.url}/investigation", headers=case.change(actor), json=entry()
            )
            problem(response, 403)
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(vi)")
    async def test_the_intake_ombudsperson_is_not_on_the_crc(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/investigation", headers=case.change(case.intake), json=entry()
        )
        body = problem(response, 403, "caller", "crc_member_or_staff_resource")
        assert "Complaint Review Committee" in body["detail"]
        assert await state(db, case.id) == before

    async def test_someone_elses_complaint_is_not_found(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        case: Case,
    ) -> None:
        other = await at_investigation(client, db, passwords, settings)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/investigation", headers=case.change(other.crc[0]), json=entry()
        )
        problem(response, 404)
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(vi)")
    async def test_a_step_recorded_late_keeps_the_day_it_happened(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        struck_on = case.struck_on.isoformat()
        later = await record_entry(client, case, occurred_on=today())
        earlier = await record_entry(client, case, kind="document", occurred_on=struck_on)
        assert earlier["occurred_on"] == struck_on
        saved = await db.scalar(
            select(InvestigationEntry).where(InvestigationEntry.id == uuid.UUID(earlier["id"]))
        )
        assert saved is not None and saved.occurred_on == case.struck_on
        # Recorded after the other step, beside the day it happened.
        assert earlier["recorded_at"] > later["recorded_at"]
        listed = await client.get(f"{case.url}/investigation", headers=case.crc[0].headers)
        assert [(e["id"], e["occurred_on"]) for e in listed.json()] == [
            (earlier["id"], struck_on),
            (later["id"], today()),
        ]

    @pytest.mark.clause("4.3.1(vi)")
    async def test_a_step_in_the_future_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        before = await state(db, case.id)
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
        response = await client.post(
            f"{case.url}/investigation",
            headers=case.change(case.crc[0]),
            json=entry(occurred_on=tomorrow),
        )
        problem(response, 422, "occurred_on", "not_in_future")
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(vi)")
    async def test_a_step_before_the_crc_was_struck_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        before = await state(db, case.id)
        earlier = (case.struck_on - timedelta(days=1)).isoformat()
        response = await client.post(
            f"{case.url}/investigation",
            headers=case.change(case.crc[0]),
            json=entry(occurred_on=earlier),
        )
        problem(response, 422, "occurred_on", "on_or_after_crc_struck")
        assert await state(db, case.id) == before

    async def test_an_unknown_kind_or_empty_notes_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/investigation",
            headers=case.change(case.crc[0]),
            json=entry(kind="rumour", notes=""),
        )
        body = problem(response, 422)
        assert {e["field"] for e in body["errors"]} == {"kind", "notes"}
        assert await state(db, case.id) == before

    async def test_if_match_is_required_and_must_be_current(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        stale = case.etag
        await record_entry(client, case)
        before = await state(db, case.id)
        missing = await client.post(
            f"{case.url}/investigation", headers=case.crc[0].headers, json=entry()
        )
        problem(missing, 428, "If-Match", "required")
        response = await client.post(
            f"{case.url}/investigation",
            headers={**case.crc[0].headers, "If-Match": stale},
            json=entry(),
        )
        problem(response, 412)
        assert await state(db, case.id) == before

    @pytest.mark.clause("4.3.1(vi)")
    async def test_no_step_once_the_findings_are_in(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await record_entry(client, case)
        await record_findings(client, case)
        before = await state(db, case.id)
        response = await client.post(
            f"{case.url}/investigation", headers=case.change(case.crc[0]), json=entry()
        )
        body = problem(response, 409)
        assert body["stage"] == "conclusions"
        assert await state(db, case.id) == before


class TestListEntries:
    @pytest.mark.clause("5.1")
    async def test_case_workers_read_the_steps_and_each_read_is_audited(
        self, client: httpx.AsyncClient, db: AsyncSession, case: Case
    ) -> None:
        await record_entry(client, case, kind="letter_review")
        await record_entry(client, case, by=case.staff, kind="other_party_interview")
        for reader in (case.intake, case.crc[2], case.staff):
            response = await client.get(f"{case.url}/investigation", headers=reader.headers)
            assert response.status_code == 200, response.text
            assert [e["kind"] for e in response.json()] == [
                "letter_review",
                "other_party_interview",
            ]
            assert response.headers["ETag"] == case.etag
            assert await audited(db, "investigation.read_entries", reader.user.id) == 1

    async def test_who_may_not_read(
        self, client: httpx.AsyncClient, case: Case, outsider: Actor, admin: Actor
    ) -> None:
        await record_entry(client, case)
        url = f"{case.url}/investigation"
        problem(await client.get(url), 401)
        problem(await client.get(url, headers=admin.headers), 403)
        problem(await client.get(url, headers=case.officer.headers), 403)
        unrelated = await client.get(url, headers=outsider.headers)
        problem(unrelated, 404)
        assert "notes" not in unrelated.text
