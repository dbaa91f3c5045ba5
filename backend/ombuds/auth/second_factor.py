"""TOTP second factor (RFC 6238 through pyotp): enrolment, and codes usable once.

The shared secret is stored encrypted with the key ring, bound to its user's row."""

from __future__ import annotations

import pyotp
from pyotp.exceptions import OTPVerificationError

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


def accept(user: User, keyring: KeyRing, code: str) -> bool:
    """True once per code: a code whose time step was already used is refused."""
    if user.totp_secret is None or not code.isdigit() or len(code) != 6:
        return False
    secret = keyring.decrypt_text(user.totp_secret, row_id=str(user.id), **_WHERE)
    try:
        timecode = pyotp.TOTP(secret).verify_and_get_timecode(code, valid_window=1)
    except OTPVerificationError:
        return False
    if user.totp_last_timecode is not None and timecode <= user.totp_last_timecode:
        return False
    user.totp_last_timecode = timecode
    return True
