from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from ombuds.auth.access import AnyUser
from ombuds.complaints import access, reads, service, views
from ombuds.complaints.access import CaseWorker, IfMatch, Ombudsperson
from ombuds.complaints.schemas import (
    ComplaintCreate,
    ComplaintDetail,
    ComplaintSummary,
    GroundOut,
    IntakeUpdate,
    RedirectIn,
    TimelineEventOut,
)
from ombuds.kit.deps import DbSession
from ombuds.kit.pagination import Cursor, PageSize
from ombuds.kit.schemas import Page

router = APIRouter(prefix="/api/complaints", tags=["complaints"])
grounds_router = APIRouter(prefix="/api/grounds", tags=["grounds"])
CHANGE_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such complaint, or not one the caller may see"},
    409: {"description": "The current stage does not allow this step"},
    412: {"description": "The complaint changed since the caller read it"},
    428: {"description": "If-Match is missing"},
}


@grounds_router.get("", response_model=list[GroundOut], name="list")
async def list_grounds(db: DbSession, _: AnyUser) -> list[GroundOut]:
    """The protected characteristics of 2.2, kept as data."""
    return [GroundOut.model_validate(g) for g in await service.grounds(db)]


@router.post("", response_model=ComplaintDetail, status_code=status.HTTP_201_CREATED, name="create")
async def create(
    db: DbSession, actor: Ombudsperson, body: ComplaintCreate, response: Response
) -> ComplaintDetail:
    """Take in a complaint for a member-complainant against an other party."""
    complaint = await service.create(db, actor, body)
    return await views.detail(db, actor, complaint, response)


@router.get("", response_model=Page[ComplaintSummary], name="list")
async def dashboard(
    db: DbSession,
    actor: CaseWorker,
    cursor: Cursor = None,
    limit: PageSize = 50,
    include_closed: bool = False,
) -> Page[ComplaintSummary]:
    """The caller's complaints and CRCs, the nearest deadline (overdue first) at the top."""
    return await reads.dashboard(
        db, actor, cursor=cursor, limit=limit, include_closed=include_closed
    )


@router.get(
    "/{complaint_id}",
    response_model=ComplaintDetail,
    responses={
        **CHANGE_RESPONSES,
        410: {"description": "record-destroyed: its retention period ended (5.1)"},
    },
    name="get",
)
async def get(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, response: Response
) -> ComplaintDetail:
    """A complaint's details (the read is audited); the ETag is the version to send back."""
    return await reads.detail(db, actor, complaint_id, response)


@router.patch("/{complaint_id}/intake", response_model=ComplaintDetail, responses=CHANGE_RESPONSES)
async def update_intake(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    body: IntakeUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetail:
    """Correct the intake: incidents, witnesses, grounds, resolution sought, other routes."""
    complaint = await access.for_handling(db, actor, complaint_id, if_match)
    await service.update_intake(db, actor, complaint, body)
    return await views.detail(db, actor, complaint, response)


@router.post("/{complaint_id}/redirect", response_model=ComplaintDetail, responses=CHANGE_RESPONSES)
async def redirect(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    body: RedirectIn,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetail:
    """Out of scope (1.3): close as redirected to the grievance procedure or the RWP."""
    complaint = await access.for_handling(db, actor, complaint_id, if_match)
    await service.redirect(
        db, actor, complaint, body.redirected_to, body.occurred_on, field="occurred_on"
    )
    return await views.detail(db, actor, complaint, response)


@router.post("/{complaint_id}/withdraw", response_model=ComplaintDetail, responses=CHANGE_RESPONSES)
async def withdraw(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetail:
    """The member-complainant withdraws: the complaint closes and owes no deadlines."""
    complaint = await access.for_handling(db, actor, complaint_id, if_match)
    await service.withdraw(db, actor, complaint)
    return await views.detail(db, actor, complaint, response)


@router.get(
    "/{complaint_id}/timeline", response_model=list[TimelineEventOut], responses=CHANGE_RESPONSES
)
async def timeline(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID
) -> list[TimelineEventOut]:
    """Everything that happened on the complaint, in order."""
    complaint = await access.readable(db, actor, complaint_id)
    rows = await service.timeline(db, actor, complaint)
    return [TimelineEventOut.model_validate(e) for e in rows]
