"""What a calendar shows a principal: the deadlines they may see, ready to render.

Shared by the feeds and the CalDAV push; visibility is `deadlines.access.visible_deadlines`."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from ombuds.auth.principal import Principal, PrincipalKind
from ombuds.calendars.ics import CANCELLED_KEPT, Entry
from ombuds.deadlines import service as deadlines
from ombuds.deadlines.access import sees_every_deadline, sees_policy_reviews, visible_deadlines
from ombuds.kit.clock import LOCAL_ZONE
from ombuds.models import Complaint, Deadline, DeadlineStatus, Scope, User
from ombuds.settings import Settings

# A shared union calendar sees what an integration token with deadlines:read sees.
UNION = Principal(PrincipalKind.service, scopes=frozenset({Scope.deadlines_read.value}))


async def user_with_roles(db: AsyncSession, user_id: uuid.UUID) -> User | None:
    return await db.scalar(select(User).where(User.id == user_id).options(selectinload(User.roles)))


def principal_for(user: User) -> Principal:
    """The user as the access rules know them (roles loaded)."""
    return Principal(
        PrincipalKind.user,
        id=user.id,
        roles=user.role_set,
        member_id=user.member_id,
        staff_resource_kind=user.staff_resource_kind,
    )


def complaint_url(base_url: str, complaint_id: uuid.UUID) -> str:
    """The complaint's page in the app (it requires login)."""
    return f"{base_url.rstrip('/')}/complaints/{complaint_id}"


async def entries(
    db: AsyncSession,
    settings: Settings,
    principal: Principal,
    *,
    base_url: str | None,
    now: datetime,
) -> list[Entry]:
    """The principal's deadlines by (due date, id): open ones, and cancelled or met ones
    for 30 days after their change. Links only for users (integrations: references only)."""
    if sees_policy_reviews(principal):
        await deadlines.ensure_upcoming_policy_reviews(
            db, settings, now.astimezone(LOCAL_ZONE).date()
        )
    complaint = aliased(Complaint)
    stmt = (
        select(Deadline, complaint.reference)
        .outerjoin(complaint, complaint.id == Deadline.complaint_id)
        .where(
            visible_deadlines(principal),
            or_(
                Deadline.status == DeadlineStatus.open,
                Deadline.updated_at >= now - CANCELLED_KEPT,
            ),
        )
        .order_by(Deadline.due_on, Deadline.id)
    )
    link = base_url is not None and not sees_every_deadline(principal)
    out: list[Entry] = []
    for deadline, reference in (await db.execute(stmt)).all():
        url = None
        if link and base_url is not None and deadline.complaint_id is not None:
            url = complaint_url(base_url, deadline.complaint_id)
        out.append(Entry(deadline, reference, url))
    return out
