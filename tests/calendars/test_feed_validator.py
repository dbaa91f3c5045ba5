"""The feed's poll answers from a stored validator (calendars/validator.py): every change
that may alter a user's feed, made through the API, moves it in the same transaction, so
the client's old ETag then gets a 200 with the new content; with no such change, a 304.
GET and HEAD alike (RFC 9110 conditional requests, calendars/conditional.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.calendars import endpoints as feed_endpoints
from ombuds.calendars import feeds, validator
from ombuds.kit.clock import local_today, utcnow
from ombuds.models import (
    CalendarFeedBase,
    CalendarFeedChange,
    CalendarFeedToken,
    Complaint,
    Role,
)
from ombuds.settings import Settings
from tests.calendars.support import by_uid, strict, vevents
from tests.factories.accounts import login, make_user, signed_in
from tests.factories.calendars import (
    Case,
    canary_case,
    cancel_deadlines,
    create_feed,
    feed_path,
    open_deadline,
)
from tests.factories.committees import (
    make_ombudsperson,
    make_staff_resource,
    status_etag,
    strike_committee,
)
from tests.factories.directory import make_member, make_unit
from tests.factories.procedure import (
    choose_route,
    notify_table_officers,
    record_attempt,
    record_review,
    to_committee,
    to_review,
    url,
)

Headers = dict[str, str]
METHODS = ["GET", "HEAD"]


class Feed:
    """A subscribed calendar client: fetches once, then polls with the ETag it holds."""

    def __init__(self, client: httpx.AsyncClient, path: str) -> None:
        self.client = client
        self.path = path
        self.etag = ""
        self.body = b""

    @classmethod
    async def of(cls, client: httpx.AsyncClient, headers: Headers) -> Feed:
        feed = cls(client, feed_path(await create_feed(client, headers)))
        await feed.fetch()
        return feed

    async def fetch(self) -> httpx.Response:
        response = await self.client.get(self.path)
        assert response.status_code == 200, response.text
        self.etag, self.body = response.headers["etag"], response.content
        return response

    async def poll(self, method: str) -> httpx.Response:
        return await self.client.request(method, self.path, headers={"If-None-Match": self.etag})

    async def unchanged(self, method: str) -> None:
        response = await self.poll(method)
        assert (response.status_code, response.content) == (304, b"")
        assert response.headers["etag"] == self.etag

    async def changed(self, method: str) -> dict[str, Any]:
        """The poll with the old ETag is a 200 with the new content; returns the events
        by UID (the client now holds the new ETag)."""
        old = self.etag
        response = await self.poll(method)
        assert response.status_code == 200, response.text
        assert response.headers["etag"] != old
        fresh = await self.client.get(self.path)
        assert response.headers["etag"] == fresh.headers["etag"]
        if method == "GET":
            assert response.content == fresh.content != self.body
        else:
            assert response.content == b""
            assert response.headers["content-length"] == str(len(fresh.content))
        self.etag, self.body = fresh.headers["etag"], fresh.content
        await self.unchanged(method)  # and from now on, the new ETag is current
        return by_uid(strict(fresh.content))

    async def gone(self, method: str) -> None:
        response = await self.poll(method)
        assert response.status_code == 410


def summaries(events: dict[str, Any]) -> set[str]:
    return {str(e["SUMMARY"]) for e in events.values()}


def without_reviews(events: dict[str, Any]) -> dict[str, Any]:
    return {u: e for u, e in events.items() if not str(e["SUMMARY"]).startswith("Policy")}


@pytest.mark.parametrize("method", METHODS)
class TestDeadlines:
    @pytest.mark.clause("4.3.1(ii)")
    async def test_created_moved_and_met_through_the_procedure(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, method: str
    ) -> None:
        case = await canary_case(client, db, passwords)
        feed = await Feed.of(client, case.headers)
        assert vevents(strict(feed.body)) == []
        await feed.unchanged(method)
        # Created: the formal route opens the officers' notice target (4.3.1(iii)).
        detail, etag = await choose_route(client, case.headers, case.detail, case.etag)
        events = await feed.changed(method)
        assert summaries(events) == {f"Notify the table officers — {case.reference}"}
        # Created again: the review with the other party opens the response's deadline.
        detail, etag = await to_review(client, case.headers, detail, etag)
        await feed.unchanged(method)  # the letter changes no deadline
        _, etag = await record_review(client, case.headers, detail, etag, date(2026, 2, 3))
        events = await feed.changed(method)
        response_due = next(e for e in events.values() if "Written" in str(e["SUMMARY"]))
        due = response_due["DTSTART"].dt
        # Moved: the review's date corrected.
        _, etag = await record_review(client, case.headers, detail, etag, date(2026, 2, 4))
        events = await feed.changed(method)
        moved = next(e for e in events.values() if "Written" in str(e["SUMMARY"]))
        assert moved["DTSTART"].dt > due and int(moved["SEQUENCE"]) == 1
        # Status: notifying the officers meets their notice target.
        await notify_table_officers(client, case.headers, detail, etag)
        events = await feed.changed(method)
        assert f"Notify the table officers — {case.reference} (met)" in summaries(events)

    @pytest.mark.clause("6")
    async def test_a_policy_review_recorded(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, method: str
    ) -> None:
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        _, ombudsperson = await signed_in(db, passwords, client, Role.ombudsperson)
        admins, officers, theirs = (
            await Feed.of(client, admin),
            await Feed.of(client, officer),
            await Feed.of(client, ombudsperson),
        )
        held = {"held_on": local_today().isoformat(), "note": "Reviewed by the Executive."}
        response = await client.post("/api/policy-reviews", json=held, headers=admin)
        assert response.status_code == 201, response.text
        for feed in (admins, officers):
            events = await feed.changed(method)
            assert any("(met" in s for s in summaries(events))
        await theirs.unchanged(method)


@pytest.mark.parametrize("method", METHODS)
class TestVisibility:
    @pytest.mark.clause("4.3.1(iii)")
    async def test_table_officers_notified(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, method: str
    ) -> None:
        case = await canary_case(client, db, passwords)
        detail, etag = await to_review(client, case.headers, case.detail, case.etag)
        _, etag = await record_review(client, case.headers, detail, etag)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        feed = await Feed.of(client, officer)
        assert without_reviews(by_uid(strict(feed.body))) == {}
        await feed.unchanged(method)
        await notify_table_officers(client, case.headers, detail, etag)
        events = without_reviews(await feed.changed(method))
        assert {str(e["SUMMARY"]) for e in events.values()} == {
            f"Notify the table officers — {case.reference} (met)",
            f"Written response due — {case.reference}",
        }

    @pytest.mark.clause("4.2.1")
    async def test_informal_participation_then_the_formal_route(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        method: str,
    ) -> None:
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        helper = await make_ombudsperson(db, passwords)
        feed = await Feed.of(client, await login(client, helper.username))
        await feed.unchanged(method)
        _, etag = await record_attempt(
            client, case.headers, case.detail, case.etag, [str(helper.id)]
        )
        events = await feed.changed(method)
        assert summaries(events) == {f"Written response due — {case.reference}"}
        # 4.3: from the formal route on, taking part informally gives no more reading.
        detail = (await client.get(url(case.detail), headers=case.headers)).json()
        await choose_route(client, case.headers, detail, etag)
        assert await feed.changed(method) == {}

    @pytest.mark.clause("4.3.1(v)")
    async def test_the_committee_confirmed(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        method: str,
    ) -> None:
        case = await canary_case(client, db, passwords)
        await to_committee(client, case.headers, case.detail, case.etag)
        members = [await make_ombudsperson(db, passwords) for _ in range(settings.crc_size)]
        staff = await make_staff_resource(db, passwords)
        member_feed = await Feed.of(client, await login(client, members[0].username))
        staff_feed = await Feed.of(client, await login(client, staff.username))
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        await member_feed.unchanged(method)
        await staff_feed.unchanged(method)
        await strike_committee(client, officer, case.id)
        for feed in (member_feed, staff_feed):
            events = await feed.changed(method)
            assert f"CRC report due — {case.reference}" in summaries(events)

    async def test_the_intake_ombudsperson_replaced(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        method: str,
    ) -> None:
        # No route hands a complaint over yet; the flush itself is what is watched.
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        successor, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        before, after = await Feed.of(client, case.headers), await Feed.of(client, headers)
        complaint = await db.get(Complaint, case.id, populate_existing=True)
        assert complaint is not None
        complaint.intake_ombudsperson_id = successor.id
        await db.commit()
        assert await before.changed(method) == {}
        assert summaries(await after.changed(method)) == {
            f"Written response due — {case.reference}"
        }


async def notified_case(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> tuple[Case, dict[str, Any], str]:
    case = await canary_case(client, db, passwords)
    detail, etag = await to_review(client, case.headers, case.detail, case.etag)
    _, etag = await record_review(client, case.headers, detail, etag)
    await notify_table_officers(client, case.headers, detail, etag)
    return case, detail, etag


@pytest.mark.parametrize("method", METHODS)
class TestRecusal:
    @pytest.mark.clause("4.3.1(iv)")
    async def test_an_officer_declares_a_conflict(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, method: str
    ) -> None:
        case, _, _ = await notified_case(client, db, passwords)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        feed = await Feed.of(client, officer)
        assert len(without_reviews(by_uid(strict(feed.body)))) == 2
        etag = await status_etag(client, officer, case.id)
        response = await client.post(
            f"/api/status/{case.id}/conflict", headers={**officer, "If-Match": etag}
        )
        assert response.status_code == 204, response.text
        assert without_reviews(await feed.changed(method)) == {}

    @pytest.mark.clause("4.3.1(iv)")
    async def test_an_officer_linked_to_the_other_party(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, method: str
    ) -> None:
        case, _, _ = await notified_case(client, db, passwords)
        officer, headers = await signed_in(db, passwords, client, Role.table_officer)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        feed = await Feed.of(client, headers)
        response = await client.put(
            f"/api/users/{officer.id}/member",
            json={"member_id": str(case.other_party.id)},
            headers=admin,
        )
        assert response.status_code == 200, response.text
        assert without_reviews(await feed.changed(method)) == {}

    @pytest.mark.clause("5.1")
    async def test_a_reader_named_a_witness(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        method: str,
    ) -> None:
        # The witnesses are replaced by a Core DELETE: the service moves the validator first.
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        member = await make_member(db, await make_unit(db))
        helper = await make_ombudsperson(db, passwords, member=member)
        _, etag = await record_attempt(
            client, case.headers, case.detail, case.etag, [str(helper.id)]
        )
        feed = await Feed.of(client, await login(client, helper.username))
        assert len(vevents(strict(feed.body))) == 1
        response = await client.patch(
            url(case.detail, "intake"),
            json={"witnesses": [{"member_id": str(member.id)}]},
            headers={**case.headers, "If-Match": etag},
        )
        assert response.status_code == 200, response.text
        assert await feed.changed(method) == {}


@pytest.mark.parametrize("method", METHODS)
class TestAccounts:
    async def test_roles_replaced(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, method: str
    ) -> None:
        officer, headers = await signed_in(db, passwords, client, Role.table_officer)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        feed = await Feed.of(client, headers)
        assert len(vevents(strict(feed.body))) == 2  # the policy reviews (6)
        response = await client.put(
            f"/api/users/{officer.id}/roles", json={"roles": ["ombudsperson"]}, headers=admin
        )
        assert response.status_code == 200, response.text
        assert await feed.changed(method) == {}

    async def test_a_deactivated_account(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, method: str
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.table_officer)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        feed = await Feed.of(client, headers)
        await feed.unchanged(method)
        response = await client.post(f"/api/users/{user.id}/deactivate", headers=admin)
        assert response.status_code == 200, response.text
        await feed.gone(method)

    async def test_a_revoked_or_rotated_feed(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, method: str
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        first = await Feed.of(client, headers)
        second = await Feed.of(client, headers)  # rotated
        await first.gone(method)
        await second.unchanged(method)
        assert (await client.delete("/api/calendar/feed", headers=headers)).status_code == 204
        await second.gone(method)


class TestNoChange:
    async def test_another_users_changes_leave_the_feed_unchanged(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        mine = await canary_case(client, db, passwords)
        feed = await Feed.of(client, mine.headers)
        theirs = await canary_case(client, db, passwords)
        await choose_route(client, theirs.headers, theirs.detail, theirs.etag)
        await feed.unchanged("GET")

    async def test_the_304_reads_one_row(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await canary_case(client, db, passwords)
        await choose_route(client, case.headers, case.detail, case.etag)
        feed = await Feed.of(client, case.headers)
        engine: AsyncEngine = app.state.sessionmaker.kw["bind"]
        with statements(engine) as seen:
            await feed.unchanged("GET")
        selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
        assert len(selects) == 1 and "calendar_feed_tokens" in selects[0]
        assert "deadlines" not in selects[0] and "complaints" not in selects[0]
        assert not [s for s in seen if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]

    async def test_a_stale_etag_still_gets_the_feed(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        feed = await Feed.of(client, headers)
        other = await client.get(feed.path, headers={"If-None-Match": '"not-this-one"'})
        assert (other.status_code, other.content) == (200, feed.body)
        since = await client.get(
            feed.path, headers={"If-Modified-Since": "Sat, 01 Jan 2000 00:00:00 GMT"}
        )
        assert since.status_code == 200


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[timedelta]]:
    """Moves the feed's clock on by the last value appended."""
    shift = [timedelta(0)]
    monkeypatch.setattr(feed_endpoints, "utcnow", lambda: utcnow() + shift[-1])
    yield shift


