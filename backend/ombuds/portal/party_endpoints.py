"""The party's own side of the portal (issue 16, item 2): their complaint in their part's
schema, and what their part does there. Every route takes `Party`: a party only ever
reaches their own complaint (the principal's, never an id from the request)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from ombuds.complaints import access as complaints_access
from ombuds.complaints.access import CaseWorker
from ombuds.kit.deps import DbSession
from ombuds.portal import party_service, views
from ombuds.portal.access import Party
from ombuds.portal.party_schemas import (
    AvailabilityIn,
    ComplainantView,
    OtherPartyView,
    PartyView,
    PortalNotice,
    PortalResponseIn,
    WitnessAvailabilityOut,
    WitnessView,
)

router = APIRouter(prefix="/api/portal", tags=["portal"])
# What the parties said in the portal, on the complaint, for the case workers.
staff_router = APIRouter(prefix="/api/complaints", tags=["portal"])

READ_ONLY: dict[int | str, dict[str, str]] = {
    403: {"description": "Read-only (the complaint closed), or not this party's part"},
    409: {"description": "Not now: the rule is named"},
}


@router.get("/complaint", response_model=PartyView)
async def complaint(db: DbSession, party: Party) -> ComplainantView | OtherPartyView | WitnessView:
    """The party's complaint in their part's schema: stage, next step, notices (audited)."""
    return await views.own_view(db, party)


@router.post(
    "/notices/{notice_id}/read",
    response_model=PortalNotice,
    responses={**READ_ONLY, 404: {"description": "No such notice of this party's"}},
)
async def read_notice(db: DbSession, party: Party, notice_id: uuid.UUID) -> PortalNotice:
    """Read a notice: recorded as told today, in the portal, once (4.3.1(vii))."""
    await party_service.read_notice(db, party, notice_id)
    view = await views.own_view(db, party, audited=False)
    assert not isinstance(view, WitnessView)  # a witness is owed no notice: 404 above
    return next(n for n in view.notices if n.id == notice_id)


@router.post("/response", response_model=OtherPartyView, responses=READ_ONLY)
async def respond(db: DbSession, party: Party, body: PortalResponseIn) -> OtherPartyView:
    """The other party's written response, recorded with today's date (4.3.1(ii))."""
    await party_service.respond(db, party, body.text)
    view = await views.own_view(db, party, audited=False)
    assert isinstance(view, OtherPartyView)
    return view


@router.post("/not-satisfied", response_model=ComplainantView, responses=READ_ONLY)
async def not_satisfied(db: DbSession, party: Party) -> ComplainantView:
    """The member-complainant is not satisfied with the conclusions (4.3.1(x))."""
    await party_service.not_satisfied(db, party)
    view = await views.own_view(db, party, audited=False)
    assert isinstance(view, ComplainantView)
    return view


@router.post("/availability", response_model=WitnessView, responses=READ_ONLY)
async def availability(db: DbSession, party: Party, body: AvailabilityIn) -> WitnessView:
    """A witness answers the CRC's request to speak with them with their availability."""
    await party_service.give_availability(db, party, body.availability)
    view = await views.own_view(db, party, audited=False)
    assert isinstance(view, WitnessView)
    return view


@staff_router.get(
    "/{complaint_id}/witness-availability",
    response_model=list[WitnessAvailabilityOut],
    responses={404: {"description": "No such complaint, or not one the caller may read"}},
)
async def witness_availability(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID
) -> list[WitnessAvailabilityOut]:
    """The witnesses' answers to the CRC's request to speak with them (audited)."""
    complaint = await complaints_access.readable(db, actor, complaint_id)
    rows = await party_service.availabilities(db, actor, complaint)
    return [WitnessAvailabilityOut.model_validate(r) for r in rows]
