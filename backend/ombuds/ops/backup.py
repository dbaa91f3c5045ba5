"""`ombuds backup` and `ombuds restore`: a pg_dump of the database, without the keys.

Beside FILE, `ombuds backup` writes FILE.keys: the key store's data keys (kit/datakeys.py),
each wrapped by the key ring, dumped from the key store's own database. A complaint
is readable from FILE only with FILE.keys (or the live key store) holding its data key:
keep FILE.keys no longer than the restore window (docs/operations.md), so that a destroyed
complaint stays destroyed in every backup. `ombuds restore FILE` restores FILE.keys too,
when it is there, into the (empty) key store of the target database.

A backup is PostgreSQL's custom format (`pg_dump --format=custom`), made by the machine's
own pg_dump and read back by its pg_restore. It holds the database and nothing else: names
and narrative only as ciphertext, the audit log with its HMACs. The keys that make it
readable (OMBUDS_ENCRYPTION_KEYS) and verifiable (OMBUDS_AUDIT_KEY) are settings, kept
outside the database, and so never in a backup: keep them apart from it
(docs/operations.md). A backup without its keys decrypts nothing.

A restore goes into an empty database, then checks what it restored with the keys it is
given: the audit chain, walked whole, and one value under each encryption key id found.
SQLite is refused: stop the service and copy its file instead."""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

from ombuds.audit.chain import Verdict, verify
from ombuds.audit.sealer import seal_pending
from ombuds.kit import datakeys
from ombuds.kit.crypto import DecryptionFailed, KeyRing, owner_of
from ombuds.kit.datakeys import DATA_KEYS, KeyStore
from ombuds.kit.db import create_engine, create_sessionmaker
from ombuds.kit.rotation import encrypted_tables, owners
from ombuds.models import AuditEntry
from ombuds.settings import Settings, audit_key, keyring

# The restored entries were written before the backup: how long ago they were sealed (or
# are still waiting to be) says nothing about tampering, only their content and links do.
EVER = timedelta(days=365 * 1000)


class BackupRefused(Exception):
    """The backup or restore cannot go ahead; the message says why and what to do."""


def find_tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(p.split("/")[-3]) if p.split("/")[-3].isdigit() else 0,
        reverse=True,
    )
    if versions:
        return versions[0]
    raise BackupRefused(
        f"{name} not found on PATH or under /usr/lib/postgresql/*/bin; install PostgreSQL's "
        "client programs (the same major version as the server, or newer)"
    )


def keys_file(path: Path) -> Path:
    """Where the key store's part of a backup goes: beside it, FILE.keys."""
    return path.with_name(path.name + ".keys")


