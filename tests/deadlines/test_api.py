"""GET /api/deadlines: the JSON deadlines API for integrations (deadlines:read) and for
signed-in users (their own scope). Dates, kinds and references only (5.1)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.deadlines import service as deadlines
from ombuds.deadlines import upkeep
from ombuds.kit.clock import local_today, utcnow
from ombuds.kit.pagination import encode_cursor
from ombuds.models import Complaint, Deadline, DeadlineKind, Role, Scope
from ombuds.settings import Settings
from tests.calendars.support import errors, problem
from tests.factories.accounts import make_api_token, signed_in
from tests.factories.calendars import (
    canaries_in,
    canary_case,
    cancel_deadlines,
    lapse_deadline,
    open_deadline,
    satisfy_deadline,
)

ITEM_KEYS = {
    "id",
    "kind",
    "summary",
    "reference",
    "due_on",
    "status",
    "tombstone",
    "satisfied_on",
    "sequence",
    "updated_at",
    "rule",
}
RULE_KEYS = {
    "basis",
    "trigger_on",
    "period_days",
    "period_months",
    "nominal_due_on",
    "moved_by",
    "explanation",
}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def listing(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    response = await client.get("/api/deadlines", headers=headers, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert canaries_in(response.text) == []
    return body


def ids(body: dict[str, Any], *, complaints_only: bool = True) -> list[str]:
    return [i["id"] for i in body["items"] if not complaints_only or i["kind"] != "policy_review"]


async def integration(db: AsyncSession) -> dict[str, str]:
    _, token = await make_api_token(db, Scope.deadlines_read)
    return bearer(token)


class TestList:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        problem(await client.get("/api/deadlines"), 401)

    async def test_a_token_in_the_url_is_not_accepted(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        _, token = await make_api_token(db, Scope.deadlines_read)
        problem(await client.get("/api/deadlines", params={"access_token": token}), 401)

    async def test_an_integration_without_the_scope_is_403(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        _, token = await make_api_token(db)
        problem(await client.get("/api/deadlines", headers=bearer(token)), 403)

    @pytest.mark.clause("5.1")
    async def test_an_integration_gets_every_deadline_by_reference_only(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        first = await canary_case(client, db, passwords)
        second = await canary_case(client, db, passwords)
        one = await open_deadline(db, settings, first.id)
        two = await open_deadline(db, settings, second.id, trigger_on=date(2026, 3, 3))
        body = await listing(client, await integration(db))
        assert ids(body) == [str(one.id), str(two.id)]
        item = body["items"][0]
        assert set(item) == ITEM_KEYS and set(item["rule"]) == RULE_KEYS
        assert item["summary"] == f"Written response due — {first.reference}"
        assert (item["reference"], item["due_on"]) == (first.reference, "2026-03-16")
        assert (item["status"], item["tombstone"], item["sequence"]) == ("open", False, 0)
        assert item["rule"]["basis"] == "calendar_days_after_trigger"
        assert (item["rule"]["trigger_on"], item["rule"]["period_days"]) == ("2026-03-02", 14)
        assert item["rule"]["explanation"] == one.explanation
        # 6: the policy reviews come too, without a reference.
        reviews = [i for i in body["items"] if i["kind"] == "policy_review"]
        assert reviews and {(r["reference"], r["summary"]) for r in reviews} == {
            (None, "Policy review due (clause 6)")
        }

    async def test_a_holiday_rollover_names_the_holiday(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        # 14 days after 2026-09-16 is Wednesday 30 September, Truth and Reconciliation Day.
        deadline = await open_deadline(db, settings, case.id, trigger_on=date(2026, 9, 16))
        (item,) = (await listing(client, case.headers))["items"]
        assert item["id"] == str(deadline.id)
        assert item["rule"]["nominal_due_on"] == "2026-09-30"
        assert item["due_on"] == deadline.due_on.isoformat() != "2026-09-30"
        assert item["rule"]["moved_by"] == deadline.moved_by.split(", ")  # type: ignore[union-attr]
        assert item["rule"]["moved_by"][0] in item["rule"]["explanation"]

    @pytest.mark.clause("4.3.1(iv)")
    async def test_users_get_their_own_scope(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        deadline = await open_deadline(db, settings, case.id)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        assert ids(await listing(client, case.headers)) == [str(deadline.id)]
        assert ids(await listing(client, other)) == []
        assert ids(await listing(client, officer)) == []
        admin_body = await listing(client, admin)
        assert ids(admin_body) == [] and ids(admin_body, complaints_only=False)
        assert ids(await listing(client, other), complaints_only=False) == []
        await db.execute(
            update(Complaint)
            .where(Complaint.id == case.id)
            .values(table_officers_notified_on=date(2026, 3, 3))
        )
        await db.commit()
        assert ids(await listing(client, officer)) == [str(deadline.id)]

    async def test_keyset_pages_and_date_range(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        made = [
            await open_deadline(db, settings, case.id, kind, date(2026, 3, day), 14)
            for kind, day in (
                (DeadlineKind.crc_report, 9),
                (DeadlineKind.written_response, 2),
                (DeadlineKind.table_officer_notice, 5),
            )
        ]
        expected = [str(d.id) for d in sorted(made, key=lambda d: (d.due_on, str(d.id)))]
        first = await listing(client, case.headers, limit=2)
        assert ids(first) == expected[:2] and first["next_cursor"]
        second = await listing(client, case.headers, limit=2, cursor=first["next_cursor"])
        assert ids(second) == expected[2:] and second["next_cursor"] is None
        ranged = await listing(client, case.headers, **{"from": "2026-03-17", "to": "2026-03-20"})
        assert ids(ranged) == expected[1:2]

    async def test_updated_since_returns_changes_and_tombstones(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        kept = await open_deadline(db, settings, case.id)
        gone = await open_deadline(db, settings, case.id, DeadlineKind.crc_report)
        long_ago = utcnow() - timedelta(days=3)
        await db.execute(update(Deadline).values(updated_at=long_ago))
        await db.commit()
        since = (utcnow() - timedelta(minutes=1)).isoformat()
        assert (await listing(client, case.headers, updated_since=since))["items"] == []
        await cancel_deadlines(db, case.id)  # both
        await open_deadline(db, settings, case.id)  # re-opened: open again, sequence 2
        body = await listing(client, case.headers, updated_since=since, limit=1)
        assert len(body["items"]) == 1 and body["next_cursor"]
        rest = await listing(client, case.headers, updated_since=since, cursor=body["next_cursor"])
        items = {i["id"]: i for i in body["items"] + rest["items"]}
        assert set(items) == {str(kept.id), str(gone.id)}
        assert (items[str(gone.id)]["status"], items[str(gone.id)]["tombstone"]) == (
            "cancelled",
            True,
        )
        assert items[str(gone.id)]["sequence"] == 1
        assert (items[str(kept.id)]["status"], items[str(kept.id)]["sequence"]) == ("open", 2)
        # Without updated_since only what is still owed is listed.
        assert ids(await listing(client, case.headers)) == [str(kept.id)]

    @pytest.mark.clause("4.3.1(ii)")
    async def test_met_met_late_lapsed_and_cancelled_are_told_apart(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        met = await open_deadline(db, settings, case.id, DeadlineKind.table_officer_notice)
        late = await open_deadline(db, settings, case.id, DeadlineKind.crc_report)
        lapsed = await open_deadline(db, settings, case.id)
        closed = await canary_case(
            client, db, passwords, ombudsperson=(case.ombudsperson, case.headers)
        )
        cancelled = await open_deadline(db, settings, closed.id)
        since = (utcnow() - timedelta(minutes=1)).isoformat()
        await satisfy_deadline(db, case.id, DeadlineKind.table_officer_notice, met.due_on)
        late_on = late.due_on + timedelta(days=1)
        await satisfy_deadline(db, case.id, DeadlineKind.crc_report, late_on)
        await lapse_deadline(db, case.id, DeadlineKind.written_response)
        await cancel_deadlines(db, closed.id)
        body = await listing(client, case.headers, updated_since=since)
        shown = {
            i["id"]: (i["status"], i["tombstone"], i["satisfied_on"], i["sequence"])
            for i in body["items"]
        }
        assert shown == {
            str(met.id): ("met", True, met.due_on.isoformat(), 1),
            str(late.id): ("met_late", True, late_on.isoformat(), 1),
            str(lapsed.id): ("lapsed", True, None, 1),
            str(cancelled.id): ("cancelled", True, None, 1),
        }
        # None of them is owed any more: the open list has none of them.
        assert ids(await listing(client, case.headers)) == []

    @pytest.mark.clause("4.3.1(ii)")
    async def test_a_re_dated_deadline_keeps_how_it_ended(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        met = await open_deadline(db, settings, case.id)  # due Mon 2026-03-16
        lapsed = await open_deadline(db, settings, case.id, DeadlineKind.crc_report)
        await satisfy_deadline(db, case.id, DeadlineKind.written_response, date(2026, 3, 13))
        await lapse_deadline(db, case.id, DeadlineKind.crc_report)
        since = (utcnow() - timedelta(minutes=1)).isoformat()
        # Counted from a week earlier, the response came after its due date: met late.
        await open_deadline(db, settings, case.id, trigger_on=date(2026, 2, 23))
        await open_deadline(db, settings, case.id, DeadlineKind.crc_report, date(2026, 2, 23))
        body = await listing(client, case.headers, updated_since=since)
        shown = {i["id"]: (i["status"], i["due_on"], i["satisfied_on"]) for i in body["items"]}
        assert shown == {
            str(met.id): ("met_late", "2026-03-09", "2026-03-13"),
            str(lapsed.id): ("lapsed", "2026-03-09", None),
        }

    async def test_etag_and_if_none_match(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        first = await client.get("/api/deadlines", headers=case.headers)
        etag = first.headers["etag"]
        same = await client.get("/api/deadlines", headers={**case.headers, "If-None-Match": etag})
        assert (same.status_code, same.content) == (304, b"")
        await open_deadline(db, settings, case.id, trigger_on=date(2026, 3, 9))
        changed = await client.get(
            "/api/deadlines", headers={**case.headers, "If-None-Match": etag}
        )
        assert changed.status_code == 200 and changed.headers["etag"] != etag
        assert changed.json()["items"][0]["sequence"] == 1


class TestBadInput:
    @pytest.mark.parametrize(
        ("params", "field", "rule"),
        [
            ({"from": "2026-13-01"}, "from", "date_from_datetime_parsing"),
            ({"to": "tomorrow"}, "to", "date_from_datetime_parsing"),
            ({"from": "2026-05-02", "to": "2026-05-01"}, "from", "not_after_to"),
            ({"from": "2026-01-01", "to": "2028-01-03"}, "to", "range_too_long"),
            ({"updated_since": "2026-01-01T00:00:00"}, "updated_since", "iso_datetime"),
            ({"updated_since": "last week"}, "updated_since", "iso_datetime"),
            # Seconds since 1970 are not a date and time, however pydantic would read them.
            ({"updated_since": "-16108"}, "updated_since", "iso_datetime"),
            ({"updated_since": "1765000000"}, "updated_since", "iso_datetime"),
            (
                {"updated_since": "2026-13-01T00:00:00Z"},
                "updated_since",
                "datetime_from_date_parsing",
            ),
            ({"cursor": "not-a-cursor"}, "cursor", "cursor_invalid"),
            ({"limit": "0"}, "limit", "greater_than_equal"),
        ],
    )
    async def test_refused_naming_the_field(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        params: dict[str, str],
        field: str,
        rule: str,
    ) -> None:
        headers = await integration(db)
        body = problem(await client.get("/api/deadlines", headers=headers, params=params), 422)
        assert [f for f, _ in errors(body)] == [field]
        assert errors(body)[0][1].startswith(rule.split("_from_")[0])

    async def test_a_two_year_range_is_fine(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        params = {"from": "2026-01-01", "to": "2027-12-31"}
        response = await client.get("/api/deadlines", headers=await integration(db), params=params)
        assert response.status_code == 200

    async def test_a_cursor_from_the_other_ordering_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        await open_deadline(db, settings, case.id, DeadlineKind.crc_report)
        page = await listing(client, case.headers, limit=1)
        since = datetime(2020, 1, 1, tzinfo=utcnow().tzinfo).isoformat()
        body = problem(
            await client.get(
                "/api/deadlines",
                headers=case.headers,
                params={"cursor": page["next_cursor"], "updated_since": since},
            ),
            422,
        )
        assert errors(body) == [("cursor", "cursor_invalid")]

    @pytest.mark.parametrize(
        "sent",
        [
            {"from": "2026-03-01", "to": "2026-12-31"},
            {"from": "2026-01-01", "to": "2027-06-30"},
            {"from": "2026-01-01"},
            {},
        ],
        ids=["other-from", "other-to", "without-to", "without-filters"],
    )
    async def test_a_cursor_with_other_filters_is_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        sent: dict[str, str],
    ) -> None:
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        await open_deadline(db, settings, case.id, DeadlineKind.crc_report)
        issued = {"from": "2026-01-01", "to": "2026-12-31"}
        page = await listing(client, case.headers, limit=1, **issued)
        # The very same filters continue; any other from/to does not.
        same = await listing(client, case.headers, cursor=page["next_cursor"], **issued)
        assert len(same["items"]) == 1
        response = await client.get(
            "/api/deadlines", headers=case.headers, params={"cursor": page["next_cursor"], **sent}
        )
        assert errors(problem(response, 422)) == [("cursor", "cursor_filters_changed")]

    async def test_a_cursor_with_another_updated_since_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        await open_deadline(db, settings, case.id, DeadlineKind.crc_report)
        since = "2020-01-01T00:00:00+00:00"
        page = await listing(client, case.headers, limit=1, updated_since=since)
        # The same instant in another zone is the same query.
        same_instant = "2019-12-31T18:00:00-06:00"
        rest = await listing(
            client, case.headers, updated_since=same_instant, cursor=page["next_cursor"]
        )
        assert len(rest["items"]) == 1
        for params in (
            {"updated_since": "2020-01-02T00:00:00+00:00"},
            {"updated_since": since, "from": "2026-01-01"},
        ):
            body = problem(
                await client.get(
                    "/api/deadlines",
                    headers=case.headers,
                    params={"cursor": page["next_cursor"], **params},
                ),
                422,
            )
            assert errors(body) == [("cursor", "cursor_filters_changed")]

    async def test_a_forged_cursor_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        forged = encode_cursor("d", "2026-02-30", uuid.uuid4())
        body = problem(
            await client.get(
                "/api/deadlines", headers=await integration(db), params={"cursor": forged}
            ),
            422,
        )
        assert errors(body) == [("cursor", "cursor_invalid")]


class TestPolicyReviewDates:
    @pytest.mark.clause("6")
    async def test_listed_once_however_often_they_are_read(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        headers = await integration(db)
        first = await listing(client, headers)
        again = await listing(client, headers)
        assert first == again
        reviews = [i["due_on"] for i in first["items"] if i["kind"] == "policy_review"]
        assert reviews and len(reviews) == len(set(reviews))

    async def test_two_first_writers_take_turns_on_postgresql(
        self, app: FastAPI, settings: Settings, backend: str
    ) -> None:
        if backend != "postgresql":
            pytest.skip("the advisory lock is PostgreSQL's; SQLite serialises its writers")
        today = local_today()
        await _drop_review_dates(app)  # added when the service started
        async with app.state.sessionmaker() as first, app.state.sessionmaker() as second:
            added = await deadlines.ensure_upcoming_policy_reviews(first, settings, today)
            assert added > 0
            # The service's upkeep does not wait: another process is at it.
            async with app.state.sessionmaker() as upkeep_round:
                skipped = await deadlines.ensure_upcoming_policy_reviews(
                    upkeep_round, settings, today, wait=False
                )
                assert skipped == 0
            waiting = asyncio.create_task(
                deadlines.ensure_upcoming_policy_reviews(second, settings, today)
            )
            await asyncio.sleep(0.2)
            assert not waiting.done()  # held by the first writer's lock
            await first.commit()
            assert await waiting == 0
            await second.commit()
        async with app.state.sessionmaker() as check:
            dates = list(
                await check.scalars(
                    select(Deadline.due_on).where(Deadline.kind == DeadlineKind.policy_review)
                )
            )
        assert len(dates) == added == len(set(dates))

    @pytest.mark.clause("6")
    async def test_the_service_keeps_the_dates_and_reads_only_read_them(
        self, app: FastAPI, settings: Settings, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        headers = await integration(db)
        kept = _reviews(await listing(client, headers))
        assert kept  # there from the start, before any read
        await _drop_review_dates(app)
        assert _reviews(await listing(client, headers)) == []  # a read adds nothing
        assert await upkeep.ensure_once(app.state.sessionmaker, settings) == len(kept)
        assert _reviews(await listing(client, headers)) == kept


def _reviews(listed: dict[str, Any]) -> list[str]:
    return [i["due_on"] for i in listed["items"] if i["kind"] == "policy_review"]


async def _drop_review_dates(app: FastAPI) -> None:
    async with app.state.sessionmaker() as db:
        await db.execute(
            delete(Deadline).where(
                Deadline.complaint_id.is_(None), Deadline.kind == DeadlineKind.policy_review
            )
        )
        await db.commit()
