"""The one state machine of the procedure.

Each action names the stages it is allowed in. A request the current stage does not allow
is a 409 that names the current stage and the steps allowed from it. Moving to a new stage
creates the notices owed to both parties (4.3.1(vii)) and a timeline event; moving to
`committee` notifies the table officers that a CRC must be struck (4.3.1(iii)-(v))."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.kit.clock import local_today, utcnow
from ombuds.kit.errors import Conflict, StageNotAllowed, field_error
from ombuds.models import Closure, Complaint, PartyNotice, PartyRole, Stage, TimelineEvent
from ombuds.notifications import triggers
from ombuds.statistics import facts


class Action(StrEnum):
    edit_intake = "edit_intake"
    redirect = "redirect"  # 1.3
    record_informal_attempt = "record_informal_attempt"  # 4.2.1
    resolve_informally = "resolve_informally"  # 4.2.1
    choose_formal_route = "choose_formal_route"  # 4.3, 4.3.1
    edit_letter = "edit_letter"  # 4.3.1(i)
    attach_document = "attach_document"
    complete_letter = "complete_letter"  # 4.3.1(i)
    record_other_party_review = "record_other_party_review"  # 4.3.1(ii)
    record_response = "record_response"  # 4.3.1(ii)
    notify_table_officers = "notify_table_officers"  # 4.3.1(iii)
    declare_officer_conflict = "declare_officer_conflict"  # 4.3.1(iv)
    declare_ombudsperson_conflict = "declare_ombudsperson_conflict"  # 4.3.1(v)
    strike_committee = "strike_committee"  # 4.3.1(v)
    record_investigation = "record_investigation"  # 4.3.1(vi)
    record_findings = "record_findings"  # 4.3.1(viii)
    add_recommendation = "add_recommendation"  # 4.3.1(viii)
    disclose_recommendations = "disclose_recommendations"  # 4.3.1(viii), 5.1
    track_recommendation = "track_recommendation"  # 4.3.1(viii)
    tell_conclusions = "tell_conclusions"  # 4.3.1(ix)
    record_not_satisfied = "record_not_satisfied"  # 4.3.1(x)
    record_party_notice = "record_party_notice"  # 4.3.1(vii)
    close = "close"
    withdraw = "withdraw"


OPEN = frozenset(s for s in Stage if s is not Stage.closed)
FORMAL = frozenset({Stage.review, Stage.committee, Stage.investigation, Stage.conclusions})

ALLOWED: dict[Action, frozenset[Stage]] = {
    Action.edit_intake: frozenset({Stage.intake, Stage.informal}),
    Action.redirect: frozenset({Stage.intake}),
    Action.record_informal_attempt: frozenset({Stage.intake, Stage.informal}),
    Action.resolve_informally: frozenset({Stage.informal}),
    Action.choose_formal_route: frozenset({Stage.intake, Stage.informal}),
    Action.edit_letter: frozenset({Stage.letter}),
    Action.attach_document: frozenset({Stage.letter, *FORMAL}),
    Action.complete_letter: frozenset({Stage.letter}),
    Action.record_other_party_review: FORMAL,
    Action.record_response: FORMAL,
    Action.notify_table_officers: frozenset({Stage.review}),
    Action.declare_officer_conflict: frozenset(
        {Stage.committee, Stage.investigation, Stage.conclusions}
    ),
    Action.declare_ombudsperson_conflict: frozenset(
        {Stage.intake, Stage.informal, Stage.letter, Stage.review, Stage.committee}
    ),
    Action.strike_committee: frozenset({Stage.committee}),
    Action.record_investigation: frozenset({Stage.investigation}),
    Action.record_findings: frozenset({Stage.investigation}),
    Action.add_recommendation: frozenset({Stage.conclusions}),
    Action.disclose_recommendations: frozenset({Stage.conclusions}),
    Action.track_recommendation: frozenset({Stage.conclusions, Stage.closed}),
    Action.tell_conclusions: frozenset({Stage.conclusions}),
    Action.record_not_satisfied: frozenset({Stage.conclusions, Stage.closed}),
    Action.record_party_notice: frozenset(Stage),
    Action.close: frozenset({Stage.conclusions}),
    Action.withdraw: OPEN,
}


def allowed_actions(stage: Stage) -> list[Action]:
    return [a for a, stages in ALLOWED.items() if stage in stages]


def require(complaint: Complaint, action: Action) -> None:
    if complaint.stage not in ALLOWED[action]:
        allowed = allowed_actions(complaint.stage)
        raise StageNotAllowed(
            f"'{action.value}' is not allowed while the complaint is at stage "
            f"'{complaint.stage.value}'.",
            stage=complaint.stage.value,
            allowed_actions=[a.value for a in allowed],
        )


async def record_event(
    db: AsyncSession, complaint: Complaint, actor_id: uuid.UUID | None, kind: str
) -> None:
    """A timeline entry in fixed words; every event also moves the complaint's version."""
    db.add(
        TimelineEvent(
            complaint_id=complaint.id, actor_id=actor_id, kind=kind, stage=complaint.stage
        )
    )
    complaint.updated_at = utcnow()
    await db.flush()


class PartyNoticesOwed(Conflict):
    slug, title = "party-notices-owed", "The parties are still owed notices"


async def require_parties_told(db: AsyncSession, complaint: Complaint) -> None:
    """4.3.1(vii): a complaint closes only once every notice owed to a party is recorded
    as told, or waived with a reason. The refusal names each notice by stage and party
    role, never by name."""
    rows = (
        await db.execute(
            select(PartyNotice.stage, PartyNotice.party).where(
                PartyNotice.complaint_id == complaint.id,
                PartyNotice.told_on.is_(None),
                PartyNotice.waived_at.is_(None),
            )
        )
    ).all()
    if not rows:
        return
    order = list(Stage)
    owed = sorted(
        ((stage, party) for stage, party in rows),
        key=lambda row: (order.index(row[0]), row[1] is not PartyRole.complainant),
    )
    raise PartyNoticesOwed(
        "The parties are still owed notice of a stage of their complaint (4.3.1(vii)): "
        "record each as told, or waive it with a reason, before the complaint closes.",
        errors=[
            field_error(
                f"party_notices.{stage.value}.{party.value}",
                "told_or_waived",
                "owed: not recorded as told, nor waived",
            )
            for stage, party in owed
        ],
    )


async def move(
    db: AsyncSession,
    complaint: Complaint,
    to: Stage,
    actor_id: uuid.UUID | None,
    *,
    closure: Closure | None = None,
) -> None:
    """Change stage; each change is owed to both parties (4.3.1(vii))."""
    if (to is Stage.closed) != (closure is not None):
        raise ValueError("a closure reason goes with the closed stage, and only with it")
    if to is Stage.closed:
        await require_parties_told(db, complaint)
    previous = complaint.stage
    complaint.stage = to
    if closure is not None:
        complaint.closure = closure
        complaint.closed_on = local_today()
    # Notices are owed once the formal procedure involves both parties.
    if to in FORMAL or (to is Stage.closed and previous in FORMAL):
        for party in (PartyRole.complainant, PartyRole.other_party):
            db.add(PartyNotice(complaint_id=complaint.id, stage=to, party=party))
    await record_event(db, complaint, actor_id, f"stage.{to.value}")
    if to is Stage.committee:  # 4.3.1(iii)-(v): the table officers must strike a CRC
        await triggers.committee_to_strike(db, complaint, actor_id)
    if to is Stage.closed:  # 5.1, 6: the coded facts that outlive the content
        await facts.record_closure(db, complaint, previous)
