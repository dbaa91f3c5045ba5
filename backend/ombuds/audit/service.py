"""Writing audit entries, in the same transaction as the change they describe: one INSERT,
no lock (the entry's place in the chain is given after it commits, by ombuds.audit.sealer).

Entries name the actor, the action, the object's id and the outcome: never a name or a
circumstance, so the log itself is not confidential content."""

from __future__ import annotations

import dataclasses
import uuid

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from ombuds.audit import chain
from ombuds.auth.principal import Principal, PrincipalKind
from ombuds.kit.clock import utcnow
from ombuds.models import AuditEntry, Outcome


def audit_key(session: AsyncSession) -> bytes:
    """The chain key travels with the session (set by the session factory's owner)."""
    key = session.info.get("audit_key")
    if not isinstance(key, bytes):
        raise RuntimeError(
            "the session has no audit key; create it with kit.db.create_sessionmaker"
        )
    return key


async def record(
    session: AsyncSession,
    actor: Principal | None,
    action: str,
    object_type: str,
    object_id: uuid.UUID | str | None,
    outcome: Outcome = Outcome.success,
) -> AuditEntry:
    entry = AuditEntry(
        actor_kind=(actor.kind if actor else PrincipalKind.anonymous).value,
        actor_id=actor.id if actor else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        outcome=outcome,
        occurred_at=utcnow(),
    )
    entry.row_mac = chain.row_mac(audit_key(session), entry)
    session.add(entry)
    await session.flush()
    return entry


_APPEND = insert(AuditEntry)


async def append(
    conn: AsyncConnection,
    key: bytes,
    actor: Principal,
    action: str,
    object_type: str,
    object_id: uuid.UUID,
) -> None:
    """`record` for a hot read: the same entry and row MAC, one INSERT built once, no ORM
    instance and no flush; `seq` is not read back."""
    fields = chain.Fields(
        occurred_at=utcnow(),
        actor_kind=actor.kind.value,
        actor_id=actor.id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        outcome=Outcome.success,
    )
    values = {**dataclasses.asdict(fields), "row_mac": chain.row_mac(key, fields)}
    await conn.execute(_APPEND, values)


async def page(session: AsyncSession, *, before_seq: int | None, limit: int) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit)
    if before_seq is not None:
        stmt = stmt.where(AuditEntry.seq < before_seq)
    return list((await session.scalars(stmt)).all())
