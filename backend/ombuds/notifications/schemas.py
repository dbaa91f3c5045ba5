from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Literal, Self

from pydantic import EmailStr, Field, model_validator

from ombuds.kit.errors import RuleBroken
from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import REQUIRED_KINDS, DeliveryMode, NotificationKind

Language = Literal["en", "fr"]


class Delivery(StrEnum):
    none = "none"  # in the app only: the person has no e-mail address
    pending = "pending"  # waiting to be sent (now, or with the day's digest)
    sent = "sent"
    failed = "failed"  # every attempt failed: the person is told here


class NotificationOut(OutputSchema):
    """What needs the person: a kind and a date, and the case reference only while they may
    see the complaint. No name, no circumstance."""

    id: uuid.UUID
    kind: NotificationKind
    due_on: date | None
    created_at: datetime
    read_at: datetime | None
    delivery: Delivery
    complaint_id: uuid.UUID | None
    reference: str | None


class UnreadCount(OutputSchema):
    unread: int


class MarkedRead(OutputSchema):
    marked: int = Field(description="How many notifications this marked read")


class KindPreference(OutputSchema):
    kind: NotificationKind
    required: bool = Field(description="The policy makes it yours to act on: always on")
    enabled: bool


class PreferencesOut(OutputSchema):
    mode: DeliveryMode
    kinds: list[KindPreference]
    email: str | None
    language: Language
    etag: str = Field(description="Send as If-Match when changing the preferences")


class PreferencesUpdate(InputSchema):
    mode: DeliveryMode
    muted: list[NotificationKind] = Field(
        default_factory=list, max_length=len(NotificationKind), description="Kinds turned off"
    )
    email: EmailStr | None = None
    language: Language = "en"

    @model_validator(mode="after")
    def _required_stay_on(self) -> Self:
        required = sorted(k.value for k in self.muted if k in REQUIRED_KINDS)
        if required:
            raise RuleBroken(
                "muted",
                "required_kind",
                f"{', '.join(required)}: the policy makes these yours to act on; "
                "they cannot be turned off",
            )
        return self


class FailedDelivery(OutputSchema):
    """A message every attempt failed to deliver: who and what kind, never the case."""

    id: uuid.UUID
    display_name: str
    kind: NotificationKind
    attempts: int
    last_error: str | None = Field(description="The error's type only")
    created_at: datetime


class DeliveryRetried(OutputSchema):
    id: uuid.UUID
    status: Literal["pending"]
    attempts: int
