"""TOTP second factor (RFC 6238 through pyotp): enrolment, and codes usable once.

The shared secret is stored encrypted with the key ring, bound to its user's row."""

from __future__ import annotations

from typing import Any, cast

import pyotp
from pyotp.exceptions import OTPVerificationError
from sqlalchemy import CursorResult, or_, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from ombuds.kit.crypto import KeyRing
from ombuds.models import Role, User
from ombuds.settings import Settings

ISSUER = "Ombuds"
# Roles whose accounts need a second factor when the setting asks for it.
SECOND_FACTOR_ROLES = frozenset({Role.administrator, Role.ombudsperson, Role.table_officer})
_WHERE = {"table": "users", "column": "totp_secret"}


def required_for(user: User, settings: Settings) -> bool:
    return settings.require_second_factor and bool(user.role_set & SECOND_FACTOR_ROLES)


def new_secret(user: User, keyring: KeyRing) -> tuple[str, str]:
    """A fresh secret for enrolment: (base32 secret, otpauth:// URI), stored encrypted."""
    secret = pyotp.random_base32()
    user.totp_secret = keyring.encrypt_text(secret, row_id=str(user.id), **_WHERE)
    user.totp_confirmed_at = None
    user.totp_last_timecode = None
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)
    return secret, uri


async def accept(db: AsyncSession, user: User, keyring: KeyRing, code: str) -> bool:
    """True once per code: a code whose time step was already used is refused. The step is
    taken by a conditional UPDATE, not judged from the row read earlier, so sign-ins racing
    with one code (on any worker of any instance) cannot both use it."""
    if user.totp_secret is None or not code.isdigit() or len(code) != 6:
        return False
    secret = keyring.decrypt_text(user.totp_secret, row_id=str(user.id), **_WHERE)
    try:
        timecode = pyotp.TOTP(secret).verify_and_get_timecode(code, valid_window=1)
    except OTPVerificationError:
        return False
    taken = await db.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_timecode.is_(None), User.totp_last_timecode < timecode),
        )
        .values(totp_last_timecode=timecode)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[Any], taken).rowcount != 1:
        return False
    set_committed_value(user, "totp_last_timecode", timecode)
    return True
