"""Units, members, the roster (3.1) and training records."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.kit.clock import local_today, utcnow
from ombuds.kit.errors import Conflict, InvalidInput, NotFound, field_error
from ombuds.kit.pagination import cursor_uuid, decode_cursor
from ombuds.models import (
    Member,
    Role,
    RosterSeat,
    SeatTerm,
    TrainingKind,
    TrainingRecord,
    Unit,
    User,
)


async def list_units(db: AsyncSession) -> list[Unit]:
    return list((await db.scalars(select(Unit).order_by(Unit.is_affiliates, Unit.code))).all())


async def create_unit(
    db: AsyncSession, actor: Principal, *, code: str, name: str, is_affiliates: bool
) -> Unit:
    if await db.scalar(select(Unit.id).where(Unit.code == code)) is not None:
        raise Conflict(
            "A Unit with this code exists.",
            errors=[field_error("code", "unique", "already in use")],
        )
    if is_affiliates and await db.scalar(select(Unit.id).where(Unit.is_affiliates)) is not None:
        raise Conflict(
            "The affiliates group exists already.",
            errors=[field_error("is_affiliates", "unique", "only one affiliates group")],
        )
    unit = Unit(code=code, name=name, is_affiliates=is_affiliates)
    db.add(unit)
    await db.flush()
    db.add(RosterSeat(unit_id=unit.id))  # 3.1: every Unit, and the affiliates, has a seat
    await db.flush()
    await audit.record(db, actor, "units.create", "unit", unit.id)
    return unit


async def _require_unit(db: AsyncSession, unit_id: uuid.UUID) -> None:
    if await db.get(Unit, unit_id) is None:
        raise InvalidInput(
            "The Unit does not exist.",
            errors=[field_error("unit_id", "exists", "no Unit with this id")],
        )


async def search_members(
    db: AsyncSession,
    *,
    query: str | None,
    unit_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> list[Member]:
    stmt = select(Member).order_by(Member.full_name, Member.id).limit(limit)
    if query:
        pattern = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(
            or_(
                Member.full_name.ilike(pattern, escape="\\"),
                Member.member_number.ilike(pattern, escape="\\"),
            )
        )
    if unit_id is not None:
        stmt = stmt.where(Member.unit_id == unit_id)
    key = decode_cursor(cursor, 2)
    if key is not None:
        after_id = cursor_uuid(key[1])
        stmt = stmt.where(
            or_(
                Member.full_name > key[0],
                and_(Member.full_name == key[0], Member.id > after_id),
            )
        )
    return list((await db.scalars(stmt)).all())


async def get_member(db: AsyncSession, member_id: uuid.UUID) -> Member:
    member = await db.get(Member, member_id)
    if member is None:
        raise NotFound("No such member.")
    return member


async def create_member(
    db: AsyncSession,
    actor: Principal,
    *,
    member_number: str,
    full_name: str,
    unit_id: uuid.UUID,
    email: str | None,
) -> Member:
    if await db.scalar(select(Member.id).where(Member.member_number == member_number)):
        raise Conflict(
            "A member with this member number exists.",
            errors=[field_error("member_number", "unique", "already in the directory")],
        )
    await _require_unit(db, unit_id)
    member = Member(member_number=member_number, full_name=full_name, unit_id=unit_id, email=email)
    db.add(member)
    await db.flush()
    await audit.record(db, actor, "members.create", "member", member.id)
    return member


async def update_member(
    db: AsyncSession, actor: Principal, member_id: uuid.UUID, changes: dict[str, object]
) -> Member:
    member = await get_member(db, member_id)
    if "unit_id" in changes and isinstance(changes["unit_id"], uuid.UUID):
        await _require_unit(db, changes["unit_id"])
    for name, value in changes.items():
        if name in {"full_name", "unit_id"} and value is None:
            raise InvalidInput(
                f"{name} cannot be cleared.",
                errors=[field_error(name, "required", "cannot be null")],
            )
        setattr(member, name, value)
    member.updated_at = utcnow()
    await db.flush()
    await audit.record(db, actor, "members.update", "member", member.id)
    return member


@dataclass(frozen=True)
class SeatView:
    seat: RosterSeat
    unit: Unit
    term: SeatTerm | None
    holder: User | None
    training: list[TrainingRecord]


def _current(term: SeatTerm, on: date) -> bool:
    return term.starts_on <= on and (term.ends_on is None or term.ends_on >= on)


async def roster(db: AsyncSession, on: date | None = None) -> list[SeatView]:
    """3.1: every seat with its holder on ``on`` (today in Winnipeg), or vacant."""
    on = on or local_today()
    rows = (
        await db.execute(
            select(RosterSeat, Unit)
            .join(Unit, Unit.id == RosterSeat.unit_id)
            .order_by(Unit.is_affiliates, Unit.code)
        )
    ).all()
    terms = (
        await db.execute(
            select(SeatTerm, User)
            .join(User, User.id == SeatTerm.user_id)
            .where(
                SeatTerm.starts_on <= on,
                or_(SeatTerm.ends_on.is_(None), SeatTerm.ends_on >= on),
            )
        )
    ).all()
    by_seat = {term.seat_id: (term, user) for term, user in terms}
    holder_ids = [user.id for _, user in by_seat.values()]
    training = (
        await db.scalars(
            select(TrainingRecord)
            .where(TrainingRecord.user_id.in_(holder_ids))
            .order_by(TrainingRecord.completed_on)
        )
    ).all()
    out = []
    for seat, unit in rows:
        term, holder = by_seat.get(seat.id, (None, None))
        records = [t for t in training if holder is not None and t.user_id == holder.id]
        out.append(SeatView(seat, unit, term, holder, records))
    return out


async def _ombudsperson(db: AsyncSession, user_id: uuid.UUID, *, in_path: bool = False) -> User:
    user = await db.scalar(select(User).where(User.id == user_id).options(selectinload(User.roles)))
    is_ombudsperson = user is not None and Role.ombudsperson in user.role_set
    if in_path and not is_ombudsperson:
        # The path names an ombudsperson: any other id, known or not, names no such thing.
        raise NotFound("No such ombudsperson.")
    if user is None or not is_ombudsperson:
        raise InvalidInput(
            "The user is not an ombudsperson.",
            errors=[field_error("user_id", "ombudsperson", "must hold the ombudsperson role")],
        )
    return user


async def _refuse_overlap(
    db: AsyncSession,
    seat_id: uuid.UUID,
    starts_on: date,
    ends_on: date | None,
    *,
    field: str,
    ignore: uuid.UUID | None = None,
) -> None:
    """One holder per seat at a time (3.1)."""
    stmt = select(SeatTerm.id).where(
        SeatTerm.seat_id == seat_id,
        SeatTerm.starts_on <= (ends_on or date.max),
        or_(SeatTerm.ends_on.is_(None), SeatTerm.ends_on >= starts_on),
    )
    if ignore is not None:
        stmt = stmt.where(SeatTerm.id != ignore)
    if await db.scalar(stmt) is not None:
        raise Conflict(
            "The seat is held by someone else in that period; end that term first.",
            errors=[field_error(field, "no_overlap", "overlaps another term of this seat")],
        )


async def add_term(
    db: AsyncSession,
    actor: Principal,
    seat_id: uuid.UUID,
    *,
    user_id: uuid.UUID,
    starts_on: date,
    ends_on: date | None,
) -> tuple[SeatTerm, User]:
    if await db.get(RosterSeat, seat_id) is None:
        raise NotFound("No such seat.")
    user = await _ombudsperson(db, user_id)
    await _refuse_overlap(db, seat_id, starts_on, ends_on, field="starts_on")
    term = SeatTerm(seat_id=seat_id, user_id=user.id, starts_on=starts_on, ends_on=ends_on)
    db.add(term)
    await db.flush()
    await audit.record(db, actor, "roster.add_term", "seat_term", term.id)
    return term, user


async def end_term(
    db: AsyncSession, actor: Principal, term_id: uuid.UUID, ends_on: date
) -> tuple[SeatTerm, User]:
    row = (
        await db.execute(
            select(SeatTerm, User)
            .join(User, User.id == SeatTerm.user_id)
            .where(SeatTerm.id == term_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("No such term.")
    term, user = row
    if ends_on < term.starts_on:
        raise InvalidInput(
            "A term cannot end before it starts.",
            errors=[field_error("ends_on", "after_start", "must not be before starts_on")],
        )
    await _refuse_overlap(
        db, term.seat_id, term.starts_on, ends_on, field="ends_on", ignore=term.id
    )
    term.ends_on = ends_on
    term.updated_at = utcnow()
    await db.flush()
    await audit.record(db, actor, "roster.end_term", "seat_term", term.id)
    return term, user


async def add_training(
    db: AsyncSession, actor: Principal, user_id: uuid.UUID, kind: TrainingKind, completed_on: date
) -> TrainingRecord:
    await _ombudsperson(db, user_id, in_path=True)
    record = TrainingRecord(user_id=user_id, kind=kind, completed_on=completed_on)
    db.add(record)
    await db.flush()
    await audit.record(db, actor, "training.add", "training_record", record.id)
    return record


async def list_training(db: AsyncSession, user_id: uuid.UUID) -> list[TrainingRecord]:
    await _ombudsperson(db, user_id, in_path=True)
    stmt = select(TrainingRecord).where(TrainingRecord.user_id == user_id)
    return list((await db.scalars(stmt.order_by(TrainingRecord.completed_on))).all())
