"""The policy review dates (6) kept by the service, not by its reads.

Every worker of every instance runs a `PolicyReviewUpkeep`: at start, then every few hours
(the four-year horizon moves with the date). On PostgreSQL an advisory try-lock lets one
process add missing dates while the others skip; SQLite serialises its writers. Reads of
deadlines (the API, the feeds) only read what is there."""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.deadlines.service import ensure_upcoming_policy_reviews
from ombuds.kit.background import Periodic
from ombuds.kit.clock import local_today
from ombuds.settings import Settings

EVERY_SECONDS = 6 * 3600


async def ensure_once(factory: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    async with factory() as db:
        added = await ensure_upcoming_policy_reviews(db, settings, local_today(), wait=False)
        await db.commit()
    return added


FIRST_ROUND_SECONDS = 10.0


class PolicyReviewUpkeep(Periodic):
    what = "policy review dates"

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        every: float = EVERY_SECONDS,
    ) -> None:
        super().__init__(every)
        self.factory, self.settings = factory, settings
        self.first_round_done = asyncio.Event()

    async def work(self) -> int:
        return await ensure_once(self.factory, self.settings)

    async def run(self) -> None:
        await self.round()  # at start, then every `interval`
        self.first_round_done.set()
        await super().run()

    async def first_round(self) -> None:
        """Wait (bounded) for the first round, so the first request finds the dates; a
        database that does not answer does not hold the start."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.first_round_done.wait(), FIRST_ROUND_SECONDS)
