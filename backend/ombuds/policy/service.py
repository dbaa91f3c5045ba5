"""6: recording a policy review held. It closes the review deadline it meets (met, or met
late), supersedes the dates counted from the last one, and the next review falls due three
years after it (deadlines/service.py counts from the last review held)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.deadlines import service as deadlines
from ombuds.kit.clock import local_today, utcnow
from ombuds.kit.errors import InvalidInput, field_error
from ombuds.models import Deadline, DeadlineKind, DeadlineStatus, PolicyReview
from ombuds.policy.schemas import PolicyReviewIn, PolicyReviewOut
from ombuds.settings import Settings


def _refuse(rule: str, message: str, detail: str) -> InvalidInput:
    return InvalidInput(detail, errors=[field_error("held_on", rule, message)])


async def record(
    db: AsyncSession, settings: Settings, actor: Principal, body: PolicyReviewIn
) -> PolicyReviewOut:
    """A review held on ``body.held_on``: audited; its note is encrypted at rest."""
    assert actor.id is not None
    today = local_today()
    if body.held_on > today:
        raise _refuse("not_in_future", "on or before today", "A review cannot be held later.")
    if body.held_on < settings.policy_implemented_on:
        raise _refuse(
            "not_before_implementation",
            f"on or after {settings.policy_implemented_on.isoformat()}",
            "A review cannot be held before the policy was implemented.",
        )
    last = await deadlines.last_policy_review_held(db)
    if last is not None and body.held_on <= last:
        raise _refuse(
            "after_last_review",
            f"after {last.isoformat()}",
            "A review is recorded after the last one recorded.",
        )
    await deadlines.ensure_upcoming_policy_reviews(db, settings, today)
    still_open = list(
        await db.scalars(
            select(Deadline)
            .where(
                Deadline.complaint_id.is_(None),
                Deadline.kind == DeadlineKind.policy_review,
                Deadline.status == DeadlineStatus.open,
            )
            .order_by(Deadline.due_on, Deadline.id)
        )
    )
    met = still_open[0] if still_open else None
    now = utcnow()
    for deadline in still_open:
        if deadline is met:
            deadline.status = (
                DeadlineStatus.met if body.held_on <= deadline.due_on else DeadlineStatus.met_late
            )
            deadline.satisfied_on = body.held_on
        else:  # counted from the last review, now superseded: off every calendar
            deadline.status = DeadlineStatus.cancelled
        deadline.sequence += 1
        deadline.updated_at = now
    review = PolicyReview(
        held_on=body.held_on,
        note=body.note,
        recorded_by=actor.id,
        deadline_id=met.id if met else None,
    )
    db.add(review)
    await db.flush()
    await deadlines.ensure_upcoming_policy_reviews(db, settings, today)
    await audit.record(db, actor, "policy.record_review", "policy_review", review.id)
    return _out(review, met, report_from(settings, last))


def report_from(settings: Settings, previous: date | None) -> date:
    """6: a review looks back from the day after the previous one held, or from the
    policy's implementation; the statistics' default period starts there too."""
    return previous + timedelta(days=1) if previous else settings.policy_implemented_on


def _out(review: PolicyReview, deadline: Deadline | None, since: date) -> PolicyReviewOut:
    return PolicyReviewOut(
        report_from=since,
        report_to=review.held_on,
        id=review.id,
        held_on=review.held_on,
        note=review.note,
        recorded_at=review.recorded_at,
        deadline_due_on=deadline.due_on if deadline else None,
        deadline_status=deadline.status if deadline else None,
    )


async def held(db: AsyncSession, settings: Settings, actor: Principal) -> list[PolicyReviewOut]:
    """Every review recorded, the latest first (audited: the notes are read)."""
    rows = await db.execute(
        select(PolicyReview, Deadline)
        .outerjoin(Deadline, Deadline.id == PolicyReview.deadline_id)
        .order_by(PolicyReview.held_on.desc(), PolicyReview.id)
    )
    await audit.record(db, actor, "policy.read_reviews", "policy_review", None)
    found = rows.all()
    earlier: list[date | None] = [review.held_on for review, _ in found[1:]]
    earlier += [None] * min(len(found), 1)  # the first review looks back to implementation
    return [
        _out(review, deadline, report_from(settings, previous))
        for (review, deadline), previous in zip(found, earlier, strict=True)
    ]
