"""Complaints driven through the HTTP API, as an ombudsperson would."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from ombuds.models import Deadline, DeadlineKind, DeadlineStatus, Member


def person(member: Member | None = None, name: str | None = None) -> dict[str, Any]:
    return {"member_id": str(member.id)} if member else {"full_name": name or "Someone Outside"}


def complaint_body(
    complainant: Member,
    other_party: Member,
    *,
    witnesses: list[dict[str, Any]] | None = None,
    setting: str = "local_500_event",
    **overrides: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "received_on": "2026-02-02",
        "setting": setting,
        "complainant": person(complainant),
        "other_party": person(other_party),
        "witnesses": witnesses or [],
        "incidents": [
            {
                "what": "Demeaning comments at the general membership meeting",
                "occurred_on": "2026-01-20",
                "occurred_at": "19:30:00",
                "location": "Union hall",
                "categories": ["comments", "verbal_abuse"],
            }
        ],
        "grounds": ["age"],
        "resolution_sought": "An apology",
    }
    body.update(overrides)
    return body


async def file_complaint(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> tuple[dict[str, Any], str]:
    """Create a complaint; returns its detail and the ETag to send with the next change."""
    response = await client.post("/api/complaints", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json(), response.headers["ETag"]


def on(day: str) -> date:
    return date.fromisoformat(day)


def deadline_row(
    complaint_id: uuid.UUID, kind: DeadlineKind, status: DeadlineStatus, due: date
) -> Deadline:
    """A 14-day deadline due exactly on ``due`` (no rollover), met on that day if met: for
    tests that arrange lists directly in the database."""
    return Deadline(
        complaint_id=complaint_id,
        kind=kind,
        status=status,
        due_on=due,
        basis="4.3.1(ii)",
        trigger_on=due - timedelta(days=14),
        period_days=14,
        nominal_due_on=due,
        explanation="14 days",
        satisfied_on=due if status is DeadlineStatus.met else None,
    )
