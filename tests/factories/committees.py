"""Ombudspersons, staff resources and the Complaint Review Committee (4.3.1(v)) for tests.

`strike_committee` drives the table officers' steps over HTTP, so later stages can be
reached from a complaint at stage `committee`."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    Complaint,
    FormalRoute,
    InformalAttempt,
    InformalMethod,
    InformalOutcome,
    InformalParticipant,
    Member,
    Role,
    RosterSeat,
    SeatTerm,
    StaffResourceKind,
    Stage,
    TrainingKind,
    TrainingRecord,
    User,
)
from tests.factories.accounts import make_user
from tests.factories.directory import make_unit

SAO = StaffResourceKind.special_assignments_officer


async def make_ombudsperson(
    db: AsyncSession,
    passwords: Passwords,
    *,
    name: str | None = None,
    member: Member | None = None,
    trained: bool = True,
    seated: bool = True,
    active: bool = True,
    seat_from: date | None = None,
    seat_until: date | None = None,
) -> User:
    """An ombudsperson; by default eligible for any CRC: comprehensive training and a
    current seat on the roster (a Unit of their own)."""
    user = await make_user(db, passwords, Role.ombudsperson, member=member, active=active)
    user.display_name = name or f"Ombudsperson {user.username}"
    today = local_today()
    if seated:
        unit = await make_unit(db)
        seat_id = await db.scalar(select(RosterSeat.id).where(RosterSeat.unit_id == unit.id))
        assert seat_id is not None
        db.add(
            SeatTerm(
                seat_id=seat_id,
                user_id=user.id,
                starts_on=seat_from or today - timedelta(days=365),
                ends_on=seat_until,
            )
        )
    if trained:
        db.add(
            TrainingRecord(
                user_id=user.id,
                kind=TrainingKind.comprehensive,
                completed_on=today - timedelta(days=30),
            )
        )
    await db.commit()
    return user


async def make_staff_resource(
    db: AsyncSession,
    passwords: Passwords,
    *,
    kind: StaffResourceKind | None = SAO,
    name: str | None = None,
    member: Member | None = None,
    active: bool = True,
) -> User:
    """A staff resource; ``kind=None`` makes one of no allowed kind."""
    user = await make_user(
        db, passwords, Role.staff_resource, member=member, staff_kind=kind or SAO, active=active
    )
    user.staff_resource_kind = kind
    user.display_name = name or f"Staff resource {user.username}"
    await db.commit()
    return user


async def arrange_at_stage(
    db: AsyncSession,
    complaint_id: str | uuid.UUID,
    *,
    stage: Stage = Stage.committee,
    notified_on: date | None = None,
) -> None:
    """Put a complaint where the table officers were told a CRC must be struck (4.3.1(iii)),
    or any later ``stage``, directly in the database."""
    complaint = await db.get(Complaint, uuid.UUID(str(complaint_id)), populate_existing=True)
    assert complaint is not None
    complaint.stage = stage
    complaint.formal_route = FormalRoute.local_500_procedure
    complaint.formal_route_chosen_on = complaint.received_on
    complaint.table_officers_notified_on = notified_on or local_today()
    await db.commit()


async def took_part_informally(
    db: AsyncSession, complaint_id: str | uuid.UUID, *users: User
) -> None:
    """4.2.1: an informal attempt in which ``users`` took part."""
    cid = uuid.UUID(str(complaint_id))
    attempt = InformalAttempt(
        complaint_id=cid,
        method=InformalMethod.shuttle_discussion,
        held_on=local_today(),
        proposal="A proposed resolution",
        outcome=InformalOutcome.failed,
    )
    db.add(attempt)
    await db.flush()
    db.add_all(
        InformalParticipant(attempt_id=attempt.id, user_id=u.id, complaint_id=cid) for u in users
    )
    await db.commit()


async def status_etag(
    client: httpx.AsyncClient, headers: dict[str, str], complaint_id: str | uuid.UUID
) -> str:
    response = await client.get(f"/api/status/{complaint_id}", headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["ETag"]


def committee_url(complaint_id: str | uuid.UUID, step: str = "proposal") -> str:
    return f"/api/status/{complaint_id}/committee/{step}"


async def propose(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    complaint_id: str | uuid.UUID,
    etag: str,
    *,
    staff_resource_id: uuid.UUID | None = None,
) -> httpx.Response:
    body = {"staff_resource_id": str(staff_resource_id)} if staff_resource_id else None
    return await client.post(
        committee_url(complaint_id), json=body, headers={**headers, "If-Match": etag}
    )


async def propose_ok(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    complaint_id: str | uuid.UUID,
    etag: str | None = None,
    **kwargs: Any,
) -> tuple[dict[str, Any], str]:
    """A proposal, as the officer sees it, and the complaint's new ETag."""
    etag = etag or await status_etag(client, headers, complaint_id)
    response = await propose(client, headers, complaint_id, etag, **kwargs)
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


async def confirm(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    complaint_id: str | uuid.UUID,
    etag: str,
    proposal_version: int,
) -> httpx.Response:
    return await client.post(
        committee_url(complaint_id, "confirm"),
        json={"proposal_version": proposal_version},
        headers={**headers, "If-Match": etag},
    )


async def strike_committee(
    client: httpx.AsyncClient, officer_headers: dict[str, str], complaint_id: str | uuid.UUID
) -> tuple[dict[str, Any], str]:
    """Propose and confirm a CRC as a table officer: the complaint moves to investigation.
    Needs settings.crc_size eligible ombudspersons and an eligible staff resource."""
    proposal, etag = await propose_ok(client, officer_headers, complaint_id)
    response = await confirm(client, officer_headers, complaint_id, etag, proposal["version"])
    assert response.status_code == 200, response.text
    return response.json(), response.headers["ETag"]


async def my_proposals(
    client: httpx.AsyncClient, headers: dict[str, str], **params: Any
) -> dict[str, Any]:
    """The proposed panels the caller is drawn on (4.3.1(v)), one page."""
    response = await client.get("/api/committee-proposals", params=params, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body
