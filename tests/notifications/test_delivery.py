"""The outbox's delivery: leases that keep a message to one worker, two workers at once, a
mail server outage (backoff, then failed; delivered once the server is back), the daily
digest and its time, messages withheld from people no longer reachable, and the Maildir
that stands in for a mail server in development."""

from __future__ import annotations

import asyncio
import mailbox
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit import datakeys
from ombuds.kit.clock import LOCAL_ZONE, local_today, utcnow
from ombuds.kit.db import create_engine, create_sessionmaker
from ombuds.models import DeliveryStatus, NotificationKind, OfficerConflict, Role
from ombuds.notifications import service
from ombuds.notifications.delivery import Delivery, backoff, last_digest_moment
from ombuds.notifications.mailer import Outcome, SmtpMailer
from ombuds.settings import Settings, audit_key, keyring
from tests.notifications.conftest import outbox, person
from tests.retention.support import closed_complaint
from tests.support.smtp import MailServer

pytestmark = pytest.mark.clause("4.3.1(ii)")


class TestBackoff:
    def test_starts_at_a_minute_doubles_and_stops_at_six_hours(self) -> None:
        waits = [backoff(n).total_seconds() for n in (1, 2, 3, 4, 9, 10, 30)]
        assert waits == [60, 120, 240, 480, 15360, 6 * 3600, 6 * 3600]


class TestDigestMoment:
    @pytest.mark.parametrize(
        ("local", "expected"),
        [
            (datetime(2026, 12, 8, 7, 0), datetime(2026, 12, 8, 7, 0)),
            (datetime(2026, 12, 8, 6, 59), datetime(2026, 12, 7, 7, 0)),
            (datetime(2026, 12, 8, 23, 30), datetime(2026, 12, 8, 7, 0)),
            # The spring change (8 March 2026): 7 o'clock is still 7 o'clock, local time.
            (datetime(2026, 3, 8, 8, 0), datetime(2026, 3, 8, 7, 0)),
        ],
    )
    def test_the_last_digest_hour_in_winnipeg(self, local: datetime, expected: datetime) -> None:
        now = local.replace(tzinfo=LOCAL_ZONE).astimezone(UTC)
        moment = last_digest_moment(now, 7)
        assert moment.astimezone(LOCAL_ZONE).replace(tzinfo=None) == expected


class Held:
    """A mailer that holds its round until released (a slow or dying worker)."""

    def __init__(self, inner: SmtpMailer) -> None:
        self.inner = inner
        self.entered, self.release = asyncio.Event(), asyncio.Event()

    async def send(self, messages: Sequence[EmailMessage]) -> list[Outcome]:
        self.entered.set()
        await self.release.wait()
        return await self.inner.send(messages)


class TestLease:
    async def test_a_leased_message_is_left_to_its_worker(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        mail_settings: Settings,
        mail_server: MailServer,
    ) -> None:
        reader = await person(db, passwords, "reader@example.org")
        await service.notify(db, NotificationKind.committee_appointed, [reader.id])
        await db.commit()
        held = Held(SmtpMailer(mail_settings))
        first = asyncio.create_task(Delivery(app.state.sessionmaker, mail_settings, held).round())
        await held.entered.wait()
        other = await Delivery(app.state.sessionmaker, mail_settings).round()
        held.release.set()
        report = await first
        assert (other.handled, report.sent, len(mail_server.received)) == (0, 1, 1)

    async def test_a_worker_that_died_leaves_the_message_to_another_after_the_lease(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        mail_settings: Settings,
        mail_server: MailServer,
    ) -> None:
        reader = await person(db, passwords, "reader@example.org")
        await service.notify(db, NotificationKind.committee_appointed, [reader.id])
        await db.commit()
        held = Held(SmtpMailer(mail_settings))
        dying = Delivery(app.state.sessionmaker, mail_settings, held, lease_seconds=120)
        start = utcnow()
        task = asyncio.create_task(dying.round(start))
        await held.entered.wait()
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        other = Delivery(app.state.sessionmaker, mail_settings)
        during = await other.round(start + timedelta(seconds=119))
        after = await other.round(start + timedelta(seconds=121))
        assert (during.handled, after.sent, len(mail_server.received)) == (0, 1, 1)


