"""The portal's messages: the party's own thread on /api/portal/messages, and each
person's thread on the complaint for the handling ombudsperson and the struck CRC."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from ombuds.complaints.access import CaseWorker
from ombuds.formal import attachments as files
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.kit.pagination import Cursor, PageSize, encode_cursor
from ombuds.kit.schemas import Page
from ombuds.models import PortalMessage, PortalMessageAttachment
from ombuds.portal import messages as service
from ombuds.portal.access import Party
from ombuds.portal.message_schemas import (
    MessageAttachmentOut,
    MessageForParty,
    MessageForStaff,
    MessageIn,
    ReplyIn,
)

router = APIRouter(prefix="/api/complaints", tags=["portal"])
party_router = APIRouter(prefix="/api/portal", tags=["portal"])

STAFF: dict[int | str, dict[str, str]] = {
    404: {
        "description": "No such complaint, person or message, or the caller neither took the "
        "complaint in nor sits on its struck CRC"
    },
}
READ_ONLY: dict[int | str, dict[str, str]] = {
    409: {"description": "The complaint is closed: the portal is read-only (portal-read-only)"},
}
UPLOAD: dict[int | str, dict[str, str]] = {
    409: {"description": "Read-only portal, or the message already carries 5 attachments"},
    413: {"description": "The file is larger than the upload limit"},
}
DOWNLOAD_TYPES: dict[str, dict[str, Any]] = {m: {} for _, m, _ in files.SIGNATURES}
DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {"description": "The file as uploaded", "content": DOWNLOAD_TYPES},
    404: {"description": "No such attachment in the caller's reach"},
}


class MessageAttachmentUpload(BaseModel):
    """Multipart form: unknown fields are refused, as in every input."""

    model_config = ConfigDict(extra="forbid")

    file: UploadFile = Field(description="PDF, PNG or JPEG (checked by content)")


def _attachments_out(found: list[PortalMessageAttachment]) -> list[MessageAttachmentOut]:
    return [MessageAttachmentOut.model_validate(a) for a in found]


def _for_party(
    m: PortalMessage, found: dict[uuid.UUID, list[PortalMessageAttachment]]
) -> MessageForParty:
    mine = m.author_user_id is None
    return MessageForParty(
        id=m.id,
        from_you=mine,
        body=m.body,
        sent_at=m.created_at,
        read_at=m.read_by_staff_at if mine else m.read_by_party_at,
        attachments=_attachments_out(found.get(m.id, [])),
    )


def _for_staff(
    m: PortalMessage, found: dict[uuid.UUID, list[PortalMessageAttachment]]
) -> MessageForStaff:
    return MessageForStaff(
        id=m.id,
        person_id=m.person_id,
        from_party=m.author_user_id is None,
        author_user_id=m.author_user_id,
        body=m.body,
        sent_at=m.created_at,
        read_by_party_at=m.read_by_party_at,
        read_by_staff_at=m.read_by_staff_at,
        attachments=_attachments_out(found.get(m.id, [])),
    )


def _next(page: list[PortalMessage], limit: int) -> str | None:
    return (
        encode_cursor(page[-1].created_at.isoformat(), page[-1].id) if len(page) == limit else None
    )


def _file(a: PortalMessageAttachment) -> Response:
    return Response(
        content=a.content,
        media_type=a.media_type,
        headers={
            "Content-Disposition": files.content_disposition(a.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


# -- the party's side ------------------------------------------------------------------------


@party_router.get("/messages", response_model=Page[MessageForParty], name="list-messages")
async def list_messages(
    db: DbSession, party: Party, cursor: Cursor = None, limit: PageSize = 50
) -> Page[MessageForParty]:
    """The party's messages with the ombudsperson and the CRC, oldest first (audited)."""
    page = await service.party_thread(db, party, cursor=cursor, limit=limit)
    found = await service.attachments_of(db, page)
    return Page(items=[_for_party(m, found) for m in page], next_cursor=_next(page, limit))


@party_router.post(
    "/messages",
    response_model=MessageForParty,
    status_code=status.HTTP_201_CREATED,
    responses=READ_ONLY,
    name="send-message",
)
async def send_message(db: DbSession, party: Party, body: MessageIn) -> MessageForParty:
    """Send a message to the ombudsperson (and the CRC, once struck)."""
    message = await service.post_by_party(db, party, body.body)
    return _for_party(message, {})


