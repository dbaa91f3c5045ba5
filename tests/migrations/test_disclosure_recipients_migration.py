"""Migration 0010 encrypts the disclosure register's recipients already stored (5.1), and
its downgrade gets them back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ombuds.kit.migrations import alembic_config, upgrade
from ombuds.settings import get_settings, keyring
from tests.conftest import DatabaseFactory

CANARY = "Canary-Register-Narwhal"


async def _raw(url: str, *statements: tuple[str, dict[str, object]]) -> list[tuple[object, ...]]:
    """Run the statements in one transaction, without foreign key checks (the complaint the
    disclosure belongs to is not needed here); the last one's rows."""
    engine = create_async_engine(url)
    rows: list[tuple[object, ...]] = []
    try:
        async with engine.begin() as connection:
            if url.startswith("postgresql"):
                await connection.execute(text("SET LOCAL session_replication_role = replica"))
            for sql, params in statements:
                result = await connection.execute(text(sql), params)
                rows = [tuple(r) for r in result.all()] if result.returns_rows else []
        return rows
    finally:
        await engine.dispose()


async def _orm_recipients(url: str) -> list[tuple[uuid.UUID | None, str]]:
    """The recipients as the key ring opens them (up to 0015, before per-complaint keys:
    from 0016 a recipient row names a complaint, which this test's rows have none of)."""
    ring = keyring(get_settings())
    rows = await _raw(url, ("SELECT id, user_id, recipient FROM disclosure_recipients", {}))
    found = []
    for row_id, user_id, blob in rows:
        plain = ring.decrypt_text(
            bytes(blob),  # type: ignore[arg-type]
            table="disclosure_recipients",
            column="recipient",
            row_id=str(uuid.UUID(str(row_id))),
        )
        who = None if user_id is None else uuid.UUID(str(user_id))
        found.append((who, plain))
    return sorted(found, key=lambda r: r[1])


@pytest.mark.clause("5.1")
def test_existing_recipients_are_encrypted_and_back(databases: DatabaseFactory) -> None:
    url = databases.empty()
    upgrade(url, "0007")
    user_id, disclosure_id, complaint_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    uid = (lambda u: u) if url.startswith("postgresql") else (lambda u: u.hex)
    asyncio.run(
        _raw(
            url,
            (
                "INSERT INTO users (id, username, display_name, password_hash, is_active,"
                " created_at, updated_at) VALUES (:i, 'u', 'U', 'x', true, :n, :n)",
                {"i": uid(user_id), "n": now},
            ),
            (
                "INSERT INTO disclosures (id, complaint_id, purpose, reason, content,"
                " disclosed_by, disclosed_at) VALUES (:i, :c, 'investigation', :b, :b, :u, :n)",
                {
                    "i": uid(disclosure_id),
                    "c": uid(complaint_id),
                    "b": b"sealed elsewhere",
                    "u": uid(user_id),
                    "n": now,
                },
            ),
            *(
                (
                    "INSERT INTO disclosure_recipients (disclosure_id, user_id, recipient)"
                    " VALUES (:d, :u, :r)",
                    {"d": uid(disclosure_id), "u": who, "r": recipient},
                )
                for who, recipient in (
                    (None, f"Venue manager {CANARY}"),
                    (uid(user_id), f"table officer {CANARY}"),
                )
            ),
        )
    )
    upgrade(url, "0015")
    stored = asyncio.run(_raw(url, ("SELECT recipient FROM disclosure_recipients", {})))
    assert len(stored) == 2
    assert all(CANARY.encode() not in bytes(v) for (v,) in stored)  # type: ignore[arg-type]
    assert asyncio.run(_orm_recipients(url)) == [
        (None, f"Venue manager {CANARY}"),
        (user_id, f"table officer {CANARY}"),
    ]
    command.downgrade(alembic_config(url), "0007")
    back = asyncio.run(
        _raw(url, ("SELECT recipient FROM disclosure_recipients ORDER BY recipient", {}))
    )
    assert back == [(f"Venue manager {CANARY}",), (f"table officer {CANARY}",)]
