"""The formal route (4.3, 4.3.1), the signed letter (4.3.1(i)), the other party's written
response (4.3.1(ii)) and telling the table officers (4.3.1(iii))."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import stages
from ombuds.deadlines import service as deadlines
from ombuds.formal.schemas import LetterIn, ResponseFlag, RouteIn
from ombuds.informal import service as informal
from ombuds.kit.clock import LOCAL_ZONE, local_today, utcnow
from ombuds.kit.errors import Conflict, InvalidInput, field_error
from ombuds.models import (
    Closure,
    Complaint,
    Deadline,
    DeadlineKind,
    FormalRoute,
    Letter,
    Stage,
)
from ombuds.notifications import triggers
from ombuds.settings import Settings

# 4.3.1(i): what took place, when, the date and time, witnesses' names (or that there
# were none), the resolution sought, and the signature's date.
# Each part's field (the stable code an app can translate) and its name in the policy's words.
LETTER_PARTS = {
    "what_took_place": "what took place",
    "when_it_took_place": "when",
    "occurred_at": "the date and time",
    "witnesses": "witnesses",
    "resolution_sought": "the resolution sought",
    "signed_on": "the signature",
}
LETTER_FIELDS = tuple(LETTER_PARTS)


def _in_words(parts: list[str]) -> str:
    words = [LETTER_PARTS[p] for p in parts]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _not_future(field: str, day: date) -> list[dict[str, str]]:
    if day > local_today():
        return [field_error(field, "not_future", "not after today")]
    return []


# The route (4.3, 4.3.1) ------------------------------------------------------------------


async def choose_route(
    db: AsyncSession, settings: Settings, actor: Principal, complaint: Complaint, body: RouteIn
) -> None:
    """The member's choice: a CUPE constitutional charge closes the record as referred;
    the Local 500 procedure starts with the letter and the officers' notice target."""
    stages.require(complaint, stages.Action.choose_formal_route)
    chosen_on = body.chosen_on or local_today()
    errors = _not_future("chosen_on", chosen_on)
    if chosen_on < complaint.received_on:
        errors.append(field_error("chosen_on", "not_before_received", "on or after intake"))
    if errors:
        raise InvalidInput("The date of the member's choice is not possible.", errors=errors)
    # 4.2.1(iv): a refused or failed attempt lets the member go formal; a resolved one closes.
    if complaint.stage is Stage.informal and await informal.has_resolved_attempt(db, complaint.id):
        raise Conflict(
            "An informal attempt resolved this complaint (4.2.1); close it as resolved "
            "informally, or change that attempt's outcome first.",
            errors=[field_error("route", "not_resolved_informally", "resolved informally")],
        )
    complaint.formal_route = body.route
    complaint.formal_route_chosen_on = chosen_on
    if body.route is FormalRoute.cupe_constitutional_charge:
        complaint.referred_to_charge_on = chosen_on
        await stages.move(db, complaint, Stage.closed, actor.id, closure=Closure.referred_to_charge)
        await deadlines.cancel_open(db, complaint.id)
    else:
        await stages.move(db, complaint, Stage.letter, actor.id)
        # 4.3.1(iii) "as soon as possible": a target in days from the member's choice.
        await deadlines.open_after_days(
            db,
            settings,
            complaint.id,
            DeadlineKind.table_officer_notice,
            chosen_on,
            settings.notify_table_officers_target_days,
        )
    await audit.record(db, actor, "formal.choose_route", "complaint", complaint.id)


# The letter (4.3.1(i)) -------------------------------------------------------------------


def missing_from(letter: Letter | None) -> list[str]:
    if letter is None:
        return list(LETTER_FIELDS)
    return [f for f in LETTER_FIELDS if getattr(letter, f) is None]


def local_time(value: datetime | None) -> datetime | None:
    return value.astimezone(LOCAL_ZONE) if value is not None else None


async def find_letter(db: AsyncSession, complaint: Complaint) -> Letter | None:
    return await db.scalar(select(Letter).where(Letter.complaint_id == complaint.id))


async def read_letter(db: AsyncSession, actor: Principal, complaint: Complaint) -> Letter | None:
    letter = await find_letter(db, complaint)
    await audit.record(db, actor, "formal.read_letter", "complaint", complaint.id)
    return letter


async def save_letter(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: LetterIn
) -> Letter:
    """Save the draft as sent: it replaces the previous draft as a whole."""
    stages.require(complaint, stages.Action.edit_letter)
    occurred_at = body.occurred_at
    if occurred_at is not None and occurred_at.tzinfo is None:
        occurred_at = occurred_at.replace(tzinfo=LOCAL_ZONE)
    errors = [] if body.signed_on is None else _not_future("signed_on", body.signed_on)
    if occurred_at is not None and occurred_at > utcnow():
        errors.append(field_error("occurred_at", "not_future", "not after now"))
    if errors:
        raise InvalidInput("The letter cannot be saved as given.", errors=errors)
    letter = await find_letter(db, complaint)
    if letter is None:
        letter = Letter(complaint_id=complaint.id)
        db.add(letter)
    letter.what_took_place = body.what_took_place
    letter.when_it_took_place = body.when_it_took_place
    letter.occurred_at = occurred_at
    letter.witnesses = body.witnesses
    letter.resolution_sought = body.resolution_sought
    letter.signed_on = body.signed_on
    letter.updated_at = utcnow()
    await stages.record_event(db, complaint, actor.id, "letter.saved")
    await audit.record(db, actor, "formal.save_letter", "complaint", complaint.id)
    return letter


