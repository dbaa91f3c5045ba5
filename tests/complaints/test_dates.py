"""Dates are the dates things happened: intake, its correction and a redirection (1.3)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import Complaint, Incident, Role
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit

Json = dict[str, Any]


def days_ago(n: int) -> str:
    return (local_today() - timedelta(days=n)).isoformat()


async def _body(db: AsyncSession, **overrides: Any) -> Json:
    unit = await make_unit(db)
    a, b = await make_member(db, unit), await make_member(db, unit)
    return complaint_body(a, b, **overrides)


async def _headers(db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient) -> Json:
    _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    return headers


def _incident(occurred_on: str) -> Json:
    return {
        "what": "Demeaning comments",
        "occurred_on": occurred_on,
        "location": "Union hall",
        "categories": ["comments"],
    }


def _errors(response: httpx.Response, status: int = 422) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    return [(e["field"], e["rule"]) for e in response.json()["errors"]]


async def _complaints(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(Complaint)) or 0)


class TestIntakeDates:
    @pytest.mark.clause("2.1")
    async def test_a_complaint_received_in_the_future_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        headers = await _headers(db, passwords, client)
        tomorrow = (local_today() + timedelta(days=1)).isoformat()
        body = await _body(db, received_on=tomorrow, incidents=[_incident(days_ago(3))])
        response = await client.post("/api/complaints", headers=headers, json=body)
        assert _errors(response) == [("received_on", "not_in_future")]
        assert await _complaints(db) == 0

    @pytest.mark.clause("2.1")
    async def test_an_incident_after_the_complaint_was_received_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        headers = await _headers(db, passwords, client)
        incidents = [_incident(days_ago(12)), _incident(days_ago(5))]
        body = await _body(db, received_on=days_ago(10), incidents=incidents)
        response = await client.post("/api/complaints", headers=headers, json=body)
        assert _errors(response) == [("incidents.1.occurred_on", "not_after_received")]
        assert await _complaints(db) == 0

    @pytest.mark.clause("2.1")
    async def test_an_incident_on_the_day_received_is_taken_in(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        headers = await _headers(db, passwords, client)
        body = await _body(db, received_on=days_ago(10), incidents=[_incident(days_ago(10))])
        detail, _ = await file_complaint(client, headers, body)
        assert (detail["received_on"], detail["incidents"][0]["occurred_on"]) == (
            days_ago(10),
            days_ago(10),
        )

    @pytest.mark.clause("2.1")
    async def test_a_correction_cannot_move_an_incident_after_receipt(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        headers = await _headers(db, passwords, client)
        body = await _body(db, received_on=days_ago(10), incidents=[_incident(days_ago(12))])
        detail, etag = await file_complaint(client, headers, body)
        url = f"/api/complaints/{detail['id']}/intake"
        response = await client.patch(
            url,
            headers={**headers, "If-Match": etag},
            json={"incidents": [_incident(days_ago(9))]},
        )
        assert _errors(response) == [("incidents.0.occurred_on", "not_after_received")]
        kept = await db.scalar(
            select(Incident.occurred_on).execution_options(populate_existing=True)
        )
        assert kept == local_today() - timedelta(days=12)
        response = await client.patch(
            url,
            headers={**headers, "If-Match": etag},
            json={"incidents": [_incident(days_ago(10))]},
        )
        assert response.status_code == 200, response.text
        assert response.json()["incidents"][0]["occurred_on"] == days_ago(10)


class TestRedirectDate:
    async def _intake(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> tuple[Json, Json, str]:
        headers = await _headers(db, passwords, client)
        body = await _body(db, received_on=days_ago(20), incidents=[_incident(days_ago(25))])
        detail, etag = await file_complaint(client, headers, body)
        return headers, detail, etag

    async def _redirect(
        self, client: httpx.AsyncClient, headers: Json, detail: Json, etag: str, **body: Any
    ) -> httpx.Response:
        return await client.post(
            f"/api/complaints/{detail['id']}/redirect",
            headers={**headers, "If-Match": etag},
            json={"redirected_to": "grievance_procedure", **body},
        )

    @pytest.mark.clause("1.3")
    async def test_a_redirection_recorded_late_keeps_the_day_it_happened(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        headers, detail, etag = await self._intake(client, db, passwords)
        response = await self._redirect(client, headers, detail, etag, occurred_on=days_ago(18))
        assert response.status_code == 200, response.text
        out = response.json()
        # The day it happened, beside the day it was recorded (closed).
        assert (out["closure"], out["redirected_on"], out["closed_on"]) == (
            "redirected",
            days_ago(18),
            local_today().isoformat(),
        )

    @pytest.mark.clause("1.3")
    async def test_without_a_date_it_happened_today(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        headers, detail, etag = await self._intake(client, db, passwords)
        response = await self._redirect(client, headers, detail, etag)
        assert response.status_code == 200, response.text
        assert response.json()["redirected_on"] == local_today().isoformat()

    @pytest.mark.clause("1.3")
    @pytest.mark.parametrize(("when", "rule"), [(-1, "not_in_future"), (21, "not_before_received")])
    async def test_a_redirection_in_the_future_or_before_receipt_is_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        when: int,
        rule: str,
    ) -> None:
        headers, detail, etag = await self._intake(client, db, passwords)
        response = await self._redirect(client, headers, detail, etag, occurred_on=days_ago(when))
        assert _errors(response) == [("occurred_on", rule)]
        complaint = await db.get(Complaint, uuid.UUID(detail["id"]), populate_existing=True)
        assert complaint is not None
        assert (complaint.stage.value, complaint.redirected_on) == ("intake", None)

    @pytest.mark.clause("1.3")
    async def test_redirected_at_intake_on_a_day_of_its_own(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        headers = await _headers(db, passwords, client)
        body = await _body(
            db,
            setting="workplace",
            redirected_to="respectful_workplace_policy",
            redirected_on=days_ago(2),
            received_on=days_ago(4),
            incidents=[_incident(days_ago(6))],
        )
        detail, _ = await file_complaint(client, headers, body)
        assert (detail["closure"], detail["redirected_on"]) == ("redirected", days_ago(2))
        body["redirected_on"] = days_ago(5)
        response = await client.post("/api/complaints", headers=headers, json=body)
        assert _errors(response) == [("redirected_on", "not_before_received")]
        assert await _complaints(db) == 1
