"""The CalDAV push job: one event per deadline, keyed by the deadline's UID in the
connection's namespace.

Each run, per connection:

1. claim it (a lease with an expiry; on PostgreSQL behind ``FOR UPDATE SKIP LOCKED``), so
   two runners never work the same connection at once;
2. render what the owner's scope shows (the feed's events, one calendar object each);
3. reconcile: list the calendar's events, PUT what is missing or has another SEQUENCE or
   content, DELETE our events that are no longer shown (ours: UIDs in the connection's
   namespace, ``<deadline id>@<connection id>``, so connections never touch each other's);
4. only then record the result. A refused login, a timeout or an answer that is not
   CalDAV marks the connection broken with a message of our own (never the server's
   text, which can quote the URL) and leaves the bookkeeping as it was.

Re-runs are idempotent: PUT by UID replaces, and the reconcile pass repairs anything a
failed run left half-done on the server."""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.calendars import connections, ics, service
from ombuds.calendars.addresses import IPNetwork
from ombuds.calendars.caldav_remote import CaldavRemote, RemoteEvent, SyncFailure
from ombuds.calendars.config import calendar_settings
from ombuds.kit.clock import utcnow
from ombuds.kit.crypto import DecryptionFailed, KeyRing
from ombuds.models import (
    CaldavConnection,
    CaldavScope,
    CaldavStatus,
    CaldavSyncedEvent,
)
from ombuds.settings import Settings

log = logging.getLogger("ombuds.calendars.caldav")
LEASE = timedelta(minutes=10)
UNEXPECTED = "The sync failed on our side; it is tried again on the next run."


class Remote(Protocol):
    def list_events(self) -> dict[str, RemoteEvent]: ...
    def put(self, text: str) -> None: ...
    def delete(self, uid: str) -> None: ...
    def close(self) -> None: ...


class RemoteFactory(Protocol):
    def __call__(
        self, url: str, username: str, password: str, *, allowed: Sequence[IPNetwork]
    ) -> Remote: ...


@dataclass(frozen=True)
class Wanted:
    uid: str
    sequence: int
    text: str
    body_hash: str


@dataclass
class Plan:
    url: str
    username: str
    password: str
    wanted: dict[str, Wanted]
    booked: dict[str, str]  # uid -> body hash of the last successful run
    legacy: set[str]  # bare deadline-id UIDs this connection wrote (before namespaces)
    namespace: str  # the UID suffix of this connection's events


@dataclass
class Report:
    synced: list[uuid.UUID] = field(default_factory=list)
    broken: list[uuid.UUID] = field(default_factory=list)
    skipped: list[uuid.UUID] = field(default_factory=list)  # held by another runner


def runner_id() -> str:
    return f"{socket.gethostname()[:16]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


async def claim(db: AsyncSession, connection_id: uuid.UUID, runner: str, now: datetime) -> bool:
    """Take the connection for LEASE, unless another runner holds it (commits)."""
    free = or_(CaldavConnection.lease_until.is_(None), CaldavConnection.lease_until < now)
    async with db.begin():
        if db.get_bind().dialect.name == "postgresql":
            locked = await db.scalar(
                select(CaldavConnection.id)
                .where(CaldavConnection.id == connection_id, free)
                .with_for_update(skip_locked=True)
            )
            if locked is None:
                return False
        result = await db.execute(
            update(CaldavConnection)
            .where(CaldavConnection.id == connection_id, free)
            .values(lease_until=now + LEASE, lease_owner=runner)
        )
        return cast(CursorResult[Any], result).rowcount == 1


def _ours(owner: str) -> Any:
    return CaldavConnection.lease_owner == owner


async def _plan(
    db: AsyncSession,
    settings: Settings,
    keyring: KeyRing,
    row: CaldavConnection,
    public_url: str,
    now: datetime,
) -> Plan:
    try:
        url, username, password = connections.credentials(keyring, row)
    except DecryptionFailed as exc:
        raise SyncFailure(
            "The stored credentials cannot be read with the current keys; enter them again."
        ) from exc
    if row.scope is CaldavScope.shared:
        principal = service.UNION
    else:
        user = await service.user_with_roles(db, row.owner_id)
        if user is None or not user.is_active:
            raise SyncFailure("The account that owns this connection is deactivated.")
        principal = service.principal_for(user)
    wanted: dict[str, Wanted] = {}
    for entry in await service.entries(db, settings, principal, base_url=public_url, now=now):
        uid = event_uid(entry.deadline.id, row.id)
        text = ics.render_event(entry, uid, private=row.scope is CaldavScope.own)
        digest = hashlib.sha256(text.encode()).hexdigest()
        wanted[uid] = Wanted(uid, entry.deadline.sequence, text, digest)
    written = list(
        await db.scalars(select(CaldavSyncedEvent).where(CaldavSyncedEvent.connection_id == row.id))
    )
    booked = {event_uid(b.deadline_id, row.id): b.body_hash for b in written}
    # Events an earlier version wrote under the bare deadline id: this connection's too.
    legacy = {str(b.deadline_id) for b in written}
    return Plan(url, username, password, wanted, booked, legacy, suffix(row.id))


def suffix(connection_id: uuid.UUID) -> str:
    return f"@{connection_id}"


def event_uid(deadline_id: uuid.UUID, connection_id: uuid.UUID) -> str:
    """A deadline's UID in one connection's calendar: the deadline id in the connection's
    namespace, so two connections writing to one calendar (a personal one and the shared
    union calendar) never overwrite or delete each other's events."""
    return f"{deadline_id}{suffix(connection_id)}"


