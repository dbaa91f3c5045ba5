from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from ombuds.kit.apidoc import CONFLICT
from ombuds.kit.deps import DbSession
from ombuds.kit.errors import NotFound
from ombuds.kit.pagination import (
    Cursor,
    PageSize,
    cursor_uuid,
    decode_cursor,
    encode_cursor,
    invalid_cursor,
)
from ombuds.kit.schemas import Page
from ombuds.notifications import inbox, reads
from ombuds.notifications.access import NOT_FOUND, DeliveryAdministrator, NotificationReader
from ombuds.notifications.schemas import (
    DeliveryRetried,
    FailedDelivery,
    MarkedRead,
    NotificationOut,
    PreferencesOut,
    PreferencesUpdate,
    UnreadCount,
)

router = APIRouter(prefix="/api/notifications", tags=["notifications"])

VERSIONED: dict[int | str, dict[str, Any]] = {
    412: {"description": "The preferences changed since the ETag sent"},
    428: {"description": "If-Match is missing"},
}
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", description="The ETag from the last read of the preferences"),
]


def _after(cursor: str | None) -> tuple[datetime, uuid.UUID] | None:
    key = decode_cursor(cursor, 2)
    if key is None:
        return None
    try:
        at = datetime.fromisoformat(key[0])
    except ValueError as exc:
        raise invalid_cursor() from exc
    if at.tzinfo is None:
        raise invalid_cursor()
    return at, cursor_uuid(key[1])


@router.get("", response_model=Page[NotificationOut], name="list")
async def list_notifications(
    db: DbSession, actor: NotificationReader, cursor: Cursor = None, limit: PageSize = 50
) -> Page[NotificationOut]:
    """The caller's own notifications, newest first."""
    rows = await reads.page(db, actor, after=_after(cursor), limit=limit)
    last = rows[-1] if len(rows) == limit else None
    return Page(
        items=[NotificationOut.model_validate(r) for r in rows],
        next_cursor=encode_cursor(last.created_at.isoformat(), last.id) if last else None,
    )


@router.get("/unread-count", response_model=UnreadCount)
async def unread_count(db: DbSession, actor: NotificationReader) -> UnreadCount:
    """How many of the caller's notifications are unread (the header's count)."""
    return UnreadCount(unread=await reads.unread(db, actor))


@router.post("/read-all", response_model=MarkedRead)
async def read_all(db: DbSession, actor: NotificationReader) -> MarkedRead:
    """Mark every one of the caller's notifications read."""
    return MarkedRead(marked=await inbox.mark_all_read(db, actor))


@router.get("/preferences", response_model=PreferencesOut)
async def get_preferences(
    db: DbSession, actor: NotificationReader, response: Response
) -> PreferencesOut:
    """The caller's choices: immediate or digest, the kinds turned off, address, language."""
    out = await inbox.preferences(db, actor)
    response.headers["ETag"] = out.etag
    return out


@router.put("/preferences", response_model=PreferencesOut, responses=VERSIONED)
async def set_preferences(
    db: DbSession,
    actor: NotificationReader,
    body: PreferencesUpdate,
    response: Response,
    if_match: IfMatch = None,
) -> PreferencesOut:
    """Change the caller's choices; the kinds the policy makes theirs stay on."""
    out = await inbox.set_preferences(db, actor, body, if_match)
    response.headers["ETag"] = out.etag
    return out


@router.get("/failed-deliveries", response_model=Page[FailedDelivery])
async def failed_deliveries(
    db: DbSession, _: DeliveryAdministrator, cursor: Cursor = None, limit: PageSize = 50
) -> Page[FailedDelivery]:
    """Messages every attempt failed to deliver: who, what kind, when; never the case."""
    rows = await reads.failed_deliveries(db, after=_after(cursor), limit=limit)
    last = rows[-1] if len(rows) == limit else None
    return Page(
        items=[FailedDelivery.model_validate(r) for r in rows],
        next_cursor=encode_cursor(last.created_at.isoformat(), last.id) if last else None,
    )


@router.post(
    "/failed-deliveries/{delivery_id}/retry", response_model=DeliveryRetried, responses=CONFLICT
)
async def retry_delivery(
    db: DbSession, actor: DeliveryAdministrator, delivery_id: uuid.UUID
) -> DeliveryRetried:
    """Send a failed message again: back in the queue, its attempts counted afresh."""
    message = await inbox.retry(db, actor, delivery_id)
    return DeliveryRetried(id=message.id, status="pending", attempts=message.attempts)


@router.post("/{notification_id}/read", response_model=NotificationOut)
async def mark_read(
    db: DbSession, actor: NotificationReader, notification_id: uuid.UUID
) -> NotificationOut:
    """Mark one of the caller's notifications read."""
    await inbox.mark_read(db, actor, notification_id)
    row = await reads.one(db, actor, notification_id)
    if row is None:
        raise NotFound(NOT_FOUND)
    return NotificationOut.model_validate(row)
