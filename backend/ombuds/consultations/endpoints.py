from __future__ import annotations

import uuid

from fastapi import APIRouter, status

from ombuds.consultations import service
from ombuds.consultations.access import ConsultingOmbudsperson
from ombuds.consultations.schemas import (
    ConsultationCreate,
    ConsultationOut,
    ConsultationSummary,
)
from ombuds.kit.deps import DbSession
from ombuds.kit.pagination import Cursor, PageSize, encode_cursor
from ombuds.kit.schemas import Page
from ombuds.models import Consultation

router = APIRouter(prefix="/api/consultations", tags=["consultations"])
RESPONSES: dict[int | str, dict[str, str]] = {
    404: {"description": "No such consultation, or not one the caller recorded"},
}


def _out(v: service.ConsultationView) -> ConsultationOut:
    c = v.consultation
    return ConsultationOut(
        id=c.id,
        member_id=c.member_id,
        full_name=v.full_name,
        unit_id=v.member.unit_id if v.member else None,
        held_on=c.held_on,
        notes=c.notes,
        other_routes_told=c.other_routes_told,
        became_complaint=v.complaint_id is not None,
        complaint_id=v.complaint_id,
        created_at=c.created_at,
    )


def _summary(c: Consultation, complaint_id: uuid.UUID | None) -> ConsultationSummary:
    return ConsultationSummary(
        id=c.id,
        held_on=c.held_on,
        other_routes_told=c.other_routes_told,
        became_complaint=complaint_id is not None,
        complaint_id=complaint_id,
        created_at=c.created_at,
    )


@router.post("", response_model=ConsultationOut, status_code=status.HTTP_201_CREATED, name="create")
async def create(
    db: DbSession, actor: ConsultingOmbudsperson, body: ConsultationCreate
) -> ConsultationOut:
    """Record a confidential consultation without opening a complaint (4.1)."""
    consultation = await service.create(db, actor, body)
    return _out(await service.view(db, actor, consultation))


@router.get("", response_model=Page[ConsultationSummary], name="list")
async def list_consultations(
    db: DbSession, actor: ConsultingOmbudsperson, cursor: Cursor = None, limit: PageSize = 50
) -> Page[ConsultationSummary]:
    """The caller's own consultations, most recent first (no names or notes)."""
    rows = await service.list_own(db, actor, cursor=cursor, limit=limit)
    last = rows[-1][0] if len(rows) == limit else None
    nxt = encode_cursor(last.held_on.isoformat(), last.id) if last else None
    return Page(items=[_summary(c, complaint_id) for c, complaint_id in rows], next_cursor=nxt)


@router.get("/{consultation_id}", response_model=ConsultationOut, responses=RESPONSES, name="get")
async def get(
    db: DbSession, actor: ConsultingOmbudsperson, consultation_id: uuid.UUID
) -> ConsultationOut:
    """One of the caller's consultations, and whether it became a complaint (read audited)."""
    return _out(await service.get(db, actor, consultation_id))
