"""Users, their roles, server-side sessions, and integration service accounts."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Enum,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ombuds.kit.clock import utcnow
from ombuds.kit.db import Base, IdMixin, TimestampMixin


class Role(StrEnum):
    administrator = "administrator"
    ombudsperson = "ombudsperson"
    table_officer = "table_officer"
    staff_resource = "staff_resource"


class StaffResourceKind(StrEnum):
    """4.3.1(v): the two kinds of staff resource a CRC may have."""

    special_assignments_officer = "special_assignments_officer"
    equality_representative = "equality_representative"


class Scope(StrEnum):
    deadlines_read = "deadlines:read"


def _enum(e: type[StrEnum], name: str) -> Enum:
    return Enum(e, name=name, native_enum=False, length=40, validate_strings=True)


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # Where notifications are mailed (notifications/); none: they stay in the app.
    email: Mapped[str | None] = mapped_column(String(254))
    # The language the app and its messages use for this person ("en" or "fr").
    language: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(default=True)
    member_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), unique=True
    )
    staff_resource_kind: Mapped[StaffResourceKind | None] = mapped_column(
        _enum(StaffResourceKind, "staff_resource_kind")
    )
    # TOTP second factor: the secret is encrypted with the key ring (auth/second_factor.py).
    totp_secret: Mapped[bytes | None] = mapped_column(LargeBinary)
    totp_confirmed_at: Mapped[datetime | None]
    totp_last_timecode: Mapped[int | None] = mapped_column(BigInteger)
    roles: Mapped[list[UserRole]] = relationship(
        lazy="raise", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(r.role for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), primary_key=True)


class AuthSession(IdMixin, Base):
    """Server-side session: an access token is only as good as its session row."""

    __tablename__ = "auth_sessions"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(40))
    # Signed in with the password only, while a second factor is required but not enrolled:
    # such a session may only enrol (auth/access.py).
    second_factor_pending: Mapped[bool] = mapped_column(default=False, server_default=false())


class LoginFailure(Base):
    """A failed sign-in, for throttling (auth/throttle.py); kept for twice the window."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    account_key: Mapped[str] = mapped_column(String(64), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)


class ServiceAccount(IdMixin, TimestampMixin, Base):
    """An integration (e.g. a calendar) acting through scoped API tokens."""

    __tablename__ = "service_accounts"

    name: Mapped[str] = mapped_column(String(100), unique=True)
    is_active: Mapped[bool] = mapped_column(default=True)


class ApiToken(IdMixin, Base):
    __tablename__ = "api_tokens"
    __table_args__ = (UniqueConstraint("token_hash"),)

    service_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_accounts.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64))
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(s for s in self.scopes.split() if s)
