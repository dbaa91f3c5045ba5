"""Deadline records: opened, satisfied and cancelled as the procedure moves."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Protocol

from sqlalchemy import BindParameter, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.deadlines.rules import DueDate, add_months, due_after_days, policy_review_dates
from ombuds.kit.clock import local_today, utcnow
from ombuds.models import Deadline, DeadlineKind, DeadlineStatus, PolicyReview
from ombuds.settings import Settings


def page_limit(limit: int) -> BindParameter[int]:
    """A page size written into the SQL as a number, not sent as a parameter. Under asyncpg
    every statement is prepared, and after five runs PostgreSQL may keep a generic plan
    that does not know the LIMIT: it then plans for a tenth of the table (a parallel scan
    with a sort) instead of walking an index for one page (issue 7)."""
    return bindparam("page_limit", limit, literal_execute=True)


def _apply(deadline: Deadline, due: DueDate) -> None:
    deadline.due_on = due.due_on
    deadline.basis = due.basis
    deadline.trigger_on = due.trigger_on
    deadline.period_days = due.period_days
    deadline.period_months = due.period_months
    deadline.nominal_due_on = due.nominal_due_on
    deadline.moved_by = ", ".join(due.moved_by) or None
    deadline.explanation = due.explanation()


async def find(db: AsyncSession, complaint_id: uuid.UUID, kind: DeadlineKind) -> Deadline | None:
    return await db.scalar(
        select(Deadline).where(Deadline.complaint_id == complaint_id, Deadline.kind == kind)
    )


async def open_after_days(
    db: AsyncSession,
    settings: Settings,
    complaint_id: uuid.UUID,
    kind: DeadlineKind,
    trigger_on: date,
    days: int,
    *,
    rollover: bool | None = None,
) -> Deadline:
    """Open (or re-date) the complaint's deadline of ``kind``: one record per kind, so its
    id, the calendar UID, never changes; a re-dated deadline raises its SEQUENCE.
    `rollover`: off a non-working day (default: the setting)."""
    if rollover is None:
        rollover = settings.roll_over_non_working_days
    due = due_after_days(trigger_on, days, rollover=rollover)
    deadline = await find(db, complaint_id, kind)
    if deadline is None:
        deadline = Deadline(complaint_id=complaint_id, kind=kind, status=DeadlineStatus.open)
        _apply(deadline, due)
        db.add(deadline)
    else:
        status = _status_after_redating(deadline, due.due_on)
        # A corrected trigger is a change even when the due date stays: the computation
        # shown (trigger, nominal date, days moved off, explanation) is recomputed with it.
        recomputed = Deadline()
        _apply(recomputed, due)
        if _computation(deadline) != _computation(recomputed) or status is not deadline.status:
            _apply(deadline, due)
            deadline.status = status
            if status is DeadlineStatus.open:
                deadline.satisfied_on = None
            deadline.sequence += 1
            deadline.updated_at = utcnow()
    await db.flush()
    return deadline


def _computation(d: Deadline) -> tuple[object, ...]:
    """Everything ``_apply`` writes: how the due date was computed, and the date."""
    return (
        d.due_on,
        d.basis,
        d.trigger_on,
        d.period_days,
        d.period_months,
        d.nominal_due_on,
        d.moved_by,
        d.explanation,
    )


def _status_after_redating(deadline: Deadline, due_on: date) -> DeadlineStatus:
    """A met deadline stays met (or becomes met late) by its new date; a lapsed one stays
    lapsed (the step it served is done); a cancelled one is owed again."""
    if deadline.status in (DeadlineStatus.met, DeadlineStatus.met_late):
        assert deadline.satisfied_on is not None
        return _met(deadline.satisfied_on, due_on)
    if deadline.status is DeadlineStatus.lapsed:
        return DeadlineStatus.lapsed
    return DeadlineStatus.open


def _met(on: date, due_on: date) -> DeadlineStatus:
    return DeadlineStatus.met if on <= due_on else DeadlineStatus.met_late


async def satisfy(
    db: AsyncSession, complaint_id: uuid.UUID, kind: DeadlineKind, on: date
) -> Deadline | None:
    """Mark the deadline met, or met late (flagged, never refused). A lapsed or cancelled
    deadline's life is over: it stays as it ended."""
    deadline = await find(db, complaint_id, kind)
    if deadline is None or deadline.status in (DeadlineStatus.cancelled, DeadlineStatus.lapsed):
        return deadline
    deadline.satisfied_on = on
    deadline.status = _met(on, deadline.due_on)
    deadline.sequence += 1
    deadline.updated_at = utcnow()
    await db.flush()
    return deadline


async def lapse(db: AsyncSession, complaint_id: uuid.UUID, kind: DeadlineKind) -> Deadline | None:
    """The step the deadline served went ahead without it being met: an open deadline
    closes as lapsed (no longer owed, and no longer overdue anywhere)."""
    deadline = await find(db, complaint_id, kind)
    if deadline is None or deadline.status is not DeadlineStatus.open:
        return deadline
    deadline.status = DeadlineStatus.lapsed
    deadline.sequence += 1
    deadline.updated_at = utcnow()
    await db.flush()
    return deadline


class DeadlineState(Protocol):
    """A deadline's status and date: an ORM `Deadline`, or a row read with Core."""

    @property
    def status(self) -> DeadlineStatus: ...
    @property
    def due_on(self) -> date: ...


