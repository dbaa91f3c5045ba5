"""A complaint at stage `committee` with its people, shared by the CRC and status tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import (
    Base,
    Committee,
    CommitteeExclusion,
    CommitteeMember,
    CommitteeStatus,
    Member,
    OmbudspersonConflict,
    Role,
    Stage,
    Unit,
    User,
)
from tests.factories.accounts import signed_in
from tests.factories.committees import (
    arrange_at_stage,
    make_ombudsperson,
    make_staff_resource,
    took_part_informally,
)
from tests.factories.complaints import complaint_body, file_complaint, person
from tests.factories.directory import make_member, make_unit

PROBLEM = "application/problem+json"


@dataclass
class Case:
    id: str
    reference: str
    unit: Unit
    complainant: Member
    other_party: Member
    witnesses: list[Member]
    intake: User
    intake_headers: dict[str, str]

    @property
    def witness(self) -> Member:
        return self.witnesses[0]


async def open_case(
    client: httpx.AsyncClient,
    db: AsyncSession,
    passwords: Passwords,
    *,
    stage: Stage | None = Stage.committee,
    names: dict[str, str] | None = None,
    witnesses: int = 1,
    **body_overrides: Any,
) -> Case:
    """A complaint filed over HTTP by a fresh intake ombudsperson, then put at ``stage``
    (None: left at intake, the table officers not yet told)."""
    names = names or {}
    unit = await make_unit(db)
    complainant = await make_member(db, unit, name=names.get("complainant"))
    other_party = await make_member(db, unit, name=names.get("other_party"))
    witness_members = [
        await make_member(db, unit, name=names.get(f"witness{i}")) for i in range(witnesses)
    ]
    intake, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    body = complaint_body(
        complainant, other_party, witnesses=[person(w) for w in witness_members], **body_overrides
    )
    detail, _ = await file_complaint(client, headers, body)
    if stage is not None:
        await arrange_at_stage(db, detail["id"], stage=stage)
    return Case(
        detail["id"],
        detail["reference"],
        unit,
        complainant,
        other_party,
        witness_members,
        intake,
        headers,
    )


async def eligible_pool(db: AsyncSession, passwords: Passwords, n: int) -> list[User]:
    return [await make_ombudsperson(db, passwords) for _ in range(n)]


async def ready_to_strike(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, *, pool: int = 3
) -> tuple[Case, list[User], User]:
    """A complaint at stage `committee`, ``pool`` eligible ombudspersons and one eligible
    staff resource."""
    case = await open_case(client, db, passwords)
    ombudspersons = await eligible_pool(db, passwords, pool)
    staff = await make_staff_resource(db, passwords)
    return case, ombudspersons, staff


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with ``status``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def error_fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in body.get("errors", [])]


async def count(db: AsyncSession, model: type[Base], *where: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def seat_ids(proposal: dict[str, Any]) -> set[str]:
    return {s["user_id"] for s in proposal["seats"]}


async def officer(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> dict[str, str]:
    _, headers = await signed_in(db, passwords, client, Role.table_officer)
    return headers


async def excluded_crowd(db: AsyncSession, passwords: Passwords, case: Case) -> list[User]:
    """One ombudsperson for each reason of 4.3.1(v) (the intake ombudsperson is another)."""
    informal = await make_ombudsperson(db, passwords, name="Excluded informal")
    await took_part_informally(db, case.id, informal)
    conflicted = await make_ombudsperson(db, passwords, name="Excluded conflicted")
    db.add(OmbudspersonConflict(complaint_id=uuid.UUID(case.id), user_id=conflicted.id))
    await db.commit()
    return [
        informal,
        conflicted,
        await make_ombudsperson(db, passwords, name="Excluded party", member=case.other_party),
        await make_ombudsperson(db, passwords, name="Excluded witness", member=case.witness),
        await make_ombudsperson(db, passwords, name="Excluded inactive", active=False),
        await make_ombudsperson(db, passwords, name="Excluded untrained", trained=False),
        await make_ombudsperson(db, passwords, name="Excluded seatless", seated=False),
    ]


async def nothing_saved(db: AsyncSession) -> bool:
    return (
        await count(db, Committee),
        await count(db, CommitteeMember),
        await count(db, CommitteeExclusion),
    ) == (0, 0, 0)


async def confirmed_crc(
    db: AsyncSession, complaint_id: str, *members: User, staff: User | None = None
) -> None:
    """A confirmed committee on another complaint, to give ``members`` a current seat."""
    committee = Committee(
        complaint_id=uuid.UUID(complaint_id),
        status=CommitteeStatus.confirmed,
        proposed_by=members[0].id,
        staff_resource_id=staff.id if staff else None,
    )
    db.add(committee)
    await db.flush()
    db.add_all(
        CommitteeMember(committee_id=committee.id, seat=i, user_id=m.id)
        for i, m in enumerate(members, start=1)
    )
    await db.commit()
