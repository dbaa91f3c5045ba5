"""Coded facts about each closed complaint (5.1, 6): kept after its content is destroyed.

One row per closed complaint, written in the transaction that closes it. Every column is
a code, a count of days, a year or a quarter: no name, no free text, no id of a person.
The Unit is kept only when it is large enough that naming it names no one."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin


class ComplaintFacts(IdMixin, Base):
    __tablename__ = "complaint_facts"
    __table_args__ = (Index("ix_complaint_facts_closed_on", "closed_on"),)

    # Kept so that the facts are written once per complaint (and the backfill is
    # idempotent); a complaint is not a person, and its row outlives its content.
    complaint_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="SET NULL"), unique=True
    )
    received_year: Mapped[int]
    received_quarter: Mapped[int]
    # The day it closed: the statistics' period is chosen by it; reports show quarters.
    closed_on: Mapped[date]
    record_class: Mapped[str] = mapped_column(String(20))  # retention.classes.RecordClass
    stage_reached: Mapped[str] = mapped_column(String(20))  # the last open Stage
    outcome: Mapped[str] = mapped_column(String(30))  # statistics.facts.Outcome
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)  # 2.1 codes
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)  # 2.2 codes
    recommendation_kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {deadline kind: met | met_late | lapsed | cancelled}
    deadlines: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # {step: days}, see statistics.facts.STEPS
    durations: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    unit_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("units.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
