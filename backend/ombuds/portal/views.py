"""What a signed-in party sees of their own complaint (issue 16, item 2): a hot read.

Statements are built once, at import, and read with Core on the request's connection;
rows go straight into the party's schema (party_schemas.py). A party only ever reaches
their own complaint: every statement is bound to the principal's complaint, person and
part, never to an id the caller sends. A complainant or an other party: the complaint's
row (with the written response's deadline), their notices, and the kinds of
recommendation once they were told the conclusions. A witness: their own latest answer.
Each read is audited (5.1)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import and_, bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.models import (
    Complaint,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    PartyNotice,
    PartyRole,
    Recommendation,
    Stage,
    WitnessAvailability,
)
from ombuds.portal.party_schemas import (
    ComplainantView,
    NextStep,
    OtherPartyView,
    PartyStage,
    PortalConclusions,
    PortalNotice,
    PortalResponse,
    WitnessView,
)

_COMPLAINT = (
    select(
        Complaint.id.label("complaint_id"),
        Complaint.reference,
        Complaint.stage,
        Complaint.other_party_reviewed_on,
        Complaint.response_received_on,
        Complaint.finding,
        Complaint.complainant_told_conclusions_on,
        Complaint.other_party_told_conclusions_on,
        Complaint.complainant_not_satisfied_on,
        Deadline.due_on.label("response_due_on"),
        Deadline.status.label("response_deadline_status"),
    )
    .outerjoin(
        Deadline,
        and_(
            Deadline.complaint_id == Complaint.id,
            Deadline.kind == DeadlineKind.written_response,
        ),
    )
    .where(Complaint.id == bindparam("complaint_id"))
)
# Waived notices are owed no longer: the waiver (and its reason) is the ombudsperson's.
_NOTICES = (
    select(
        PartyNotice.id,
        PartyNotice.stage,
        PartyNotice.owed_since,
        PartyNotice.told_on,
        PartyNotice.method,
    )
    .where(
        PartyNotice.complaint_id == bindparam("complaint_id"),
        PartyNotice.party == bindparam("party"),
        PartyNotice.waived_at.is_(None),
    )
    .order_by(PartyNotice.owed_since, PartyNotice.id)
)
_RECOMMENDATIONS = (
    select(Recommendation.kind)
    .where(Recommendation.complaint_id == bindparam("complaint_id"))
    .order_by(Recommendation.created_at, Recommendation.id)
)

_STAGE: dict[Stage, PartyStage] = {
    Stage.intake: PartyStage.received,
    Stage.letter: PartyStage.received,
    Stage.informal: PartyStage.informal_resolution,
    Stage.review: PartyStage.being_reviewed,
    Stage.committee: PartyStage.committee_looking_into_it,
    Stage.investigation: PartyStage.committee_looking_into_it,
    Stage.conclusions: PartyStage.conclusions,
    Stage.closed: PartyStage.closed,
}
# While the other party may still answer in writing in the portal: from the review with
# them (4.3.1(ii)) until the CRC's findings, which close the response's days.
RESPONSE_STAGES = frozenset({Stage.review, Stage.committee, Stage.investigation})


def party_stage(stage: Stage, told_conclusions: bool) -> PartyStage:
    """4.3.1(ix): a party learns there are conclusions when they are told them, not before
    (the other party never before the member-complainant)."""
    if stage is Stage.conclusions and not told_conclusions:
        return PartyStage.committee_looking_into_it
    return _STAGE[stage]


def _next_common(stage: Stage) -> NextStep:
    return {
        Stage.intake: NextStep.ombudsperson_reviews,
        Stage.letter: NextStep.ombudsperson_reviews,
        Stage.informal: NextStep.informal_resolution,
        Stage.review: NextStep.committee_to_be_formed,
        Stage.committee: NextStep.committee_to_be_formed,
        Stage.investigation: NextStep.committee_looks_into_it,
        Stage.conclusions: NextStep.committee_looks_into_it,
        Stage.closed: NextStep.nothing_further,
    }[stage]


def may_respond(stage: Stage, reviewed_on: date | None, received_on: date | None) -> bool:
    return stage in RESPONSE_STAGES and reviewed_on is not None and received_on is None


async def _notices(
    conn: Any, complaint_id: uuid.UUID, party: PartyRole, told_conclusions: bool
) -> list[PortalNotice]:
    rows = (await conn.execute(_NOTICES, {"complaint_id": complaint_id, "party": party})).all()
    return [
        PortalNotice(
            id=r.id,
            stage=_STAGE[r.stage],
            owed_since=r.owed_since,
            told_on=r.told_on,
            method=r.method,
        )
        for r in rows
        if r.stage is not Stage.conclusions or told_conclusions
    ]


async def _conclusions(conn: Any, c: Any, told_on: date | None) -> PortalConclusions | None:
    if told_on is None or c.finding is None:
        return None
    kinds = (await conn.execute(_RECOMMENDATIONS, {"complaint_id": c.complaint_id})).scalars()
    return PortalConclusions(finding=c.finding, told_on=told_on, recommendations=list(kinds))


async def visible_notice_ids(db: AsyncSession, principal: Principal) -> dict[uuid.UUID, bool]:
    """The notices this party may see in the portal, each with whether it was told."""
    assert principal.complaint_id is not None and principal.party is not None
    conn = await db.connection()
    c = (await conn.execute(_COMPLAINT, {"complaint_id": principal.complaint_id})).one()
    told = (
        c.complainant_told_conclusions_on
        if principal.party is PartyRole.complainant
        else c.other_party_told_conclusions_on
    )
    notices = await _notices(conn, principal.complaint_id, principal.party, told is not None)
    return {n.id: n.told_on is not None for n in notices}


async def own_view(
    db: AsyncSession, principal: Principal, *, audited: bool = True
) -> ComplainantView | OtherPartyView | WitnessView:
    """The signed-in party's view of their complaint, in their part's schema."""
    assert principal.complaint_id is not None and principal.party is not None
    await db.flush()  # a write in this transaction is read back as it now stands
    conn = await db.connection()
    cid = principal.complaint_id
    row = (await conn.execute(_COMPLAINT, {"complaint_id": cid})).one()
    if audited:
        await audit.record(db, principal, "portal.read_complaint", "complaint", cid)
    if principal.party is PartyRole.witness:
        return await _witness(db, principal, row)
    c = row
    if principal.party is PartyRole.complainant:
        told = c.complainant_told_conclusions_on
        if c.complainant_not_satisfied_on is not None:
            next_step = NextStep.constitutional_charge
        elif told is not None and c.stage is Stage.conclusions:
            next_step = NextStep.you_may_say_not_satisfied
        else:
            next_step = _next_common(c.stage)
        return ComplainantView(
            party="complainant",
            reference=c.reference,
            read_only=principal.read_only,
            stage=party_stage(c.stage, told is not None),
            next_step=next_step,
            notices=await _notices(conn, cid, principal.party, told is not None),
            conclusions=await _conclusions(conn, c, told),
            not_satisfied_on=c.complainant_not_satisfied_on,
        )
    told = c.other_party_told_conclusions_on
    responding = may_respond(c.stage, c.other_party_reviewed_on, c.response_received_on)
    open_deadline = c.response_deadline_status is DeadlineStatus.open
    if responding:
        next_step = NextStep.respond_in_writing
    elif c.stage is Stage.conclusions and told is not None:
        next_step = NextStep.nothing_further
    else:
        next_step = _next_common(c.stage)
    asked = c.other_party_reviewed_on is not None
    late = None
    if c.response_received_on is not None and c.response_due_on is not None:
        late = c.response_received_on > c.response_due_on
    return OtherPartyView(
        party="other_party",
        reference=c.reference,
        read_only=principal.read_only,
        stage=party_stage(c.stage, told is not None),
        next_step=next_step,
        due_on=c.response_due_on if responding and open_deadline else None,
        notices=await _notices(conn, cid, principal.party, told is not None),
        response=PortalResponse(
            asked_on=c.other_party_reviewed_on,
            due_on=c.response_due_on if asked else None,
            received_on=c.response_received_on,
            late=late,
        ),
        conclusions=await _conclusions(conn, c, told),
    )


async def _witness(db: AsyncSession, principal: Principal, row: Any) -> WitnessView:
    latest = await db.scalar(
        select(WitnessAvailability)
        .where(WitnessAvailability.person_id == principal.person_id)
        .order_by(WitnessAvailability.given_at.desc(), WitnessAvailability.id.desc())
        .limit(1)
    )
    return WitnessView(
        party="witness",
        reference=row.reference,
        read_only=principal.read_only,
        crc_asks_to_speak=crc_asks_to_speak(row.stage),
        availability=latest.availability if latest else None,
        availability_given_at=latest.given_at if latest else None,
    )


def crc_asks_to_speak(stage: Stage) -> bool:
    """4.3.1(vi): the CRC interviews witnesses while it investigates."""
    return stage is Stage.investigation
