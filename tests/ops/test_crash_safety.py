"""Crash safety, measured on the real service: `ombuds` under uvicorn in its own process,
production settings, a durable PostgreSQL, write load from several clients. Killing the
worker (`kill -9`) or PostgreSQL (an immediate shutdown) loses no acknowledged write and
half-saves none; the audit chain verifies; after a PostgreSQL restart the service carries
on without being restarted."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ombuds.auth.passwords import Passwords
from ombuds.kit.db import create_engine, create_sessionmaker
from ombuds.models import Member, Role
from ombuds.settings import audit_key, keyring
from tests.factories.accounts import PASSWORD, make_user
from tests.factories.complaints import complaint_body
from tests.factories.directory import make_member, make_unit
from tests.factories.procedure import COMPLETE_LETTER
from tests.ops import support
from tests.support.postgres import PostgresServer, free_port

CLIENTS = 3
LOAD_SECONDS = 8.0


class Service:
    """The service as production runs it (`ombuds serve`'s uvicorn, one worker process)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "ombuds.main:create_app",
            "--factory",
            "--host=127.0.0.1",
            f"--port={self.port}",
            "--proxy-headers",
            "--no-server-header",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=support.ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        stop = time.monotonic() + 30
        while time.monotonic() < stop:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.base_url}/api/ready", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError("the service did not become ready:\n" + self.log.read_text()[-3000:])

    def kill(self) -> None:
        """`kill -9` of the worker: no shutdown, no last audit seal, no goodbye."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(timeout=10) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@dataclass
class Acknowledged:
    """Every write the service acknowledged (2xx), per complaint: how far it got."""

    steps: dict[str, int] = field(default_factory=dict)
    witnesses: dict[str, str] = field(default_factory=dict)
    owner: dict[str, int] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)
    transport_errors: int = 0

    def ack(self, complaint_id: str, step: int) -> None:
        self.steps[complaint_id] = step
        self.times.append(time.monotonic())


@dataclass
class World:
    url: str
    service: Service
    members: tuple[Member, Member]
    usernames: list[str]


@pytest.fixture
def world(ops_database: str, tmp_path: Path) -> Iterator[World]:
    settings = support.settings(ops_database)

    async def arrange() -> tuple[tuple[Member, Member], list[str]]:
        engine = create_engine(ops_database)
        factory = create_sessionmaker(
            engine, audit_key=audit_key(settings), keyring=keyring(settings)
        )
        try:
            async with factory() as db:
                unit = await make_unit(db)
                members = (await make_member(db, unit), await make_member(db, unit))
                passwords = Passwords(settings)
                users = [await make_user(db, passwords, Role.ombudsperson) for _ in range(CLIENTS)]
        finally:
            await engine.dispose()
        return members, [u.username for u in users]

    members, usernames = asyncio.run(arrange())
    service = Service(support.environment(ops_database), tmp_path / "service.log")
    service.start()
    try:
        yield World(ops_database, service, members, usernames)
    finally:
        service.stop()


async def sign_in(world: World) -> list[dict[str, str]]:
    headers = []
    async with httpx.AsyncClient(base_url=world.service.base_url, timeout=30) as c:
        for username in world.usernames:
            r = await c.post("/api/auth/token", data={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            headers.append({"Authorization": f"Bearer {r.json()['access_token']}"})
    return headers


async def write_load(
    world: World, headers: list[dict[str, str]], acked: Acknowledged, stop: asyncio.Event
) -> None:
    """Each client takes complaints in and takes each through two formal steps (the route,
    which opens a deadline; the letter), recording what the service acknowledged."""
    a, b = world.members

    async def client(n: int) -> None:
        async with httpx.AsyncClient(base_url=world.service.base_url, timeout=10) as c:
            made = 0
            while not stop.is_set():
                made += 1
                witness = f"Witness {n}-{made}"
                body = complaint_body(a, b, witnesses=[{"full_name": witness}])
                try:
                    r = await c.post("/api/complaints", json=body, headers=headers[n])
                    if not _acknowledged(r, acked):
                        continue
                    cid, etag = r.json()["id"], r.headers["ETag"]
                    acked.witnesses[cid], acked.owner[cid] = witness, n
                    acked.ack(cid, 1)
                    route = {"route": "local_500_procedure"}
                    r = await c.post(
                        f"/api/complaints/{cid}/formal-route",
                        json=route,
                        headers={**headers[n], "If-Match": etag},
                    )
                    if not _acknowledged(r, acked):
                        continue
                    acked.ack(cid, 2)
                    r = await c.put(
                        f"/api/complaints/{cid}/letter",
                        json=COMPLETE_LETTER,
                        headers={**headers[n], "If-Match": r.headers["ETag"]},
                    )
                    if _acknowledged(r, acked):
                        acked.ack(cid, 3)
                except httpx.TransportError:
                    acked.transport_errors += 1
                    await asyncio.sleep(0.05)

    await asyncio.gather(*(client(n) for n in range(CLIENTS)))


def _acknowledged(response: httpx.Response, acked: Acknowledged) -> bool:
    if 200 <= response.status_code < 300:
        return True
    acked.refusals.append((response.status_code, response.json().get("type", "")))
    return False


async def until(condition: Any, seconds: float) -> None:
    """Poll the clients' record until the condition holds, for at most `seconds`."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)


