"""Who may record and read consultations (4.1): each ombudsperson their own, nobody else.

Row visibility is `own_consultations`, used by list and get alike; a consultation the
caller did not record answers 404."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, false, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.principal import Principal
from ombuds.complaints.access import Ombudsperson
from ombuds.kit.errors import NotFound
from ombuds.models import Consultation, Role

NOT_FOUND = "No such consultation."

# Consultations are confidential to the ombudsperson who held them.
ConsultingOmbudsperson = Ombudsperson


def own_consultations(principal: Principal) -> ColumnElement[bool]:
    if principal.id is None or not principal.has_role(Role.ombudsperson):
        return false()
    return Consultation.ombudsperson_id == principal.id


async def own(db: AsyncSession, principal: Principal, consultation_id: uuid.UUID) -> Consultation:
    consultation = await db.scalar(
        select(Consultation).where(Consultation.id == consultation_id, own_consultations(principal))
    )
    if consultation is None:
        raise NotFound(NOT_FOUND)
    return consultation
