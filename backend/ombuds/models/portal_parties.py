"""What the parties themselves write in the portal, besides messages (issue 16).

A witness answers the CRC's request to speak with them with their availability: a short
free text, sealed under the complaint's data key like everything a party types, and
destroyed with the complaint's content (retention/destroy.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin
from ombuds.kit.encryption import EncryptedText


class WitnessAvailability(IdMixin, Base):
    """One answer of a witness's (the latest is the one that holds); never edited."""

    __tablename__ = "witness_availabilities"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key
    __table_args__ = (Index("ix_witness_availabilities_person_given", "person_id", "given_at"),)

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaint_people.id", ondelete="CASCADE")
    )
    availability: Mapped[str] = mapped_column(EncryptedText())
    given_at: Mapped[datetime] = mapped_column(default=utcnow)
