"""What is destroyed at the end of a record's retention period (5.1), in one transaction
per record: every name, narrative, letter, response, attachment, note and message.

A complaint's row stays as a tombstone (reference, stage, closure, dates, `destroyed_at`)
so that audit entries, deadlines and the register still point at something; so do the
rows that hold no content (timeline events in fixed words, party notices' dates,
committees and conflicts, disclosures' purpose and date for the 5.1 register). A
consultation has no reference and nothing points at it: its row is deleted.

The data keys that sealed it all are destroyed after this transaction commits
(retention/job.py, `destroy_keys`): then every copy, in backups too, is unreadable."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.calendars import validator
from ombuds.kit.clock import utcnow
from ombuds.kit.encryption import sealed, session_keyring
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
    PortalAccess,
    PortalInvitation,
    PortalMessage,
    PortalMessageAttachment,
    PortalSession,
    Recommendation,
    WitnessAvailability,
)

# Child rows that hold content: deleted whole (informal participants go with their
# attempts, by the foreign key's cascade; portal sessions are deleted before these).
# Recommendations before disclosures' content: a recommendation points at the
# disclosure that handed it over.
CONTENT_ROWS = (
    # The parties' portal (issue 16): their access ends with the record, sessions first.
    PortalInvitation,
    PortalAccess,
    WitnessAvailability,  # a witness's answers in the portal
    # Its messages, attachments first (they point at their message), before the people.
    PortalMessageAttachment,
    PortalMessage,
    ComplaintPerson,
    Incident,
    InformalAttempt,
    Letter,
    Attachment,
    InvestigationEntry,
    Recommendation,
)


async def complaint(db: AsyncSession, record: Complaint) -> None:
    """Destroy a complaint's content, and that of the consultation it grew from."""
    cid = record.id
    # Its people and informal participants go by Core statements, past the ORM's watch:
    # the calendar feeds of whoever they concern move on (calendars/validator.py).
    await validator.complaints_changed(db, [cid])
    accesses = select(PortalAccess.id).where(PortalAccess.complaint_id == cid)
    await db.execute(delete(PortalSession).where(PortalSession.access_id.in_(accesses)))
    for model in CONTENT_ROWS:
        await db.execute(delete(model).where(model.complaint_id == cid))
    disclosures = select(Disclosure.id).where(Disclosure.complaint_id == cid)
    await db.execute(
        delete(DisclosureRecipient).where(DisclosureRecipient.disclosure_id.in_(disclosures))
    )
    # Required columns, encrypted with their row's id: emptied through the ORM.
    for disclosure in await db.scalars(select(Disclosure).where(Disclosure.complaint_id == cid)):
        disclosure.reason = _empty(db, "disclosures", "reason", disclosure.id)
        disclosure.content = _empty(db, "disclosures", "content", disclosure.id)
    await db.execute(
        update(PartyNotice).where(PartyNotice.complaint_id == cid).values(waiver_reason=None)
    )
    await _forget_hold_reasons(db, LegalHold.complaint_id == cid)
    consultation_id = record.consultation_id
    record.resolution_sought = _empty(db, "complaints", "resolution_sought", cid)
    record.response_text = None
    record.findings_text = None
    record.consultation_id = None
    record.destroyed_at = utcnow()
    await db.flush()
    if consultation_id is not None:
        await db.execute(delete(Consultation).where(Consultation.id == consultation_id))


async def consultation(db: AsyncSession, consultation_id: uuid.UUID) -> None:
    """Delete a consultation (its holds and schedules go with it, by cascade)."""
    await db.execute(delete(Consultation).where(Consultation.id == consultation_id))


def _empty(db: AsyncSession, table: str, column: str, row: uuid.UUID) -> Any:
    """An empty value for a required encrypted column, sealed under the key ring rather
    than the record's data key: the tombstone must stay readable once that key is gone."""
    ring = session_keyring(db.sync_session)
    return sealed(ring.encrypt(b"", table=table, column=column, row_id=str(row)))


async def _forget_hold_reasons(db: AsyncSession, where: ColumnElement[bool]) -> None:
    # Lifted holds' reasons are free text about the record: they go with it.
    await db.execute(update(LegalHold).where(where).values(reason=None, lift_reason=None))
