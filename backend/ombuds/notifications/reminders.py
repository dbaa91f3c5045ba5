"""Reminders: the deadlines the procedure gives people, and the notices still owed to the
parties (issue 15, "what triggers one"). docs/notifications.md lists them.

`scan` finds every reminder due on a day and writes it, in one transaction. However often
it runs, and in however many workers at once, each person gets each reminder once: its
dedupe key names the deadline and its due date (a deadline moved later reminds again), or
the complaint and the stage for a notice owed to the parties. A run reads with a handful
of statements built once, whatever the number of complaints, and writes only what is new.

"Approaching" counts working days, holiday-aware like the deadlines themselves (Manitoba
statutory holidays and weekends, deadlines/rules.py). A closed complaint is reminded of
nothing but its records' destruction and the notices owed to its parties of its closing;
a destroyed one of nothing at all."""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Date, and_, bindparam, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from ombuds.deadlines.rules import WorkingCalendar
from ombuds.kit.clock import LOCAL_ZONE
from ombuds.models import (
    REQUIRED_KINDS,
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
    PartyNotice,
    Stage,
    User,
)
from ombuds.notifications import service
from ombuds.settings import Settings

K = NotificationKind

# The handling ombudsperson's deadlines: (approaching, due today, lapsed).
HANDLER_KINDS: dict[DeadlineKind, tuple[NotificationKind, NotificationKind, NotificationKind]] = {
    DeadlineKind.written_response: (  # 4.3.1(ii)
        K.response_approaching,
        K.response_due_today,
        K.response_lapsed,
    ),
    DeadlineKind.table_officer_notice: (  # 4.3.1(iii)
        K.officer_notice_approaching,
        K.officer_notice_due_today,
        K.officer_notice_lapsed,
    ),
}

CALENDAR = WorkingCalendar()
_open_complaint = and_(Complaint.stage != Stage.closed, Complaint.destroyed_at.is_(None))

# The handling ombudsperson's open deadlines that may need a reminder: the procedure's
# (4.3.1(ii), (iii)) due by the end of the approaching window or lapsed, and a closed
# record's destruction (5.1) within the retention warning.
_HANDLER_DEADLINES = (
    select(
        Deadline.id,
        Deadline.kind,
        Deadline.due_on,
        Deadline.complaint_id,
        Complaint.intake_ombudsperson_id.label("user_id"),
    )
    .join(Complaint, Complaint.id == Deadline.complaint_id)
    .where(
        Deadline.status == DeadlineStatus.open,
        Complaint.destroyed_at.is_(None),
        or_(
            and_(
                Deadline.kind.in_(list(HANDLER_KINDS)),
                Complaint.stage != Stage.closed,
                Deadline.due_on <= bindparam("until", type_=Date()),
            ),
            and_(
                Deadline.kind == DeadlineKind.records_destruction,
                Deadline.due_on <= bindparam("destruction_until", type_=Date()),
            ),
        ),
    )
)

# 4.3.1(vi): the CRC's report target, to each member of the struck CRC and its staff resource.
_crc = union_all(
    select(CommitteeMember.committee_id, CommitteeMember.user_id),
    select(Committee.id, Committee.staff_resource_id).where(
        Committee.staff_resource_id.is_not(None)
    ),
).subquery()
_REPORT_DEADLINES = (
    select(Deadline.id, Deadline.due_on, Deadline.complaint_id, _crc.c.user_id)
    .join(Complaint, Complaint.id == Deadline.complaint_id)
    .join(
        Committee,
        and_(
            Committee.complaint_id == Deadline.complaint_id,
            Committee.status == CommitteeStatus.confirmed,
        ),
    )
    .join(_crc, _crc.c.committee_id == Committee.id)
    .where(
        Deadline.kind == DeadlineKind.crc_report,
        Deadline.status == DeadlineStatus.open,
        Deadline.due_on <= bindparam("until", type_=Date()),
        _open_complaint,
    )
)

