"""The audit log: who did what to which object, when, with what outcome (5.1)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base


class Outcome(StrEnum):
    success = "success"
    denied = "denied"
    failed = "failed"


class AuditEntry(Base):
    """Append-only. `seq` orders the chain; `prev_hash`/`entry_hash` carry the tamper
    evidence (each entry's hash covers its fields and the previous entry's hash)."""

    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(80))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    outcome: Mapped[Outcome] = mapped_column(
        Enum(Outcome, name="audit_outcome", native_enum=False, length=10)
    )
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