def _libpq_env(settings: Settings, database_url: str | None = None) -> dict[str, str]:
    """The connection as libpq's variables, so the password never shows in a process list."""
    if settings.is_sqlite:
        raise BackupRefused(
            "backup and restore work on PostgreSQL (pg_dump); for SQLite, stop the service "
            "and copy the database file and its key store (the -keys file beside it)"
        )
    url = make_url(database_url or settings.database_url)
    if url.get_backend_name() != "postgresql":
        raise BackupRefused("the key store must be on PostgreSQL too (OMBUDS_KEY_STORE_URL)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    values = {
        "PGHOST": url.host,
        "PGPORT": str(url.port) if url.port else None,
        "PGUSER": url.username,
        "PGPASSWORD": url.password if isinstance(url.password, str) else None,
        "PGDATABASE": url.database,
    }
    env.update({k: v for k, v in values.items() if v})
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        # pg_dump and pg_restore report objects and connection problems, never row data.
        raise BackupRefused(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


@dataclass(frozen=True)
class BackupReport:
    path: Path
    size: int
    chain_end_pos: int
    chain_end_hash: str | None
    keys_path: Path | None = None
    keys_size: int = 0


async def _chain_end(db: AsyncSession) -> tuple[int, str | None]:
    row = (
        await db.execute(
            select(AuditEntry.chain_pos, AuditEntry.entry_hash)
            .where(AuditEntry.chain_pos.is_not(None))
            .order_by(AuditEntry.chain_pos.desc())
            .limit(1)
        )
    ).first()
    return (int(row[0] or 0), str(row[1])) if row else (0, None)


async def backup(settings: Settings, target: Path) -> BackupReport:
    """Seal what is committed, then dump the database into `target` (custom format)."""
    env = _libpq_env(settings)
    store_url = datakeys.url_for(settings)
    keys_env = _libpq_env(settings, store_url)
    pg_dump = find_tool("pg_dump")
    _refuse_existing(target)
    _refuse_existing(keys_file(target))
    await asyncio.to_thread(datakeys.prepare, store_url)  # so an empty one dumps too
    engine = create_engine(settings.database_url)
    try:
        factory = _factory(engine, settings)
        await seal_pending(factory)  # so the backup's chain reaches as far as it can
        async with factory() as db:
            end_pos, end_hash = await _chain_end(db)
    finally:
        await engine.dispose()
    # The key store after the database: every data key a row of the dump uses was created
    # before that row was flushed, so it is in the key store's dump too.
    size = await asyncio.to_thread(_dump, pg_dump, env, target)
    keys_size = await asyncio.to_thread(
        _dump, pg_dump, keys_env, keys_file(target), ["--data-only", "--table=data_keys"]
    )
    return BackupReport(target, size, end_pos, end_hash, keys_file(target), keys_size)


def _refuse_existing(target: Path) -> None:
    if target.exists():
        raise BackupRefused(f"{target} exists; a backup never overwrites a file")


def _dump(pg_dump: str, env: dict[str, str], target: Path, extra: list[str] | None = None) -> int:
    """Dump into FILE.partial, renamed to FILE once whole; returns its size."""
    _refuse_existing(target)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        command = [pg_dump, "--format=custom", "--no-owner", "--no-privileges", *(extra or [])]
        _run([*command, f"--file={partial}"], env)
        partial.rename(target)  # a failed dump leaves no file that looks like a backup
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


def _pg_restore(
    pg_restore: str, env: dict[str, str], source: Path, extra: list[str] | None = None
) -> None:
    """All or nothing: one transaction, stopping at the first error."""
    command = [pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", *(extra or [])]
    _run([*command, "--single-transaction", f"--dbname={env['PGDATABASE']}", str(source)], env)


def _refuse_missing(source: Path) -> None:
    if not source.is_file():
        raise BackupRefused(f"{source} is not a file")


@dataclass
class KeyCheck:
    """Per encryption key id found in the restored data: whether the ring decrypts it."""

    readable: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.unreadable


@dataclass(frozen=True)
class RestoreReport:
    verdict: Verdict
    sealed_after_restore: int
    keys: KeyCheck


def _factory(engine: AsyncEngine, settings: Settings) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(
        engine,
        audit_key=audit_key(settings),
        keyring=keyring(settings),
        keys=datakeys.for_settings(settings),
    )


async def _is_empty(engine: AsyncEngine) -> bool:
    async with engine.connect() as conn:
        count = await conn.scalar(
            text(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
                "AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'"
            )
        )
    return int(count or 0) == 0


async def check_keys(engine: AsyncEngine, ring: KeyRing, store: KeyStore | None = None) -> KeyCheck:
    """Every key id the encrypted columns and the wrapped data keys use, and whether the
    ring decrypts a value under it (one value per key id: a wrong key fails on every value,
    as AES-GCM checks each); then one value of each owned column under its data key."""
    check = KeyCheck()
    tried: set[str] = set()
    if store is not None:
        await _check_data_keys(store, check, tried)
    async with engine.connect() as conn:
        for table, columns in encrypted_tables():
            keys = list(table.primary_key.columns)
            for column in columns:
                col = table.c[column]
                ring_sealed = func.get_byte(col, 0) == 1  # v1; v2 values are checked below
                key_id = func.convert_from(
                    func.substring(col, 3, func.get_byte(col, 1)), text("'UTF8'")
                )
                found = await conn.scalars(
                    select(key_id).where(col.is_not(None), ring_sealed).distinct()
                )
                for kid in found.all():
                    if kid in tried:
                        continue
                    tried.add(kid)
                    row = (
                        await conn.execute(
                            select(*keys, col)
                            .where(col.is_not(None), ring_sealed, key_id == kid)
                            .limit(1)
                        )
                    ).one()
                    row_id = "/".join(str(v) for v in row[: len(keys)])
                    try:
                        ring.decrypt(bytes(row[-1]), table=table.name, column=column, row_id=row_id)
                    except DecryptionFailed as exc:
                        check.unreadable[kid] = str(exc)
                    else:
                        check.readable.append(kid)
        if store is not None and not check.unreadable:
            await _check_owned_values(conn, store, check)
    return check


async def _check_data_keys(store: KeyStore, check: KeyCheck, tried: set[str]) -> None:
    """One wrapped data key per ring key id: does the ring unwrap it?"""
    await store.ensure_schema()
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(DATA_KEYS.c.owner_id, DATA_KEYS.c.wrapped))).all()
    for owner, wrapped in rows:
        kid = KeyRing.key_id_of(bytes(wrapped))
        if kid in tried:
            continue
        tried.add(kid)
        try:
            store.ring.decrypt(bytes(wrapped), table="data_keys", column="key", row_id=str(owner))
        except DecryptionFailed as exc:
            check.unreadable[kid] = str(exc)
        else:
            check.readable.append(kid)


