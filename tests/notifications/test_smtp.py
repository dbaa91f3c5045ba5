"""Messages through a real SMTP server on loopback: what arrives (headers, both parts),
STARTTLS and implicit TLS with a certificate made here, authentication, and a recipient the
server refuses for good."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import DeliveryStatus, NotificationKind, Role
from ombuds.notifications import service
from ombuds.notifications.delivery import Delivery
from ombuds.notifications.mailer import SmtpMailer
from ombuds.settings import Settings
from tests.factories.calendars import (
    CANARY_COMPLAINANT,
    CANARY_INCIDENT,
    CANARY_LOCATION,
    CANARY_OTHER_PARTY,
    CANARY_RESOLUTION,
    CANARY_WITNESS,
)
from tests.notifications.conftest import FROM, PUBLIC_URL, outbox, person, pointed_at
from tests.retention.support import closed_complaint
from tests.support.smtp import Credentials, MailServer, self_signed

pytestmark = pytest.mark.clause("5.1")
CANARIES = (
    CANARY_COMPLAINANT,
    CANARY_INCIDENT,
    CANARY_LOCATION,
    CANARY_OTHER_PARTY,
    CANARY_RESOLUTION,
    CANARY_WITNESS,
)


class TestWhatArrives:
    @pytest.mark.clause("4.3.1(ii)")
    async def test_headers_both_parts_and_only_what_the_rule_allows(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        handler = await person(db, passwords, "handler@example.org")
        complaint = await closed_complaint(db, handler, closed_on=local_today())
        await service.notify(
            db,
            NotificationKind.response_approaching,
            [handler.id],
            complaint_id=complaint.id,
            due_on=date(2026, 12, 10),
        )
        await db.commit()
        report = await delivery.round()
        assert (report.sent, report.messages, report.retrying, report.failed) == (1, 1, 0, 0)
        (got,) = mail_server.received
        m = got.message
        assert got.rcpt_tos == ["handler@example.org"]
        assert got.mail_from == "ombuds@local500.example.org"
        assert (m["From"], m["To"]) == (FROM, "handler@example.org")
        assert m["Subject"] == "Ombuds: A response period is ending soon"
        assert m["Auto-Submitted"] == "auto-generated"
        assert m["Content-Language"] == "en-CA"
        assert m["Date"].datetime.tzinfo is not None
        assert re.fullmatch(r"<[^@<>]+@local500\.example\.org>", m["Message-ID"])
        assert m.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in m.iter_parts()] == ["text/plain", "text/html"]
        sentence = (
            "The response period on a complaint you handle ends on Thursday, December 10, 2026."
        )
        reference = f"Case reference: {complaint.reference}."
        for part in (got.text, got.html):
            assert f"{sentence} {reference}" in part
            assert f"{PUBLIC_URL}/sign-in" in part
        assert f'<a href="{PUBLIC_URL}/sign-in">' in got.html
        everything = got.everything()
        assert [c for c in CANARIES if c.lower() in everything.lower()] == []
        assert "Test user" not in everything  # the person's own name is not in it either
        (row,) = await outbox(db)
        assert (row.status, row.attempts, row.last_error, row.lease_token) == (
            DeliveryStatus.sent,
            1,
            None,
            None,
        )
        assert row.sent_at is not None

    async def test_the_reference_setting_drops_even_the_reference(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        mail_settings: Settings,
        mail_server: MailServer,
    ) -> None:
        handler = await person(db, passwords, "handler@example.org")
        complaint = await closed_complaint(db, handler, closed_on=local_today())
        await service.notify(
            db, NotificationKind.response_recorded, [handler.id], complaint_id=complaint.id
        )
        await db.commit()
        quiet = mail_settings.model_copy(update={"notifications_include_reference": False})
        await Delivery(app.state.sessionmaker, quiet).round()
        (got,) = mail_server.received
        assert complaint.reference not in got.everything()
        assert "reference" not in got.text.lower()
        assert "A response was recorded on a complaint you handle." in got.text

    async def test_a_french_reader_gets_french(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        reader = await person(db, passwords, "lecteur@example.org", language="fr")
        await service.notify(
            db, NotificationKind.report_lapsed, [reader.id], due_on=date(2027, 1, 4)
        )
        await db.commit()
        await delivery.round()
        (got,) = mail_server.received
        assert got.message["Subject"] == "Ombuds : Un rapport de comité est en retard"
        assert got.message["Content-Language"] == "fr-CA"
        expected = (
            "Le rapport d’un comité d’examen des plaintes dont vous êtes membre était dû le "
            "lundi 4 janvier 2027."
        )
        assert expected in got.text and expected in got.html
        assert '<html lang="fr-CA">' in got.html


class TestReferenceByRole:
    @pytest.mark.clause("4.3.1(iii)")
    async def test_an_officer_sees_the_reference_only_once_told(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        officer = await person(db, passwords, "officer@example.org", role=Role.table_officer)
        handler = await person(db, passwords, "handler@example.org")
        complaint = await closed_complaint(db, handler, closed_on=local_today())
        complaint.table_officers_notified_on = None
        await db.commit()
        kind = NotificationKind.committee_to_strike
        await service.notify(db, kind, [officer.id], complaint_id=complaint.id)
        await db.commit()
        await delivery.round()
        complaint.table_officers_notified_on = local_today()
        await db.commit()
        await service.notify(db, kind, [officer.id], complaint_id=complaint.id)
        await db.commit()
        await delivery.round()
        before, after = mail_server.inbox.to("officer@example.org")
        assert complaint.reference not in before.everything()
        assert "A Complaint Review Committee needs to be struck." in before.text
        assert f"Case reference: {complaint.reference}." in after.text

    async def test_an_ombudsperson_with_no_part_in_it_is_not_given_the_reference(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        handler = await person(db, passwords, "handler@example.org")
        stranger = await person(db, passwords, "stranger@example.org")
        complaint = await closed_complaint(db, handler, closed_on=local_today())
        await service.notify(
            db,
            NotificationKind.response_recorded,
            [handler.id, stranger.id],
            complaint_id=complaint.id,
        )
        await db.commit()
        await delivery.round()
        (mine,) = mail_server.inbox.to("handler@example.org")
        (theirs,) = mail_server.inbox.to("stranger@example.org")
        assert complaint.reference in mine.text
        assert complaint.reference not in theirs.everything()


class TestRefusedRecipient:
    async def test_a_permanent_refusal_fails_at_once_and_the_others_still_go(
        self,
        db: AsyncSession,
        passwords: Passwords,
        delivery: Delivery,
        mail_server: MailServer,
    ) -> None:
        gone = await person(db, passwords, "gone@example.org")
        here = await person(db, passwords, "here@example.org")
        mail_server.inbox.refuse.add("gone@example.org")
        await service.notify(db, NotificationKind.committee_appointed, [gone.id, here.id])
        await db.commit()
        report = await delivery.round()
        assert (report.sent, report.failed, report.retrying) == (1, 1, 0)
        assert [r.rcpt_tos for r in mail_server.received] == [["here@example.org"]]
        rows = {r.user_id: r for r in await outbox(db)}
        assert (rows[gone.id].status, rows[gone.id].attempts, rows[gone.id].last_error) == (
            DeliveryStatus.failed,
            1,
            "SMTPRecipientsRefused",
        )
        assert rows[here.id].status is DeliveryStatus.sent


class TestTls:
    async def test_starttls_and_authentication(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        tmp_path: Path,
    ) -> None:
        cert = self_signed(tmp_path)
        credentials = Credentials("ombuds", "mail-password-1")
        server = MailServer(tls=cert.server_context(), credentials=credentials).start()
        try:
            reader = await person(db, passwords, "reader@example.org")
            await service.notify(db, NotificationKind.committee_appointed, [reader.id])
            await db.commit()
            secure = pointed_at(
                settings,
                server,
                smtp_security="starttls",
                smtp_username="ombuds",
                smtp_password="mail-password-1",
            )
            mailer = SmtpMailer(secure, tls_context=cert.client_context())
            report = await Delivery(app.state.sessionmaker, secure, mailer).round()
        finally:
            server.stop()
        assert (report.sent, credentials.attempts) == (1, 1)
        (got,) = server.received
        assert got.rcpt_tos == ["reader@example.org"]
        assert "You were appointed to a Complaint Review Committee." in got.text

    async def test_a_wrong_password_fails_the_attempt(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        tmp_path: Path,
    ) -> None:
        cert = self_signed(tmp_path)
        server = MailServer(
            tls=cert.server_context(), credentials=Credentials("ombuds", "right")
        ).start()
        try:
            reader = await person(db, passwords, "reader@example.org")
            await service.notify(db, NotificationKind.committee_appointed, [reader.id])
            await db.commit()
            wrong = pointed_at(
                settings,
                server,
                smtp_security="starttls",
                smtp_username="ombuds",
                smtp_password="wrong",
            )
            mailer = SmtpMailer(wrong, tls_context=cert.client_context())
            report = await Delivery(app.state.sessionmaker, wrong, mailer).round()
        finally:
            server.stop()
        assert (report.sent, report.retrying, server.received) == (0, 1, [])
        (row,) = await outbox(db)
        assert (row.status, row.attempts, row.last_error) == (
            DeliveryStatus.pending,
            1,
            "SMTPAuthenticationError",
        )

    async def test_a_certificate_not_trusted_is_refused(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        tmp_path: Path,
    ) -> None:
        """The default trust store does not know a self-signed certificate: nothing is sent
        to a server that cannot prove who it is."""
        cert = self_signed(tmp_path)
        server = MailServer(tls=cert.server_context()).start()
        try:
            reader = await person(db, passwords, "reader@example.org")
            await service.notify(db, NotificationKind.committee_appointed, [reader.id])
            await db.commit()
            secure = pointed_at(settings, server, smtp_security="starttls")
            report = await Delivery(app.state.sessionmaker, secure).round()
        finally:
            server.stop()
        assert (report.sent, report.retrying, server.received) == (0, 1, [])
        (row,) = await outbox(db)
        assert (row.status, row.last_error) == (DeliveryStatus.pending, "SSLCertVerificationError")

    async def test_implicit_tls(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        tmp_path: Path,
    ) -> None:
        cert = self_signed(tmp_path)
        server = MailServer(tls=cert.server_context(), implicit_tls=True).start()
        try:
            reader = await person(db, passwords, "reader@example.org")
            await service.notify(db, NotificationKind.committee_appointed, [reader.id])
            await db.commit()
            secure = pointed_at(settings, server, smtp_security="tls")
            mailer = SmtpMailer(secure, tls_context=cert.client_context())
            report = await Delivery(app.state.sessionmaker, secure, mailer).round()
        finally:
            server.stop()
        assert report.sent == 1
        assert [r.rcpt_tos for r in server.received] == [["reader@example.org"]]
