"""Records' retention (5.1): schedules, legal holds, undoing a scheduled destruction, and
the destruction register. See docs/retention.md."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from ombuds.kit.clock import local_today
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.pagination import Cursor, PageSize, encode_cursor
from ombuds.kit.schemas import Page
from ombuds.retention import service
from ombuds.retention.access import ConsultationHolder, RecordReader, RetentionKeeper
from ombuds.retention.schedule import RecordType
from ombuds.retention.schemas import (
    DestructionEntry,
    HoldForAdministrator,
    HoldIn,
    HoldOut,
    LiftIn,
    RecordRetention,
    RestoreIn,
    ScheduledForAdministrator,
    UpcomingDestruction,
)

router = APIRouter(prefix="/api/retention", tags=["retention"])

HOLD_CONFLICT: dict[int | str, dict[str, str]] = {
    409: {"description": "already-held, or already-destroyed (the problem says which)"}
}
NOT_HELD: dict[int | str, dict[str, str]] = {409: {"description": "not-held: nothing to lift"}}
NOT_SCHEDULED: dict[int | str, dict[str, str]] = {
    409: {"description": "not-scheduled: no destruction waits to be carried out"}
}

COMPLAINT = "/complaints/{complaint_id}"
CONSULTATION = "/consultations/{consultation_id}"


@router.get("/upcoming", response_model=list[UpcomingDestruction], name="upcoming")
async def upcoming(
    db: DbSession, actor: ConsultationHolder, settings: AppSettings
) -> list[UpcomingDestruction]:
    """Your own records due for destruction within the warning horizon, or overdue."""
    return await service.upcoming(db, actor, settings, local_today())


@router.get(COMPLAINT, response_model=RecordRetention, name="get-complaint")
async def get_complaint(
    db: DbSession, actor: RecordReader, settings: AppSettings, complaint_id: uuid.UUID
) -> RecordRetention:
    """A complaint's retention (class, due date, hold, schedule) or tombstone."""
    record = await service.readable_complaint(db, actor, complaint_id)
    return await service.retention_of(db, actor, settings, record)


@router.post(
    COMPLAINT + "/hold",
    response_model=HoldOut,
    status_code=status.HTTP_201_CREATED,
    name="hold-complaint",
    responses=HOLD_CONFLICT,
)
async def hold_complaint(
    db: DbSession, actor: RecordReader, complaint_id: uuid.UUID, body: HoldIn
) -> HoldOut:
    """Place a legal hold (handling ombudsperson); undoes a scheduled destruction."""
    record = await service.handled_complaint(db, actor, complaint_id)
    return HoldOut.model_validate(await service.place_hold(db, actor, record, body.reason))


@router.post(
    COMPLAINT + "/hold/lift",
    response_model=HoldForAdministrator,
    name="lift-complaint-hold",
    responses=NOT_HELD,
)
async def lift_complaint_hold(
    db: DbSession, actor: RetentionKeeper, complaint_id: uuid.UUID, body: LiftIn
) -> HoldForAdministrator:
    """Lift a complaint's legal hold (administrators, with a reason)."""
    record = await service.any_record(db, RecordType.complaint, complaint_id)
    hold = await service.lift_hold(db, actor, record, body.reason)
    return service.hold_for_administrator(hold, await service.reference_of(db, record))


@router.post(
    COMPLAINT + "/restore",
    response_model=HoldForAdministrator,
    name="restore-complaint",
    responses=NOT_SCHEDULED,
)
async def restore_complaint(
    db: DbSession, actor: RetentionKeeper, complaint_id: uuid.UUID, body: RestoreIn
) -> HoldForAdministrator:
    """Undo a complaint's scheduled destruction (administrators): it is held."""
    record = await service.any_record(db, RecordType.complaint, complaint_id)
    hold = await service.restore(db, actor, record, body.reason)
    return service.hold_for_administrator(hold, await service.reference_of(db, record))


@router.get(CONSULTATION, response_model=RecordRetention, name="get-consultation")
async def get_consultation(
    db: DbSession, actor: ConsultationHolder, settings: AppSettings, consultation_id: uuid.UUID
) -> RecordRetention:
    """A consultation's retention (its holder's alone; none once it is a complaint)."""
    record = await service.own_consultation(db, actor, consultation_id)
    return await service.retention_of(db, actor, settings, record)


@router.post(
    CONSULTATION + "/hold",
    response_model=HoldOut,
    status_code=status.HTTP_201_CREATED,
    name="hold-consultation",
    responses=HOLD_CONFLICT,
)
async def hold_consultation(
    db: DbSession, actor: ConsultationHolder, consultation_id: uuid.UUID, body: HoldIn
) -> HoldOut:
    """Place a legal hold on a consultation (the ombudsperson who held it)."""
    record = await service.own_consultation(db, actor, consultation_id)
    return HoldOut.model_validate(await service.place_hold(db, actor, record, body.reason))


@router.post(
    CONSULTATION + "/hold/lift",
    response_model=HoldForAdministrator,
    name="lift-consultation-hold",
    responses=NOT_HELD,
)
async def lift_consultation_hold(
    db: DbSession, actor: RetentionKeeper, consultation_id: uuid.UUID, body: LiftIn
) -> HoldForAdministrator:
    """Lift a consultation's legal hold (administrators, with a reason)."""
    record = await service.any_record(db, RecordType.consultation, consultation_id)
    hold = await service.lift_hold(db, actor, record, body.reason)
    return service.hold_for_administrator(hold, None)


@router.post(
    CONSULTATION + "/restore",
    response_model=HoldForAdministrator,
    name="restore-consultation",
    responses=NOT_SCHEDULED,
)
async def restore_consultation(
    db: DbSession, actor: RetentionKeeper, consultation_id: uuid.UUID, body: RestoreIn
) -> HoldForAdministrator:
    """Undo a consultation's scheduled destruction (administrators): it is held."""
    record = await service.any_record(db, RecordType.consultation, consultation_id)
    hold = await service.restore(db, actor, record, body.reason)
    return service.hold_for_administrator(hold, None)


@router.get("/holds", response_model=list[HoldForAdministrator], name="list-holds")
async def list_holds(db: DbSession, actor: RetentionKeeper) -> list[HoldForAdministrator]:
    """Every live legal hold, oldest first: the record and since when, not the reason."""
    return await service.live_holds(db, actor)


@router.get("/scheduled", response_model=list[ScheduledForAdministrator], name="list-scheduled")
async def list_scheduled(db: DbSession, actor: RetentionKeeper) -> list[ScheduledForAdministrator]:
    """Destructions scheduled and not yet carried out, soonest first (restorable)."""
    return await service.scheduled(db, actor)


@router.get("/register", response_model=Page[DestructionEntry], name="register")
async def register(
    db: DbSession, actor: RetentionKeeper, cursor: Cursor = None, limit: PageSize = 50
) -> Page[DestructionEntry]:
    """The destruction register (5.1), newest first: class, reference, rule, dates; no content."""
    items = await service.register(db, actor, cursor=cursor, limit=limit)
    last = items[-1] if len(items) == limit else None
    nxt = encode_cursor(last.carried_out_at.isoformat(), last.id) if last else None
    return Page(items=items, next_cursor=nxt)
