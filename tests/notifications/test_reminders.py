"""Reminders of the deadlines the procedure gives people, and of notices still owed to the
parties: on the right days (working days, Manitoba holidays counted), to the right people,
once however often and however many scans run at once."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import LOCAL_ZONE, utcnow
from ombuds.models import (
    Closure,
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    OfficerConflict,
    OutboxMessage,
    PartyNotice,
    PartyRole,
    Role,
    Setting,
    Stage,
    User,
)
from ombuds.notifications import reminders
from ombuds.settings import Settings
from tests.factories.accounts import make_user
from tests.factories.complaints import deadline_row
from tests.retention.support import closed_complaint

K = NotificationKind
_refs = itertools.count(1)

# Thanksgiving, a Manitoba statutory holiday, is Monday 12 October 2026.
THANKSGIVING = date(2026, 10, 12)
WEDNESDAY_AFTER = date(2026, 10, 14)

Reminded = tuple[NotificationKind, uuid.UUID, uuid.UUID | None, date | None]


def _factory(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    return factory


async def scan(app: FastAPI, settings: Settings, today: date) -> int:
    return await reminders.scan(_factory(app), settings, today)


async def reminded(db: AsyncSession, *kinds: NotificationKind) -> list[Reminded]:
    """Every reminder written (of `kinds`, if given): kind, person, complaint, due date."""
    query = select(
        Notification.kind, Notification.user_id, Notification.complaint_id, Notification.due_on
    )
    if kinds:
        query = query.where(Notification.kind.in_(kinds))
    rows = (await db.execute(query)).all()
    return sorted(((k, u, c, d) for k, u, c, d in rows), key=str)


async def count(db: AsyncSession, model: type[Any]) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


async def ombudsperson(db: AsyncSession, passwords: Passwords, **kwargs: Any) -> User:
    return await make_user(db, passwords, Role.ombudsperson, email="o@example.org", **kwargs)


async def complaint_at(db: AsyncSession, handler: User, stage: Stage = Stage.review) -> Complaint:
    """An open complaint at `stage`, handled by `handler`, written directly."""
    complaint = Complaint(
        reference=f"RM-{next(_refs):05d}-{uuid.uuid4().hex[:2]}",
        intake_ombudsperson_id=handler.id,
        stage=stage,
        received_on=date(2026, 9, 1),
        setting=Setting.local_500_event,
        resolution_sought="An apology",
    )
    db.add(complaint)
    await db.commit()
    return complaint


async def open_deadline(
    db: AsyncSession, complaint_id: uuid.UUID | None, kind: DeadlineKind, due: date
) -> Deadline:
    deadline = deadline_row(complaint_id, kind, DeadlineStatus.open, due)  # type: ignore[arg-type]
    db.add(deadline)
    await db.commit()
    return deadline


class TestTheApproachingWindow:
    @pytest.mark.clause("4.3.1(ii)")
    @pytest.mark.parametrize(
        ("today", "last_due"),
        [
            # Thursday, Friday and Tuesday: Thanksgiving Monday is no working day.
            (date(2026, 10, 8), WEDNESDAY_AFTER),
            (date(2026, 10, 7), date(2026, 10, 13)),
            # A Saturday counts from Monday: Monday to Wednesday.
            (date(2026, 10, 17), date(2026, 10, 22)),
            # An ordinary week.
            (date(2026, 11, 2), date(2026, 11, 5)),
        ],
    )
    def test_three_working_days(self, today: date, last_due: date) -> None:
        assert reminders.approaching_until(today, 3) == last_due


class TestResponseDeadline:
    @pytest.mark.clause("4.3.1(ii)")
    async def test_approaching_due_and_lapsed_each_once_around_a_holiday(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        complaint = await complaint_at(db, handler)
        await open_deadline(db, complaint.id, DeadlineKind.written_response, WEDNESDAY_AFTER)
        days = {
            # Four working days ahead were it not for Thanksgiving: not yet.
            date(2026, 10, 7): [],
            date(2026, 10, 8): [K.response_approaching],
            date(2026, 10, 9): [],
            THANKSGIVING: [],
            WEDNESDAY_AFTER: [K.response_due_today],
            date(2026, 10, 15): [K.response_lapsed],
            date(2026, 10, 16): [],
            date(2026, 11, 20): [],
        }
        for today, expected in days.items():
            before = await reminded(db)
            assert await scan(app, settings, today) == len(expected), today
            new = [r for r in await reminded(db) if r not in before]
            assert new == [(k, handler.id, complaint.id, WEDNESDAY_AFTER) for k in expected]
        # Each with its e-mail, the handling ombudsperson having an address.
        assert await count(db, OutboxMessage) == 3

    @pytest.mark.clause("4.3.1(ii)")
    async def test_a_deadline_moved_later_reminds_again(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        complaint = await complaint_at(db, handler)
        deadline = await open_deadline(
            db, complaint.id, DeadlineKind.written_response, WEDNESDAY_AFTER
        )
        assert await scan(app, settings, date(2026, 10, 9)) == 1
        later = date(2026, 10, 21)
        await db.execute(update(Deadline).where(Deadline.id == deadline.id).values(due_on=later))
        await db.commit()

        assert await scan(app, settings, date(2026, 10, 16)) == 1

        assert await reminded(db) == sorted(
            [
                (K.response_approaching, handler.id, complaint.id, WEDNESDAY_AFTER),
                (K.response_approaching, handler.id, complaint.id, later),
            ],
            key=str,
        )

    @pytest.mark.clause("4.3.1(ii)")
    @pytest.mark.parametrize("status", [DeadlineStatus.met, DeadlineStatus.lapsed])
    async def test_a_deadline_no_longer_open_reminds_nobody(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        status: DeadlineStatus,
    ) -> None:
        handler = await ombudsperson(db, passwords)
        complaint = await complaint_at(db, handler)
        db.add(deadline_row(complaint.id, DeadlineKind.written_response, status, WEDNESDAY_AFTER))
        await db.commit()
        for today in (date(2026, 10, 9), WEDNESDAY_AFTER, date(2026, 10, 15)):
            assert await scan(app, settings, today) == 0
        assert await reminded(db) == []


class TestTableOfficerNotice:
    @pytest.mark.clause("4.3.1(iii)")
    async def test_the_handling_ombudsperson_is_reminded_to_tell_the_officers(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        complaint = await complaint_at(db, handler, Stage.letter)
        due = date(2026, 11, 5)
        await open_deadline(db, complaint.id, DeadlineKind.table_officer_notice, due)
        for today in (date(2026, 11, 2), due, date(2026, 11, 6)):
            await scan(app, settings, today)
        assert await reminded(db) == sorted(
            [
                (K.officer_notice_approaching, handler.id, complaint.id, due),
                (K.officer_notice_due_today, handler.id, complaint.id, due),
                (K.officer_notice_lapsed, handler.id, complaint.id, due),
            ],
            key=str,
        )


class TestReportTarget:
    @pytest.mark.clause("4.3.1(vi)")
    async def test_the_crc_and_its_staff_resource_are_reminded(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        complaint = await complaint_at(db, handler, Stage.investigation)
        members = [await ombudsperson(db, passwords) for _ in range(3)]
        staff = await make_user(db, passwords, Role.staff_resource)
        officer = await make_user(db, passwords, Role.table_officer)
        committee = Committee(
            complaint_id=complaint.id,
            status=CommitteeStatus.confirmed,
            staff_resource_id=staff.id,
            proposed_by=officer.id,
        )
        db.add(committee)
        await db.flush()
        db.add_all(
            CommitteeMember(committee_id=committee.id, seat=seat, user_id=m.id)
            for seat, m in enumerate(members, start=1)
        )
        await db.commit()
        due = date(2026, 11, 5)
        await open_deadline(db, complaint.id, DeadlineKind.crc_report, due)

        assert await scan(app, settings, date(2026, 10, 30)) == 0
        assert await scan(app, settings, date(2026, 11, 2)) == 4
        assert await scan(app, settings, due) == 0
        assert await scan(app, settings, date(2026, 11, 6)) == 4

        crc = [*(m.id for m in members), staff.id]
        assert await reminded(db) == sorted(
            [(K.report_approaching, u, complaint.id, due) for u in crc]
            + [(K.report_lapsed, u, complaint.id, due) for u in crc],
            key=str,
        )

    @pytest.mark.clause("4.3.1(vi)")
    async def test_a_panel_only_proposed_is_not_reminded(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        complaint = await complaint_at(db, handler, Stage.committee)
        member = await ombudsperson(db, passwords)
        committee = Committee(
            complaint_id=complaint.id, status=CommitteeStatus.proposed, proposed_by=handler.id
        )
        db.add(committee)
        await db.flush()
        db.add(CommitteeMember(committee_id=committee.id, seat=1, user_id=member.id))
        await db.commit()
        await open_deadline(db, complaint.id, DeadlineKind.crc_report, date(2026, 11, 5))
        assert await scan(app, settings, date(2026, 11, 6)) == 0


class TestClosedAndDestroyed:
    @pytest.mark.clause("5.1")
    async def test_a_closed_record_s_destruction_is_announced_to_its_ombudsperson(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        complaint = await closed_complaint(db, handler, closed_on=date(2019, 10, 1))
        due = date(2026, 11, 30)
        await open_deadline(db, complaint.id, DeadlineKind.records_destruction, due)
        # Its other deadlines were closed with it; one left open is owed no more.
        await open_deadline(db, complaint.id, DeadlineKind.written_response, date(2026, 11, 2))
        before = due - timedelta(days=settings.retention_warning_days)

        assert await scan(app, settings, before - timedelta(days=1)) == 0
        assert await scan(app, settings, before) == 1
        assert await scan(app, settings, due + timedelta(days=3)) == 0

        assert await reminded(db) == [(K.destruction_approaching, handler.id, complaint.id, due)]

    @pytest.mark.clause("5.1")
    async def test_a_destroyed_record_reminds_nobody(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        complaint = await closed_complaint(db, handler, closed_on=date(2019, 10, 1))
        complaint.destroyed_at = utcnow()
        db.add(
            PartyNotice(complaint_id=complaint.id, stage=Stage.closed, party=PartyRole.complainant)
        )
        await db.commit()
        await open_deadline(db, complaint.id, DeadlineKind.records_destruction, date(2026, 11, 30))
        assert await scan(app, settings, date(2026, 11, 30)) == 0
        assert await reminded(db) == []


class TestPolicyReview:
    @pytest.mark.clause("6")
    async def test_every_active_table_officer_is_reminded(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        first = await make_user(db, passwords, Role.table_officer, email="a@example.org")
        # Recused on a complaint, which this review is not about.
        second = await make_user(db, passwords, Role.table_officer)
        handler = await ombudsperson(db, passwords)
        complaint = await complaint_at(db, handler, Stage.committee)
        db.add(OfficerConflict(complaint_id=complaint.id, user_id=second.id))
        await make_user(db, passwords, Role.table_officer, active=False)
        await db.commit()
        due = date(2027, 3, 15)
        await open_deadline(db, None, DeadlineKind.policy_review, due)
        window = timedelta(days=settings.notifications_review_days)

        assert await scan(app, settings, due - window - timedelta(days=1)) == 0
        assert await scan(app, settings, due - window) == 2
        assert await scan(app, settings, due) == 0

        assert await reminded(db) == sorted(
            [(K.policy_review_approaching, u, None, due) for u in (first.id, second.id)],
            key=str,
        )
        assert await count(db, OutboxMessage) == 1  # the one with an address


class TestPartyNotices:
    @pytest.mark.clause("4.3.1(vii)")
    async def test_owed_for_more_than_the_setting_s_days_once_per_stage(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        assert settings.notifications_party_notice_days == 5
        handler = await ombudsperson(db, passwords)
        complaint = await complaint_at(db, handler, Stage.committee)
        owed_since = datetime(2026, 10, 1, 23, 30, tzinfo=LOCAL_ZONE)
        db.add_all(
            PartyNotice(complaint_id=complaint.id, stage=stage, party=party, owed_since=owed_since)
            for stage in (Stage.review, Stage.committee)
            for party in PartyRole
            if party is not PartyRole.witness
        )
        # Told, or waived: owed no more.
        other = await complaint_at(db, handler, Stage.review)
        db.add_all(
            [
                PartyNotice(
                    complaint_id=other.id,
                    stage=Stage.review,
                    party=PartyRole.complainant,
                    owed_since=owed_since,
                    told_on=date(2026, 10, 2),
                ),
                PartyNotice(
                    complaint_id=other.id,
                    stage=Stage.review,
                    party=PartyRole.other_party,
                    owed_since=owed_since,
                    waived_at=utcnow(),
                    waived_by=handler.id,
                    waiver_reason="Unreachable",
                ),
            ]
        )
        await db.commit()

        assert await scan(app, settings, date(2026, 10, 6)) == 0  # owed five days
        assert await scan(app, settings, date(2026, 10, 7)) == 2  # more than five
        assert await scan(app, settings, date(2026, 10, 8)) == 0

        assert await reminded(db) == [(K.party_notices_owed, handler.id, complaint.id, None)] * 2
        keys = set(await db.scalars(select(Notification.dedupe_key)))
        assert keys == {
            f"party_notices_owed:{complaint.id}:{stage}:{handler.id}"
            for stage in ("review", "committee")
        }

    @pytest.mark.clause("4.3.1(vii)")
    async def test_the_notice_of_closing_is_still_owed_after_it(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        complaint = await closed_complaint(
            db, handler, closure=Closure.concluded, closed_on=date(2026, 10, 1)
        )
        db.add(
            PartyNotice(
                complaint_id=complaint.id,
                stage=Stage.closed,
                party=PartyRole.complainant,
                owed_since=datetime(2026, 10, 1, 9, tzinfo=LOCAL_ZONE),
            )
        )
        await db.commit()
        assert await scan(app, settings, date(2026, 10, 7)) == 1
        assert await reminded(db) == [(K.party_notices_owed, handler.id, complaint.id, None)]


class TestPreferences:
    @pytest.mark.clause("4.3.1(ii)")
    async def test_a_kind_turned_off_is_not_written_one_the_policy_requires_is(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        officer = await make_user(db, passwords, Role.table_officer, email="t@example.org")
        muted = [K.response_lapsed.value, K.policy_review_approaching.value]
        db.add_all(NotificationPreference(user_id=u.id, muted=muted) for u in (handler, officer))
        await db.commit()
        complaint = await complaint_at(db, handler)
        due = date(2026, 11, 5)
        await open_deadline(db, complaint.id, DeadlineKind.written_response, due)
        await open_deadline(db, None, DeadlineKind.policy_review, due + timedelta(days=3))

        assert await scan(app, settings, date(2026, 11, 6)) == 1
        assert await scan(app, settings, date(2026, 11, 7)) == 0

        assert await reminded(db) == [(K.response_lapsed, handler.id, complaint.id, due)]


class TestRunsTogether:
    @pytest.mark.clause("4.3.1(ii)")
    async def test_two_concurrent_scans_write_each_reminder_once(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handlers = [await ombudsperson(db, passwords) for _ in range(4)]
        for handler in handlers:
            complaint = await complaint_at(db, handler)
            await open_deadline(db, complaint.id, DeadlineKind.written_response, WEDNESDAY_AFTER)
            other = await complaint_at(db, handler, Stage.letter)
            await open_deadline(db, other.id, DeadlineKind.table_officer_notice, WEDNESDAY_AFTER)
        today = date(2026, 10, 15)

        results = await asyncio.gather(*(scan(app, settings, today) for _ in range(2)))

        assert sum(results) == 8
        assert await count(db, Notification) == 8
        assert await count(db, OutboxMessage) == 8
        assert await scan(app, settings, today) == 0

    @pytest.mark.clause("4.3.1(ii)")
    async def test_a_scan_reads_with_the_same_statements_at_2_and_8_complaints(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        handler = await ombudsperson(db, passwords)
        officer = await make_user(db, passwords, Role.table_officer)
        await open_deadline(db, None, DeadlineKind.policy_review, date(2026, 10, 20))
        today = date(2026, 10, 15)
        counted: list[int] = []
        # Due today, and a notice owed, on each new complaint; the review once.
        for n, new in ((2, 2 * 2 + 1), (8, 6 * 2)):
            while await count(db, Complaint) < n:
                complaint = await complaint_at(db, handler, Stage.investigation)
                await open_deadline(db, complaint.id, DeadlineKind.written_response, today)
                db.add(
                    PartyNotice(
                        complaint_id=complaint.id,
                        stage=Stage.investigation,
                        party=PartyRole.complainant,
                        owed_since=datetime(2026, 10, 1, tzinfo=LOCAL_ZONE),
                    )
                )
                await db.commit()
            assert await scan(app, settings, today) == new
            counted.append(len(await statements_of_a_scan(app, settings, today)))
        assert counted[0] == counted[1] <= 8
        assert await reminded(db, K.policy_review_approaching) == [
            (K.policy_review_approaching, officer.id, None, date(2026, 10, 20))
        ]


async def statements_of_a_scan(app: FastAPI, settings: Settings, today: date) -> list[str]:
    """The statements one scan sends (that writes nothing), on a connection of its own."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_: Any) -> None:
        seen.append(sql)

    async with app.state.engine.connect() as conn:
        event.listen(conn.sync_connection, "before_cursor_execute", record)
        factory = async_sessionmaker(bind=conn, expire_on_commit=False)
        assert await reminders.scan(factory, settings, today) == 0
    return seen