@party_router.post(
    "/messages/{message_id}/attachments",
    response_model=MessageAttachmentOut,
    status_code=status.HTTP_201_CREATED,
    responses={**UPLOAD, 404: {"description": "No such message of the party's"}},
    name="attach-to-message",
)
async def attach_to_message(
    db: DbSession,
    settings: AppSettings,
    party: Party,
    message_id: uuid.UUID,
    upload: Annotated[MessageAttachmentUpload, Form()],
) -> MessageAttachmentOut:
    """Attach a file (PDF, PNG or JPEG) to a message the party sent."""
    content = await upload.file.read(settings.max_upload_bytes + 1)
    attachment = await service.party_attach(
        db, settings, party, message_id, content=content, filename=upload.file.filename
    )
    return MessageAttachmentOut.model_validate(attachment)


@party_router.get(
    "/messages/{message_id}/attachments/{file_id}",
    response_class=Response,
    responses=DOWNLOAD,
    name="download-message-attachment",
)
async def download_message_attachment(
    db: DbSession, party: Party, message_id: uuid.UUID, file_id: uuid.UUID
) -> Response:
    """Download a file attached to a message of the party's thread (audited)."""
    assert party.complaint_id is not None
    a = await service.download(db, party, party.person_id, party.complaint_id, message_id, file_id)
    return _file(a)


# -- the staff side --------------------------------------------------------------------------

PersonQuery = Annotated[
    uuid.UUID | None,
    Query(description="One person's thread; without it, every thread of the complaint"),
]


@router.get(
    "/{complaint_id}/portal-messages",
    response_model=Page[MessageForStaff],
    responses=STAFF,
    name="list-portal-messages",
)
async def list_portal_messages(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    person_id: PersonQuery = None,
    cursor: Cursor = None,
    limit: PageSize = 50,
) -> Page[MessageForStaff]:
    """The complaint's portal messages, or one person's thread, oldest first (audited)."""
    complaint = await service.for_staff(db, actor, complaint_id)
    page = await service.staff_thread(db, actor, complaint, person_id, cursor=cursor, limit=limit)
    found = await service.attachments_of(db, page)
    return Page(items=[_for_staff(m, found) for m in page], next_cursor=_next(page, limit))


@router.post(
    "/{complaint_id}/portal-messages",
    response_model=MessageForStaff,
    status_code=status.HTTP_201_CREATED,
    responses=STAFF,
    name="reply-portal-message",
)
async def reply_portal_message(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    body: ReplyIn,
) -> MessageForStaff:
    """Write in a person's thread of portal messages."""
    complaint = await service.for_staff(db, actor, complaint_id)
    message = await service.reply(db, actor, complaint, body.person_id, body.body)
    return _for_staff(message, {})


@router.post(
    "/{complaint_id}/portal-messages/{message_id}/attachments",
    response_model=MessageAttachmentOut,
    status_code=status.HTTP_201_CREATED,
    responses={**STAFF, **UPLOAD},
    name="attach-to-portal-message",
)
async def attach_to_portal_message(
    db: DbSession,
    settings: AppSettings,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    message_id: uuid.UUID,
    upload: Annotated[MessageAttachmentUpload, Form()],
) -> MessageAttachmentOut:
    """Attach a file (PDF, PNG or JPEG) to a message from the staff side."""
    complaint = await service.for_staff(db, actor, complaint_id)
    content = await upload.file.read(settings.max_upload_bytes + 1)
    attachment = await service.staff_attach(
        db, settings, actor, complaint, message_id, content=content, filename=upload.file.filename
    )
    return MessageAttachmentOut.model_validate(attachment)


@router.get(
    "/{complaint_id}/portal-messages/{message_id}/attachments/{file_id}",
    response_class=Response,
    responses=DOWNLOAD,
    name="download-portal-message-attachment",
)
async def download_portal_message_attachment(
    db: DbSession,
    actor: CaseWorker,
    complaint_id: uuid.UUID,
    message_id: uuid.UUID,
    file_id: uuid.UUID,
) -> Response:
    """Download a file attached to a portal message of the complaint (audited)."""
    complaint = await service.for_staff(db, actor, complaint_id)
    a = await service.download(db, actor, None, complaint.id, message_id, file_id)
    return _file(a)
