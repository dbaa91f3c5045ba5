"""Legal holds, undoing scheduled destructions, and what the handling ombudsperson and
administrators read of records' retention (5.1). Services flush, never commit."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import access as complaints_access
from ombuds.consultations import access as consultations_access
from ombuds.kit.clock import utcnow
from ombuds.kit.errors import Conflict, Forbidden, NotFound
from ombuds.kit.pagination import cursor_uuid, decode_cursor, invalid_cursor
from ombuds.models import (
    Complaint,
    Consultation,
    DestructionRecord,
    LegalHold,
    ScheduledDestruction,
)
from ombuds.retention import job
from ombuds.retention.classes import RecordClass, class_of
from ombuds.retention.schedule import RecordType, due_by, period_days
from ombuds.retention.schemas import (
    DestructionEntry,
    HoldForAdministrator,
    HoldOut,
    RecordRetention,
    ScheduledForAdministrator,
    ScheduledOut,
    UpcomingDestruction,
)
from ombuds.settings import Settings


class AlreadyHeld(Conflict):
    slug, title = "already-held", "Already held"


class NotHeld(Conflict):
    slug, title = "not-held", "Not held"


class NotScheduled(Conflict):
    slug, title = "not-scheduled", "No destruction scheduled"


class AlreadyDestroyed(Conflict):
    slug, title = "already-destroyed", "Record destroyed"


Record = tuple[RecordType, uuid.UUID]


async def live_hold(db: AsyncSession, record: Record) -> LegalHold | None:
    kind, record_id = record
    column = LegalHold.complaint_id if kind is RecordType.complaint else LegalHold.consultation_id
    return await db.scalar(
        select(LegalHold).where(column == record_id, LegalHold.lifted_at.is_(None))
    )


async def pending_schedule(db: AsyncSession, record: Record) -> ScheduledDestruction | None:
    kind, record_id = record
    column = (
        ScheduledDestruction.complaint_id
        if kind is RecordType.complaint
        else ScheduledDestruction.consultation_id
    )
    return await db.scalar(
        select(ScheduledDestruction).where(
            column == record_id,
            ScheduledDestruction.undone_at.is_(None),
            ScheduledDestruction.done_at.is_(None),
        )
    )


# Finding the record: readers, the consultation's holder, administrators.


async def readable_complaint(db: AsyncSession, actor: Principal, complaint_id: uuid.UUID) -> Record:
    complaint = await complaints_access.readable(db, actor, complaint_id)
    return RecordType.complaint, complaint.id


async def handled_complaint(db: AsyncSession, actor: Principal, complaint_id: uuid.UUID) -> Record:
    """4.2.1, 4.3: whoever may act on the complaint places its holds (else 403)."""
    complaint = await complaints_access.readable(db, actor, complaint_id)
    if not await complaints_access.handles(db, actor, complaint):
        raise Forbidden(complaints_access.NOT_HANDLING)
    if complaint.destroyed_at is not None:
        raise AlreadyDestroyed("The complaint's record was already destroyed.")
    return RecordType.complaint, complaint.id


async def own_consultation(
    db: AsyncSession, actor: Principal, consultation_id: uuid.UUID
) -> Record:
    consultation = await consultations_access.own(db, actor, consultation_id)
    return RecordType.consultation, consultation.id


async def any_record(db: AsyncSession, kind: RecordType, record_id: uuid.UUID) -> Record:
    """For administrators, who act on a record by its id without reading it."""
    model = Complaint if kind is RecordType.complaint else Consultation
    found = await db.scalar(select(model.id).where(model.id == record_id))
    if found is None:
        raise NotFound(f"No such {kind.value}.")
    return kind, found


# Holds and restores.


async def place_hold(db: AsyncSession, actor: Principal, record: Record, reason: str) -> LegalHold:
    """Hold the record; a scheduled destruction is undone (its restore window not over)."""
    kind, record_id = record
    if await live_hold(db, record) is not None:
        raise AlreadyHeld("The record is already held; an administrator lifts a hold.")
    assert actor.id is not None  # a user's route
    hold = LegalHold(
        complaint_id=record_id if kind is RecordType.complaint else None,
        consultation_id=record_id if kind is RecordType.consultation else None,
        reason=reason,
        placed_by=actor.id,
        placed_at=utcnow(),
    )
    db.add(hold)
    try:
        await db.flush()
    except IntegrityError as exc:  # another hold placed at the same moment
        raise AlreadyHeld("The record is already held; an administrator lifts a hold.") from exc
    schedule = await pending_schedule(db, record)
    if schedule is not None:
        schedule.undone_at, schedule.undone_by = utcnow(), actor.id
        await db.flush()
    if kind is RecordType.complaint:
        await job.cancel_announcement(db, record_id)
    await audit.record(db, actor, "retention.hold", kind.value, record_id)
    return hold


async def lift_hold(db: AsyncSession, actor: Principal, record: Record, reason: str) -> LegalHold:
    kind, record_id = record
    hold = await live_hold(db, record)
    if hold is None:
        raise NotHeld("The record is not held.")
    hold.lifted_at, hold.lifted_by, hold.lift_reason = utcnow(), actor.id, reason
    await db.flush()
    await audit.record(db, actor, "retention.lift-hold", kind.value, record_id)
    return hold


async def restore(db: AsyncSession, actor: Principal, record: Record, reason: str) -> LegalHold:
    """An administrator undoes a scheduled destruction before it is carried out: the
    record is held (with the reason) until an administrator lifts the hold."""
    kind, record_id = record
    if await pending_schedule(db, record) is None:
        raise NotScheduled("No destruction of this record is waiting to be carried out.")
    hold = await place_hold(db, actor, record, reason)
    await audit.record(db, actor, "retention.restore", kind.value, record_id)
    return hold


# Reads.


async def retention_of(
    db: AsyncSession, actor: Principal, settings: Settings, record: Record
) -> RecordRetention:
    kind, record_id = record
    reference: str | None = None
    record_class: RecordClass | None = None
    closed_on: date | None = None
    destroyed_at: datetime | None = None
    if kind is RecordType.complaint:
        row = (
            await db.execute(
                select(
                    Complaint.reference,
                    Complaint.closure,
                    Complaint.closed_on,
                    Complaint.destroyed_at,
                    Complaint.consultation_id,
                ).where(Complaint.id == record_id)
            )
        ).one()
        reference, closed_on, destroyed_at = row.reference, row.closed_on, row.destroyed_at
        record_class = class_of(row.closure) if row.closure is not None else None
        if record_class is None:
            closed_on = None
    else:
        held_on = await db.scalar(select(Consultation.held_on).where(Consultation.id == record_id))
        became = await db.scalar(select(Complaint.id).where(Complaint.consultation_id == record_id))
        if became is None:  # else it goes with the complaint it became
            record_class, closed_on = RecordClass.consultation, held_on
    period = period_days(settings, record_class) if record_class is not None else None
    if destroyed_at is not None:
        applied = await db.scalar(
            select(DestructionRecord.period_days).where(DestructionRecord.record_id == record_id)
        )
        period = applied if applied is not None else period
    hold = await live_hold(db, record)
    schedule = await pending_schedule(db, record)
    await audit.record(db, actor, "retention.read", kind.value, record_id)
    return RecordRetention(
        record_type=kind,
        id=record_id,
        reference=reference,
        record_class=record_class,
        period_days=period,
        closed_on=closed_on,
        due_on=closed_on + timedelta(days=period)
        if closed_on is not None and period is not None
        else None,
        hold=HoldOut.model_validate(hold) if hold is not None else None,
        scheduled=ScheduledOut.model_validate(schedule) if schedule is not None else None,
        destroyed_at=destroyed_at,
    )


async def upcoming(
    db: AsyncSession, actor: Principal, settings: Settings, today: date
) -> list[UpcomingDestruction]:
    """The caller's own records falling due within the warning horizon, or already due
    and not yet destroyed, in due order."""
    assert actor.id is not None
    found = await due_by(
        db, settings, today + timedelta(days=settings.retention_warning_days), handled_by=actor.id
    )
    ids = [d.id for d in found]
    held = {
        h.complaint_id or h.consultation_id
        for h in await db.scalars(
            select(LegalHold).where(
                LegalHold.lifted_at.is_(None),
                or_(LegalHold.complaint_id.in_(ids), LegalHold.consultation_id.in_(ids)),
            )
        )
    }
    scheduled = {
        s.complaint_id or s.consultation_id: s.carry_out_on
        for s in await db.scalars(
            select(ScheduledDestruction).where(
                ScheduledDestruction.undone_at.is_(None),
                ScheduledDestruction.done_at.is_(None),
                or_(
                    ScheduledDestruction.complaint_id.in_(ids),
                    ScheduledDestruction.consultation_id.in_(ids),
                ),
            )
        )
    }
    await audit.record(db, actor, "retention.upcoming", "retention", None)
    return [
        UpcomingDestruction(
            record_type=d.record_type,
            id=d.id,
            reference=d.reference,
            record_class=d.record_class,
            closed_on=d.closed_on,
            due_on=d.due_on,
            held=d.id in held,
            carry_out_on=scheduled.get(d.id),
        )
        for d in found
    ]


def _record_of(row: LegalHold | ScheduledDestruction) -> tuple[RecordType, uuid.UUID]:
    if row.complaint_id is not None:
        return RecordType.complaint, row.complaint_id
    assert row.consultation_id is not None
    return RecordType.consultation, row.consultation_id


def hold_for_administrator(hold: LegalHold, reference: str | None) -> HoldForAdministrator:
    kind, record_id = _record_of(hold)
    return HoldForAdministrator(
        id=hold.id,
        record_type=kind,
        record_id=record_id,
        reference=reference,
        placed_by=hold.placed_by,
        placed_at=hold.placed_at,
        lifted_at=hold.lifted_at,
    )


async def reference_of(db: AsyncSession, record: Record) -> str | None:
    kind, record_id = record
    if kind is not RecordType.complaint:
        return None
    return await db.scalar(select(Complaint.reference).where(Complaint.id == record_id))


async def live_holds(db: AsyncSession, actor: Principal) -> list[HoldForAdministrator]:
    rows = await db.execute(
        select(LegalHold, Complaint.reference)
        .outerjoin(Complaint, Complaint.id == LegalHold.complaint_id)
        .where(LegalHold.lifted_at.is_(None))
        .order_by(LegalHold.placed_at, LegalHold.id)
    )
    await audit.record(db, actor, "retention.list-holds", "retention", None)
    return [hold_for_administrator(hold, reference) for hold, reference in rows]


async def scheduled(db: AsyncSession, actor: Principal) -> list[ScheduledForAdministrator]:
    rows = await db.execute(
        select(ScheduledDestruction, Complaint.reference)
        .outerjoin(Complaint, Complaint.id == ScheduledDestruction.complaint_id)
        .where(ScheduledDestruction.undone_at.is_(None), ScheduledDestruction.done_at.is_(None))
        .order_by(ScheduledDestruction.carry_out_on, ScheduledDestruction.id)
    )
    await audit.record(db, actor, "retention.list-scheduled", "retention", None)
    out = []
    for s, reference in rows:
        kind, record_id = _record_of(s)
        out.append(
            ScheduledForAdministrator(
                id=s.id,
                record_type=kind,
                record_id=record_id,
                reference=reference,
                record_class=RecordClass(s.record_class.value),
                due_on=s.due_on,
                scheduled_at=s.scheduled_at,
                carry_out_on=s.carry_out_on,
            )
        )
    return out


def _register_cursor(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    try:
        at = datetime.fromisoformat(key[0])
    except ValueError as exc:
        raise invalid_cursor() from exc
    return at, cursor_uuid(key[1])


async def register(
    db: AsyncSession, actor: Principal, *, cursor: str | None, limit: int
) -> list[DestructionEntry]:
    """The destruction register, newest first."""
    stmt = (
        select(DestructionRecord)
        .order_by(DestructionRecord.carried_out_at.desc(), DestructionRecord.id.desc())
        .limit(limit)
    )
    key = _register_cursor(cursor)
    if key is not None:
        at, before = key
        stmt = stmt.where(
            or_(
                DestructionRecord.carried_out_at < at,
                and_(DestructionRecord.carried_out_at == at, DestructionRecord.id < before),
            )
        )
    rows = list(await db.scalars(stmt))
    await audit.record(db, actor, "retention.register", "retention", None)
    return [DestructionEntry.model_validate(r) for r in rows]
