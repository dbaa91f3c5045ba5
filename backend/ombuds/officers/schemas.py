"""What table officers see of a complaint: non-identifying status only (4.3.1(iv)).

No names, no Units, no incident dates, no categories, no grounds, no ombudsperson, no
closure reason (a dismissal or a conclusion would reveal the finding): only the
reference, where the procedure stands, its deadlines and how many officers are recused."""

from __future__ import annotations

import uuid
from datetime import date

from ombuds.kit.schemas import OutputSchema
from ombuds.models import DeadlineKind, DeadlineStatus, Stage


class DeadlineForOfficer(OutputSchema):
    kind: DeadlineKind
    due_on: date
    status: DeadlineStatus
    overdue: bool


class ComplaintStatusForOfficer(OutputSchema):
    id: uuid.UUID
    reference: str
    version: int
    stage: Stage
    awaiting: str  # the procedural step awaited, in fixed words
    crc_to_be_struck: bool
    recused_officers: int  # how many, never who
    deadlines: list[DeadlineForOfficer]
