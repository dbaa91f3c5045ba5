"""Records that end on a schedule (5.1): legal holds, scheduled destructions, and the
register of destructions carried out. The register holds no content: a record's class,
its reference (or a consultation's id), the rule applied and the dates."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin
from ombuds.kit.encryption import EncryptedText

_ONE_RECORD = "(complaint_id IS NULL) <> (consultation_id IS NULL)"
_LIVE_HOLD = "lifted_at IS NULL"
_OWNER = "owner_id = COALESCE(complaint_id, consultation_id)"
_PENDING = "undone_at IS NULL AND done_at IS NULL"


def _enum(e: type[StrEnum], name: str) -> Enum:
    return Enum(e, name=name, native_enum=False, length=40, validate_strings=True)


class RetentionClass(StrEnum):
    """retention/classes.py's RecordClass, as stored (the same values)."""

    consultation = "consultation"
    redirected = "redirected"
    informal = "informal"
    withdrawn = "withdrawn"
    formal = "formal"


class CarriedOutVia(StrEnum):
    scheduled_job = "scheduled_job"  # the job inside the service
    command_line = "command_line"  # `ombuds retention run`


class LegalHold(IdMixin, Base):
    """A record that must not be destroyed: placed by the handling ombudsperson, with a
    reason; lifted by an administrator only, with a reason. A live hold has no lifted_at."""

    __tablename__ = "legal_holds"
    __data_key_owner__ = "owner_id"  # its reasons are sealed under the record's data key
    __table_args__ = (
        CheckConstraint(_ONE_RECORD, name="one_record"),
        CheckConstraint(_OWNER, name="owner_is_the_record"),
        Index(
            "uq_legal_holds_live_complaint",
            "complaint_id",
            unique=True,
            sqlite_where=text(_LIVE_HOLD),
            postgresql_where=text(_LIVE_HOLD),
        ),
        Index(
            "uq_legal_holds_live_consultation",
            "consultation_id",
            unique=True,
            sqlite_where=text(_LIVE_HOLD),
            postgresql_where=text(_LIVE_HOLD),
        ),
        Index("ix_legal_holds_placed_at_id", "placed_at", "id"),
    )

    complaint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("complaints.id"))
    consultation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE")
    )
    owner_id: Mapped[uuid.UUID]  # the held record: whose data key seals the reasons
    reason: Mapped[str | None] = mapped_column(EncryptedText())
    placed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    placed_at: Mapped[datetime] = mapped_column(default=utcnow)
    lifted_at: Mapped[datetime | None]
    lifted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    lift_reason: Mapped[str | None] = mapped_column(EncryptedText())

    def __init__(self, **values: Any) -> None:
        values.setdefault("owner_id", values.get("complaint_id") or values.get("consultation_id"))
        super().__init__(**values)


class ScheduledDestruction(IdMixin, Base):
    """A record past its retention period, to be destroyed on `carry_out_on` (the restore
    window's end) unless undone first. Pending: neither undone nor done."""

    __tablename__ = "scheduled_destructions"
    __table_args__ = (
        CheckConstraint(_ONE_RECORD, name="one_record"),
        Index(
            "uq_scheduled_destructions_pending_complaint",
            "complaint_id",
            unique=True,
            sqlite_where=text(_PENDING),
            postgresql_where=text(_PENDING),
        ),
        Index(
            "uq_scheduled_destructions_pending_consultation",
            "consultation_id",
            unique=True,
            sqlite_where=text(_PENDING),
            postgresql_where=text(_PENDING),
        ),
        Index("ix_scheduled_destructions_carry_out_on", "carry_out_on", "id"),
    )

    complaint_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("complaints.id"))
    consultation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE")
    )
    record_class: Mapped[RetentionClass] = mapped_column(_enum(RetentionClass, "record_class"))
    period_days: Mapped[int]
    closed_on: Mapped[date]
    due_on: Mapped[date]
    scheduled_at: Mapped[datetime] = mapped_column(default=utcnow)
    carry_out_on: Mapped[date]
    undone_at: Mapped[datetime | None]
    undone_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime | None]


class DestructionRecord(IdMixin, Base):
    """One destruction carried out (5.1): never a name, a narrative or a reason. A record
    is destroyed once: `record_id` is unique."""

    __tablename__ = "destruction_register"
    __table_args__ = (
        UniqueConstraint("record_id"),
        Index("ix_destruction_register_carried_out_at_id", "carried_out_at", "id"),
    )

    record_class: Mapped[RetentionClass] = mapped_column(_enum(RetentionClass, "record_class"))
    # A complaint's id, or a consultation's (consultations have no reference).
    record_id: Mapped[uuid.UUID]
    reference: Mapped[str | None] = mapped_column(String(12))
    period_days: Mapped[int]
    closed_on: Mapped[date]
    due_on: Mapped[date]
    scheduled_at: Mapped[datetime]
    carried_out_at: Mapped[datetime] = mapped_column(default=utcnow)
    carried_out_via: Mapped[CarriedOutVia] = mapped_column(_enum(CarriedOutVia, "carried_out_via"))
    carried_out_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # The data keys destroyed after the content (the record's, and the consultation's it
    # grew from), once the destruction has committed; null until then.
    data_keys: Mapped[list[str]] = mapped_column(JSON, default=list)
    keys_destroyed_at: Mapped[datetime | None]
