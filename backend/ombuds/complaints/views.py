"""Shaping complaints for case workers, with the ETag every change must send back."""

from __future__ import annotations

from fastapi import Response
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.principal import Principal
from ombuds.complaints import reads
from ombuds.complaints.schemas import ComplaintDetail, DeadlineOut
from ombuds.deadlines import service as deadlines
from ombuds.models import Complaint, Deadline


def deadline_out(d: Deadline) -> DeadlineOut:
    return DeadlineOut(
        id=d.id,
        kind=d.kind,
        status=d.status,
        due_on=d.due_on,
        overdue=deadlines.is_overdue(d),
        trigger_on=d.trigger_on,
        period_days=d.period_days,
        nominal_due_on=d.nominal_due_on,
        moved_by=d.moved_by,
        explanation=d.explanation,
        satisfied_on=d.satisfied_on,
    )


async def detail(
    db: AsyncSession, actor: Principal, complaint: Complaint, response: Response
) -> ComplaintDetail:
    """The case worker's view of a complaint they just changed, with its ETag: the same
    read as GET (complaints/reads.py), after the change is flushed so the version moves.
    The route's own rule let the caller make the change; what the change does to their
    reading (an informal participant choosing the formal route) shows from the next read."""
    await db.flush()
    return await reads.detail(db, actor, complaint.id, response, access_checked=True)
