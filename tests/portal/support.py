"""A complaint with its three kinds of people, its ombudsperson, and the portal's steps
driven through the HTTP API as the ombudsperson and the party would."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Role
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint, person
from tests.factories.directory import make_member, make_unit

PASSPHRASE = "a long passphrase for the portal"


@dataclass
class Case:
    id: str
    reference: str
    staff: dict[str, str]  # the intake ombudsperson's headers
    people: dict[str, str]  # role -> person id

    @property
    def url(self) -> str:
        return f"/api/complaints/{self.id}"


async def open_case(db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient) -> Case:
    unit = await make_unit(db)
    complainant, other = await make_member(db, unit), await make_member(db, unit)
    await db.commit()
    _, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    body = complaint_body(complainant, other, witnesses=[person(name="A Witness")])
    detail, _ = await file_complaint(client, headers, body)
    people = {p["role"]: p["id"] for p in detail["people"]}
    return Case(detail["id"], detail["reference"], headers, people)


async def invite(client: httpx.AsyncClient, case: Case, role: str = "other_party") -> Any:
    r = await client.post(
        f"{case.url}/portal-invitations", json={"person_id": case.people[role]}, headers=case.staff
    )
    assert r.status_code == 201, r.text
    return r.json()


def token_of(link: str) -> str:
    return link.split("#", 1)[1]


async def redeem(
    client: httpx.AsyncClient,
    invitation: Any,
    *,
    code: str | None = None,
    passphrase: str = PASSPHRASE,
) -> httpx.Response:
    body = {
        "token": token_of(invitation["link"]),
        "code": invitation["access_code"] if code is None else code,
        "passphrase": passphrase,
    }
    return await client.post("/api/portal/redeem", json=body)


async def party_in(client: httpx.AsyncClient, case: Case, role: str = "other_party") -> Any:
    """Invited and redeemed: the redemption's answer (token, sign-in id)."""
    r = await redeem(client, await invite(client, case, role))
    assert r.status_code == 200, r.text
    return r.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_in(
    client: httpx.AsyncClient, sign_in_id: str, passphrase: str = PASSPHRASE
) -> httpx.Response:
    body = {"sign_in_id": sign_in_id, "passphrase": passphrase}
    return await client.post("/api/portal/sign-in", json=body)


def refused(r: httpx.Response) -> bool:
    """The portal's one refusal: 401, the same words whatever was wrong."""
    return (
        r.status_code == 401
        and r.headers["content-type"] == "application/problem+json"
        and r.json()["type"].endswith("/portal-access-refused")
    )
