"""4.3.1(v): who may sit on a complaint's Complaint Review Committee, and why not.

`assess` is the only place the rule lives: the eligibility table, the proposal, the redraw
and the confirmation all ask it. `draw` is the fair choice among the eligible."""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.kit.clock import local_today
from ombuds.models import (
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    ComplaintPerson,
    ExclusionReason,
    InformalParticipant,
    OmbudspersonConflict,
    Role,
    SeatTerm,
    StaffResourceKind,
    Stage,
    TrainingKind,
    TrainingRecord,
    User,
    UserRole,
)

# 4.3.1(v): "the Special Assignments Officer ... or the Equality Representative".
ALLOWED_STAFF_KINDS = frozenset(
    {StaffResourceKind.special_assignments_officer, StaffResourceKind.equality_representative}
)


@dataclass(frozen=True)
class OmbudspersonStanding:
    """One ombudsperson and every reason that keeps them off this complaint's CRC."""

    user_id: uuid.UUID
    display_name: str
    reasons: tuple[ExclusionReason, ...]

    @property
    def eligible(self) -> bool:
        return not self.reasons


@dataclass(frozen=True)
class StaffResource:
    user_id: uuid.UUID
    display_name: str
    kind: StaffResourceKind


@dataclass(frozen=True)
class Eligibility:
    ombudspersons: tuple[OmbudspersonStanding, ...]  # every ombudsperson, eligible or not
    staff_resources: tuple[StaffResource, ...]  # the eligible staff resources only

    @property
    def eligible_ids(self) -> list[uuid.UUID]:
        return [o.user_id for o in self.ombudspersons if o.eligible]

    @property
    def excluded(self) -> list[OmbudspersonStanding]:
        return [o for o in self.ombudspersons if not o.eligible]

    @property
    def staff_resource_ids(self) -> list[uuid.UUID]:
        return [s.user_id for s in self.staff_resources]


async def _ids(db: AsyncSession, stmt: Select[Any]) -> set[uuid.UUID]:
    return {i for i in (await db.scalars(stmt)).all() if i is not None}


async def assess(db: AsyncSession, complaint: Complaint, *, on: date | None = None) -> Eligibility:
    """Every ombudsperson with every reason that applies (none: eligible), and the
    eligible staff resources, as things stand ``on`` (today in Winnipeg by default)."""
    today = on or local_today()
    people = await _ids(
        db,
        select(ComplaintPerson.member_id).where(
            ComplaintPerson.complaint_id == complaint.id, ComplaintPerson.member_id.is_not(None)
        ),
    )
    ombudspersons = (
        await db.execute(
            select(User.id, User.display_name, User.is_active, User.member_id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == Role.ombudsperson)
            .order_by(User.display_name, User.id)
        )
    ).all()
    user_ids = [row.id for row in ombudspersons]
    informal = await _ids(
        db,
        select(InformalParticipant.user_id).where(InformalParticipant.complaint_id == complaint.id),
    )
    conflicted = await _ids(
        db,
        select(OmbudspersonConflict.user_id).where(
            OmbudspersonConflict.complaint_id == complaint.id
        ),
    )
    trained = await _ids(
        db,
        select(TrainingRecord.user_id).where(
            TrainingRecord.user_id.in_(user_ids),
            TrainingRecord.kind == TrainingKind.comprehensive,
            TrainingRecord.completed_on <= today,
        ),
    )
    seated = await _ids(
        db,
        select(SeatTerm.user_id).where(
            SeatTerm.user_id.in_(user_ids),
            SeatTerm.starts_on <= today,
            or_(SeatTerm.ends_on.is_(None), SeatTerm.ends_on >= today),
        ),
    )
    standings = []
    for row in ombudspersons:
        checks = {
            ExclusionReason.took_part_informally: row.id in informal,
            ExclusionReason.party_or_witness: row.member_id is not None and row.member_id in people,
            ExclusionReason.declared_conflict: row.id in conflicted,
            # The policy excludes those who took part in an informal attempt. The intake
            # ombudsperson is treated alike: they took part in the early stage and will
            # present the complaint, so they cannot also judge it. A fixed rule, no setting.
            ExclusionReason.intake_ombudsperson: row.id == complaint.intake_ombudsperson_id,
            ExclusionReason.inactive: not row.is_active,
            ExclusionReason.untrained: row.id not in trained,
            ExclusionReason.no_current_seat: row.id not in seated,
        }
        reasons = tuple(reason for reason in ExclusionReason if checks[reason])
        standings.append(OmbudspersonStanding(row.id, row.display_name, reasons))
    staff = (
        await db.execute(
            select(User.id, User.display_name, User.member_id, User.staff_resource_kind)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                UserRole.role == Role.staff_resource,
                User.is_active,
                User.staff_resource_kind.in_(ALLOWED_STAFF_KINDS),
            )
            .order_by(User.display_name, User.id)
        )
    ).all()
    staff_resources = tuple(
        StaffResource(row.id, row.display_name, row.staff_resource_kind)
        for row in staff
        if row.member_id is None or row.member_id not in people
    )
    return Eligibility(tuple(standings), staff_resources)


async def seat_loads(db: AsyncSession, user_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many seats each user holds on confirmed committees of complaints still open
    (as a member or as the staff resource): the draw spreads the work."""
    if not user_ids:
        return {}
    open_and_confirmed = (
        Committee.status == CommitteeStatus.confirmed,
        Complaint.stage != Stage.closed,
    )
    members = (
        select(CommitteeMember.user_id, func.count())
        .join(Committee, Committee.id == CommitteeMember.committee_id)
        .join(Complaint, Complaint.id == Committee.complaint_id)
        .where(*open_and_confirmed, CommitteeMember.user_id.in_(user_ids))
        .group_by(CommitteeMember.user_id)
    )
    staff = (
        select(Committee.staff_resource_id, func.count())
        .join(Complaint, Complaint.id == Committee.complaint_id)
        .where(*open_and_confirmed, Committee.staff_resource_id.in_(user_ids))
        .group_by(Committee.staff_resource_id)
    )
    loads: dict[uuid.UUID, int] = {}
    for stmt in (members, staff):
        for user_id, count in (await db.execute(stmt)).all():
            if user_id is not None:
                loads[user_id] = loads.get(user_id, 0) + int(count)
    return loads


def draw(
    candidates: Sequence[uuid.UUID],
    loads: Mapping[uuid.UUID, int],
    n: int,
    rng: random.Random | None = None,
) -> list[uuid.UUID]:
    """``n`` candidates, fewest current seats first; ties broken at random (a uniformly
    random order within each tier of load), with the operating system's randomness."""
    chance = rng or secrets.SystemRandom()
    keyed = [(loads.get(c, 0), chance.random(), c) for c in candidates]
    keyed.sort(key=lambda k: (k[0], k[1]))
    return [c for _, _, c in keyed[:n]]