class TestTwoWorkers:
    async def test_every_message_arrives_exactly_once(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        database_url: str,
        mail_settings: Settings,
        mail_server: MailServer,
    ) -> None:
        addresses = [f"person{n}@example.org" for n in range(12)]
        people = [await person(db, passwords, a) for a in addresses]
        for kind in (NotificationKind.committee_appointed, NotificationKind.report_lapsed):
            await service.notify(db, kind, [p.id for p in people])
        await db.commit()
        # The second worker has an engine and sessions of its own, like another instance.
        engine = create_engine(database_url)
        factory = create_sessionmaker(
            engine,
            audit_key=audit_key(mail_settings),
            keyring=keyring(mail_settings),
            keys=datakeys.for_settings(mail_settings),
        )
        try:
            workers = [
                Delivery(app.state.sessionmaker, mail_settings, batch=5),
                Delivery(factory, mail_settings, batch=5),
            ]
            handled = Counter[int]()
            for _ in range(10):
                reports = await asyncio.gather(*(w.round() for w in workers))
                for n, r in enumerate(reports):
                    handled[n] += r.sent
                if not any(r.handled for r in reports):
                    break
        finally:
            await engine.dispose()
        arrived = Counter(to for r in mail_server.received for to in r.rcpt_tos)
        assert arrived == dict.fromkeys(addresses, 2)
        assert sum(handled.values()) == 24 and min(handled.values()) > 0
        assert {r.status for r in await outbox(db)} == {DeliveryStatus.sent}


class TestOutage:
    async def test_retries_with_backoff_then_failed(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        mail_settings: Settings,
        mail_server: MailServer,
    ) -> None:
        mail_server.stop()
        reader = await person(db, passwords, "reader@example.org")
        await service.notify(db, NotificationKind.report_lapsed, [reader.id])
        await db.commit()
        settings = mail_settings.model_copy(update={"notifications_max_attempts": 3})
        delivery = Delivery(app.state.sessionmaker, settings)
        now = utcnow()
        first = await delivery.round(now)
        (row,) = await outbox(db)
        assert (first.retrying, row.status, row.attempts, row.last_error) == (
            1,
            DeliveryStatus.pending,
            1,
            "SMTPConnectError",
        )
        assert row.next_attempt_at == now + timedelta(seconds=60)
        assert (row.lease_token, row.lease_until) == (None, None)
        too_soon = await delivery.round(now + timedelta(seconds=59))
        second = await delivery.round(now + timedelta(seconds=61))
        (row,) = await outbox(db)
        assert (too_soon.handled, second.retrying, row.attempts) == (0, 1, 2)
        assert row.next_attempt_at == now + timedelta(seconds=61 + 120)
        third = await delivery.round(now + timedelta(seconds=61 + 121))
        (row,) = await outbox(db)
        assert (third.failed, row.status, row.attempts, row.last_error) == (
            1,
            DeliveryStatus.failed,
            3,
            "SMTPConnectError",
        )
        mail_server.start()
        later = await delivery.round(now + timedelta(days=1))
        assert (later.handled, mail_server.received) == (0, [])

    async def test_a_message_pending_during_an_outage_goes_once_the_server_is_back(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        mail_server.stop()
        reader = await person(db, passwords, "reader@example.org")
        await service.notify(db, NotificationKind.report_lapsed, [reader.id])
        await db.commit()
        now = utcnow()
        assert (await delivery.round(now)).retrying == 1
        mail_server.start()
        back = await delivery.round(now + timedelta(seconds=61))
        again = await delivery.round(now + timedelta(hours=1))
        assert (back.sent, again.handled) == (1, 0)
        assert [r.rcpt_tos for r in mail_server.received] == [["reader@example.org"]]
        (row,) = await outbox(db)
        assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.sent, 2, None)


