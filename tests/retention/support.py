"""Closed records with content in every table that holds some, for the retention tests.

The suite's canary names and circumstances (tests/factories/calendars.py) are planted in
every free-text column: after destruction, nothing of them may be left, and the register
must never have held them."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.models import (
    Attachment,
    Closure,
    Complaint,
    ComplaintPerson,
    Consultation,
    Disclosure,
    DisclosurePurpose,
    DisclosureRecipient,
    Incident,
    InformalAttempt,
    InformalMethod,
    InformalOutcome,
    InformalParticipant,
    InvestigationEntry,
    InvestigationKind,
    Letter,
    NoticeMethod,
    PartyNotice,
    PartyRole,
    Recommendation,
    RecommendationKind,
    Setting,
    Stage,
    User,
)
from tests.factories.calendars import (
    CANARY_COMPLAINANT,
    CANARY_INCIDENT,
    CANARY_LOCATION,
    CANARY_OTHER_PARTY,
    CANARY_RESOLUTION,
    CANARY_WITNESS,
)

_refs = itertools.count(1)

# Every table a complaint's content lives in (destroyed) and how to count its rows.
CONTENT_TABLES = (
    ComplaintPerson,
    Incident,
    InformalAttempt,
    InformalParticipant,
    Letter,
    Attachment,
    InvestigationEntry,
    Recommendation,
)


async def closed_complaint(
    db: AsyncSession,
    ombudsperson: User,
    *,
    closure: Closure = Closure.concluded,
    closed_on: date,
    consultation: Consultation | None = None,
) -> Complaint:
    """A closed complaint with a row in every content table, canaries in each."""
    complaint = Complaint(
        reference=f"RT-{next(_refs):05d}-{uuid.uuid4().hex[:3]}",
        intake_ombudsperson_id=ombudsperson.id,
        stage=Stage.closed,
        closure=closure,
        closed_on=closed_on,
        received_on=closed_on,
        setting=Setting.local_500_event,
        resolution_sought=CANARY_RESOLUTION,
        response_text=f"{CANARY_OTHER_PARTY} denies it",
        findings_text=f"{CANARY_OTHER_PARTY} made the remarks",
        grounds=["age"],
        consultation_id=consultation.id if consultation else None,
    )
    db.add(complaint)
    await db.flush()
    cid = complaint.id
    db.add_all(
        [
            ComplaintPerson(
                complaint_id=cid, role=PartyRole.complainant, full_name=CANARY_COMPLAINANT
            ),
            ComplaintPerson(complaint_id=cid, role=PartyRole.witness, full_name=CANARY_WITNESS),
            Incident(
                complaint_id=cid,
                what=CANARY_INCIDENT,
                occurred_on=closed_on,
                location=CANARY_LOCATION,
                categories=["comments"],
            ),
            Letter(complaint_id=cid, what_took_place=CANARY_INCIDENT, witnesses=CANARY_WITNESS),
            Attachment(
                complaint_id=cid,
                purpose="letter",
                filename=f"{CANARY_COMPLAINANT}.pdf",
                media_type="application/pdf",
                size=len(CANARY_INCIDENT),
                sha256=hashlib.sha256(CANARY_INCIDENT.encode()).hexdigest(),
                content=CANARY_INCIDENT.encode(),
                uploaded_by=ombudsperson.id,
            ),
            InvestigationEntry(
                complaint_id=cid,
                kind=InvestigationKind.witness_interview,
                occurred_on=closed_on,
                notes=f"Interviewed {CANARY_WITNESS}",
                recorded_by=ombudsperson.id,
            ),
            PartyNotice(
                complaint_id=cid,
                stage=Stage.closed,
                party=PartyRole.other_party,
                told_on=closed_on,
                method=NoticeMethod.letter,
                waiver_reason=f"{CANARY_OTHER_PARTY} moved away",
            ),
        ]
    )
    attempt = InformalAttempt(
        complaint_id=cid,
        method=InformalMethod.facilitated_meeting,
        held_on=closed_on,
        proposal=f"{CANARY_OTHER_PARTY} apologises",
        outcome=InformalOutcome.failed,
    )
    disclosure = Disclosure(
        complaint_id=cid,
        purpose=DisclosurePurpose.corrective_action,
        reason=f"So {CANARY_OTHER_PARTY} takes training",
        content=CANARY_INCIDENT,
        disclosed_by=ombudsperson.id,
    )
    db.add_all([attempt, disclosure])
    await db.flush()
    db.add_all(
        [
            InformalParticipant(attempt_id=attempt.id, user_id=ombudsperson.id, complaint_id=cid),
            DisclosureRecipient(
                disclosure_id=disclosure.id, complaint_id=cid, recipient=CANARY_WITNESS
            ),
            Recommendation(
                complaint_id=cid,
                kind=RecommendationKind.training_or_education,
                text=f"{CANARY_OTHER_PARTY} attends training",
                disclosure_id=disclosure.id,
            ),
        ]
    )
    await db.commit()
    await db.refresh(complaint)
    return complaint


async def consultation(db: AsyncSession, ombudsperson: User, *, held_on: date) -> Consultation:
    made = Consultation(
        ombudsperson_id=ombudsperson.id,
        full_name=CANARY_COMPLAINANT,
        held_on=held_on,
        notes=f"{CANARY_INCIDENT} at {CANARY_LOCATION}",
    )
    db.add(made)
    await db.commit()
    await db.refresh(made)
    return made


async def content_rows(db: AsyncSession, complaint_id: uuid.UUID) -> dict[str, int]:
    """How many rows each content table holds for the complaint."""
    counts = {}
    for model in CONTENT_TABLES:
        counts[model.__tablename__] = int(
            await db.scalar(
                select(func.count()).select_from(model).where(model.complaint_id == complaint_id)
            )
            or 0
        )
    counts["disclosure_recipients"] = int(
        await db.scalar(
            select(func.count())
            .select_from(DisclosureRecipient)
            .join(Disclosure, Disclosure.id == DisclosureRecipient.disclosure_id)
            .where(Disclosure.complaint_id == complaint_id)
        )
        or 0
    )
    return counts
