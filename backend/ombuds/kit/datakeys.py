"""Envelope encryption: every complaint and consultation has a data key of its own.

The confidential columns of a record (and of every row that belongs to it) are sealed
under the record's 32-byte data key (kit/crypto.py, layout v2). Each data key is kept
wrapped by the key ring (AAD "data_keys:key:<owner id>") in a **key store**, a database of
its own (`OMBUDS_KEY_STORE_URL`; by default a sibling of the main database: `x.sqlite3` →
`x-keys.sqlite3`, PostgreSQL database `name` → `name_keys`).

Why a database of its own: `destroy` deletes the owner's data key, so every copy of the
record's ciphertext, in the main database's backups too, can no longer be decrypted with
any key that remains (crypto-shredding). Were the wrapped keys in the main database, a
backup would carry them and the ring would unwrap them. The key store's own backups are
therefore kept no longer than the restore window (docs/operations.md).

Keys are cached unwrapped in a bounded LRU per process: a hot read asks the key store once
for the owners it is about to decrypt (`prefetch`), and not at all when they are cached.
The ORM's events (kit/encryption.py) run synchronously inside SQLAlchemy's greenlet; on a
miss they fetch (or, sealing a new owner's first row, create) the key through
`sqlalchemy.util.await_only`.

A new owner's key is inserted (and committed) in the key store before the main
transaction commits; if the main transaction then rolls back, an orphan key is left. It
protects nothing and decrypts nothing; `ombuds rotate-keys` sweeps keys whose owner no
longer exists.

Several workers: `destroy` deletes the key from the key store and from this worker's
cache. Another worker may still hold the key in its cache, but retention destroys the key
only after it removed the record's content, so what that cached copy could decrypt is
already gone from the live database; it never reaches a backup, which is read by a
process started afresh against the key store."""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, LargeBinary, MetaData, Table, Uuid, delete, select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, MissingGreenlet
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from sqlalchemy.util import await_only

from ombuds.kit.clock import utcnow
from ombuds.kit.crypto import (
    DecryptionFailed,
    KeyRing,
    is_owned,
    open_owned,
    owner_of,
    seal_owned,
)
from ombuds.kit.db import UTCDateTime, create_engine

if TYPE_CHECKING:
    from ombuds.settings import Settings

CACHE_SIZE = 10_000

