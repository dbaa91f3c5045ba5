"""A complaint at the CRC's investigation with its three kinds of people in the portal,
each with a planted name, for the tests of what each party sees (issue 16, item 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import ComplaintPerson, PartyRole
from ombuds.settings import Settings
from tests.factories.investigation import (
    Case,
    OtherPartyResponse,
    at_investigation,
    refresh_etag,
)
from tests.portal.support import PASSPHRASE, bearer, token_of

ROLES = ("complainant", "other_party", "witness")
CANARIES = {
    "complainant": "Zephyrine Quillfeather",
    "other_party": "Bartholomew Okonkwo-Vance",
    "witness": "Ottoline Marchbanks",
}


@dataclass
class PortalCase:
    case: Case
    people: dict[str, str]  # role -> person id
    parties: dict[str, dict[str, str]] = field(default_factory=dict)  # role -> headers

    def __getitem__(self, role: str) -> dict[str, str]:
        return self.parties[role]


async def portal_case(
    client: httpx.AsyncClient,
    db: AsyncSession,
    passwords: Passwords,
    settings: Settings,
    *,
    struck_on: date | None = None,
    response: OtherPartyResponse = "asked",
    roles: tuple[str, ...] = ROLES,
) -> PortalCase:
    """At stage investigation, the other party asked to respond (no response yet unless
    ``response="responded"``); a witness added; everyone's name a canary; ``roles``
    invited to the portal and signed in."""
    case = await at_investigation(
        client, db, passwords, settings, struck_on=struck_on, response=response
    )
    case.complainant.full_name = CANARIES["complainant"]
    case.other_party.full_name = CANARIES["other_party"]
    db.add(
        ComplaintPerson(
            complaint_id=case.id,
            role=PartyRole.witness,
            full_name=CANARIES["witness"],
            contact=f"{CANARIES['witness']} <ottoline@example.org>",
        )
    )
    await db.commit()
    rows = await db.execute(
        select(ComplaintPerson.role, ComplaintPerson.id).where(
            ComplaintPerson.complaint_id == case.id
        )
    )
    people = {role.value: str(pid) for role, pid in rows.all()}
    pc = PortalCase(case, people)
    for role in roles:
        pc.parties[role] = await sign_in_party(client, pc, role)
    await refresh_etag(db, case)
    return pc


async def sign_in_party(client: httpx.AsyncClient, pc: PortalCase, role: str) -> dict[str, str]:
    r = await client.post(
        f"{pc.case.url}/portal-invitations",
        json={"person_id": pc.people[role]},
        headers=pc.case.intake.headers,
    )
    assert r.status_code == 201, r.text
    made = r.json()
    body = {"token": token_of(made["link"]), "code": made["access_code"], "passphrase": PASSPHRASE}
    r = await client.post("/api/portal/redeem", json=body)
    assert r.status_code == 200, r.text
    return bearer(r.json()["access_token"])


async def view(client: httpx.AsyncClient, headers: dict[str, str]) -> Any:
    r = await client.get("/api/portal/complaint", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def canaries_in(text: str) -> list[str]:
    """Any planted name, whole or in part, in a response's text."""
    found = []
    for name in CANARIES.values():
        if any(part in text for part in name.replace("-", " ").split()):
            found.append(name)
    return found
