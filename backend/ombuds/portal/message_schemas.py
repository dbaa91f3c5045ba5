"""The portal's messages as each side sees them: the party's own thread (`MessageForParty`,
which says only whether the party wrote it) and the staff side's view of a person's thread
(`MessageForStaff`, which names the author among the staff)."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.portal.messages import MAX_BODY


class MessageIn(InputSchema):
    # Stripped first (InputSchema): a message of blanks is too short.
    body: str = Field(min_length=1, max_length=MAX_BODY, description="Plain text")


class ReplyIn(MessageIn):
    person_id: uuid.UUID = Field(description="The person of the complaint whose thread")


class MessageAttachmentOut(OutputSchema):
    """An attachment's metadata; its content is downloaded on its own (audited)."""

    id: uuid.UUID
    filename: str
    media_type: str
    size: int
    created_at: datetime


class MessageForParty(OutputSchema):
    id: uuid.UUID
    from_you: bool = Field(
        description="Written by the party; otherwise by the ombudsperson or the CRC"
    )
    body: str
    sent_at: datetime
    read_at: datetime | None = Field(
        description="When the other side first read it (the party's reading of a reply, the "
        "staff side's of the party's message)"
    )
    attachments: list[MessageAttachmentOut]


class MessageForStaff(OutputSchema):
    id: uuid.UUID
    person_id: uuid.UUID
    from_party: bool
    author_user_id: uuid.UUID | None = Field(description="The staff author; empty for the party")
    body: str
    sent_at: datetime
    read_by_party_at: datetime | None
    read_by_staff_at: datetime | None
    attachments: list[MessageAttachmentOut]
