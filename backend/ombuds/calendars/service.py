"""What a calendar shows a principal: the deadlines they may see, ready to render.

Shared by the feeds and the CalDAV push; visibility is `deadlines.access.visible_deadlines`."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, or_, select
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


class EntryKey(NamedTuple):
    """What a feed render reads of one entry (ics.render_feed is a pure function of these):
    read as plain columns, it tells whether a client's copy is current without loading
    the records."""

    id: uuid.UUID
    kind: str
    status: str
    due_on: date
    sequence: int
    created_at: datetime
    updated_at: datetime
    reference: str | None
    url: str | None


def key_of(entry: Entry) -> EntryKey:
    d = entry.deadline
    return EntryKey(
        d.id,
        d.kind.value,
        d.status.value,
        d.due_on,
        d.sequence,
        d.created_at,
        d.updated_at,
        entry.reference,
        entry.url,
    )


async def _shown(
    db: AsyncSession, settings: Settings, principal: Principal, now: datetime
) -> tuple[type[Complaint], Select[Any]]:
    """The principal's deadlines by (due date, id): open ones, and cancelled or met ones
    for 30 days after their change; the caller picks the columns."""
    if sees_policy_reviews(principal):
        await deadlines.ensure_upcoming_policy_reviews(
            db, settings, now.astimezone(LOCAL_ZONE).date()
        )
    complaint = aliased(Complaint)
    stmt = (
        select()
        .select_from(Deadline)
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
    return complaint, stmt


def _link(base_url: str | None, principal: Principal, complaint_id: uuid.UUID | None) -> str | None:
    """Links only for users (integrations: references only)."""
    if base_url is None or sees_every_deadline(principal) or complaint_id is None:
        return None
    return complaint_url(base_url, complaint_id)


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
    complaint, stmt = await _shown(db, settings, principal, now)
    rows = await db.execute(stmt.add_columns(Deadline, complaint.reference))
    return [
        Entry(deadline, reference, _link(base_url, principal, deadline.complaint_id))
        for deadline, reference in rows.all()
    ]


async def entry_keys(
    db: AsyncSession,
    settings: Settings,
    principal: Principal,
    *,
    base_url: str | None,
    now: datetime,
) -> list[EntryKey]:
    """`key_of` each of `entries(...)`, read as plain columns (no records loaded)."""
    complaint, stmt = await _shown(db, settings, principal, now)
    stmt = stmt.add_columns(
        Deadline.id,
        Deadline.kind,
        Deadline.status,
        Deadline.due_on,
        Deadline.sequence,
        Deadline.created_at,
        Deadline.updated_at,
        complaint.reference,
        Deadline.complaint_id,
    )
    keys = []
    for row in (await db.execute(stmt)).all():
        *record, reference, complaint_id = row
        i, kind, status, due_on, sequence, created_at, updated_at = record
        url = _link(base_url, principal, complaint_id)
        keys.append(
            EntryKey(
                i,
                kind.value,
                status.value,
                due_on,
                sequence,
                created_at,
                updated_at,
                reference,
                url,
            )
        )
    return keys
