"""Who changes the steps from the informal attempts to telling the table officers
(4.2.1 to 4.3.1(iii)).

Reading follows complaints/access.py (`readable`). Changing is for the ombudsperson
handling the complaint: the intake ombudsperson, or an ombudsperson who took part in an
informal attempt on it. CRC members and staff resources review the letter, the response
and the attachments (4.3.1(vi)) but do not change these steps."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.principal import Principal
from ombuds.complaints import access
from ombuds.kit.errors import Forbidden
from ombuds.models import Complaint, InformalParticipant

NOT_HANDLING = (
    "Only the ombudsperson handling the complaint records this step; "
    "the Complaint Review Committee reviews it."
)


async def handles(db: AsyncSession, principal: Principal, complaint: Complaint) -> bool:
    if principal.id is None:
        return False
    if complaint.intake_ombudsperson_id == principal.id:
        return True
    took_part = await db.scalar(
        select(InformalParticipant.user_id)
        .where(
            InformalParticipant.complaint_id == complaint.id,
            InformalParticipant.user_id == principal.id,
        )
        .limit(1)
    )
    return took_part is not None


async def for_handling(
    db: AsyncSession, principal: Principal, complaint_id: uuid.UUID, if_match: str | None
) -> Complaint:
    """A complaint the caller may see (else 404), at the version they read (428/412),
    that they handle (else 403: they can see it, so the refusal reveals nothing)."""
    complaint = await access.for_change(db, principal, complaint_id, if_match)
    if not await handles(db, principal, complaint):
        raise Forbidden(NOT_HANDLING)
    return complaint