def deadline_of(uid: str) -> uuid.UUID:
    return uuid.UUID(uid.split("@", 1)[0])


def owned(plan: Plan, uid: str) -> bool:
    """Ours to delete: in this connection's namespace, or written by it under the bare
    deadline id before namespaces existed. Anything else belongs to someone else."""
    return uid.endswith(plan.namespace) or uid in plan.legacy


def changes(plan: Plan, remote: dict[str, RemoteEvent]) -> tuple[list[Wanted], list[str]]:
    """What to PUT (missing, other SEQUENCE, other content) and which UIDs to DELETE."""
    puts = [
        w
        for w in plan.wanted.values()
        if w.uid not in remote
        or remote[w.uid].sequence != w.sequence
        or plan.booked.get(w.uid) != w.body_hash
    ]
    drops = sorted(uid for uid in remote if uid not in plan.wanted and owned(plan, uid))
    return puts, drops


def _push(remote: Remote, puts: list[Wanted], drops: list[str]) -> None:
    for wanted in puts:
        remote.put(wanted.text)
    for uid in drops:
        remote.delete(uid)


async def _record_success(
    db: AsyncSession, connection_id: uuid.UUID, runner: str, plan: Plan, now: datetime
) -> bool:
    async with db.begin():
        result = await db.execute(
            update(CaldavConnection)
            .where(CaldavConnection.id == connection_id, _ours(runner))
            .values(
                status=CaldavStatus.ok,
                status_message=None,
                last_attempt_at=now,
                last_synced_at=now,
                lease_until=None,
                lease_owner=None,
            )
        )
        if cast(CursorResult[Any], result).rowcount != 1:
            return False  # the lease ran out and another runner took over: leave it be
        await db.execute(
            delete(CaldavSyncedEvent).where(CaldavSyncedEvent.connection_id == connection_id)
        )
        db.add_all(
            CaldavSyncedEvent(
                connection_id=connection_id,
                deadline_id=deadline_of(w.uid),
                sequence=w.sequence,
                body_hash=w.body_hash,
                synced_at=now,
            )
            for w in plan.wanted.values()
        )
    return True


async def _record_failure(
    db: AsyncSession, connection_id: uuid.UUID, runner: str, message: str, now: datetime
) -> None:
    """Broken, with our message; the bookkeeping is left exactly as it was."""
    async with db.begin():
        await db.execute(
            update(CaldavConnection)
            .where(CaldavConnection.id == connection_id, _ours(runner))
            .values(
                status=CaldavStatus.broken,
                status_message=message,
                last_attempt_at=now,
                lease_until=None,
                lease_owner=None,
            )
        )


async def sync_connection(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    keyring: KeyRing,
    connection_id: uuid.UUID,
    *,
    runner: str,
    now: datetime,
    public_url: str,
    connect: RemoteFactory = CaldavRemote,
) -> CaldavStatus | None:
    """Sync one connection; None when another runner holds it (or it was removed)."""
    async with sessionmaker() as db:
        if not await claim(db, connection_id, runner, now):
            return None
    remote: Remote | None = None
    try:
        async with sessionmaker() as db, db.begin():
            row = await db.get(CaldavConnection, connection_id)
            if row is None:
                return None
            plan = await _plan(db, settings, keyring, row, public_url, now)
        remote = await asyncio.to_thread(
            functools.partial(
                connect,
                plan.url,
                plan.username,
                plan.password,
                allowed=settings.caldav_allowed_networks,
            )
        )
        listed = await asyncio.to_thread(remote.list_events)
        puts, drops = changes(plan, listed)
        await asyncio.to_thread(_push, remote, puts, drops)
    except SyncFailure as failure:
        log.warning("caldav connection %s broken: %s", connection_id, failure.message)
        async with sessionmaker() as db:
            await _record_failure(db, connection_id, runner, failure.message, now)
        return CaldavStatus.broken
    except Exception as exc:
        # Our own fault, not the server's: the type only (messages can quote URLs or SQL).
        log.error("caldav connection %s failed: %s", connection_id, type(exc).__name__)
        async with sessionmaker() as db:
            await _record_failure(db, connection_id, runner, UNEXPECTED, now)
        return CaldavStatus.broken
    finally:
        if remote is not None:
            await asyncio.to_thread(remote.close)
    async with sessionmaker() as db:
        done = await _record_success(db, connection_id, runner, plan, now)
    return CaldavStatus.ok if done else None


async def run_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    keyring: KeyRing,
    *,
    now: datetime | None = None,
    runner: str | None = None,
    public_url: str | None = None,
    connect: RemoteFactory = CaldavRemote,
) -> Report:
    """Every connection once; one connection's failure never stops the others."""
    runner = runner or runner_id()
    public_url = public_url or calendar_settings().public_url
    async with sessionmaker() as db:
        ids = list(
            await db.scalars(
                select(CaldavConnection.id).order_by(
                    CaldavConnection.created_at, CaldavConnection.id
                )
            )
        )
    report = Report()
    for connection_id in ids:
        outcome = await sync_connection(
            sessionmaker,
            settings,
            keyring,
            connection_id,
            runner=runner,
            now=now or utcnow(),  # per connection: a long run must not shorten leases
            public_url=public_url,
            connect=connect,
        )
        if outcome is CaldavStatus.ok:
            report.synced.append(connection_id)
        elif outcome is CaldavStatus.broken:
            report.broken.append(connection_id)
        else:
            report.skipped.append(connection_id)
    return report