# 6: the policy reviews, which belong to no complaint.
_POLICY_REVIEWS = select(Deadline.id, Deadline.due_on).where(
    Deadline.complaint_id.is_(None),
    Deadline.kind == DeadlineKind.policy_review,
    Deadline.status == DeadlineStatus.open,
    Deadline.due_on >= bindparam("today", type_=Date()),
    Deadline.due_on <= bindparam("review_until", type_=Date()),
)

# 4.3.1(vii): notices to the parties owed since before the cutoff, one row per complaint
# and stage.
_OWED_NOTICES = (
    select(PartyNotice.complaint_id, PartyNotice.stage, Complaint.intake_ombudsperson_id)
    .join(Complaint, Complaint.id == PartyNotice.complaint_id)
    .where(
        PartyNotice.told_on.is_(None),
        PartyNotice.waived_at.is_(None),
        PartyNotice.owed_since < bindparam("owed_before"),
        Complaint.destroyed_at.is_(None),
    )
    .group_by(PartyNotice.complaint_id, PartyNotice.stage, Complaint.intake_ombudsperson_id)
)

# Of the reminders found, those already written (the keys `notify` stores) ...
_WRITTEN = select(Notification.dedupe_key).where(
    Notification.dedupe_key.in_(bindparam("keys", expanding=True))
)
# ... and the people who may get them: active, and not having turned the kind off.
_PEOPLE = (
    select(User.id, NotificationPreference.muted)
    .outerjoin(NotificationPreference, NotificationPreference.user_id == User.id)
    .where(User.id.in_(bindparam("ids", expanding=True)), User.is_active)
)
_BATCH = 500  # keys or ids per statement: well under SQLite's limit on parameters


@dataclass(frozen=True)
class Reminder:
    kind: NotificationKind
    dedupe: str  # without the person: `notify` adds it
    complaint_id: uuid.UUID | None
    due_on: date | None


def approaching_until(today: date, working_days: int, calendar: WorkingCalendar = CALENDAR) -> date:
    """The last due date that is "approaching" on `today`: one with at most `working_days`
    working days from today (counted if it is one) up to the day before it. E.g. three
    working days before a Wednesday after a Thanksgiving Monday is the Thursday before."""
    day, counted = today, 0
    while True:
        working = calendar.non_working_reason(day) is None
        if counted + working > working_days:
            return day
        counted += working
        day += timedelta(days=1)


def _deadline_reminder(
    kinds: tuple[NotificationKind, NotificationKind | None, NotificationKind],
    deadline_id: uuid.UUID,
    due_on: date,
    complaint_id: uuid.UUID | None,
    today: date,
) -> Reminder:
    approaching, due_today, lapsed = kinds
    if due_on < today:
        kind = lapsed
    elif due_on == today and due_today is not None:
        kind = due_today
    else:
        kind = approaching
    return Reminder(kind, f"{kind.value}:{deadline_id}:{due_on.isoformat()}", complaint_id, due_on)


Found = dict[Reminder, list[uuid.UUID]]


async def _handler_deadlines(
    conn: AsyncConnection, found: Found, settings: Settings, today: date
) -> None:
    params = {
        "until": approaching_until(today, settings.notifications_reminder_working_days),
        "destruction_until": today + timedelta(days=settings.retention_warning_days),
    }
    for row in await conn.execute(_HANDLER_DEADLINES, params):
        if row.kind is DeadlineKind.records_destruction:
            dedupe = f"{K.destruction_approaching.value}:{row.id}:{row.due_on.isoformat()}"
            reminder = Reminder(K.destruction_approaching, dedupe, row.complaint_id, row.due_on)
        else:
            kinds = HANDLER_KINDS[row.kind]
            reminder = _deadline_reminder(kinds, row.id, row.due_on, row.complaint_id, today)
        found[reminder].append(row.user_id)


async def _report_deadlines(
    conn: AsyncConnection, found: Found, settings: Settings, today: date
) -> None:
    until = approaching_until(today, settings.notifications_reminder_working_days)
    kinds = (K.report_approaching, None, K.report_lapsed)
    for row in await conn.execute(_REPORT_DEADLINES, {"until": until}):
        reminder = _deadline_reminder(kinds, row.id, row.due_on, row.complaint_id, today)
        found[reminder].append(row.user_id)


