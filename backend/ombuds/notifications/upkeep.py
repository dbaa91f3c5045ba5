"""The notifications' background work: in the service (`make run` delivers with nothing
else), and in `ombuds worker` (production: the API instances set
OMBUDS_NOTIFICATIONS_POLL_SECONDS=0 and one worker service delivers).

Both run `cycle`, about every OMBUDS_NOTIFICATIONS_POLL_SECONDS. Any number of them may run
at once: the outbox's leases keep each message to one of them (delivery.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from collections.abc import Callable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.kit.background import Periodic
from ombuds.kit.clock import local_today
from ombuds.notifications import reminders
from ombuds.notifications.delivery import Delivery
from ombuds.settings import Settings

log = logging.getLogger("ombuds.notifications")

WORKER_DEFAULT_POLL_SECONDS = 5.0
# Reminders are about dates: a scan a quarter of an hour (and one as soon as the local date
# changes) is soon enough, and spares the database a scan every few seconds.
SCAN_SECONDS = 15 * 60.0


class ReminderScan:
    """The reminders' scan (reminders.py), at most every `every` seconds in this process,
    and at once when the local date changes. Its last run is this process's own; several
    processes scanning at once write each reminder once (the dedupe keys)."""

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        every: float = SCAN_SECONDS,
        *,
        today: Callable[[], date] = local_today,
        seconds: Callable[[], float] = time.monotonic,
    ) -> None:
        self.factory, self.settings, self.every = factory, settings, every
        self.today, self.seconds = today, seconds
        self.last_day: date | None = None
        self.last_at = 0.0

    async def round(self) -> int:
        today, now = self.today(), self.seconds()
        if today == self.last_day and now - self.last_at < self.every:
            return 0
        written = await reminders.scan(self.factory, self.settings, today)
        self.last_day, self.last_at = today, now
        if written:
            log.info("notifications: %d reminders written", written)  # a count only
        return written


async def cycle(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    delivery: Delivery,
    scan: ReminderScan | None = None,
) -> int:
    """One cycle of the notifications' work, the same in the service and in `ombuds
    worker`: every round function of the notifications is called here, in this order (a
    scan that writes reminders goes before the delivery, so they leave in the same cycle).
    Returns how many things it did."""
    handled = 0
    if scan is not None:
        handled += await scan.round()
    report = await delivery.round()
    handled += report.handled
    return handled


class NotificationUpkeep(Periodic):
    what = "notification delivery"

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        settings: Settings,
        delivery: Delivery | None = None,
        every: float | None = None,
    ) -> None:
        super().__init__(every if every is not None else settings.notifications_poll_seconds)
        self.factory, self.settings = factory, settings
        self.delivery = delivery or Delivery(factory, settings)
        self.scan = ReminderScan(factory, settings)

    async def work(self) -> int:
        return await cycle(self.factory, self.settings, self.delivery, self.scan)


async def run_worker(
    factory: async_sessionmaker[AsyncSession],
    settings: Settings,
    delivery: Delivery | None = None,
) -> int:
    """`ombuds worker`: a cycle, then another every poll interval, until SIGTERM or SIGINT;
    a cycle under way when the signal comes is finished first. Returns the rows handled."""
    every = settings.notifications_poll_seconds or WORKER_DEFAULT_POLL_SECONDS
    upkeep = NotificationUpkeep(factory, settings, delivery, every=every)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    handled = 0
    try:
        while not stop.is_set():
            try:
                handled += await upkeep.round()
            except Exception as exc:  # logged by type; the next cycle tries again
                log.error("%s failed this round: %s", upkeep.what, type(exc).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), every)
    finally:
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)
    return handled
