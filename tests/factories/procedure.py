"""Complaints driven through the procedure over HTTP, as the handling ombudsperson would:
informal attempts (4.2.1), the formal route (4.3.1), the letter (4.3.1(i)), the review with
the other party (4.3.1(ii)) and the table officers' notice (4.3.1(iii)).

Each step takes the complaint's detail (or its id) and the ETag from the previous step,
and returns what the next step needs. Reach a later stage in one call:

    detail, etag = await file_complaint(client, headers, complaint_body(a, b))
    detail, etag = await to_committee(client, headers, detail, etag)   # stage "committee"
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

Headers = dict[str, str]
Json = dict[str, Any]

# 4.3.1(i): every part of the letter, signed the day the complaint factory receives it.
COMPLETE_LETTER: Json = {
    "what_took_place": "Demeaning comments about my age at the general membership meeting.",
    "when_it_took_place": "During the general membership meeting, after the break.",
    "occurred_at": "2026-01-20T19:30:00",
    "witnesses": "Two members seated at the same table.",
    "resolution_sought": "A written apology.",
    "signed_on": "2026-02-02",
}
LETTER_SIGNED_ON = date(2026, 2, 2)


def url(detail: Json, *parts: str) -> str:
    return "/".join([f"/api/complaints/{detail['id']}", *parts])


def _with(headers: Headers, etag: str) -> Headers:
    return {**headers, "If-Match": etag}


def _ok(response: httpx.Response, status: int = 200) -> tuple[Json, str]:
    assert response.status_code == status, response.text
    return response.json(), response.headers["ETag"]


async def record_attempt(
    client: httpx.AsyncClient,
    headers: Headers,
    detail: Json,
    etag: str,
    participant_ids: list[str],
    *,
    outcome: str = "failed",
    method: str = "shuttle_discussion",
    held_on: date = date(2026, 2, 3),
    **overrides: Any,
) -> tuple[Json, str]:
    """Record an informal attempt (4.2.1); returns the attempt and the complaint's ETag."""
    body: Json = {
        "method": method,
        "held_on": held_on.isoformat(),
        "participant_ids": participant_ids,
        "proposal": "A private apology.",
        "outcome": outcome,
        **overrides,
    }
    response = await client.post(
        url(detail, "informal-attempts"), json=body, headers=_with(headers, etag)
    )
    return _ok(response, 201)


async def choose_route(
    client: httpx.AsyncClient,
    headers: Headers,
    detail: Json,
    etag: str,
    route: str = "local_500_procedure",
    *,
    chosen_on: date | None = None,
) -> tuple[Json, str]:
    """Record the member's formal route (4.3.1); returns the complaint's detail and ETag."""
    body: Json = {"route": route}
    if chosen_on is not None:
        body["chosen_on"] = chosen_on.isoformat()
    response = await client.post(
        url(detail, "formal-route"), json=body, headers=_with(headers, etag)
    )
    return _ok(response)


async def save_letter(
    client: httpx.AsyncClient, headers: Headers, detail: Json, etag: str, letter: Json
) -> tuple[Json, str]:
    """Save the letter's draft as a whole; returns the letter view and the ETag."""
    response = await client.put(url(detail, "letter"), json=letter, headers=_with(headers, etag))
    return _ok(response)


async def to_letter(
    client: httpx.AsyncClient,
    headers: Headers,
    detail: Json,
    etag: str,
    *,
    chosen_on: date | None = None,
) -> tuple[Json, str]:
    """From intake or informal to stage "letter" (the Local 500 procedure)."""
    return await choose_route(client, headers, detail, etag, chosen_on=chosen_on)


async def to_review(
    client: httpx.AsyncClient,
    headers: Headers,
    detail: Json,
    etag: str,
    *,
    chosen_on: date | None = None,
    letter: Json | None = None,
) -> tuple[Json, str]:
    """To stage "review": chooses the Local 500 route (unless already at "letter"), writes
    a complete letter (COMPLETE_LETTER unless given) and completes it."""
    if detail["stage"] in ("intake", "informal"):
        detail, etag = await to_letter(client, headers, detail, etag, chosen_on=chosen_on)
    _, etag = await save_letter(client, headers, detail, etag, letter or COMPLETE_LETTER)
    response = await client.post(url(detail, "letter", "complete"), headers=_with(headers, etag))
    return _ok(response)


async def record_review(
    client: httpx.AsyncClient,
    headers: Headers,
    detail: Json,
    etag: str,
    reviewed_on: date = LETTER_SIGNED_ON,
) -> tuple[Json, str]:
    """Record the review with the other party (4.3.1(ii)); returns the response status."""
    response = await client.post(
        url(detail, "other-party-review"),
        json={"reviewed_on": reviewed_on.isoformat()},
        headers=_with(headers, etag),
    )
    return _ok(response)


async def notify_table_officers(
    client: httpx.AsyncClient, headers: Headers, detail: Json, etag: str
) -> tuple[Json, str]:
    """Tell the table officers (4.3.1(iii)); returns the notice view and the ETag."""
    response = await client.post(url(detail, "notify-table-officers"), headers=_with(headers, etag))
    return _ok(response)


async def to_committee(
    client: httpx.AsyncClient,
    headers: Headers,
    detail: Json,
    etag: str,
    *,
    chosen_on: date | None = None,
    reviewed_on: date = LETTER_SIGNED_ON,
) -> tuple[Json, str]:
    """To stage "committee" (a CRC must be struck): as `to_review` (unless already at
    "review"), then records the other-party review and notifies the table officers."""
    if detail["stage"] != "review":
        detail, etag = await to_review(client, headers, detail, etag, chosen_on=chosen_on)
    _, etag = await record_review(client, headers, detail, etag, reviewed_on)
    _, etag = await notify_table_officers(client, headers, detail, etag)
    return _ok(await client.get(url(detail), headers=headers))
