"""The lists around striking a Complaint Review Committee (4.3.1(v)): the proposed panels
an ombudsperson is drawn on (so that they can declare a conflict), and the staff
resources the table officers may put on a panel."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only

from ombuds.auth.principal import Principal
from ombuds.committees.access import not_a_person_on
from ombuds.committees.eligibility import ALLOWED_STAFF_KINDS
from ombuds.committees.schemas import ProposedPanelForMember, StaffResourceForOfficer
from ombuds.complaints.access import etag
from ombuds.kit.pagination import decode_cursor
from ombuds.models import (
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    OmbudspersonConflict,
    Role,
    Stage,
    User,
    UserRole,
)


async def proposals_for_member(
    db: AsyncSession, actor: Principal, *, cursor: str | None, limit: int
) -> list[ProposedPanelForMember]:
    """The proposed, not yet confirmed, panels the caller holds a seat on, by reference
    (a keyset: references are random, so the order reveals nothing). One query, driven
    by the index on the members' user id; never a party's or a witness's complaint."""
    assert actor.id is not None
    declared = exists().where(
        OmbudspersonConflict.complaint_id == Complaint.id,
        OmbudspersonConflict.user_id == actor.id,
    )
    stmt = (
        select(Complaint, Committee.updated_at, declared)
        .select_from(CommitteeMember)
        .join(Committee, Committee.id == CommitteeMember.committee_id)
        .join(Complaint, Complaint.id == Committee.complaint_id)
        .options(load_only(Complaint.id, Complaint.reference, Complaint.version))
        .where(
            CommitteeMember.user_id == actor.id,
            Committee.status == CommitteeStatus.proposed,
            Complaint.stage == Stage.committee,
            not_a_person_on(actor),
        )
        .order_by(Complaint.reference)
        .limit(limit)
    )
    after = decode_cursor(cursor, 1)
    if after is not None:
        stmt = stmt.where(Complaint.reference > after[0])
    rows = (await db.execute(stmt)).all()
    return [
        ProposedPanelForMember(
            complaint_id=complaint.id,
            reference=complaint.reference,
            proposed_at=proposed_at,
            etag=etag(complaint),
            conflict_declared=bool(conflict),
        )
        for complaint, proposed_at, conflict in rows
    ]


async def staff_resources_for_officer(db: AsyncSession) -> list[StaffResourceForOfficer]:
    """4.3.1(v): the active staff resources of the two allowed kinds, by name. Union
    staff, not parties: whether one is a party or a witness on this complaint is not said
    here (the proposal refuses such a choice as "not eligible")."""
    rows = await db.execute(
        select(User.id, User.staff_resource_kind, User.display_name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == Role.staff_resource,
            User.is_active,
            User.staff_resource_kind.in_(ALLOWED_STAFF_KINDS),
        )
        .order_by(User.display_name, User.id)
    )
    return [
        StaffResourceForOfficer(user_id=uid, kind=kind, display_name=name)
        for uid, kind, name in rows
        if kind is not None
    ]
