"""Complaint Review Committee schemas, one per role (4.3.1(v)).

The intake ombudsperson sees every ombudsperson and every reason; table officers see the
panel they strike and nothing of who was excluded or why; case workers on the complaint
see the confirmed panel."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import CommitteeStatus, ExclusionReason, StaffResourceKind

# --- the intake ombudsperson ---------------------------------------------------------


class OmbudspersonEligibility(OutputSchema):
    user_id: uuid.UUID
    display_name: str
    eligible: bool
    reasons: list[ExclusionReason]  # every reason that applies; empty when eligible


class StaffResourceOut(OutputSchema):
    user_id: uuid.UUID
    display_name: str
    kind: StaffResourceKind


class EligibilityTable(OutputSchema):
    """Who may sit on the CRC and why each other ombudsperson may not (4.3.1(v))."""

    complaint_id: uuid.UUID
    seats: int
    eligible_count: int
    ombudspersons: list[OmbudspersonEligibility]
    staff_resources: list[StaffResourceOut]  # the eligible ones


# --- table officers ------------------------------------------------------------------


class ProposalIn(InputSchema):
    """Optionally choose the staff resource; otherwise one is drawn."""

    staff_resource_id: uuid.UUID | None = None


class ConfirmIn(InputSchema):
    proposal_version: int = Field(ge=1, description="`version` of the proposal as last read")
    occurred_on: date | None = Field(
        default=None, description="The day the CRC was struck; defaults to today (Winnipeg)"
    )


class PanelSeat(OutputSchema):
    seat: int
    user_id: uuid.UUID
    display_name: str


class ProposalSeat(OutputSchema):
    """A seat as the table officers see it: who holds it and, while the panel is only
    proposed, whether they can still sit, never why not (4.3.1(v))."""

    seat: int
    user_id: uuid.UUID
    display_name: str
    available: bool | None = Field(
        description='Proposed panel: false when the member can no longer sit ("not '
        'available", no reason given); null once the panel is struck'
    )
    can_redraw: bool = Field(
        description="The seat may be redrawn now: its member can no longer sit, or a "
        "discretionary redraw is left"
    )


class PanelStaffResource(OutputSchema):
    user_id: uuid.UUID
    display_name: str


class StaffResourceForOfficer(OutputSchema):
    """A staff resource the officers may put on the panel: union staff, not a party."""

    user_id: uuid.UUID
    kind: StaffResourceKind
    display_name: str


class CommitteeProposalForOfficer(OutputSchema):
    """What a table officer needs to strike the panel and tell its members; never who
    was excluded, why, or how large the pool was."""

    reference: str
    status: CommitteeStatus
    version: int
    seats: list[ProposalSeat]
    staff_resource: PanelStaffResource | None
    struck_on: date | None
    discretionary_redraws_left: int = Field(
        description="Redraws left of seats whose member can still sit (per complaint); a "
        "seat whose member can no longer sit may always be redrawn"
    )


# --- case workers on the complaint ---------------------------------------------------


class CommitteeForCaseWorker(OutputSchema):
    complaint_id: uuid.UUID
    struck_on: date | None  # the day it was struck
    struck_recorded_at: datetime | None  # when that was recorded
    members: list[PanelSeat]
    staff_resource: StaffResourceOut | None


# --- an ombudsperson drawn on a proposed panel ---------------------------------------


class ProposedPanelForMember(OutputSchema):
    """A proposed panel the caller is drawn on: what table officers may know of the
    complaint (its reference), nothing that identifies anyone (4.3.1(iv), 5.1)."""

    complaint_id: uuid.UUID
    reference: str
    proposed_at: datetime
    etag: str = Field(description="Send as If-Match when declaring a conflict")
    conflict_declared: bool