async def _policy_reviews(db: AsyncSession, found: Found, settings: Settings, today: date) -> None:
    review_until = today + timedelta(days=settings.notifications_review_days)
    conn = await db.connection()
    reviews = (
        await conn.execute(_POLICY_REVIEWS, {"today": today, "review_until": review_until})
    ).all()
    if not reviews:
        return
    officers = await service.table_officers(db, None)
    for row in reviews:
        dedupe = f"{K.policy_review_approaching.value}:{row.id}:{row.due_on.isoformat()}"
        found[Reminder(K.policy_review_approaching, dedupe, None, row.due_on)] += officers


async def _owed_notices(
    conn: AsyncConnection, found: Found, settings: Settings, today: date
) -> None:
    """Owed for more than the setting's days: owed since before that many days ago began."""
    cutoff = today - timedelta(days=settings.notifications_party_notice_days)
    owed_before = datetime.combine(cutoff, time.min, tzinfo=LOCAL_ZONE)
    for row in await conn.execute(_OWED_NOTICES, {"owed_before": owed_before}):
        dedupe = f"{K.party_notices_owed.value}:{row.complaint_id}:{row.stage.value}"
        reminder = Reminder(K.party_notices_owed, dedupe, row.complaint_id, None)
        found[reminder].append(row.intake_ombudsperson_id)


async def due(db: AsyncSession, settings: Settings, today: date) -> Found:
    """Every reminder due on `today`, with whom it is for (already written or not)."""
    found: Found = defaultdict(list)
    conn = await db.connection()
    await _handler_deadlines(conn, found, settings, today)
    await _report_deadlines(conn, found, settings, today)
    await _policy_reviews(db, found, settings, today)
    await _owed_notices(conn, found, settings, today)
    return found


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[i : i + _BATCH] for i in range(0, len(items), _BATCH)]


async def _not_yet_written(db: AsyncSession, found: Found) -> Found:
    """The reminders still to write, for the people who want them: a run that finds
    nothing new writes nothing and calls `notify` for nobody."""
    conn = await db.connection()
    keys = [f"{r.dedupe}:{user_id}" for r, users in found.items() for user_id in users]
    written: set[str] = set()
    for chunk in _chunks(keys):
        written.update(await db.scalars(_WRITTEN, {"keys": chunk}))
    ids = list({user_id for users in found.values() for user_id in users})
    muted: dict[uuid.UUID, set[str]] = {}
    for chunk in _chunks(ids):
        for row in await conn.execute(_PEOPLE, {"ids": chunk}):
            muted[row.id] = set(row.muted or [])
    todo: Found = {}
    for reminder, users in found.items():
        wanted = [
            user_id
            for user_id in dict.fromkeys(users)
            if f"{reminder.dedupe}:{user_id}" not in written
            and user_id in muted
            and (reminder.kind in REQUIRED_KINDS or reminder.kind.value not in muted[user_id])
        ]
        if wanted:
            todo[reminder] = wanted
    return todo


async def write_due(db: AsyncSession, settings: Settings, today: date) -> int:
    """Write the reminders due on `today` not yet written; returns how many (flushes,
    never commits)."""
    todo = await _not_yet_written(db, await due(db, settings, today))
    written = 0
    for reminder, users in sorted(todo.items(), key=lambda item: item[0].dedupe):
        written += len(
            await service.notify(
                db,
                reminder.kind,
                users,
                complaint_id=reminder.complaint_id,
                due_on=reminder.due_on,
                dedupe=reminder.dedupe,
            )
        )
    return written


async def scan(factory: async_sessionmaker[AsyncSession], settings: Settings, today: date) -> int:
    """One run, one transaction: the reminders due on `today` (the local date), committed.
    Returns how many notifications it wrote."""
    async with factory() as db:
        try:
            written = await write_due(db, settings, today)
            await db.commit()
        except BaseException:
            await db.rollback()
            raise
    return written
