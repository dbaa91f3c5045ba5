"""Informal attempt schemas (4.2.1), for case workers only."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import InformalMethod, InformalOutcome

Text = Field(min_length=1, max_length=20_000)


class AttemptCreate(InputSchema):
    method: InformalMethod  # 4.2.1 (i)-(iii)
    method_description: str | None = Field(default=None, min_length=1, max_length=2000)
    held_on: date
    participant_ids: list[uuid.UUID] = Field(
        min_length=1, max_length=20, description="Every ombudsperson who took part (4.2.1)"
    )
    proposal: str = Text
    other_party_answer: str | None = Field(default=None, min_length=1, max_length=20_000)
    outcome: InformalOutcome = InformalOutcome.pending


class AttemptUpdate(InputSchema):
    """Only the fields sent change; `other_party_answer` may be cleared with null."""

    other_party_answer: str | None = Field(default=None, min_length=1, max_length=20_000)
    outcome: InformalOutcome | None = None


class ParticipantOut(OutputSchema):
    user_id: uuid.UUID
    display_name: str


class AttemptOut(OutputSchema):
    id: uuid.UUID
    complaint_id: uuid.UUID
    method: InformalMethod
    method_description: str | None
    held_on: date
    participants: list[ParticipantOut]
    proposal: str
    other_party_answer: str | None
    outcome: InformalOutcome
    created_at: datetime
    updated_at: datetime
