"""What a party does in the portal (issue 16, item 2), through the services the staff use.

- Reading a notice records it as told, in the portal (4.3.1(vii); investigation/notices.py).
- The other party's written response and its date (4.3.1(ii); formal/service.py), before
  or after the due date; the handling ombudsperson and the CRC are told as when staff
  record it (notifications/triggers.py `response_recorded`).
- The member-complainant says they are not satisfied (4.3.1(x); investigation/service.py);
  the handling ombudsperson is told.
- A witness answers the CRC's request to speak with them with their availability; the
  CRC's members are told.

A read-only party (the complaint closed, in its grace period) is refused every write (403);
a write another part's is refused (403). A write the procedure does not allow now is a 409
naming its rule in the party's words: never the complaint's internal stage or the staff's
actions."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import stages
from ombuds.formal import service as formal
from ombuds.investigation import notices
from ombuds.investigation import service as investigation
from ombuds.investigation.schemas import NotSatisfiedIn, PartyToldIn
from ombuds.kit.clock import local_today
from ombuds.kit.errors import Conflict, Forbidden, NotFound, field_error
from ombuds.models import (
    Complaint,
    NoticeMethod,
    NotificationKind,
    PartyRole,
    WitnessAvailability,
)
from ombuds.notifications import service as notifications
from ombuds.portal import views


class ReadOnly(Forbidden):
    slug, title = "portal-read-only", "Read-only"


class NotYourPart(Forbidden):
    slug, title = "portal-not-your-part", "Not your part in the procedure"


READ_ONLY = "The complaint is closed: the portal shows it, and nothing more can be done here."


async def _writable(db: AsyncSession, principal: Principal, part: PartyRole | None) -> Complaint:
    """The party's own complaint, for a write: refused when read-only or another part's."""
    if principal.read_only:
        raise ReadOnly(READ_ONLY)
    if part is not None and principal.party is not part:
        raise NotYourPart("This is not something your part in the procedure does.")
    complaint = await db.get(Complaint, principal.complaint_id)
    assert complaint is not None  # resolved with the principal, in this transaction
    return complaint


# 4.3.1(vii) -------------------------------------------------------------------------------


async def read_notice(db: AsyncSession, principal: Principal, notice_id: uuid.UUID) -> None:
    """The party read the notice in the portal: told today, in the portal. Once only:
    reading it again changes nothing."""
    complaint = await _writable(db, principal, None)
    visible = await views.visible_notice_ids(db, principal)
    if notice_id not in visible:
        raise NotFound("No such notice.")
    if visible[notice_id]:
        return  # already told (in the portal, or by the ombudsperson): nothing to record
    body = PartyToldIn(told_on=local_today(), method=NoticeMethod.portal)
    await notices.record_told(db, principal, complaint, notice_id, body)


# 4.3.1(ii) --------------------------------------------------------------------------------


async def respond(db: AsyncSession, principal: Principal, text: str) -> None:
    complaint = await _writable(db, principal, PartyRole.other_party)
    if complaint.response_received_on is not None:
        raise Conflict(
            "Your written response is already recorded.",
            errors=[field_error("text", "not_yet_responded", "already recorded")],
        )
    if complaint.other_party_reviewed_on is None:
        raise Conflict(
            "You have not yet been asked to respond in writing.",
            errors=[field_error("text", "asked_to_respond", "not asked yet")],
        )
    if not views.may_respond(complaint.stage, complaint.other_party_reviewed_on, None):
        raise Conflict(
            "The committee has reached its conclusions: a written response can no longer be "
            "given in the portal.",
            errors=[field_error("text", "before_conclusions", "the conclusions are reached")],
        )
    await formal.record_response(db, principal, complaint, local_today(), text)


# 4.3.1(x) ---------------------------------------------------------------------------------


async def not_satisfied(db: AsyncSession, principal: Principal) -> None:
    """The member-complainant is not satisfied: recorded today, with the referral to a
    constitutional charge that the portal's answer gives them today (4.3.1(x))."""
    complaint = await _writable(db, principal, PartyRole.complainant)
    if complaint.complainant_told_conclusions_on is None:
        raise Conflict(
            "You have not been told the conclusions yet (4.3.1(ix)).",
            errors=[field_error("not_satisfied", "told_conclusions", "not told yet")],
        )
    if complaint.complainant_not_satisfied_on is not None:
        raise Conflict(
            "You already said you are not satisfied.",
            errors=[field_error("not_satisfied", "not_yet_said", "already recorded")],
        )
    today = local_today()
    body = NotSatisfiedIn(complainant_not_satisfied_on=today, referred_to_charge_on=today)
    await investigation.record_not_satisfied(db, principal, complaint, body)
    await notifications.notify(
        db,
        NotificationKind.complainant_not_satisfied,
        notifications.handling_ombudsperson(complaint),
        complaint_id=complaint.id,
    )


# 4.3.1(vi) --------------------------------------------------------------------------------


async def give_availability(db: AsyncSession, principal: Principal, availability: str) -> None:
    complaint = await _writable(db, principal, PartyRole.witness)
    if not views.crc_asks_to_speak(complaint.stage):
        raise Conflict(
            "The committee is not asking to speak with you now.",
            errors=[field_error("availability", "crc_asks_to_speak", "not asked now")],
        )
    assert principal.person_id is not None
    answer = WitnessAvailability(
        complaint_id=complaint.id, person_id=principal.person_id, availability=availability
    )
    db.add(answer)
    await db.flush()
    await stages.record_event(db, complaint, None, "witness.availability_given")
    await audit.record(db, principal, "portal.give_availability", "witness_availability", answer.id)
    await notifications.notify(
        db,
        NotificationKind.witness_availability,
        await notifications.committee_members(db, complaint.id),
        complaint_id=complaint.id,
    )


async def availabilities(
    db: AsyncSession, actor: Principal, complaint: Complaint
) -> list[WitnessAvailability]:
    rows = await db.scalars(
        select(WitnessAvailability)
        .where(WitnessAvailability.complaint_id == complaint.id)
        .order_by(WitnessAvailability.given_at.desc(), WitnessAvailability.id)
    )
    await audit.record(db, actor, "portal.read_witness_availability", "complaint", complaint.id)
    return list(rows.all())
