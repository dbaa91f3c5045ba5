"""The CalDAV push job against a real Radicale server: one event per deadline keyed by its
UID, updated in place, deleted when dropped, idempotent, safe with two runners, and a
broken connection (refused login, garbage, timeout) leaves nothing half-written (5.1: no
name in any event or anywhere in the server's storage)."""

from __future__ import annotations

import asyncio
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import ip_network
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.calendars import caldav_remote, caldav_sync
from ombuds.calendars.caldav_remote import CaldavRemote, SyncFailure
from ombuds.kit.clock import utcnow
from ombuds.models import (
    CaldavConnection,
    CaldavStatus,
    CaldavSyncedEvent,
    Deadline,
    DeadlineKind,
    Role,
)
from ombuds.settings import Settings
from tests.calendars.radicale import (
    USERS,
    Radicale,
    add_foreign_event,
    event_by_uid,
    every_stored_text,
    make_calendar,
    read_calendar,
    stored_items,
    stored_versions,
)
from tests.conftest import make_settings
from tests.factories.accounts import signed_in
from tests.factories.calendars import (
    Case,
    canaries_in,
    canary_case,
    cancel_deadlines,
    connect_caldav,
    lapse_deadline,
    open_deadline,
    satisfy_deadline,
)

PUBLIC_URL = "https://ombuds.example"


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Radicale listens on loopback, which a CalDAV connection may reach only when the
    operator allows it."""
    return make_settings(database_url, caldav_allowed_networks=["127.0.0.0/8"])


def uid(deadline: Deadline, made: dict[str, Any]) -> str:
    """The deadline's UID in the calendar of connection ``made``."""
    return caldav_sync.event_uid(deadline.id, uuid.UUID(made["id"]))


async def run(app: FastAPI, settings: Settings, **kwargs: Any) -> caldav_sync.Report:
    return await caldav_sync.run_once(
        app.state.sessionmaker, settings, app.state.keyring, public_url=PUBLIC_URL, **kwargs
    )


async def remote(radicale: Radicale, url: str, user: str = "alice") -> dict[str, Any]:
    return await asyncio.to_thread(read_calendar, radicale, user, url)


async def connection(db: AsyncSession, connection_id: str) -> CaldavConnection:
    row = await db.get(CaldavConnection, uuid.UUID(connection_id), populate_existing=True)
    assert row is not None
    return row


async def booked(db: AsyncSession, connection_id: str) -> dict[str, tuple[int, str]]:
    rows = await db.scalars(
        select(CaldavSyncedEvent)
        .where(CaldavSyncedEvent.connection_id == uuid.UUID(connection_id))
        .execution_options(populate_existing=True)
    )
    return {str(r.deadline_id): (r.sequence, r.body_hash) for r in rows}


async def with_two_deadlines(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
) -> tuple[Case, Deadline, Deadline]:
    case = await canary_case(client, db, passwords)
    response = await open_deadline(db, settings, case.id)
    report = await open_deadline(
        db, settings, case.id, DeadlineKind.crc_report, date(2026, 3, 4), 60
    )
    return case, response, report


