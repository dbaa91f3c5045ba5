"""GET /api/feeds/{token}.ics: the content (RFC 5545/7986, strict parsers), HTTP caching,
and what each user's feed holds (4.3.1(ii)-(vi), 6), with no name ever in it (5.1)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

import aiohttp
import httpx
import pytest
from fastapi import FastAPI
from icalendar import Calendar
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from vdirsyncer.storage.http import HttpStorage

from ombuds.auth.passwords import Passwords
from ombuds.deadlines.rules import add_months, policy_review_dates
from ombuds.kit.clock import local_today, utcnow
from ombuds.models import (
    Complaint,
    Deadline,
    DeadlineKind,
    OfficerConflict,
    Role,
    UserRole,
)
from ombuds.settings import Settings
from tests.calendars.live import served
from tests.calendars.support import by_uid, problem, strict, vevents
from tests.factories.accounts import login, make_user, signed_in
from tests.factories.calendars import (
    Case,
    canaries_in,
    canary_case,
    cancel_deadlines,
    create_feed,
    feed_path,
    lapse_deadline,
    open_deadline,
    satisfy_deadline,
)

Headers = dict[str, str]


async def fetch(client: httpx.AsyncClient, path: str, **headers: str) -> httpx.Response:
    return await client.get(path, headers=headers)


async def set_updated_at(db: AsyncSession, deadline_id: uuid.UUID, moment: datetime) -> None:
    await db.execute(update(Deadline).where(Deadline.id == deadline_id).values(updated_at=moment))
    await db.commit()


async def notify_officers(db: AsyncSession, complaint_id: uuid.UUID) -> None:
    """4.3.1(iii), written directly: the officers now know the complaint exists."""
    await db.execute(
        update(Complaint)
        .where(Complaint.id == complaint_id)
        .values(table_officers_notified_on=date(2026, 3, 3), version=Complaint.version + 1)
    )
    await db.commit()


class TestContent:
    @pytest.mark.clause("5.1")
    async def test_feed_is_strict_icalendar_with_fixed_words_only(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        response_due = await open_deadline(db, settings, case.id)
        report_due = await open_deadline(
            db, settings, case.id, DeadlineKind.crc_report, date(2026, 3, 4), 60
        )
        response = await fetch(client, feed_path(await create_feed(client, case.headers)))
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/calendar; charset=utf-8"
        assert response.headers["cache-control"] == "private"
        assert response.headers["referrer-policy"] == "no-referrer"
        calendar = strict(response.content)
        assert str(calendar["NAME"]) == str(calendar["X-WR-CALNAME"]) == "Complaint deadlines"
        assert "UID" not in calendar  # each event's UID is the only one (vdirsyncer)
        assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
        assert b"X-PUBLISHED-TTL:PT1H\r\n" in response.content
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Winnipeg"]
        assert [c.name for c in calendar.subcomponents] == ["VTIMEZONE", "VEVENT", "VEVENT"]
        assert calendar.walk("VTODO") == [] and calendar.walk("VALARM") == []
        events = by_uid(calendar)
        assert set(events) == {str(response_due.id), str(report_due.id)}
        first = events[str(response_due.id)]
        assert str(first["SUMMARY"]) == f"Written response due — {case.reference}"
        assert str(events[str(report_due.id)]["SUMMARY"]) == f"CRC report due — {case.reference}"
        assert b"DTSTART;VALUE=DATE:20260316\r\n" in response.content
        assert first["DTSTART"].dt == response_due.due_on == date(2026, 3, 16)
        assert first["DTEND"].dt == date(2026, 3, 17)
        assert str(first["TRANSP"]) == "TRANSPARENT"
        assert str(first["STATUS"]) == "CONFIRMED"
        assert int(first["SEQUENCE"]) == 0
        assert str(first["URL"]) == f"http://testserver/complaints/{case.id}"
        for event in vevents(calendar):
            assert "DESCRIPTION" not in event and "LOCATION" not in event
            assert "ATTENDEE" not in event and "ORGANIZER" not in event

    async def test_stamps_come_from_the_record_and_renders_are_identical(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        deadline = await open_deadline(db, settings, case.id)
        changed = datetime(2026, 3, 2, 15, 4, 5, 678000, tzinfo=utcnow().tzinfo)
        await set_updated_at(db, deadline.id, changed)
        path = feed_path(await create_feed(client, case.headers))
        first, second = await fetch(client, path), await fetch(client, path)
        assert first.content == second.content
        assert first.headers["etag"] == second.headers["etag"]
        event = vevents(strict(first.content))[0]
        assert event["DTSTAMP"].dt == event["LAST-MODIFIED"].dt == changed.replace(microsecond=0)
        assert parsedate_to_datetime(first.headers["last-modified"]) == changed.replace(
            microsecond=0
        )

    @pytest.mark.clause("4.3.1(ii)")
    async def test_redated_deadline_has_a_higher_sequence_and_a_new_etag(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        deadline = await open_deadline(db, settings, case.id)
        await set_updated_at(db, deadline.id, utcnow() - timedelta(hours=2))
        path = feed_path(await create_feed(client, case.headers))
        before = await fetch(client, path)
        await open_deadline(db, settings, case.id, trigger_on=date(2026, 3, 9))
        after = await fetch(client, path)
        assert after.headers["etag"] != before.headers["etag"]
        event = by_uid(strict(after.content))[str(deadline.id)]
        assert int(event["SEQUENCE"]) == 1
        assert event["DTSTART"].dt == date(2026, 3, 23)
        assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(
            before.headers["last-modified"]
        )

    @pytest.mark.clause("4.3.1(ii)")
    async def test_cancelled_deadline_is_published_cancelled_then_dropped(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        deadline = await open_deadline(db, settings, case.id)
        path = feed_path(await create_feed(client, case.headers))
        await fetch(client, path)
        await cancel_deadlines(db, case.id)
        cancelled = await fetch(client, path)
        event = by_uid(strict(cancelled.content))[str(deadline.id)]
        assert (str(event["STATUS"]), int(event["SEQUENCE"])) == ("CANCELLED", 1)
        assert str(event["SUMMARY"]) == f"Written response due — {case.reference} (cancelled)"
        # 30 days on, it is dropped: the body changes though no record is newer, so
        # Last-Modified still moves forward.
        await set_updated_at(db, deadline.id, utcnow() - timedelta(days=31))
        dropped = await fetch(client, path)
        assert vevents(strict(dropped.content)) == []
        assert dropped.headers["etag"] != cancelled.headers["etag"]
        assert parsedate_to_datetime(dropped.headers["last-modified"]) > parsedate_to_datetime(
            cancelled.headers["last-modified"]
        )

    @pytest.mark.clause("4.3.1(ii)")
    async def test_met_met_late_and_lapsed_deadlines_read_as_such_not_as_cancelled(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        met = await open_deadline(db, settings, case.id, DeadlineKind.table_officer_notice)
        late = await open_deadline(db, settings, case.id, DeadlineKind.crc_report)
        lapsed = await open_deadline(db, settings, case.id)
        path = feed_path(await create_feed(client, case.headers))
        before = await fetch(client, path)
        await satisfy_deadline(db, case.id, DeadlineKind.table_officer_notice, met.due_on)
        late_on = late.due_on + timedelta(days=1)
        await satisfy_deadline(db, case.id, DeadlineKind.crc_report, late_on)
        await lapse_deadline(db, case.id, DeadlineKind.written_response)
        after = await fetch(client, path)
        assert after.headers["etag"] != before.headers["etag"]
        events = by_uid(strict(after.content))
        shown = {
            uid: (str(e["STATUS"]), str(e["SUMMARY"]), int(e["SEQUENCE"]))
            for uid, e in events.items()
        }
        assert shown == {
            str(met.id): ("CONFIRMED", f"Notify the table officers — {case.reference} (met)", 1),
            str(late.id): ("CONFIRMED", f"CRC report due — {case.reference} (met late)", 1),
            str(lapsed.id): (
                "CONFIRMED",
                f"Written response due — {case.reference} (lapsed)",
                1,
            ),
        }


class TestConditionalRequests:
    async def _feed(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> tuple[str, httpx.Response]:
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        path = feed_path(await create_feed(client, case.headers))
        return path, await fetch(client, path)

    async def test_if_none_match_answers_304(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        path, first = await self._feed(client, db, passwords, settings)
        etag = first.headers["etag"]
        assert etag.startswith('"') and not etag.startswith("W/")
        for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
            again = await fetch(client, path, **{"If-None-Match": sent})
            assert again.status_code == 304, sent
            assert again.content == b""
            assert again.headers["etag"] == etag
            assert again.headers["cache-control"] == "private"
        other = await fetch(client, path, **{"If-None-Match": '"something-else"'})
        assert other.status_code == 200 and other.content == first.content

    async def test_if_modified_since_answers_304_and_if_none_match_comes_first(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        path, first = await self._feed(client, db, passwords, settings)
        modified = first.headers["last-modified"]
        same = await fetch(client, path, **{"If-Modified-Since": modified})
        assert same.status_code == 304
        earlier = parsedate_to_datetime(modified) - timedelta(seconds=1)
        older = await fetch(
            client, path, **{"If-Modified-Since": earlier.strftime("%a, %d %b %Y %H:%M:%S GMT")}
        )
        assert older.status_code == 200
        # A stale ETag wins over a date that would say "unchanged".
        both = await fetch(
            client, path, **{"If-None-Match": '"stale"', "If-Modified-Since": modified}
        )
        assert both.status_code == 200
        unreadable = await fetch(client, path, **{"If-Modified-Since": "yesterday-ish"})
        assert unreadable.status_code == 200


async def two_deadlines(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
) -> tuple[Case, Deadline, Deadline]:
    case = await canary_case(client, db, passwords)
    response_due = await open_deadline(db, settings, case.id)
    report_due = await open_deadline(
        db, settings, case.id, DeadlineKind.crc_report, date(2026, 3, 4), 60
    )
    return case, response_due, report_due


class TestHead:
    async def test_head_sends_the_get_headers_without_a_body(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        path = feed_path(await create_feed(client, case.headers))
        got = await fetch(client, path)
        head = await client.head(path)
        assert (head.status_code, head.content) == (200, b"")
        for name in (
            "etag",
            "last-modified",
            "content-type",
            "cache-control",
            "referrer-policy",
            "content-disposition",
        ):
            assert head.headers[name] == got.headers[name], name
        assert head.headers["content-length"] == str(len(got.content)) != "0"
        again = await client.head(path, headers={"If-None-Match": got.headers["etag"]})
        assert (again.status_code, again.content) == (304, b"")
        assert again.headers["etag"] == got.headers["etag"]
        since = await client.head(path, headers={"If-Modified-Since": got.headers["last-modified"]})
        assert since.status_code == 304

    async def test_head_of_an_unknown_or_ended_feed(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        assert (await client.head("/api/feeds/" + "A" * 43 + ".ics")).status_code == 404
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        path = feed_path(await create_feed(client, headers))
        await client.delete("/api/calendar/feed", headers=headers)
        gone = await client.head(path)
        assert (gone.status_code, gone.content) == (410, b"")


class TestSubscriber:
    """vdirsyncer's http storage, the way a subscriber that keeps a copy reads a feed:
    it splits the feed into one item per UID (calendar properties copied into each)."""

    async def test_vdirsyncer_sees_every_event_with_its_own_uid(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        case, response_due, report_due = await two_deadlines(client, db, passwords, settings)
        path = feed_path(await create_feed(client, case.headers))
        async with served(app) as live, aiohttp.TCPConnector() as connector:
            storage = HttpStorage(url=live.base_url + path, connector=connector)
            listed = [href async for href, _ in storage.list()]
            items = {href: (await storage.get(href))[0] for href in listed}
        # One item per event, each under its own UID (vdirsyncer's http storage replaces
        # an event's UID by a hash of the event, then reads the item's first UID line).
        assert len(items) == 2
        assert {item.uid for item in items.values()} == set(items)
        events = [vevents(Calendar.from_ical(item.raw)) for item in items.values()]
        assert sorted(str(e["SUMMARY"]) for (e,) in events) == [
            f"CRC report due — {case.reference}",
            f"Written response due — {case.reference}",
        ]
        assert {(e["DTSTART"].dt) for (e,) in events} == {response_due.due_on, report_due.due_on}
        assert canaries_in("".join(item.raw for item in items.values())) == []


class TestScope:
    @pytest.mark.clause("4.3.1(iv)")
    async def test_each_role_sees_its_own_deadlines_only(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        mine = await canary_case(client, db, passwords)
        mine_due = await open_deadline(db, settings, mine.id)
        _, other_ombuds = await signed_in(db, passwords, client, Role.ombudsperson)
        _, staff = await signed_in(db, passwords, client, Role.staff_resource)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        _, admin = await signed_in(db, passwords, client, Role.administrator)

        async def uids(headers: Headers) -> set[str]:
            response = await fetch(client, feed_path(await create_feed(client, headers)))
            return {
                uid
                for uid, e in by_uid(strict(response.content)).items()
                if not str(e["SUMMARY"]).startswith("Policy review")
            }

        assert await uids(mine.headers) == {str(mine_due.id)}
        assert await uids(other_ombuds) == set()
        assert await uids(staff) == set()
        assert await uids(admin) == set()
        # Table officers learn of it only once told (4.3.1(iii)).
        assert await uids(officer) == set()
        await notify_officers(db, mine.id)
        assert await uids(officer) == {str(mine_due.id)}

    @pytest.mark.clause("4.3.1(iv)")
    async def test_a_recused_officer_loses_the_deadline_and_last_modified_moves_on(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        case = await canary_case(client, db, passwords)
        deadline = await open_deadline(db, settings, case.id)
        await set_updated_at(db, deadline.id, utcnow() - timedelta(days=2))
        await notify_officers(db, case.id)
        officer, headers = await signed_in(db, passwords, client, Role.table_officer)
        path = feed_path(await create_feed(client, headers))
        before = await fetch(client, path)
        assert str(deadline.id) in by_uid(strict(before.content))
        db.add(OfficerConflict(complaint_id=case.id, user_id=officer.id))
        await db.commit()
        after = await fetch(client, path)
        assert str(deadline.id) not in by_uid(strict(after.content))
        assert after.headers["etag"] != before.headers["etag"]
        assert parsedate_to_datetime(after.headers["last-modified"]) > parsedate_to_datetime(
            before.headers["last-modified"]
        )

    @pytest.mark.clause("4.3.1(iv)")
    async def test_an_officer_who_is_the_other_party_never_sees_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        first = await canary_case(client, db, passwords)
        party = first.other_party
        case = await canary_case(client, db, passwords, other_party=party)
        await open_deadline(db, settings, case.id)
        await notify_officers(db, case.id)
        _, headers = await signed_in(db, passwords, client, Role.table_officer, member=party)
        response = await fetch(client, feed_path(await create_feed(client, headers)))
        assert case.reference not in response.text
        summaries = [str(e["SUMMARY"]) for e in vevents(strict(response.content))]
        assert summaries == ["Policy review due (clause 6)"] * 2

    @pytest.mark.clause("6")
    @pytest.mark.parametrize("role", [Role.administrator, Role.table_officer])
    async def test_the_executive_sees_the_policy_reviews(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        role: Role,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        response = await fetch(client, feed_path(await create_feed(client, headers)))
        events = vevents(strict(response.content))
        # 18 months after implementation, then every three years, four years ahead.
        expected = policy_review_dates(
            settings.policy_implemented_on,
            until=add_months(local_today(), 48),
            rollover=settings.roll_over_non_working_days,
        )
        assert [e["DTSTART"].dt for e in events] == [r.due_on for r in expected]
        assert events[0]["DTSTART"].dt == date(2026, 7, 2)  # 1 July is Canada Day
        assert {str(e["SUMMARY"]) for e in events} == {"Policy review due (clause 6)"}
        assert all("URL" not in e for e in events)
        _, ombudsperson = await signed_in(db, passwords, client, Role.ombudsperson)
        theirs = await fetch(client, feed_path(await create_feed(client, ombudsperson)))
        assert vevents(strict(theirs.content)) == []


class TestTokens:
    @pytest.mark.parametrize(
        "token",
        ["short", "x" * 44, "a" * 42 + "!", "%2e%2e%2f" + "a" * 34, "a" * 200],
        ids=["short", "long", "bad-char", "encoded", "huge"],
    )
    async def test_a_token_of_the_wrong_shape_is_404(
        self, client: httpx.AsyncClient, token: str
    ) -> None:
        body = problem(await client.get(f"/api/feeds/{token}.ics"), 404)
        assert token not in body["detail"]

    async def test_an_unknown_token_is_404(self, client: httpx.AsyncClient) -> None:
        token = "A" * 43
        body = problem(await client.get(f"/api/feeds/{token}.ics"), 404)
        assert token not in str(body)

    async def test_rotated_and_revoked_tokens_answer_410_at_once(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        first = feed_path(await create_feed(client, headers))
        assert (await fetch(client, first)).status_code == 200
        second = feed_path(await create_feed(client, headers))
        problem(await fetch(client, first), 410)
        assert (await fetch(client, second)).status_code == 200
        assert (await client.delete("/api/calendar/feed", headers=headers)).status_code == 204
        body = problem(await fetch(client, second), 410)
        assert second.split("/")[-1] not in str(body)

    async def test_a_deactivated_users_feed_answers_410(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        path = feed_path(await create_feed(client, headers))
        assert (await fetch(client, path)).status_code == 200
        user.is_active = False
        await db.commit()
        problem(await fetch(client, path), 410)

    async def test_a_changed_role_takes_effect_at_once(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        # The feed reads the user's roles on every fetch, not those it had when created.
        user = await make_user(db, passwords, Role.administrator)
        headers = await login(client, user.username)
        path = feed_path(await create_feed(client, headers))
        assert len(vevents(strict((await fetch(client, path)).content))) == 2
        await db.execute(
            update(UserRole).where(UserRole.user_id == user.id).values(role=Role.staff_resource)
        )
        await db.commit()
        assert vevents(strict((await fetch(client, path)).content)) == []
