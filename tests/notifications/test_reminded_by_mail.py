"""Someone who does nothing but read their mail is reminded of every deadline the procedure
gives them: the procedure driven through the API, the days passing one by one (the
reminders' scan and the delivery round of each day, as the service runs them), and what
arrives at a real SMTP server on loopback read back. Every message names no one and
carries nothing of the complaint but its reference and a date."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    CarriedOutVia,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    NotificationKind,
    Role,
    User,
)
from ombuds.notifications import reminders
from ombuds.notifications.delivery import Delivery
from ombuds.notifications.messages import WORDING, format_day
from ombuds.retention import job
from ombuds.settings import Settings
from tests.committees.support import open_case
from tests.factories.accounts import make_user
from tests.factories.investigation import at_investigation
from tests.factories.procedure import record_review, to_review
from tests.notifications.conftest import PUBLIC_URL
from tests.retention.support import closed_complaint
from tests.support.smtp import MailServer, Received

K = NotificationKind
NAMES = {"complainant": "Quenneville Zabriskie", "other_party": "Ottoline Marchbanks"}
# What the complaint body says of the incident (tests/factories/complaints.py).
NARRATIVE = ("Demeaning comments", "Union hall", "An apology")
SUBJECTS = {f"Ombuds: {WORDING[kind]['en'].subject}": kind for kind in NotificationKind}


def _factory(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    return factory


async def _give_address(db: AsyncSession, user_id: uuid.UUID, email: str) -> None:
    user = await db.get(User, user_id)
    assert user is not None
    user.email = email
    await db.commit()


async def _days_pass(
    app: FastAPI, settings: Settings, first: date, last: date, delivery: Delivery
) -> None:
    """Each day from `first` to `last`: the reminders' scan, then a delivery round."""
    day = first
    while day <= last:
        await reminders.scan(_factory(app), settings, day)
        await delivery.round()
        day += timedelta(days=1)


async def _open_deadline(db: AsyncSession, complaint_id: str, kind: DeadlineKind) -> Deadline:
    deadline = await db.scalar(
        select(Deadline).where(
            Deadline.complaint_id == uuid.UUID(complaint_id),
            Deadline.kind == kind,
            Deadline.status == DeadlineStatus.open,
        )
    )
    assert deadline is not None, kind
    return deadline


def _by_kind(messages: list[Received]) -> dict[NotificationKind, list[Received]]:
    found: dict[NotificationKind, list[Received]] = {}
    for message in messages:
        found.setdefault(SUBJECTS[str(message.message["Subject"])], []).append(message)
    return found


def _says_only(message: Received, reference: str, due: date | None) -> None:
    text = message.text
    assert reference in text
    assert f"{PUBLIC_URL}/sign-in" in text
    if due is not None:
        assert format_day(due, "en") in text
    everything = message.everything()
    for secret in (*NAMES.values(), *NARRATIVE):
        assert secret.lower() not in everything.lower()


class TestTheHandlingOmbudsperson:
    @pytest.mark.clause("4.3.1(ii)")
    @pytest.mark.clause("4.3.1(iii)")
    @pytest.mark.clause("4.3.1(vii)")
    async def test_is_reminded_of_each_deadline_once_approaching_due_and_lapsed(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        mail_settings: Settings,
        mail_server: MailServer,
        delivery: Delivery,
    ) -> None:
        case = await open_case(client, db, passwords, stage=None, names=NAMES)
        await _give_address(db, case.intake.id, "handler@example.org")
        response = await client.get(f"/api/complaints/{case.id}", headers=case.intake_headers)
        detail, etag = response.json(), response.headers["ETag"]
        # The letter is complete (the table officers are owed notice, 4.3.1(iii)), the
        # parties are owed notice of the review (4.3.1(vii)), and the other party is asked
        # to respond today (4.3.1(ii)). Then the ombudsperson does nothing but read mail.
        detail, etag = await to_review(client, case.intake_headers, detail, etag)
        await record_review(client, case.intake_headers, detail, etag, local_today())
        response_due = (await _open_deadline(db, case.id, DeadlineKind.written_response)).due_on
        notice_due = (await _open_deadline(db, case.id, DeadlineKind.table_officer_notice)).due_on

        await _days_pass(
            app,
            mail_settings,
            local_today(),
            max(response_due, notice_due) + timedelta(days=3),
            delivery,
        )

        received = mail_server.received
        assert {to for m in received for to in m.rcpt_tos} == {"handler@example.org"}
        found = _by_kind(received)
        assert {kind: len(messages) for kind, messages in found.items()} == {
            K.response_approaching: 1,
            K.response_due_today: 1,
            K.response_lapsed: 1,
            K.officer_notice_approaching: 1,
            K.officer_notice_due_today: 1,
            K.officer_notice_lapsed: 1,
            K.party_notices_owed: 1,
        }
        for kind in (K.response_approaching, K.response_due_today, K.response_lapsed):
            _says_only(found[kind][0], case.reference, response_due)
        for kind in (K.officer_notice_approaching, K.officer_notice_due_today):
            _says_only(found[kind][0], case.reference, notice_due)
        _says_only(found[K.officer_notice_lapsed][0], case.reference, notice_due)
        _says_only(found[K.party_notices_owed][0], case.reference, None)

    @pytest.mark.clause("5.1")
    async def test_is_warned_of_a_record_falling_due_for_destruction(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        mail_settings: Settings,
        mail_server: MailServer,
        delivery: Delivery,
    ) -> None:
        handler = await make_user(db, passwords, Role.ombudsperson, email="keeper@example.org")
        today = local_today()
        kept = mail_settings.retention_formal_days
        complaint = await closed_complaint(db, handler, closed_on=today - timedelta(days=kept - 20))
        await job.run(_factory(app), mail_settings, today, via=CarriedOutVia.command_line)
        due = (await _open_deadline(db, str(complaint.id), DeadlineKind.records_destruction)).due_on

        await _days_pass(app, mail_settings, today, today + timedelta(days=2), delivery)

        (message,) = mail_server.received
        assert message.rcpt_tos == ["keeper@example.org"]
        assert SUBJECTS[str(message.message["Subject"])] is K.destruction_approaching
        assert complaint.reference in message.text
        assert format_day(due, "en") in message.text


class TestTheMembersOfTheCommittee:
    @pytest.mark.clause("4.3.1(vi)")
    async def test_are_reminded_of_their_report_target(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        mail_settings: Settings,
        mail_server: MailServer,
        delivery: Delivery,
    ) -> None:
        case = await at_investigation(client, db, passwords, settings, struck_on=local_today())
        addresses = {}
        for i, member in enumerate(case.crc):
            addresses[member.user.id] = f"crc{i}@example.org"
            await _give_address(db, member.user.id, addresses[member.user.id])
        due = (await _open_deadline(db, str(case.id), DeadlineKind.crc_report)).due_on

        await _days_pass(app, mail_settings, local_today(), due + timedelta(days=2), delivery)

        for address in addresses.values():
            kinds = [SUBJECTS[str(m.message["Subject"])] for m in mail_server.inbox.to(address)]
            assert sorted(kinds) == sorted([K.report_approaching, K.report_lapsed])
        for message in mail_server.received:
            assert format_day(due, "en") in message.text
