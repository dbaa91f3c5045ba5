"""The policy reviews held (6): one view, the Executive's."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import DeadlineStatus


class PolicyReviewIn(InputSchema):
    held_on: date = Field(description="Not in the future, not before the implementation")
    note: str = Field(min_length=1, max_length=4000, description="Kept encrypted at rest")


class PolicyReviewOut(OutputSchema):
    id: uuid.UUID
    held_on: date
    note: str
    recorded_at: datetime
    deadline_due_on: date | None = Field(description="The review deadline it closed, if any")
    deadline_status: DeadlineStatus | None = Field(description="`met` or `met_late`")
    # 6: the review's statistics, one click away: GET /api/statistics?from=...&to=...
    report_from: date = Field(
        description="The period this review looked back on: the day after the previous "
        "review held (or the policy's implementation) ..."
    )
    report_to: date = Field(description="... to this review (pass both to /api/statistics)")
