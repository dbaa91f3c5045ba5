"""The table officers' view (4.3.1(iv)): non-identifying status, conflicts, and striking
the Complaint Review Committee (4.3.1(v)). A recused officer gets 404 everywhere here."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response, status

from ombuds.committees import lists as committee_lists
from ombuds.committees import service as committees
from ombuds.committees.access import CommitteeStriker
from ombuds.committees.schemas import (
    CommitteeProposalForOfficer,
    ConfirmIn,
    ProposalIn,
    StaffResourceForOfficer,
)
from ombuds.complaints import access
from ombuds.complaints.access import IfMatch, TableOfficer
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.pagination import Cursor, PageSize, encode_cursor
from ombuds.kit.schemas import INT_MAX, Page
from ombuds.officers import service
from ombuds.officers.schemas import ComplaintStatusForOfficer

router = APIRouter(prefix="/api/status", tags=["status"])
READ_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such complaint, or not one the officer may know of"},
}
CHANGE_RESPONSES: dict[int | str, dict[str, str]] = {
    **READ_RESPONSES,
    409: {"description": "The stage does not allow this step, or the panel cannot be drawn"},
    412: {"description": "The complaint (or the proposal) changed since the officer read it"},
    428: {"description": "If-Match is missing"},
}


@router.get("", response_model=Page[ComplaintStatusForOfficer], name="list")
async def board(
    db: DbSession,
    actor: TableOfficer,
    cursor: Cursor = None,
    limit: PageSize = 50,
    include_closed: bool = False,
) -> Page[ComplaintStatusForOfficer]:
    """Complaints the officer was told of, by reference: where each stands, no details."""
    rows = await service.board(db, actor, cursor=cursor, limit=limit, include_closed=include_closed)
    nxt = encode_cursor(rows[-1].reference) if len(rows) == limit else None
    return Page(items=rows, next_cursor=nxt)


@router.get(
    "/{complaint_id}",
    response_model=ComplaintStatusForOfficer,
    responses=READ_RESPONSES,
    name="get",
)
async def get(
    db: DbSession, actor: TableOfficer, complaint_id: uuid.UUID, response: Response
) -> ComplaintStatusForOfficer:
    """One complaint's status; the ETag is the version to send when striking the CRC."""
    complaint, found = await service.one(db, actor, complaint_id)
    response.headers["ETag"] = access.etag(complaint)
    return found


@router.post(
    "/{complaint_id}/conflict",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=CHANGE_RESPONSES,
    name="declare_conflict",
)
async def declare_conflict(
    db: DbSession, actor: TableOfficer, complaint_id: uuid.UUID, if_match: IfMatch = None
) -> Response:
    """Declare a conflict and leave the case: from now on it is a 404 for the caller."""
    complaint = await access.for_officer_change(db, actor, complaint_id, if_match)
    await service.declare_conflict(db, actor, complaint)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/{complaint_id}/committee/proposal",
    response_model=CommitteeProposalForOfficer,
    responses={404: {"description": "No such complaint, or no panel proposed yet"}},
    name="get_committee_proposal",
)
async def get_committee_proposal(
    db: DbSession, settings: AppSettings, actor: CommitteeStriker, complaint_id: uuid.UUID
) -> CommitteeProposalForOfficer:
    """The panel proposed (or struck), its version, and which seats may be redrawn."""
    complaint = await access.officer_visible(db, actor, complaint_id)
    return await committees.current_for_officer(db, settings, actor, complaint)


@router.get(
    "/{complaint_id}/committee/staff-resources",
    response_model=list[StaffResourceForOfficer],
    responses=READ_RESPONSES,
    name="list_committee_staff_resources",
)
async def list_committee_staff_resources(
    db: DbSession, actor: CommitteeStriker, complaint_id: uuid.UUID
) -> list[StaffResourceForOfficer]:
    """The staff resources of the two allowed kinds, to choose one for the panel."""
    await access.officer_visible(db, actor, complaint_id)
    return await committee_lists.staff_resources_for_officer(db)


@router.post(
    "/{complaint_id}/committee/proposal",
    response_model=CommitteeProposalForOfficer,
    responses={**CHANGE_RESPONSES, 422: {"description": "Not an eligible staff resource"}},
    name="propose_committee",
)
async def propose_committee(
    db: DbSession,
    settings: AppSettings,
    actor: CommitteeStriker,
    complaint_id: uuid.UUID,
    response: Response,
    if_match: IfMatch = None,
    body: ProposalIn | None = None,
) -> CommitteeProposalForOfficer:
    """Draw a fair panel and a staff resource; again: only seats that cannot sit change."""
    complaint = await access.for_officer_change(db, actor, complaint_id, if_match)
    staff_resource_id = body.staff_resource_id if body else None
    committee = await committees.propose(db, settings, actor, complaint, staff_resource_id)
    out = await committees.for_officer(db, settings, complaint, committee)
    response.headers["ETag"] = access.etag(complaint)
    return out


@router.post(
    "/{complaint_id}/committee/proposal/seats/{seat}/redraw",
    response_model=CommitteeProposalForOfficer,
    responses={**CHANGE_RESPONSES, 422: {"description": "No such seat"}},
    name="redraw_committee_seat",
)
async def redraw_committee_seat(
    db: DbSession,
    settings: AppSettings,
    actor: CommitteeStriker,
    complaint_id: uuid.UUID,
    seat: Annotated[int, Path(ge=1, le=INT_MAX, description="The seat's number, from 1")],
    response: Response,
    if_match: IfMatch = None,
) -> CommitteeProposalForOfficer:
    """Redraw a seat: always if its member cannot sit, else within the discretionary limit."""
    complaint = await access.for_officer_change(db, actor, complaint_id, if_match)
    committee = await committees.redraw(db, settings, actor, complaint, seat)
    out = await committees.for_officer(db, settings, complaint, committee)
    response.headers["ETag"] = access.etag(complaint)
    return out


@router.post(
    "/{complaint_id}/committee/confirm",
    response_model=CommitteeProposalForOfficer,
    responses=CHANGE_RESPONSES,
    name="confirm_committee",
)
async def confirm_committee(
    db: DbSession,
    settings: AppSettings,
    actor: CommitteeStriker,
    complaint_id: uuid.UUID,
    body: ConfirmIn,
    response: Response,
    if_match: IfMatch = None,
) -> CommitteeProposalForOfficer:
    """Strike the CRC as proposed (at the version read); the investigation begins."""
    complaint = await access.for_officer_change(db, actor, complaint_id, if_match)
    committee = await committees.confirm(
        db, settings, actor, complaint, body.proposal_version, body.occurred_on
    )
    out = await committees.for_officer(db, settings, complaint, committee)
    response.headers["ETag"] = access.etag(complaint)
    return out
