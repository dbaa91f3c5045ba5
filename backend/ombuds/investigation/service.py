"""The CRC's investigation (4.3.1(vi)), its findings (4.3.1(viii)), telling the parties in
order (4.3.1(ix)), the complainant not satisfied (4.3.1(x)) and closing the complaint.

Recommendations and their disclosure live in recommendations.py, other disclosures (5.1)
in disclosures.py, the notices owed to the parties (4.3.1(vii)) in notices.py."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import stages
from ombuds.deadlines import service as deadlines
from ombuds.formal import service as formal
from ombuds.formal.schemas import ResponseFlag
from ombuds.investigation import notices
from ombuds.investigation.checks import Dates
from ombuds.investigation.schemas import (
    ConclusionParty,
    ConclusionsToldIn,
    FindingsIn,
    InvestigationEntryIn,
    NotSatisfiedIn,
)
from ombuds.kit.errors import Conflict, field_error
from ombuds.models import (
    Closure,
    Committee,
    CommitteeStatus,
    Complaint,
    DeadlineKind,
    Finding,
    InvestigationEntry,
    PartyNotice,
    PartyRole,
    Recommendation,
    Stage,
)

AFTER_STRUCK = "on or after the day the Complaint Review Committee was struck"


async def _committee(db: AsyncSession, complaint: Complaint) -> Committee | None:
    return await db.scalar(
        select(Committee).where(
            Committee.complaint_id == complaint.id, Committee.status == CommitteeStatus.confirmed
        )
    )


# 4.3.1(vi) ------------------------------------------------------------------------------


async def record_entry(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: InvestigationEntryIn
) -> InvestigationEntry:
    """4.3.1(vi): one step of the CRC's review, or one interview."""
    assert actor.id is not None
    stages.require(complaint, stages.Action.record_investigation)
    committee = await _committee(db, complaint)
    struck_on = committee.struck_on if committee else None
    Dates().not_in_future("occurred_on", body.occurred_on).not_before(
        "occurred_on", body.occurred_on, struck_on, "on_or_after_crc_struck", AFTER_STRUCK
    ).check()
    entry = InvestigationEntry(
        complaint_id=complaint.id,
        kind=body.kind,
        occurred_on=body.occurred_on,
        notes=body.notes,
        recorded_by=actor.id,
    )
    db.add(entry)
    await db.flush()
    await stages.record_event(db, complaint, actor.id, "investigation.entry_recorded")
    await audit.record(db, actor, "investigation.record_entry", "investigation_entry", entry.id)
    return entry


async def entries(
    db: AsyncSession, actor: Principal, complaint: Complaint
) -> list[InvestigationEntry]:
    rows = await db.scalars(
        select(InvestigationEntry)
        .where(InvestigationEntry.complaint_id == complaint.id)
        .order_by(InvestigationEntry.occurred_on, InvestigationEntry.recorded_at)
    )
    await audit.record(db, actor, "investigation.read_entries", "complaint", complaint.id)
    return list(rows.all())


# 4.3.1(viii) -----------------------------------------------------------------------------


async def record_findings(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: FindingsIn
) -> None:
    """4.3.1(viii): harassment found or not (dismissed); the CRC's report is in."""
    stages.require(complaint, stages.Action.record_findings)
    committee = await _committee(db, complaint)
    struck_on = committee.struck_on if committee else None
    Dates().not_in_future("findings_on", body.findings_on).not_before(
        "findings_on", body.findings_on, struck_on, "on_or_after_crc_struck", AFTER_STRUCK
    ).check()
    recorded = await db.scalar(
        select(func.count())
        .select_from(InvestigationEntry)
        .where(InvestigationEntry.complaint_id == complaint.id)
    )
    if not recorded:
        raise Conflict(
            "The investigation comes before its findings: record at least one of its steps "
            "(4.3.1(vi)).",
            errors=[field_error("investigation", "investigation_recorded", "no step recorded yet")],
        )
    await _require_response_reviewable(db, complaint)
    complaint.finding = body.finding
    complaint.findings_text = body.findings_text
    complaint.findings_on = body.findings_on
    await deadlines.satisfy(db, complaint.id, DeadlineKind.crc_report, body.findings_on)
    # The written response's deadline served the CRC's review: if it is still open (its
    # days are over, nothing came), it ends here as lapsed, no longer overdue anywhere.
    await deadlines.lapse(db, complaint.id, DeadlineKind.written_response)
    await stages.move(db, complaint, Stage.conclusions, actor.id)
    await audit.record(db, actor, "investigation.record_findings", "complaint", complaint.id)


