"""Complaint schemas for case workers (ombudspersons, CRC members, staff resources).

Table officers and integrations never get these: they have schemas of their own."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

from pydantic import Field, model_validator

from ombuds.kit.errors import RuleBroken
from ombuds.kit.schemas import InputSchema, LocalTime, OutputSchema
from ombuds.models import (
    Category,
    Closure,
    DeadlineKind,
    DeadlineStatus,
    FormalRoute,
    PartyRole,
    Redirection,
    Setting,
    Stage,
)

Text = Field(min_length=1, max_length=20_000)


class PersonIn(InputSchema):
    """A member of the directory (`member_id`) or someone outside it (`full_name`)."""

    member_id: uuid.UUID | None = None
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    contact: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def _one_identity(self) -> Self:
        if (self.member_id is None) == (self.full_name is None):
            raise RuleBroken(
                None,
                "member_or_full_name",
                "give either member_id (a member) or full_name (outside the directory)",
            )
        return self


class IncidentIn(InputSchema):
    what: str = Text
    occurred_on: date
    occurred_at: LocalTime | None = None
    location: str = Field(min_length=1, max_length=2000)
    categories: list[Category] = Field(min_length=1)  # 2.1


class ComplaintCreate(InputSchema):
    received_on: date
    setting: Setting  # 1.3
    redirected_to: Redirection | None = None
    redirected_on: date | None = Field(
        default=None, description="1.3: the day it was redirected; defaults to today (Winnipeg)"
    )
    other_routes_told_on: date | None = None  # 1.4
    complainant: PersonIn
    other_party: PersonIn
    witnesses: list[PersonIn] = Field(default_factory=list, max_length=50)
    incidents: list[IncidentIn] = Field(min_length=1, max_length=50)
    grounds: list[str] = Field(default_factory=list, max_length=20)  # 2.2
    resolution_sought: str = Text
    consultation_id: uuid.UUID | None = None  # 4.1

    @model_validator(mode="after")
    def _workplace_is_redirected(self) -> Self:
        if self.setting is Setting.workplace and self.redirected_to is None:
            raise RuleBroken(
                "redirected_to",
                "required_for_workplace",
                "workplace harassment is redirected (1.3): give redirected_to",
            )
        if self.setting is not Setting.workplace and self.redirected_to is not None:
            raise RuleBroken(
                "redirected_to",
                "only_for_workplace",
                "redirected_to is only for workplace harassment (1.3)",
            )
        if self.redirected_to is None and self.redirected_on is not None:
            raise RuleBroken(
                "redirected_on",
                "only_with_redirected_to",
                "redirected_on goes with redirected_to (1.3)",
            )
        return self


class IntakeUpdate(InputSchema):
    other_routes_told_on: date | None = None
    resolution_sought: str | None = Field(default=None, min_length=1, max_length=20_000)
    grounds: list[str] | None = Field(default=None, max_length=20)
    witnesses: list[PersonIn] | None = Field(default=None, max_length=50)
    incidents: list[IncidentIn] | None = Field(default=None, min_length=1, max_length=50)


class RedirectIn(InputSchema):
    redirected_to: Redirection
    occurred_on: date | None = Field(
        default=None, description="The day it was redirected; defaults to today (Winnipeg)"
    )


class PersonOut(OutputSchema):
    id: uuid.UUID
    role: PartyRole
    member_id: uuid.UUID | None
    full_name: str
    unit_id: uuid.UUID | None
    contact: str | None


class IncidentOut(OutputSchema):
    id: uuid.UUID
    what: str
    occurred_on: date
    occurred_at: LocalTime | None
    location: str
    categories: list[Category]


class DeadlineOut(OutputSchema):
    id: uuid.UUID
    kind: DeadlineKind
    status: DeadlineStatus
    due_on: date
    overdue: bool
    trigger_on: date
    period_days: int | None
    nominal_due_on: date
    moved_by: str | None
    explanation: str
    satisfied_on: date | None


class ComplaintDetail(OutputSchema):
    id: uuid.UUID
    reference: str
    version: int
    stage: Stage
    closure: Closure | None
    closed_on: date | None
    received_on: date
    setting: Setting
    redirected_to: Redirection | None
    redirected_on: date | None  # the day it happened; closed_on is the day it was recorded
    other_routes_told_on: date | None
    resolution_sought: str
    grounds: list[str]
    people: list[PersonOut]
    incidents: list[IncidentOut]
    formal_route: FormalRoute | None
    formal_route_chosen_on: date | None
    other_party_reviewed_on: date | None
    response_received_on: date | None
    response_text: str | None
    table_officers_notified_on: date | None
    table_officers_notice_recorded_at: datetime | None
    deadlines: list[DeadlineOut]
    allowed_actions: list[str] = Field(
        description=(
            "The steps the caller may take on this complaint now, each one its route "
            "accepts from this caller at this stage and point of the procedure "
            "(complaints/actions.py): edit_intake, redirect, record_informal_attempt "
            "(and changing one), resolve_informally, choose_formal_route, edit_letter, "
            "attach_document, complete_letter, record_other_party_review, record_response, "
            "notify_table_officers, declare_ombudsperson_conflict, record_investigation, "
            "record_findings, add_recommendation, disclose_recommendations, "
            "tell_conclusions, record_not_satisfied, record_party_notice, close, withdraw"
        )
    )
    created_at: datetime
    updated_at: datetime


class NextDeadline(OutputSchema):
    kind: DeadlineKind
    due_on: date
    overdue: bool


class ComplaintSummary(OutputSchema):
    """A dashboard row: no names, so a glance over a shoulder reveals nothing."""

    id: uuid.UUID
    reference: str
    stage: Stage
    closure: Closure | None
    received_on: date
    next_deadline: NextDeadline | None
    updated_at: datetime


class TimelineEventOut(OutputSchema):
    at: datetime
    kind: str
    stage: Stage
    actor_id: uuid.UUID | None


class GroundOut(OutputSchema):
    code: str
    label: str
    source: str
