"""Striking the Complaint Review Committee (4.3.1(v)): propose a panel, redraw a seat,
confirm it; and an ombudsperson's declared conflict, which keeps them off the panel."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.calendars import validator as feed_validator
from ombuds.committees import eligibility
from ombuds.committees.eligibility import Eligibility
from ombuds.committees.schemas import (
    CommitteeForCaseWorker,
    CommitteeProposalForOfficer,
    EligibilityTable,
    OmbudspersonEligibility,
    PanelSeat,
    PanelStaffResource,
    ProposalSeat,
    StaffResourceOut,
)
from ombuds.complaints import stages
from ombuds.deadlines import service as deadlines
from ombuds.kit.clock import local_today, utcnow
from ombuds.kit.errors import Conflict, InvalidInput, NotFound, PreconditionFailed, field_error
from ombuds.models import (
    Committee,
    CommitteeExclusion,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    DeadlineKind,
    OmbudspersonConflict,
    Stage,
    User,
)
from ombuds.notifications import triggers
from ombuds.settings import Settings

SIMULTANEOUS = "Someone else changed the complaint at the same moment; reload it and try again."


class NotEnoughEligible(Conflict):
    slug, title = "not-enough-eligible", "Not enough eligible ombudspersons"


@asynccontextmanager
async def one_at_a_time() -> AsyncIterator[None]:
    """Two officers acting at once: the complaint's and the committee's versions are
    optimistic locks, so exactly one change goes through and the other is a 412, like
    every other race (its precondition, the version it read, no longer holds)."""
    try:
        yield
    except StaleDataError as exc:
        raise PreconditionFailed(SIMULTANEOUS) from exc


async def claim(db: AsyncSession, complaint: Complaint, actor_id: uuid.UUID, kind: str) -> None:
    """The first write of every change to the panel, before any rule is weighed: the
    timeline event moves the complaint's version on with UPDATE ... WHERE version = the
    one the caller sent. A writer who raced another finds that version gone (no row
    updated) and gets 412, never a later rule's 409; until its transaction ends, the
    complaint row keeps the other writers waiting."""
    async with one_at_a_time():
        await stages.record_event(db, complaint, actor_id, kind)


async def committee_of(db: AsyncSession, complaint_id: uuid.UUID) -> Committee | None:
    return await db.scalar(select(Committee).where(Committee.complaint_id == complaint_id))


async def open_proposal(db: AsyncSession, complaint_id: uuid.UUID) -> Committee:
    committee = await committee_of(db, complaint_id)
    if committee is None or committee.status is not CommitteeStatus.proposed:
        raise Conflict(
            "There is no proposed Complaint Review Committee on this complaint; propose one.",
            errors=[field_error("proposal", "exists", "propose a panel first")],
        )
    return committee


async def _members(db: AsyncSession, committee_id: uuid.UUID) -> list[CommitteeMember]:
    rows = await db.scalars(
        select(CommitteeMember)
        .where(CommitteeMember.committee_id == committee_id)
        .order_by(CommitteeMember.seat)
    )
    return list(rows.all())


def _ombudspersons(n: int) -> str:
    return f"{n} ombudsperson is" if n == 1 else f"{n} ombudspersons are"


def _require_enough(eligible: int, needed: int) -> None:
    """4.3.1(v): a clear error with the numbers only: never who, never why."""
    if eligible < needed:
        raise NotEnoughEligible(
            f"Only {_ombudspersons(eligible)} eligible to sit on this Complaint Review "
            f"Committee; {needed} are needed.",
            errors=[
                field_error("committee", "enough_eligible", f"{eligible} eligible, {needed} needed")
            ],
            eligible=eligible,
            needed=needed,
        )


def _no_staff_resource() -> Conflict:
    return Conflict(
        "No staff resource of the two allowed kinds is eligible for this Complaint Review "
        "Committee.",
        errors=[
            field_error(
                "staff_resource_id",
                "eligible_staff_resource_available",
                "no eligible Special Assignments Officer or Equality Representative",
            )
        ],
    )


async def _snapshot_exclusions(
    db: AsyncSession, complaint_id: uuid.UUID, found: Eligibility
) -> None:
    """Every excluded ombudsperson with every reason, as it stands now (replacing the last)."""
    await db.execute(
        delete(CommitteeExclusion).where(CommitteeExclusion.complaint_id == complaint_id)
    )
    db.add_all(
        CommitteeExclusion(complaint_id=complaint_id, user_id=o.user_id, reason=reason)
        for o in found.excluded
        for reason in o.reasons
    )


async def propose(
    db: AsyncSession,
    settings: Settings,
    actor: Principal,
    complaint: Complaint,
    staff_resource_id: uuid.UUID | None,
) -> Committee:
    """Draw a panel: settings.crc_size eligible ombudspersons and one staff resource.

    A new proposal keeps the members of the last one who can still sit, at their seats,
    and draws only the seats left empty: proposing again and again shows the officers
    nobody new, so it never reveals the eligible pool, nor by elimination who was
    excluded (4.3.1(v)). Without a chosen staff resource, the last one stays if eligible."""
    assert actor.id is not None
    stages.require(complaint, stages.Action.strike_committee)
    await claim(db, complaint, actor.id, "committee.proposed")
    existing = await committee_of(db, complaint.id)
    if existing is not None and existing.status is CommitteeStatus.confirmed:
        raise Conflict("The Complaint Review Committee has already been struck.")
    found = await eligibility.assess(db, complaint)
    needed = settings.crc_size
    if staff_resource_id is not None:
        if staff_resource_id not in found.staff_resource_ids:
            raise InvalidInput(
                "The chosen staff resource is not an eligible staff resource for this complaint.",
                errors=[
                    field_error(
                        "staff_resource_id",
                        "eligible_staff_resource",
                        "an active staff resource of the two allowed kinds, not a party or "
                        "a witness",
                    )
                ],
            )
        pool = [i for i in found.eligible_ids if i != staff_resource_id]
    else:
        pool = found.eligible_ids
    _require_enough(len(pool), needed)
    seats: dict[int, uuid.UUID] = {}
    if existing is not None:
        seats = {
            m.seat: m.user_id
            for m in await _members(db, existing.id)
            if m.seat <= needed and m.user_id in pool
        }
    loads = await eligibility.seat_loads(db, [*pool, *found.staff_resource_ids])
    vacant = [seat for seat in range(1, needed + 1) if seat not in seats]
    kept = set(seats.values())
    drawn = eligibility.draw([i for i in pool if i not in kept], loads, len(vacant))
    seats.update(zip(vacant, drawn, strict=True))
    panel = set(seats.values())
    if staff_resource_id is None:
        staff_pool = [i for i in found.staff_resource_ids if i not in panel]
        if not staff_pool:
            raise _no_staff_resource()
        if existing is not None and existing.staff_resource_id in staff_pool:
            staff_resource_id = existing.staff_resource_id
        else:
            (staff_resource_id,) = eligibility.draw(staff_pool, loads, 1)
    async with one_at_a_time():
        if existing is None:
            committee = Committee(
                complaint_id=complaint.id,
                status=CommitteeStatus.proposed,
                staff_resource_id=staff_resource_id,
                proposed_by=actor.id,
            )
            db.add(committee)
        else:  # a new proposal replaces the last one, and its version moves on
            committee = existing
            committee.staff_resource_id = staff_resource_id
            committee.proposed_by = actor.id
            committee.updated_at = utcnow()
            # The members replaced may have had the complaint in their calendar feeds.
            await feed_validator.committees_changed(db, [committee.id])
            await db.execute(
                delete(CommitteeMember).where(CommitteeMember.committee_id == committee.id)
            )
        await db.flush()
        db.add_all(
            CommitteeMember(committee_id=committee.id, seat=seat, user_id=user_id)
            for seat, user_id in sorted(seats.items())
        )
        await _snapshot_exclusions(db, complaint.id, found)
        await db.flush()
    await audit.record(db, actor, "committees.propose", "complaint", complaint.id)
    return committee


def _discretionary_left(settings: Settings, committee: Committee) -> int:
    return max(settings.crc_discretionary_redraws - committee.discretionary_redraws, 0)


def _redraws(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


async def redraw(
    db: AsyncSession, settings: Settings, actor: Principal, complaint: Complaint, seat: int
) -> Committee:
    """Replace one seat with another eligible ombudsperson not already on the panel.

    4.3.1(v): a seat whose member can no longer sit is redrawn whenever asked. A seat whose
    member can still sit is redrawn at the officers' discretion only
    settings.crc_discretionary_redraws times per complaint: each redraw shows one more
    eligible ombudsperson, and unbounded redraws would show the whole pool and so, by
    elimination, who was excluded. Every redraw is audited, the discretionary ones apart."""
    assert actor.id is not None
    stages.require(complaint, stages.Action.strike_committee)
    await claim(db, complaint, actor.id, "committee.seat_redrawn")
    committee = await open_proposal(db, complaint.id)
    members = await _members(db, committee.id)
    target = next((m for m in members if m.seat == seat), None)
    if target is None:
        raise InvalidInput(
            "The proposal has no such seat.",
            errors=[field_error("seat", "exists", f"a seat from 1 to {len(members)}")],
        )
    found = await eligibility.assess(db, complaint)
    at_discretion = target.user_id in found.eligible_ids
    allowed = settings.crc_discretionary_redraws
    if at_discretion and _discretionary_left(settings, committee) == 0:
        raise Conflict(
            f"Seat {seat} is held by an ombudsperson who can still sit. Such a seat may be "
            f"redrawn at the officers' discretion {_redraws(allowed)} per complaint "
            f"({committee.discretionary_redraws} used); a seat whose member can no longer "
            "sit may always be redrawn.",
            errors=[
                field_error(
                    "seat",
                    "discretionary_redraws",
                    f"the member can still sit; at most {allowed} discretionary redraws "
                    "per complaint",
                )
            ],
        )
    taken = {m.user_id for m in members} | {committee.staff_resource_id}
    pool = [i for i in found.eligible_ids if i not in taken]
    if not pool:
        raise Conflict(
            f"No other eligible ombudsperson is left to take seat {seat}.",
            errors=[field_error("seat", "replacement_available", "no eligible replacement")],
        )
    (chosen,) = eligibility.draw(pool, await eligibility.seat_loads(db, pool), 1)
    async with one_at_a_time():
        target.user_id = chosen
        if at_discretion:
            committee.discretionary_redraws += 1
        committee.updated_at = utcnow()  # the proposal's version moves on
        await _snapshot_exclusions(db, complaint.id, found)
        await db.flush()
    action = "committees.redraw_seat_at_discretion" if at_discretion else "committees.redraw_seat"
    await audit.record(db, actor, action, "complaint", complaint.id)
    return committee


def _struck_on(complaint: Complaint, occurred_on: date | None) -> date:
    """The day the CRC was struck: not in the future, not before the officers were told."""
    struck_on = occurred_on or local_today()
    errors = []
    if struck_on > local_today():
        errors.append(field_error("occurred_on", "not_in_future", "must not be after today"))
    told_on = complaint.table_officers_notified_on
    if told_on is not None and struck_on < told_on:
        errors.append(
            field_error(
                "occurred_on",
                "not_before_officers_told",
                "on or after the day the table officers were told (4.3.1(iii))",
            )
        )
    if errors:
        raise InvalidInput("Invalid date in: occurred_on.", errors=errors)
    return struck_on


async def confirm(
    db: AsyncSession,
    settings: Settings,
    actor: Principal,
    complaint: Complaint,
    proposal_version: int,
    occurred_on: date | None = None,
) -> Committee:
    """Strike the CRC: the proposal as read becomes the committee; the investigation
    starts and its report is due settings.crc_report_target_days after the day it was
    struck (today unless given), not the day that is recorded (4.3.1(vi))."""
    assert actor.id is not None
    stages.require(complaint, stages.Action.strike_committee)
    await claim(db, complaint, actor.id, "committee.confirmed")
    committee = await open_proposal(db, complaint.id)
    if committee.version != proposal_version:
        raise PreconditionFailed(
            "The proposal changed since you read it; reload it and confirm again.",
            errors=[field_error("proposal_version", "current", "the proposal's current version")],
            current_version=committee.version,
        )
    struck_on = _struck_on(complaint, occurred_on)
    members = await _members(db, committee.id)
    found = await eligibility.assess(db, complaint)
    eligible = set(found.eligible_ids)
    errors = [
        field_error(f"seats.{m.seat}", "eligible", "no longer eligible: redraw this seat")
        for m in members
        if m.user_id not in eligible
    ]
    if committee.staff_resource_id not in found.staff_resource_ids:
        errors.append(
            field_error("staff_resource_id", "eligible_staff_resource", "no longer eligible")
        )
    if len(members) != settings.crc_size:
        errors.append(field_error("seats", "crc_size", f"{settings.crc_size} seats are needed"))
    if errors:
        raise Conflict(
            "The proposed panel can no longer be confirmed as it stands; change it first.",
            errors=errors,
        )
    async with one_at_a_time():
        committee.status = CommitteeStatus.confirmed
        committee.confirmed_by = actor.id
        committee.struck_on = struck_on
        committee.struck_recorded_at = utcnow()
        await db.flush()
        await stages.move(db, complaint, Stage.investigation, actor.id)
    report = await deadlines.open_after_days(
        db,
        settings,
        complaint.id,
        DeadlineKind.crc_report,
        struck_on,
        settings.crc_report_target_days,
    )
    await triggers.committee_appointed(db, complaint, actor.id, report.due_on)
    await audit.record(db, actor, "committees.confirm", "complaint", complaint.id)
    return committee


async def declare_ombudsperson_conflict(
    db: AsyncSession, actor: Principal, complaint: Complaint
) -> None:
    """4.3.1(v): an ombudsperson with a conflict never sits on this complaint's CRC."""
    stages.require(complaint, stages.Action.declare_ombudsperson_conflict)
    already = await db.scalar(
        select(OmbudspersonConflict.id).where(
            OmbudspersonConflict.complaint_id == complaint.id,
            OmbudspersonConflict.user_id == actor.id,
        )
    )
    if already is not None:
        raise Conflict(
            "You have already declared a conflict on this complaint.",
            errors=[field_error("conflict", "unique", "already declared")],
        )
    async with one_at_a_time():
        await stages.record_event(db, complaint, actor.id, "ombudsperson.conflict_declared")
        db.add(OmbudspersonConflict(complaint_id=complaint.id, user_id=actor.id))
        await db.flush()
    committee = await committee_of(db, complaint.id)
    if committee is not None and actor.id in {m.user_id for m in await _members(db, committee.id)}:
        # The seat must be redrawn before the CRC is struck.
        await triggers.panel_conflict_declared(db, complaint, actor.id)
    await audit.record(
        db, actor, "committees.declare_ombudsperson_conflict", "complaint", complaint.id
    )


