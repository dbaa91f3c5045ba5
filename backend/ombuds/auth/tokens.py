"""All token code: JWT access tokens (HS256 only) and opaque integration API tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from jose import JWTError, jwt

from ombuds.kit.errors import Unauthenticated
from ombuds.settings import Settings

ALGORITHM = "HS256"
ALGORITHMS = [ALGORITHM]  # explicit list: "none" and every other algorithm are refused
REQUIRED_CLAIMS = ("exp", "iat", "iss", "aud", "sub", "sid")
API_TOKEN_PREFIX = "omb_"  # noqa: S105 - a prefix, not a secret


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID


def issue_access_token(
    settings: Settings, *, user_id: uuid.UUID, session_id: uuid.UUID, now: datetime
) -> str:
    lifetime = timedelta(minutes=settings.access_token_minutes)
    return _issue(settings, settings.token_audience, user_id, session_id, now, lifetime)


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    return _decode(settings, settings.token_audience, token)


def issue_portal_token(
    settings: Settings, *, access_id: uuid.UUID, session_id: uuid.UUID, now: datetime
) -> str:
    """A party's token (issue 16): the portal's own audience, so that it never passes the
    staff authentication, nor a staff token the portal's. `sub` is the portal access."""
    lifetime = timedelta(hours=settings.portal_session_hours)
    return _issue(settings, settings.portal_token_audience, access_id, session_id, now, lifetime)


def decode_portal_token(settings: Settings, token: str) -> AccessClaims:
    """The portal access (as `user_id`) and portal session of a party's token."""
    return _decode(settings, settings.portal_token_audience, token)


def _issue(
    settings: Settings,
    audience: str,
    subject: uuid.UUID,
    session_id: uuid.UUID,
    now: datetime,
    lifetime: timedelta,
) -> str:
    claims = {
        "iss": settings.token_issuer,
        "aud": audience,
        "sub": str(subject),
        "sid": str(session_id),
        "iat": int(now.timestamp()),
        "nbf": int(now.timestamp()),
        "exp": int((now + lifetime).timestamp()),
    }
    return str(jwt.encode(claims, settings.secret_key, algorithm=ALGORITHM))


def _decode(settings: Settings, audience: str, token: str) -> AccessClaims:
    try:
        header = jwt.get_unverified_header(token)
        if header.get("alg") != ALGORITHM:
            raise JWTError("algorithm not allowed")
        claims = jwt.decode(
            token,
            settings.secret_key,
            algorithms=ALGORITHMS,
            audience=audience,
            issuer=settings.token_issuer,
            options={f"require_{c}": True for c in ("exp", "iat", "iss", "aud", "sub")},
        )
        missing = [c for c in REQUIRED_CLAIMS if c not in claims]
        if missing:
            raise JWTError("missing claims")
        return AccessClaims(uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"]))
    except (JWTError, ValueError, KeyError, TypeError) as exc:
        # One message for every failure: which check failed is of use only to an attacker.
        raise Unauthenticated(
            "The access token is invalid or expired; sign in again.",
            headers={"WWW-Authenticate": "Bearer"},
        ) from exc


def new_api_token() -> tuple[str, str, str]:
    """A fresh integration token: (token shown once, its stored hash, its visible prefix)."""
    token = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, hash_api_token(token), token[:12]


def hash_api_token(token: str) -> str:
    # 256 random bits need no slow hash; SHA-256 makes the stored value useless if leaked.
    return hashlib.sha256(token.encode()).hexdigest()


def is_api_token(token: str) -> bool:
    return token.startswith(API_TOKEN_PREFIX)
