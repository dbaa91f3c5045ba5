from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Response, UploadFile, status
from pydantic import BaseModel, ConfigDict, Field

from ombuds.complaints import access, views
from ombuds.complaints.access import CaseWorker, IfMatch, Ombudsperson
from ombuds.complaints.schemas import ComplaintDetail
from ombuds.deadlines import service as deadlines
from ombuds.formal import access as handling
from ombuds.formal import attachments, service
from ombuds.formal.schemas import (
    AttachmentOut,
    AttachmentPurpose,
    LetterIn,
    LetterOut,
    OtherPartyReviewIn,
    ResponseIn,
    ResponseStatusOut,
    RouteIn,
    TableOfficerNoticeIn,
    TableOfficerNoticeOut,
)
from ombuds.kit.deps import AppSettings, DbSession
from ombuds.models import Attachment, Complaint, Letter

router = APIRouter(prefix="/api/complaints", tags=["formal"])
READ_RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such complaint, or not one the caller may see"},
}
CHANGE_RESPONSES: dict[int | str, dict[str, str]] = {
    **READ_RESPONSES,
    403: {"description": "The caller does not handle this complaint (e.g. a CRC member)"},
    409: {"description": "The current stage (or an earlier step) does not allow this"},
    412: {"description": "The complaint changed since the caller read it"},
    428: {"description": "If-Match is missing"},
}
DOWNLOAD_TYPES: dict[str, dict[str, Any]] = {m: {} for _, m, _ in attachments.SIGNATURES}


async def _etag(db: DbSession, complaint: Complaint, response: Response) -> None:
    await db.flush()  # the version moves on flush; the ETag must carry the new one
    response.headers["ETag"] = access.etag(complaint)


def _letter_out(complaint: Complaint, letter: Letter | None) -> LetterOut:
    missing = service.missing_from(letter)
    return LetterOut(
        complaint_id=complaint.id,
        what_took_place=letter.what_took_place if letter else None,
        when_it_took_place=letter.when_it_took_place if letter else None,
        occurred_at=service.local_time(letter.occurred_at) if letter else None,
        witnesses=letter.witnesses if letter else None,
        resolution_sought=letter.resolution_sought if letter else None,
        signed_on=letter.signed_on if letter else None,
        complete=not missing,
        missing=missing,
        updated_at=letter.updated_at if letter else None,
    )


def _status_out(s: service.ResponseStatus) -> ResponseStatusOut:
    d = s.deadline
    return ResponseStatusOut(
        reviewed_on=s.reviewed_on,
        deadline_id=d.id if d else None,
        due_on=d.due_on if d else None,
        nominal_due_on=d.nominal_due_on if d else None,
        moved_by=d.moved_by if d else None,
        explanation=d.explanation if d else None,
        received_on=s.received_on,
        flag=s.flag,
    )


def _attachment_out(a: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=a.id,
        complaint_id=a.complaint_id,
        purpose=AttachmentPurpose(a.purpose),
        filename=a.filename,
        media_type=a.media_type,
        size=a.size,
        sha256=a.sha256,
        uploaded_by=a.uploaded_by,
        uploaded_at=a.uploaded_at,
    )