async def assert_every_acknowledged_write_is_whole(
    world: World, headers: list[dict[str, str]], acked: Acknowledged
) -> None:
    assert len(acked.steps) >= CLIENTS  # there was load to lose
    async with httpx.AsyncClient(base_url=world.service.base_url, timeout=30) as c:
        for cid, step in acked.steps.items():
            owner = headers[acked.owner[cid]]
            r = await c.get(f"/api/complaints/{cid}", headers=owner)
            assert r.status_code == 200, r.text
            detail = r.json()
            people = {p["role"]: p["full_name"] for p in detail["people"]}
            assert people["witness"] == acked.witnesses[cid]
            assert set(people) == {"complainant", "other_party", "witness"}
            assert [i["location"] for i in detail["incidents"]] == ["Union hall"]
            kinds = [d["kind"] for d in detail["deadlines"]]
            if step >= 2:  # the route and its deadline, together
                assert (detail["stage"], kinds) == ("letter", ["table_officer_notice"])
            if step >= 3:
                r = await c.get(f"/api/complaints/{cid}/letter", headers=owner)
                assert r.json()["what_took_place"] == COMPLETE_LETTER["what_took_place"]

    # Nothing half-saved anywhere, acknowledged or not: each complaint whole, each step
    # with its deadline, each change with its audit entry.
    engine = create_async_engine(world.url)
    try:
        async with engine.connect() as conn:
            broken = await conn.execute(
                text(
                    "SELECT c.id FROM complaints c WHERE "
                    "(SELECT count(*) FROM complaint_people p WHERE p.complaint_id = c.id) <> 3 "
                    "OR (SELECT count(*) FROM incidents i WHERE i.complaint_id = c.id) <> 1 "
                    "OR (c.stage <> 'intake') <> EXISTS (SELECT 1 FROM deadlines d "
                    "  WHERE d.complaint_id = c.id AND d.kind = 'table_officer_notice')"
                )
            )
            assert broken.all() == []
            counts = (
                await conn.execute(
                    text(
                        "SELECT (SELECT count(*) FROM complaints), "
                        "(SELECT count(*) FROM audit_entries WHERE action = 'complaints.create'), "
                        "(SELECT count(*) FROM complaints WHERE stage <> 'intake'), "
                        "(SELECT count(*) FROM audit_entries "
                        "  WHERE action = 'formal.choose_route')"
                    )
                )
            ).one()
            assert counts[0] == counts[1] >= len(acked.steps)
            assert counts[2] == counts[3]

            # The running service seals what was committed before the crash, too.
            async def unsealed() -> int:
                q = text("SELECT count(*) FROM audit_entries WHERE chain_pos IS NULL")
                return int(await conn.scalar(q) or 0)

            stop = time.monotonic() + 10
            while await unsealed() and time.monotonic() < stop:
                await conn.commit()
                await asyncio.sleep(0.2)
            assert await unsealed() == 0
    finally:
        await engine.dispose()
    verified = support.ombuds(support.environment(world.url), "verify-audit")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("audit chain intact: ")


@pytest.mark.clause("5.1")
class TestWorkerKilled:
    async def test_kill_9_under_write_load_loses_no_acknowledged_write(self, world: World) -> None:
        headers = await sign_in(world)
        acked, stop = Acknowledged(), asyncio.Event()
        load = asyncio.create_task(write_load(world, headers, acked, stop))
        await until(lambda: len(acked.times) >= 30, LOAD_SECONDS)
        world.service.kill()
        await until(lambda: acked.transport_errors >= CLIENTS, 5)
        stop.set()
        await load
        assert acked.transport_errors >= CLIENTS  # the clients saw it die

        await asyncio.to_thread(world.service.start)  # the same database, the same port
        await assert_every_acknowledged_write_is_whole(world, headers, acked)


@pytest.mark.clause("5.1")
class TestPostgresCrashed:
    async def test_immediate_shutdown_under_write_load_and_the_service_recovers_by_itself(
        self, world: World, ops_server: PostgresServer
    ) -> None:
        headers = await sign_in(world)
        acked, stop = Acknowledged(), asyncio.Event()
        load = asyncio.create_task(write_load(world, headers, acked, stop))
        await until(lambda: len(acked.times) >= 30, LOAD_SECONDS)
        try:
            await asyncio.to_thread(ops_server.halt, "immediate")
            down = len(acked.refusals)
            await until(lambda: len(acked.refusals) >= down + CLIENTS, 5)
        finally:
            await asyncio.to_thread(ops_server.launch)
        back = time.monotonic()
        async with httpx.AsyncClient(base_url=world.service.base_url, timeout=10) as c:
            first = await c.get("/api/complaints", headers=headers[0])
            assert first.status_code == 200, first.text  # on its first try
        await until(lambda: sum(t > back for t in acked.times) >= 3 * CLIENTS, 10)
        stop.set()
        await load

        assert world.service.process is not None and world.service.process.poll() is None
        assert sum(t > back for t in acked.times) >= 3 * CLIENTS  # writes flow again
        # While it was down, every write was refused as such, never a 500.
        assert len(acked.refusals) >= CLIENTS
        assert {r for r in acked.refusals} == {
            (503, "https://ombuds.example/problems/database-unavailable")
        }
        await assert_every_acknowledged_write_is_whole(world, headers, acked)
