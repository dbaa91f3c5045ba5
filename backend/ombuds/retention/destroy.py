"""What is destroyed at the end of a record's retention period (5.1), in one transaction
per record: every name, narrative, letter, response, attachment, note and message.

A complaint's row stays as a tombstone (reference, stage, closure, dates, `destroyed_at`)
so that audit entries, deadlines and the register still point at something; so do the
rows that hold no content (timeline events in fixed words, party notices' dates,
committees and conflicts, disclosures' purpose and date for the 5.1 register). A
consultation has no reference and nothing points at it: its row is deleted."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.calendars import validator
from ombuds.kit.clock import utcnow
from ombuds.models import (
    Attachment,
    Complaint,
    ComplaintPerson,
    Consultation,
    Disclosure,
    DisclosureRecipient,
    Incident,
    InformalAttempt,
    InvestigationEntry,
    LegalHold,
    Letter,
    PartyNotice,
    Recommendation,
)

# Child rows that hold content: deleted whole (informal participants go with their
# attempts, by the foreign key's cascade). Recommendations before disclosures' content:
# a recommendation points at the disclosure that handed it over.
CONTENT_ROWS = (
    ComplaintPerson,
    Incident,
    InformalAttempt,
    Letter,
    Attachment,
    InvestigationEntry,
    Recommendation,
)


async def destroy_data_key(db: AsyncSession, owner_id: uuid.UUID) -> None:
    """Where the record's own data key is destroyed, once per-record keys exist (issue 14,
    item 2: `await datakeys.destroy(owner_id)`), so that copies in backups and replicas
    become unreadable too. Until then nothing happens here: the content is removed from
    the live rows only, and a backup taken before stays readable under the key ring."""


async def complaint(db: AsyncSession, record: Complaint) -> None:
    """Destroy a complaint's content, and that of the consultation it grew from."""
    cid = record.id
    await destroy_data_key(db, cid)
    # Its people and informal participants go by Core statements, past the ORM's watch:
    # the calendar feeds of whoever they concern move on (calendars/validator.py).
    await validator.complaints_changed(db, [cid])
    for model in CONTENT_ROWS:
        await db.execute(delete(model).where(model.complaint_id == cid))
    disclosures = select(Disclosure.id).where(Disclosure.complaint_id == cid)
    await db.execute(
        delete(DisclosureRecipient).where(DisclosureRecipient.disclosure_id.in_(disclosures))
    )
    # Required columns, encrypted with their row's id: emptied through the ORM.
    for disclosure in await db.scalars(select(Disclosure).where(Disclosure.complaint_id == cid)):
        disclosure.reason, disclosure.content = "", ""
    await db.execute(
        update(PartyNotice).where(PartyNotice.complaint_id == cid).values(waiver_reason=None)
    )
    await _forget_hold_reasons(db, LegalHold.complaint_id == cid)
    consultation_id = record.consultation_id
    record.resolution_sought = ""  # a required column: emptied
    record.response_text = None
    record.findings_text = None
    record.consultation_id = None
    record.destroyed_at = utcnow()
    await db.flush()
    if consultation_id is not None:
        await db.execute(delete(Consultation).where(Consultation.id == consultation_id))


async def consultation(db: AsyncSession, consultation_id: uuid.UUID) -> None:
    """Delete a consultation (its holds and schedules go with it, by cascade)."""
    await destroy_data_key(db, consultation_id)
    await db.execute(delete(Consultation).where(Consultation.id == consultation_id))


async def _forget_hold_reasons(db: AsyncSession, where: ColumnElement[bool]) -> None:
    # Lifted holds' reasons are free text about the record: they go with it.
    await db.execute(update(LegalHold).where(where).values(reason=None, lift_reason=None))
