"""The reminders' scan inside the delivery cycle: at most every quarter hour in a process,
and at once when the local date changes (reminders are about dates)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.notifications import reminders, upkeep
from ombuds.settings import Settings

pytestmark = pytest.mark.clause("4.3.1(ii)")


class Clock:
    def __init__(self, day: date) -> None:
        self.day, self.now = day, 1000.0

    def today(self) -> date:
        return self.day

    def seconds(self) -> float:
        return self.now


class TestReminderScan:
    async def test_scans_once_a_quarter_hour_and_again_on_a_new_day(
        self, app: FastAPI, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        factory: async_sessionmaker[AsyncSession] = app.state.sessionmaker
        scanned: list[date] = []
        real_scan = reminders.scan

        async def recorded(f: object, s: Settings, today: date) -> int:
            scanned.append(today)
            return await real_scan(factory, s, today)

        monkeypatch.setattr(reminders, "scan", recorded)
        today = date(2026, 12, 7)
        clock = Clock(today)
        scan = upkeep.ReminderScan(factory, settings, today=clock.today, seconds=clock.seconds)

        await scan.round()
        clock.now += upkeep.SCAN_SECONDS - 1
        await scan.round()  # too soon: not scanned
        assert scanned == [today]
        clock.now += 1
        await scan.round()
        assert scanned == [today, today]
        clock.day += timedelta(days=1)
        clock.now += 1
        await scan.round()  # a new day: at once
        assert scanned == [today, today, today + timedelta(days=1)]
