"""6: the reviews of the policy the Executive has held."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin
from ombuds.kit.encryption import EncryptedText


class PolicyReview(IdMixin, Base):
    """A review held: the next one is due three years after it (6). `deadline_id` is the
    review deadline it met (or met late), if one was open."""

    __tablename__ = "policy_reviews"
    __table_args__ = (Index("ix_policy_reviews_held_on", "held_on"),)

    held_on: Mapped[date]
    note: Mapped[str] = mapped_column(EncryptedText())
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("deadlines.id"))
