"""CalDAV connections: set up, replaced and removed by their owner (or, for the shared
union calendar, by an administrator). URL, username and app password are encrypted with
the key ring, bound to the row; the password is never shown again."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.calendars import addresses
from ombuds.calendars.access import manageable_connections
from ombuds.calendars.schemas import CaldavConnectionIn, CaldavConnectionOut
from ombuds.kit.crypto import KeyRing
from ombuds.kit.errors import InvalidInput, NotFound, field_error
from ombuds.models import CaldavConnection, CaldavScope, CaldavStatus, CaldavSyncedEvent

TABLE = "caldav_connections"
NOT_FOUND = "No such CalDAV connection."
DEFAULT_PORTS = {"http": 80, "https": 443}
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def _origin(url: str) -> tuple[str, int] | None:
    """(host, port) with loopback spellings made one, or None if unreadable."""
    try:
        parts = urlsplit(url)
        port = parts.port or DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or port is None:
        return None
    return ("loopback" if host in LOOPBACK_NAMES else host), port


async def check_url(
    url: str, service_urls: list[str], allowed: Sequence[addresses.IPNetwork]
) -> str:
    """An http(s) address of another, public server (or one on a network the operator
    allows), without credentials; 422 naming ``url``."""

    def refuse(rule: str, message: str) -> InvalidInput:
        return InvalidInput(
            "The CalDAV address is not usable.", errors=[field_error("url", rule, message)]
        )

    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise refuse("url_invalid", "not a readable address") from exc
    if parts.scheme.lower() not in DEFAULT_PORTS:
        raise refuse("http_or_https", "an http:// or https:// address")
    if not parts.hostname:
        raise refuse("host_required", "the address needs a host name")
    if parts.username is not None or parts.password is not None:
        raise refuse("no_credentials", "give the username and app password in their own fields")
    target = _origin(url)
    if target is None or any(target == _origin(ours) for ours in service_urls):
        raise refuse("not_this_service", "the address of a CalDAV server, not of this service")
    try:
        await asyncio.to_thread(addresses.check_host, parts.hostname, target[1], allowed)
    except addresses.AddressRefused as exc:
        # The same answer whether the name did not resolve or resolved inside.
        raise refuse("public_address", addresses.REFUSED) from exc
    return parts._replace(fragment="").geturl()


def _seal(keyring: KeyRing, row: CaldavConnection, body: CaldavConnectionIn, url: str) -> None:
    row_id = str(row.id)
    row.url_encrypted = keyring.encrypt_text(url, table=TABLE, column="url", row_id=row_id)
    row.username_encrypted = keyring.encrypt_text(
        body.username, table=TABLE, column="username", row_id=row_id
    )
    row.password_encrypted = keyring.encrypt_text(
        body.password, table=TABLE, column="password", row_id=row_id
    )


def credentials(keyring: KeyRing, row: CaldavConnection) -> tuple[str, str, str]:
    """(url, username, password), decrypted for the sync job."""
    row_id = str(row.id)
    return (
        keyring.decrypt_text(row.url_encrypted, table=TABLE, column="url", row_id=row_id),
        keyring.decrypt_text(row.username_encrypted, table=TABLE, column="username", row_id=row_id),
        keyring.decrypt_text(row.password_encrypted, table=TABLE, column="password", row_id=row_id),
    )


async def create(
    db: AsyncSession,
    keyring: KeyRing,
    actor: Principal,
    scope: CaldavScope,
    body: CaldavConnectionIn,
    service_urls: list[str],
    allowed: Sequence[addresses.IPNetwork],
) -> CaldavConnection:
    assert actor.id is not None
    url = await check_url(body.url, service_urls, allowed)
    row = CaldavConnection(
        id=uuid.uuid4(), scope=scope, owner_id=actor.id, status=CaldavStatus.pending
    )
    _seal(keyring, row, body, url)
    db.add(row)
    await db.flush()
    await audit.record(db, actor, f"calendar.connect_caldav_{scope.value}", "caldav", row.id)
    return row


async def find(db: AsyncSession, actor: Principal, connection_id: uuid.UUID) -> CaldavConnection:
    row = await db.scalar(
        select(CaldavConnection).where(
            CaldavConnection.id == connection_id, manageable_connections(actor)
        )
    )
    if row is None:
        raise NotFound(NOT_FOUND)
    return row


async def listing(db: AsyncSession, actor: Principal) -> list[CaldavConnection]:
    stmt = (
        select(CaldavConnection)
        .where(manageable_connections(actor))
        .order_by(CaldavConnection.created_at, CaldavConnection.id)
    )
    return list((await db.scalars(stmt)).all())


async def replace(
    db: AsyncSession,
    keyring: KeyRing,
    actor: Principal,
    row: CaldavConnection,
    body: CaldavConnectionIn,
    service_urls: list[str],
    allowed: Sequence[addresses.IPNetwork],
) -> CaldavConnection:
    """New address or credentials (e.g. after a refused login): synced afresh next run."""
    url = await check_url(body.url, service_urls, allowed)
    _seal(keyring, row, body, url)
    row.status = CaldavStatus.pending
    row.status_message = None
    await db.execute(delete(CaldavSyncedEvent).where(CaldavSyncedEvent.connection_id == row.id))
    await db.flush()
    await audit.record(db, actor, "calendar.replace_caldav", "caldav", row.id)
    return row


async def remove(db: AsyncSession, actor: Principal, row: CaldavConnection) -> None:
    """The connection and its credentials go at once; events already written stay on the
    CalDAV server (they carry references and dates only)."""
    await db.delete(row)
    await db.flush()
    await audit.record(db, actor, "calendar.disconnect_caldav", "caldav", row.id)


async def view(db: AsyncSession, keyring: KeyRing, row: CaldavConnection) -> CaldavConnectionOut:
    url, username, _ = credentials(keyring, row)
    events = await db.scalar(
        select(func.count())
        .select_from(CaldavSyncedEvent)
        .where(CaldavSyncedEvent.connection_id == row.id)
    )
    return CaldavConnectionOut(
        id=row.id,
        scope=row.scope,
        url=url,
        username=username,
        status=row.status,
        status_message=row.status_message,
        last_attempt_at=row.last_attempt_at,
        last_synced_at=row.last_synced_at,
        events=int(events or 0),
        created_at=row.created_at,
    )
