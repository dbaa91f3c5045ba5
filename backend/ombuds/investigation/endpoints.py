"""4.3.1(vi)-(x): investigation, findings, recommendations and their disclosure (5.1),
telling the parties."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from ombuds.complaints import access as complaints_access
from ombuds.complaints.access import Ombudsperson
from ombuds.investigation import disclosures, notices, recommendations, service, views
from ombuds.investigation.access import (
    CRC,
    CRC_AND_STAFF,
    CRC_OR_INTAKE,
    CaseWorker,
    IfMatch,
    TableOfficer,
    for_step,
)
from ombuds.investigation.schemas import (
    ConclusionsOut,
    ConclusionsToldIn,
    DisclosureIn,
    DisclosureOut,
    DisclosureRecommendationsIn,
    FindingsIn,
    InvestigationEntryIn,
    InvestigationEntryOut,
    NotSatisfiedIn,
    PartyNoticeOut,
    PartyNoticeWaiverIn,
    PartyToldIn,
    RecommendationForOfficer,
    RecommendationIn,
    RecommendationOut,
    RecommendationStatusIn,
)
from ombuds.kit.deps import DbSession

# `if_match: IfMatch = None` everywhere: a missing If-Match is check_version's 428, not
# FastAPI's 422 for a required header.
router = APIRouter(prefix="/api/complaints", tags=["investigation"])
officer_router = APIRouter(prefix="/api/status", tags=["recommendations"])

READ_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such complaint, or not one the caller may see"},
}
CHANGE_RESPONSES: dict[int | str, dict[str, str]] = {
    **READ_RESPONSES,
    403: {"description": "The caller may read the complaint but does not hold this step"},
    409: {"description": "The current stage, or the order of the procedure, does not allow it"},
    412: {"description": "The complaint changed since the caller read it"},
    422: {"description": "A field breaks a rule (named in errors[])"},
    428: {"description": "If-Match is missing"},
}


# 4.3.1(vi) ------------------------------------------------------------------------------


@router.post(
    "/{complaint_id}/investigation",
    response_model=InvestigationEntryOut,
    status_code=status.HTTP_201_CREATED,
    responses=CHANGE_RESPONSES,
    name="record_entry",
)
async def record_entry(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    body: InvestigationEntryIn,
    response: Response,
    if_match: IfMatch = None,
) -> InvestigationEntryOut:
    """Record a step of the CRC's investigation (4.3.1(vi)): a review, an interview."""
    complaint = await for_step(
        db, actor, complaint_id, if_match, CRC_AND_STAFF, "record the investigation (4.3.1(vi))"
    )
    entry = await service.record_entry(db, actor, complaint, body)
    await views.with_etag(db, complaint, response)
    return InvestigationEntryOut.model_validate(entry)


@router.get(
    "/{complaint_id}/investigation",
    response_model=list[InvestigationEntryOut],
    responses=READ_RESPONSES,
    name="list_entries",
)
async def list_entries(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, response: Response
) -> list[InvestigationEntryOut]:
    """The steps of the investigation so far (4.3.1(vi)); the read is audited (5.1)."""
    complaint = await complaints_access.readable(db, actor, complaint_id)
    rows = await service.entries(db, actor, complaint)
    await views.with_etag(db, complaint, response)
    return [InvestigationEntryOut.model_validate(e) for e in rows]


# 4.3.1(viii)-(x) -------------------------------------------------------------------------


@router.post(
    "/{complaint_id}/findings",
    response_model=ConclusionsOut,
    responses=CHANGE_RESPONSES,
    name="record_findings",
)
async def record_findings(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    body: FindingsIn,
    response: Response,
    if_match: IfMatch = None,
) -> ConclusionsOut:
    """The CRC's findings (4.3.1(viii)): harassment found, or not (dismissed)."""
    complaint = await for_step(
        db, actor, complaint_id, if_match, CRC, "record the findings (4.3.1(viii))"
    )
    await service.record_findings(db, actor, complaint, body)
    await views.with_etag(db, complaint, response)
    return await views.conclusions(db, complaint)


@router.get(
    "/{complaint_id}/conclusions",
    response_model=ConclusionsOut,
    responses=READ_RESPONSES,
    name="get_conclusions",
)
async def get_conclusions(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, response: Response
) -> ConclusionsOut:
    """Findings (4.3.1(viii)), telling (4.3.1(ix)), not satisfied (4.3.1(x)); audited."""
    complaint = await complaints_access.readable(db, actor, complaint_id)
    await service.conclusions_read(db, actor, complaint)
    await views.with_etag(db, complaint, response)
    return await views.conclusions(db, complaint)