async def complete_letter(db: AsyncSession, actor: Principal, complaint: Complaint) -> None:
    """4.3.1(i): a complete, signed letter before the procedure moves on to the review."""
    stages.require(complaint, stages.Action.complete_letter)
    missing = missing_from(await find_letter(db, complaint))
    if missing:
        raise InvalidInput(
            f"The letter is not complete: it still needs {_in_words(missing)}. Every part of "
            "4.3.1(i) is required before the procedure moves on.",
            errors=[
                field_error(f, "required", f"{LETTER_PARTS[f]}: required in the signed letter")
                for f in missing
            ],
        )
    await stages.move(db, complaint, Stage.review, actor.id)
    await audit.record(db, actor, "formal.complete_letter", "complaint", complaint.id)


# The other party's written response (4.3.1(ii)) -----------------------------------------


@dataclass(frozen=True)
class ResponseStatus:
    reviewed_on: date | None
    deadline: Deadline | None
    received_on: date | None
    flag: ResponseFlag | None


def response_status(complaint: Complaint, deadline: Deadline | None) -> ResponseStatus:
    """Whether the response is awaited, in on time, in late, or missing (4.3.1(ii));
    a lapsed deadline is flagged, never enforced."""
    flag: ResponseFlag | None = None
    received_on = complaint.response_received_on
    if complaint.other_party_reviewed_on is not None and deadline is not None:
        if received_on is not None:
            late = received_on > deadline.due_on
            flag = ResponseFlag.received_late if late else ResponseFlag.received_on_time
        elif local_today() > deadline.due_on:
            flag = ResponseFlag.missing
        else:
            flag = ResponseFlag.awaiting
    return ResponseStatus(complaint.other_party_reviewed_on, deadline, received_on, flag)


async def read_response_status(
    db: AsyncSession, actor: Principal, complaint: Complaint
) -> ResponseStatus:
    deadline = await deadlines.find(db, complaint.id, DeadlineKind.written_response)
    await audit.record(db, actor, "formal.read_response_status", "complaint", complaint.id)
    return response_status(complaint, deadline)


async def record_other_party_review(
    db: AsyncSession,
    settings: Settings,
    actor: Principal,
    complaint: Complaint,
    reviewed_on: date,
) -> ResponseStatus:
    """The review with the other party starts the response period; recording it again
    re-dates the same deadline (its calendar UID stays, its SEQUENCE rises)."""
    stages.require(complaint, stages.Action.record_other_party_review)
    if complaint.response_received_on is not None:
        raise Conflict(
            "The written response is already recorded; the review date can no longer change.",
            errors=[field_error("reviewed_on", "before_response", "response already recorded")],
        )
    letter = await find_letter(db, complaint)
    errors = _not_future("reviewed_on", reviewed_on)
    if letter is not None and letter.signed_on is not None and reviewed_on < letter.signed_on:
        errors.append(field_error("reviewed_on", "not_before_signed", "on or after signed_on"))
    if errors:
        raise InvalidInput("The date of the review is not possible.", errors=errors)
    complaint.other_party_reviewed_on = reviewed_on
    deadline = await deadlines.open_after_days(
        db,
        settings,
        complaint.id,
        DeadlineKind.written_response,
        reviewed_on,
        settings.response_period_days,
    )
    await stages.record_event(db, complaint, actor.id, "response.requested")
    await audit.record(db, actor, "formal.record_other_party_review", "complaint", complaint.id)
    return response_status(complaint, deadline)


async def record_response(
    db: AsyncSession, actor: Principal, complaint: Complaint, received_on: date, text: str
) -> ResponseStatus:
    """The written response and its date; late is flagged, never refused."""
    stages.require(complaint, stages.Action.record_response)
    reviewed_on = complaint.other_party_reviewed_on
    if reviewed_on is None:
        raise Conflict(
            "Record the review with the other party first: it starts the response period.",
            errors=[field_error("reviewed_on", "required", "the review comes first")],
        )
    errors = _not_future("received_on", received_on)
    if received_on < reviewed_on:
        errors.append(field_error("received_on", "not_before_review", "on or after reviewed_on"))
    if errors:
        raise InvalidInput("The date of the response is not possible.", errors=errors)
    complaint.response_received_on = received_on
    complaint.response_text = text
    deadline = await deadlines.satisfy(db, complaint.id, DeadlineKind.written_response, received_on)
    by = actor.id if actor.is_user else None  # the other party, in the portal: no user
    await stages.record_event(db, complaint, by, "response.recorded")
    await triggers.response_recorded(db, complaint, by)
    await audit.record(db, actor, "formal.record_response", "complaint", complaint.id)
    return response_status(complaint, deadline)


# Telling the table officers (4.3.1(iii)) -------------------------------------------------


async def notify_table_officers(
    db: AsyncSession, actor: Principal, complaint: Complaint, occurred_on: date | None = None
) -> Deadline | None:
    """A change of state, not a message: from now on the officers see the reference and
    the non-identifying status, and must strike a CRC (4.3.1(iii)-(v)). The notice counts
    on the day it was given (today unless given), not the day it is recorded."""
    stages.require(complaint, stages.Action.notify_table_officers)
    notified_on = occurred_on or local_today()
    errors = _not_future("occurred_on", notified_on)
    chosen_on = complaint.formal_route_chosen_on or complaint.received_on
    if notified_on < chosen_on:
        errors.append(
            field_error("occurred_on", "not_before_route_chosen", "on or after chosen_on")
        )
    if errors:
        raise InvalidInput("The date of the notice is not possible.", errors=errors)
    complaint.table_officers_notified_on = notified_on
    complaint.table_officers_notice_recorded_at = utcnow()
    deadline = await deadlines.satisfy(
        db, complaint.id, DeadlineKind.table_officer_notice, notified_on
    )
    await stages.move(db, complaint, Stage.committee, actor.id)
    await audit.record(db, actor, "formal.notify_table_officers", "complaint", complaint.id)
    return deadline
