"""4.3.1(iv), 4.3.1(v): every field a table officer is ever sent is on an allowlist, and no
name, Unit, circumstance or finding reaches them, however the complaint is handled."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.deadlines import service as deadlines
from ombuds.kit.clock import local_today
from ombuds.models import (
    Closure,
    Complaint,
    DeadlineKind,
    OmbudspersonConflict,
    Role,
    Stage,
    Unit,
    User,
)
from ombuds.settings import Settings
from tests.committees.support import open_case
from tests.factories.accounts import signed_in
from tests.factories.committees import (
    committee_url,
    confirm,
    make_ombudsperson,
    make_staff_resource,
    propose,
    status_etag,
    took_part_informally,
)

STATUS = {
    "id",
    "reference",
    "version",
    "stage",
    "awaiting",
    "crc_to_be_struck",
    "recused_officers",
    "deadlines",
    "deadlines[].kind",
    "deadlines[].due_on",
    "deadlines[].status",
    "deadlines[].overdue",
}
BOARD = {"items", "next_cursor"} | {f"items[].{p}" for p in STATUS}
PROPOSAL = {
    "reference",
    "status",
    "version",
    "seats",
    "seats[].seat",
    "seats[].user_id",
    "seats[].display_name",
    "seats[].available",  # 4.3.1(v): "not available", never why
    "seats[].can_redraw",
    "staff_resource",
    "staff_resource.user_id",
    "staff_resource.display_name",
    "struck_on",
    "discretionary_redraws_left",
}
PROBLEM = {
    "type",
    "title",
    "status",
    "detail",
    "errors",
    "errors[].field",
    "errors[].rule",
    "errors[].message",
    "eligible",
    "needed",
    "stage",
    "allowed_actions",
    "current_version",
}
CANARIES = {
    "complainant": "Canary-Zebra-4411",
    "other_party": "Canary-Okapi-7302",
    "witness0": "Canary-Heron-1958",
    "unit": "Canary-Unit-Lynx-2290",
    "what": "Canary-Incident-Walrus-6634",
    "location": "Canary-Place-Marmot-8147",
    "resolution": "Canary-Remedy-Ibis-5521",
    "intake": "Canary-Intake-Tapir-3375",
    "informal": "Canary-Informal-Quokka-9013",
    "conflicted": "Canary-Conflicted-Bison-4826",
    "party_ombudsperson": "Canary-PartyOmbuds-Gecko-1187",
    "untrained": "Canary-Untrained-Wombat-6402",
}


def paths(value: Any, prefix: str = "") -> set[str]:
    """Every key of a JSON document, recursively, as dotted paths (`[]` for list items)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            path = f"{prefix}.{key}" if prefix else key
            found |= {path} | paths(inner, path)
    elif isinstance(value, list):
        for inner in value:
            found |= paths(inner, f"{prefix}[]")
    return found


async def canary_case(
    client: httpx.AsyncClient,
    db: AsyncSession,
    passwords: Passwords,
    settings: Settings,
    *,
    pool: bool = True,
) -> str:
    """A complaint whose every name and circumstance is a canary, at stage `committee`,
    with a deadline; with ``pool``, canary ombudspersons excluded from its CRC, four
    eligible ones and a staff resource."""
    body = {
        "incidents": [
            {
                "what": CANARIES["what"],
                "occurred_on": "2019-03-14",
                "location": CANARIES["location"],
                "categories": ["displays"],
            }
        ],
        "resolution_sought": CANARIES["resolution"],
        "grounds": ["religion"],
        "received_on": "2019-03-20",
    }
    case = await open_case(client, db, passwords, names=CANARIES, **body)
    unit = await db.get(Unit, case.unit.id)
    intake = await db.get(User, case.intake.id)
    assert unit is not None and intake is not None
    unit.name, intake.display_name = CANARIES["unit"], CANARIES["intake"]
    await db.commit()
    cid = uuid.UUID(case.id)
    await deadlines.open_after_days(
        db, settings, cid, DeadlineKind.written_response, local_today(), 14
    )
    await db.commit()
    if not pool:
        return case.id
    informal = await make_ombudsperson(db, passwords, name=CANARIES["informal"])
    await took_part_informally(db, case.id, informal)
    conflicted = await make_ombudsperson(db, passwords, name=CANARIES["conflicted"])
    db.add(OmbudspersonConflict(complaint_id=cid, user_id=conflicted.id))
    await make_ombudsperson(
        db, passwords, name=CANARIES["party_ombudsperson"], member=case.other_party
    )
    await make_ombudsperson(db, passwords, name=CANARIES["untrained"], trained=False)
    for n in range(4):
        await make_ombudsperson(db, passwords, name=f"Panel candidate {n}")
    await make_staff_resource(db, passwords, name="Staff candidate")
    await db.commit()
    return case.id


