"""Complaints and everything recorded on them, from intake to closure (1.3 to 4.3.1(x))."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin, TimestampMixin
from ombuds.kit.encryption import EncryptedBytes, EncryptedText


def _enum(e: type[StrEnum], name: str) -> Enum:
    return Enum(e, name=name, native_enum=False, length=40, validate_strings=True)


class Stage(StrEnum):
    """One explicit state machine for the whole procedure (see complaints/stages.py)."""

    intake = "intake"
    informal = "informal"  # 4.2.1
    letter = "letter"  # 4.3.1(i): formal, Local 500 procedure, letter not yet complete
    review = "review"  # 4.3.1(ii)-(iii): other party asked to respond, officers told
    committee = "committee"  # 4.3.1(v): a CRC must be struck
    investigation = "investigation"  # 4.3.1(vi)
    conclusions = "conclusions"  # 4.3.1(viii)-(x)
    closed = "closed"


class Closure(StrEnum):
    redirected = "redirected"  # 1.3
    resolved_informally = "resolved_informally"  # 4.2.1
    referred_to_charge = "referred_to_charge"  # 4.3.1 CUPE constitutional charge
    dismissed = "dismissed"  # 4.3.1(viii) harassment not found
    concluded = "concluded"  # 4.3.1(viii) harassment found, recommendations handed over
    withdrawn = "withdrawn"


class Setting(StrEnum):
    """1.3: where the conduct took place."""

    local_500_event = "local_500_event"
    acting_for_local_500 = "acting_for_local_500"
    workplace = "workplace"


class Redirection(StrEnum):
    grievance_procedure = "grievance_procedure"
    respectful_workplace_policy = "respectful_workplace_policy"


class FormalRoute(StrEnum):
    cupe_constitutional_charge = "cupe_constitutional_charge"  # Article B.VI
    local_500_procedure = "local_500_procedure"


class Finding(StrEnum):
    harassment_found = "harassment_found"
    harassment_not_found = "harassment_not_found"


class Complaint(IdMixin, TimestampMixin, Base):
    __tablename__ = "complaints"
    __data_key_owner__ = "id"  # sealed under this record's data key
    __table_args__ = (Index("ix_complaints_stage_updated", "stage", "updated_at"),)

    reference: Mapped[str] = mapped_column(String(12), unique=True)
    version: Mapped[int] = mapped_column(default=1)
    intake_ombudsperson_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "stage"), default=Stage.intake)
    closure: Mapped[Closure | None] = mapped_column(_enum(Closure, "closure"))
    closed_on: Mapped[date | None]
    received_on: Mapped[date]
    setting: Mapped[Setting] = mapped_column(_enum(Setting, "setting"))
    redirected_to: Mapped[Redirection | None] = mapped_column(_enum(Redirection, "redirection"))
    redirected_on: Mapped[date | None]  # 1.3: the day it happened; closed_on is the day recorded
    other_routes_told_on: Mapped[date | None]  # 1.4
    resolution_sought: Mapped[str] = mapped_column(EncryptedText())  # "" once destroyed
    grounds: Mapped[list[str]] = mapped_column(JSON, default=list)  # 2.2 codes
    consultation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("consultations.id"), unique=True
    )
    formal_route: Mapped[FormalRoute | None] = mapped_column(_enum(FormalRoute, "formal_route"))
    formal_route_chosen_on: Mapped[date | None]
    # 4.3.1(ii)
    other_party_reviewed_on: Mapped[date | None]
    response_received_on: Mapped[date | None]
    response_text: Mapped[str | None] = mapped_column(EncryptedText())
    # 4.3.1(iii): the day the officers were told, and when that was recorded
    table_officers_notified_on: Mapped[date | None]
    table_officers_notice_recorded_at: Mapped[datetime | None]
    # 4.3.1(viii)-(x)
    finding: Mapped[Finding | None] = mapped_column(_enum(Finding, "finding"))
    findings_text: Mapped[str | None] = mapped_column(EncryptedText())
    findings_on: Mapped[date | None]
    complainant_told_conclusions_on: Mapped[date | None]
    other_party_told_conclusions_on: Mapped[date | None]
    complainant_not_satisfied_on: Mapped[date | None]
    referred_to_charge_on: Mapped[date | None]
    # 5.1: the record's content was destroyed at the end of its retention period; the row
    # stays as a tombstone (reference, stage, closure, dates) for the audit log and deadlines.
    destroyed_at: Mapped[datetime | None]

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API


class PartyRole(StrEnum):
    complainant = "complainant"
    other_party = "other_party"
    witness = "witness"


class ComplaintPerson(IdMixin, Base):
    """A party or witness: a member of the directory, or someone recorded outside it."""

    __tablename__ = "complaint_people"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key
    __table_args__ = (
        CheckConstraint(
            "(member_id IS NOT NULL) OR (full_name IS NOT NULL)", name="member_or_name"
        ),
        Index("ix_complaint_people_member_role", "member_id", "role"),
    )

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[PartyRole] = mapped_column(_enum(PartyRole, "party_role"))
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    full_name: Mapped[str | None] = mapped_column(EncryptedText())
    contact: Mapped[str | None] = mapped_column(EncryptedText())


class Category(StrEnum):
    """2.1: what harassment is."""

    verbal_abuse = "verbal_abuse"
    physical_actions = "physical_actions"
    comments = "comments"
    displays = "displays"
    abuse_of_power = "abuse_of_power"
    other = "other"


class Incident(IdMixin, Base):
    __tablename__ = "incidents"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    what: Mapped[str] = mapped_column(EncryptedText())
    occurred_on: Mapped[date]
    occurred_at: Mapped[time | None]
    location: Mapped[str] = mapped_column(EncryptedText())
    categories: Mapped[list[str]] = mapped_column(JSON)


class Ground(Base):
    """2.2: protected characteristics, kept as data so a later Code can be followed."""

    __tablename__ = "grounds"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(default=True)


class Consultation(IdMixin, TimestampMixin, Base):
    """4.1: a confidential consultation, recorded without opening a complaint."""

    __tablename__ = "consultations"
    __data_key_owner__ = "id"  # sealed under this record's data key

    ombudsperson_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    member_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("members.id"))
    full_name: Mapped[str | None] = mapped_column(EncryptedText())
    held_on: Mapped[date]
    notes: Mapped[str] = mapped_column(EncryptedText())
    other_routes_told: Mapped[bool] = mapped_column(default=False)  # 1.4


class InformalMethod(StrEnum):
    """4.2.1 (i)-(iii)."""

    facilitated_meeting = "facilitated_meeting"
    shuttle_discussion = "shuttle_discussion"
    other_agreed_method = "other_agreed_method"


class InformalOutcome(StrEnum):
    pending = "pending"
    resolved = "resolved"
    refused = "refused"  # 4.2.1(iv)
    failed = "failed"  # 4.2.1(iv)


class InformalAttempt(IdMixin, TimestampMixin, Base):
    __tablename__ = "informal_attempts"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[InformalMethod] = mapped_column(_enum(InformalMethod, "informal_method"))
    method_description: Mapped[str | None] = mapped_column(EncryptedText())
    held_on: Mapped[date]
    proposal: Mapped[str] = mapped_column(EncryptedText())
    other_party_answer: Mapped[str | None] = mapped_column(EncryptedText())
    outcome: Mapped[InformalOutcome] = mapped_column(_enum(InformalOutcome, "informal_outcome"))


class InformalParticipant(Base):
    """4.2.1: every ombudsperson who took part; 4.3.1(v) excludes them from the CRC."""

    __tablename__ = "informal_participants"
    __table_args__ = (Index("ix_informal_participants_user", "user_id"),)

    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("informal_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )


class Letter(TimestampMixin, Base):
    """4.3.1(i): the detailed, signed letter."""

    __tablename__ = "letters"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), primary_key=True
    )
    what_took_place: Mapped[str | None] = mapped_column(EncryptedText())
    when_it_took_place: Mapped[str | None] = mapped_column(EncryptedText())
    occurred_at: Mapped[datetime | None]
    witnesses: Mapped[str | None] = mapped_column(EncryptedText())
    resolution_sought: Mapped[str | None] = mapped_column(EncryptedText())
    signed_on: Mapped[date | None]


class Attachment(IdMixin, Base):
    __tablename__ = "attachments"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(EncryptedText())
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(EncryptedBytes())
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticeMethod(StrEnum):
    in_person = "in_person"
    phone = "phone"
    email = "email"
    letter = "letter"
    # The party read the notice in the portal (issue 16): told then, by reading it there.
    portal = "portal"


class PartyNotice(IdMixin, Base):
    """4.3.1(vii): each change of stage is owed to each party until they are told."""

    __tablename__ = "party_notices"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key
    __table_args__ = (UniqueConstraint("complaint_id", "stage", "party"),)

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "stage"))
    party: Mapped[PartyRole] = mapped_column(_enum(PartyRole, "party_role"))
    owed_since: Mapped[datetime] = mapped_column(default=utcnow)
    told_on: Mapped[date | None]
    method: Mapped[NoticeMethod | None] = mapped_column(_enum(NoticeMethod, "notice_method"))
    # Owed no longer without being told: who waived it, when, and why.
    waived_at: Mapped[datetime | None]
    waived_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    waiver_reason: Mapped[str | None] = mapped_column(EncryptedText())


class TimelineEvent(IdMixin, Base):
    """What happened on a complaint, in order, in fixed words (no free text)."""

    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_events_complaint_at", "complaint_id", "at"),)

    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(60))
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "stage"))
