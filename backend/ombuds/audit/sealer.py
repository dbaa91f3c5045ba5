"""The sealer: links committed audit entries into the chain, about every second.

Every worker of every instance runs one; on PostgreSQL the advisory try-lock in
`chain.seal` lets one of them work at a time and the others skip, without waiting; within
a worker, one task seals at a time. A failed round (a lost race on SQLite, a dropped
connection) changes nothing and the next round picks the same entries up."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.audit import chain
from ombuds.audit.service import audit_key
from ombuds.kit.background import Periodic


async def seal_pending(factory: async_sessionmaker[AsyncSession]) -> int:
    """Seal every committed entry, a batch per transaction; returns how many were sealed."""
    total = 0
    while True:
        async with factory() as db:
            sealed = await chain.seal(db, audit_key(db))
            await db.commit()
        total += sealed
        if sealed < chain.SEAL_BATCH:
            return total


class Sealer(Periodic):
    what = "audit sealing"

    def __init__(self, factory: async_sessionmaker[AsyncSession], interval: float) -> None:
        super().__init__(interval)
        self.factory = factory

    async def work(self) -> int:
        return await seal_pending(self.factory)
