"""Tamper evidence for the audit log, without a lock on the way in.

Writing an entry is one INSERT: the entry carries `row_mac`, an HMAC of its own fields.
A sealer, one at a time across every worker and instance, then links committed entries
into the chain: it gives each the next `chain_pos` and an `entry_hash`, the HMAC of that
position, the entry's `seq`, its row MAC and the previous link. The key lives outside the
database (setting OMBUDS_AUDIT_KEY), so whoever can edit rows can neither recompute a row
MAC nor relink the chain. `verify` walks the chain and names the first entry that was
changed, removed (the next one's link breaks) or moved, and any entry left unsealed for
longer than SEALING_WINDOW: the time within which an entry's removal could go unnoticed."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.kit.clock import utcnow
from ombuds.models import AuditEntry, Outcome

GENESIS = "0" * 64
# The sealer runs about every second; an entry still unsealed this long after it was
# written is reported by `verify` (a transaction that stays open longer than this, like a
# large import, is sealed by its command as soon as it commits).
SEALING_WINDOW = timedelta(seconds=10)
# Any constant: the advisory lock only a sealer takes, and only with pg_try_advisory_xact_lock.
SEAL_LOCK = 500_5_1
SEAL_BATCH = 2000


def _mac(key: bytes, fields: list[str]) -> str:
    return hmac.new(key, "\x1f".join(fields).encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Fields:
    """What an entry's MACs cover, for one about to be inserted with Core
    (audit.service.append) rather than as an `AuditEntry`."""

    occurred_at: datetime
    actor_kind: str
    actor_id: uuid.UUID | None
    action: str
    object_type: str
    object_id: str | None
    outcome: Outcome


def _content(entry: AuditEntry | Fields) -> list[str]:
    return [
        entry.occurred_at.isoformat(),
        entry.actor_kind,
        str(entry.actor_id or ""),
        entry.action,
        entry.object_type,
        entry.object_id or "",
        entry.outcome.value,
    ]


def row_mac(key: bytes, entry: AuditEntry | Fields) -> str:
    """The entry's own HMAC, computed before it is inserted."""
    return _mac(key, ["row", *_content(entry)])


def link_mac(key: bytes, chain_pos: int, seq: int, prev_hash: str, mac: str) -> str:
    """The chain's link for a sealed entry: its place, its seq, its row MAC, the one before."""
    return _mac(key, ["link", str(chain_pos), str(seq), prev_hash, mac])


def entry_mac(key: bytes, entry: AuditEntry, prev_hash: str) -> str:
    """The link of an entry written before row MACs: its fields and the previous link."""
    return _mac(key, [prev_hash, *_content(entry)])


async def seal(db: AsyncSession, key: bytes, *, batch: int = SEAL_BATCH) -> int:
    """Link up to `batch` committed, unsealed entries into the chain; the caller commits.

    Only one sealer runs at a time: on PostgreSQL it holds a transaction-level advisory lock
    that no request ever takes, tried without waiting (another sealer at work means there is
    nothing to do); SQLite serialises writers itself. Either way the unique `chain_pos` and
    the trigger (a sealed entry cannot be sealed again) turn a lost race into an error,
    never a fork. Entries are sealed in the order they become visible, which is why no
    watermark is needed: one still in flight is sealed, further along, once it commits."""
    waiting = select(AuditEntry.seq).where(AuditEntry.chain_pos.is_(None)).limit(1)
    if await db.scalar(waiting) is None:
        return 0  # the usual case, one indexed look-up a second
    if db.get_bind().dialect.name == "postgresql":
        got = await db.scalar(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SEAL_LOCK})
        if not got:
            return 0
    end = (
        await db.execute(
            select(AuditEntry.chain_pos, AuditEntry.entry_hash)
            .where(AuditEntry.chain_pos.is_not(None))
            .order_by(AuditEntry.chain_pos.desc())
            .limit(1)
        )
    ).first()
    pos, prev = (int(end[0] or 0), str(end[1])) if end else (0, GENESIS)
    pending = (
        await db.execute(
            select(AuditEntry.seq, AuditEntry.row_mac)
            .where(AuditEntry.chain_pos.is_(None))
            .order_by(AuditEntry.seq)
            .limit(batch)
        )
    ).all()
    links: list[dict[str, Any]] = []
    for seq, mac in pending:
        pos += 1
        link = link_mac(key, pos, seq, prev, mac or "")
        links.append({"seq": seq, "chain_pos": pos, "prev_hash": prev, "entry_hash": link})
        prev = link
    if links:
        await db.execute(update(AuditEntry), links)
    return len(links)


