"""What the caller may do next on a complaint: the detail's ``allowed_actions``.

An action is listed when its route would accept it from this caller now: the caller holds
the part the route asks for (complaints/access.py ``for_handling``, investigation/access.py
``for_step``, committees/access.py), the stage allows it (stages.ALLOWED), and the order of
the procedure does not refuse it (the 409s of each service, and an incomplete letter).
Everything is read in one statement.

Actions of table officers (striking the CRC, declaring their conflict, tracking the
recommendations) are never listed here: the detail is for case workers only."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Uuid, and_, bindparam, exists, func, select

from ombuds.auth.principal import Principal
from ombuds.complaints.stages import ALLOWED, OPEN, Action
from ombuds.formal.service import LETTER_FIELDS
from ombuds.investigation.access import CRC, CRC_AND_STAFF, CRC_OR_INTAKE, Part
from ombuds.kit.clock import local_today
from ombuds.models import (
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    ComplaintPerson,
    Deadline,
    DeadlineKind,
    Finding,
    FormalRoute,
    InformalAttempt,
    InformalOutcome,
    InformalParticipant,
    InvestigationEntry,
    Letter,
    OfficerConflict,
    OmbudspersonConflict,
    PartyNotice,
    Recommendation,
    Role,
    Stage,
    User,
    UserRole,
)

HANDLER = "handler"  # the intake ombudsperson, or one who took part informally (4.2.1, 4.3)
READER = "ombudsperson_reader"  # any ombudsperson who reads the complaint (a conflict, 4.3.1(v))


class CaseState(Protocol):
    """What the rules read of the complaint's own columns: an ORM `Complaint`, or the row
    the detail read (complaints/reads.py) holds."""

    @property
    def stage(self) -> Stage: ...
    @property
    def intake_ombudsperson_id(self) -> uuid.UUID: ...
    @property
    def formal_route(self) -> FormalRoute | None: ...
    @property
    def other_party_reviewed_on(self) -> date | None: ...
    @property
    def response_received_on(self) -> date | None: ...
    @property
    def finding(self) -> Finding | None: ...
    @property
    def complainant_told_conclusions_on(self) -> date | None: ...
    @property
    def other_party_told_conclusions_on(self) -> date | None: ...
    @property
    def complainant_not_satisfied_on(self) -> date | None: ...


@dataclass(frozen=True)
class Facts:
    """What the rules need beyond the complaint's own columns."""

    took_part_informally: bool
    crc_seat: bool
    crc_staff_resource: bool
    resolved_attempt: bool
    letter_complete: bool
    investigation_recorded: bool
    recommendations: int
    undisclosed: int
    owed_notice: bool
    conflict_declared: bool
    officer_to_receive: bool
    response_due_on: date | None


def _fact_columns() -> list[ColumnElement[Any]]:
    """The facts of the complaint `complaints.id` for the caller `:uid`, as columns that
    correlate with the complaint: built once, read beside the complaint's own row (the
    detail, complaints/reads.py)."""
    cid, uid = Complaint.id, bindparam("uid", type_=Uuid())
    confirmed = and_(Committee.complaint_id == cid, Committee.status == CommitteeStatus.confirmed)
    recommendations = select(func.count(Recommendation.id)).where(
        Recommendation.complaint_id == cid
    )
    unrecused_officer = (
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(
            UserRole.role == Role.table_officer,
            User.is_active,
            ~exists().where(
                OfficerConflict.complaint_id == cid, OfficerConflict.user_id == User.id
            ),
            ~exists().where(
                ComplaintPerson.complaint_id == cid, ComplaintPerson.member_id == User.member_id
            ),
        )
        .exists()
    )
    return [
        exists()
        .where(InformalParticipant.complaint_id == cid, InformalParticipant.user_id == uid)
        .label("took_part_informally"),
        exists()
        .where(
            confirmed,
            CommitteeMember.committee_id == Committee.id,
            CommitteeMember.user_id == uid,
        )
        .label("crc_seat"),
        exists().where(confirmed, Committee.staff_resource_id == uid).label("crc_staff_resource"),
        exists()
        .where(
            InformalAttempt.complaint_id == cid,
            InformalAttempt.outcome == InformalOutcome.resolved,
        )
        .label("resolved_attempt"),
        exists()
        .where(
            Letter.complaint_id == cid, *(getattr(Letter, f).is_not(None) for f in LETTER_FIELDS)
        )
        .label("letter_complete"),
        exists().where(InvestigationEntry.complaint_id == cid).label("investigation_recorded"),
        recommendations.scalar_subquery().label("recommendations"),
        recommendations.where(Recommendation.disclosure_id.is_(None))
        .scalar_subquery()
        .label("undisclosed"),
        exists()
        .where(
            PartyNotice.complaint_id == cid,
            PartyNotice.told_on.is_(None),
            PartyNotice.waived_at.is_(None),
        )
        .label("owed_notice"),
        exists()
        .where(OmbudspersonConflict.complaint_id == cid, OmbudspersonConflict.user_id == uid)
        .label("conflict_declared"),
        unrecused_officer.label("officer_to_receive"),
        select(Deadline.due_on)
        .where(Deadline.complaint_id == cid, Deadline.kind == DeadlineKind.written_response)
        .limit(1)
        .scalar_subquery()
        .label("response_due_on"),
    ]


FACT_COLUMNS = _fact_columns()


