"""`ombuds serve --workers 2` as a real process on PostgreSQL: what one worker records, the
other honours (login throttling, a revoked session), the audit chain stays whole under
concurrent audited reads on both, and SIGTERM ends every worker cleanly."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.audit.chain import verify
from ombuds.auth.passwords import Passwords
from ombuds.kit.db import create_engine, create_sessionmaker
from ombuds.models import AuditEntry, Role
from ombuds.settings import Settings, audit_key, keyring
from tests.deploy.serving import Served, alive, client_port, holder_of, serve_env
from tests.factories.accounts import PASSWORD, make_user
from tests.factories.complaints import complaint_body
from tests.factories.directory import make_member, make_unit

CLIENTS = 16
READS = 48


@pytest.fixture
async def factory(settings: Settings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test database, with no sealer of this process's own running."""
    engine = create_engine(settings.database_url)
    try:
        yield create_sessionmaker(engine, audit_key=audit_key(settings), keyring=keyring(settings))
    finally:
        await engine.dispose()


class Pool:
    """Clients with one connection each, and which worker answered each response."""

    def __init__(self, served: Served) -> None:
        self.served = served
        self.pids = served.workers()
        self.clients = [
            httpx.AsyncClient(
                base_url=served.base_url, limits=httpx.Limits(max_connections=1), timeout=30
            )
            for _ in range(CLIENTS)
        ]

    async def send(
        self, client: httpx.AsyncClient, method: str, url: str, **kw: object
    ) -> tuple[httpx.Response, int]:
        response = await client.request(method, url, **kw)  # type: ignore[arg-type]
        worker = holder_of(client_port(response), self.served.port, self.pids)
        assert worker is not None, "the connection is held by one of the workers"
        return response, worker

    async def by_worker(self) -> dict[int, list[httpx.AsyncClient]]:
        """Each worker's clients; new connections until both workers hold some."""
        for _ in range(20):
            seen: dict[int, list[httpx.AsyncClient]] = {}
            answers = await asyncio.gather(
                *(self.send(c, "GET", "/api/health") for c in self.clients)
            )
            for client, (_, worker) in zip(self.clients, answers, strict=True):
                seen.setdefault(worker, []).append(client)
            if len(seen) == len(self.pids):
                return seen
            for client in self.clients:
                await client.aclose()
            self.clients = [
                httpx.AsyncClient(
                    base_url=self.served.base_url,
                    limits=httpx.Limits(max_connections=1),
                    timeout=30,
                )
                for _ in range(CLIENTS)
            ]
        raise AssertionError(f"one worker took every connection: {seen.keys()} of {self.pids}")

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


async def _login(
    pool: Pool, client: httpx.AsyncClient, username: str, password: str
) -> tuple[httpx.Response, int]:
    return await pool.send(
        client, "POST", "/api/auth/token", data={"username": username, "password": password}
    )


@pytest.mark.clause("5.1")
class TestTwoWorkers:
    async def test_state_is_shared_and_sigterm_ends_every_worker(
        self,
        backend: str,
        settings: Settings,
        factory: async_sessionmaker[AsyncSession],
        tmp_path: Path,
    ) -> None:
        if backend != "postgresql":
            pytest.skip("several workers need PostgreSQL; `ombuds serve` refuses them on SQLite")
        passwords = Passwords(settings)
        async with factory() as db:
            target = await make_user(db, passwords, Role.ombudsperson, username="throttled")
            await make_user(db, passwords, Role.ombudsperson, username="revoked")
            await make_user(db, passwords, Role.ombudsperson, username="reader")
            unit = await make_unit(db)
            complainant, other = await make_member(db, unit), await make_member(db, unit)
        served = Served(serve_env(settings.database_url), tmp_path / "serve.log", "--workers", "2")
        try:
            served.wait_ready()
            assert len(served.workers()) == 2
            pool = Pool(served)
            try:
                by_worker = await pool.by_worker()
                (a, *more_a), (b, *more_b) = by_worker.values()
                await self._throttle_counts_both(pool, a, b, target.username)
                await self._revocation_holds_on_both(pool, a, b)
                await self._audited_reads_on_both(
                    pool,
                    [a, *more_a, b, *more_b],
                    complaint_body(complainant, other),
                    factory,
                    audit_key(settings),
                )
            finally:
                await pool.close()
            workers = served.workers()
        finally:
            code = served.stop()
        assert code == 0, served.log()
        assert served.log().count("Application shutdown complete.") == 2
        finished = {int(p) for p in re.findall(r"Finished server process \[(\d+)\]", served.log())}
        assert workers <= finished, served.log()
        assert not any(alive(pid) for pid in workers)
        async with factory() as db:
            verdict = await verify(db, audit_key(settings))
        # The workers' last seal at shutdown left nothing unsealed.
        assert (verdict.intact, verdict.unsealed) == (True, 0)

    async def _throttle_counts_both(
        self, pool: Pool, a: httpx.AsyncClient, b: httpx.AsyncClient, username: str
    ) -> None:
        """Five failures, some on each worker; then even the right password waits, on both."""
        workers = []
        for client in (a, b, a, b, a):
            response, worker = await _login(pool, client, username, "wrong password")
            assert response.status_code == 401, response.text
            workers.append(worker)
        assert len(set(workers)) == 2
        for client in (a, b):
            response, _ = await _login(pool, client, username, PASSWORD)
            assert response.status_code == 429, response.text
            assert 0 < int(response.headers["Retry-After"]) <= 30

    async def _revocation_holds_on_both(
        self, pool: Pool, a: httpx.AsyncClient, b: httpx.AsyncClient
    ) -> None:
        response, signed_in_on = await _login(pool, a, "revoked", PASSWORD)
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        seen = set()
        for client in (a, b):
            me, worker = await pool.send(client, "GET", "/api/auth/me", headers=headers)
            assert (me.status_code, me.json()["username"]) == (200, "revoked")
            seen.add(worker)
        out, logged_out_on = await pool.send(b, "POST", "/api/auth/logout", headers=headers)
        assert out.status_code == 204
        assert seen == set(pool.pids) and signed_in_on != logged_out_on
        for client in (a, b):
            me, _ = await pool.send(client, "GET", "/api/auth/me", headers=headers)
            assert me.status_code == 401, me.text

    async def _audited_reads_on_both(
        self,
        pool: Pool,
        clients: list[httpx.AsyncClient],
        body: dict[str, object],
        factory: async_sessionmaker[AsyncSession],
        key: bytes,
    ) -> None:
        response, _ = await _login(pool, clients[0], "reader", PASSWORD)
        headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
        created, _ = await pool.send(
            clients[0], "POST", "/api/complaints", json=body, headers=headers
        )
        assert created.status_code == 201, created.text
        url = f"/api/complaints/{created.json()['id']}"
        answers = await asyncio.gather(
            *(
                pool.send(clients[i % len(clients)], "GET", url, headers=headers)
                for i in range(READS)
            )
        )
        assert [r.status_code for r, _ in answers] == [200] * READS
        per_worker = Counter(worker for _, worker in answers)
        assert set(per_worker) == set(pool.pids), per_worker
        async with factory() as db:
            reads = await db.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "complaints.read")
            )
            assert reads == READS + 1  # the detail the creation answered is a read too
            # The workers' own sealers link them, one at a time (about every second).
            for _ in range(100):
                verdict = await verify(db, key)
                await db.commit()
                if verdict.unsealed == 0:
                    break
                await asyncio.sleep(0.1)
        assert (verdict.intact, verdict.unsealed) == (True, 0), verdict
        assert verdict.sealed >= READS + 2
