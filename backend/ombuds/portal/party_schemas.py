"""What each party sees in the portal: one schema per part (issue 16, item 2).

Codes, not prose: the app words them in the party's language. Nothing here names anyone:
a party knows who they are, and the portal tells them nothing of who else is in the
procedure (the other party never learns the witnesses' names; a witness learns no party's
name). Stages are coarse and the party's own: none of the table officers' or the CRC's
internals, and a party's deadlines only (the other party's written response, 4.3.1(ii))."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import Finding, NoticeMethod, RecommendationKind


class PartyStage(StrEnum):
    """Where the complaint stands, as a party may know it."""

    received = "received"  # intake, or the letter being completed (4.3.1(i))
    informal_resolution = "informal_resolution"  # 4.2.1
    being_reviewed = "being_reviewed"  # 4.3.1(ii)-(iii): reviewed with the other party
    committee_looking_into_it = "committee_looking_into_it"  # 4.3.1(v)-(viii)
    conclusions = "conclusions"  # 4.3.1(ix): only once this party was told them
    closed = "closed"


class NextStep(StrEnum):
    """What happens next, from the party's side."""

    ombudsperson_reviews = "ombudsperson_reviews"
    informal_resolution = "informal_resolution"
    respond_in_writing = "respond_in_writing"  # the other party, with `due_on`
    committee_to_be_formed = "committee_to_be_formed"
    committee_looks_into_it = "committee_looks_into_it"
    you_may_say_not_satisfied = "you_may_say_not_satisfied"  # the complainant, 4.3.1(x)
    constitutional_charge = "constitutional_charge"  # the complainant, once not satisfied
    nothing_further = "nothing_further"


class PortalNotice(OutputSchema):
    """A change of stage owed to this party (4.3.1(vii)): told when, and how."""

    id: uuid.UUID
    stage: PartyStage
    owed_since: datetime
    told_on: date | None
    method: NoticeMethod | None


class PortalConclusions(OutputSchema):
    """The CRC's conclusions as this party was told them (4.3.1(viii)-(ix)): the finding
    and the kinds of recommendation. The CRC's written findings are its report, not
    released in the portal: they can name anyone it spoke to."""

    finding: Finding
    told_on: date
    recommendations: list[RecommendationKind]


class PortalResponse(OutputSchema):
    """The other party's written response (4.3.1(ii)): asked on, due on, received on."""

    asked_on: date | None
    due_on: date | None
    received_on: date | None
    late: bool | None = Field(description="Null until received")


class _Common(OutputSchema):
    reference: str
    read_only: bool


class ComplainantView(_Common):
    party: Literal["complainant"]
    stage: PartyStage
    next_step: NextStep
    notices: list[PortalNotice]
    conclusions: PortalConclusions | None
    not_satisfied_on: date | None


class OtherPartyView(_Common):
    party: Literal["other_party"]
    stage: PartyStage
    next_step: NextStep
    due_on: date | None = Field(description="The party's own deadline, if one is open")
    notices: list[PortalNotice]
    response: PortalResponse
    conclusions: PortalConclusions | None


class WitnessView(_Common):
    """Only that the CRC asks to speak with them, and their own answer: no stage, no names."""

    party: Literal["witness"]
    crc_asks_to_speak: bool
    availability: str | None
    availability_given_at: datetime | None


PartyView = Annotated[ComplainantView | OtherPartyView | WitnessView, Field(discriminator="party")]


class PortalResponseIn(InputSchema):
    text: str = Field(min_length=1, max_length=100_000)


class AvailabilityIn(InputSchema):
    availability: str = Field(
        min_length=1, max_length=2_000, description="When and how the CRC may reach them"
    )


class WitnessAvailabilityOut(OutputSchema):
    """A witness's answer to the CRC, for the case workers who may read the complaint."""

    id: uuid.UUID
    person_id: uuid.UUID
    availability: str
    given_at: datetime
