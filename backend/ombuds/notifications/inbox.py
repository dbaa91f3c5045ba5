"""What a person does with their notifications, and what administrators do with the
deliveries that failed. Flushes, never commits."""

from __future__ import annotations

import uuid

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import flag_modified

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.kit.clock import utcnow
from ombuds.kit.errors import (
    Conflict,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    field_error,
)
from ombuds.models import (
    REQUIRED_KINDS,
    DeliveryMode,
    DeliveryStatus,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboxMessage,
    User,
)
from ombuds.notifications.access import NOT_FOUND, own_notifications
from ombuds.notifications.schemas import KindPreference, PreferencesOut, PreferencesUpdate


async def mark_read(db: AsyncSession, principal: Principal, notification_id: uuid.UUID) -> None:
    """Marks one of the caller's notifications read (again: no change); 404 for any other."""
    found = await db.scalar(
        select(Notification.id).where(
            Notification.id == notification_id, own_notifications(principal)
        )
    )
    if found is None:
        raise NotFound(NOT_FOUND)
    await db.execute(
        update(Notification)
        .where(Notification.id == notification_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )


async def mark_all_read(db: AsyncSession, principal: Principal) -> int:
    result = await db.execute(
        update(Notification)
        .where(own_notifications(principal), Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


# -- preferences -----------------------------------------------------------------------------


def preferences_etag(user_id: uuid.UUID, version: int) -> str:
    return f'"{user_id.hex[:12]}-p{version}"'


async def _preferences(
    db: AsyncSession, principal: Principal
) -> tuple[User, NotificationPreference | None]:
    user = await db.get(User, principal.id)
    if user is None:  # a session outlives no user; kept for the type checker
        raise NotFound("No such user.")
    return user, await db.get(NotificationPreference, user.id)


def _out(user: User, pref: NotificationPreference | None) -> PreferencesOut:
    muted = set(pref.muted if pref is not None else [])
    return PreferencesOut(
        mode=pref.mode if pref is not None else DeliveryMode.immediate,
        kinds=[
            KindPreference(
                kind=kind,
                required=kind in REQUIRED_KINDS,
                enabled=kind in REQUIRED_KINDS or kind.value not in muted,
            )
            for kind in NotificationKind
        ],
        email=user.email,
        language="fr" if user.language == "fr" else "en",
        etag=preferences_etag(user.id, pref.version if pref is not None else 0),
    )


async def preferences(db: AsyncSession, principal: Principal) -> PreferencesOut:
    return _out(*await _preferences(db, principal))


async def set_preferences(
    db: AsyncSession, principal: Principal, body: PreferencesUpdate, if_match: str | None
) -> PreferencesOut:
    """The person's choices, at the version they read (428 without it, 412 when stale)."""
    user, pref = await _preferences(db, principal)
    current = preferences_etag(user.id, pref.version if pref is not None else 0)
    if if_match is None:
        raise PreconditionRequired(
            "Send If-Match with the ETag from your last read of the preferences.",
            errors=[field_error("If-Match", "required", "the preferences' ETag")],
        )
    if if_match.strip() != current:
        raise PreconditionFailed(
            "Your preferences changed since you read them; reload and reapply.",
            current_version=pref.version if pref is not None else 0,
        )
    muted = sorted({k.value for k in body.muted})
    if pref is None:
        pref = NotificationPreference(user_id=user.id, mode=body.mode, muted=muted)
        db.add(pref)
    else:
        pref.mode = body.mode
        pref.muted = muted
        flag_modified(pref, "muted")  # every change moves the version, even a no-op
    user.email = str(body.email) if body.email is not None else None
    user.language = body.language
    user.updated_at = utcnow()
    await db.flush()
    await audit.record(db, principal, "notifications.set_preferences", "user", user.id)
    return _out(user, pref)


# -- failed deliveries -----------------------------------------------------------------------


async def retry(db: AsyncSession, actor: Principal, delivery_id: uuid.UUID) -> OutboxMessage:
    """A failed message back in the queue, its attempts counted afresh."""
    message = await db.get(OutboxMessage, delivery_id)
    if message is None:
        raise NotFound("No such delivery.")
    if message.status is not DeliveryStatus.failed:
        raise Conflict(
            "Only a delivery that failed is sent again.",
            errors=[field_error("status", "only_failed", "the delivery has not failed")],
        )
    message.status = DeliveryStatus.pending
    message.attempts = 0
    message.next_attempt_at = utcnow()
    message.last_error = None
    message.lease_until = None
    message.lease_token = None
    await db.flush()
    await audit.record(db, actor, "notifications.retry_delivery", "outbox", message.id)
    return message