@router.post(
    "/{complaint_id}/formal-route", response_model=ComplaintDetail, responses=CHANGE_RESPONSES
)
async def choose_route(
    db: DbSession,
    settings: AppSettings,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    body: RouteIn,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetail:
    """Record the member's formal route: a CUPE constitutional charge, or this procedure."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    await service.choose_route(db, settings, actor, complaint, body)
    return await views.detail(db, actor, complaint, response)


@router.get("/{complaint_id}/letter", response_model=LetterOut, responses=READ_RESPONSES)
async def get_letter(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, response: Response
) -> LetterOut:
    """The letter (4.3.1(i)), whether it is complete and what it still lacks (audited)."""
    complaint = await access.readable(db, actor, complaint_id)
    letter = await service.read_letter(db, actor, complaint)
    await _etag(db, complaint, response)
    return _letter_out(complaint, letter)


@router.put("/{complaint_id}/letter", response_model=LetterOut, responses=CHANGE_RESPONSES)
async def save_letter(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    body: LetterIn,
    response: Response,
    if_match: IfMatch = None,
) -> LetterOut:
    """Save the letter's draft as a whole (fields left out are not yet written)."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    letter = await service.save_letter(db, actor, complaint, body)
    await _etag(db, complaint, response)
    return _letter_out(complaint, letter)


@router.post(
    "/{complaint_id}/letter/complete", response_model=ComplaintDetail, responses=CHANGE_RESPONSES
)
async def complete_letter(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    response: Response,
    if_match: IfMatch = None,
) -> ComplaintDetail:
    """Complete the signed letter; an incomplete one is refused with every missing part."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    await service.complete_letter(db, actor, complaint)
    return await views.detail(db, actor, complaint, response)


class AttachmentUpload(BaseModel):
    """Multipart form: unknown fields are refused, as in every input."""

    model_config = ConfigDict(extra="forbid")

    file: UploadFile = Field(description="PDF, PNG or JPEG (checked by content)")
    purpose: AttachmentPurpose = AttachmentPurpose.document


@router.post(
    "/{complaint_id}/attachments",
    response_model=AttachmentOut,
    status_code=status.HTTP_201_CREATED,
    responses={
        **CHANGE_RESPONSES,
        413: {"description": "The file is larger than the upload limit"},
    },
)
async def add_attachment(
    db: DbSession,
    settings: AppSettings,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    upload: Annotated[AttachmentUpload, Form()],
    response: Response,
    if_match: IfMatch = None,
) -> AttachmentOut:
    """Attach a document, such as the signed letter, to the complaint."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    content = await upload.file.read(settings.max_upload_bytes + 1)
    attachment = await attachments.add(
        db,
        settings,
        actor,
        complaint,
        content=content,
        filename=upload.file.filename,
        purpose=upload.purpose,
    )
    await _etag(db, complaint, response)
    return _attachment_out(attachment)


@router.get(
    "/{complaint_id}/attachments", response_model=list[AttachmentOut], responses=READ_RESPONSES
)
async def list_attachments(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID
) -> list[AttachmentOut]:
    """The documents attached to a complaint, without their content (the read is audited)."""
    complaint = await access.readable(db, actor, complaint_id)
    return [_attachment_out(a) for a in await attachments.list_for(db, actor, complaint)]


@router.get(
    "/{complaint_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        **READ_RESPONSES,
        200: {"description": "The document as uploaded", "content": DOWNLOAD_TYPES},
    },
)
async def download_attachment(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, attachment_id: uuid.UUID
) -> Response:
    """Download an attached document (the read is audited)."""
    complaint = await access.readable(db, actor, complaint_id)
    a = await attachments.download(db, actor, complaint, attachment_id)
    return Response(
        content=a.content,
        media_type=a.media_type,
        headers={
            "Content-Disposition": attachments.content_disposition(a.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/{complaint_id}/other-party-review",
    response_model=ResponseStatusOut,
    responses=CHANGE_RESPONSES,
)
async def record_other_party_review(
    db: DbSession,
    settings: AppSettings,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    body: OtherPartyReviewIn,
    response: Response,
    if_match: IfMatch = None,
) -> ResponseStatusOut:
    """Record the review with the other party; the written response falls due (4.3.1(ii))."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    s = await service.record_other_party_review(db, settings, actor, complaint, body.reviewed_on)
    await _etag(db, complaint, response)
    return _status_out(s)


@router.post(
    "/{complaint_id}/response", response_model=ResponseStatusOut, responses=CHANGE_RESPONSES
)
async def record_response(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    body: ResponseIn,
    response: Response,
    if_match: IfMatch = None,
) -> ResponseStatusOut:
    """Record the other party's written response and the date it was received."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    s = await service.record_response(db, actor, complaint, body.received_on, body.text)
    await _etag(db, complaint, response)
    return _status_out(s)


@router.get(
    "/{complaint_id}/response-status", response_model=ResponseStatusOut, responses=READ_RESPONSES
)
async def get_response_status(
    db: DbSession, actor: CaseWorker, complaint_id: uuid.UUID, response: Response
) -> ResponseStatusOut:
    """When the written response is due, how that was computed, and whether it came."""
    complaint = await access.readable(db, actor, complaint_id)
    s = await service.read_response_status(db, actor, complaint)
    await _etag(db, complaint, response)
    return _status_out(s)


@router.post(
    "/{complaint_id}/notify-table-officers",
    response_model=TableOfficerNoticeOut,
    responses=CHANGE_RESPONSES,
)
async def notify_table_officers(
    db: DbSession,
    actor: Ombudsperson,
    complaint_id: uuid.UUID,
    response: Response,
    if_match: IfMatch = None,
    body: TableOfficerNoticeIn | None = None,
) -> TableOfficerNoticeOut:
    """Tell the table officers a complaint exists and a CRC must be struck (4.3.1(iii))."""
    complaint = await handling.for_handling(db, actor, complaint_id, if_match)
    occurred_on = body.occurred_on if body else None
    deadline = await service.notify_table_officers(db, actor, complaint, occurred_on)
    await _etag(db, complaint, response)
    assert complaint.table_officers_notified_on is not None
    assert complaint.table_officers_notice_recorded_at is not None
    return TableOfficerNoticeOut(
        reference=complaint.reference,
        stage=complaint.stage,
        notified_on=complaint.table_officers_notified_on,
        recorded_at=complaint.table_officers_notice_recorded_at,
        due_on=deadline.due_on if deadline else None,
        deadline_status=deadline.status if deadline else None,
        overdue=deadline is not None and deadlines.is_overdue(deadline),
    )
