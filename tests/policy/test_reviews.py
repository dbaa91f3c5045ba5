"""6: the Executive records the policy reviews it holds; the review deadline met closes
and leaves every calendar, and the next review falls due three years after the one held."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.deadlines.rules import add_months, policy_review_dates
from ombuds.kit.clock import local_today
from ombuds.models import AuditEntry, Deadline, DeadlineKind, DeadlineStatus, PolicyReview, Role
from ombuds.settings import Settings
from tests.calendars.support import strict, vevents
from tests.factories.accounts import signed_in
from tests.factories.calendars import create_feed, feed_path

URL = "/api/policy-reviews"
EXECUTIVE = [Role.administrator, Role.table_officer]
NOTE = "Reviewed clause 4.3.1 with the Executive; no amendment proposed"


async def review_deadlines(db: AsyncSession) -> list[Deadline]:
    db.expire_all()
    rows = await db.scalars(
        select(Deadline)
        .where(Deadline.kind == DeadlineKind.policy_review)
        .order_by(Deadline.due_on, Deadline.id)
    )
    return list(rows.all())


async def count(db: AsyncSession, model: Any, *where: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


class TestRecordReview:
    @pytest.mark.clause("6")
    @pytest.mark.parametrize("role", EXECUTIVE)
    @pytest.mark.parametrize(
        ("held_on", "met"),
        [(date(2026, 6, 1), DeadlineStatus.met), (None, DeadlineStatus.met_late)],
        ids=["on-time", "late"],
    )
    async def test_the_review_held_meets_the_deadline_and_the_next_counts_from_it(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        role: Role,
        held_on: date | None,
        met: DeadlineStatus,
    ) -> None:
        today = local_today()
        held_on = held_on or today
        _, headers = await signed_in(db, passwords, client, role)
        feed = feed_path(await create_feed(client, headers))
        before = vevents(strict((await client.get(feed)).content))
        first_due = date(2026, 7, 2)  # 18 months after 2025-01-01; 1 July is Canada Day
        assert before[0]["DTSTART"].dt == first_due
        response = await client.post(
            URL, json={"held_on": held_on.isoformat(), "note": NOTE}, headers=headers
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["held_on"], body["note"]) == (held_on.isoformat(), NOTE)
        assert (body["deadline_due_on"], body["deadline_status"]) == (first_due.isoformat(), met)
        rows = await review_deadlines(db)
        closed = next(d for d in rows if d.due_on == first_due)
        assert (closed.status, closed.satisfied_on) == (met, held_on)
        # The next review is due three years after the one held; the dates counted from
        # implementation are superseded.
        expected = policy_review_dates(
            settings.policy_implemented_on,
            until=add_months(today, 48),
            last_held_on=held_on,
            rollover=settings.roll_over_non_working_days,
        )
        assert expected[0].nominal_due_on == add_months(held_on, 36)
        still_open = [d.due_on for d in rows if d.status is DeadlineStatus.open]
        assert still_open == [r.due_on for r in expected]
        superseded = [d for d in rows if d.due_on not in still_open and d is not closed]
        assert superseded and {d.status for d in superseded} == {DeadlineStatus.cancelled}
        # The deadlines API lists open deadlines only: the met review is gone.
        listed = (await client.get("/api/deadlines", headers=headers)).json()["items"]
        assert [i["due_on"] for i in listed if i["kind"] == "policy_review"] == [
            d.isoformat() for d in still_open
        ]
        # Every calendar: the review held is no longer due there; its event reads as met
        # (or met late) until it drops out with the other closed deadlines.
        events = vevents(strict((await client.get(feed)).content))
        ended = ("(met)", "(met late)", "(cancelled)")
        due = {e["DTSTART"].dt for e in events if not str(e["SUMMARY"]).endswith(ended)}
        assert due == set(still_open)
        label = "(met)" if met is DeadlineStatus.met else "(met late)"
        (held,) = [e for e in events if e["DTSTART"].dt == first_due]
        assert str(held["SUMMARY"]).endswith(label)
        # Audited; the note is encrypted at rest.
        assert await count(db, AuditEntry, AuditEntry.action == "policy.record_review") == 1
        raw = await db.scalar(text("SELECT note FROM policy_reviews"))
        assert raw is not None and NOTE.encode() not in bytes(raw)

    @pytest.mark.clause("6")
    async def test_impossible_dates_are_refused_and_nothing_is_saved(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        assert (await client.get("/api/deadlines", headers=headers)).status_code == 200
        scheduled = [(d.due_on, d.status) for d in await review_deadlines(db)]
        assert scheduled and {s for _, s in scheduled} == {DeadlineStatus.open}
        today = local_today()
        cases = [
            (today + timedelta(days=1), "not_in_future"),
            (date(2024, 12, 31), "not_before_implementation"),
        ]
        for held_on, rule in cases:
            response = await client.post(
                URL, json={"held_on": held_on.isoformat(), "note": NOTE}, headers=headers
            )
            body = problem(response, 422)
            assert [(e["field"], e["rule"]) for e in body["errors"]] == [("held_on", rule)]
            assert NOTE not in response.text
        assert await count(db, PolicyReview) == 0
        assert [(d.due_on, d.status) for d in await review_deadlines(db)] == scheduled
        ok = await client.post(
            URL, json={"held_on": today.isoformat(), "note": NOTE}, headers=headers
        )
        assert ok.status_code == 201, ok.text
        again = await client.post(
            URL, json={"held_on": today.isoformat(), "note": NOTE}, headers=headers
        )
        body = problem(again, 422)
        assert [(e["field"], e["rule"]) for e in body["errors"]] == [
            ("held_on", "after_last_review")
        ]
        assert await count(db, PolicyReview) == 1
        missing = await client.post(URL, json={"held_on": today.isoformat()}, headers=headers)
        assert ("note", "missing") in [
            (e["field"], e["rule"]) for e in problem(missing, 422)["errors"]
        ]

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource])
    async def test_others_are_403_and_anonymous_401(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        body = {"held_on": local_today().isoformat(), "note": NOTE}
        problem(await client.post(URL, json=body, headers=headers), 403)
        problem(await client.post(URL, json=body), 401)
        assert await count(db, PolicyReview) == 0


class TestListReviews:
    @pytest.mark.clause("6")
    @pytest.mark.parametrize("role", EXECUTIVE)
    async def test_the_executive_reads_the_reviews_held_latest_first(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        for held_on, note in ((date(2026, 6, 1), "First"), (local_today(), "Second")):
            response = await client.post(
                URL, json={"held_on": held_on.isoformat(), "note": note}, headers=officer
            )
            assert response.status_code == 201, response.text
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.get(URL, headers=headers)
        assert response.status_code == 200, response.text
        listed = response.json()
        assert [(r["held_on"], r["note"]) for r in listed] == [
            (local_today().isoformat(), "Second"),
            ("2026-06-01", "First"),
        ]
        # The first met the 18-month review; the second, early, the one due three years
        # after the first.
        assert [(r["deadline_due_on"], r["deadline_status"]) for r in listed] == [
            ("2029-06-01", "met"),
            ("2026-07-02", "met"),
        ]
        assert await count(db, AuditEntry, AuditEntry.action == "policy.read_reviews") == 1

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource])
    async def test_others_are_403_and_anonymous_401(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.get(URL, headers=headers), 403)
        problem(await client.get(URL), 401)
