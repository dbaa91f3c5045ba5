"""The parties' portal: how a member-complainant, an other party or a witness reaches
Ombuds without an account (issue 16).

The handling ombudsperson invites a person of the complaint: a single-use link and a
short access code, passed on by different channels. Redeeming both sets a passphrase;
the party then signs in with a public sign-in id and that passphrase. Only hashes are
stored: a leaked table opens nothing. Everything here goes with the complaint's content
when its record is destroyed (5.1, retention/destroy.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin
from ombuds.models.complaints import PartyRole


def _party() -> Enum:
    return Enum(PartyRole, name="party_role", native_enum=False, length=40, validate_strings=True)


class PortalInvitation(IdMixin, Base):
    """One invitation: the link's token (SHA-256: 256 random bits need no slow hash) and
    the access code (argon2id: a short code does). Live while neither redeemed, revoked
    nor expired; a new invitation for the same person revokes the live ones."""

    __tablename__ = "portal_invitations"
    __table_args__ = (Index("ix_portal_invitations_person_issued", "person_id", "issued_at"),)

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaint_people.id", ondelete="CASCADE")
    )
    party: Mapped[PartyRole] = mapped_column(_party())
    link_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    code_hash: Mapped[str] = mapped_column(String(255))
    issued_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    redeemed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class PortalAccess(IdMixin, Base):
    """A person's access to the portal, made by redeeming an invitation: one per person
    (redeeming a new invitation replaces the passphrase and the sign-in id)."""

    __tablename__ = "portal_accesses"

    complaint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("complaint_people.id", ondelete="CASCADE"), unique=True
    )
    party: Mapped[PartyRole] = mapped_column(_party())
    # Public, like a username: what the party signs in with, beside their passphrase.
    sign_in_id: Mapped[str] = mapped_column(String(16), unique=True)
    passphrase_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_reason: Mapped[str | None] = mapped_column(String(40))


class PortalSession(IdMixin, Base):
    """A party's session: short idle timeout, absolute expiry, revocable; checked on every
    request like a staff session (auth/service.py)."""

    __tablename__ = "portal_sessions"

    access_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("portal_accesses.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
