"""Migration 0016: a disclosure's recipients name their complaint (taken from the
disclosure), so `ombuds rotate-keys` brings their text under the complaint's data key."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from ombuds.kit import datakeys
from ombuds.kit.crypto import owner_of
from ombuds.kit.db import create_engine, create_sessionmaker
from ombuds.kit.migrations import upgrade
from ombuds.kit.rotation import rotate
from ombuds.models import Complaint, Disclosure, DisclosurePurpose, Setting
from ombuds.settings import audit_key, get_settings, keyring
from tests.conftest import DatabaseFactory


async def _arrange(url: str) -> tuple[uuid.UUID, uuid.UUID]:
    """A complaint with a disclosure, and a recipient row as the revision before 0016 stored it."""
    settings = get_settings()
    ring = keyring(settings)
    engine = create_engine(url)
    uid = (lambda u: u) if url.startswith("postgresql") else (lambda u: u.hex)
    try:
        user_id = uuid.uuid4()
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO users (id, username, display_name, password_hash, is_active,"
                    " created_at, updated_at) VALUES (:i, 'u', 'U', 'x', true, :n, :n)"
                ),
                {"i": uid(user_id), "n": datetime.now(UTC)},
            )
        factory = create_sessionmaker(engine, audit_key=audit_key(settings), keyring=ring)
        async with factory() as db:
            complaint = Complaint(
                reference="C-M0016",
                intake_ombudsperson_id=user_id,
                received_on=date(2026, 11, 2),
                setting=Setting.local_500_event,
                resolution_sought="r",
                grounds=[],
            )
            db.add(complaint)
            await db.flush()
            disclosure = Disclosure(
                complaint_id=complaint.id,
                purpose=DisclosurePurpose.investigation,
                reason="why",
                content="what",
                disclosed_by=user_id,
            )
            db.add(disclosure)
            await db.commit()
        recipient_id = uuid.uuid4()
        blob = ring.encrypt_text(
            "Venue manager",
            table="disclosure_recipients",
            column="recipient",
            row_id=str(recipient_id),
        )
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO disclosure_recipients (id, disclosure_id, recipient)"
                    " VALUES (:i, :d, :r)"
                ),
                {"i": uid(recipient_id), "d": uid(disclosure.id), "r": blob},
            )
        await factory.kw["info"]["keys"].dispose()
        return complaint.id, recipient_id
    finally:
        await engine.dispose()


async def _after(url: str, recipient_id: uuid.UUID) -> tuple[object, bytes, str]:
    engine = create_engine(url)
    store = datakeys.KeyStore(datakeys.derive_url(url), keyring(get_settings()))
    try:
        await rotate(engine, store.ring, keys_store=store)
        async with engine.connect() as conn:
            row = (
                await conn.execute(
                    text("SELECT complaint_id, recipient FROM disclosure_recipients")
                )
            ).one()
        blob = bytes(row[1])
        await store.prefetch(datakeys.owners_of([blob]))
        plain = store.decrypt_text(
            blob, table="disclosure_recipients", column="recipient", row_id=str(recipient_id)
        )
        return row[0], blob, plain
    finally:
        await engine.dispose()
        await store.dispose()


@pytest.mark.clause("5.1")
def test_recipients_take_their_complaint_and_its_key(databases: DatabaseFactory) -> None:
    url = databases.empty()
    upgrade(url, "0017")  # the revision before 0016
    complaint_id, recipient_id = asyncio.run(_arrange(url))
    upgrade(url)
    stored_complaint, blob, plain = asyncio.run(_after(url, recipient_id))
    assert uuid.UUID(str(stored_complaint)) == complaint_id
    assert owner_of(blob) == complaint_id
    assert plain == "Venue manager"
