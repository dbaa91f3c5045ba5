"""Secret per-user feed URLs: created, rotated and revoked by their user; read by any
calendar client that holds the URL (the token is the credential).

A token is 256 random bits (``secrets.token_urlsafe(32)``: 43 URL-safe characters), shown
once and stored only as its SHA-256. An ended (rotated or revoked) token answers 410, so
calendar clients stop polling; an unknown token answers 404, and so does a token of the
wrong shape (it cannot be ours, and it gets no different answer than an unknown one)."""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.calendars import conditional, ics, service
from ombuds.kit.errors import DomainError, NotFound
from ombuds.models import CalendarFeedToken, FeedTokenEnd
from ombuds.settings import Settings

TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
NO_FEED = "No such calendar feed."
ENDED = (
    "This calendar feed was turned off or replaced; remove the calendar and subscribe "
    "with the new link."
)


class FeedGone(DomainError):
    status, slug, title = 410, "gone", "Gone"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_path(token: str) -> str:
    return f"/api/feeds/{token}.ics"


async def live_token(db: AsyncSession, user_id: object) -> CalendarFeedToken | None:
    return await db.scalar(
        select(CalendarFeedToken).where(
            CalendarFeedToken.user_id == user_id, CalendarFeedToken.ended_at.is_(None)
        )
    )


async def _end(db: AsyncSession, row: CalendarFeedToken, how: FeedTokenEnd, now: datetime) -> None:
    row.ended_at = now
    row.ended_how = how
    await db.flush()  # before a new live token: one live token per user (unique index)


async def create_or_rotate(
    db: AsyncSession, actor: Principal, now: datetime
) -> tuple[str, CalendarFeedToken]:
    """A new secret URL; the previous one (if any) answers 410 from now on."""
    assert actor.id is not None
    old = await live_token(db, actor.id)
    if old is not None:
        await _end(db, old, FeedTokenEnd.rotated, now)
    token = secrets.token_urlsafe(32)
    row = CalendarFeedToken(user_id=actor.id, token_hash=hash_token(token), created_at=now)
    db.add(row)
    await db.flush()
    action = "calendar.rotate_feed" if old is not None else "calendar.create_feed"
    await audit.record(db, actor, action, "calendar_feed", row.id)
    return token, row


async def revoke(db: AsyncSession, actor: Principal, now: datetime) -> None:
    row = await live_token(db, actor.id)
    if row is None:
        raise NotFound("You have no calendar feed.")
    await _end(db, row, FeedTokenEnd.revoked, now)
    await audit.record(db, actor, "calendar.revoke_feed", "calendar_feed", row.id)


async def revoke_for_deactivated(db: AsyncSession, user_id: uuid.UUID, now: datetime) -> None:
    """A deactivated user's feed ends for good: reactivating the account later does not
    bring the old link back (they create a new one)."""
    row = await live_token(db, user_id)
    if row is not None:
        await _end(db, row, FeedTokenEnd.revoked, now)


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str
    last_modified: datetime
    not_modified: bool


def _advance(
    row: CalendarFeedToken, keys: list[service.EntryKey], etag: str, now: datetime
) -> None:
    """Last-Modified only moves forward: to the newest change shown, or, when the body
    changed without a newer record (a deadline dropped or left the caller's scope), to now."""
    if row.body_etag == etag and row.last_modified is not None:
        return
    newest = max((k.updated_at for k in keys), default=row.created_at)
    moment = conditional.whole_seconds(newest)
    previous = row.last_modified
    if previous is not None:
        previous = conditional.whole_seconds(previous)
        if moment <= previous:
            moment = max(conditional.whole_seconds(now), previous + timedelta(seconds=1))
    row.last_modified = moment
    row.body_etag = etag


async def read(
    db: AsyncSession,
    settings: Settings,
    token: str,
    *,
    base_url: str,
    if_none_match: str | None,
    if_modified_since: str | None,
    now: datetime,
) -> Feed:
    if not TOKEN_SHAPE.fullmatch(token):
        raise NotFound(NO_FEED)
    row = await db.scalar(
        select(CalendarFeedToken).where(CalendarFeedToken.token_hash == hash_token(token))
    )
    if row is None:
        raise NotFound(NO_FEED)
    if row.ended_at is not None:
        raise FeedGone(ENDED)
    user = await service.user_with_roles(db, row.user_id)
    if user is None or not user.is_active:
        raise FeedGone(ENDED)
    principal = service.principal_for(user)
    # Rendering is most of a feed's cost, and loading the records much of the rest: the
    # deadlines are first read as plain columns, and a client whose copy is current (the
    # ETag of an earlier render of the very same entries, already recorded for this feed)
    # gets its 304 without either.
    keys = await service.entry_keys(db, settings, principal, base_url=base_url, now=now)
    key = _fingerprint(keys)
    etag = _RENDERED.get(key)
    if etag is not None and row.body_etag == etag and row.last_modified is not None:
        _remember(key, etag)
        if conditional.not_modified(etag, row.last_modified, if_none_match, if_modified_since):
            return Feed(b"", etag, row.last_modified, True)
    entries = await service.entries(db, settings, principal, base_url=base_url, now=now)
    keys = [service.key_of(e) for e in entries]
    key = _fingerprint(keys)
    body = ics.render_feed(entries)
    etag = ics.strong_etag(body)
    _remember(key, etag)
    _advance(row, keys, etag, now)
    await db.flush()
    assert row.last_modified is not None
    unchanged = conditional.not_modified(etag, row.last_modified, if_none_match, if_modified_since)
    return Feed(body, etag, row.last_modified, unchanged)


# The ETag of recent renders, by a digest of everything a render reads (ics.render_feed is a
# pure function of the entries: same entries, same bytes). Bounded; per process.
_RENDERED: OrderedDict[str, str] = OrderedDict()
RENDERED_KEPT = 4096


def _fingerprint(keys: list[service.EntryKey]) -> str:
    digest = hashlib.sha256()
    for k in keys:
        digest.update(
            f"{k.id}|{k.kind}|{k.status}|{k.due_on}|{k.sequence}|{k.created_at.isoformat()}|"
            f"{k.updated_at.isoformat()}|{k.reference}|{k.url}\n".encode()
        )
    return digest.hexdigest()


def _remember(key: str, etag: str) -> None:
    _RENDERED[key] = etag
    _RENDERED.move_to_end(key)
    while len(_RENDERED) > RENDERED_KEPT:
        _RENDERED.popitem(last=False)
