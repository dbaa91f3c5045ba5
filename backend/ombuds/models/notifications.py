"""Notifications to the people who act in the procedure, and the outbox that mails them.

A notification says only that something needs the person: a kind, a due date, and the
complaint it is about (shown as its reference, where the person's role may see it). No
name, no circumstance, no free text: nothing here is encrypted because nothing here is
confidential beyond the reference. It is written in the transaction of the change that
causes it (or by the reminders' scan), and so is its outbox message: a change that rolls
back sends nothing, and a message written is delivered even if the mail server is down
when it is written (notifications/delivery.py)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin


class NotificationKind(StrEnum):
    # To the handling ombudsperson
    response_approaching = "response_approaching"  # 4.3.1(ii)
    response_due_today = "response_due_today"  # 4.3.1(ii)
    response_lapsed = "response_lapsed"  # 4.3.1(ii)
    response_recorded = "response_recorded"  # 4.3.1(ii)
    officer_notice_approaching = "officer_notice_approaching"  # 4.3.1(iii)
    officer_notice_due_today = "officer_notice_due_today"  # 4.3.1(iii)
    officer_notice_lapsed = "officer_notice_lapsed"  # 4.3.1(iii)
    party_notices_owed = "party_notices_owed"  # 4.3.1(vii)
    destruction_approaching = "destruction_approaching"  # 5.1
    # From the parties' portal (issue 16)
    complainant_not_satisfied = "complainant_not_satisfied"  # 4.3.1(x)
    # To the table officers (never one recused on the complaint, 4.3.1(iv))
    committee_to_strike = "committee_to_strike"  # 4.3.1(v)
    panel_conflict_declared = "panel_conflict_declared"  # 4.3.1(v)
    recommendations_disclosed = "recommendations_disclosed"  # 4.3.1(viii)
    policy_review_approaching = "policy_review_approaching"  # 6
    # To the members of the CRC
    committee_appointed = "committee_appointed"  # 4.3.1(v)
    report_approaching = "report_approaching"  # 4.3.1(vi)
    report_lapsed = "report_lapsed"  # 4.3.1(vi)
    witness_availability = "witness_availability"  # 4.3.1(vi), from the portal
    # To the handling ombudsperson and the struck CRC: a party wrote in the portal
    portal_message_received = "portal_message_received"  # 4.3.1(vii)


# What the policy makes the person's to act on: these cannot be turned off.
REQUIRED_KINDS = frozenset(
    {
        NotificationKind.response_approaching,
        NotificationKind.response_due_today,
        NotificationKind.response_lapsed,
        NotificationKind.officer_notice_approaching,
        NotificationKind.officer_notice_due_today,
        NotificationKind.officer_notice_lapsed,
        NotificationKind.party_notices_owed,
        NotificationKind.complainant_not_satisfied,
        NotificationKind.committee_to_strike,
        NotificationKind.panel_conflict_declared,
        NotificationKind.recommendations_disclosed,
        NotificationKind.committee_appointed,
        NotificationKind.report_approaching,
        NotificationKind.report_lapsed,
    }
)


class DeliveryMode(StrEnum):
    immediate = "immediate"  # one message per notification, as soon as it is written
    digest = "digest"  # one message a day with everything since the last one


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its time, or for the next attempt
    sent = "sent"  # the mail server accepted it
    failed = "failed"  # every attempt failed: the person and administrators see it


def _enum(e: type[StrEnum], name: str) -> Enum:
    return Enum(e, name=name, native_enum=False, length=40, validate_strings=True)


class Notification(IdMixin, Base):
    __tablename__ = "notifications"
    __table_args__ = (
        # A person's list, newest first, and their unread count.
        Index("ix_notifications_user_created", "user_id", "created_at"),
        Index("ix_notifications_user_read", "user_id", "read_at"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(_enum(NotificationKind, "notification_kind"))
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    due_on: Mapped[date | None]
    # A reminder is written once however often (and by however many workers) the scan
    # runs: e.g. "response_approaching:<deadline id>:<due date>:<user id>".
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class OutboxMessage(IdMixin, Base):
    """One notification's e-mail. Digest messages wait until the person's digest time and
    go together; immediate ones go now. A worker claims due rows for a short lease
    (delivery.py), so that several workers and instances never send one twice, and a
    worker that dies mid-send leaves the row to another once the lease ends."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_status_next_attempt", "status", "next_attempt_at"),)

    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    digest: Mapped[bool] = mapped_column(default=False)
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.pending
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(String(40))
    # The error's type only (e.g. "SMTPConnectError"): a server's reply may quote the
    # recipient's address.
    last_error: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """A person's choice: immediate messages or a daily digest, and the kinds they turned
    off (never one of REQUIRED_KINDS). No row: immediate, nothing off."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    mode: Mapped[DeliveryMode] = mapped_column(
        _enum(DeliveryMode, "delivery_mode"), default=DeliveryMode.immediate
    )
    muted: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API
