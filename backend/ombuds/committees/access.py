"""Who may strike, see and weigh up a Complaint Review Committee (4.3.1(v)).

Row visibility stays in complaints/access.py; this module only narrows it, or (for a
declared conflict) widens who may act without widening who may read."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.principal import Principal
from ombuds.complaints import access
from ombuds.complaints.access import CaseWorker, Ombudsperson, TableOfficer
from ombuds.kit.errors import NotFound
from ombuds.models import (
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    ComplaintPerson,
    Role,
)

# Table officers strike the CRC (4.3.1(v)); recused officers never see the complaint.
CommitteeStriker = TableOfficer
# The eligibility table and its reasons: the ombudsperson handling the complaint only.
ComplaintHandler = Ombudsperson
# The confirmed panel: any case worker who may read the complaint.
CommitteeReader = CaseWorker
# A declared conflict: ombudspersons who read the complaint, or are drawn on its proposed
# panel (4.3.1(v)); the panels an ombudsperson is drawn on.
ConflictDeclarer = Ombudsperson
ProposedMember = Ombudsperson

__all__ = [
    "CommitteeReader",
    "CommitteeStriker",
    "ComplaintHandler",
    "ConflictDeclarer",
    "ProposedMember",
    "drawn_on_proposal",
    "for_conflict_declaration",
    "handled",
    "not_a_person_on",
]


async def handled(db: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> Complaint:
    """A complaint the caller took in; anyone else (CRC members included) gets 404."""
    complaint = await access.readable(db, principal, complaint_id)
    if complaint.intake_ombudsperson_id != principal.id:
        raise NotFound(access.NOT_FOUND)
    return complaint


def not_a_person_on(principal: Principal) -> ColumnElement[bool]:
    """The caller is neither a party nor a witness on the complaint (5.1)."""
    if principal.member_id is None:
        return true()
    return ~exists().where(
        ComplaintPerson.complaint_id == Complaint.id,
        ComplaintPerson.member_id == principal.member_id,
    )


def drawn_on_proposal(principal: Principal) -> ColumnElement[bool]:
    """The caller holds a seat on the complaint's proposed (not yet confirmed) panel. This
    gives no read access: the member may only declare a conflict (4.3.1(v))."""
    if principal.id is None or not principal.has_role(Role.ombudsperson):
        return false()
    return and_(
        exists().where(
            Committee.complaint_id == Complaint.id,
            Committee.status == CommitteeStatus.proposed,
            CommitteeMember.committee_id == Committee.id,
            CommitteeMember.user_id == principal.id,
        ),
        not_a_person_on(principal),
    )


async def for_conflict_declaration(
    db: AsyncSession, principal: Principal, complaint_id: uuid.UUID, if_match: str | None
) -> Complaint:
    """A complaint the caller may read or is drawn to sit on (else 404, as for a random
    id), at the version they last saw (428/412)."""
    complaint = await db.scalar(
        select(Complaint).where(
            Complaint.id == complaint_id,
            or_(access.readable_complaints(principal), drawn_on_proposal(principal)),
        )
    )
    if complaint is None:
        raise NotFound(access.NOT_FOUND)
    access.check_version(complaint, if_match)
    return complaint
