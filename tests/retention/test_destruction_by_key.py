"""Destruction by key (5.1): a backup taken before a complaint's data key is destroyed
cannot be decrypted afterwards, with every key that remains; other complaints can."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from datetime import date
from pathlib import Path

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from ombuds.auth.passwords import Passwords
from ombuds.kit import datakeys
from ombuds.kit.crypto import DecryptionFailed, is_owned
from ombuds.kit.datakeys import KeyStore
from ombuds.kit.rotation import encrypted_tables
from ombuds.models import (
    Attachment,
    Complaint,
    ComplaintPerson,
    Consultation,
    Incident,
    PartyRole,
    Role,
    Setting,
)
from ombuds.settings import Settings, keyring
from tests.factories.accounts import make_user
from tests.support.postgres import PostgresServer


async def _complaint(db: AsyncSession, user_id: uuid.UUID, tag: str) -> Complaint:
    row = Complaint(
        reference=f"C-K{tag}",
        intake_ombudsperson_id=user_id,
        received_on=date(2026, 11, 2),
        setting=Setting.local_500_event,
        resolution_sought=f"apology {tag}",
        grounds=[],
    )
    db.add(row)
    await db.flush()
    db.add(
        ComplaintPerson(
            complaint_id=row.id,
            role=PartyRole.complainant,
            full_name=f"Name {tag}",
            contact=f"{tag}@example.org",
        )
    )
    db.add(
        Incident(
            complaint_id=row.id,
            what=f"narrative {tag}",
            occurred_on=date(2026, 10, 30),
            location=f"room {tag}",
            categories=[],
        )
    )
    content = f"attachment {tag}".encode()
    db.add(
        Attachment(
            complaint_id=row.id,
            purpose="evidence",
            filename=f"{tag}.txt",
            media_type="text/plain",
            size=len(content),
            sha256="0" * 64,
            content=content,
            uploaded_by=user_id,
        )
    )
    await db.flush()
    return row


def _backup(settings: Settings, server: PostgresServer | None, tmp_path: Path) -> str:
    """A copy of the main database as it stands (not its key store): the file, or what
    `pg_dump` wrote, loaded into a database of its own."""
    url = make_url(settings.database_url)
    if server is None:
        copy = tmp_path / "backup.sqlite3"
        shutil.copyfile(str(url.database), copy)
        return f"sqlite+aiosqlite:///{copy}"
    dump = tmp_path / "backup.dump"
    subprocess.run(
        [
            str(server.bin_dir / "pg_dump"),
            "-Fc",
            "-f",
            str(dump),
            server.url(str(url.database), "").replace("postgresql+://", "postgresql://"),
        ],
        check=True,
    )
    name = f"backup_{uuid.uuid4().hex[:8]}"
    server.psql(f"CREATE DATABASE {name}")
    subprocess.run(
        [
            str(server.bin_dir / "pg_restore"),
            "-d",
            server.url(name, "").replace("postgresql+://", "postgresql://"),
            str(dump),
        ],
        check=True,
    )
    return server.url(name)


async def _values(url: str, owner: uuid.UUID) -> list[tuple[str, str, str, bytes]]:
    """Every encrypted value of one complaint in a database: (table, column, row, blob)."""
    engine = create_async_engine(url, poolclass=NullPool)
    found = []
    try:
        async with engine.connect() as conn:
            for table, columns in encrypted_tables():
                if table.name == "complaints":
                    where = table.c.id == owner
                elif "complaint_id" in table.c:
                    where = table.c.complaint_id == owner
                else:
                    continue
                keys = list(table.primary_key.columns)
                for row in (
                    await conn.execute(select(*keys, *(table.c[c] for c in columns)).where(where))
                ).all():
                    row_id = "/".join(str(v) for v in row[: len(keys)])
                    for column, blob in zip(columns, row[len(keys) :], strict=True):
                        if blob is not None:
                            found.append((table.name, column, row_id, bytes(blob)))
    finally:
        await engine.dispose()
    return found


@pytest.mark.clause("5.1")
class TestDestructionByKey:
    async def test_a_backup_cannot_be_read_after_the_key_is_destroyed(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        postgres: PostgresServer | None,
        tmp_path: Path,
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        a = await _complaint(db, user.id, "A1")
        b = await _complaint(db, user.id, "B2")
        await db.commit()
        backup_url = _backup(settings, postgres, tmp_path)

        destroyed = await datakeys.destroy(db, a.id)
        assert destroyed is True

        # Everything that remains: the whole key ring and the key store as it stands, read
        # by a process that never saw the keys before.
        store = KeyStore(datakeys.url_for(settings), keyring(settings))
        try:
            of_a = await _values(backup_url, a.id)
            of_b = await _values(backup_url, b.id)
            tables_of_a = {t for t, *_ in of_a}
            assert tables_of_a == {"complaints", "complaint_people", "incidents", "attachments"}
            assert len(of_a) == len(of_b) == 7
            for table, column, row_id, blob in of_a:
                assert is_owned(blob)
                with pytest.raises(DecryptionFailed):
                    store.decrypt(blob, table=table, column=column, row_id=row_id)
                await store.prefetch([a.id])  # asking the key store again finds nothing
                assert store.cached(a.id) is None
            await store.prefetch([b.id])
            plain = {
                (t, c): store.decrypt(blob, table=t, column=c, row_id=r) for t, c, r, blob in of_b
            }
        finally:
            await store.dispose()
        assert plain[("complaints", "resolution_sought")] == b"apology B2"
        assert plain[("complaint_people", "full_name")] == b"Name B2"
        assert plain[("incidents", "what")] == b"narrative B2"
        assert plain[("attachments", "content")] == b"attachment B2"

    async def test_the_live_session_cannot_read_it_either(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        a = await _complaint(db, user.id, "A3")
        await db.commit()
        await datakeys.destroy(db, a.id)
        async with app.state.sessionmaker() as fresh:
            with pytest.raises(DecryptionFailed):
                await fresh.get(Complaint, a.id)


@pytest.mark.clause("5.1")
class TestConsultationByKey:
    async def test_a_consultation_has_its_own_key_and_is_destroyed_by_it(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        kept = Consultation(
            ombudsperson_id=user.id, full_name="Kept Name", held_on=date(2026, 11, 3), notes="k"
        )
        gone = Consultation(
            ombudsperson_id=user.id, full_name="Gone Name", held_on=date(2026, 11, 3), notes="g"
        )
        db.add_all([kept, gone])
        await db.commit()
        async with app.state.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(Consultation.__table__.c.id, Consultation.__table__.c.notes)
                )
            ).all()
        assert {datakeys.owner_of(bytes(notes)) for _, notes in rows} == {kept.id, gone.id}

        await datakeys.destroy(db, gone.id)
        async with app.state.sessionmaker() as fresh:
            with pytest.raises(DecryptionFailed):
                await fresh.get(Consultation, gone.id)
            again = await fresh.get(Consultation, kept.id)
            assert again is not None and again.full_name == "Kept Name" and again.notes == "k"
