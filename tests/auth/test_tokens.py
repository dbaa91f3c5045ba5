"""JWT handling: HS256 only, explicit algorithms, every required claim checked."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from jose import jwt

from ombuds.auth import tokens
from ombuds.kit.clock import utcnow
from ombuds.kit.errors import Unauthenticated
from ombuds.settings import Settings
from tests.conftest import TEST_SECRET

SETTINGS = Settings(secret_key=TEST_SECRET)


def _claims(**overrides: Any) -> dict[str, Any]:
    now = utcnow()
    claims: dict[str, Any] = {
        "iss": SETTINGS.token_issuer,
        "aud": SETTINGS.token_audience,
        "sub": str(uuid.uuid4()),
        "sid": str(uuid.uuid4()),
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=5)).timestamp()),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_token_we_issue_round_trips() -> None:
    user_id, session_id = uuid.uuid4(), uuid.uuid4()
    token = tokens.issue_access_token(
        SETTINGS, user_id=user_id, session_id=session_id, now=utcnow()
    )
    claims = tokens.decode_access_token(SETTINGS, token)
    assert (claims.user_id, claims.session_id) == (user_id, session_id)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"


BAD_TOKENS = {
    "alg none": _b64({"alg": "none", "typ": "JWT"}) + "." + _b64(_claims()) + ".",
    "HS512": jwt.encode(_claims(), TEST_SECRET, algorithm="HS512"),
    "HS384": jwt.encode(_claims(), TEST_SECRET, algorithm="HS384"),
    "wrong key": jwt.encode(_claims(), "another-secret-of-enough-length-0123456789", "HS256"),
    "expired": jwt.encode(
        _claims(exp=int((utcnow() - timedelta(seconds=5)).timestamp())), TEST_SECRET, "HS256"
    ),
    "no exp": jwt.encode(_claims(exp=None), TEST_SECRET, "HS256"),
    "no iat": jwt.encode(_claims(iat=None), TEST_SECRET, "HS256"),
    "no sub": jwt.encode(_claims(sub=None), TEST_SECRET, "HS256"),
    "no sid": jwt.encode(_claims(sid=None), TEST_SECRET, "HS256"),
    "wrong aud": jwt.encode(_claims(aud="another-api"), TEST_SECRET, "HS256"),
    "no aud": jwt.encode(_claims(aud=None), TEST_SECRET, "HS256"),
    "wrong iss": jwt.encode(_claims(iss="someone-else"), TEST_SECRET, "HS256"),
    "no iss": jwt.encode(_claims(iss=None), TEST_SECRET, "HS256"),
    "future nbf": jwt.encode(
        _claims(nbf=int((utcnow() + timedelta(hours=1)).timestamp())), TEST_SECRET, "HS256"
    ),
    "sub not a uuid": jwt.encode(_claims(sub="admin"), TEST_SECRET, "HS256"),
    "garbage": "not.a.token",
    "empty": "",
}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_bad_tokens_are_refused_with_one_message(token: str) -> None:
    with pytest.raises(Unauthenticated) as caught:
        tokens.decode_access_token(SETTINGS, token)
    assert caught.value.detail == "The access token is invalid or expired; sign in again."


def test_api_tokens_are_random_and_stored_as_hashes() -> None:
    first, first_hash, prefix = tokens.new_api_token()
    second, _, _ = tokens.new_api_token()
    assert first != second
    assert first.startswith("omb_") and len(first) > 40
    assert first_hash == tokens.hash_api_token(first) and first not in first_hash
    assert first.startswith(prefix) and len(prefix) == 12
