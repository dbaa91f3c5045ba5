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
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.calendars import conditional, fragments, ics, service, validator
from ombuds.deadlines.access import sees_policy_reviews
from ombuds.kit.clock import LOCAL_ZONE
from ombuds.kit.errors import DomainError, NotFound
from ombuds.models import CalendarFeedToken, DeadlineStatus, FeedTokenEnd
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


# Bumped whenever the rendering itself changes, so that no render stored by an older
# release is taken for the current one.
RENDER_FORMAT = "1"


def render_context(settings: Settings, base_url: str) -> str:
    """Everything besides the records that a render depends on: the address its links use
    and the settings that date the policy reviews."""
    parts = (
        RENDER_FORMAT,
        base_url,
        settings.policy_implemented_on.isoformat(),
        str(settings.roll_over_non_working_days),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def fresh_until(
    keys: list[service.EntryKey], principal: Principal, now: datetime
) -> datetime | None:
    """When the render goes stale with no change recorded: an ended deadline drops off
    CANCELLED_KEPT after its change; for those who see the policy reviews (6), the dates
    coming into view move with the local date."""
    moments = [
        k.updated_at + ics.CANCELLED_KEPT for k in keys if k.status != DeadlineStatus.open.value
    ]
    if sees_policy_reviews(principal):
        today = now.astimezone(LOCAL_ZONE).date()
        moments.append(datetime.combine(today + timedelta(days=1), time(), tzinfo=LOCAL_ZONE))
    return min(moments, default=None)


def _last_modified(
    polled: validator.Polled, keys: list[service.EntryKey], etag: str, now: datetime
) -> datetime:
    """Last-Modified only moves forward: to the newest change shown, or, when the body
    changed without a newer record (a deadline dropped or left the caller's scope), to now."""
    previous = polled.last_modified
    if polled.body_etag == etag and previous is not None:
        return previous
    newest = max((k.updated_at for k in keys), default=polled.created_at)
    moment = conditional.whole_seconds(newest)
    if previous is not None:
        previous = conditional.whole_seconds(previous)
        if moment <= previous:
            moment = max(conditional.whole_seconds(now), previous + timedelta(seconds=1))
    return moment


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
    # One statement: the token, its user's activation and the user's feed validator.
    polled = await validator.poll(db, hash_token(token))
    if polled is None:
        raise NotFound(NO_FEED)
    if polled.ended or not polled.user_active:
        raise FeedGone(ENDED)
    context = render_context(settings, base_url)
    if polled.current(context, now):
        assert polled.body_etag is not None and polled.last_modified is not None
        if conditional.not_modified(
            polled.body_etag, polled.last_modified, if_none_match, if_modified_since
        ):
            return Feed(b"", polled.body_etag, polled.last_modified, True)
    # The deadlines are read after the validator: a change committed in between is in
    # this body, and moves the validator past the one stored with it (a spurious render
    # next time, never a stale 304).
    user = await service.user_with_roles(db, polled.user_id)
    if user is None or not user.is_active:
        raise FeedGone(ENDED)
    principal = service.principal_for(user)
    keys = await service.entry_keys(db, settings, principal, base_url=base_url, now=now)
    body = fragments.FRAGMENTS.feed(keys)
    etag = ics.strong_etag(body)
    last_modified = _last_modified(polled, keys, etag, now)
    stale = fresh_until(keys, principal, now)
    if not polled.current(context, now) or polled.body_etag != etag:
        await validator.store(
            db,
            polled,
            body_etag=etag,
            last_modified=last_modified,
            context=context,
            fresh_until=stale,
        )
    unchanged = conditional.not_modified(etag, last_modified, if_none_match, if_modified_since)
    return Feed(body, etag, last_modified, unchanged)
