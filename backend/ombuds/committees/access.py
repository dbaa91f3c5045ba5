"""Who may strike, see and weigh up a Complaint Review Committee (4.3.1(v)).

Row visibility stays in complaints/access.py; this module only narrows it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.principal import Principal
from ombuds.complaints import access
from ombuds.complaints.access import CaseWorker, Ombudsperson, TableOfficer
from ombuds.kit.errors import NotFound
from ombuds.models import Complaint

# Table officers strike the CRC (4.3.1(v)); recused officers never see the complaint.
CommitteeStriker = TableOfficer
# The eligibility table and its reasons: the ombudsperson handling the complaint only.
ComplaintHandler = Ombudsperson
# The confirmed panel: any case worker who may read the complaint.
CommitteeReader = CaseWorker

__all__ = ["CommitteeReader", "CommitteeStriker", "ComplaintHandler", "handled"]


async def handled(db: AsyncSession, principal: Principal, complaint_id: uuid.UUID) -> Complaint:
    """A complaint the caller took in; anyone else (CRC members included) gets 404."""
    complaint = await access.readable(db, principal, complaint_id)
    if complaint.intake_ombudsperson_id != principal.id:
        raise NotFound(access.NOT_FOUND)
    return complaint
