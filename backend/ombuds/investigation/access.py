"""Who may take which step of the investigation and after (4.3.1(vi)-(x), 5.1).

Reading follows the complaint: whoever may read it (complaints.access.readable) may read
these records, and anyone else gets a 404. Recording is narrower: each step names the
parts of the case it needs (a seat on the confirmed CRC, the CRC's staff resource, the
intake), and a caller who can read the complaint without holding one gets a 403 that says
which part the step needs. Table officers reach recommendations only through
``officer_visible`` (never when recused) and only those disclosed to them."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.principal import Principal
from ombuds.complaints import access
from ombuds.complaints.access import CaseWorker, IfMatch, TableOfficer
from ombuds.kit.errors import Forbidden, field_error
from ombuds.models import Committee, CommitteeMember, CommitteeStatus, Complaint, Role

__all__ = ["CaseWorker", "IfMatch", "Part", "TableOfficer"]


class Part(StrEnum):
    crc_member = "crc_member"  # one of the three ombudspersons of the confirmed CRC, 4.3.1(v)
    staff_resource = "staff_resource"  # the CRC's staff resource, 4.3.1(v)
    intake_ombudsperson = "intake_ombudsperson"  # took the complaint in, 4.3.1


_WHO = {
    Part.crc_member: "the members of this complaint's Complaint Review Committee",
    Part.staff_resource: "the Committee's staff resource",
    Part.intake_ombudsperson: "the ombudsperson who took the complaint in",
}

CRC = frozenset({Part.crc_member})
CRC_AND_STAFF = frozenset({Part.crc_member, Part.staff_resource})
CRC_OR_INTAKE = frozenset({Part.crc_member, Part.intake_ombudsperson})


async def parts(db: AsyncSession, principal: Principal, complaint: Complaint) -> frozenset[Part]:
    """The parts of this complaint the caller holds."""
    if principal.id is None:
        return frozenset()
    held: set[Part] = set()
    if complaint.intake_ombudsperson_id == principal.id and principal.has_role(Role.ombudsperson):
        held.add(Part.intake_ombudsperson)
    if await access.on_committee(db, principal, complaint.id):
        seat = await db.scalar(
            select(CommitteeMember.seat)
            .join(Committee, Committee.id == CommitteeMember.committee_id)
            .where(
                Committee.complaint_id == complaint.id,
                Committee.status == CommitteeStatus.confirmed,
                CommitteeMember.user_id == principal.id,
            )
        )
        if seat is not None and principal.has_role(Role.ombudsperson):
            held.add(Part.crc_member)
        elif seat is None and principal.has_role(Role.staff_resource):
            held.add(Part.staff_resource)
    return frozenset(held)


async def require_part(
    db: AsyncSession,
    principal: Principal,
    complaint: Complaint,
    allowed: frozenset[Part],
    step: str,
) -> frozenset[Part]:
    held = await parts(db, principal, complaint)
    if not held & allowed:
        ordered = [p for p in Part if p in allowed]
        who = " or ".join(_WHO[p] for p in ordered)
        raise Forbidden(
            f"Only {who} may {step}.",
            errors=[field_error("caller", "_or_".join(p.value for p in ordered), f"not {who}")],
        )
    return held


async def for_step(
    db: AsyncSession,
    principal: Principal,
    complaint_id: uuid.UUID,
    if_match: str | None,
    allowed: frozenset[Part],
    step: str,
) -> Complaint:
    """A complaint the caller may read (else 404), on which they hold an allowed part
    (else 403), at the version they read (else 428/412)."""
    complaint = await access.readable(db, principal, complaint_id)
    await require_part(db, principal, complaint, allowed, step)
    access.check_version(complaint, if_match)
    return complaint
