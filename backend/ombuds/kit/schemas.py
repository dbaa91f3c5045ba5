"""Base classes for request and response schemas."""

import re
from datetime import time
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, WithJsonSchema

T = TypeVar("T")

_LOCAL_TIME = r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"


def _local_time(value: object) -> object:
    if isinstance(value, time) and value.tzinfo is None:
        return value
    if isinstance(value, str) and re.fullmatch(_LOCAL_TIME, value):
        return value
    raise ValueError("a time of day as HH:MM or HH:MM:SS, local to Winnipeg, without offset")


# A time of day on a calendar date, in the Local's time zone (America/Winnipeg): RFC 3339's
# `time` format would demand an offset, which a wall-clock time does not have.
LocalTime = Annotated[
    time,
    BeforeValidator(_local_time),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{_LOCAL_TIME}$",
            "description": "Time of day in America/Winnipeg, HH:MM[:SS], no offset",
            "examples": ["19:30", "19:30:00"],
        }
    ),
]


class InputSchema(BaseModel):
    """Request bodies: unknown fields are refused, never ignored (mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutputSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """A keyset page: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None
