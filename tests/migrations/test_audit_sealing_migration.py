"""Migration 0014: entries chained before it become sealed, in seq order, hashes unchanged;
new entries are sealed after them and the whole chain verifies."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ombuds.audit import service
from ombuds.audit.chain import GENESIS, entry_mac, seal, verify
from ombuds.auth.principal import ANONYMOUS
from ombuds.kit.db import create_sessionmaker
from ombuds.kit.migrations import alembic_config, upgrade
from ombuds.models import AuditEntry, Outcome
from ombuds.settings import get_settings, keyring
from tests.audit.support import bypass_append_only
from tests.conftest import DatabaseFactory

KEY = b"k" * 32
LEGACY = ("users.create", "units.create", "units.update")


async def _write_legacy_chain(url: str) -> None:
    """Three entries as the service wrote them before 0014: hashed one after another."""
    engine = create_async_engine(url)
    prev, rows = GENESIS, []
    start = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    for n, action in enumerate(LEGACY):
        entry = SimpleNamespace(
            occurred_at=start + timedelta(minutes=n),
            actor_kind="user",
            actor_id=None,
            action=action,
            object_type="unit",
            object_id=f"object-{n}",
            outcome=Outcome.success,
        )
        mac = entry_mac(KEY, entry, prev)  # type: ignore[arg-type]
        rows.append({**vars(entry), "prev_hash": prev, "entry_hash": mac})  # seq 1, 2, 3
        prev = mac
    table = AuditEntry.__table__
    try:
        async with engine.begin() as conn:
            await conn.execute(table.insert(), rows)
    finally:
        await engine.dispose()


async def _after_upgrade(url: str) -> None:
    engine = create_async_engine(url)
    factory = create_sessionmaker(engine, audit_key=KEY, keyring=keyring(get_settings()))
    try:
        async with factory() as db:
            rows = (await db.execute(text("SELECT seq, chain_pos FROM audit_entries"))).all()
            assert sorted(tuple(r) for r in rows) == [(1, 1), (2, 2), (3, 3)]
            verdict = await verify(db, KEY)
            assert (verdict.intact, verdict.checked) == (True, 3)
            # The service goes on from the migrated end of the chain.
            await service.record(db, ANONYMOUS, "units.read", "unit", "object-3")
            await db.commit()
            assert await seal(db, KEY) == 1
            await db.commit()
            verdict = await verify(db, KEY)
            assert (verdict.intact, verdict.checked, verdict.end_pos) == (True, 4, 4)
            # Migrated entries renumbered (the log's order changed): the one whose seq is now
            # out of order, at the second place in the chain, is named.
            renumber = "UPDATE audit_entries SET seq = :to WHERE seq = :s"
            await bypass_append_only(
                db,
                (renumber, {"to": 99, "s": 1}),
                (renumber, {"to": 1, "s": 2}),
                (renumber, {"to": 2, "s": 99}),
            )
            verdict = await verify(db, KEY)
            assert verdict.first_broken_seq == 1
            assert (verdict.reason or "").startswith("it was moved")
    finally:
        await engine.dispose()


@pytest.mark.clause("5.1")
def test_a_chain_from_before_sealing_is_sealed_in_place(databases: DatabaseFactory) -> None:
    url = databases.empty()
    upgrade(url, "0007")
    asyncio.run(_write_legacy_chain(url))
    upgrade(url)
    asyncio.run(_after_upgrade(url))
    command.downgrade(alembic_config(url), "0007")
    upgrade(url)
