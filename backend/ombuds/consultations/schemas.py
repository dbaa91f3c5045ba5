"""Consultation schemas (4.1): only the ombudsperson who held one ever sees it."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema


class ConsultationCreate(InputSchema):
    """The member: `member_id` (in the directory) or `full_name` (outside it), not both."""

    member_id: uuid.UUID | None = None
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    held_on: date
    notes: str = Field(min_length=1, max_length=20_000)
    other_routes_told: bool = False  # 1.4


class ConsultationOut(OutputSchema):
    id: uuid.UUID
    member_id: uuid.UUID | None
    full_name: str
    unit_id: uuid.UUID | None
    held_on: date
    notes: str
    other_routes_told: bool
    became_complaint: bool
    complaint_id: uuid.UUID | None
    created_at: datetime


class ConsultationSummary(OutputSchema):
    """A list row: no name and no notes, so a glance over a shoulder reveals nothing."""

    id: uuid.UUID
    held_on: date
    other_routes_told: bool
    became_complaint: bool
    complaint_id: uuid.UUID | None
    created_at: datetime
