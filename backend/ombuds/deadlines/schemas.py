from __future__ import annotations

import uuid
from datetime import date, datetime

from ombuds.kit.schemas import OutputSchema
from ombuds.models import DeadlineKind, DeadlineStatus


class DeadlineRule(OutputSchema):
    """How the due date was computed: dates and rule or holiday names only."""

    basis: str
    trigger_on: date
    period_days: int | None
    period_months: int | None
    nominal_due_on: date
    moved_by: list[str]  # the weekend days or holidays the due date was moved off
    explanation: str


class DeadlineOut(OutputSchema):
    """One deadline for a calendar or an integration: no name, no circumstance (5.1).
    ``id`` is also the iCalendar UID; ``tombstone`` marks one no longer owed."""

    id: uuid.UUID
    kind: DeadlineKind
    summary: str
    reference: str | None  # the complaint's opaque reference; None for policy reviews
    due_on: date
    status: DeadlineStatus
    tombstone: bool
    satisfied_on: date | None
    sequence: int
    updated_at: datetime
    rule: DeadlineRule
