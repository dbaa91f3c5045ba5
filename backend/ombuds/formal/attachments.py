"""Documents attached to a complaint, such as the signed letter (4.3.1(i)).

The type is read from the content (magic bytes), never from the name or the client's
Content-Type. The original file name is kept, sanitised, for the download, and is never
written to a log, an audit entry or an error. A name whose extension does not match the
type read from the content is renamed to that type (`x.html` holding a PDF is kept as
`x.pdf`; a name without an extension gets one), so that nothing downstream (a browser, a
file manager, a mail client) opens the download as another type: the upload is not refused,
since scanners and phones name files carelessly, and the answer shows the name kept."""

from __future__ import annotations

import hashlib
import unicodedata
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import stages
from ombuds.formal.schemas import AttachmentPurpose
from ombuds.kit.errors import InvalidInput, NotFound, PayloadTooLarge, field_error
from ombuds.models import Attachment, Complaint
from ombuds.settings import Settings

NOT_FOUND = "No such attachment on this complaint."
MAX_FILENAME = 200
# (leading bytes, media type, extension for a file that arrives without a usable name)
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
_UNSAFE = set('<>:"|?*')
# The extensions a name may keep for each accepted type; the first is the one given.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg", ".jpe"),
}


def sniff(content: bytes) -> tuple[str, str] | None:
    """The media type and extension the content itself declares, if it is one we accept."""
    for magic, media_type, extension in SIGNATURES:
        if content.startswith(magic):
            return media_type, extension
    return None


def sanitise_filename(raw: str | None, extension: str) -> str:
    """The last path component, without control characters or characters unsafe on common
    file systems, at most 200 characters (the extension kept when shortened)."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(
        "_" if ch in _UNSAFE else ch for ch in name if unicodedata.category(ch)[0] != "C"
    )
    name = name.strip().lstrip(".").strip()
    if not name:
        name = "attachment" + extension
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        if dot and stem and 0 < len(ext) <= 10:
            name = stem[: MAX_FILENAME - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_FILENAME]
    return name


def named_for_type(name: str, media_type: str) -> str:
    """``name`` with the extension of the type its content was read as: kept when it
    already matches (any case), replaced when it does not, added when there is none."""
    extensions = EXTENSIONS[media_type]
    stem, dot, ext = name.rpartition(".")
    if dot and stem and f".{ext.lower()}" in extensions:
        return name
    base = stem if dot and stem else name
    return base[: MAX_FILENAME - len(extensions[0])].rstrip() + extensions[0]


def content_disposition(filename: str) -> str:
    """RFC 6266: an ASCII fallback, and the exact name as RFC 8187 `filename*`."""
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\%' else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@dataclass(frozen=True)
class Checked:
    """What the content checks make of an upload: the name kept, the type read."""

    filename: str
    media_type: str
    size: int
    sha256: str


def checked(settings: Settings, content: bytes, filename: str | None) -> Checked:
    """The checks every upload passes (the letter's, a portal message's): at most
    `max_upload_bytes` (413), a PDF, PNG or JPEG by its content (422 on `file`), and its
    name sanitised and matched to that type."""
    if len(content) > settings.max_upload_bytes:
        raise PayloadTooLarge(f"The file is larger than {settings.max_upload_bytes} bytes.")
    kind = sniff(content)
    if kind is None:
        raise InvalidInput(
            "Only PDF, PNG and JPEG files are accepted; the type is read from the content.",
            errors=[field_error("file", "content_type", "a PDF, PNG or JPEG file")],
        )
    media_type, extension = kind
    return Checked(
        filename=named_for_type(sanitise_filename(filename, extension), media_type),
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


async def add(
    db: AsyncSession,
    settings: Settings,
    actor: Principal,
    complaint: Complaint,
    *,
    content: bytes,
    filename: str | None,
    purpose: AttachmentPurpose,
) -> Attachment:
    stages.require(complaint, stages.Action.attach_document)
    assert actor.id is not None
    file = checked(settings, content, filename)
    attachment = Attachment(
        complaint_id=complaint.id,
        purpose=purpose.value,
        filename=file.filename,
        media_type=file.media_type,
        size=file.size,
        sha256=file.sha256,
        content=content,
        uploaded_by=actor.id,
    )
    db.add(attachment)
    await db.flush()
    await stages.record_event(db, complaint, actor.id, "attachment.added")
    await audit.record(db, actor, "formal.add_attachment", "attachment", attachment.id)
    return attachment


async def list_for(db: AsyncSession, actor: Principal, complaint: Complaint) -> list[Attachment]:
    """Metadata only: the content stays in the database until it is downloaded."""
    rows = await db.scalars(
        select(Attachment)
        .options(defer(Attachment.content, raiseload=True))
        .where(Attachment.complaint_id == complaint.id)
        .order_by(Attachment.uploaded_at, Attachment.id)
    )
    await audit.record(db, actor, "formal.list_attachments", "complaint", complaint.id)
    return list(rows.all())


async def download(
    db: AsyncSession, actor: Principal, complaint: Complaint, attachment_id: uuid.UUID
) -> Attachment:
    attachment = await db.scalar(
        select(Attachment).where(
            Attachment.id == attachment_id, Attachment.complaint_id == complaint.id
        )
    )
    if attachment is None:
        raise NotFound(NOT_FOUND)
    await audit.record(db, actor, "formal.download_attachment", "attachment", attachment.id)
    return attachment
