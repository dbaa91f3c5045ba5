"""Schemas of the investigation and after (4.3.1(vi)-(x), 5.1).

Case workers (the intake ombudsperson, the CRC and its staff resource) get the full
records; table officers get `RecommendationForOfficer` only: what to implement, never
who, where or why."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from ombuds.complaints.schemas import DeadlineOut
from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import (
    Closure,
    DisclosurePurpose,
    Finding,
    InvestigationKind,
    NoticeMethod,
    PartyRole,
    RecommendationKind,
    RecommendationStatus,
    Stage,
)

LongText = Field(min_length=1, max_length=20_000)
Reason = Field(min_length=1, max_length=2_000)


# 4.3.1(vi) ------------------------------------------------------------------------------


class InvestigationEntryIn(InputSchema):
    kind: InvestigationKind
    occurred_on: date
    notes: str = LongText


class InvestigationEntryOut(OutputSchema):
    id: uuid.UUID
    kind: InvestigationKind
    occurred_on: date
    notes: str
    recorded_by: uuid.UUID
    recorded_at: datetime


# 4.3.1(viii)-(x) -------------------------------------------------------------------------


class FindingsIn(InputSchema):
    finding: Finding
    findings_text: str = LongText
    findings_on: date


class ConclusionParty(StrEnum):
    """4.3.1(ix): the two parties told the conclusions (witnesses are not)."""

    complainant = "complainant"
    other_party = "other_party"


class ConclusionsToldIn(InputSchema):
    party: ConclusionParty
    told_on: date
    method: NoticeMethod


class NotSatisfiedIn(InputSchema):
    complainant_not_satisfied_on: date
    referred_to_charge_on: date


class ConclusionsOut(OutputSchema):
    """Where the complaint stands after the investigation (case workers only)."""

    stage: Stage
    closure: Closure | None
    closed_on: date | None
    finding: Finding | None
    findings_text: str | None
    findings_on: date | None
    crc_report: DeadlineOut | None
    recommendations: int
    undisclosed_recommendations: int
    complainant_told_conclusions_on: date | None
    other_party_told_conclusions_on: date | None
    complainant_not_satisfied_on: date | None
    referred_to_charge_on: date | None


class RecommendationIn(InputSchema):
    kind: RecommendationKind
    text: str = LongText


class RecommendationOut(OutputSchema):
    id: uuid.UUID
    kind: RecommendationKind
    text: str
    disclosure_id: uuid.UUID | None
    status: RecommendationStatus
    status_on: date | None
    status_note: str | None
    created_at: datetime


class RecommendationForOfficer(OutputSchema):
    """5.1: a recommendation disclosed to this table officer for corrective action; no
    complaint details, names or findings."""

    id: uuid.UUID
    kind: RecommendationKind
    text: str
    status: RecommendationStatus
    status_on: date | None
    status_note: str | None
    disclosed_at: datetime


class TrackedStatus(StrEnum):
    """4.3.1(viii): what the table officers did with a recommendation."""

    implemented = "implemented"
    declined = "declined"


class RecommendationStatusIn(InputSchema):
    status: TrackedStatus
    status_on: date
    status_note: str | None = Field(default=None, min_length=1, max_length=2_000)


# 5.1 -------------------------------------------------------------------------------------


class DisclosureRecommendationsIn(InputSchema):
    reason: str = Reason


class DisclosureIn(InputSchema):
    """A disclosure outside the roles: to whom, why and what (5.1)."""

    purpose: DisclosurePurpose
    reason: str = Reason
    recipient: str = Field(min_length=1, max_length=200)
    content: str = LongText


class RecipientOut(OutputSchema):
    user_id: uuid.UUID | None
    recipient: str


class DisclosureOut(OutputSchema):
    id: uuid.UUID
    purpose: DisclosurePurpose
    reason: str
    content: str
    disclosed_by: uuid.UUID
    disclosed_at: datetime
    recipients: list[RecipientOut]


# 4.3.1(vii) ------------------------------------------------------------------------------


class PartyToldIn(InputSchema):
    told_on: date
    method: NoticeMethod


class PartyNoticeWaiverIn(InputSchema):
    """Why this party will not be told of this stage (e.g. the complaint was withdrawn
    before they were ever contacted)."""

    reason: str = Reason


class PartyNoticeOut(OutputSchema):
    id: uuid.UUID
    stage: Stage
    party: PartyRole
    owed_since: datetime
    owed: bool  # neither told nor waived
    told_on: date | None
    method: NoticeMethod | None
    waived_at: datetime | None
    waived_by: uuid.UUID | None
    waiver_reason: str | None
