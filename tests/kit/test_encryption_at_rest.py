"""Identifying and narrative columns are ciphertext at rest, bound to their rows; the key
ring rotates, resumably."""

from __future__ import annotations

import base64
import uuid

import httpx
import pytest
from asgi_lifespan import LifespanManager
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit import datakeys
from ombuds.kit.crypto import DecryptionFailed, KeyRing, owner_of
from ombuds.kit.datakeys import KeyStore
from ombuds.kit.rotation import encrypted_tables, owners, rotate
from ombuds.main import create_app
from ombuds.models import Base, Incident, Role
from tests.conftest import make_settings
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit

CANARY = "Canary-Ocelot-5150"
KEYS = {"k1": base64.b64encode(b"1" * 32).decode(), "k2": base64.b64encode(b"2" * 32).decode()}


async def _complaint_with_canaries(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> dict[str, object]:
    unit = await make_unit(db)
    a, b = await make_member(db, unit), await make_member(db, unit)
    _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    body = complaint_body(
        a,
        b,
        witnesses=[{"full_name": f"Witness {CANARY}", "contact": f"{CANARY}@example.org"}],
        resolution_sought=f"Resolution {CANARY}",
    )
    body["incidents"][0]["what"] = f"What {CANARY}"
    body["incidents"][0]["location"] = f"Where {CANARY}"
    detail, _ = await file_complaint(client, headers, body)
    assert any(p["full_name"] == f"Witness {CANARY}" for p in detail["people"])  # type: ignore[index, union-attr]
    return detail


async def _raw_dump(db: AsyncSession) -> str:
    """Every row of every table, as the database hands it to anyone who can read it."""
    parts = []
    for table in Base.metadata.sorted_tables:
        rows = (await db.execute(text(f"SELECT * FROM {table.name}"))).all()
        parts.extend(repr(tuple(r)) for r in rows)
    return "\n".join(parts)


@pytest.mark.clause("5.1")
async def test_the_raw_database_holds_no_plaintext(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> None:
    await _complaint_with_canaries(client, db, passwords)
    dump = await _raw_dump(db)
    assert "Canary-Ocelot" not in dump
    assert b"Canary-Ocelot".hex() not in dump


async def test_a_ciphertext_moved_to_another_row_does_not_decrypt(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> None:
    first = await _complaint_with_canaries(client, db, passwords)
    second = await _complaint_with_canaries(client, db, passwords)
    await db.execute(
        text(
            "UPDATE incidents SET what = (SELECT what FROM incidents WHERE complaint_id = :a) "
            "WHERE complaint_id = :b"
        ),
        {"a": _db_uuid(db, first["id"]), "b": _db_uuid(db, second["id"])},
    )
    await db.commit()
    db.expire_all()
    with pytest.raises(DecryptionFailed):
        await db.scalar(
            select(Incident).where(Incident.complaint_id == uuid.UUID(str(second["id"])))
        )


def _db_uuid(db: AsyncSession, value: object) -> object:
    as_uuid = uuid.UUID(str(value))
    return as_uuid if db.get_bind().dialect.name == "postgresql" else as_uuid.hex


async def test_rotation_reencrypts_everything_and_resumes(database_url: str) -> None:
    old = make_settings(database_url, encryption_keys=KEYS, encryption_active_key_id="k1")
    app = create_app(old)
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            async with app.state.sessionmaker() as db:
                detail = await _complaint_with_canaries(client, db, app.state.passwords)
    new_ring = KeyRing({k: base64.b64decode(v) for k, v in KEYS.items()}, "k2")
    engine = app.state.engine

    class Interrupted(Exception):
        pass

    seen = 0

    def stop_after_two(n: int) -> None:
        nonlocal seen
        seen += n
        if seen >= 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        await rotate(engine, new_ring, batch=1, progress=stop_after_two)
    first = await rotate(engine, new_ring, batch=2)
    assert first.data_keys_rewrapped == 0  # the interrupted run re-wrapped it already
    again = await rotate(engine, new_ring, batch=2)
    assert again.values_reencrypted == again.data_keys_rewrapped == 0
    owned = owners()
    async with engine.connect() as connection:
        for table, columns in encrypted_tables():
            for column in columns:
                for (blob,) in (await connection.execute(select(table.c[column]))).all():
                    if blob is None:
                        continue
                    if table.name in owned:  # under its complaint's data key, untouched
                        assert owner_of(bytes(blob)) == uuid.UUID(str(detail["id"]))
                    else:
                        assert KeyRing.key_id_of(bytes(blob)) == "k2", (table.name, column)
    store = KeyStore(datakeys.derive_url(database_url), new_ring)
    try:
        async with store.engine.connect() as connection:
            wrapped = (await connection.scalars(select(datakeys.DATA_KEYS.c.wrapped))).all()
    finally:
        await store.dispose()
    assert wrapped and {KeyRing.key_id_of(bytes(w)) for w in wrapped} == {"k2"}
    rotated = make_settings(
        database_url, encryption_keys={"k2": KEYS["k2"]}, encryption_active_key_id="k2"
    )
    app2 = create_app(rotated)
    async with LifespanManager(app2), app2.state.sessionmaker() as db2:
        what = await db2.scalar(
            select(Incident.what).where(Incident.complaint_id == uuid.UUID(str(detail["id"])))
        )
        incident = await db2.scalar(
            select(Incident).where(Incident.complaint_id == uuid.UUID(str(detail["id"])))
        )
        assert incident is not None and incident.what == f"What {CANARY}"
        assert what is not None  # a column select returns the ciphertext, never plaintext