@router.post(
    "/{complaint_id}/recommendations",
    response_model=RecommendationOut,
    status_code=status.HTTP_201_CREATED,
    responses=CHANGE_RESPONSES,
    name="add_recommendation",
)
async def add_recommendation(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    body: RecommendationIn,
    response: Response,
    if_match: IfMatch = None,
) -> RecommendationOut:
    """Recommend a resolution (4.3.1(viii)): apology, counselling, training, other."""
    complaint = await for_step(
        db, actor, complaint_id, if_match, CRC, "make recommendations (4.3.1(viii))"
    )
    recommendation = await recommendations.add(db, actor, complaint, body)
    await views.with_etag(db, complaint, response)
    return RecommendationOut.model_validate(recommendation)


@router.get(
    "/{complaint_id}/recommendations",
    response_model=list[RecommendationOut],
    responses=READ_RESPONSES,
    name="list_recommendations",
)
async def list_recommendations(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, response: Response
) -> list[RecommendationOut]:
    """The CRC's recommendations and their tracking (4.3.1(viii)); audited (5.1)."""
    complaint = await complaints_access.readable(db, actor, complaint_id)
    rows = await recommendations.listing(db, actor, complaint)
    await views.with_etag(db, complaint, response)
    return [RecommendationOut.model_validate(r) for r in rows]


@router.post(
    "/{complaint_id}/recommendations/disclose",
    response_model=DisclosureOut,
    status_code=status.HTTP_201_CREATED,
    responses=CHANGE_RESPONSES,
    name="disclose_recommendations",
)
async def disclose_recommendations(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    body: DisclosureRecommendationsIn,
    response: Response,
    if_match: IfMatch = None,
) -> DisclosureOut:
    """Hand the new recommendations to the table officers not recused (4.3.1(viii), 5.1)."""
    complaint = await for_step(
        db,
        actor,
        complaint_id,
        if_match,
        CRC,
        "disclose the recommendations to the table officers (5.1)",
    )
    disclosure = await recommendations.disclose(db, actor, complaint, body)
    await views.with_etag(db, complaint, response)
    [view] = await disclosures.with_recipients(db, [disclosure])
    return views.disclosure(view)


@router.post(
    "/{complaint_id}/conclusions/told",
    response_model=ConclusionsOut,
    responses=CHANGE_RESPONSES,
    name="tell_conclusions",
)
async def tell_conclusions(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    body: ConclusionsToldIn,
    response: Response,
    if_match: IfMatch = None,
) -> ConclusionsOut:
    """Record a party told the conclusions: the member-complainant first (4.3.1(ix))."""
    complaint = await for_step(
        db, actor, complaint_id, if_match, CRC, "tell the parties the conclusions (4.3.1(ix))"
    )
    await service.tell_conclusions(db, actor, complaint, body)
    await views.with_etag(db, complaint, response)
    return await views.conclusions(db, complaint)


@router.post(
    "/{complaint_id}/not-satisfied",
    response_model=ConclusionsOut,
    responses=CHANGE_RESPONSES,
    name="record_not_satisfied",
)
async def record_not_satisfied(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    body: NotSatisfiedIn,
    response: Response,
    if_match: IfMatch = None,
) -> ConclusionsOut:
    """Not satisfied: the member-complainant is referred to a constitutional charge (4.3.1(x))."""
    complaint = await for_step(
        db,
        actor,
        complaint_id,
        if_match,
        CRC_OR_INTAKE,
        "record that the member-complainant is not satisfied (4.3.1(x))",
    )
    await service.record_not_satisfied(db, actor, complaint, body)
    await views.with_etag(db, complaint, response)
    return await views.conclusions(db, complaint)


@router.post(
    "/{complaint_id}/close",
    response_model=ConclusionsOut,
    responses=CHANGE_RESPONSES,
    name="close",
)
async def close(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    response: Response,
    if_match: IfMatch = None,
) -> ConclusionsOut:
    """Close once both parties were told (4.3.1(ix)): dismissed or concluded (4.3.1(viii))."""
    complaint = await for_step(
        db, actor, complaint_id, if_match, CRC, "close the complaint after its conclusions"
    )
    await service.close(db, actor, complaint)
    await views.with_etag(db, complaint, response)
    return await views.conclusions(db, complaint)


# 5.1 -------------------------------------------------------------------------------------


@router.post(
    "/{complaint_id}/disclosures",
    response_model=DisclosureOut,
    status_code=status.HTTP_201_CREATED,
    responses=CHANGE_RESPONSES,
    name="record_disclosure",
)
async def record_disclosure(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    body: DisclosureIn,
    response: Response,
    if_match: IfMatch = None,
) -> DisclosureOut:
    """Record a disclosure outside the roles: to whom, what, why (5.1)."""
    complaint = await for_step(
        db, actor, complaint_id, if_match, CRC_OR_INTAKE, "record a disclosure (5.1)"
    )
    view = await disclosures.record(db, actor, complaint, body)
    await views.with_etag(db, complaint, response)
    return views.disclosure(view)