# --- what each role sees -------------------------------------------------------------


async def _panel(db: AsyncSession, committee: Committee) -> list[PanelSeat]:
    rows = await db.execute(
        select(CommitteeMember.seat, User.id, User.display_name)
        .join(User, User.id == CommitteeMember.user_id)
        .where(CommitteeMember.committee_id == committee.id)
        .order_by(CommitteeMember.seat)
    )
    return [PanelSeat(seat=seat, user_id=uid, display_name=name) for seat, uid, name in rows]


async def _staff_resource(db: AsyncSession, committee: Committee) -> User | None:
    if committee.staff_resource_id is None:
        return None
    return await db.get(User, committee.staff_resource_id)


async def for_officer(
    db: AsyncSession, settings: Settings, complaint: Complaint, committee: Committee
) -> CommitteeProposalForOfficer:
    """The panel to strike: seats, names, whether each member can still sit and whether
    the seat may be redrawn, the staff resource, the version; never who else was eligible,
    who was excluded, or why (4.3.1(v))."""
    await db.flush()  # the version moves on flush; the officer confirms against the new one
    staff = await _staff_resource(db, committee)
    left = _discretionary_left(settings, committee)
    proposed = committee.status is CommitteeStatus.proposed
    eligible = set((await eligibility.assess(db, complaint)).eligible_ids) if proposed else set()
    seats = [
        ProposalSeat(
            seat=s.seat,
            user_id=s.user_id,
            display_name=s.display_name,
            available=(s.user_id in eligible) if proposed else None,
            can_redraw=proposed and (s.user_id not in eligible or left > 0),
        )
        for s in await _panel(db, committee)
    ]
    return CommitteeProposalForOfficer(
        reference=complaint.reference,
        status=committee.status,
        version=committee.version,
        seats=seats,
        staff_resource=PanelStaffResource(user_id=staff.id, display_name=staff.display_name)
        if staff
        else None,
        struck_on=committee.struck_on,
        discretionary_redraws_left=left if proposed else 0,
    )


