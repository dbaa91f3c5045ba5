from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import CarriedOutVia
from ombuds.retention.classes import RecordClass
from ombuds.retention.schedule import RecordType

Reason = Field(min_length=1, max_length=2000, description="Why (free text, kept encrypted)")


class HoldIn(InputSchema):
    """A legal hold: the record is not destroyed while it stands."""

    reason: str = Reason


class LiftIn(InputSchema):
    reason: str = Reason


class RestoreIn(InputSchema):
    """Undo a scheduled destruction within its restore window: the record is held."""

    reason: str = Reason


class HoldOut(OutputSchema):
    """A live legal hold, as the record's readers see it (its reason included)."""

    id: uuid.UUID
    reason: str | None
    placed_by: uuid.UUID
    placed_at: datetime


class ScheduledOut(OutputSchema):
    """A scheduled destruction: carried out on `carry_out_on` unless a hold undoes it."""

    scheduled_at: datetime
    carry_out_on: date


class RecordRetention(OutputSchema):
    """Where a record stands on its retention schedule (also once destroyed: the
    tombstone). `record_class`, `period_days` and `due_on` are null while a complaint is
    open; `period_days` of a destroyed record is the rule that was applied."""

    record_type: RecordType
    id: uuid.UUID
    reference: str | None
    record_class: RecordClass | None
    period_days: int | None
    closed_on: date | None
    due_on: date | None
    hold: HoldOut | None
    scheduled: ScheduledOut | None
    destroyed_at: datetime | None


class UpcomingDestruction(OutputSchema):
    """One of the caller's records whose destruction falls due within the warning horizon
    (or already fell due): `held` records are not destroyed; `carry_out_on` is set once the
    destruction is scheduled."""

    record_type: RecordType
    id: uuid.UUID
    reference: str | None
    record_class: RecordClass
    closed_on: date
    due_on: date
    held: bool
    carry_out_on: date | None


class HoldForAdministrator(OutputSchema):
    """A legal hold as an administrator sees it: which record and since when, never the
    reason (free text about the record, for those in the roles only)."""

    id: uuid.UUID
    record_type: RecordType
    record_id: uuid.UUID
    reference: str | None
    placed_by: uuid.UUID
    placed_at: datetime
    lifted_at: datetime | None


class ScheduledForAdministrator(OutputSchema):
    id: uuid.UUID
    record_type: RecordType
    record_id: uuid.UUID
    reference: str | None
    record_class: RecordClass
    due_on: date
    scheduled_at: datetime
    carry_out_on: date


class DestructionEntry(OutputSchema):
    """One destruction carried out (5.1): the record's class, reference (a consultation
    has none: its id stands for it), the rule applied (class and period counted from
    closure), the dates, and who ran it (the scheduled job or the command line). No
    content."""

    id: uuid.UUID
    record_class: RecordClass
    record_id: uuid.UUID
    reference: str | None
    period_days: int
    closed_on: date
    due_on: date
    scheduled_at: datetime
    carried_out_at: datetime
    carried_out_via: CarriedOutVia
    carried_out_by: uuid.UUID | None
    keys_destroyed_at: datetime | None = Field(
        description="When the record's data keys were destroyed, after its content: from "
        "then on no copy (a backup included) can be decrypted. Null for a moment after the "
        "destruction, until the job's next step."
    )
