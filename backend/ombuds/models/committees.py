"""Table-officer conflicts (4.3.1(iv)), the Complaint Review Committee (4.3.1(v)), its
investigation (4.3.1(vi)), recommendations and their disclosure (4.3.1(viii), 5.1)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin, TimestampMixin
from ombuds.kit.encryption import EncryptedText


def _enum(e: type[StrEnum], name: str) -> Enum:
    return Enum(e, name=name, native_enum=False, length=40, validate_strings=True)


class OfficerConflict(IdMixin, Base):
    """A table officer's declared conflict on a complaint. Officers who are parties are
    recused from the directory link without a row here (see committees/access.py)."""

    __tablename__ = "officer_conflicts"
    __table_args__ = (UniqueConstraint("complaint_id", "user_id"),)

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


class OmbudspersonConflict(IdMixin, Base):
    """An ombudsperson's declared conflict: excludes them from this complaint's CRC."""

    __tablename__ = "ombudsperson_conflicts"
    __table_args__ = (UniqueConstraint("complaint_id", "user_id"),)

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)


class CommitteeStatus(StrEnum):
    proposed = "proposed"
    confirmed = "confirmed"


class Committee(IdMixin, TimestampMixin, Base):
    """4.3.1(v): one committee per complaint; a proposal until an officer confirms it."""

    __tablename__ = "committees"
    __table_args__ = (
        UniqueConstraint("complaint_id"),
        Index("ix_committees_staff_resource", "staff_resource_id"),
    )

    complaint_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    status: Mapped[CommitteeStatus] = mapped_column(_enum(CommitteeStatus, "committee_status"))
    staff_resource_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    proposed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    confirmed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    struck_on: Mapped[date | None]  # the day it was struck
    struck_recorded_at: Mapped[datetime | None]  # when that was recorded
    # 4.3.1(v): redraws of seats whose member could still sit (bounded by a setting).
    discretionary_redraws: Mapped[int] = mapped_column(default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's own API


class CommitteeMember(Base):
    __tablename__ = "committee_members"
    __table_args__ = (
        UniqueConstraint("committee_id", "user_id"),
        Index("ix_committee_members_user", "user_id"),
    )

    committee_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("committees.id", ondelete="CASCADE"), primary_key=True
    )
    seat: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))


class ExclusionReason(StrEnum):
    """4.3.1(v): why an ombudsperson may not sit on this complaint's CRC."""

    took_part_informally = "took_part_informally"
    party_or_witness = "party_or_witness"
    declared_conflict = "declared_conflict"
    intake_ombudsperson = "intake_ombudsperson"
    inactive = "inactive"
    untrained = "untrained"
    no_current_seat = "no_current_seat"


class CommitteeExclusion(IdMixin, Base):
    """Every exclusion, with its reason, as it stood when the panel was proposed."""

    __tablename__ = "committee_exclusions"

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[ExclusionReason] = mapped_column(_enum(ExclusionReason, "exclusion_reason"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class InvestigationKind(StrEnum):
    letter_review = "letter_review"
    response_review = "response_review"
    complainant_interview = "complainant_interview"
    other_party_interview = "other_party_interview"
    witness_interview = "witness_interview"
    document = "document"


class InvestigationEntry(IdMixin, Base):
    """4.3.1(vi): each step of the CRC's review and interviews."""

    __tablename__ = "investigation_entries"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[InvestigationKind] = mapped_column(_enum(InvestigationKind, "investigation_kind"))
    occurred_on: Mapped[date]
    notes: Mapped[str] = mapped_column(EncryptedText())
    recorded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecommendationKind(StrEnum):
    apology = "apology"
    counselling = "counselling"
    training_or_education = "training_or_education"
    other = "other"


class RecommendationStatus(StrEnum):
    pending = "pending"
    implemented = "implemented"
    declined = "declined"


class Recommendation(IdMixin, TimestampMixin, Base):
    __tablename__ = "recommendations"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RecommendationKind] = mapped_column(
        _enum(RecommendationKind, "recommendation_kind")
    )
    text: Mapped[str] = mapped_column(EncryptedText())
    disclosure_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("disclosures.id"))
    status: Mapped[RecommendationStatus] = mapped_column(
        _enum(RecommendationStatus, "recommendation_status"), default=RecommendationStatus.pending
    )
    status_on: Mapped[date | None]
    status_note: Mapped[str | None] = mapped_column(EncryptedText())


class DisclosurePurpose(StrEnum):
    """5.1: the only reasons names and circumstances leave the roles."""

    investigation = "investigation"
    corrective_action = "corrective_action"
    required_by_law = "required_by_law"


class Disclosure(IdMixin, Base):
    """5.1: what was disclosed, to whom, by whom, why."""

    __tablename__ = "disclosures"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key
    # The administrators' register (5.1) pages in the order disclosures were made.
    __table_args__ = (Index("ix_disclosures_disclosed_at_id", "disclosed_at", "id"),)

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[DisclosurePurpose] = mapped_column(_enum(DisclosurePurpose, "purpose"))
    reason: Mapped[str] = mapped_column(EncryptedText())
    content: Mapped[str] = mapped_column(EncryptedText())
    disclosed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    disclosed_at: Mapped[datetime] = mapped_column(default=utcnow)


class DisclosureRecipient(IdMixin, Base):
    __tablename__ = "disclosure_recipients"
    __data_key_owner__ = "complaint_id"  # sealed under this record's data key

    disclosure_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("disclosures.id", ondelete="CASCADE"), index=True
    )
    # The disclosure's complaint: its data key seals the recipient.
    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    # 5.1: free text that can name a person outside the roles, encrypted like the rest.
    recipient: Mapped[str] = mapped_column(EncryptedText())
