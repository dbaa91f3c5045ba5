"""Base classes for request and response schemas."""

import re
from datetime import datetime, time
from typing import Annotated, Generic, TypeVar

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, WithJsonSchema
from pydantic_core import PydanticCustomError

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


# The largest values the database's integer columns hold: a number beyond them is refused
# as invalid input naming its parameter, never passed on to the driver (which would fail).
INT_MAX = 2**31 - 1  # INTEGER
BIGINT_MAX = 2**63 - 1  # BIGINT

_ISO_DATETIME = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?"
    r"([Zz]|[+-][0-9]{2}:?[0-9]{2})"
)


def _iso_datetime(value: object) -> object:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(_ISO_DATETIME, value.strip()):
        return value
    # Pydantic alone would read "-16108" or 1700000000 as seconds since 1970.
    raise PydanticCustomError(
        "iso_datetime",
        "an ISO 8601 date and time with its offset, e.g. 2026-12-07T09:30:00-06:00",
    )


# An instant, written out: ISO 8601 date and time with an offset (Z or ±HH:MM).
IsoDatetime = Annotated[AwareDatetime, BeforeValidator(_iso_datetime)]


class InputSchema(BaseModel):
    """Request bodies: unknown fields are refused, never ignored (mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OutputSchema(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class Page(BaseModel, Generic[T]):
    """A keyset page: pass ``next_cursor`` back as ``cursor`` for the next one."""

    items: list[T]
    next_cursor: str | None
