"""5.1: an audit entry is written with one INSERT; the sealer links it into the chain after
it commits; what the sealer has not reached in time is reported."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service
from ombuds.audit.chain import GENESIS, SEALING_WINDOW, seal, verify
from ombuds.auth.principal import ANONYMOUS
from ombuds.kit.clock import utcnow
from ombuds.main import create_app
from ombuds.models import AuditEntry
from ombuds.settings import Settings, audit_key
from tests.audit.support import bypass_append_only, seal_everything, unsealed
from tests.conftest import make_settings


async def _record(db: AsyncSession, *object_ids: str) -> list[int]:
    entries = [await service.record(db, ANONYMOUS, "test.append", "test", o) for o in object_ids]
    await db.commit()
    return [e.seq for e in entries]


async def _sealed(db: AsyncSession) -> list[tuple[int, int | None, str | None]]:
    rows = await db.execute(
        select(AuditEntry.seq, AuditEntry.chain_pos, AuditEntry.prev_hash).order_by(AuditEntry.seq)
    )
    result = [(r.seq, r.chain_pos, r.prev_hash) for r in rows]
    await db.commit()
    return result


@pytest.mark.clause("5.1")
class TestAppend:
    async def test_an_entry_is_one_insert_and_nothing_else(self, db: AsyncSession) -> None:
        statements: list[str] = []

        def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
            statements.append(" ".join(statement.split())[:40])

        engine = db.get_bind()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            entry = await service.record(db, ANONYMOUS, "test.append", "test", "one")
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        await db.commit()
        assert [s.split(" (")[0] for s in statements] == ["INSERT INTO audit_entries"]
        assert entry.row_mac is not None and len(entry.row_mac) == 64
        assert (entry.chain_pos, entry.prev_hash, entry.entry_hash) == (None, None, None)


@pytest.mark.clause("5.1")
class TestSeal:
    async def test_committed_entries_are_linked_in_order_from_genesis(
        self, db: AsyncSession, settings: Settings
    ) -> None:
        first = await _record(db, "a", "b")
        second = await _record(db, "c")
        assert await seal(db, service.audit_key(db)) == 3
        await db.commit()
        rows = await _sealed(db)
        assert [(seq, pos) for seq, pos, _ in rows] == list(
            zip(first + second, [1, 2, 3], strict=True)
        )
        assert rows[0][2] == GENESIS
        assert await seal(db, service.audit_key(db)) == 0  # nothing left: nothing done
        verdict = await verify(db, audit_key(settings))
        assert (verdict.intact, verdict.checked, verdict.sealed, verdict.end_pos) == (
            True,
            3,
            3,
            3,
        )

    async def test_a_rolled_back_entry_is_never_sealed(self, db: AsyncSession) -> None:
        await service.record(db, ANONYMOUS, "test.append", "test", "gone")
        await db.rollback()
        kept = await _record(db, "kept")
        await seal_everything(db)
        assert await _sealed(db) == [(kept[0], 1, GENESIS)]

    async def test_a_second_sealer_does_not_wait_for_the_first(
        self, app: FastAPI, db: AsyncSession, backend: str
    ) -> None:
        if backend != "postgresql":
            pytest.skip("SQLite has one writer at a time by design")
        await _record(db, "a", "b")
        factory = app.state.sessionmaker
        async with factory() as first, factory() as second:
            assert await seal(first, service.audit_key(first)) == 2  # holds the sealing lock
            other = await asyncio.wait_for(seal(second, service.audit_key(second)), 5)
            assert other == 0
            await second.commit()
            await first.commit()
        assert await unsealed(db) == 0

    async def test_the_service_seals_in_the_background(self, database_url: str) -> None:
        app = create_app(make_settings(database_url, audit_seal_seconds=0.05))
        async with LifespanManager(app), app.state.sessionmaker() as db:
            await _record(db, "a", "b", "c")
            for _ in range(200):
                if await unsealed(db) == 0:
                    break
                await asyncio.sleep(0.05)
            assert [pos for _, pos, _ in await _sealed(db)] == [1, 2, 3]

    async def test_what_was_written_last_is_sealed_on_shutdown(self, database_url: str) -> None:
        app = create_app(make_settings(database_url, audit_seal_seconds=5))
        async with LifespanManager(app), app.state.sessionmaker() as db:
            await _record(db, "a", "b")
            assert await unsealed(db) == 2  # the first round is seconds away
        async with app.state.sessionmaker() as db:
            assert [pos for _, pos, _ in await _sealed(db)] == [1, 2]
        await app.state.engine.dispose()


@pytest.mark.clause("5.1")
class TestVerifyUnsealed:
    async def test_an_entry_within_the_window_counts_as_checked(
        self, db: AsyncSession, settings: Settings
    ) -> None:
        await _record(db, "a")
        await seal_everything(db)
        await _record(db, "b")
        verdict = await verify(db, audit_key(settings))
        assert (verdict.intact, verdict.checked, verdict.sealed, verdict.unsealed) == (
            True,
            2,
            1,
            1,
        )

    async def test_an_entry_left_unsealed_past_the_window_is_named(
        self, db: AsyncSession, settings: Settings
    ) -> None:
        await _record(db, "a")
        await seal_everything(db)
        (late,) = await _record(db, "b")
        later = utcnow() + SEALING_WINDOW + timedelta(seconds=1)
        verdict = await verify(db, audit_key(settings), now=later)
        assert verdict.first_broken_seq == late
        assert verdict.reason == "it was left unsealed for longer than 10 s"
        assert verdict.checked == 1

    async def test_an_edited_unsealed_entry_is_named(
        self, db: AsyncSession, settings: Settings
    ) -> None:
        seqs = await _record(db, "a", "b", "c")
        await bypass_append_only(
            db, ("UPDATE audit_entries SET object_id = 'x' WHERE seq = :s", {"s": seqs[1]})
        )
        verdict = await verify(db, audit_key(settings))
        assert (verdict.first_broken_seq, verdict.reason) == (seqs[1], "its content was changed")

    async def test_unsealing_a_sealed_entry_is_named(
        self, db: AsyncSession, settings: Settings
    ) -> None:
        seqs = await _record(db, "a", "b", "c")
        await seal_everything(db)
        await bypass_append_only(
            db, ("UPDATE audit_entries SET chain_pos = NULL WHERE seq = :s", {"s": seqs[1]})
        )
        verdict = await verify(db, audit_key(settings))
        assert verdict.first_broken_seq == seqs[2]
        assert (verdict.reason or "").startswith("its link to the previous entry is broken")
