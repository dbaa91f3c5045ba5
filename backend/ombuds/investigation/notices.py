"""4.3.1(vii): each change of stage is owed to both parties; the record shows when and
how each was told."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import stages
from ombuds.investigation.checks import Dates
from ombuds.investigation.schemas import PartyNoticeWaiverIn, PartyToldIn
from ombuds.kit.clock import utcnow
from ombuds.kit.errors import Conflict, InvalidInput, NotFound, field_error
from ombuds.models import Complaint, NoticeMethod, PartyNotice


def refuse_portal_method(field: str, method: NoticeMethod) -> None:
    """ "In the portal" is recorded by the party reading the notice there, never by staff."""
    if method is NoticeMethod.portal:
        raise InvalidInput(
            "A notice is recorded as told in the portal only by the party reading it there.",
            errors=[field_error(field, "not_portal", "recorded by the party in the portal")],
        )


async def listing(db: AsyncSession, actor: Principal, complaint: Complaint) -> list[PartyNotice]:
    rows = await db.scalars(
        select(PartyNotice)
        .where(PartyNotice.complaint_id == complaint.id)
        .order_by(PartyNotice.owed_since, PartyNotice.party, PartyNotice.id)
    )
    await audit.record(db, actor, "investigation.read_party_notices", "complaint", complaint.id)
    return list(rows.all())


async def _owed(db: AsyncSession, complaint: Complaint, notice_id: uuid.UUID) -> PartyNotice:
    """The notice, still owed: neither told nor waived."""
    stages.require(complaint, stages.Action.record_party_notice)
    notice = await db.scalar(
        select(PartyNotice).where(
            PartyNotice.id == notice_id, PartyNotice.complaint_id == complaint.id
        )
    )
    if notice is None:
        raise NotFound("No such notice on this complaint.")
    if notice.told_on is not None:
        raise Conflict(
            "This party was already told of this stage.",
            errors=[field_error("told_on", "already_told", "already recorded")],
        )
    if notice.waived_at is not None:
        raise Conflict(
            "This notice was waived.",
            errors=[field_error("waived_at", "already_waived", "already waived")],
        )
    return notice


async def record_told(
    db: AsyncSession,
    actor: Principal,
    complaint: Complaint,
    notice_id: uuid.UUID,
    body: PartyToldIn,
) -> PartyNotice:
    notice = await _owed(db, complaint, notice_id)
    if actor.is_user:
        refuse_portal_method("method", body.method)
    Dates().not_in_future("told_on", body.told_on).check()
    notice.told_on, notice.method = body.told_on, body.method
    by = actor.id if actor.is_user else None  # the party, reading it in the portal
    await stages.record_event(db, complaint, by, "party_notice.told")
    await audit.record(db, actor, "investigation.record_party_told", "party_notice", notice.id)
    return notice


async def waive(
    db: AsyncSession,
    actor: Principal,
    complaint: Complaint,
    notice_id: uuid.UUID,
    body: PartyNoticeWaiverIn,
) -> PartyNotice:
    """The handling ombudsperson decides a party will not be told of a stage, and why;
    the notice is owed no longer (the complaint may close), and the waiver is audited."""
    assert actor.id is not None
    notice = await _owed(db, complaint, notice_id)
    notice.waived_at, notice.waived_by, notice.waiver_reason = utcnow(), actor.id, body.reason
    await stages.record_event(db, complaint, actor.id, "party_notice.waived")
    await audit.record(db, actor, "investigation.waive_party_notice", "party_notice", notice.id)
    return notice
