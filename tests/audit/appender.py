"""A separate OS process writing audit entries (or sealing them) into a shared database,
with an engine of its own, as another worker or instance of the service would.

    python -m tests.audit.appender append URL KEY_HEX WORKER TRANSACTIONS
    python -m tests.audit.appender seal URL KEY_HEX SECONDS

`append` prints the object ids of the entries it committed, one a line; a transaction in
five is rolled back and its entries must never appear."""

from __future__ import annotations

import asyncio
import sys
import time

from ombuds.audit import service
from ombuds.audit.sealer import Sealer
from ombuds.auth.principal import ANONYMOUS
from ombuds.kit.crypto import KeyRing
from ombuds.kit.db import create_engine, create_sessionmaker


def _factory(url: str, key_hex: str):  # type: ignore[no-untyped-def]
    engine = create_engine(url)
    ring = KeyRing({"k1": bytes(32)}, "k1")
    return engine, create_sessionmaker(engine, audit_key=bytes.fromhex(key_hex), keyring=ring)


async def append(url: str, key_hex: str, worker: int, transactions: int) -> list[str]:
    engine, factory = _factory(url, key_hex)
    committed: list[str] = []
    try:
        for t in range(transactions):
            ids = [f"w{worker}-t{t}-e{e}" for e in range(1 + t % 3)]
            async with factory() as db:
                for object_id in ids:
                    await service.record(db, ANONYMOUS, "race.append", "test", object_id)
                if t % 5 == 4:
                    await db.rollback()
                    continue
                await db.commit()
            committed += ids
    finally:
        await engine.dispose()
    return committed


async def seal(url: str, key_hex: str, seconds: float) -> None:
    engine, factory = _factory(url, key_hex)
    sealer = Sealer(factory, 0.02)
    try:
        stop = time.monotonic() + seconds
        while time.monotonic() < stop:
            await sealer.round()
            await asyncio.sleep(sealer.interval)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    command, url, key_hex, n = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    if command == "append":
        print("\n".join(asyncio.run(append(url, key_hex, int(n), int(sys.argv[5])))))
    else:
        asyncio.run(seal(url, key_hex, float(n)))
