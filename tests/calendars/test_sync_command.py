"""`ombuds sync-calendars`: the CalDAV push, once, run as an operator (or cron) would."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
import uuid

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.calendars import caldav_sync
from ombuds.models import CaldavConnection, CaldavStatus
from ombuds.settings import Settings
from tests.calendars.radicale import USERS, Radicale, make_calendar, read_calendar
from tests.conftest import TEST_SECRET, make_settings
from tests.factories.calendars import canary_case, connect_caldav, open_deadline


async def sync_calendars(database_url: str, public_url: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "OMBUDS_DATABASE_URL": database_url,
        "OMBUDS_ENV": "test",
        "OMBUDS_SECRET_KEY": TEST_SECRET,  # the key ring the test app encrypted with
        "OMBUDS_PUBLIC_URL": public_url,
        "OMBUDS_CALDAV_ALLOWED_NETWORKS": "127.0.0.0/8",  # Radicale, on loopback
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


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Radicale listens on loopback: allowed here, explicitly (it is refused by default)."""
    return make_settings(database_url, caldav_allowed_networks=["127.0.0.0/8"])


class TestSyncCalendarsCommand:
    async def test_pushes_each_connection_once_and_fails_naming_the_broken_one(
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
        wrong = await connect_caldav(client, case.headers, url, "alice", "wrong-password")
        code, out, err = await sync_calendars(database_url, "https://ombuds.example")
        assert code == 1, err
        assert out == "caldav: 1 synced, 1 broken, 0 left to another runner\n"
        assert err.endswith(f"\ncaldav: connection {wrong['id']} is broken\n")
        events = await asyncio.to_thread(read_calendar, radicale, "alice", url)
        uid = caldav_sync.event_uid(deadline.id, uuid.UUID(made["id"]))
        assert list(events) == [uid]
        assert str(events[uid]["URL"]) == f"https://ombuds.example/complaints/{case.id}"
        row = await db.get(CaldavConnection, uuid.UUID(made["id"]), populate_existing=True)
        assert row is not None and row.status is CaldavStatus.ok
        assert "wrong-password" not in out + err and USERS["alice"] not in out + err
        assert url not in out + err

    async def test_exits_zero_when_every_connection_synced(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        database_url: str,
        radicale: Radicale,
    ) -> None:
        case = await canary_case(client, db, passwords)
        await open_deadline(db, settings, case.id)
        url = await asyncio.to_thread(make_calendar, radicale, "alice")
        await connect_caldav(client, case.headers, url, "alice", USERS["alice"])
        code, out, err = await sync_calendars(database_url, "https://ombuds.example")
        assert (code, out, err) == (0, "caldav: 1 synced, 0 broken, 0 left to another runner\n", "")

    async def test_an_unreachable_server_fails_the_run(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, database_url: str
    ) -> None:
        case = await canary_case(client, db, passwords)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]  # closed again: nothing listens there
        made = await connect_caldav(
            client, case.headers, f"http://127.0.0.1:{port}/cal/", "alice", "pw"
        )
        code, out, err = await sync_calendars(database_url, "https://ombuds.example")
        assert (code, out) == (1, "caldav: 0 synced, 1 broken, 0 left to another runner\n")
        assert err.endswith(f"\ncaldav: connection {made['id']} is broken\n")
