"""When a record falls due for destruction: its class's period (a setting) counted from
its closure. A consultation closes the day it is held, unless it became a complaint: then
it is part of that complaint's record and goes with it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import (
    Closure,
    Complaint,
    Consultation,
    LegalHold,
    ScheduledDestruction,
)
from ombuds.retention.classes import RecordClass, class_of
from ombuds.settings import Settings


class RecordType(StrEnum):
    complaint = "complaint"
    consultation = "consultation"


def period_days(settings: Settings, record_class: RecordClass) -> int:
    return settings.retention_days[record_class.value]


def due_on(settings: Settings, record_class: RecordClass, closed_on: date) -> date:
    return closed_on + timedelta(days=period_days(settings, record_class))


@dataclass(frozen=True)
class Due:
    """A record whose destruction falls due on `due_on` (closure + its class's period)."""

    record_type: RecordType
    id: uuid.UUID
    reference: str | None
    record_class: RecordClass
    closed_on: date
    due_on: date
    period_days: int
    handled_by: uuid.UUID


def complaint_held() -> ColumnElement[bool]:
    return exists().where(LegalHold.complaint_id == Complaint.id, LegalHold.lifted_at.is_(None))


def consultation_held() -> ColumnElement[bool]:
    return exists().where(
        LegalHold.consultation_id == Consultation.id, LegalHold.lifted_at.is_(None)
    )


def pending(*where: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists().where(
        *where, ScheduledDestruction.undone_at.is_(None), ScheduledDestruction.done_at.is_(None)
    )


def complaints_due_by(settings: Settings, by: date) -> ColumnElement[bool]:
    """Closed complaints, not yet destroyed, whose destruction falls due on or before `by`."""
    by_class = []
    for record_class in RecordClass:
        closures = [c for c in Closure if class_of(c) is record_class]
        if closures:
            cutoff = by - timedelta(days=period_days(settings, record_class))
            by_class.append(and_(Complaint.closure.in_(closures), Complaint.closed_on <= cutoff))
    return and_(Complaint.destroyed_at.is_(None), Complaint.closed_on.is_not(None), or_(*by_class))


def standalone_consultation() -> ColumnElement[bool]:
    """A consultation that did not become a complaint (4.1)."""
    return ~exists().where(Complaint.consultation_id == Consultation.id)


def consultations_due_by(settings: Settings, by: date) -> ColumnElement[bool]:
    cutoff = by - timedelta(days=period_days(settings, RecordClass.consultation))
    return and_(Consultation.held_on <= cutoff, standalone_consultation())


def _complaint_due(settings: Settings, row: Any) -> Due:
    assert row.closure is not None and row.closed_on is not None  # complaints_due_by's rows
    record_class = class_of(row.closure)
    return Due(
        RecordType.complaint,
        row.id,
        row.reference,
        record_class,
        row.closed_on,
        due_on(settings, record_class, row.closed_on),
        period_days(settings, record_class),
        row.intake_ombudsperson_id,
    )


def _consultation_due(settings: Settings, row: Any) -> Due:
    record_class = RecordClass.consultation
    return Due(
        RecordType.consultation,
        row.id,
        None,
        record_class,
        row.held_on,
        due_on(settings, record_class, row.held_on),
        period_days(settings, record_class),
        row.ombudsperson_id,
    )


async def due_by(
    db: AsyncSession,
    settings: Settings,
    by: date,
    *,
    handled_by: uuid.UUID | None = None,
    unheld_unscheduled: bool = False,
    only: tuple[RecordType, uuid.UUID] | None = None,
) -> list[Due]:
    """Every record falling due on or before `by`, in due order; `handled_by`: the
    handling ombudsperson's own; `unheld_unscheduled`: those the job schedules (not held,
    no pending destruction); `only`: that one record, if it is."""
    complaints = select(
        Complaint.id,
        Complaint.reference,
        Complaint.closure,
        Complaint.closed_on,
        Complaint.intake_ombudsperson_id,
    ).where(complaints_due_by(settings, by))
    consultations = select(
        Consultation.id, Consultation.held_on, Consultation.ombudsperson_id
    ).where(consultations_due_by(settings, by))
    if handled_by is not None:
        complaints = complaints.where(Complaint.intake_ombudsperson_id == handled_by)
        consultations = consultations.where(Consultation.ombudsperson_id == handled_by)
    if only is not None:
        kind, record_id = only
        is_complaint = kind is RecordType.complaint
        complaints = complaints.where(Complaint.id == record_id if is_complaint else false())
        consultations = consultations.where(
            false() if is_complaint else Consultation.id == record_id
        )
    if unheld_unscheduled:
        complaints = complaints.where(
            ~complaint_held(), ~pending(ScheduledDestruction.complaint_id == Complaint.id)
        )
        consultations = consultations.where(
            ~consultation_held(),
            ~pending(ScheduledDestruction.consultation_id == Consultation.id),
        )
    found = [_complaint_due(settings, c) for c in await db.execute(complaints)]
    found += [_consultation_due(settings, c) for c in await db.execute(consultations)]
    return sorted(found, key=lambda d: (d.due_on, d.record_type.value, str(d.id)))
