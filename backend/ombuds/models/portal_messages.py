"""Messages between a party in the portal and the people who handle their complaint
(issue 16): the handling ombudsperson and, once it is struck, the CRC.

One thread per person of the complaint: a party never sees another party's messages.
Bodies and attachments are sealed under the complaint's data key, so they are destroyed
with it (5.1, retention/destroy.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin
from ombuds.kit.encryption import EncryptedBytes, EncryptedText


class PortalMessage(IdMixin, Base):
    """One message in a person's thread: from the party (`author_user_id` empty) or from
    a member of staff who may read the thread (their user id)."""

    __tablename__ = "portal_messages"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key
    __table_args__ = (Index("ix_portal_messages_person_created", "person_id", "created_at"),)

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaint_people.id", ondelete="CASCADE")
    )
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_by_party_at: Mapped[datetime | None]
    read_by_staff_at: Mapped[datetime | None]


class PortalMessageAttachment(IdMixin, Base):
    """A file attached to a message, content-checked like the letter's
    (formal/attachments.py)."""

    __tablename__ = "portal_message_attachments"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("portal_messages.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(EncryptedText())
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(EncryptedBytes())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
