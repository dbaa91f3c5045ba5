"""Shaping the investigation's records, one schema per role (5.1)."""

from __future__ import annotations

from datetime import datetime

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.complaints import access
from ombuds.complaints import views as complaint_views
from ombuds.deadlines import service as deadlines
from ombuds.investigation import service
from ombuds.investigation.disclosures import DisclosureView
from ombuds.investigation.schemas import (
    ConclusionsOut,
    DisclosureOut,
    PartyNoticeOut,
    RecipientOut,
    RecommendationForOfficer,
)
from ombuds.models import Complaint, DeadlineKind, PartyNotice, Recommendation


async def with_etag(db: AsyncSession, complaint: Complaint, response: Response) -> None:
    """The version moves on flush: the ETag must carry the new one."""
    await db.flush()
    response.headers["ETag"] = access.etag(complaint)


async def conclusions(db: AsyncSession, complaint: Complaint) -> ConclusionsOut:
    c = complaint
    report = await deadlines.find(db, c.id, DeadlineKind.crc_report)
    total, undisclosed = await service.recommendation_counts(db, c)
    return ConclusionsOut(
        stage=c.stage,
        closure=c.closure,
        closed_on=c.closed_on,
        finding=c.finding,
        findings_text=c.findings_text,
        findings_on=c.findings_on,
        crc_report=complaint_views.deadline_out(report) if report else None,
        recommendations=total,
        undisclosed_recommendations=undisclosed,
        complainant_told_conclusions_on=c.complainant_told_conclusions_on,
        other_party_told_conclusions_on=c.other_party_told_conclusions_on,
        complainant_not_satisfied_on=c.complainant_not_satisfied_on,
        referred_to_charge_on=c.referred_to_charge_on,
    )


def disclosure(view: DisclosureView) -> DisclosureOut:
    d = view.disclosure
    return DisclosureOut(
        id=d.id,
        purpose=d.purpose,
        reason=d.reason,
        content=d.content,
        disclosed_by=d.disclosed_by,
        disclosed_at=d.disclosed_at,
        recipients=[RecipientOut.model_validate(r) for r in view.recipients],
    )


def notice(n: PartyNotice) -> PartyNoticeOut:
    return PartyNoticeOut(
        id=n.id,
        stage=n.stage,
        party=n.party,
        owed_since=n.owed_since,
        owed=n.told_on is None and n.waived_at is None,
        told_on=n.told_on,
        method=n.method,
        waived_at=n.waived_at,
        waived_by=n.waived_by,
        waiver_reason=n.waiver_reason,
    )


def for_officer(recommendation: Recommendation, disclosed_at: datetime) -> RecommendationForOfficer:
    r = recommendation
    return RecommendationForOfficer(
        id=r.id,
        kind=r.kind,
        text=r.text,
        status=r.status,
        status_on=r.status_on,
        status_note=r.status_note,
        disclosed_at=disclosed_at,
    )
