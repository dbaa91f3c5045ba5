"""The audit log: who did what to which object, when, with what outcome (5.1)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, Index, Integer, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base


class Outcome(StrEnum):
    success = "success"
    denied = "denied"
    failed = "failed"


class AuditEntry(Base):
    """Append-only. `seq` is the order entries were written in; `row_mac` is the entry's
    own HMAC, written with it. The sealer (ombuds.audit.chain.seal) later gives each
    committed entry its place in the chain: `chain_pos`, and `prev_hash`/`entry_hash` (the
    link's HMAC covers the position, `seq`, `row_mac` and the previous link). Entries from
    before row MACs existed have none: their `entry_hash` covers their fields directly."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        # What the sealer looks for every second: cheap when nothing is waiting.
        Index(
            "ix_audit_entries_unsealed",
            "seq",
            sqlite_where=text("chain_pos IS NULL"),
            postgresql_where=text("chain_pos IS NULL"),
        ),
    )

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
    row_mac: Mapped[str | None] = mapped_column(String(64))
    chain_pos: Mapped[int | None] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), index=True, unique=True
    )
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))