async def officer_responses(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
) -> list[tuple[str, httpx.Response]]:
    """Everything a table officer can ask about the canary complaint, in order."""
    complaint_id = await canary_case(client, db, passwords, settings)
    closed_id = await canary_case(client, db, passwords, settings, pool=False)
    closed = await db.get(Complaint, uuid.UUID(closed_id), populate_existing=True)
    assert closed is not None
    closed.stage, closed.closure = Stage.closed, Closure.dismissed
    await db.commit()
    _, headers = await signed_in(db, passwords, client, Role.table_officer)
    seen: list[tuple[str, httpx.Response]] = []

    async def ask(kind: str, response: httpx.Response) -> httpx.Response:
        seen.append((kind, response))
        return response

    await ask("board", await client.get("/api/status", headers=headers))
    await ask("board", await client.get("/api/status?include_closed=true", headers=headers))
    await ask("status", await client.get(f"/api/status/{complaint_id}", headers=headers))
    await ask("status", await client.get(f"/api/status/{closed_id}", headers=headers))
    etag = await status_etag(client, headers, complaint_id)
    await ask("problem", await client.get(committee_url(complaint_id), headers=headers))
    proposed = await ask("proposal", await propose(client, headers, complaint_id, etag))
    etag = proposed.headers["ETag"]
    await ask("proposal", await client.get(committee_url(complaint_id), headers=headers))
    redraw = committee_url(complaint_id, "proposal/seats/3/redraw")
    redrawn = await ask(
        "proposal", await client.post(redraw, headers={**headers, "If-Match": etag})
    )
    etag, version = redrawn.headers["ETag"], redrawn.json()["version"]
    await ask("problem", await confirm(client, headers, complaint_id, etag, version - 1))
    await ask("proposal", await confirm(client, headers, complaint_id, etag, version))
    await ask("status", await client.get(f"/api/status/{complaint_id}", headers=headers))
    await ask("problem", await propose(client, headers, closed_id, "x"))
    await ask("problem", await propose(client, headers, complaint_id, "x"))
    # Exhaust the pool on a fresh complaint: the refusal says numbers only.
    short_id = await canary_case(client, db, passwords, settings, pool=False)
    spared = {s["user_id"] for s in redrawn.json()["seats"][:2]}
    for user_id in (await db.scalars(select(User.id))).all():
        if str(user_id) not in spared:
            db.add(OmbudspersonConflict(complaint_id=uuid.UUID(short_id), user_id=user_id))
    await db.commit()
    etag = await status_etag(client, headers, short_id)
    short = await ask("problem", await propose(client, headers, short_id, etag))
    assert (short.status_code, short.json()["eligible"]) == (409, 2), short.text
    return seen


class TestWhatOfficersSee:
    @pytest.mark.clause("4.3.1(iv)")
    async def test_every_field_is_on_the_allowlist(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        allowed = {"board": BOARD, "status": STATUS, "proposal": PROPOSAL, "problem": PROBLEM}
        walked: dict[str, set[str]] = {kind: set() for kind in allowed}
        for kind, response in await officer_responses(client, db, passwords, settings):
            assert (kind == "problem") == (response.status_code >= 400), response.text
            keys = paths(response.json())
            assert keys <= allowed[kind], (kind, keys - allowed[kind])
            walked[kind] |= keys
        # The walk reached into every nested list, so it could have found a stray key.
        assert {
            "items[].deadlines[].due_on",
            "deadlines[].overdue",
            "seats[].user_id",
            "staff_resource.display_name",
            "errors[].rule",
        } <= set().union(*walked.values())

    @pytest.mark.clause("4.3.1(iv)")
    @pytest.mark.clause("4.3.1(v)")
    async def test_no_name_or_circumstance_reaches_an_officer(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        responses = await officer_responses(client, db, passwords, settings)
        assert len(responses) == 14
        for _, response in responses:
            headers = " ".join(f"{k}: {v}" for k, v in response.headers.items())
            for canary in CANARIES.values():
                assert canary not in response.text
                assert canary not in headers
            for secret in ("dismissed", "religion", "displays", "2019-03-14", "2019-03-20"):
                assert secret not in response.text