@dataclass(frozen=True)
class Verdict:
    checked: int
    first_broken_seq: int | None
    reason: str | None
    sealed: int = 0
    unsealed: int = 0
    end_pos: int = 0
    end_hash: str = GENESIS

    @property
    def intact(self) -> bool:
        return self.reason is None


async def _walk(db: AsyncSession, batch: int, *, sealed: bool) -> AsyncIterator[AuditEntry]:
    """Sealed entries in chain order, or unsealed ones in seq order, a batch at a time."""
    key = AuditEntry.chain_pos if sealed else AuditEntry.seq
    where = AuditEntry.chain_pos.is_not(None) if sealed else AuditEntry.chain_pos.is_(None)
    after = 0
    while True:
        rows = (
            await db.scalars(
                select(AuditEntry).where(where, key > after).order_by(key).limit(batch)
            )
        ).all()
        if not rows:
            return
        for row in rows:
            yield row
        last = rows[-1].chain_pos if sealed else rows[-1].seq
        after = int(last or 0)


def _sealed_fault(key: bytes, entry: AuditEntry, pos: int, prev: str, last_seq: int) -> str | None:
    if entry.chain_pos != pos or entry.prev_hash != prev:
        return (
            "its link to the previous entry is broken "
            "(an entry before it was removed, moved or changed)"
        )
    if entry.row_mac is None:  # sealed before row MACs existed: chained in seq order
        if entry.entry_hash != entry_mac(key, entry, prev):
            return "its content was changed"
        if entry.seq <= last_seq:
            return "it was moved (its seq is out of the chain's order)"
        return None
    if entry.row_mac != row_mac(key, entry):
        return "its content was changed"
    if entry.entry_hash != link_mac(key, pos, entry.seq, prev, entry.row_mac):
        return "it was moved (its seq or its link does not match its place in the chain)"
    return None


async def verify(
    db: AsyncSession,
    key: bytes,
    *,
    batch: int = 1000,
    now: datetime | None = None,
    window: timedelta = SEALING_WINDOW,
) -> Verdict:
    """Walk the chain in order, then the entries not yet sealed; name the first entry that
    was changed, removed or moved, or left unsealed past the window. Seals nothing."""
    overdue = (now or utcnow()) - window
    prev, pos, last_seq, checked = GENESIS, 0, 0, 0
    async for entry in _walk(db, batch, sealed=True):
        fault = _sealed_fault(key, entry, pos + 1, prev, last_seq)
        if fault:
            return Verdict(checked, entry.seq, fault, checked, 0, pos, prev)
        prev, pos, last_seq = str(entry.entry_hash), pos + 1, entry.seq
        checked += 1
    unsealed = 0
    async for entry in _walk(db, batch, sealed=False):
        fault = None
        if entry.row_mac != row_mac(key, entry):
            fault = "its content was changed"
        elif entry.occurred_at < overdue:
            fault = f"it was left unsealed for longer than {int(window.total_seconds())} s"
        if fault:
            return Verdict(checked, entry.seq, fault, pos, unsealed, pos, prev)
        unsealed += 1
        checked += 1
    return Verdict(checked, None, None, pos, unsealed, pos, prev)
