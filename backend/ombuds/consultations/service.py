"""Recording and reading confidential consultations (4.1); every read is audited (5.1)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.consultations.access import own, own_consultations
from ombuds.consultations.schemas import ConsultationCreate
from ombuds.kit.clock import local_today
from ombuds.kit.errors import InvalidInput, field_error
from ombuds.kit.pagination import decode_cursor
from ombuds.models import Complaint, Consultation, Member


@dataclass(frozen=True)
class ConsultationView:
    consultation: Consultation
    member: Member | None
    complaint_id: uuid.UUID | None

    @property
    def full_name(self) -> str:
        return self.member.full_name if self.member else (self.consultation.full_name or "")


async def _check(db: AsyncSession, body: ConsultationCreate) -> None:
    errors = []
    if (body.member_id is None) == (body.full_name is None):
        errors.append(
            field_error("member_id", "member_or_name", "give member_id or full_name, not both")
        )
    elif body.member_id is not None:
        if await db.scalar(select(Member.id).where(Member.id == body.member_id)) is None:
            errors.append(field_error("member_id", "exists", "no member with this id"))
    if body.held_on > local_today():
        errors.append(field_error("held_on", "not_future", "a consultation already held"))
    if errors:
        raise InvalidInput("The consultation cannot be recorded as given.", errors=errors)


async def create(db: AsyncSession, actor: Principal, body: ConsultationCreate) -> Consultation:
    assert actor.id is not None
    await _check(db, body)
    consultation = Consultation(
        ombudsperson_id=actor.id,
        member_id=body.member_id,
        full_name=body.full_name,
        held_on=body.held_on,
        notes=body.notes,
        other_routes_told=body.other_routes_told,
    )
    db.add(consultation)
    await db.flush()
    await audit.record(db, actor, "consultations.create", "consultation", consultation.id)
    return consultation


async def _complaint_ids(db: AsyncSession, ids: list[uuid.UUID]) -> dict[uuid.UUID, uuid.UUID]:
    """Which of these consultations became complaints (complaints/service.py takes them)."""
    if not ids:
        return {}
    rows = await db.execute(
        select(Complaint.consultation_id, Complaint.id).where(Complaint.consultation_id.in_(ids))
    )
    return {
        consultation_id: complaint_id for consultation_id, complaint_id in rows if consultation_id
    }


async def view(db: AsyncSession, actor: Principal, consultation: Consultation) -> ConsultationView:
    member = None
    if consultation.member_id is not None:
        member = await db.get(Member, consultation.member_id)
    taken = await _complaint_ids(db, [consultation.id])
    await audit.record(db, actor, "consultations.read", "consultation", consultation.id)
    return ConsultationView(consultation, member, taken.get(consultation.id))


async def get(db: AsyncSession, actor: Principal, consultation_id: uuid.UUID) -> ConsultationView:
    return await view(db, actor, await own(db, actor, consultation_id))


async def list_own(
    db: AsyncSession, actor: Principal, *, cursor: str | None, limit: int
) -> list[tuple[Consultation, uuid.UUID | None]]:
    """The caller's consultations, most recent first, each with its complaint if any."""
    stmt = (
        select(Consultation)
        .where(own_consultations(actor))
        .order_by(Consultation.held_on.desc(), Consultation.id.desc())
        .limit(limit)
    )
    key = decode_cursor(cursor, 2)
    if key is not None:
        before_on, before_id = date.fromisoformat(key[0]), uuid.UUID(key[1])
        stmt = stmt.where(
            or_(
                Consultation.held_on < before_on,
                and_(Consultation.held_on == before_on, Consultation.id < before_id),
            )
        )
    rows = list((await db.scalars(stmt)).all())
    taken = await _complaint_ids(db, [c.id for c in rows])
    await audit.record(db, actor, "consultations.list", "consultation", None)
    return [(c, taken.get(c.id)) for c in rows]
