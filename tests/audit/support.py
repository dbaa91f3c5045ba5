"""Arranging the audit log in tests: sealing what was written, tampering as an owner would."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit.chain import seal
from ombuds.audit.service import audit_key
from ombuds.models import AuditEntry


async def unsealed(db: AsyncSession) -> int:
    count = await db.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.chain_pos.is_(None))
    )
    await db.commit()
    return int(count or 0)


async def seal_everything(db: AsyncSession) -> None:
    """Seal every committed entry (the app's own sealer may be at it too: then wait)."""
    for _ in range(200):
        await seal(db, audit_key(db))
        await db.commit()
        if await unsealed(db) == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("audit entries stayed unsealed")


async def bypass_append_only(db: AsyncSession, *statements: tuple[str, dict[str, object]]) -> None:
    """Tampering as a database owner would: around the append-only trigger."""
    dialect = db.get_bind().dialect.name
    if dialect == "postgresql":
        await db.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        for sql, params in statements:
            await db.execute(text(sql), params)
        await db.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
    else:
        find = "SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name=:t"
        triggers = (await db.execute(text(find), {"t": "audit_entries"})).all()
        for name, _ in triggers:
            await db.execute(text(f'DROP TRIGGER "{name}"'))
        for sql, params in statements:
            await db.execute(text(sql), params)
        for _, create in triggers:
            await db.execute(text(create))
    await db.commit()
