"""The notifications' lists: one statement a page, rows straight into the schema.

A person's page joins each notification to its outbox message (the delivery's state) and
to its complaint, whose id and reference come out only where the visibility rule of
complaints/access.py still lets the person see it."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, case, func, literal, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.principal import Principal
from ombuds.models import (
    Complaint,
    DeliveryStatus,
    Notification,
    OutboxMessage,
    User,
)
from ombuds.notifications.access import complaint_visible, own_notifications
from ombuds.notifications.schemas import Delivery


def _notifications(principal: Principal) -> Select[Any]:
    visible = and_(Complaint.id.is_not(None), complaint_visible(principal))
    # The status as its text ("none" is no DeliveryStatus: no message, in the app only).
    status = type_coerce(OutboxMessage.status, String(40))
    delivery = func.coalesce(status, literal(Delivery.none.value, String(40)))
    return (
        select(
            Notification.id,
            Notification.kind,
            Notification.due_on,
            Notification.created_at,
            Notification.read_at,
            delivery.label("delivery"),
            case((visible, Complaint.id), else_=None).label("complaint_id"),
            case((visible, Complaint.reference), else_=None).label("reference"),
        )
        .outerjoin(OutboxMessage, OutboxMessage.notification_id == Notification.id)
        .outerjoin(Complaint, Complaint.id == Notification.complaint_id)
        .where(own_notifications(principal))
    )


async def page(
    db: AsyncSession,
    principal: Principal,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Any]:
    """The caller's notifications, newest first, keyset-paged by (created_at, id)."""
    stmt = _notifications(principal)
    if after is not None:
        at, last = after
        stmt = stmt.where(
            or_(
                Notification.created_at < at,
                and_(Notification.created_at == at, Notification.id < last),
            )
        )
    stmt = stmt.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list((await db.execute(stmt)).all())


async def one(db: AsyncSession, principal: Principal, notification_id: uuid.UUID) -> Any:
    stmt = _notifications(principal).where(Notification.id == notification_id)
    return (await db.execute(stmt)).first()


async def unread(db: AsyncSession, principal: Principal) -> int:
    stmt = select(func.count(Notification.id)).where(
        own_notifications(principal), Notification.read_at.is_(None)
    )
    return int(await db.scalar(stmt) or 0)


async def failed_deliveries(
    db: AsyncSession, *, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Any]:
    """Messages every attempt failed to deliver, newest first: who, what kind, when, the
    error's type. Never the complaint (administrators see no case, POLICY.md roles)."""
    stmt = (
        select(
            OutboxMessage.id,
            User.display_name,
            Notification.kind,
            OutboxMessage.attempts,
            OutboxMessage.last_error,
            OutboxMessage.created_at,
        )
        .join(Notification, Notification.id == OutboxMessage.notification_id)
        .join(User, User.id == OutboxMessage.user_id)
        .where(OutboxMessage.status == DeliveryStatus.failed)
    )
    if after is not None:
        at, last = after
        stmt = stmt.where(
            or_(
                OutboxMessage.created_at < at,
                and_(OutboxMessage.created_at == at, OutboxMessage.id < last),
            )
        )
    stmt = stmt.order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)
    return list((await db.execute(stmt)).all())
