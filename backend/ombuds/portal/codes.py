"""The secrets of an invitation and an access: made here, shown once, stored as hashes.

The link's token is 32 random bytes (URL-safe), hashed with SHA-256 (256 random bits need
no slow hash). The access code and the sign-in id are read aloud or typed from a phone:
drawn from an alphabet without the characters people confuse (0/O, 1/I/L), shown in
groups, and accepted with or without the dashes and in either case."""

from __future__ import annotations

import hashlib
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0, 1, I, L, O
CODE_LENGTH = 10  # ~50 bits: guessed only at the throttle's pace, for a few days
SIGN_IN_ID_LENGTH = 12


def new_link_token() -> tuple[str, str]:
    """(the token for the link, shown once; its stored hash)."""
    token = secrets.token_urlsafe(32)
    return token, hash_link_token(token)


def hash_link_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _draw(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def new_code() -> str:
    """An access code, unformatted (`shown` groups it)."""
    return _draw(CODE_LENGTH)


def new_sign_in_id() -> str:
    return _draw(SIGN_IN_ID_LENGTH)


def normalise(typed: str) -> str:
    """What a person typed, as stored: no spaces or dashes, upper case."""
    return "".join(c for c in typed.upper() if c not in " -\t")


def shown(value: str, group: int = 5) -> str:
    """In groups for reading: ABCDE-FGHJK, or ABCD-EFGH-JKMN with ``group=4``."""
    return "-".join(value[i : i + group] for i in range(0, len(value), group))
