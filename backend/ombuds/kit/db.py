"""Declarative base, column types and the engine/session factory."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, TypeDecorator, Uuid, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.crypto import KeyRing

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use ombuds.kit.clock.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), uuid.UUID: Uuid()}


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def create_engine(url: str) -> AsyncEngine:
    """No `pool_pre_ping`: it costs every request a BEGIN, a ping and a ROLLBACK. A pooled
    connection the server dropped fails its first statement instead; SQLAlchemy then
    invalidates the whole pool, and a read is answered again on a fresh connection
    (`kit.middleware.RetryLostConnection`)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 5})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_size=10, max_overflow=10)


# What asyncpg raises (directly, or as the cause SQLAlchemy wraps) when the server went
# away or is not taking connections yet: terminated backends, a restart, a refused connect.
_LOST_NAMES = frozenset(
    {
        "ConnectionDoesNotExistError",  # the connection closed under a statement
        "ConnectionFailureError",  # SQLSTATE 08xxx
        "AdminShutdownError",  # 57P01: pg_terminate_backend, a fast or immediate shutdown
        "CrashShutdownError",  # 57P02
        "CannotConnectNowError",  # 57P03: starting up or shutting down
    }
)


def _raised_by_the_database_driver(exc: BaseException) -> bool:
    """Whether the error came up through the driver or the pool (not, say, a network call
    of the request's own)."""
    tb = exc.__traceback__
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", ""))
        if module.startswith(("asyncpg", "sqlalchemy")):
            return True
        tb = tb.tb_next
    return False


def connection_lost(exc: BaseException) -> bool:
    """Whether the error says the database connection was lost or could not be made (rather
    than that the statement was wrong): the transaction did not commit, and a fresh
    connection may well succeed."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if type(current).__name__ in _LOST_NAMES:
            return True
        if isinstance(current, OSError) and _raised_by_the_database_driver(current):
            return True  # a refused or reset connection, raised by asyncpg under the pool
        if "connection is closed" in str(current) and type(current).__name__.endswith(
            "InterfaceError"
        ):
            return True
        orig = current.orig if isinstance(current, DBAPIError) else None
        current = orig if isinstance(orig, BaseException) else current.__cause__
    return False


def create_sessionmaker(
    engine: AsyncEngine, *, audit_key: bytes, keyring: KeyRing, keys: Any = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions carry the audit chain's key, the encryption key ring (both kept outside
    the database) and the key store of the per-record data keys (kit/datakeys.py) in
    `info`. Without `keys`, the key store beside the engine's database is used."""
    if keys is None:
        from ombuds.kit.datakeys import KeyStore, derive_url

        keys = KeyStore(derive_url(engine.url.render_as_string(hide_password=False)), keyring)
    return async_sessionmaker(
        engine,
        expire_on_commit=False,
        autoflush=False,
        info={"audit_key": audit_key, "keyring": keyring, "keys": keys},
    )


def create_read_sessionmaker(
    engine: AsyncEngine, *, audit_key: bytes, keyring: KeyRing, keys: Any = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads (GET, HEAD): each statement commits on its own, so a read costs
    no BEGIN and no COMMIT round trip. A read loses nothing by it: under READ COMMITTED
    every statement takes its own snapshot even inside a transaction, and what a read
    writes (its audit entry, a session's last-seen time) is one statement each, committed
    before the response is sent."""
    return create_sessionmaker(
        engine.execution_options(isolation_level="AUTOCOMMIT"),
        audit_key=audit_key,
        keyring=keyring,
        keys=keys,
    )


async def session_scope(factory: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """The transaction is the unit of work: commit at the end, roll back on any error."""
    async with factory() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
