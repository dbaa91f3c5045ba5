from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from ombuds.complaints import access, views
from ombuds.complaints.access import CaseWorker, IfMatch, Ombudsperson
from ombuds.complaints.schemas import ComplaintDetail
from ombuds.formal import access as handling
from ombuds.informal import service
from ombuds.informal.schemas import AttemptCreate, AttemptOut, AttemptUpdate, ParticipantOut
from ombuds.kit.deps import DbSession

router = APIRouter(prefix="/api/complaints", tags=["informal"])
READ_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such complaint, or not one the caller may see"},
}
CHANGE_RESPONSES: dict[int | str, dict[str, str]] = {
    **READ_RESPONSES,
    403: {"description": "The caller does not handle this complaint (e.g. a CRC member)"},
    409: {"description": "The current stage (or the attempts' outcomes) do not allow this"},
    412: {"description": "The complaint changed since the caller read it"},
    428: {"description": "If-Match is missing"},
}


def _out(v: service.AttemptView) -> AttemptOut:
    a = v.attempt
    return AttemptOut(
        id=a.id,
        complaint_id=a.complaint_id,
        method=a.method,
        method_description=a.method_description,
        held_on=a.held_on,
        participants=[
            ParticipantOut(user_id=u.id, display_name=u.display_name) for u in v.participants
        ],
        proposal=a.proposal,
        other_party_answer=a.other_party_answer,
        outcome=a.outcome,
        created_at=a.created_at,
        updated_at=a.updated_at,
    )


@router.post(
    "/{complaint_id}/informal-attempts",
    response_model=AttemptOut,
    status_code=status.HTTP_201_CREATED,
    responses=CHANGE_RESPONSES,
)
async def record_attempt(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    body: AttemptCreate,
    response: Response,
    if_match: IfMatch = None,
) -> AttemptOut:
    """Record an informal attempt and every ombudsperson who took part (4.2.1)."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    view = await service.record_attempt(db, actor, complaint, body)
    await db.flush()
    response.headers["ETag"] = access.etag(complaint)
    return _out(view)


@router.get(
    "/{complaint_id}/informal-attempts", response_model=list[AttemptOut], responses=READ_RESPONSES
)
async def list_attempts(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, response: Response
) -> list[AttemptOut]:
    """The informal attempts on a complaint, oldest first (the read is audited)."""
    # 4.3: once a formal route is chosen, an ombudsperson who only took part informally
    # sees the attempts they took part in, and nothing else of the complaint.
    known = await access.known(db, actor, complaint_id)
    complaint = known.complaint
    only_of = None if known.readable else actor.id
    attempts = await service.list_attempts(db, actor, complaint, only_of=only_of)
    response.headers["ETag"] = access.etag(complaint)
    return [_out(v) for v in attempts]


@router.patch(
    "/{complaint_id}/informal-attempts/{attempt_id}",
    response_model=AttemptOut,
    responses=CHANGE_RESPONSES,
)
async def update_attempt(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    attempt_id: uuid.UUID,
    body: AttemptUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> AttemptOut:
    """Record the other party's answer or the attempt's outcome."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    view = await service.update_attempt(db, actor, complaint, attempt_id, body)
    await db.flush()
    response.headers["ETag"] = access.etag(complaint)
    return _out(view)


@router.post(
    "/{complaint_id}/resolve-informally",
    response_model=ComplaintDetail,
    responses=CHANGE_RESPONSES,
)
async def resolve(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetail:
    """Close the complaint as resolved informally, once an attempt resolved it (4.2.1)."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    await service.resolve(db, actor, complaint)
    return await views.detail(db, actor, complaint, response)
