"""Re-encrypt every encrypted column under the key ring's active key.

Resumable: a row already under the active key is skipped, and each batch commits, so an
interrupted run picks up where it stopped."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine

from ombuds.kit.crypto import KeyRing
from ombuds.kit.encryption import encrypted_attributes, sealed
from ombuds.models import Base


@dataclass
class RotationReport:
    rows_seen: int = 0
    values_reencrypted: int = 0


def encrypted_tables() -> list[tuple[Table, list[str]]]:
    found: list[tuple[Table, list[str]]] = []
    for mapper in Base.registry.mappers:
        columns = [key for key, _ in encrypted_attributes(mapper)]
        if columns and isinstance(mapper.local_table, Table):
            found.append((mapper.local_table, columns))
    return sorted(found, key=lambda t: t[0].name)


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
    batch: int = 500,
    progress: Callable[[int], None] = lambda n: None,
) -> RotationReport:
    report = RotationReport()
    for table, columns in encrypted_tables():
        keys = list(table.primary_key.columns)
        after: tuple[object, ...] | None = None
        while True:
            stmt = select(*keys, *(table.c[c] for c in columns)).order_by(*keys).limit(batch)
            if after is not None:
                stmt = stmt.where(tuple_(*keys) > tuple_(*after))
            async with engine.begin() as connection:
                rows = (await connection.execute(stmt)).all()
                for row in rows:
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
    return report


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
