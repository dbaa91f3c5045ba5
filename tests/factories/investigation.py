"""Complaints at the CRC's investigation (4.3.1(vi)) and after, for tests.

`at_investigation` arranges, through the database, what the formal steps (letter, notice
to the table officers, striking the CRC) will produce; the helpers after it drive the
investigation's own steps over HTTP, as the CRC would, so later stages can reuse them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.complaints import access, stages
from ombuds.deadlines import service as deadlines
from ombuds.kit.clock import local_today
from ombuds.models import (
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    DeadlineKind,
    FormalRoute,
    Member,
    Role,
    Stage,
    Unit,
    User,
)
from ombuds.settings import Settings
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint
from tests.factories.directory import make_member, make_unit

OtherPartyResponse = Literal["responded", "asked", "not_asked"]


@dataclass(frozen=True)
class Actor:
    user: User
    headers: dict[str, str]


@dataclass
class Case:
    """A complaint and the people around it; `etag` follows every change made through
    the helpers below (call `refresh_etag` after changing the database directly)."""

    id: uuid.UUID
    etag: str
    unit: Unit
    complainant: Member
    other_party: Member
    intake: Actor
    crc: list[Actor]
    staff: Actor
    officer: Actor  # the table officer who struck the CRC; not recused
    struck_on: date
    stale: str = ""  # the ETag before the last change through `took`

    @property
    def url(self) -> str:
        return f"/api/complaints/{self.id}"

    @property
    def status_url(self) -> str:
        return f"/api/status/{self.id}"

    def change(self, actor: Actor) -> dict[str, str]:
        """The actor's headers with the complaint's current ETag."""
        return {**actor.headers, "If-Match": self.etag}

    def stale_change(self, actor: Actor) -> dict[str, str]:
        """The actor's headers with an ETag someone else's change has made stale."""
        assert self.stale and self.stale != self.etag
        return {**actor.headers, "If-Match": self.stale}

    def took(self, response: httpx.Response) -> httpx.Response:
        """Follow the ETag of a successful change."""
        etag = response.headers.get("ETag")
        if response.is_success and etag and etag != self.etag:
            self.stale, self.etag = self.etag, etag
        return response


async def reload(db: AsyncSession, complaint_id: uuid.UUID) -> Complaint:
    """The complaint as the database now holds it."""
    complaint = await db.scalar(
        select(Complaint)
        .where(Complaint.id == complaint_id)
        .execution_options(populate_existing=True)
    )
    assert complaint is not None
    return complaint


async def refresh_etag(db: AsyncSession, case: Case) -> str:
    case.etag = access.etag(await reload(db, case.id))
    return case.etag


async def make_actor(
    db: AsyncSession,
    passwords: Passwords,
    client: httpx.AsyncClient,
    role: Role,
    *,
    member: Member | None = None,
) -> Actor:
    user, headers = await signed_in(db, passwords, client, role, member=member)
    return Actor(user, headers)


async def at_investigation(
    client: httpx.AsyncClient,
    db: AsyncSession,
    passwords: Passwords,
    settings: Settings,
    *,
    struck_on: date | None = None,
    response: OtherPartyResponse = "responded",
) -> Case:
    """A complaint on the Local 500 procedure (4.3.1), table officers notified (4.3.1(iii)),
    a confirmed CRC of three ombudspersons and a staff resource struck on ``struck_on``
    (4.3.1(v)), its report deadline open (4.3.1(vi)), at stage ``investigation``.

    The other party (4.3.1(ii)) was asked to respond five days before the CRC was struck
    and answered two days later (``response="responded"``), or was asked and no response
    is recorded (``"asked"``), or was never asked (``"not_asked"``)."""
    struck_on = struck_on or local_today() - timedelta(days=10)
    unit = await make_unit(db)
    complainant, other_party = await make_member(db, unit), await make_member(db, unit)
    intake = await make_actor(db, passwords, client, Role.ombudsperson)
    detail, _ = await file_complaint(
        client, intake.headers, complaint_body(complainant, other_party)
    )
    crc = [await make_actor(db, passwords, client, Role.ombudsperson) for _ in range(3)]
    staff = await make_actor(db, passwords, client, Role.staff_resource)
    officer = await make_actor(db, passwords, client, Role.table_officer)

    complaint = await reload(db, uuid.UUID(detail["id"]))
    complaint.formal_route = FormalRoute.local_500_procedure
    complaint.formal_route_chosen_on = struck_on - timedelta(days=7)
    complaint.table_officers_notified_on = struck_on - timedelta(days=2)
    committee = Committee(
        complaint_id=complaint.id,
        status=CommitteeStatus.confirmed,
        staff_resource_id=staff.user.id,
        proposed_by=officer.user.id,
        confirmed_by=officer.user.id,
        struck_on=struck_on,
    )
    db.add(committee)
    await db.flush()
    db.add_all(
        CommitteeMember(committee_id=committee.id, seat=seat, user_id=member.user.id)
        for seat, member in enumerate(crc, start=1)
    )
    if response != "not_asked":
        complaint.other_party_reviewed_on = struck_on - timedelta(days=5)
        await deadlines.open_after_days(
            db,
            settings,
            complaint.id,
            DeadlineKind.written_response,
            complaint.other_party_reviewed_on,
            settings.response_period_days,
        )
    if response == "responded":
        complaint.response_received_on = struck_on - timedelta(days=3)
        complaint.response_text = "I deny the comments were about age."
        await deadlines.satisfy(
            db, complaint.id, DeadlineKind.written_response, complaint.response_received_on
        )
    await deadlines.open_after_days(
        db,
        settings,
        complaint.id,
        DeadlineKind.crc_report,
        struck_on,
        settings.crc_report_target_days,
    )
    await stages.move(db, complaint, Stage.investigation, officer.user.id)
    await db.commit()
    return Case(
        id=complaint.id,
        etag=access.etag(await reload(db, complaint.id)),
        unit=unit,
        complainant=complainant,
        other_party=other_party,
        intake=intake,
        crc=crc,
        staff=staff,
        officer=officer,
        struck_on=struck_on,
    )


def today() -> str:
    return local_today().isoformat()


async def record_entry(
    client: httpx.AsyncClient,
    case: Case,
    *,
    by: Actor | None = None,
    kind: str = "complainant_interview",
    occurred_on: str | None = None,
) -> dict[str, Any]:
    """4.3.1(vi): one step of the investigation, recorded by a CRC member."""
    response = case.took(
        await client.post(
            f"{case.url}/investigation",
            headers=case.change(by or case.crc[0]),
            json={
                "kind": kind,
                "occurred_on": occurred_on or today(),
                "notes": "Met the member-complainant; account consistent with the letter.",
            },
        )
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def record_findings(
    client: httpx.AsyncClient,
    case: Case,
    *,
    finding: str = "harassment_found",
    findings_on: str | None = None,
) -> dict[str, Any]:
    """4.3.1(viii): the CRC's findings; the complaint moves to ``conclusions``."""
    response = case.took(
        await client.post(
            f"{case.url}/findings",
            headers=case.change(case.crc[0]),
            json={
                "finding": finding,
                "findings_text": "The comments were demeaning and unwelcome.",
                "findings_on": findings_on or today(),
            },
        )
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def add_recommendation(
    client: httpx.AsyncClient, case: Case, *, kind: str = "apology", text: str | None = None
) -> dict[str, Any]:
    response = case.took(
        await client.post(
            f"{case.url}/recommendations",
            headers=case.change(case.crc[0]),
            json={"kind": kind, "text": text or "A written apology to the member-complainant."},
        )
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def disclose(
    client: httpx.AsyncClient, case: Case, *, reason: str = "Corrective action (4.3.1(viii))"
) -> dict[str, Any]:
    """5.1: hand the undisclosed recommendations to the table officers not recused."""
    response = case.took(
        await client.post(
            f"{case.url}/recommendations/disclose",
            headers=case.change(case.crc[0]),
            json={"reason": reason},
        )
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def tell(
    client: httpx.AsyncClient,
    case: Case,
    party: str,
    *,
    told_on: str | None = None,
    method: str = "in_person",
) -> dict[str, Any]:
    """4.3.1(ix): a party told the conclusions (the member-complainant first)."""
    response = case.took(
        await client.post(
            f"{case.url}/conclusions/told",
            headers=case.change(case.crc[0]),
            json={"party": party, "told_on": told_on or today(), "method": method},
        )
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def at_conclusions(
    client: httpx.AsyncClient,
    db: AsyncSession,
    passwords: Passwords,
    settings: Settings,
    *,
    found: bool = True,
    recommendations: int = 1,
) -> Case:
    """A complaint investigated and found (with ``recommendations`` made) or dismissed."""
    case = await at_investigation(client, db, passwords, settings)
    await record_entry(client, case)
    await record_findings(
        client, case, finding="harassment_found" if found else "harassment_not_found"
    )
    if found:
        for _ in range(recommendations):
            await add_recommendation(client, case)
    return case


async def told_both(client: httpx.AsyncClient, case: Case) -> None:
    await tell(client, case, "complainant")
    await tell(client, case, "other_party")


async def tell_owed_notices(client: httpx.AsyncClient, case: Case) -> None:
    """4.3.1(vii): record every notice still owed to a party as told, as the CRC would."""
    listed = await client.get(f"{case.url}/party-notices", headers=case.crc[0].headers)
    assert listed.status_code == 200, listed.text
    for notice in listed.json():
        if notice["owed"]:
            response = case.took(
                await client.post(
                    f"{case.url}/party-notices/{notice['id']}/told",
                    headers=case.change(case.crc[0]),
                    json={"told_on": today(), "method": "letter"},
                )
            )
            assert response.status_code == 200, response.text


async def at_closed(
    client: httpx.AsyncClient,
    db: AsyncSession,
    passwords: Passwords,
    settings: Settings,
    *,
    found: bool = True,
) -> Case:
    """Investigated, concluded or dismissed, both parties told, recommendations handed
    over, and closed."""
    case = await at_conclusions(client, db, passwords, settings, found=found)
    if found:
        await disclose(client, case)
    await told_both(client, case)
    await tell_owed_notices(client, case)
    response = case.took(await client.post(f"{case.url}/close", headers=case.change(case.crc[0])))
    assert response.status_code == 200, response.text
    return case
