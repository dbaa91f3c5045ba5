from __future__ import annotations

import uuid
from datetime import date

from pydantic import EmailStr, Field, ValidationInfo, field_validator

from ombuds.kit.errors import RuleBroken
from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import TrainingKind

MEMBER_NUMBER_PATTERN = r"^[A-Za-z0-9-]{1,32}$"


class UnitCreate(InputSchema):
    code: str = Field(pattern=r"^[A-Za-z0-9-]{1,20}$")
    name: str = Field(min_length=1, max_length=200)
    is_affiliates: bool = False


class UnitOut(OutputSchema):
    id: uuid.UUID
    code: str
    name: str
    is_affiliates: bool


class MemberCreate(InputSchema):
    member_number: str = Field(pattern=MEMBER_NUMBER_PATTERN)
    full_name: str = Field(min_length=1, max_length=200)
    unit_id: uuid.UUID
    email: EmailStr | None = None


class MemberUpdate(InputSchema):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    unit_id: uuid.UUID | None = None
    email: EmailStr | None = None


class MemberOut(OutputSchema):
    id: uuid.UUID
    member_number: str
    full_name: str
    unit_id: uuid.UUID
    email: str | None


class ImportRejection(OutputSchema):
    line: int
    field: str
    reason: str


class MemberImportReport(OutputSchema):
    rows: int
    created: int
    updated: int
    unchanged: int
    rejected: list[ImportRejection]
    dry_run: bool


class SeatTermCreate(InputSchema):
    user_id: uuid.UUID
    starts_on: date
    ends_on: date | None = None

    @field_validator("ends_on")
    @classmethod
    def _ends_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        starts_on = info.data.get("starts_on")
        if value is not None and starts_on is not None and value < starts_on:
            raise RuleBroken(None, "not_before_start", "must not be before starts_on")
        return value


class SeatTermEnd(InputSchema):
    ends_on: date


class SeatTermOut(OutputSchema):
    id: uuid.UUID
    seat_id: uuid.UUID
    user_id: uuid.UUID
    display_name: str
    starts_on: date
    ends_on: date | None


class TrainingCreate(InputSchema):
    kind: TrainingKind
    completed_on: date


class TrainingOut(OutputSchema):
    id: uuid.UUID
    kind: TrainingKind
    completed_on: date


class SeatOut(OutputSchema):
    """3.1: a seat, and who holds it today, or vacant."""

    id: uuid.UUID
    unit: UnitOut
    vacant: bool
    current_term: SeatTermOut | None
    training: list[TrainingOut]
