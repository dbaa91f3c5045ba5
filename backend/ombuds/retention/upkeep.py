"""The retention job inside the service, so that `make run` needs nothing else (5.1).

Every worker of every instance runs a `RetentionUpkeep`: a first round shortly after the
start, then every OMBUDS_RETENTION_RUN_HOURS. The job itself lets one run at a time (a
PostgreSQL advisory try-lock: the others skip; SQLite serialises its writers)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.kit.background import Periodic
from ombuds.kit.clock import local_today
from ombuds.models import CarriedOutVia
from ombuds.retention import job
from ombuds.settings import Settings

log = logging.getLogger("ombuds.retention")

# Not at the very start: a service starting is busy enough, and a restart loop must not
# become a destruction loop's trigger. A day's job does not mind a minute.
FIRST_ROUND_SECONDS = 60.0


class RetentionUpkeep(Periodic):
    what = "retention job"

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        every: float | None = None,
        first: float = FIRST_ROUND_SECONDS,
    ) -> None:
        super().__init__(every if every is not None else settings.retention_run_hours * 3600)
        self.factory, self.settings, self.first = factory, settings, first

    async def work(self) -> int:
        report = await job.run(
            self.factory, self.settings, local_today(), via=CarriedOutVia.scheduled_job
        )
        if report.scheduled or report.destroyed:
            # Counts only: references and dates are for the register, not the log.
            log.info(
                "retention: %d scheduled, %d destroyed",
                len(report.scheduled),
                len(report.destroyed),
            )
        return len(report.scheduled) + len(report.destroyed)

    async def run(self) -> None:

        await asyncio.sleep(self.first)
        await self.round()
        await super().run()
