"""Schemas for the formal route, the letter, the response and the officers' notice
(4.3 to 4.3.1(iii)), for case workers only: table officers get views of their own."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import DeadlineStatus, FormalRoute, Stage


class RouteIn(InputSchema):
    route: FormalRoute  # 4.3.1
    chosen_on: date | None = Field(default=None, description="Defaults to today (Winnipeg)")


class LetterIn(InputSchema):
    """The draft as a whole: a field left out (or null) is not yet written."""

    what_took_place: str | None = Field(default=None, min_length=1, max_length=50_000)
    when_it_took_place: str | None = Field(default=None, min_length=1, max_length=2000)
    occurred_at: datetime | None = Field(
        default=None, description="Date and time; without an offset it is Winnipeg time"
    )
    witnesses: str | None = Field(
        default=None, min_length=1, max_length=5000, description="Names, or that there were none"
    )
    resolution_sought: str | None = Field(default=None, min_length=1, max_length=20_000)
    signed_on: date | None = None


class LetterOut(OutputSchema):
    complaint_id: uuid.UUID
    what_took_place: str | None
    when_it_took_place: str | None
    occurred_at: datetime | None
    witnesses: str | None
    resolution_sought: str | None
    signed_on: date | None
    complete: bool
    missing: list[str]
    updated_at: datetime | None


class AttachmentPurpose(StrEnum):
    signed_letter = "signed_letter"  # 4.3.1(i): the signed document itself
    document = "document"


class AttachmentOut(OutputSchema):
    id: uuid.UUID
    complaint_id: uuid.UUID
    purpose: AttachmentPurpose
    filename: str
    media_type: str
    size: int
    sha256: str
    uploaded_by: uuid.UUID
    uploaded_at: datetime


class OtherPartyReviewIn(InputSchema):
    reviewed_on: date  # 4.3.1(ii): the day the other party was asked to answer in writing


class ResponseIn(InputSchema):
    received_on: date
    text: str = Field(min_length=1, max_length=100_000)


class ResponseFlag(StrEnum):
    awaiting = "awaiting"
    received_on_time = "received_on_time"
    received_late = "received_late"
    missing = "missing"  # no response, and the due date has passed


class ResponseStatusOut(OutputSchema):
    """4.3.1(ii) at a glance; `flag` is null until the review with the other party."""

    reviewed_on: date | None
    deadline_id: uuid.UUID | None
    due_on: date | None
    nominal_due_on: date | None
    moved_by: str | None
    explanation: str | None
    received_on: date | None
    flag: ResponseFlag | None


class TableOfficerNoticeIn(InputSchema):
    occurred_on: date | None = Field(
        default=None, description="The day the officers were told; defaults to today (Winnipeg)"
    )


class TableOfficerNoticeOut(OutputSchema):
    """4.3.1(iii): the notice is a change of state carrying the reference only."""

    reference: str
    stage: Stage
    notified_on: date  # the day the officers were told
    recorded_at: datetime  # when that was recorded
    due_on: date | None
    deadline_status: DeadlineStatus | None
    overdue: bool