class TestDigest:
    async def test_one_message_a_day_with_everything_written_before_its_hour(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        reader = await person(db, passwords, "digest@example.org", digest=True)
        other = await person(db, passwords, "now@example.org")
        kinds = [
            NotificationKind.response_approaching,
            NotificationKind.officer_notice_lapsed,
            NotificationKind.party_notices_owed,
        ]
        for n, kind in enumerate(kinds):
            await service.notify(db, kind, [reader.id], due_on=date(2027, 1, 4 + n))
        await service.notify(db, NotificationKind.committee_appointed, [reader.id, other.id])
        await db.commit()
        written = max(r.created_at for r in await outbox(db))
        hour = last_digest_moment(written, 7) + timedelta(days=1)  # the next 7:00 in Winnipeg
        before = await delivery.round(hour - timedelta(minutes=1))
        assert (before.sent, [r.rcpt_tos for r in mail_server.received]) == (
            1,
            [["now@example.org"]],  # immediate: at once; the digest waits
        )
        at = await delivery.round(hour + timedelta(minutes=1))
        assert (at.sent, at.messages) == (4, 1)
        (digest,) = mail_server.inbox.to("digest@example.org")
        assert digest.message["Subject"] == "Ombuds: 4 things need you"
        assert digest.text.count("\n- ") == 4 and digest.html.count("<li>") == 4
        assert "Monday, January 4, 2027" in digest.text
        assert "You were appointed to a Complaint Review Committee." in digest.html
        assert (await delivery.round(hour + timedelta(hours=2))).handled == 0

    async def test_written_after_the_hour_waits_for_the_next_day(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        reader = await person(db, passwords, "digest@example.org", digest=True)
        await service.notify(db, NotificationKind.report_lapsed, [reader.id])
        await db.commit()
        (row,) = await outbox(db)
        moment = last_digest_moment(row.created_at, 7)  # before it was written
        assert (await delivery.round(moment + timedelta(hours=23, minutes=59))).handled == 0
        later = await delivery.round(moment + timedelta(days=1, minutes=1))
        assert (later.sent, len(mail_server.received)) == (1, 1)


class TestWithheld:
    async def test_nothing_goes_to_an_officer_recused_since(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        officer = await person(db, passwords, "officer@example.org", role=Role.table_officer)
        handler = await person(db, passwords, "handler@example.org")
        complaint = await closed_complaint(db, handler, closed_on=local_today())
        await service.notify(
            db, NotificationKind.committee_to_strike, [officer.id], complaint_id=complaint.id
        )
        db.add(OfficerConflict(complaint_id=complaint.id, user_id=officer.id))
        await db.commit()
        report = await delivery.round()
        (row,) = await outbox(db)
        assert (report.failed, mail_server.received) == (1, [])
        assert (row.status, row.last_error) == (DeliveryStatus.failed, "Withheld")

    async def test_nothing_goes_to_someone_deactivated_since(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        reader = await person(db, passwords, "reader@example.org")
        await service.notify(db, NotificationKind.report_lapsed, [reader.id])
        reader.is_active = False
        await db.commit()
        assert ((await delivery.round()).failed, mail_server.received) == (1, [])


class TestMaildir:
    async def test_without_a_mail_server_messages_land_in_a_maildir(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        tmp_path: Path,
    ) -> None:
        sink = tmp_path / "mail"
        development = settings.model_copy(
            update={"mail_dir": str(sink), "public_url": "http://127.0.0.1:8000"}
        )
        assert development.smtp_host is None
        reader = await person(db, passwords, "reader@example.org", language="fr")
        await service.notify(db, NotificationKind.committee_appointed, [reader.id])
        await db.commit()
        report = await Delivery(app.state.sessionmaker, development).round()
        box = mailbox.Maildir(sink, factory=BytesParser(policy=policy.default).parse, create=False)
        (message,) = list(box)
        assert report.sent == 1
        assert message["To"] == "reader@example.org"
        assert (
            message["Subject"] == "Ombuds : Vous avez été nommé à un comité d’examen des plaintes"
        )
        assert isinstance(message, EmailMessage)
        body = message.get_body(preferencelist=("plain",))
        assert body is not None
        assert "http://127.0.0.1:8000/sign-in" in body.get_content()  # type: ignore[attr-defined]
        assert len(list((sink / "new").iterdir())) == 1
