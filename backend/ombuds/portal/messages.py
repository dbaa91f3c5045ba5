"""Messages between a party in the portal and the people who handle their complaint:
the ombudsperson who took it in and, once it is struck, the CRC (issue 16).

One thread per person of the complaint; a party reads and writes only their own. Every
read of a thread is audited, with ids only. A party's message notifies the handling
ombudsperson and the struck CRC, without a word of its content. A party whose complaint
has closed (the read-only grace period) may read their thread but not write in it."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ColumnElement, Exists, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import access as complaints_access
from ombuds.formal import attachments as files
from ombuds.kit.clock import utcnow
from ombuds.kit.errors import Conflict, NotFound
from ombuds.kit.pagination import cursor_uuid, decode_cursor, invalid_cursor
from ombuds.models import (
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    ComplaintPerson,
    NotificationKind,
    PortalMessage,
    PortalMessageAttachment,
)
from ombuds.notifications import service as notifications
from ombuds.settings import Settings

MAX_BODY = 10_000  # characters
MAX_ATTACHMENTS = 5  # per message
NOT_FOUND = "No such message."
NO_PERSON = "No such person on this complaint."


class PortalReadOnly(Conflict):
    slug, title = "portal-read-only", "The portal is read-only"


READ_ONLY = (
    "The complaint is closed: the portal stays open to read for a while, but nothing more "
    "can be sent through it."
)
TOO_MANY_FILES = f"A message carries at most {MAX_ATTACHMENTS} attachments."


# -- who on the staff side -------------------------------------------------------------------


def _on_struck_committee(complaint_id: uuid.UUID, user_id: uuid.UUID) -> Exists:
    return exists().where(
        Committee.complaint_id == complaint_id,
        Committee.status == CommitteeStatus.confirmed,
        or_(
            Committee.staff_resource_id == user_id,
            exists().where(
                CommitteeMember.committee_id == Committee.id, CommitteeMember.user_id == user_id
            ),
        ),
    )


async def for_staff(db: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> Complaint:
    """The complaint, if the caller took it in or sits on its struck CRC; otherwise 404,
    even for others who may read the complaint (an informal attempt's ombudsperson)."""
    complaint = await complaints_access.readable(db, principal, complaint_id)
    assert principal.id is not None  # readable only by a signed-in user
    if complaint.intake_ombudsperson_id == principal.id:
        return complaint
    if await db.scalar(select(_on_struck_committee(complaint.id, principal.id))):
        return complaint
    raise NotFound(complaints_access.NOT_FOUND)


async def _person(db: AsyncSession, complaint: Complaint, person_id: uuid.UUID) -> ComplaintPerson:
    person = await db.scalar(
        select(ComplaintPerson).where(
            ComplaintPerson.id == person_id, ComplaintPerson.complaint_id == complaint.id
        )
    )
    if person is None:
        raise NotFound(NO_PERSON)
    return person


# -- reading and writing a thread ------------------------------------------------------------


async def _page(
    db: AsyncSession,
    where: ColumnElement[bool],
    cursor: str | None,
    limit: int,
) -> list[PortalMessage]:
    """Oldest first, keyset on (created_at, id)."""
    stmt = (
        select(PortalMessage)
        .where(where)
        .order_by(PortalMessage.created_at, PortalMessage.id)
        .limit(limit)
    )
    key = decode_cursor(cursor, 2)
    if key is not None:
        try:
            after = datetime.fromisoformat(key[0])
        except ValueError as exc:
            raise invalid_cursor() from exc
        last = cursor_uuid(key[1])
        stmt = stmt.where(
            or_(
                PortalMessage.created_at > after,
                and_(PortalMessage.created_at == after, PortalMessage.id > last),
            )
        )
    return list((await db.scalars(stmt)).all())


async def attachments_of(
    db: AsyncSession, messages: list[PortalMessage]
) -> dict[uuid.UUID, list[PortalMessageAttachment]]:
    """Each message's attachments, metadata only."""
    found: dict[uuid.UUID, list[PortalMessageAttachment]] = {m.id: [] for m in messages}
    if not messages:
        return found
    rows = await db.scalars(
        select(PortalMessageAttachment)
        .options(defer(PortalMessageAttachment.content, raiseload=True))
        .where(PortalMessageAttachment.message_id.in_(list(found)))
        .order_by(PortalMessageAttachment.created_at, PortalMessageAttachment.id)
    )
    for a in rows:
        found[a.message_id].append(a)
    return found


async def party_thread(
    db: AsyncSession, principal: Principal, *, cursor: str | None, limit: int
) -> list[PortalMessage]:
    """The party's own thread; what the staff side wrote is marked read by them."""
    assert principal.person_id is not None
    page = await _page(db, PortalMessage.person_id == principal.person_id, cursor, limit)
    await _mark_read(db, page, by_party=True)
    await audit.record(
        db, principal, "portal.read_messages", "complaint_person", principal.person_id
    )
    return page


async def staff_thread(
    db: AsyncSession,
    principal: Principal,
    complaint: Complaint,
    person_id: uuid.UUID | None,
    *,
    cursor: str | None,
    limit: int,
) -> list[PortalMessage]:
    """One person's thread, or every thread of the complaint (each message names its
    person), for the staff side; what the party wrote is marked read."""
    if person_id is None:
        where = PortalMessage.complaint_id == complaint.id
        audited: tuple[str, uuid.UUID] = ("complaint", complaint.id)
    else:
        person = await _person(db, complaint, person_id)
        where = PortalMessage.person_id == person.id
        audited = ("complaint_person", person.id)
    page = await _page(db, where, cursor, limit)
    await _mark_read(db, page, by_party=False)
    await audit.record(db, principal, "portal.read_thread", *audited)
    return page


async def _mark_read(db: AsyncSession, page: list[PortalMessage], *, by_party: bool) -> None:
    # The party reads what the staff side wrote, and the staff side what the party wrote.
    unread = [
        m
        for m in page
        if (m.author_user_id is not None) == by_party
        and (m.read_by_party_at if by_party else m.read_by_staff_at) is None
    ]
    if not unread:
        return
    now = utcnow()
    column = "read_by_party_at" if by_party else "read_by_staff_at"
    await db.execute(
        update(PortalMessage)
        .where(PortalMessage.id.in_([m.id for m in unread]))
        .values({column: now})
        .execution_options(synchronize_session=False)
    )
    for m in unread:
        setattr(m, column, now)


async def post_by_party(db: AsyncSession, principal: Principal, body: str) -> PortalMessage:
    """The party writes in their thread; the handling ombudsperson and the struck CRC are
    told that a message is waiting (4.3.1(vii): both parties are kept informed)."""
    if principal.read_only:
        raise PortalReadOnly(READ_ONLY)
    assert principal.complaint_id is not None and principal.person_id is not None
    message = PortalMessage(
        complaint_id=principal.complaint_id, person_id=principal.person_id, body=body
    )
    db.add(message)
    await db.flush()
    await audit.record(db, principal, "portal.send_message", "portal_message", message.id)
    complaint = await db.get(Complaint, principal.complaint_id)
    assert complaint is not None  # the party's session resolved it in this transaction
    told = [
        *notifications.handling_ombudsperson(complaint),
        *await notifications.committee_members(db, complaint.id),
    ]
    await notifications.notify(
        db, NotificationKind.portal_message_received, told, complaint_id=complaint.id
    )
    return message


async def reply(
    db: AsyncSession, principal: Principal, complaint: Complaint, person_id: uuid.UUID, body: str
) -> PortalMessage:
    """The staff side writes in a person's thread."""
    person = await _person(db, complaint, person_id)
    message = PortalMessage(
        complaint_id=complaint.id, person_id=person.id, author_user_id=principal.id, body=body
    )
    db.add(message)
    await db.flush()
    await audit.record(db, principal, "portal.reply", "portal_message", message.id)
    return message


# -- attachments -----------------------------------------------------------------------------


async def _message(db: AsyncSession, person_id: uuid.UUID, message_id: uuid.UUID) -> PortalMessage:
    message = await db.scalar(
        select(PortalMessage).where(
            PortalMessage.id == message_id, PortalMessage.person_id == person_id
        )
    )
    if message is None:
        raise NotFound(NOT_FOUND)
    return message


async def party_attach(
    db: AsyncSession,
    settings: Settings,
    principal: Principal,
    message_id: uuid.UUID,
    *,
    content: bytes,
    filename: str | None,
) -> PortalMessageAttachment:
    """A file on the party's own message, content-checked like the letter's."""
    assert principal.person_id is not None
    message = await _message(db, principal.person_id, message_id)
    if message.author_user_id is not None:
        raise NotFound(NOT_FOUND)  # one of the staff side's: not the party's to change
    if principal.read_only:
        raise PortalReadOnly(READ_ONLY)
    return await _attach(db, principal, message, settings, content, filename)


async def staff_attach(
    db: AsyncSession,
    settings: Settings,
    principal: Principal,
    complaint: Complaint,
    message_id: uuid.UUID,
    *,
    content: bytes,
    filename: str | None,
) -> PortalMessageAttachment:
    """A file on a message the staff side wrote (the handling ombudsperson or a member of
    the struck CRC: they answer as one) in one of the complaint's threads."""
    message = await db.scalar(
        select(PortalMessage).where(
            PortalMessage.id == message_id, PortalMessage.complaint_id == complaint.id
        )
    )
    if message is None or message.author_user_id is None:
        raise NotFound(NOT_FOUND)  # a party's message is theirs alone to attach to
    return await _attach(db, principal, message, settings, content, filename)


async def _attach(
    db: AsyncSession,
    principal: Principal,
    message: PortalMessage,
    settings: Settings,
    content: bytes,
    filename: str | None,
) -> PortalMessageAttachment:
    file = files.checked(settings, content, filename)
    count = len((await attachments_of(db, [message]))[message.id])
    if count >= MAX_ATTACHMENTS:
        raise Conflict(TOO_MANY_FILES)
    attachment = PortalMessageAttachment(
        complaint_id=message.complaint_id,
        message_id=message.id,
        filename=file.filename,
        media_type=file.media_type,
        size=file.size,
        sha256=file.sha256,
        content=content,
    )
    db.add(attachment)
    await db.flush()
    await audit.record(db, principal, "portal.attach", "portal_message_attachment", attachment.id)
    return attachment


async def download(
    db: AsyncSession,
    principal: Principal,
    person_id: uuid.UUID | None,
    complaint_id: uuid.UUID,
    message_id: uuid.UUID,
    attachment_id: uuid.UUID,
) -> PortalMessageAttachment:
    """An attachment of a message in the complaint (and, for a party, in their thread)."""
    stmt = (
        select(PortalMessageAttachment)
        .join(PortalMessage, PortalMessage.id == PortalMessageAttachment.message_id)
        .where(
            PortalMessageAttachment.id == attachment_id,
            PortalMessageAttachment.message_id == message_id,
            PortalMessage.complaint_id == complaint_id,
        )
    )
    if person_id is not None:
        stmt = stmt.where(PortalMessage.person_id == person_id)
    attachment = await db.scalar(stmt)
    if attachment is None:
        raise NotFound(files.NOT_FOUND)
    await audit.record(
        db, principal, "portal.download_attachment", "portal_message_attachment", attachment.id
    )
    return attachment
