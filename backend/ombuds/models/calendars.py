"""Calendars: secret feed tokens, CalDAV connections and what was pushed to them.

Nothing here holds a name or a circumstance: feeds and CalDAV events carry dates, the
kind of deadline and the complaint's opaque reference only."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Enum, ForeignKey, Index, Integer, LargeBinary, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin, TimestampMixin


class FeedTokenEnd(StrEnum):
    rotated = "rotated"
    revoked = "revoked"


class CalendarFeedToken(IdMixin, Base):
    """A user's secret feed URL. Only the SHA-256 of the token is kept; an ended token
    stays so that its URL answers 410 (calendar clients then stop polling)."""

    __tablename__ = "calendar_feed_tokens"
    __table_args__ = (
        # At most one live token per user.
        Index(
            "uq_calendar_feed_tokens_live_user",
            "user_id",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_how: Mapped[FeedTokenEnd | None] = mapped_column(
        Enum(FeedTokenEnd, name="feed_token_end", native_enum=False, length=20)
    )
    # HTTP caching: Last-Modified only moves forward, also when a deadline leaves the feed.
    last_modified: Mapped[datetime | None]
    body_etag: Mapped[str | None] = mapped_column(String(80))
    # What the body behind body_etag was rendered from (calendars/validator.py): the
    # user's feed validator read before the render, the render's context (address and
    # settings), and when the render goes stale by the clock alone (an ended deadline
    # dropping off, a policy review date coming into view). Written by renders only, and
    # never by one that would have to wait for another (SKIP LOCKED).
    rendered_changes: Mapped[int | None] = mapped_column(BigInteger)
    rendered_last_id: Mapped[int | None] = mapped_column(BigInteger)
    rendered_context: Mapped[str | None] = mapped_column(String(64))
    fresh_until: Mapped[datetime | None]


CHANGE_ID = BigInteger().with_variant(Integer, "sqlite")


class CalendarFeedChange(Base):
    """One change that may alter a user's feed, appended in the transaction that made it
    (calendars/validator.py). Insert-only: requests never update or delete these rows;
    the compactor folds committed ones into CalendarFeedBase. No foreign key: an insert
    takes no lock on the user's row."""

    __tablename__ = "calendar_feed_changes"
    __table_args__ = (
        Index("ix_calendar_feed_changes_user_id_id", "user_id", "id"),
        # Ids never reused once compacted away, on SQLite too.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(CHANGE_ID, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID]


class CalendarFeedBase(Base):
    """The folded part of a user's feed validator: how many changes were compacted, and
    the largest id among them. Written by the compactor only."""

    __tablename__ = "calendar_feed_bases"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    changes: Mapped[int] = mapped_column(BigInteger, default=0)
    last_id: Mapped[int] = mapped_column(BigInteger, default=0)


class CaldavScope(StrEnum):
    own = "own"  # the owner's own scope, as in their feed
    shared = "shared"  # an administrator's union calendar: every deadline, references only


class CaldavStatus(StrEnum):
    pending = "pending"  # not synced yet
    ok = "ok"
    broken = "broken"  # see status_message; fixed by new credentials or a later good run


class CaldavConnection(IdMixin, TimestampMixin, Base):
    """A CalDAV calendar the sync job writes deadlines to. URL, username and app password
    are encrypted with the key ring, bound to this row."""

    __tablename__ = "caldav_connections"

    scope: Mapped[CaldavScope] = mapped_column(
        Enum(CaldavScope, name="caldav_scope", native_enum=False, length=20)
    )
    # The user whose scope is synced (own), or the administrator who set it up (shared).
    owner_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    url_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    username_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    password_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[CaldavStatus] = mapped_column(
        Enum(CaldavStatus, name="caldav_status", native_enum=False, length=20),
        default=CaldavStatus.pending,
    )
    status_message: Mapped[str | None] = mapped_column(String(300))
    last_attempt_at: Mapped[datetime | None]
    last_synced_at: Mapped[datetime | None]
    # One runner at a time: a claim with an expiry (see calendars/caldav_sync.py).
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(40))


class CaldavSyncedEvent(Base):
    """What the last successful run left on the server, per deadline UID (no FK: a
    deadline deleted with its complaint must still be removed from the calendar)."""

    __tablename__ = "caldav_synced_events"

    connection_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("caldav_connections.id", ondelete="CASCADE"), primary_key=True
    )
    deadline_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    sequence: Mapped[int]
    body_hash: Mapped[str] = mapped_column(String(64))
    synced_at: Mapped[datetime] = mapped_column(default=utcnow)
