"""Re-encrypt under the key ring's active key, and bring old values under their record's key.

- Every data key in the key store is re-wrapped under the active key (cheap: the content
  it seals is untouched).
- A value of a table owned by a complaint or consultation that is still under the ring
  (v1, written before data keys existed) is re-sealed under its owner's data key (v2), so
  a deployment upgraded from before becomes destroyable by key.
- A value of a ring-only table not under the active key is re-encrypted under it.
- Data keys whose owner no longer exists are swept (`sweep_orphans`).

Resumable: what is already in its final form is skipped, and each batch commits, so an
interrupted run picks up where it stopped."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from ombuds.kit.crypto import KeyRing, is_owned, seal_owned
from ombuds.kit.datakeys import KeyStore
from ombuds.kit.encryption import encrypted_attributes, owner_column, sealed
from ombuds.models import Base, Complaint, Consultation


@dataclass
class RotationReport:
    rows_seen: int = 0
    values_reencrypted: int = 0
    data_keys_rewrapped: int = 0


def encrypted_tables() -> list[tuple[Table, list[str]]]:
    found: list[tuple[Table, list[str]]] = []
    for mapper in Base.registry.mappers:
        columns = [key for key, _ in encrypted_attributes(mapper)]
        if columns and isinstance(mapper.local_table, Table):
            found.append((mapper.local_table, columns))
    return sorted(found, key=lambda t: t[0].name)


def owners() -> dict[str, str]:
    """Table name -> the column naming the record whose data key seals it."""
    found = {}
    for mapper in Base.registry.mappers:
        column = owner_column(mapper)
        if column is not None and isinstance(mapper.local_table, Table):
            found[mapper.local_table.name] = column
    return found


async def sweep_orphans(engine: AsyncEngine, keys: KeyStore) -> int:
    """Remove the data keys whose complaint or consultation no longer exists (left by a
    transaction that rolled back after its first flush)."""
    async with engine.connect() as connection:
        existing = set((await connection.scalars(select(Complaint.id))).all())
        existing |= set((await connection.scalars(select(Consultation.id))).all())
    return await keys.sweep(existing)


async def count_rows(engine: AsyncEngine) -> int:
    total = 0
    async with engine.connect() as connection:
        for table, _ in encrypted_tables():
            total += int(await connection.scalar(select(func.count()).select_from(table)) or 0)
    return total


async def rotate(
    engine: AsyncEngine,
    ring: KeyRing,
    *,
    keys_store: KeyStore | None = None,
    batch: int = 500,
    progress: Callable[[int], None] = lambda n: None,
) -> RotationReport:
    report = RotationReport()
    store = keys_store or KeyStore(_derived(engine), ring)
    try:
        await _rotate(engine, ring, store, report, batch, progress)
    finally:
        if keys_store is None:
            await store.dispose()
    return report


async def _rotate(
    engine: AsyncEngine,
    ring: KeyRing,
    store: KeyStore,
    report: RotationReport,
    batch: int,
    progress: Callable[[int], None],
) -> None:
    report.data_keys_rewrapped = await store.rewrap(batch=batch)
    owned = owners()
    for table, columns in encrypted_tables():
        keys = list(table.primary_key.columns)
        owner_col = owned.get(table.name)
        extra = [table.c[owner_col]] if owner_col else []
        after: tuple[object, ...] | None = None
        while True:
            stmt = (
                select(*keys, *(table.c[c] for c in columns), *extra).order_by(*keys).limit(batch)
            )
            if after is not None:
                stmt = stmt.where(tuple_(*keys) > tuple_(*after))
            async with engine.begin() as connection:
                rows = (await connection.execute(stmt)).all()
                for full in rows:
                    row = tuple(full[: len(keys) + len(columns)])
                    owner = full[-1] if owner_col else None
                    if owner is not None:
                        values = await _to_owner(store, table.name, row, len(keys), columns, owner)
                    else:
                        values = _reencrypt(ring, table.name, row, len(keys), columns)
                    if values:
                        condition = [k == row[i] for i, k in enumerate(keys)]
                        await connection.execute(update(table).where(*condition).values(values))
                        report.values_reencrypted += len(values)
            report.rows_seen += len(rows)
            progress(len(rows))
            if len(rows) < batch:
                break
            after = tuple(rows[-1][: len(keys)])


def _derived(engine: AsyncEngine) -> str:
    from ombuds.kit.datakeys import derive_url

    return derive_url(engine.url.render_as_string(hide_password=False))


async def _to_owner(
    store: KeyStore,
    table: str,
    row: tuple[object, ...],
    n_keys: int,
    columns: list[str],
    owner: object,
) -> dict[str, bytes]:
    """Ring-sealed (v1) values of an owned row, re-sealed under the owner's data key."""
    row_id = "/".join(str(v) for v in row[:n_keys])
    values = {}
    for column, blob in zip(columns, row[n_keys:], strict=True):
        if not isinstance(blob, bytes | bytearray | memoryview):
            continue
        blob = bytes(blob)
        if is_owned(blob):
            continue
        assert isinstance(owner, uuid.UUID)
        plain = store.ring.decrypt(blob, table=table, column=column, row_id=row_id)
        cipher = await store.cipher(owner, create=True)
        assert cipher is not None
        values[column] = sealed(
            seal_owned(cipher, owner, plain, table=table, column=column, row_id=row_id)
        )
    return values


def _reencrypt(
    ring: KeyRing, table: str, row: tuple[object, ...], n_keys: int, columns: list[str]
) -> dict[str, bytes]:
    row_id = "/".join(str(v) for v in row[:n_keys])
    values = {}
    for column, blob in zip(columns, row[n_keys:], strict=True):
        if not isinstance(blob, bytes | bytearray | memoryview):
            continue
        blob = bytes(blob)
        if KeyRing.key_id_of(blob) == ring.active_key_id:
            continue
        plain = ring.decrypt(blob, table=table, column=column, row_id=row_id)
        values[column] = sealed(ring.encrypt(plain, table=table, column=column, row_id=row_id))
    return values
