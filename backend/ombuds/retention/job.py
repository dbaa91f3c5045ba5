"""The retention job (5.1): records past their period are scheduled for destruction, and
scheduled destructions whose restore window has passed are carried out.

Each record is its own transaction, re-checked under a row lock, so the job is resumable
(a crash loses at most the record in hand, which the next run does again) and idempotent
(a re-run finds nothing new). One runs at a time: on PostgreSQL a session advisory
try-lock (a second run skips, never waits); SQLite serialises its writers. Even without
the lock a record is destroyed once: the register's record id is unique.

Destruction by key comes last: the record's data key (and that of the consultation it
grew from) is deleted from the key store only once the content's removal has committed,
and the register notes when (`keys_destroyed_at`). A crash in between leaves the entry
without that date, and every run first destroys the keys of such entries; so no key is
lost before its content is, and none outlives it for longer than a run."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal, PrincipalKind
from ombuds.deadlines import service as deadlines
from ombuds.kit import datakeys
from ombuds.kit.clock import utcnow
from ombuds.models import (
    CarriedOutVia,
    Complaint,
    Consultation,
    DeadlineKind,
    DeadlineStatus,
    DestructionRecord,
    LegalHold,
    RetentionClass,
    ScheduledDestruction,
)
from ombuds.retention import destroy
from ombuds.retention.schedule import Due, RecordType, due_by
from ombuds.settings import Settings

# Any constant: the advisory lock only the retention job takes, and only with a try-lock.
RETENTION_LOCK = 0x0B5D0051

# The audit log's actor for what the job does (no user ran it).
JOB = Principal(PrincipalKind.service)


@dataclass(frozen=True)
class Pending:
    """A scheduled destruction: carried out on `carry_out_on` unless undone first."""

    schedule_id: uuid.UUID
    record_type: RecordType
    record_id: uuid.UUID
    reference: str | None
    record_class: RetentionClass
    due_on: date
    carry_out_on: date


@dataclass
class Plan:
    to_schedule: list[Due] = field(default_factory=list)
    to_destroy: list[Pending] = field(default_factory=list)


@dataclass
class Report:
    scheduled: list[Due] = field(default_factory=list)
    destroyed: list[Pending] = field(default_factory=list)
    skipped: bool = False  # another run held the lock
    keys_destroyed: int = 0  # data keys deleted from the key store


async def pending_due(db: AsyncSession, today: date) -> list[Pending]:
    """Scheduled destructions whose restore window has passed, not held."""
    held = (
        select(LegalHold.id)
        .where(
            LegalHold.lifted_at.is_(None),
            (LegalHold.complaint_id == ScheduledDestruction.complaint_id)
            | (LegalHold.consultation_id == ScheduledDestruction.consultation_id),
        )
        .exists()
    )
    rows = await db.execute(
        select(ScheduledDestruction, Complaint.reference)
        .outerjoin(Complaint, Complaint.id == ScheduledDestruction.complaint_id)
        .where(
            ScheduledDestruction.undone_at.is_(None),
            ScheduledDestruction.done_at.is_(None),
            ScheduledDestruction.carry_out_on <= today,
            ~held,
        )
        .order_by(ScheduledDestruction.carry_out_on, ScheduledDestruction.id)
    )
    return [_pending(s, reference) for s, reference in rows]


def _pending(s: ScheduledDestruction, reference: str | None) -> Pending:
    record_id = s.complaint_id or s.consultation_id
    assert record_id is not None  # the one_record check
    return Pending(
        s.id,
        RecordType.complaint if s.complaint_id else RecordType.consultation,
        record_id,
        reference,
        s.record_class,
        s.due_on,
        s.carry_out_on,
    )


async def plan(db: AsyncSession, settings: Settings, today: date) -> Plan:
    """What a run would do today, without writing (`--dry-run`)."""
    return Plan(
        await due_by(db, settings, today, unheld_unscheduled=True), await pending_due(db, today)
    )


async def announce(db: AsyncSession, settings: Settings, today: date) -> int:
    """The handling ombudsperson's calendar (5.1): a "records due for destruction"
    deadline for each complaint falling due within the warning horizon and not held (a
    held one's is cancelled). Returns how many were opened or re-dated."""
    horizon = today + timedelta(days=settings.retention_warning_days)
    due = [d for d in await due_by(db, settings, horizon) if d.record_type is RecordType.complaint]
    held = set(
        await db.scalars(
            select(LegalHold.complaint_id).where(
                LegalHold.lifted_at.is_(None),
                LegalHold.complaint_id.in_([d.id for d in due]),
            )
        )
    )
    changed = 0
    for d in due:
        existing = await deadlines.find(db, d.id, DeadlineKind.records_destruction)
        if d.id in held:
            await cancel_announcement(db, d.id)
            continue
        if (
            existing is not None
            and existing.status is DeadlineStatus.open
            and existing.due_on == d.due_on
        ):
            continue
        await deadlines.open_after_days(
            db,
            settings,
            d.id,
            DeadlineKind.records_destruction,
            d.closed_on,
            d.period_days,
            rollover=False,
        )
        changed += 1
    return changed


async def cancel_announcement(db: AsyncSession, complaint_id: uuid.UUID) -> None:
    """A held record's destruction date leaves the calendar."""
    deadline = await deadlines.find(db, complaint_id, DeadlineKind.records_destruction)
    if deadline is not None and deadline.status is DeadlineStatus.open:
        deadline.status = DeadlineStatus.cancelled
        deadline.sequence += 1
        deadline.updated_at = utcnow()
        await db.flush()


async def _held(db: AsyncSession, record_type: RecordType, record_id: uuid.UUID) -> bool:
    column = (
        LegalHold.complaint_id if record_type is RecordType.complaint else LegalHold.consultation_id
    )
    found = await db.scalar(
        select(LegalHold.id).where(column == record_id, LegalHold.lifted_at.is_(None)).limit(1)
    )
    return found is not None


async def schedule_one(db: AsyncSession, settings: Settings, due: Due, today: date) -> bool:
    """Schedule one due record's destruction (False: held, scheduled or gone meanwhile)."""
    # Re-checked in this transaction: a hold placed, or another run, since the plan.
    if not await due_by(
        db, settings, today, unheld_unscheduled=True, only=(due.record_type, due.id)
    ):
        return False
    is_complaint = due.record_type is RecordType.complaint
    schedule = ScheduledDestruction(
        complaint_id=due.id if is_complaint else None,
        consultation_id=None if is_complaint else due.id,
        record_class=RetentionClass(due.record_class.value),
        period_days=due.period_days,
        closed_on=due.closed_on,
        due_on=due.due_on,
        carry_out_on=today + timedelta(days=settings.retention_restore_window_days),
    )
    db.add(schedule)
    await db.flush()
    await audit.record(db, JOB, "retention.schedule", due.record_type.value, due.id)
    return True


async def carry_out(
    db: AsyncSession,
    schedule_id: uuid.UUID,
    today: date,
    *,
    via: CarriedOutVia,
    by: uuid.UUID | None = None,
) -> bool:
    """Destroy one record whose scheduled destruction is due (False: undone, held, done
    meanwhile, or not yet due). The schedule row is locked first (PostgreSQL), so a second
    run waits here and then finds it done."""
    schedule = await db.scalar(
        select(ScheduledDestruction)
        .where(ScheduledDestruction.id == schedule_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if (
        schedule is None
        or schedule.undone_at is not None
        or schedule.done_at is not None
        or schedule.carry_out_on > today
    ):
        return False
    item = _pending(schedule, None)
    if await _held(db, item.record_type, item.record_id):
        return False
    reference = None
    complaint = None
    if item.record_type is RecordType.complaint:
        complaint = await db.scalar(
            select(Complaint).where(Complaint.id == item.record_id).with_for_update()
        )
        if complaint is None or complaint.destroyed_at is not None:
            return False
        reference = complaint.reference
    elif await db.get(Consultation, item.record_id) is None:
        return False
    owners = [item.record_id]
    if complaint is not None and complaint.consultation_id is not None:
        owners.append(complaint.consultation_id)
    now = utcnow()
    schedule.done_at = now
    db.add(
        DestructionRecord(
            data_keys=[str(owner) for owner in owners],
            record_class=schedule.record_class,
            record_id=item.record_id,
            reference=reference,
            period_days=schedule.period_days,
            closed_on=schedule.closed_on,
            due_on=schedule.due_on,
            scheduled_at=schedule.scheduled_at,
            carried_out_at=now,
            carried_out_via=via,
            carried_out_by=by,
        )
    )
    await db.flush()  # the register's unique record id: a second destruction stops here
    if complaint is not None:
        await destroy.complaint(db, complaint)
        await deadlines.satisfy(db, complaint.id, DeadlineKind.records_destruction, today)
    else:
        db.expunge(schedule)  # deleted with the consultation, by cascade
        await destroy.consultation(db, item.record_id)
    await audit.record(db, JOB, "retention.destroy", item.record_type.value, item.record_id)
    return True


async def destroy_keys(factory: async_sessionmaker[AsyncSession]) -> int:
    """Delete from the key store the data keys of every destruction that has committed
    and not yet had its keys destroyed; one register entry at a time. Returns how many
    keys were deleted."""
    deleted = 0
    async with factory() as db:
        waiting = list(
            await db.scalars(
                select(DestructionRecord.id)
                .where(DestructionRecord.keys_destroyed_at.is_(None))
                .order_by(DestructionRecord.carried_out_at, DestructionRecord.id)
            )
        )
    for entry_id in waiting:
        async with factory() as db:
            entry = await db.get(DestructionRecord, entry_id)
            if entry is None or entry.keys_destroyed_at is not None:
                continue
            for owner in entry.data_keys:
                deleted += await datakeys.destroy(db, uuid.UUID(owner))
            entry.keys_destroyed_at = utcnow()
            await db.commit()
    return deleted


@asynccontextmanager
async def _one_at_a_time(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[bool]:
    """PostgreSQL: a session advisory try-lock held on its own connection for the run."""
    async with factory() as lock_db:
        if lock_db.get_bind().dialect.name != "postgresql":
            yield True
            return
        got = bool(await lock_db.scalar(select(func.pg_try_advisory_lock(RETENTION_LOCK))))
        try:
            yield got
        finally:
            if got:
                await lock_db.scalar(select(func.pg_advisory_unlock(RETENTION_LOCK)))
            await lock_db.rollback()


async def run(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    today: date,
    *,
    via: CarriedOutVia,
    progress: Callable[[int], object] | None = None,
    planned: Callable[[int], object] | None = None,
) -> Report:
    """Schedule what fell due, then carry out what is past its restore window; each
    record is committed on its own."""
    report = Report()
    async with _one_at_a_time(factory) as got:
        if not got:
            report.skipped = True
            return report
        report.keys_destroyed += await destroy_keys(factory)  # those a crash left
        async with factory() as db:
            await announce(db, settings, today)
            await db.commit()
        async with factory() as db:
            work = await plan(db, settings, today)
        if planned is not None:
            planned(len(work.to_schedule) + len(work.to_destroy))
        for due in work.to_schedule:
            async with factory() as db:
                if await schedule_one(db, settings, due, today):
                    report.scheduled.append(due)
                await db.commit()
            if progress is not None:
                progress(1)
        for item in work.to_destroy:
            async with factory() as db:
                if await carry_out(db, item.schedule_id, today, via=via):
                    report.destroyed.append(item)
                await db.commit()
            if progress is not None:
                progress(1)
        if report.destroyed:
            report.keys_destroyed += await destroy_keys(factory)
    return report
