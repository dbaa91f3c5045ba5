"""Migration 0005 encrypts what was already stored, and 0004 gets it back."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from ombuds.kit.db import create_sessionmaker
from ombuds.kit.migrations import alembic_config, upgrade
from ombuds.models import Consultation
from ombuds.settings import audit_key, get_settings, keyring
from tests.conftest import DatabaseFactory

CANARY = "Canary-Migration-Marmot"


async def _raw(url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params)
            return [tuple(r) for r in result.all()] if result.returns_rows else []
    finally:
        await engine.dispose()


async def _orm_notes(url: str, consultation_id: uuid.UUID) -> str:
    engine = create_async_engine(url)
    settings = get_settings()
    factory = create_sessionmaker(engine, audit_key=audit_key(settings), keyring=keyring(settings))
    try:
        async with factory() as db:
            consultation = await db.get(Consultation, consultation_id)
            assert consultation is not None
            return consultation.notes
    finally:
        await engine.dispose()


def test_existing_plaintext_is_encrypted_in_place_and_back(databases: DatabaseFactory) -> None:
    url = databases.empty()
    upgrade(url, "0004")
    user_id, consultation_id = uuid.uuid4(), uuid.uuid4()
    now = datetime.now(UTC)
    is_pg = url.startswith("postgresql")
    uid = (lambda u: u) if is_pg else (lambda u: u.hex)
    asyncio.run(
        _raw(
            url,
            "INSERT INTO users (id, username, display_name, password_hash, is_active, created_at,"
            " updated_at) VALUES (:i, 'u', 'U', 'x', true, :n, :n)",
            i=uid(user_id),
            n=now,
        )
    )
    asyncio.run(
        _raw(
            url,
            "INSERT INTO consultations (id, ombudsperson_id, held_on, notes, full_name,"
            " other_routes_told, created_at, updated_at)"
            " VALUES (:i, :u, :d, :t, :f, false, :n, :n)",
            i=uid(consultation_id),
            u=uid(user_id),
            d=now.date(),
            t=f"notes {CANARY}",
            f=f"name {CANARY}",
            n=now,
        )
    )
    upgrade(url)
    stored = asyncio.run(_raw(url, "SELECT notes, full_name FROM consultations"))
    assert all(CANARY.encode() not in bytes(v) for v in stored[0])  # type: ignore[arg-type]
    assert asyncio.run(_orm_notes(url, consultation_id)) == f"notes {CANARY}"
    command.downgrade(alembic_config(url), "0004")
    back = asyncio.run(_raw(url, "SELECT notes, full_name FROM consultations"))
    assert back == [(f"notes {CANARY}", f"name {CANARY}")]