class TestRoundTrip:
    @pytest.mark.clause("5.1")
    async def test_sync_change_cancel_drop_and_no_name_anywhere(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        case, response_due, report_due = await with_two_deadlines(client, db, passwords, settings)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        made = await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        assert made["status"] == "pending"

        report = await run(app, settings)
        assert [str(i) for i in report.synced] == [made["id"]]
        events = await remote(radicale, url)
        assert set(events) == {uid(response_due, made), uid(report_due, made)}
        first = events[uid(response_due, made)]
        assert str(first["SUMMARY"]) == f"Written response due — {case.reference}"
        assert (first["DTSTART"].dt, first["DTEND"].dt) == (date(2026, 3, 16), date(2026, 3, 17))
        assert (int(first["SEQUENCE"]), str(first["STATUS"])) == (0, "CONFIRMED")
        assert str(first["URL"]) == f"{PUBLIC_URL}/complaints/{case.id}"
        assert "DESCRIPTION" not in first
        assert str(first["CLASS"]) == "PRIVATE"  # a personal calendar
        by_uid = await asyncio.to_thread(
            event_by_uid, radicale, "alice", url, uid(report_due, made)
        )
        assert str(by_uid["SUMMARY"]) == f"CRC report due — {case.reference}"
        items = stored_items(radicale, url)
        assert sorted(items) == sorted(f"{uid(d, made)}.ics" for d in (response_due, report_due))
        listed = await client.get("/api/calendar/caldav", headers=case.headers)
        (shown,) = listed.json()
        assert (shown["status"], shown["events"], shown["status_message"]) == ("ok", 2, None)

        # A re-run changes nothing: no event is written again.
        versions = stored_versions(radicale, url)
        await asyncio.sleep(0.01)
        await run(app, settings)
        assert stored_items(radicale, url) == items
        assert stored_versions(radicale, url) == versions

        # Re-dated: the same event, in place, with a higher SEQUENCE.
        await open_deadline(db, settings, case.id, trigger_on=date(2026, 3, 9))
        await run(app, settings)
        events = await remote(radicale, url)
        assert len(events) == 2
        moved = events[uid(response_due, made)]
        assert (int(moved["SEQUENCE"]), moved["DTSTART"].dt) == (1, date(2026, 3, 23))
        assert len(stored_items(radicale, url)) == 2

        # Cancelled (the complaint closed): published as cancelled, SEQUENCE raised.
        await cancel_deadlines(db, case.id)
        await run(app, settings)
        events = await remote(radicale, url)
        assert {(str(e["STATUS"]), int(e["SEQUENCE"])) for e in events.values()} == {
            ("CANCELLED", 2),
            ("CANCELLED", 1),
        }

        # 30 days on, dropped: deleted from the calendar.
        await db.execute(
            update(Deadline)
            .where(Deadline.complaint_id == case.id)
            .values(updated_at=utcnow() - timedelta(days=31))
        )
        await db.commit()
        await run(app, settings)
        assert await remote(radicale, url) == {}
        assert stored_items(radicale, url) == {}
        assert await booked(db, made["id"]) == {}
        assert canaries_in(every_stored_text(radicale)) == []

    async def test_other_clients_events_are_left_alone(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        case, _, _ = await with_two_deadlines(client, db, passwords, settings)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        foreign = [str(uuid.uuid4()), "dentist-appointment@example.org"]
        for uid in foreign:
            await asyncio.to_thread(add_foreign_event, radicale, "alice", url, uid)
        await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        await run(app, settings)
        await cancel_deadlines(db, case.id)
        await db.execute(update(Deadline).values(updated_at=utcnow() - timedelta(days=31)))
        await db.commit()
        await run(app, settings)
        assert set(await remote(radicale, url)) == set(foreign)

    async def test_a_personal_and_the_shared_connection_on_one_calendar_coexist(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        case, a, b = await with_two_deadlines(client, db, passwords, settings)
        others = await canary_case(client, db, passwords)  # not the first ombudsperson's
        c = await open_deadline(db, settings, others.id)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        own = await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        shared = await connect_caldav(client, admin, url, "alice", USERS["alice"], shared=True)
        for _ in range(2):
            report = await run(app, settings)
            assert sorted(str(i) for i in report.synced) == sorted([own["id"], shared["id"]])
        events = await remote(radicale, url)
        mine = {u: e for u, e in events.items() if u.endswith(own["id"])}
        union = {u: e for u, e in events.items() if u.endswith(shared["id"])}
        assert set(mine) == {uid(a, own), uid(b, own)}
        assert {uid(a, shared), uid(b, shared), uid(c, shared)} <= set(union)
        assert len(events) == len(mine) + len(union)
        assert all(str(e["CLASS"]) == "PRIVATE" and "URL" in e for e in mine.values())
        assert all("CLASS" not in e and "URL" not in e for e in union.values())
        # Neither rewrites the other's events on a further run.
        versions = stored_versions(radicale, url)
        await asyncio.sleep(0.01)
        await run(app, settings)
        assert stored_versions(radicale, url) == versions
        # The personal connection's deadlines drop; the union calendar's copies stay.
        await cancel_deadlines(db, case.id)
        await db.execute(
            update(Deadline)
            .where(Deadline.complaint_id == case.id)
            .values(updated_at=utcnow() - timedelta(days=31))
        )
        await db.commit()
        await run(app, settings)
        after = await remote(radicale, url)
        assert not any(u.endswith(own["id"]) for u in after)
        assert uid(c, shared) in after and len(after) == len(union) - 2

    async def test_events_written_under_the_bare_deadline_id_are_taken_over(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        case, a, b = await with_two_deadlines(client, db, passwords, settings)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        made = await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        # As an earlier version wrote them: UID = deadline id, booked for this connection;
        # b's bare event was written by someone else (not booked here) and stays.
        for d in (a, b):
            await asyncio.to_thread(add_foreign_event, radicale, "alice", url, str(d.id))
        db.add(
            CaldavSyncedEvent(
                connection_id=uuid.UUID(made["id"]),
                deadline_id=a.id,
                sequence=0,
                body_hash="0" * 64,
                synced_at=utcnow(),
            )
        )
        await db.commit()
        await run(app, settings)
        assert set(await remote(radicale, url)) == {uid(a, made), uid(b, made), str(b.id)}

    @pytest.mark.clause("4.3.1(ii)")
    async def test_met_met_late_lapsed_and_cancelled_events_read_as_such(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        case = await canary_case(client, db, passwords)
        met = await open_deadline(db, settings, case.id, DeadlineKind.table_officer_notice)
        late = await open_deadline(db, settings, case.id, DeadlineKind.crc_report)
        lapsed = await open_deadline(db, settings, case.id)
        closed = await canary_case(
            client, db, passwords, ombudsperson=(case.ombudsperson, case.headers)
        )
        cancelled = await open_deadline(db, settings, closed.id)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        made = await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        await run(app, settings)
        events = await remote(radicale, url)
        assert {str(e["STATUS"]) for e in events.values()} == {"CONFIRMED"}

        await satisfy_deadline(db, case.id, DeadlineKind.table_officer_notice, met.due_on)
        late_on = late.due_on + timedelta(days=1)
        await satisfy_deadline(db, case.id, DeadlineKind.crc_report, late_on)
        await lapse_deadline(db, case.id, DeadlineKind.written_response)
        await cancel_deadlines(db, closed.id)
        await run(app, settings)
        events = await remote(radicale, url)
        shown = {
            uid: (str(e["STATUS"]), str(e["SUMMARY"]), int(e["SEQUENCE"]))
            for uid, e in events.items()
        }
        ref, other = case.reference, closed.reference
        assert shown == {
            uid(met, made): ("CONFIRMED", f"Notify the table officers — {ref} (met)", 1),
            uid(late, made): ("CONFIRMED", f"CRC report due — {ref} (met late)", 1),
            uid(lapsed, made): ("CONFIRMED", f"Written response due — {ref} (lapsed)", 1),
            uid(cancelled, made): ("CANCELLED", f"Written response due — {other} (cancelled)", 1),
        }
        assert canaries_in(every_stored_text(radicale)) == []

    @pytest.mark.clause("5.1")
    async def test_a_shared_union_calendar_gets_every_deadline_by_reference_only(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        _, a, b = await with_two_deadlines(client, db, passwords, settings)
        second = await canary_case(client, db, passwords)
        c = await open_deadline(db, settings, second.id)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        url = await asyncio.to_thread(make_calendar, radicale, "bob")
        made = await connect_caldav(client, admin, url, "bob", USERS["bob"], shared=True)
        await run(app, settings)
        events = await remote(radicale, url, "bob")
        complaint_events = {u: e for u, e in events.items() if "Policy review" not in e["SUMMARY"]}
        assert set(complaint_events) == {uid(a, made), uid(b, made), uid(c, made)}
        assert len(events) > len(complaint_events)  # 6: the policy reviews too
        assert all("URL" not in e for e in events.values())
        # Seen by everyone the union calendar is shared with: not marked private.
        assert all("CLASS" not in e for e in events.values())
        assert str(events[uid(c, made)]["SUMMARY"]) == f"Written response due — {second.reference}"
        assert canaries_in(every_stored_text(radicale)) == []


class TestBroken:
    async def test_a_refused_login_marks_the_connection_broken_clearly(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        case, _, _ = await with_two_deadlines(client, db, passwords, settings)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        wrong = "not-the-app-password"
        made = await connect_caldav(client, case.headers, url, "alice", wrong)
        report = await run(app, settings)
        assert [str(i) for i in report.broken] == [made["id"]]
        row = await connection(db, made["id"])
        assert row.status is CaldavStatus.broken and row.status_message is not None
        assert "refused the username or app password" in row.status_message
        for secret in (wrong, "alice", url, "127.0.0.1"):
            assert secret not in row.status_message
        assert (row.lease_owner, row.last_synced_at) == (None, None)
        assert await booked(db, made["id"]) == {}
        assert await remote(radicale, url) == {}
        # New credentials: pending again, then synced.
        replaced = await client.put(
            f"/api/calendar/caldav/{made['id']}",
            headers=case.headers,
            json={"url": url, "username": "alice", "password": USERS["alice"]},
        )
        assert (replaced.json()["status"], replaced.json()["status_message"]) == ("pending", None)
        await run(app, settings)
        assert (await connection(db, made["id"])).status is CaldavStatus.ok
        assert len(await remote(radicale, url)) == 2

    async def test_a_server_answering_garbage_marks_it_broken_and_writes_nothing(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        garbage_server: str,
    ) -> None:
        case, _, _ = await with_two_deadlines(client, db, passwords, settings)
        made = await connect_caldav(client, case.headers, garbage_server, "alice", "pw")
        before = await connection(db, made["id"])
        sealed = (before.url_encrypted, before.username_encrypted, before.password_encrypted)
        report = await run(app, settings)
        assert [str(i) for i in report.broken] == [made["id"]]
        row = await connection(db, made["id"])
        assert row.status is CaldavStatus.broken
        assert row.status_message == (
            "The CalDAV server's answer could not be understood (is this a CalDAV calendar?)."
        )
        assert (row.url_encrypted, row.username_encrypted, row.password_encrypted) == sealed
        assert await booked(db, made["id"]) == {}
        assert row.lease_until is None

    async def test_a_server_that_never_answers_times_out_and_is_marked_broken(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        silent_server: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        assert caldav_remote.TIMEOUT_SECONDS <= 10
        monkeypatch.setattr(caldav_remote, "TIMEOUT_SECONDS", 1)
        case, _, _ = await with_two_deadlines(client, db, passwords, settings)
        made = await connect_caldav(client, case.headers, silent_server, "alice", "pw")
        await run(app, settings)
        row = await connection(db, made["id"])
        assert row.status is CaldavStatus.broken
        assert row.status_message == "The CalDAV server did not answer within 1 seconds."
        assert await booked(db, made["id"]) == {}

    async def test_a_failure_midway_leaves_the_bookkeeping_and_the_next_run_repairs(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        case, response_due, report_due = await with_two_deadlines(client, db, passwords, settings)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        made = await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        await run(app, settings)
        before = await booked(db, made["id"])
        await open_deadline(db, settings, case.id, trigger_on=date(2026, 3, 9))
        await open_deadline(db, settings, case.id, DeadlineKind.crc_report, date(2026, 3, 9), 60)

        class FailsAfterOnePut(CaldavRemote):
            puts = 0

            def put(self, text: str) -> None:
                if FailsAfterOnePut.puts:
                    raise SyncFailure("The CalDAV server could not be reached.")
                FailsAfterOnePut.puts += 1
                super().put(text)

        report = await run(app, settings, connect=FailsAfterOnePut)
        assert [str(i) for i in report.broken] == [made["id"]]
        assert await booked(db, made["id"]) == before  # nothing half-written on our side
        half = await remote(radicale, url)
        assert sorted(int(e["SEQUENCE"]) for e in half.values()) == [0, 1]
        await run(app, settings)
        events = await remote(radicale, url)
        assert {u: int(e["SEQUENCE"]) for u, e in events.items()} == {
            uid(response_due, made): 1,
            uid(report_due, made): 1,
        }
        assert len(stored_items(radicale, url)) == 2
        assert (await connection(db, made["id"])).status is CaldavStatus.ok

    async def test_a_fault_of_ours_marks_it_broken_and_the_run_goes_on(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        made = [
            await connect_caldav(client, headers, f"https://cal.example/{n}/", "u", "p")
            for n in range(2)
        ]

        def broken_client(url: str, username: str, password: str, **_: object) -> CaldavRemote:
            raise RuntimeError(f"bug while connecting to {url} as {username}:{password}")

        report = await run(app, settings, connect=broken_client)
        assert sorted(str(i) for i in report.broken) == sorted(m["id"] for m in made)
        for m in made:
            row = await connection(db, m["id"])
            assert row.status_message == caldav_sync.UNEXPECTED
            assert row.lease_owner is None and "cal.example" not in row.status_message

    async def test_a_deactivated_owner_is_not_synced(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        case, _, _ = await with_two_deadlines(client, db, passwords, settings)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        made = await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        case.ombudsperson.is_active = False
        db.add(case.ombudsperson)
        await db.commit()
        await run(app, settings)
        row = await connection(db, made["id"])
        assert (row.status, row.status_message) == (
            CaldavStatus.broken,
            "The account that owns this connection is deactivated.",
        )
        assert await remote(radicale, url) == {}


class Recorder(BaseHTTPRequestHandler):
    """Counts every request; answers each with a redirect to ``target`` when one is set."""

    target: str | None = None
    seen: list[str]

    def _answer(self) -> None:
        self.seen.append(f"{self.command} {self.path}")
        if self.target is None:
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(307)
        self.send_header("Location", self.target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_PUT = do_PROPFIND = do_REPORT = do_DELETE = do_OPTIONS = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def recording_server(host: str, target: str | None = None) -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (Recorder,), {"target": target, "seen": seen})
    server = ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


class TestInsideAddresses:
    """The address is checked again whenever the job connects: a redirect, or a name that
    resolves elsewhere by now (DNS rebinding), reaches nothing inside."""

    @pytest.mark.clause("5.1")
    async def test_a_redirect_to_a_private_address_is_not_followed(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        only_one = settings.model_copy(
            update={"caldav_allowed_networks": [ip_network("127.0.0.1/32")]}
        )
        case, _, _ = await with_two_deadlines(client, db, passwords, settings)
        with recording_server("127.0.0.2") as (inside, reached):
            with recording_server("127.0.0.1", f"{inside}/metadata/") as (outside, redirected):
                made = await connect_caldav(
                    client, case.headers, f"{outside}/cal/", "alice", USERS["alice"]
                )
                report = await run(app, only_one)
        assert redirected != [] and reached == []
        assert [str(i) for i in report.broken] == [made["id"]]
        row = await connection(db, made["id"])
        assert row.status_message == "The CalDAV server could not be reached."
        assert "127.0.0.2" not in row.status_message

    @pytest.mark.clause("5.1")
    async def test_a_name_that_now_resolves_inside_is_not_connected_to(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        case, _, _ = await with_two_deadlines(client, db, passwords, settings)
        with recording_server("127.0.0.1") as (inside, reached):
            port = int(inside.rsplit(":", 1)[1])
            # Saved while the name resolved to a public address (the tests' example DNS)...
            made = await connect_caldav(
                client, case.headers, f"http://rebind.example:{port}/cal/", "alice", "pw"
            )
            real = socket.getaddrinfo

            def rebound(host: Any, *args: Any, **kwargs: Any) -> Any:
                if host == "rebind.example":  # ...and now it answers with loopback.
                    return real("127.0.0.1", *args, **kwargs)
                return real(host, *args, **kwargs)

            monkeypatch.setattr(socket, "getaddrinfo", rebound)
            report = await run(app, settings.model_copy(update={"caldav_allowed_networks": []}))
        assert reached == []
        assert [str(i) for i in report.broken] == [made["id"]]
        row = await connection(db, made["id"])
        assert row.status_message == "The CalDAV server could not be reached."


class TestRunners:
    async def test_two_runners_at_once_write_each_event_once(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        radicale: Radicale,
    ) -> None:
        case, response_due, report_due = await with_two_deadlines(client, db, passwords, settings)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        made = await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        first, second = await asyncio.gather(
            run(app, settings, runner="runner-a"), run(app, settings, runner="runner-b")
        )
        outcomes = sorted([len(first.synced), len(second.synced)])
        assert outcomes in ([0, 1], [1, 1])  # the second either waited its turn or found it held
        assert len(first.skipped) + len(second.skipped) == 2 - sum(outcomes)
        assert set(await remote(radicale, url)) == {uid(response_due, made), uid(report_due, made)}
        assert len(stored_items(radicale, url)) == 2
        assert (await connection(db, made["id"])).lease_owner is None

    async def test_a_held_connection_is_skipped_until_its_lease_runs_out(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        made = await connect_caldav(client, headers, "https://cal.example/a/", "u", "p")
        connection_id = uuid.UUID(made["id"])
        now = utcnow()
        factory = app.state.sessionmaker
        async with factory() as s:
            assert await caldav_sync.claim(s, connection_id, "runner-a", now) is True
        async with factory() as s:
            assert await caldav_sync.claim(s, connection_id, "runner-b", now) is False
        report = await run(app, settings, runner="runner-b", now=now)
        assert report.skipped == [connection_id] and report.synced == report.broken == []
        later = now + caldav_sync.LEASE + timedelta(seconds=1)
        async with factory() as s:
            assert await caldav_sync.claim(s, connection_id, "runner-b", later) is True
        assert (await connection(db, made["id"])).lease_owner == "runner-b"
