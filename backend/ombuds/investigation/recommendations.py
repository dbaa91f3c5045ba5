"""4.3.1(viii) recommendations: made by the CRC, handed to the table officers in an
explicit, recorded disclosure (5.1), and tracked by them until implemented."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import access, stages
from ombuds.investigation.checks import Dates, local_date
from ombuds.investigation.schemas import (
    DisclosureRecommendationsIn,
    RecommendationIn,
    RecommendationStatusIn,
    TrackedStatus,
)
from ombuds.kit.errors import Conflict, NotFound, field_error
from ombuds.models import (
    Complaint,
    Disclosure,
    DisclosurePurpose,
    DisclosureRecipient,
    Finding,
    Recommendation,
    RecommendationStatus,
    Role,
    User,
    UserRole,
)
from ombuds.notifications import triggers


async def add(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: RecommendationIn
) -> Recommendation:
    stages.require(complaint, stages.Action.add_recommendation)
    if complaint.finding is not Finding.harassment_found:
        raise Conflict(
            "The CRC found no harassment: the complaint was dismissed and takes no "
            "recommendations (4.3.1(viii)).",
            errors=[field_error("finding", "harassment_found", "recommendations follow a finding")],
        )
    recommendation = Recommendation(complaint_id=complaint.id, kind=body.kind, text=body.text)
    db.add(recommendation)
    await db.flush()
    await stages.record_event(db, complaint, actor.id, "recommendation.added")
    await audit.record(
        db, actor, "investigation.add_recommendation", "recommendation", recommendation.id
    )
    return recommendation


async def listing(db: AsyncSession, actor: Principal, complaint: Complaint) -> list[Recommendation]:
    rows = await db.scalars(
        select(Recommendation)
        .where(Recommendation.complaint_id == complaint.id)
        .order_by(Recommendation.created_at, Recommendation.id)
    )
    await audit.record(db, actor, "investigation.read_recommendations", "complaint", complaint.id)
    return list(rows.all())


async def unrecused_officers(db: AsyncSession, complaint: Complaint) -> list[User]:
    """The active table officers who are not recused on the complaint (4.3.1(iv))."""
    officers = await db.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.table_officer, User.is_active)
        .order_by(User.username)
    )
    kept: list[User] = []
    for officer in officers.all():
        recused = await db.scalar(
            select(Complaint.id).where(
                Complaint.id == complaint.id, access.officer_recused(officer.id, officer.member_id)
            )
        )
        if recused is None:
            kept.append(officer)
    return kept


async def disclose(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: DisclosureRecommendationsIn
) -> Disclosure:
    """5.1: the undisclosed recommendations go to every table officer not recused, for
    corrective action; the disclosure records what, to whom, by whom and why."""
    assert actor.id is not None
    stages.require(complaint, stages.Action.disclose_recommendations)
    pending = list(
        (
            await db.scalars(
                select(Recommendation)
                .where(
                    Recommendation.complaint_id == complaint.id,
                    Recommendation.disclosure_id.is_(None),
                )
                .order_by(Recommendation.created_at, Recommendation.id)
            )
        ).all()
    )
    if not pending:
        raise Conflict(
            "Every recommendation has already been disclosed, or none was made.",
            errors=[
                field_error("recommendations", "undisclosed_recommendations", "none to disclose")
            ],
        )
    officers = await unrecused_officers(db, complaint)
    if not officers:
        raise Conflict(
            "No table officer can receive the recommendations: every active table officer is "
            "recused on this complaint (4.3.1(iv)).",
            errors=[field_error("recipients", "unrecused_table_officer", "none available")],
        )
    disclosure = Disclosure(
        complaint_id=complaint.id,
        purpose=DisclosurePurpose.corrective_action,
        reason=body.reason,
        content="\n\n".join(r.text for r in pending),
        disclosed_by=actor.id,
    )
    db.add(disclosure)
    await db.flush()
    db.add_all(
        DisclosureRecipient(
            disclosure_id=disclosure.id,
            complaint_id=complaint.id,
            user_id=o.id,
            recipient=f"table officer {o.username}",
        )
        for o in officers
    )
    for recommendation in pending:
        recommendation.disclosure_id = disclosure.id
    await stages.record_event(db, complaint, actor.id, "recommendations.disclosed")
    await triggers.recommendations_disclosed(db, complaint, actor.id, [o.id for o in officers])
    await audit.record(
        db, actor, "investigation.disclose_recommendations", "disclosure", disclosure.id
    )
    return disclosure


def _disclosed_to(officer: Principal, complaint: Complaint) -> Select[Recommendation, datetime]:
    """The complaint's recommendations disclosed to this table officer, with when."""
    return (
        select(Recommendation, Disclosure.disclosed_at)
        .join(Disclosure, Disclosure.id == Recommendation.disclosure_id)
        .join(DisclosureRecipient, DisclosureRecipient.disclosure_id == Disclosure.id)
        .where(
            Recommendation.complaint_id == complaint.id,
            DisclosureRecipient.user_id == officer.id,
        )
    )


async def for_officer(
    db: AsyncSession, officer: Principal, complaint: Complaint
) -> list[tuple[Recommendation, datetime]]:
    """Only the recommendations disclosed to this table officer, with when (5.1)."""
    rows = await db.execute(
        _disclosed_to(officer, complaint).order_by(
            Disclosure.disclosed_at, Recommendation.created_at, Recommendation.id
        )
    )
    await audit.record(db, officer, "recommendations.read_for_officer", "complaint", complaint.id)
    return [(r, at) for r, at in rows.all()]


async def set_status(
    db: AsyncSession,
    officer: Principal,
    complaint: Complaint,
    recommendation_id: uuid.UUID,
    body: RecommendationStatusIn,
) -> tuple[Recommendation, datetime]:
    """4.3.1(viii): the table officers implement (or decline) what was disclosed to them."""
    stages.require(complaint, stages.Action.track_recommendation)
    row = (
        await db.execute(
            _disclosed_to(officer, complaint).where(Recommendation.id == recommendation_id)
        )
    ).first()
    if row is None:
        raise NotFound("No such recommendation.")
    recommendation, disclosed_at = row
    if recommendation.status is RecommendationStatus.implemented:
        raise Conflict(
            "This recommendation is already implemented; its tracking is complete.",
            errors=[field_error("status", "not_implemented", "already implemented")],
        )
    Dates().not_in_future("status_on", body.status_on).not_before(
        "status_on",
        body.status_on,
        local_date(disclosed_at),
        "on_or_after_disclosure",
        "on or after the day the recommendation was disclosed",
    ).check()
    recommendation.status = RecommendationStatus(body.status.value)
    recommendation.status_on = body.status_on
    recommendation.status_note = body.status_note
    event = "implemented" if body.status is TrackedStatus.implemented else "declined"
    await stages.record_event(db, complaint, officer.id, f"recommendation.{event}")
    await audit.record(
        db, officer, "recommendations.set_status", "recommendation", recommendation.id
    )
    return recommendation, disclosed_at
