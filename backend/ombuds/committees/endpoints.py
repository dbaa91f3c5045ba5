"""The Complaint Review Committee as case workers see it (4.3.1(v)), and the proposed
panels an ombudsperson is drawn on.

Table officers strike the CRC through /api/status (officers/endpoints.py)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from ombuds.committees import access, lists, service
from ombuds.committees.access import (
    CommitteeReader,
    ComplaintHandler,
    ConflictDeclarer,
    ProposedMember,
)
from ombuds.committees.schemas import (
    CommitteeForCaseWorker,
    EligibilityTable,
    ProposedPanelForMember,
)
from ombuds.complaints import access as complaints_access
from ombuds.complaints.access import IfMatch
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.pagination import Cursor, PageSize, encode_cursor
from ombuds.kit.schemas import Page

router = APIRouter(tags=["committees"])
COMPLAINT = "/api/complaints/{complaint_id}"
READ_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such complaint, or not one the caller may see"},
}
CHANGE_RESPONSES: dict[int | str, dict[str, str]] = {
    **READ_RESPONSES,
    409: {"description": "The current stage does not allow this step, or already declared"},
    412: {"description": "The complaint changed since the caller read it"},
    428: {"description": "If-Match is missing"},
}


@router.get(
    COMPLAINT + "/committee/eligibility",
    response_model=EligibilityTable,
    responses=READ_RESPONSES,
    name="eligibility",
)
async def eligibility(
    db: DbSession, settings: AppSettings, actor: ComplaintHandler, complaint_id: uuid.UUID
) -> EligibilityTable:
    """Every ombudsperson, eligible for the CRC or not, with every reason (intake only)."""
    complaint = await access.handled(db, actor, complaint_id)
    return await service.eligibility_table(db, settings, actor, complaint)


@router.get(
    COMPLAINT + "/committee",
    response_model=CommitteeForCaseWorker,
    responses={404: {"description": "No such complaint, or no CRC struck yet"}},
    name="get",
)
async def get(
    db: DbSession, actor: CommitteeReader, complaint_id: uuid.UUID
) -> CommitteeForCaseWorker:
    """The confirmed Complaint Review Committee of a complaint the caller may read."""
    complaint = await complaints_access.readable(db, actor, complaint_id)
    return await service.for_case_worker(db, actor, complaint)


@router.post(
    COMPLAINT + "/ombudsperson-conflict",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=CHANGE_RESPONSES,
    name="declare_ombudsperson_conflict",
)
async def declare_ombudsperson_conflict(
    db: DbSession, actor: ConflictDeclarer, complaint_id: uuid.UUID, if_match: IfMatch = None
) -> Response:
    """Declare a conflict (a reader, or drawn on the proposed panel): never on this CRC."""
    complaint = await access.for_conflict_declaration(db, actor, complaint_id, if_match)
    await service.declare_ombudsperson_conflict(db, actor, complaint)
    await db.flush()
    return Response(
        status_code=status.HTTP_204_NO_CONTENT,
        headers={"ETag": complaints_access.etag(complaint)},
    )


@router.get(
    "/api/committee-proposals",
    response_model=Page[ProposedPanelForMember],
    name="my_proposals",
)
async def my_proposals(
    db: DbSession, actor: ProposedMember, cursor: Cursor = None, limit: PageSize = 50
) -> Page[ProposedPanelForMember]:
    """Proposed panels the caller is drawn on, by reference: no details of the complaint."""
    rows = await lists.proposals_for_member(db, actor, cursor=cursor, limit=limit)
    nxt = encode_cursor(rows[-1].reference) if len(rows) == limit else None
    return Page(items=rows, next_cursor=nxt)