@router.get(
    "/{complaint_id}/disclosures",
    response_model=list[DisclosureOut],
    responses=READ_RESPONSES,
    name="list_disclosures",
)
async def list_disclosures(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, response: Response
) -> list[DisclosureOut]:
    """Every disclosure made on the complaint, with its reason (5.1); the read is audited."""
    complaint = await complaints_access.readable(db, actor, complaint_id)
    rows = await disclosures.listing(db, actor, complaint)
    await views.with_etag(db, complaint, response)
    return [views.disclosure(v) for v in rows]


# 4.3.1(vii) ------------------------------------------------------------------------------


@router.get(
    "/{complaint_id}/party-notices",
    response_model=list[PartyNoticeOut],
    responses=READ_RESPONSES,
    name="list_party_notices",
)
async def list_party_notices(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, response: Response
) -> list[PartyNoticeOut]:
    """The stage changes owed to each party, and when and how each was told (4.3.1(vii))."""
    complaint = await complaints_access.readable(db, actor, complaint_id)
    rows = await notices.listing(db, actor, complaint)
    await views.with_etag(db, complaint, response)
    return [views.notice(n) for n in rows]


@router.post(
    "/{complaint_id}/party-notices/{notice_id}/told",
    response_model=PartyNoticeOut,
    responses=CHANGE_RESPONSES,
    name="record_party_told",
)
async def record_party_told(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    notice_id: uuid.UUID,
    body: PartyToldIn,
    response: Response,
    if_match: IfMatch = None,
) -> PartyNoticeOut:
    """Record when and how a party was told of a stage of their complaint (4.3.1(vii))."""
    complaint = await for_step(
        db,
        actor,
        complaint_id,
        if_match,
        CRC_OR_INTAKE,
        "record that a party was told (4.3.1(vii))",
    )
    notice = await notices.record_told(db, actor, complaint, notice_id, body)
    await views.with_etag(db, complaint, response)
    return views.notice(notice)


@router.post(
    "/{complaint_id}/party-notices/{notice_id}/waive",
    response_model=PartyNoticeOut,
    responses=CHANGE_RESPONSES,
    name="waive_party_notice",
)
async def waive_party_notice(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    notice_id: uuid.UUID,
    body: PartyNoticeWaiverIn,
    response: Response,
    if_match: IfMatch = None,
) -> PartyNoticeOut:
    """Waive a notice owed to a party, with the reason (4.3.1(vii)); handling ombudsperson."""
    complaint = await complaints_access.for_handling(db, actor, complaint_id, if_match)
    notice = await notices.waive(db, actor, complaint, notice_id, body)
    await views.with_etag(db, complaint, response)
    return views.notice(notice)


# Table officers (4.3.1(viii), 5.1) -------------------------------------------------------


@officer_router.get(
    "/{complaint_id}/recommendations",
    response_model=list[RecommendationForOfficer],
    responses=READ_RESPONSES,
    name="list",
)
async def officer_recommendations(
    db: DbSession, actor: TableOfficer, complaint_id: uuid.UUID, response: Response
) -> list[RecommendationForOfficer]:
    """The recommendations disclosed to the calling table officer (4.3.1(viii), 5.1)."""
    complaint = await complaints_access.officer_visible(db, actor, complaint_id)
    rows = await recommendations.for_officer(db, actor, complaint)
    await views.with_etag(db, complaint, response)
    return [views.for_officer(r, at) for r, at in rows]


@officer_router.post(
    "/{complaint_id}/recommendations/{recommendation_id}/status",
    response_model=RecommendationForOfficer,
    responses=CHANGE_RESPONSES,
    name="set_status",
)
async def set_recommendation_status(
    db: DbSession,
    actor: TableOfficer,
    complaint_id: uuid.UUID,
    recommendation_id: uuid.UUID,
    body: RecommendationStatusIn,
    response: Response,
    if_match: IfMatch = None,
) -> RecommendationForOfficer:
    """A recommendation disclosed to the caller, implemented or declined (4.3.1(viii))."""
    complaint = await complaints_access.for_officer_change(db, actor, complaint_id, if_match)
    recommendation, disclosed_at = await recommendations.set_status(
        db, actor, complaint, recommendation_id, body
    )
    await views.with_etag(db, complaint, response)
    return views.for_officer(recommendation, disclosed_at)
