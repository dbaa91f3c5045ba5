"""Tamper evidence for the audit log: each entry's HMAC covers its fields and the previous
entry's HMAC. The key lives outside the database (setting OMBUDS_AUDIT_KEY), so whoever can
edit rows cannot recompute the chain."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import AuditEntry

GENESIS = "0" * 64
# Any constant: the advisory lock that makes appends to the chain one at a time.
CHAIN_LOCK = 500_4_31


def entry_mac(key: bytes, entry: AuditEntry, prev_hash: str) -> str:
    fields = [
        prev_hash,
        entry.occurred_at.isoformat(),
        entry.actor_kind,
        str(entry.actor_id or ""),
        entry.action,
        entry.object_type,
        entry.object_id or "",
        entry.outcome.value,
    ]
    message = "\x1f".join(fields).encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


async def last_hash(db: AsyncSession) -> str:
    """The chain's current end, with appends serialised until this transaction ends."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
    found = await db.scalar(select(AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1))
    return found or GENESIS


@dataclass(frozen=True)
class Verdict:
    checked: int
    first_broken_seq: int | None
    reason: str | None

    @property
    def intact(self) -> bool:
        return self.first_broken_seq is None


async def _entries(db: AsyncSession, batch: int) -> AsyncIterator[AuditEntry]:
    after = 0
    while True:
        rows = (
            await db.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq > after)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
        ).all()
        if not rows:
            return
        for row in rows:
            yield row
        after = rows[-1].seq


async def verify(db: AsyncSession, key: bytes, *, batch: int = 1000) -> Verdict:
    """Walk the chain in order; name the first entry whose link or content was changed."""
    prev = GENESIS
    checked = 0
    async for entry in _entries(db, batch):
        if entry.prev_hash != prev:
            return Verdict(
                checked,
                entry.seq,
                "its link to the previous entry is broken "
                "(an entry before it was removed or changed)",
            )
        if entry.entry_hash != entry_mac(key, entry, prev):
            return Verdict(checked, entry.seq, "its content was changed")
        prev = entry.entry_hash
        checked += 1
    return Verdict(checked, None, None)
