"""Units and members for tests."""

from __future__ import annotations

import itertools

from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import Member, RosterSeat, Unit

_seq = itertools.count(1)


async def make_unit(db: AsyncSession, *, code: str | None = None, affiliates: bool = False) -> Unit:
    n = next(_seq)
    unit = Unit(code=code or f"T{n}", name=f"Test Unit {n}", is_affiliates=affiliates)
    db.add(unit)
    await db.flush()
    db.add(RosterSeat(unit_id=unit.id))
    await db.commit()
    return unit


async def make_member(db: AsyncSession, unit: Unit, *, name: str | None = None) -> Member:
    n = next(_seq)
    member = Member(
        member_number=f"M-{n:05d}",
        full_name=name or f"Test Member {n}",
        unit_id=unit.id,
        email=f"m{n}@example.org",
    )
    db.add(member)
    await db.commit()
    return member
