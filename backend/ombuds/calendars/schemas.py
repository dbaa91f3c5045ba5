from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import Field

from ombuds.kit.schemas import InputSchema, OutputSchema
from ombuds.models import CaldavScope, CaldavStatus


class FeedStatus(OutputSchema):
    """Whether the caller has a live feed URL; the URL itself is shown only once."""

    exists: bool
    created_at: datetime | None


class FeedCreated(OutputSchema):
    """Shown once: the secret URL (https in production) and the same as webcal://."""

    url: str
    webcal_url: str
    created_at: datetime


class CaldavConnectionIn(InputSchema):
    url: str = Field(
        min_length=8,
        max_length=2000,
        description="The calendar collection's address, http(s)://...; no credentials in it",
    )
    username: str = Field(min_length=1, max_length=200)
    password: str = Field(
        min_length=1, max_length=500, description="An app password; stored encrypted"
    )


class CaldavConnectionOut(OutputSchema):
    """A connection as its owner sees it; the password never comes back."""

    id: uuid.UUID
    scope: CaldavScope
    url: str
    username: str
    status: CaldavStatus
    status_message: str | None
    last_attempt_at: datetime | None
    last_synced_at: datetime | None
    events: int
    created_at: datetime