async def current_for_officer(
    db: AsyncSession, settings: Settings, actor: Principal, complaint: Complaint
) -> CommitteeProposalForOfficer:
    committee = await committee_of(db, complaint.id)
    if committee is None:
        raise NotFound("No Complaint Review Committee has been proposed for this complaint.")
    await audit.record(db, actor, "committees.read_proposal", "complaint", complaint.id)
    return await for_officer(db, settings, complaint, committee)


async def for_case_worker(
    db: AsyncSession, actor: Principal, complaint: Complaint
) -> CommitteeForCaseWorker:
    """The confirmed panel, for case workers who may read the complaint (audited)."""
    committee = await committee_of(db, complaint.id)
    if committee is None or committee.status is not CommitteeStatus.confirmed:
        raise NotFound("The Complaint Review Committee has not been struck yet.")
    staff = await _staff_resource(db, committee)
    await audit.record(db, actor, "committees.read", "complaint", complaint.id)
    return CommitteeForCaseWorker(
        complaint_id=complaint.id,
        struck_on=committee.struck_on,
        struck_recorded_at=committee.struck_recorded_at,
        members=await _panel(db, committee),
        staff_resource=StaffResourceOut(
            user_id=staff.id, display_name=staff.display_name, kind=staff.staff_resource_kind
        )
        if staff and staff.staff_resource_kind
        else None,
    )


async def eligibility_table(
    db: AsyncSession, settings: Settings, actor: Principal, complaint: Complaint
) -> EligibilityTable:
    """4.3.1(v): every ombudsperson, eligible or not and every reason why not (audited)."""
    found = await eligibility.assess(db, complaint)
    await audit.record(db, actor, "committees.read_eligibility", "complaint", complaint.id)
    return EligibilityTable(
        complaint_id=complaint.id,
        seats=settings.crc_size,
        eligible_count=len(found.eligible_ids),
        ombudspersons=[
            OmbudspersonEligibility(
                user_id=o.user_id,
                display_name=o.display_name,
                eligible=o.eligible,
                reasons=list(o.reasons),
            )
            for o in found.ombudspersons
        ],
        staff_resources=[
            StaffResourceOut(user_id=s.user_id, display_name=s.display_name, kind=s.kind)
            for s in found.staff_resources
        ],
    )
