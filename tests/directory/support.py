"""Small helpers shared by the directory tests."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.kit.clock import local_today
from ombuds.models import (
    Base,
    Member,
    Role,
    RosterSeat,
    SeatTerm,
    TrainingKind,
    TrainingRecord,
    Unit,
    User,
)

PROBLEM = "application/problem+json"
NOT_ADMINISTRATORS = [Role.ombudsperson, Role.table_officer, Role.staff_resource]
ROSTER_READERS = [Role.administrator, Role.ombudsperson, Role.table_officer]


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """Assert ``response`` is an RFC 9457 problem with ``status``; return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    return body


def error_fields(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in body.get("errors", [])]


async def count(db: AsyncSession, model: type[Base]) -> int:
    return int(await db.scalar(select(func.count()).select_from(model)) or 0)


# --- members -------------------------------------------------------------------------

MemberRow = tuple[str, str, str | None]
HEADER = "member_number,full_name,unit_code,email\n"
GOOD_FILE = (
    HEADER
    + "1001,Ada Lovelace,U1,ada@example.org\n"
    + "1002,Grace Hopper,U2,\n"
    + "1003,Alan Turing,U1,alan@example.org\n"
)
GOOD_MEMBERS: dict[str, MemberRow] = {
    "1001": ("Ada Lovelace", "U1", "ada@example.org"),
    "1002": ("Grace Hopper", "U2", None),
    "1003": ("Alan Turing", "U1", "alan@example.org"),
}


async def members_by_number(db: AsyncSession) -> dict[str, MemberRow]:
    """member_number -> (full_name, Unit code, email), read fresh from the database."""
    rows = await db.execute(
        select(Member.member_number, Member.full_name, Unit.code, Member.email).join(
            Unit, Unit.id == Member.unit_id
        )
    )
    return {number: (name, code, email) for number, name, code, email in rows}


# --- the roster (3.1) --------------------------------------------------------------


def days(n: int) -> date:
    """``n`` days from today in Winnipeg, where the Local is."""
    return local_today() + timedelta(days=n)


async def seat_id(db: AsyncSession, unit_id: uuid.UUID) -> uuid.UUID:
    found = await db.scalar(select(RosterSeat.id).where(RosterSeat.unit_id == unit_id))
    assert found is not None
    return found


async def seat_term(
    db: AsyncSession, unit: Unit, user: User, starts_on: date, ends_on: date | None = None
) -> SeatTerm:
    term = SeatTerm(
        seat_id=await seat_id(db, unit.id), user_id=user.id, starts_on=starts_on, ends_on=ends_on
    )
    db.add(term)
    await db.commit()
    return term


async def seat_terms(db: AsyncSession) -> list[tuple[Any, ...]]:
    """(seat_id, user_id, starts_on, ends_on) of every term, read fresh."""
    rows = await db.execute(
        select(SeatTerm.seat_id, SeatTerm.user_id, SeatTerm.starts_on, SeatTerm.ends_on).order_by(
            SeatTerm.starts_on
        )
    )
    return [tuple(r) for r in rows]


async def training_record(
    db: AsyncSession, user: User, kind: TrainingKind, on: date
) -> TrainingRecord:
    record = TrainingRecord(user_id=user.id, kind=kind, completed_on=on)
    db.add(record)
    await db.commit()
    return record


async def get_roster(client: httpx.AsyncClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/api/roster", headers=headers)
    assert response.status_code == 200, response.text
    seats: list[dict[str, Any]] = response.json()
    return seats


def seat_of(roster: list[dict[str, Any]], unit: Unit) -> dict[str, Any]:
    (seat,) = [s for s in roster if s["unit"]["id"] == str(unit.id)]
    return seat