class TestClock:
    @pytest.mark.clause("4.3.1(ii)")
    async def test_an_ended_deadline_drops_off_with_no_change_recorded(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        later: list[timedelta],
    ) -> None:
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        await cancel_deadlines(db, case.id)
        feed = await Feed.of(client, case.headers)
        assert len(vevents(strict(feed.body))) == 1
        later.append(timedelta(days=29))
        await feed.unchanged("GET")
        later.append(timedelta(days=31))
        assert await feed.changed("GET") == {}


class TestValidator:
    async def test_compaction_keeps_the_value(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.table_officer)
        feed = await Feed.of(client, headers)
        token_hash = feeds.hash_token(feed.path.rsplit("/", 1)[1].removesuffix(".ics"))
        for _ in range(3):
            await validator.users_changed(db, [user.id])
        await db.commit()
        before = await polled(db, token_hash)
        assert await pending(db, user.id) >= 3
        assert await validator.compact_pending(app.state.sessionmaker) >= 3
        assert await pending(db, user.id) == 0
        assert await polled(db, token_hash) == before
        base = await db.get(CalendarFeedBase, user.id, populate_existing=True)
        assert base is not None and (base.changes, base.last_id) == tuple(before)
        # The three changes moved the validator: the poll renders again (the same body, so
        # the client's ETag still matches), stores it, and answers from the row after that.
        await feed.unchanged("GET")
        await feed.unchanged("HEAD")
        await validator.users_changed(db, [user.id])
        await db.commit()
        after = await polled(db, token_hash)
        assert after.changes == before.changes + 1 and after.last_id > before.last_id

    async def test_transactions_committing_out_of_order(
        self, app: FastAPI, backend: str, db: AsyncSession, passwords: Passwords
    ) -> None:
        if backend != "postgresql":
            pytest.skip("SQLite runs one writing transaction at a time")
        user = await make_user(db, passwords, Role.table_officer)
        token_hash = feeds.hash_token("t" * 43)
        db.add(CalendarFeedToken(user_id=user.id, token_hash=token_hash, created_at=utcnow()))
        await db.commit()
        factory = app.state.sessionmaker
        async with factory() as first, factory() as second:
            await validator.users_changed(first, [user.id])
            await validator.users_changed(second, [user.id])
            low = await first.scalar(select(func.max(CalendarFeedChange.id)))
            high = await second.scalar(select(func.max(CalendarFeedChange.id)))
            assert low is not None and high is not None and low < high
            await second.commit()
            seen = await polled(db, token_hash)
            # The compactor folds what is committed, and only that.
            await validator.compact_pending(factory)
            assert await polled(db, token_hash) == seen
            await first.commit()  # the lower id, committed last
        now = await polled(db, token_hash)
        assert now != seen
        assert now.last_id == seen.last_id and now.changes == seen.changes + 1
        await validator.compact_pending(factory)
        assert await polled(db, token_hash) == now


def statements(engine: AsyncEngine) -> Any:
    class Recorder:
        def __init__(self) -> None:
            self.seen: list[str] = []

        def __call__(self, _conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
            self.seen.append(sql)

        def __enter__(self) -> list[str]:
            event.listen(engine.sync_engine, "before_cursor_execute", self)
            return self.seen

        def __exit__(self, *_: object) -> None:
            event.remove(engine.sync_engine, "before_cursor_execute", self)

    return Recorder()


async def polled(db: AsyncSession, token_hash: str) -> validator.Validator:
    found = await validator.poll(db, token_hash)
    assert found is not None
    await db.commit()
    return found.validator


async def pending(db: AsyncSession, user_id: uuid.UUID) -> int:
    count = await db.scalar(select(func.count()).where(CalendarFeedChange.user_id == user_id))
    await db.commit()
    return int(count or 0)
