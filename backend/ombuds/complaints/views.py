"""Shaping complaints for case workers, with the ETag every change must send back."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.principal import Principal
from ombuds.complaints import actions, service
from ombuds.complaints.access import etag
from ombuds.complaints.schemas import (
    ComplaintDetail,
    ComplaintSummary,
    DeadlineOut,
    IncidentOut,
    NextDeadline,
    PersonOut,
)
from ombuds.deadlines import service as deadlines
from ombuds.models import Category, Complaint, Deadline


def deadline_out(d: Deadline) -> DeadlineOut:
    return DeadlineOut(
        id=d.id,
        kind=d.kind,
        status=d.status,
        due_on=d.due_on,
        overdue=deadlines.is_overdue(d),
        trigger_on=d.trigger_on,
        period_days=d.period_days,
        nominal_due_on=d.nominal_due_on,
        moved_by=d.moved_by,
        explanation=d.explanation,
        satisfied_on=d.satisfied_on,
    )


async def detail(
    db: AsyncSession, actor: Principal, complaint: Complaint, response: Response
) -> ComplaintDetail:
    """The case worker's view of the complaint, with its ETag in the response headers."""
    await db.flush()  # the version moves on flush; the ETag must carry the new one
    view = await service.detail(db, actor, complaint)
    allowed = await actions.allowed_actions(db, actor, complaint)
    response.headers["ETag"] = etag(complaint)
    c = complaint
    return ComplaintDetail(
        id=c.id,
        reference=c.reference,
        version=c.version,
        stage=c.stage,
        closure=c.closure,
        closed_on=c.closed_on,
        received_on=c.received_on,
        setting=c.setting,
        redirected_to=c.redirected_to,
        redirected_on=c.redirected_on,
        other_routes_told_on=c.other_routes_told_on,
        resolution_sought=c.resolution_sought,
        grounds=c.grounds,
        people=[
            PersonOut(
                id=p.person.id,
                role=p.person.role,
                member_id=p.person.member_id,
                full_name=p.full_name,
                unit_id=p.member.unit_id if p.member else None,
                contact=p.person.contact,
            )
            for p in view.people
        ],
        incidents=[
            IncidentOut(
                id=i.id,
                what=i.what,
                occurred_on=i.occurred_on,
                occurred_at=i.occurred_at,
                location=i.location,
                categories=[Category(x) for x in i.categories],
            )
            for i in view.incidents
        ],
        formal_route=c.formal_route,
        formal_route_chosen_on=c.formal_route_chosen_on,
        other_party_reviewed_on=c.other_party_reviewed_on,
        response_received_on=c.response_received_on,
        response_text=c.response_text,
        table_officers_notified_on=c.table_officers_notified_on,
        table_officers_notice_recorded_at=c.table_officers_notice_recorded_at,
        deadlines=[deadline_out(d) for d in view.deadlines],
        allowed_actions=[a.value for a in allowed],
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def summary(row: service.SummaryRow) -> ComplaintSummary:
    c, d = row.complaint, row.next_deadline
    return ComplaintSummary(
        id=c.id,
        reference=c.reference,
        stage=c.stage,
        closure=c.closure,
        received_on=c.received_on,
        updated_at=c.updated_at,
        next_deadline=NextDeadline(kind=d.kind, due_on=d.due_on, overdue=deadlines.is_overdue(d))
        if d
        else None,
    )
