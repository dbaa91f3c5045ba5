from __future__ import annotations

import uuid
from datetime import datetime

from ombuds.kit.schemas import OutputSchema
from ombuds.models import DisclosurePurpose


class Discloser(OutputSchema):
    id: uuid.UUID
    display_name: str


class RegisterRecipient(OutputSchema):
    recipient: str
    user_id: uuid.UUID | None


class RegisterEntry(OutputSchema):
    """One disclosure: its purpose stands for its reason; the free-text reason and the
    content stay with the complaint, where only those in the roles read them."""

    id: uuid.UUID
    complaint_reference: str
    purpose: DisclosurePurpose
    disclosed_at: datetime
    disclosed_by: Discloser
    recipients: list[RegisterRecipient]