async def _require_response_reviewable(db: AsyncSession, complaint: Complaint) -> None:
    """4.3.1(vi): the CRC reviews the letter *and the other party's response*. Findings
    wait until the other party was asked to respond (4.3.1(ii)) and the response is in,
    or its days are over without it (a lapsed response never stops the procedure)."""
    deadline = await deadlines.find(db, complaint.id, DeadlineKind.written_response)
    flag = formal.response_status(complaint, deadline).flag
    if flag is None:
        raise Conflict(
            "The CRC reviews the complaint and the other party's response (4.3.1(vi)): the "
            "other party has not yet been asked to respond in writing (4.3.1(ii)).",
            errors=[
                field_error(
                    "other_party_reviewed_on",
                    "other_party_asked_to_respond",
                    "the other party has not been asked to respond",
                )
            ],
        )
    if flag is ResponseFlag.awaiting:
        raise Conflict(
            "The CRC reviews the complaint and the other party's response (4.3.1(vi)): the "
            "response is not recorded and the days to respond (4.3.1(ii)) are not over.",
            errors=[
                field_error(
                    "response_received_on",
                    "response_in_or_period_over",
                    "not recorded, and the response period has not ended",
                )
            ],
            response_due_on=deadline.due_on.isoformat() if deadline else None,
        )


async def recommendation_counts(db: AsyncSession, complaint: Complaint) -> tuple[int, int]:
    """(all recommendations, those not yet disclosed to the table officers)."""
    row = (
        await db.execute(
            select(
                func.count(Recommendation.id),
                func.count(case((Recommendation.disclosure_id.is_(None), 1))),
            ).where(Recommendation.complaint_id == complaint.id)
        )
    ).one()
    return int(row[0]), int(row[1])


async def conclusions_read(db: AsyncSession, actor: Principal, complaint: Complaint) -> None:
    """The findings are confidential details: their every read is audited (5.1)."""
    await audit.record(db, actor, "investigation.read_conclusions", "complaint", complaint.id)


# 4.3.1(ix) -------------------------------------------------------------------------------


async def tell_conclusions(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: ConclusionsToldIn
) -> None:
    """4.3.1(ix): the member-complainant first, then the other party; never the reverse."""
    stages.require(complaint, stages.Action.tell_conclusions)
    complainant_on = complaint.complainant_told_conclusions_on
    told_already = (
        complainant_on
        if body.party is ConclusionParty.complainant
        else complaint.other_party_told_conclusions_on
    )
    if told_already is not None:
        raise Conflict(
            "This party was already told the conclusions.",
            errors=[field_error("party", "already_told", "already told")],
        )
    notices.refuse_portal_method("method", body.method)
    dates = Dates().not_in_future("told_on", body.told_on)
    if body.party is ConclusionParty.complainant:
        total, _ = await recommendation_counts(db, complaint)
        if complaint.finding is Finding.harassment_found and total == 0:
            raise Conflict(
                "Harassment was found: the conclusions carry the CRC's recommendations; "
                "add them before telling the member-complainant (4.3.1(viii)).",
                errors=[field_error("recommendations", "recommendations_made", "none yet")],
            )
        dates.not_before(
            "told_on",
            body.told_on,
            complaint.findings_on,
            "on_or_after_findings",
            "on or after the day of the findings",
        ).check()
        complaint.complainant_told_conclusions_on = body.told_on
    else:
        if complainant_on is None:
            raise Conflict(
                "The member-complainant is told the conclusions first, then the other party "
                "(4.3.1(ix)).",
                errors=[
                    field_error(
                        "party", "complainant_first", "the member-complainant is told first"
                    )
                ],
            )
        dates.not_before(
            "told_on",
            body.told_on,
            complainant_on,
            "not_before_complainant",
            "not before the day the member-complainant was told",
        ).check()
        complaint.other_party_told_conclusions_on = body.told_on
    # Telling the conclusions is also telling the party of the stage (4.3.1(vii)).
    notice = await db.scalar(
        select(PartyNotice).where(
            PartyNotice.complaint_id == complaint.id,
            PartyNotice.stage == Stage.conclusions,
            PartyNotice.party == PartyRole(body.party.value),
            PartyNotice.told_on.is_(None),
        )
    )
    if notice is not None:
        notice.told_on, notice.method = body.told_on, body.method
    await stages.record_event(db, complaint, actor.id, f"conclusions.told_{body.party.value}")
    await audit.record(db, actor, "investigation.tell_conclusions", "complaint", complaint.id)


