"""Complaints driven through the HTTP API, as an ombudsperson would."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from ombuds.models import Member


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