async def _check_owned_values(conn: AsyncConnection, store: KeyStore, check: KeyCheck) -> None:
    """One value under a record's data key per encrypted column: is its data key there?"""
    owned = owners()
    missing = 0
    for table, columns in encrypted_tables():
        if table.name not in owned:
            continue
        keys = list(table.primary_key.columns)
        for column in columns:
            col = table.c[column]
            row = (
                await conn.execute(
                    select(*keys, col).where(col.is_not(None), func.get_byte(col, 0) == 2).limit(1)
                )
            ).first()
            if row is None:
                continue
            blob = bytes(row[-1])
            row_id = "/".join(str(v) for v in row[: len(keys)])
            await store.prefetch([owner_of(blob)])
            try:
                store.decrypt(blob, table=table.name, column=column, row_id=row_id)
            except DecryptionFailed:
                missing += 1
    if missing:
        check.unreadable["data keys"] = (
            f"{missing} sampled values have no data key in the key store (restore the "
            "backup's .keys file with it)"
        )


async def restore(settings: Settings, source: Path) -> RestoreReport:
    """Restore `source` into the (empty) database of the settings; check the audit chain
    with the audit key and the encryption keys with the key ring; if the chain is intact,
    seal what the backup held unsealed."""
    env = _libpq_env(settings)
    store_url = datakeys.url_for(settings)
    keys_env = _libpq_env(settings, store_url)
    pg_restore = find_tool("pg_restore")
    _refuse_missing(source)
    engine = create_engine(settings.database_url)
    await asyncio.to_thread(datakeys.prepare, store_url)
    store = KeyStore(store_url, keyring(settings))
    try:
        if not await _is_empty(engine):
            raise BackupRefused(
                "the database is not empty: restore only into a new, empty database "
                "(e.g. createdb ombuds_restored, then point OMBUDS_DATABASE_URL at it)"
            )
        if (await store.owners()) and keys_file(source).exists():
            raise BackupRefused(
                "the key store is not empty: restore only into a new database whose key store "
                "(OMBUDS_KEY_STORE_URL, or <database>_keys) is new too"
            )
        await asyncio.to_thread(_pg_restore, pg_restore, env, source)
        if keys_file(source).exists():
            await asyncio.to_thread(
                _pg_restore, pg_restore, keys_env, keys_file(source), ["--data-only"]
            )
        await engine.dispose()  # the restored tables' types, from a fresh connection
        factory = _factory(engine, settings)
        async with factory() as db:
            verdict = await verify(db, audit_key(settings), window=EVER)
        sealed = 0
        if verdict.intact:
            sealed = await seal_pending(factory)
            async with factory() as db:
                verdict = await verify(db, audit_key(settings))
        keys = await check_keys(engine, keyring(settings), store)
    finally:
        await engine.dispose()
        await store.dispose()
    return RestoreReport(verdict, sealed, keys)
