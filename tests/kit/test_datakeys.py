"""Envelope encryption (5.1): each complaint's rows under a data key of its own, kept in a
key store apart from the database; rotation re-wraps the keys and brings values written
before data keys existed under them; orphan keys are swept; a cached key costs the hot
read no query."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit import datakeys
from ombuds.kit.crypto import DecryptionFailed, KeyRing, is_owned
from ombuds.kit.encryption import RING_ONLY, encrypted_attributes, owner_column, sealed
from ombuds.kit.rotation import encrypted_tables, owners, rotate, sweep_orphans
from ombuds.models import Base, Complaint, Role
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit


async def _filed(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> tuple[dict[str, Any], dict[str, str]]:
    unit = await make_unit(db)
    a, b = await make_member(db, unit), await make_member(db, unit)
    _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    body = complaint_body(a, b, witnesses=[{"full_name": "Witness Wren", "contact": "555-0199"}])
    detail, _ = await file_complaint(client, headers, body)
    return detail, headers


async def _blobs(app: FastAPI) -> list[tuple[str, bytes]]:
    found = []
    async with app.state.engine.connect() as conn:
        for table, columns in encrypted_tables():
            for column in columns:
                for (blob,) in (await conn.execute(select(table.c[column]))).all():
                    if blob is not None:
                        found.append((table.name, bytes(blob)))
    return found


def test_every_encrypted_model_has_an_owner_or_is_ring_only() -> None:
    """A new table with encrypted columns cannot silently escape destruction by key."""
    undeclared = []
    for mapper in Base.registry.mappers:
        if not encrypted_attributes(mapper):
            continue
        column = owner_column(mapper)
        name = mapper.local_table.name
        if column is None and name not in RING_ONLY:
            undeclared.append(name)
        if column is not None:
            assert column in mapper.columns, (name, column)
            assert name not in RING_ONLY, name
    assert undeclared == []
    tables = {m.local_table.name for m in Base.registry.mappers if encrypted_attributes(m)}
    assert RING_ONLY <= tables  # the list names only what it exempts
    assert owners()["disclosure_recipients"] == "complaint_id"
    assert owners()["complaints"] == "id"
    assert owners()["consultations"] == "id"
    assert owners()["attachments"] == "complaint_id"


@pytest.mark.parametrize(
    ("database", "key_store"),
    [
        (
            "sqlite+aiosqlite:////srv/var/ombuds.sqlite3",
            "sqlite+aiosqlite:////srv/var/ombuds-keys.sqlite3",
        ),
        ("sqlite+aiosqlite:///var/x.db", "sqlite+aiosqlite:///var/x-keys.db"),
        ("postgresql+asyncpg://u:p@db:5432/ombuds", "postgresql+asyncpg://u:p@db:5432/ombuds_keys"),
    ],
)
def test_the_key_store_sits_beside_the_database(database: str, key_store: str) -> None:
    assert datakeys.derive_url(database) == key_store


@pytest.mark.clause("5.1")
class TestDataKeys:
    async def test_each_complaint_has_its_own_key_in_the_key_store(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        first, _ = await _filed(client, db, passwords)
        second, _ = await _filed(client, db, passwords)
        owned = [b for t, b in await _blobs(app) if t in owners()]
        assert owned and all(is_owned(b) for b in owned)
        assert {datakeys.owner_of(b) for b in owned} == {
            uuid.UUID(first["id"]),
            uuid.UUID(second["id"]),
        }
        assert sorted(await app.state.keys.owners()) == sorted(
            [uuid.UUID(first["id"]), uuid.UUID(second["id"])]
        )

    async def test_a_cached_key_costs_the_detail_read_no_key_store_query(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        detail, headers = await _filed(client, db, passwords)
        keys = app.state.keys
        keys.forget()
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        event.listen(keys.engine.sync_engine, "before_cursor_execute", count)
        try:
            cold = await client.get(f"/api/complaints/{detail['id']}", headers=headers)
            after_cold = len(statements)
            warm = await client.get(f"/api/complaints/{detail['id']}", headers=headers)
        finally:
            event.remove(keys.engine.sync_engine, "before_cursor_execute", count)
        assert cold.status_code == warm.status_code == 200
        assert cold.json()["people"] == warm.json()["people"] == detail["people"]
        assert after_cold == 1  # one query for the complaint's key on a miss
        assert len(statements) == after_cold  # none once it is cached

    async def test_rotation_rewraps_and_brings_old_values_under_the_complaints_key(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
    ) -> None:
        detail, headers = await _filed(client, db, passwords)
        cid = uuid.UUID(detail["id"])
        keys = app.state.keys
        ring: KeyRing = app.state.keyring
        # As a deployment from before data keys: every value under the ring, no data key.
        async with app.state.engine.begin() as conn:
            for table, columns in encrypted_tables():
                pk = list(table.primary_key.columns)
                for row in (await conn.execute(select(*pk, *(table.c[c] for c in columns)))).all():
                    row_id = "/".join(str(v) for v in row[: len(pk)])
                    values = {}
                    for column, blob in zip(columns, row[len(pk) :], strict=True):
                        if blob is not None and is_owned(bytes(blob)):
                            plain = keys.decrypt(
                                bytes(blob), table=table.name, column=column, row_id=row_id
                            )
                            values[column] = sealed(
                                ring.encrypt(plain, table=table.name, column=column, row_id=row_id)
                            )
                    if values:
                        where = [k == row[i] for i, k in enumerate(pk)]
                        await conn.execute(update(table).where(*where).values(values))
        await keys.destroy(cid)
        assert not any(is_owned(b) for _, b in await _blobs(app))
        still = await client.get(f"/api/complaints/{cid}", headers=headers)
        assert still.status_code == 200 and still.json()["people"] == detail["people"]

        class Interrupted(Exception):
            pass

        def stop(n: int) -> None:
            raise Interrupted

        with pytest.raises(Interrupted):
            await rotate(app.state.engine, ring, keys_store=keys, batch=1, progress=stop)
        first = await rotate(app.state.engine, ring, keys_store=keys, batch=2)
        again = await rotate(app.state.engine, ring, keys_store=keys, batch=2)
        assert first.values_reencrypted > 0
        assert again.values_reencrypted == 0
        owned = [b for t, b in await _blobs(app) if t in owners()]
        assert owned and all(datakeys.owner_of(b) == cid for b in owned)
        keys.forget()
        read = await client.get(f"/api/complaints/{cid}", headers=headers)
        assert read.json()["people"] == detail["people"]

        # Now destroyable by key.
        await datakeys.destroy(keys, cid)
        async with app.state.sessionmaker() as fresh:
            with pytest.raises(DecryptionFailed):
                await fresh.get(Complaint, cid)

    async def test_orphan_keys_are_swept_and_owned_ones_kept(
        self, app: FastAPI, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        detail, _ = await _filed(client, db, passwords)
        keys = app.state.keys
        orphan = uuid.uuid4()  # as if a transaction rolled back after its first flush
        assert await keys.cipher(orphan, create=True) is not None
        assert await sweep_orphans(app.state.engine, keys) == 1
        assert await keys.owners() == [uuid.UUID(detail["id"])]
        assert await sweep_orphans(app.state.engine, keys) == 0