def is_overdue(deadline: DeadlineState, today: date | None = None) -> bool:
    """The one meaning of "overdue" in every view: still open, and past its due date. A
    deadline met after its date is "met late", not overdue; a lapsed or cancelled one is
    owed no more."""
    return overdue(deadline.status, deadline.due_on, today)


def overdue(status: DeadlineStatus, due_on: date, today: date | None = None) -> bool:
    """`is_overdue` for a status and date read as they are (a hot read's row)."""
    return status is DeadlineStatus.open and due_on < (today or local_today())


async def cancel_open(db: AsyncSession, complaint_id: uuid.UUID) -> None:
    """A closed complaint owes nothing: its open deadlines are cancelled (kept for calendars)."""
    rows = await db.scalars(
        select(Deadline).where(
            Deadline.complaint_id == complaint_id, Deadline.status == DeadlineStatus.open
        )
    )
    now = utcnow()
    for deadline in rows:
        deadline.status = DeadlineStatus.cancelled
        deadline.sequence += 1
        deadline.updated_at = now
    await db.flush()


async def for_complaints(db: AsyncSession, complaint_ids: list[uuid.UUID]) -> list[Deadline]:
    if not complaint_ids:
        return []
    stmt = (
        select(Deadline)
        .where(Deadline.complaint_id.in_(complaint_ids))
        .order_by(Deadline.due_on, Deadline.id)
    )
    return list((await db.scalars(stmt)).all())


async def last_policy_review_held(db: AsyncSession) -> date | None:
    """6: the next review counts from the last one held (see policy/service.py)."""
    return await db.scalar(select(func.max(PolicyReview.held_on)))


async def ensure_policy_reviews(db: AsyncSession, settings: Settings, until: date) -> int:
    """6: the review due 18 months after implementation, then every three years (from the
    last review held, once one is). A cancelled date (superseded) does not count."""
    existing = {
        d.due_on
        for d in await db.scalars(
            select(Deadline).where(
                Deadline.kind == DeadlineKind.policy_review,
                Deadline.status != DeadlineStatus.cancelled,
            )
        )
    }
    added = 0
    for due in policy_review_dates(
        settings.policy_implemented_on,
        until=until,
        last_held_on=await last_policy_review_held(db),
        rollover=settings.roll_over_non_working_days,
    ):
        if due.due_on in existing:
            continue
        deadline = Deadline(complaint_id=None, kind=DeadlineKind.policy_review)
        _apply(deadline, due)
        db.add(deadline)
        added += 1
    await db.flush()
    return added


# Text that leaves the service (calendars, integrations) ----------------------------------

# Fixed words per kind, plus the opaque reference: never a name or a circumstance (5.1).
LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.written_response: "Written response due",  # 4.3.1(ii)
    DeadlineKind.table_officer_notice: "Notify the table officers",  # 4.3.1(iii)
    DeadlineKind.crc_report: "CRC report due",  # 4.3.1(vi)
    DeadlineKind.policy_review: "Policy review due (clause 6)",  # 6
    DeadlineKind.records_destruction: "Records due for destruction",  # 5.1
}
POLICY_REVIEW_HORIZON_MONTHS = 48  # longer than the 3-year cycle: the next review is known


def label(kind: DeadlineKind, reference: str | None) -> str:
    """E.g. "Written response due — C-7F3K2Q"; policy reviews have no reference."""
    return f"{LABELS[kind]} — {reference}" if reference else LABELS[kind]


POLICY_REVIEW_LOCK = 0x0B5D0006  # PostgreSQL advisory lock: one writer of review dates


async def ensure_upcoming_policy_reviews(
    db: AsyncSession, settings: Settings, today: date, *, wait: bool = True
) -> int:
    """6: the review dates up to four years ahead exist. Reads only, unless one is missing;
    then (on PostgreSQL) one writer at a time adds them, so each date is added once.

    No read of deadlines calls this: the service keeps the dates (deadlines/upkeep.py, at
    start and then every few hours, `wait=False`: a process that finds another at it
    leaves it the work); recording a review (policy/service.py) waits its turn, a step
    taken once in three years."""
    until = add_months(today, POLICY_REVIEW_HORIZON_MONTHS)
    expected = {
        due.due_on
        for due in policy_review_dates(
            settings.policy_implemented_on,
            until=until,
            last_held_on=await last_policy_review_held(db),
            rollover=settings.roll_over_non_working_days,
        )
    }
    # Only the expected dates are looked up (through the due-date index): this runs on
    # every read of the deadlines API and of executives' feeds, and a scan of every
    # deadline for the few policy reviews grew with the whole table (issue 7).
    # Policy reviews belong to no complaint: the partial index ix_deadlines_policy_reviews
    # holds just them, whereas the due-date index holds every complaint's deadline due on
    # the same days (hundreds per day at a million complaints).
    existing = set(
        await db.scalars(
            select(Deadline.due_on).where(
                Deadline.complaint_id.is_(None),
                Deadline.kind == DeadlineKind.policy_review,
                Deadline.due_on.in_(expected),
                Deadline.status != DeadlineStatus.cancelled,
            )
        )
    )
    if expected <= existing:
        return 0
    if db.get_bind().dialect.name == "postgresql":
        if not wait:
            got = await db.scalar(select(func.pg_try_advisory_xact_lock(POLICY_REVIEW_LOCK)))
            if not got:
                return 0
        else:
            await db.execute(select(func.pg_advisory_xact_lock(POLICY_REVIEW_LOCK)))
    return await ensure_policy_reviews(db, settings, until)
