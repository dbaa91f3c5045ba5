"""Background work every worker of every instance runs beside its requests: a round about
every `interval` seconds. Within a worker one round runs at a time; across workers and
instances the work decides (an advisory try-lock that skips, never waits). A round that
fails on the database changes nothing: the next one tries again. A round that fails in
any other way is logged (by the error's type only: a message may quote a statement's
values) and the rounds go on; it never ends the worker's background work."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import DBAPIError

log = logging.getLogger("ombuds.background")


class Periodic:
    what = "background work"

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.lock = asyncio.Lock()

    async def work(self) -> int:
        raise NotImplementedError

    async def round(self) -> int:
        async with self.lock:
            try:
                return await self.work()
            except (DBAPIError, OSError) as exc:
                log.warning("%s deferred to the next round: %s", self.what, type(exc).__name__)
                return 0

    async def run(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.round()
            except Exception as exc:  # logged; the next round tries again
                log.error("%s failed this round: %s", self.what, type(exc).__name__)
