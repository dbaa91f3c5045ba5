"""Complaints with deadlines, feeds and CalDAV connections for the calendar tests.

Canary names and circumstances are planted in every complaint made here: calendar output
(feeds, the JSON API, CalDAV events and the CalDAV server's storage) must never hold them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.deadlines import service as deadlines
from ombuds.models import Deadline, DeadlineKind, Member, Role, User
from ombuds.settings import Settings
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint, person
from tests.factories.directory import make_member, make_unit

CANARY_COMPLAINANT = "Zephyrine Quackenbush-Oyelaran"
CANARY_OTHER_PARTY = "Bartholomew Vasquez-Tsukuyomi"
CANARY_WITNESS = "Wilhelmina Cholmondeley-Achebe"
CANARY_INCIDENT = "Glitter-cannon remarks at the pancake breakfast"
CANARY_LOCATION = "Saskatoon Berry Hall"
CANARY_RESOLUTION = "A marmalade-scented apology"
CANARIES = (
    CANARY_COMPLAINANT,
    CANARY_OTHER_PARTY,
    CANARY_WITNESS,
    CANARY_INCIDENT,
    CANARY_LOCATION,
    CANARY_RESOLUTION,
)


# Distinctive parts too: a first name or a surname alone is a leak as well.
CANARY_PARTS = (
    "Zephyrine",
    "Quackenbush",
    "Oyelaran",
    "Bartholomew",
    "Tsukuyomi",
    "Wilhelmina",
    "Cholmondeley",
    "Glitter-cannon",
    "pancake",
    "Saskatoon",
    "marmalade",
)


def canaries_in(text: str) -> list[str]:
    """Every canary (or a distinctive part of one) found in ``text``, case-insensitively,
    also across iCalendar line folds."""
    folded = text.replace("\r\n ", "").replace("\n ", "").replace("\r\n\t", "").lower()
    return sorted(c for c in (*CANARIES, *CANARY_PARTS) if c.lower() in folded)


@dataclass
class Case:
    """A complaint taken in by ``ombudsperson``; its members carry the canary names."""

    ombudsperson: User
    headers: dict[str, str]
    complainant: Member
    other_party: Member
    detail: dict[str, Any]
    etag: str

    @property
    def id(self) -> uuid.UUID:
        return uuid.UUID(self.detail["id"])

    @property
    def reference(self) -> str:
        return str(self.detail["reference"])


async def canary_case(
    client: httpx.AsyncClient,
    db: AsyncSession,
    passwords: Passwords,
    *,
    ombudsperson: tuple[User, dict[str, str]] | None = None,
    other_party: Member | None = None,
) -> Case:
    """A complaint over HTTP, with canaries in its people and incidents."""
    unit = await make_unit(db)
    complainant = await make_member(db, unit, name=CANARY_COMPLAINANT)
    other = other_party or await make_member(db, unit, name=CANARY_OTHER_PARTY)
    user, headers = ombudsperson or await signed_in(db, passwords, client, Role.ombudsperson)
    body = complaint_body(
        complainant,
        other,
        witnesses=[person(name=CANARY_WITNESS)],
        incidents=[
            {
                "what": CANARY_INCIDENT,
                "occurred_on": "2026-01-20",
                "occurred_at": "19:30:00",
                "location": CANARY_LOCATION,
                "categories": ["comments"],
            }
        ],
        resolution_sought=CANARY_RESOLUTION,
    )
    detail, etag = await file_complaint(client, headers, body)
    return Case(user, headers, complainant, other, detail, etag)


async def open_deadline(
    db: AsyncSession,
    settings: Settings,
    complaint_id: uuid.UUID,
    kind: DeadlineKind = DeadlineKind.written_response,
    trigger_on: date = date(2026, 3, 2),
    days: int = 14,
) -> Deadline:
    """Open (or re-date) a deadline directly, as the procedure's services do; committed."""
    deadline = await deadlines.open_after_days(db, settings, complaint_id, kind, trigger_on, days)
    await db.commit()
    return deadline


async def cancel_deadlines(db: AsyncSession, complaint_id: uuid.UUID) -> None:
    await deadlines.cancel_open(db, complaint_id)
    await db.commit()


async def satisfy_deadline(
    db: AsyncSession, complaint_id: uuid.UUID, kind: DeadlineKind, on: date
) -> None:
    """Met (on or before the due date) or met late, as the procedure's steps do; committed."""
    await deadlines.satisfy(db, complaint_id, kind, on)
    await db.commit()


async def lapse_deadline(db: AsyncSession, complaint_id: uuid.UUID, kind: DeadlineKind) -> None:
    """Lapsed, as the CRC's findings leave an open response deadline; committed."""
    await deadlines.lapse(db, complaint_id, kind)
    await db.commit()


async def create_feed(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    """A new feed URL for the signed-in user; returns the body (url, webcal_url)."""
    response = await client.post("/api/calendar/feed", headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def feed_path(feed: dict[str, Any]) -> str:
    """The path part of a feed URL, for the test client."""
    return "/" + str(feed["url"]).split("://", 1)[1].split("/", 1)[1]


async def connect_caldav(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    url: str,
    username: str,
    password: str,
    *,
    shared: bool = False,
) -> dict[str, Any]:
    path = "/api/calendar/caldav/shared" if shared else "/api/calendar/caldav"
    response = await client.post(
        path, headers=headers, json={"url": url, "username": username, "password": password}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body