metadata = MetaData()
DATA_KEYS = Table(
    "data_keys",
    metadata,
    Column("owner_id", Uuid(), primary_key=True),
    Column("wrapped", LargeBinary(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)


def derive_url(database_url: str) -> str:
    """The key store beside the main database: a sibling file, or database `<name>_keys`."""
    url = make_url(database_url)
    name = url.database or ""
    if url.get_backend_name() == "sqlite":
        if not name or name == ":memory:":
            return database_url  # in memory: its keys live (and die) in memory too
        path = Path(name)
        return url.set(
            database=str(path.with_name(f"{path.stem}-keys{path.suffix}"))
        ).render_as_string(hide_password=False)
    return url.set(database=f"{name}_keys").render_as_string(hide_password=False)


def url_for(settings: Settings) -> str:
    return settings.key_store_url or derive_url(settings.database_url)


def for_settings(settings: Settings) -> KeyStore:
    """The key store of these settings, unpooled (for a command: nothing to dispose)."""
    from ombuds.settings import keyring

    return KeyStore(url_for(settings), keyring(settings))


def prepare(key_store_url: str) -> None:
    """Create the key store (PostgreSQL: its database, when missing, which needs the
    CREATEDB privilege; or `createdb <name>_keys` beforehand) and its table; idempotent.
    Runs its own event loop in a thread, so it can be called from anywhere."""

    async def exists() -> bool:
        probe = create_async_engine(key_store_url, poolclass=NullPool)
        try:
            async with probe.connect():
                return True
        except Exception as exc:  # the server says which: only a missing database is ours
            if "does not exist" in str(exc):
                return False
            raise
        finally:
            await probe.dispose()

    async def run() -> None:
        url = make_url(key_store_url)
        if url.get_backend_name() == "postgresql" and not await exists():
            admin = create_async_engine(
                url.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT"
            )
            try:
                async with admin.connect() as conn:
                    found = await conn.scalar(
                        text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": url.database}
                    )
                    if not found:
                        await conn.execute(text(f'CREATE DATABASE "{url.database}"'))
            finally:
                await admin.dispose()
        store_engine = create_async_engine(key_store_url, poolclass=NullPool)
        try:
            async with store_engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
        finally:
            await store_engine.dispose()

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:  # handed to the caller's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


class KeyStore:
    """The data keys of one deployment, with this process's cache of unwrapped keys."""

    def __init__(
        self, url: str, ring: KeyRing, *, pooled: bool = False, cache_size: int = CACHE_SIZE
    ) -> None:
        self.url = url
        self.ring = ring
        self.pooled = pooled
        self.cache_size = cache_size
        self._engine: AsyncEngine | None = None
        self._cache: OrderedDict[uuid.UUID, AESGCM] = OrderedDict()
        self._schema_ready = False

    @property
    def engine(self) -> AsyncEngine:
        if self._engine is None:
            if self.pooled:
                self._engine = create_engine(self.url)
            else:  # a command or a test: nothing left open between uses
                args = {"timeout": 5} if self.url.startswith("sqlite") else {}
                self._engine = create_async_engine(self.url, poolclass=NullPool, connect_args=args)
        return self._engine

    async def dispose(self) -> None:
        if self._engine is not None:
            await self._engine.dispose()
            self._engine = None

    async def ensure_schema(self) -> None:
        """The table, if `ombuds migrate` has not made it (e.g. a fresh SQLite test file)."""
        if not self._schema_ready:
            async with self.engine.begin() as conn:
                await conn.run_sync(metadata.create_all)
            self._schema_ready = True

    # -- wrapping and the cache --------------------------------------------------------

    def _wrap(self, owner: uuid.UUID, key: bytes) -> bytes:
        return self.ring.encrypt(key, table="data_keys", column="key", row_id=str(owner))

    def _unwrap(self, owner: uuid.UUID, wrapped: bytes) -> bytes:
        return self.ring.decrypt(bytes(wrapped), table="data_keys", column="key", row_id=str(owner))

    def _remember(self, owner: uuid.UUID, key: bytes) -> AESGCM:
        cipher = AESGCM(key)
        self._cache[owner] = cipher
        self._cache.move_to_end(owner)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return cipher

    def cached(self, owner: uuid.UUID) -> AESGCM | None:
        cipher = self._cache.get(owner)
        if cipher is not None:
            self._cache.move_to_end(owner)
        return cipher

    def forget(self, owner: uuid.UUID | None = None) -> None:
        """Drop one owner's key from this process's cache (or all of them)."""
        if owner is None:
            self._cache.clear()
        else:
            self._cache.pop(owner, None)

    # -- async API -----------------------------------------------------------------------

    async def prefetch(self, owners: Iterable[uuid.UUID]) -> None:
        """Load the keys of these owners not yet cached, in one query (none if all are)."""
        missing = [o for o in set(owners) if o not in self._cache]
        if not missing:
            return
        await self.ensure_schema()
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(DATA_KEYS.c.owner_id, DATA_KEYS.c.wrapped).where(
                        DATA_KEYS.c.owner_id.in_(missing)
                    )
                )
            ).all()
        for owner, wrapped in rows:
            self._remember(owner, self._unwrap(owner, wrapped))

    async def cipher(self, owner: uuid.UUID, *, create: bool = False) -> AESGCM | None:
        found = self.cached(owner)
        if found is not None:
            return found
        await self.prefetch([owner])
        found = self.cached(owner)
        if found is not None or not create:
            return found
        key = AESGCM.generate_key(bit_length=256)
        try:
            async with self.engine.begin() as conn:
                await conn.execute(
                    DATA_KEYS.insert().values(
                        owner_id=owner, wrapped=self._wrap(owner, key), created_at=utcnow()
                    )
                )
        except IntegrityError:  # another worker made it first: use theirs
            await self.prefetch([owner])
            return self.cached(owner)
        return self._remember(owner, key)

    async def destroy(self, owner: uuid.UUID) -> bool:
        """Delete the owner's data key: every v2 value of the owner, wherever it was
        copied, can no longer be decrypted. True if there was a key."""
        await self.ensure_schema()
        self.forget(owner)
        async with self.engine.begin() as conn:
            result = await conn.execute(delete(DATA_KEYS).where(DATA_KEYS.c.owner_id == owner))
        self.forget(owner)
        return bool(getattr(result, "rowcount", 0))

    async def owners(self) -> list[uuid.UUID]:
        await self.ensure_schema()
        async with self.engine.connect() as conn:
            return list((await conn.scalars(select(DATA_KEYS.c.owner_id))).all())

    async def rewrap(self, *, batch: int = 500) -> int:
        """Re-wrap every data key not under the ring's active key; resumable (each batch
        commits, and a key already under the active key is skipped)."""
        await self.ensure_schema()
        done = 0
        after: uuid.UUID | None = None
        while True:
            stmt = select(DATA_KEYS.c.owner_id, DATA_KEYS.c.wrapped).order_by(DATA_KEYS.c.owner_id)
            if after is not None:
                stmt = stmt.where(DATA_KEYS.c.owner_id > after)
            async with self.engine.begin() as conn:
                rows = (await conn.execute(stmt.limit(batch))).all()
                for owner, wrapped in rows:
                    if KeyRing.key_id_of(bytes(wrapped)) == self.ring.active_key_id:
                        continue
                    key = self._unwrap(owner, wrapped)
                    await conn.execute(
                        update(DATA_KEYS)
                        .where(DATA_KEYS.c.owner_id == owner)
                        .values(wrapped=self._wrap(owner, key))
                    )
                    done += 1
            if len(rows) < batch:
                return done
            after = rows[-1][0]

    async def sweep(self, existing: set[uuid.UUID]) -> int:
        """Delete the keys whose owner is not in `existing` (orphans of rolled-back
        transactions, or of records removed without `destroy`)."""
        orphans = [o for o in await self.owners() if o not in existing]
        for owner in orphans:
            await self.destroy(owner)
        return len(orphans)

    # -- sync API (inside SQLAlchemy's greenlet, or after `prefetch`) -------------------

    def cipher_sync(self, owner: uuid.UUID, *, create: bool = False) -> AESGCM | None:
        found = self.cached(owner)
        if found is not None:
            return found
        try:
            result: AESGCM | None = await_only(self.cipher(owner, create=create))
        except MissingGreenlet:
            # Outside SQLAlchemy's greenlet (a Core read), only prefetched keys are known:
            # the caller prefetched this owner and the key store has no key for it.
            if create:
                raise
            return None
        return result

    def encrypt(
        self, owner: uuid.UUID, plaintext: bytes, *, table: str, column: str, row_id: str
    ) -> bytes:
        cipher = self.cipher_sync(owner, create=True)
        assert cipher is not None
        return seal_owned(cipher, owner, plaintext, table=table, column=column, row_id=row_id)

    def decrypt(self, blob: bytes, *, table: str, column: str, row_id: str) -> bytes:
        """A v2 value under its owner's data key, a v1 value under the ring."""
        if not is_owned(blob):
            return self.ring.decrypt(blob, table=table, column=column, row_id=row_id)
        cipher = self.cipher_sync(owner_of(blob))
        if cipher is None:
            raise DecryptionFailed("the data key of this record is destroyed")
        return open_owned(cipher, blob, table=table, column=column, row_id=row_id)

    def decrypt_text(self, blob: bytes, *, table: str, column: str, row_id: str) -> str:
        return self.decrypt(blob, table=table, column=column, row_id=row_id).decode()


def owners_of(blobs: Iterable[bytes | None]) -> set[uuid.UUID]:
    """The owners whose data keys these values are under (ring-sealed ones have none)."""
    return {owner_of(b) for b in blobs if b is not None and is_owned(b)}


def session_keys(session: Session | AsyncSession) -> KeyStore:
    info: dict[str, Any] = session.info
    keys = info.get("keys")
    if not isinstance(keys, KeyStore):
        raise RuntimeError("this session has no key store (kit.db.create_sessionmaker sets it)")
    return keys


async def destroy(where: KeyStore | AsyncSession, owner_id: uuid.UUID) -> bool:
    """Destroy a complaint's (or consultation's) data key: afterwards every v2 value of
    that owner raises DecryptionFailed, even read from a backup taken before. Call it
    after the record's content is removed (retention)."""
    keys = where if isinstance(where, KeyStore) else session_keys(where)
    return await keys.destroy(owner_id)
