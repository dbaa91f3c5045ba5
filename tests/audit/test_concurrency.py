"""5.1: appending to the audit log takes no lock another request waits on, and the chain
stays whole with several processes writing at once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from ombuds.audit.chain import verify
from ombuds.audit.sealer import Sealer
from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, Role
from ombuds.settings import Settings, audit_key
from tests.audit.support import bypass_append_only, seal_everything
from tests.factories.accounts import signed_in

ROOT = Path(__file__).resolve().parents[2]
APPENDERS = 4
TRANSACTIONS = 30


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.audit.appender", *args],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


async def _by_position(db: AsyncSession) -> list[dict[str, Any]]:
    rows = await db.execute(text("SELECT * FROM audit_entries ORDER BY chain_pos"))
    result = [dict(r._mapping) for r in rows]
    await db.commit()
    return result


async def _named(db: AsyncSession, settings: Settings) -> tuple[int | None, str]:
    verdict = await verify(db, audit_key(settings))
    await db.commit()
    return verdict.first_broken_seq, verdict.reason or ""


@pytest.mark.clause("5.1")
class TestSeveralProcessesAppending:
    async def test_every_committed_entry_is_sealed_once_and_tampering_is_named(
        self, app: FastAPI, db: AsyncSession, settings: Settings, database_url: str
    ) -> None:
        key = audit_key(settings).hex()
        appenders = [
            _spawn("append", database_url, key, str(w), str(TRANSACTIONS)) for w in range(APPENDERS)
        ]
        other_instance = _spawn("seal", database_url, key, "8")
        sealer = Sealer(app.state.sessionmaker, 0.02)
        while any(p.poll() is None for p in appenders):
            await sealer.round()
            await asyncio.sleep(0.02)
        committed: list[str] = []
        for p in [*appenders, other_instance]:
            out, err = p.communicate(timeout=120)
            assert p.returncode == 0, err
            committed += out.split()
        await seal_everything(db)

        rows = await _by_position(db)
        # Rolled-back transactions left nothing; every committed entry is there once.
        assert sorted(r["object_id"] for r in rows) == sorted(committed)
        assert len(committed) == APPENDERS * (TRANSACTIONS - TRANSACTIONS // 5) * 2
        assert [r["chain_pos"] for r in rows] == list(range(1, len(rows) + 1))
        verdict = await verify(db, audit_key(settings))
        assert (verdict.intact, verdict.checked, verdict.sealed) == (True, len(rows), len(rows))

        # An edit: the entry itself is named.
        target = rows[len(rows) // 2]
        edit = "UPDATE audit_entries SET action = :a WHERE seq = :s"
        await bypass_append_only(db, (edit, {"a": "race.rewritten", "s": target["seq"]}))
        assert await _named(db, settings) == (target["seq"], "its content was changed")
        await bypass_append_only(db, (edit, {"a": target["action"], "s": target["seq"]}))
        assert await _named(db, settings) == (None, "")

        # A deletion: the entry after it is named, its link broken.
        gone, after = rows[len(rows) // 3], rows[len(rows) // 3 + 1]
        delete = "DELETE FROM audit_entries WHERE seq = :s"
        await bypass_append_only(db, (delete, {"s": gone["seq"]}))
        seq, reason = await _named(db, settings)
        assert seq == after["seq"] and reason.startswith("its link to the previous entry")
        columns = ", ".join(gone)
        values = ", ".join(f":{c}" for c in gone)
        insert = f"INSERT INTO audit_entries ({columns}) VALUES ({values})"
        await bypass_append_only(db, (insert, gone))
        assert await _named(db, settings) == (None, "")

        # Two entries swapped in the chain: the one moved earlier is named.
        early, late = rows[10], rows[40]
        move = "UPDATE audit_entries SET chain_pos = :p WHERE seq = :s"
        await bypass_append_only(
            db,
            (move, {"p": -1, "s": early["seq"]}),
            (move, {"p": early["chain_pos"], "s": late["seq"]}),
            (move, {"p": late["chain_pos"], "s": early["seq"]}),
        )
        seq, reason = await _named(db, settings)
        assert seq == late["seq"] and reason.startswith("its link to the previous entry")
        await bypass_append_only(
            db,
            (move, {"p": -1, "s": late["seq"]}),
            (move, {"p": early["chain_pos"], "s": early["seq"]}),
            (move, {"p": late["chain_pos"], "s": late["seq"]}),
        )
        assert await _named(db, settings) == (None, "")

        # Two entries renumbered (their seq, hence the log's order, swapped): named too.
        renumber = "UPDATE audit_entries SET seq = :to WHERE seq = :s"
        await bypass_append_only(
            db,
            (renumber, {"to": -1, "s": early["seq"]}),
            (renumber, {"to": early["seq"], "s": late["seq"]}),
            (renumber, {"to": late["seq"], "s": -1}),
        )
        seq, reason = await _named(db, settings)
        assert seq == late["seq"] and reason.startswith("it was moved")


@pytest.mark.clause("5.1")
class TestNoLockWaits:
    async def test_concurrent_audited_requests_never_wait_on_a_lock(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        database_url: str,
        settings: Settings,
        backend: str,
    ) -> None:
        if backend != "postgresql":
            pytest.skip("pg_locks is PostgreSQL's; SQLite serialises every writer by design")
        _, headers = await signed_in(db, passwords, client, Role.administrator)
        before = len((await db.scalars(select(AuditEntry.seq))).all())
        await db.commit()
        waits: list[tuple[Any, ...]] = []
        samples = 0
        done = asyncio.Event()
        watcher = create_async_engine(database_url)

        async def sample() -> None:
            nonlocal samples
            async with watcher.connect() as conn:
                while not done.is_set():
                    rows = await conn.execute(
                        text(
                            "SELECT locktype, mode, objid FROM pg_locks "
                            "WHERE NOT granted AND pid <> pg_backend_pid()"
                        )
                    )
                    waits.extend(tuple(r) for r in rows)
                    samples += 1
                    await conn.commit()

        async def requests(worker: int) -> None:
            for n in range(12):
                code = f"L{worker}{n:02d}"
                response = await client.post(
                    "/api/units", json={"code": code, "name": code}, headers=headers
                )
                assert response.status_code == 201

        async def sealing() -> None:
            sealer = Sealer(app.state.sessionmaker, 0.01)
            while not done.is_set():
                await sealer.round()
                await asyncio.sleep(sealer.interval)

        sampler = asyncio.create_task(sample())
        sealer = asyncio.create_task(sealing())  # the sealer at work meanwhile
        try:
            await asyncio.gather(*(requests(w) for w in range(8)))
        finally:
            done.set()
            await asyncio.gather(sampler, sealer)
            await watcher.dispose()
        after = len((await db.scalars(select(AuditEntry.seq))).all())
        assert after - before == 8 * 12
        assert samples >= 20
        assert waits == []
        await seal_everything(db)
        assert (await verify(db, audit_key(settings))).sealed == after
