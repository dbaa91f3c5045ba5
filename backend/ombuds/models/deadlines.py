"""Deadlines are records of their own, ready for calendars (4.3.1(ii), (iii), (vi), 6)."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.db import Base, IdMixin, TimestampMixin


class DeadlineKind(StrEnum):
    written_response = "written_response"  # 4.3.1(ii)
    table_officer_notice = "table_officer_notice"  # 4.3.1(iii)
    crc_report = "crc_report"  # 4.3.1(vi)
    policy_review = "policy_review"  # 6
    # 5.1: a closed complaint's record falls due for destruction (retention/); on the
    # handling ombudsperson's calendar only (deadlines/access.py).
    records_destruction = "records_destruction"


class DeadlineStatus(StrEnum):
    open = "open"
    met = "met"  # satisfied on or before the due date
    met_late = "met_late"  # satisfied after it
    # Never satisfied, and the step it served went ahead without it (4.3.1(ii): "a lapsed
    # deadline does not stop the procedure"): the CRC's findings close an open response.
    lapsed = "lapsed"
    cancelled = "cancelled"  # no longer owed (e.g. the complaint closed)


class Deadline(IdMixin, TimestampMixin, Base):
    """`id` is also the calendar UID: it never changes. `sequence` rises with each
    significant change (RFC 5545)."""

    __tablename__ = "deadlines"
    __table_args__ = (
        Index("ix_deadlines_due_on_id", "due_on", "id"),
        # The open deadlines in due order (the JSON API's default page): met and cancelled
        # ones, which pile up over the years, are never scanned to find them.
        Index("ix_deadlines_status_due_on_id", "status", "due_on", "id"),
        Index("ix_deadlines_updated_at_id", "updated_at", "id"),
        # A complaint's nearest open deadline (the dashboard's sort key), read from the index
        # alone; the status is a column, not a partial-index predicate, so that asyncpg's
        # generic plans (status sent as a parameter) can use it too.
        Index("ix_deadlines_complaint_status_due_on", "complaint_id", "status", "due_on"),
        # The policy reviews (6), which belong to no complaint: checked on every read of the
        # deadlines API by an integration, an administrator or a table officer.
        Index(
            "ix_deadlines_policy_reviews",
            "due_on",
            sqlite_where=text("complaint_id IS NULL"),
            postgresql_where=text("complaint_id IS NULL"),
        ),
        # One deadline of each kind per complaint: its id is the calendar UID.
        Index(
            "uq_deadlines_complaint_kind",
            "complaint_id",
            "kind",
            unique=True,
            sqlite_where=text("complaint_id IS NOT NULL"),
            postgresql_where=text("complaint_id IS NOT NULL"),
        ),
    )

    complaint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE")
    )
    kind: Mapped[DeadlineKind] = mapped_column(
        Enum(DeadlineKind, name="deadline_kind", native_enum=False, length=40)
    )
    status: Mapped[DeadlineStatus] = mapped_column(
        Enum(DeadlineStatus, name="deadline_status", native_enum=False, length=20),
        default=DeadlineStatus.open,
    )
    due_on: Mapped[date]
    basis: Mapped[str] = mapped_column(String(60))
    trigger_on: Mapped[date]
    period_days: Mapped[int | None]
    period_months: Mapped[int | None]
    nominal_due_on: Mapped[date]
    moved_by: Mapped[str | None] = mapped_column(String(300))
    explanation: Mapped[str] = mapped_column(String(400))
    satisfied_on: Mapped[date | None]
    sequence: Mapped[int] = mapped_column(default=0)
