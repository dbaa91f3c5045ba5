"""Keyset pagination: an opaque cursor holding the last key of the previous page."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from typing import Annotated, Any

from fastapi import Query

from ombuds.kit.errors import InvalidInput, field_error

PageSize = Annotated[int, Query(ge=1, le=200, description="Items per page")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="next_cursor from the previous page")
]


def encode_cursor(*key: Any) -> str:
    raw = json.dumps([str(k) for k in key], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def invalid_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this service issued.",
        errors=[field_error("cursor", "cursor_invalid", "pass next_cursor back unchanged")],
    )


def cursor_uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise invalid_cursor() from exc


def decode_cursor(cursor: str | None, parts: int) -> list[str] | None:
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(key, list) and len(key) == parts and all(isinstance(k, str) for k in key):
            return key
    except (ValueError, binascii.Error):
        pass
    raise invalid_cursor()