def facts_of(row: Any) -> Facts:
    """The facts from a row holding FACT_COLUMNS (by their labels)."""
    return Facts(
        took_part_informally=bool(row.took_part_informally),
        crc_seat=bool(row.crc_seat),
        crc_staff_resource=bool(row.crc_staff_resource),
        resolved_attempt=bool(row.resolved_attempt),
        letter_complete=bool(row.letter_complete),
        investigation_recorded=bool(row.investigation_recorded),
        recommendations=int(row.recommendations or 0),
        undisclosed=int(row.undisclosed or 0),
        owed_notice=bool(row.owed_notice),
        conflict_declared=bool(row.conflict_declared),
        officer_to_receive=bool(row.officer_to_receive),
        response_due_on=row.response_due_on,
    )


def parts(principal: Principal, complaint: CaseState, f: Facts) -> frozenset[str]:
    """The parts the caller holds, as the routes' access rules grant them."""
    held: set[str] = set()
    ombudsperson = principal.has_role(Role.ombudsperson)
    intake = principal.id is not None and complaint.intake_ombudsperson_id == principal.id
    if ombudsperson:
        held.add(READER)
        if intake or (f.took_part_informally and complaint.formal_route is None):
            held.add(HANDLER)
        if intake:
            held.add(Part.intake_ombudsperson)
        if f.crc_seat:
            held.add(Part.crc_member)
    if f.crc_staff_resource and not f.crc_seat and principal.has_role(Role.staff_resource):
        held.add(Part.staff_resource)
    return frozenset(held)


def _told_next(c: CaseState, f: Facts) -> bool:
    """4.3.1(ix): someone is still to be told, in order; found needs recommendations."""
    if c.complainant_told_conclusions_on is None:
        return c.finding is not Finding.harassment_found or f.recommendations > 0
    return c.other_party_told_conclusions_on is None


def _response_reviewable(c: CaseState, f: Facts) -> bool:
    """4.3.1(vi): findings wait for the other party's response, or for its days to end."""
    if c.other_party_reviewed_on is None:
        return False
    if c.response_received_on is not None:
        return True
    return f.response_due_on is not None and local_today() > f.response_due_on


def _may_close(c: CaseState, f: Facts) -> bool:
    told = c.complainant_told_conclusions_on and c.other_party_told_conclusions_on
    if not told or f.owed_notice:
        return False
    return c.finding is not Finding.harassment_found or (
        f.recommendations > 0 and not f.undisclosed
    )


Check = Callable[[CaseState, Facts], bool]
# Who may take each action, and what the order of the procedure asks beyond the stage.
RULES: dict[Action, tuple[frozenset[str], Check]] = {
    Action.edit_intake: (frozenset({HANDLER}), lambda c, f: True),
    Action.redirect: (frozenset({HANDLER}), lambda c, f: True),
    Action.record_informal_attempt: (frozenset({HANDLER}), lambda c, f: True),
    Action.resolve_informally: (frozenset({HANDLER}), lambda c, f: f.resolved_attempt),
    Action.choose_formal_route: (
        frozenset({HANDLER}),
        lambda c, f: not (c.stage is Stage.informal and f.resolved_attempt),
    ),
    Action.edit_letter: (frozenset({HANDLER}), lambda c, f: True),
    Action.attach_document: (frozenset({HANDLER}), lambda c, f: True),
    Action.complete_letter: (frozenset({HANDLER}), lambda c, f: f.letter_complete),
    Action.record_other_party_review: (
        frozenset({HANDLER}),
        lambda c, f: c.response_received_on is None,
    ),
    Action.record_response: (
        frozenset({HANDLER}),
        lambda c, f: c.other_party_reviewed_on is not None,
    ),
    Action.notify_table_officers: (frozenset({HANDLER}), lambda c, f: True),
    Action.declare_ombudsperson_conflict: (
        frozenset({READER}),
        lambda c, f: not f.conflict_declared,
    ),
    Action.record_investigation: (CRC_AND_STAFF, lambda c, f: True),
    Action.record_findings: (
        CRC,
        lambda c, f: f.investigation_recorded and _response_reviewable(c, f),
    ),
    Action.add_recommendation: (CRC, lambda c, f: c.finding is Finding.harassment_found),
    Action.disclose_recommendations: (
        CRC,
        lambda c, f: f.undisclosed > 0 and f.officer_to_receive,
    ),
    Action.tell_conclusions: (CRC, _told_next),
    Action.record_not_satisfied: (
        CRC_OR_INTAKE,
        lambda c, f: (
            c.complainant_told_conclusions_on is not None and c.complainant_not_satisfied_on is None
        ),
    ),
    Action.record_party_notice: (CRC_OR_INTAKE, lambda c, f: f.owed_notice),
    Action.close: (CRC, _may_close),
    # 4.3.1(vii): a complaint closes only once every notice owed to a party is told or waived.
    Action.withdraw: (frozenset({HANDLER}), lambda c, f: c.stage in OPEN and not f.owed_notice),
}
# Table officers' actions (never in a case worker's detail).
OFFICERS_ONLY = frozenset(
    {Action.strike_committee, Action.declare_officer_conflict, Action.track_recommendation}
)


def allowed(principal: Principal, complaint: CaseState, f: Facts) -> list[Action]:
    held = parts(principal, complaint, f)
    return [
        action
        for action, (who, check) in RULES.items()
        if complaint.stage in ALLOWED[action] and held & who and check(complaint, f)
    ]


__all__ = [
    "FACT_COLUMNS",
    "OFFICERS_ONLY",
    "RULES",
    "Facts",
    "allowed",
    "facts_of",
    "parts",
]
