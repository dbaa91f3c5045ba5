"""`ombuds sync-calendars`: the CalDAV push, once, run as an operator (or cron) would."""

from __future__ import annotations

import asyncio
import os
import sys
import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import CaldavConnection, CaldavStatus
from ombuds.settings import Settings
from tests.calendars.radicale import USERS, Radicale, make_calendar, read_calendar
from tests.conftest import TEST_SECRET
from tests.factories.calendars import canary_case, connect_caldav, open_deadline


async def sync_calendars(database_url: str, public_url: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "OMBUDS_DATABASE_URL": database_url,
        "OMBUDS_ENV": "test",
        "OMBUDS_SECRET_KEY": TEST_SECRET,  # the key ring the test app encrypted with
        "OMBUDS_PUBLIC_URL": public_url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ombuds.cli",
        "sync-calendars",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


class TestSyncCalendarsCommand:
    async def test_pushes_each_connection_once_and_reports(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        database_url: str,
        radicale: Radicale,
    ) -> None:
        case = await canary_case(client, db, passwords)
        deadline = await open_deadline(db, settings, case.id)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        made = await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        await connect_caldav(client, case.headers, url, "alice", "wrong-password")
        code, out, err = await sync_calendars(database_url, "https://ombuds.example")
        assert code == 0, err
        assert out == "caldav: 1 synced, 1 broken, 0 left to another runner\n"
        events = await asyncio.to_thread(read_calendar, radicale, "alice", url)
        assert list(events) == [str(deadline.id)]
        assert str(events[str(deadline.id)]["URL"]) == (
            f"https://ombuds.example/complaints/{case.id}"
        )
        row = await db.get(CaldavConnection, uuid.UUID(made["id"]), populate_existing=True)
        assert row is not None and row.status is CaldavStatus.ok
        assert "wrong-password" not in out + err and USERS["alice"] not in out + err
