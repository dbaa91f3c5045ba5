"""Running the delivery: `ombuds worker` as a real process (delivers, then exits 0 on
SIGTERM), and the service's own background delivery (`make run`), whose links come from the
public URL whatever Host the requests came with."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.main import create_app
from ombuds.models import DeliveryStatus, NotificationKind
from ombuds.notifications import service
from tests.conftest import TEST_SECRET, make_settings
from tests.notifications.conftest import PUBLIC_URL, outbox, person, pointed_at
from tests.support.smtp import HOST, MailServer

pytestmark = pytest.mark.clause("4.3.1(ii)")
BACKEND = Path(__file__).resolve().parents[2] / "backend"


async def arrived(server: MailServer, count: int, seconds: float = 30.0) -> None:
    for _ in range(int(seconds / 0.1)):
        if len(server.received) >= count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"{len(server.received)} of {count} messages arrived")


class TestWorkerCommand:
    async def test_delivers_and_exits_0_on_sigterm(
        self,
        db: AsyncSession,
        passwords: Passwords,
        database_url: str,
        mail_server: MailServer,
    ) -> None:
        reader = await person(db, passwords, "reader@example.org")
        await service.notify(db, NotificationKind.report_lapsed, [reader.id])
        await db.commit()
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(BACKEND),
            "OMBUDS_ENV": "test",
            "OMBUDS_DATABASE_URL": database_url,
            "OMBUDS_SECRET_KEY": TEST_SECRET,
            "OMBUDS_SMTP_HOST": HOST,
            "OMBUDS_SMTP_PORT": str(mail_server.port),
            "OMBUDS_SMTP_SECURITY": "none",
            "OMBUDS_SMTP_FROM": "ombuds@local500.example.org",
            "OMBUDS_PUBLIC_URL": PUBLIC_URL,
            "OMBUDS_NOTIFICATIONS_POLL_SECONDS": "0.2",
        }
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ombuds.cli",
            "worker",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            await arrived(mail_server, 1)
            await asyncio.sleep(0.5)  # its mark, then another round or two
            process.send_signal(signal.SIGTERM)
            out, err = await asyncio.wait_for(process.communicate(), 30)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode == 0, err.decode()
        assert "stopped; 1 outbox messages handled" in out.decode()
        assert "1 sent in 1 messages" in err.decode()
        assert "reader@example.org" not in out.decode() + err.decode()
        assert [r.rcpt_tos for r in mail_server.received] == [["reader@example.org"]]
        (row,) = await outbox(db)
        assert row.status is DeliveryStatus.sent


class TestInService:
    async def test_the_service_delivers_with_links_from_the_public_url(
        self, database_url: str, mail_server: MailServer
    ) -> None:
        settings = pointed_at(
            make_settings(database_url), mail_server, notifications_poll_seconds=0.1
        )
        app = create_app(settings)
        async with LifespanManager(app, shutdown_timeout=15):
            transport = httpx.ASGITransport(app=app)
            async with (
                httpx.AsyncClient(transport=transport, base_url="http://attacker.example") as c,
                app.state.sessionmaker() as db,
            ):
                reader = await person(db, Passwords(settings), "reader@example.org")
                headers = {"X-Forwarded-Host": "attacker.example"}
                token = await c.post(
                    "/api/auth/token",
                    data={"username": reader.username, "password": "wrong"},
                    headers=headers,
                )
                assert token.status_code == 401
                await service.notify(db, NotificationKind.committee_appointed, [reader.id])
                await db.commit()
                await arrived(mail_server, 1)
        (got,) = mail_server.received
        assert f"{PUBLIC_URL}/sign-in" in got.text and f"{PUBLIC_URL}/sign-in" in got.html
        assert "attacker" not in got.everything()
