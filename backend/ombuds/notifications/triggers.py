"""What a change in the procedure tells people (issue 15, "what triggers one").

Each function here is called by the domain service that makes the change, in its
transaction: a change that rolls back tells nobody. Who is told is decided here, once for
every event, by one rule besides the recipients' own: nobody is told of what they just did
themselves (the actor is left out). The table officers are never one recused on the
complaint (`service.table_officers`, 4.3.1(iv)).

What is written is a kind, the complaint and at most a due date: never a name, a
circumstance or anything said in the procedure (docs/notifications.md)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import Complaint, NotificationKind
from ombuds.notifications import service


async def _tell(
    db: AsyncSession,
    kind: NotificationKind,
    recipients: Iterable[uuid.UUID],
    actor_id: uuid.UUID | None,
    complaint: Complaint,
    *,
    due_on: date | None = None,
) -> list[uuid.UUID]:
    """Everyone in `recipients` but the person whose action this is."""
    told = [user_id for user_id in recipients if user_id != actor_id]
    return await service.notify(db, kind, told, complaint_id=complaint.id, due_on=due_on)


async def response_recorded(
    db: AsyncSession, complaint: Complaint, actor_id: uuid.UUID | None
) -> list[uuid.UUID]:
    """4.3.1(ii): the other party's written response is in. To the handling ombudsperson
    and, once it is struck, the CRC, which reviews the response (4.3.1(vi))."""
    recipients = [
        *service.handling_ombudsperson(complaint),
        *await service.committee_members(db, complaint.id),
    ]
    return await _tell(db, NotificationKind.response_recorded, recipients, actor_id, complaint)


async def committee_to_strike(
    db: AsyncSession, complaint: Complaint, actor_id: uuid.UUID | None
) -> list[uuid.UUID]:
    """4.3.1(iii)-(v): the table officers are told a CRC must be struck."""
    officers = await service.table_officers(db, complaint.id)
    return await _tell(db, NotificationKind.committee_to_strike, officers, actor_id, complaint)


async def panel_conflict_declared(
    db: AsyncSession, complaint: Complaint, actor_id: uuid.UUID | None
) -> list[uuid.UUID]:
    """4.3.1(v): an ombudsperson drawn on the panel declared a conflict; the officers
    striking the CRC must redraw that seat."""
    officers = await service.table_officers(db, complaint.id)
    return await _tell(db, NotificationKind.panel_conflict_declared, officers, actor_id, complaint)


async def recommendations_disclosed(
    db: AsyncSession,
    complaint: Complaint,
    actor_id: uuid.UUID | None,
    officer_ids: Iterable[uuid.UUID],
) -> list[uuid.UUID]:
    """4.3.1(viii), 5.1: to the table officers the recommendations were disclosed to."""
    return await _tell(
        db, NotificationKind.recommendations_disclosed, officer_ids, actor_id, complaint
    )


async def committee_appointed(
    db: AsyncSession, complaint: Complaint, actor_id: uuid.UUID | None, report_due_on: date | None
) -> list[uuid.UUID]:
    """4.3.1(v)-(vi): the CRC is struck; its members (and its staff resource) are told,
    with the day its report is due."""
    members = await service.committee_members(db, complaint.id)
    return await _tell(
        db,
        NotificationKind.committee_appointed,
        members,
        actor_id,
        complaint,
        due_on=report_due_on,
    )