# 4.3.1(x) --------------------------------------------------------------------------------


async def record_not_satisfied(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: NotSatisfiedIn
) -> None:
    """4.3.1(x): not satisfied, the member-complainant is referred to a constitutional charge."""
    stages.require(complaint, stages.Action.record_not_satisfied)
    told_on = complaint.complainant_told_conclusions_on
    if told_on is None:
        raise Conflict(
            "The member-complainant has not been told the conclusions yet (4.3.1(ix)).",
            errors=[
                field_error(
                    "complainant_not_satisfied_on", "complainant_told", "not told the conclusions"
                )
            ],
        )
    if complaint.complainant_not_satisfied_on is not None:
        raise Conflict(
            "The member-complainant's dissatisfaction is already recorded.",
            errors=[field_error("complainant_not_satisfied_on", "already_recorded", "recorded")],
        )
    not_satisfied_on, referred_on = body.complainant_not_satisfied_on, body.referred_to_charge_on
    Dates().not_in_future("complainant_not_satisfied_on", not_satisfied_on).not_before(
        "complainant_not_satisfied_on",
        not_satisfied_on,
        told_on,
        "on_or_after_told",
        "on or after the day the member-complainant was told the conclusions",
    ).not_in_future("referred_to_charge_on", referred_on).not_before(
        "referred_to_charge_on",
        referred_on,
        not_satisfied_on,
        "on_or_after_not_satisfied",
        "on or after the day the member-complainant said they were not satisfied",
    ).check()
    complaint.complainant_not_satisfied_on = not_satisfied_on
    complaint.referred_to_charge_on = referred_on
    by = actor.id if actor.is_user else None  # the member-complainant, in the portal
    await stages.record_event(db, complaint, by, "conclusions.not_satisfied")
    await audit.record(db, actor, "investigation.record_not_satisfied", "complaint", complaint.id)


# Closing ---------------------------------------------------------------------------------


async def close(db: AsyncSession, actor: Principal, complaint: Complaint) -> None:
    """Dismissed (not found) or concluded (found, recommendations handed over); both
    parties told first. Nothing is owed afterwards: open deadlines are cancelled."""
    stages.require(complaint, stages.Action.close)
    untold = [
        field_error(field, "told", "not told the conclusions yet")
        for field, on in (
            ("complainant_told_conclusions_on", complaint.complainant_told_conclusions_on),
            ("other_party_told_conclusions_on", complaint.other_party_told_conclusions_on),
        )
        if on is None
    ]
    if untold:
        raise Conflict(
            "Both parties are told the conclusions before the complaint closes (4.3.1(ix)).",
            errors=untold,
        )
    if complaint.finding is Finding.harassment_found:
        total, undisclosed = await recommendation_counts(db, complaint)
        if total == 0 or undisclosed:
            raise Conflict(
                "Harassment was found: every recommendation goes to the table officers "
                "before the complaint closes (4.3.1(viii), 5.1).",
                errors=[
                    field_error("recommendations", "recommendations_disclosed", "not disclosed")
                ],
            )
        closure = Closure.concluded
    else:
        closure = Closure.dismissed
    await stages.move(db, complaint, Stage.closed, actor.id, closure=closure)
    await deadlines.cancel_open(db, complaint.id)
    await audit.record(db, actor, "investigation.close", "complaint", complaint.id)
