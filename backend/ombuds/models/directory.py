"""Units, the member directory, the ombudsperson roster (3.1) and training records."""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum

from sqlalchemy import CheckConstraint, Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.db import Base, IdMixin, TimestampMixin


class Unit(IdMixin, TimestampMixin, Base):
    """A Unit of the Local, or the affiliates group (at most one)."""

    __tablename__ = "units"
    __table_args__ = (
        Index(
            "uq_units_one_affiliates_group",
            "is_affiliates",
            unique=True,
            sqlite_where=text("is_affiliates"),
            postgresql_where=text("is_affiliates"),
        ),
    )

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    is_affiliates: Mapped[bool] = mapped_column(default=False)


class Member(IdMixin, TimestampMixin, Base):
    __tablename__ = "members"

    member_number: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("units.id"), index=True)
    email: Mapped[str | None] = mapped_column(String(254))


class RosterSeat(IdMixin, Base):
    """3.1: one ombudsperson seat per Unit, and one for the affiliates group."""

    __tablename__ = "roster_seats"

    unit_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("units.id", ondelete="CASCADE"), unique=True
    )


class SeatTerm(IdMixin, TimestampMixin, Base):
    __tablename__ = "seat_terms"
    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
    )

    seat_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("roster_seats.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]


class TrainingKind(StrEnum):
    comprehensive = "comprehensive"
    ongoing = "ongoing"


class TrainingRecord(IdMixin, TimestampMixin, Base):
    __tablename__ = "training_records"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[TrainingKind] = mapped_column(
        Enum(TrainingKind, name="training_kind", native_enum=False, length=20)
    )
    completed_on: Mapped[date]
