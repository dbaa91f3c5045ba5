"""Informal attempts (4.2.1): who took part, what was proposed, how it ended."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.complaints import stages
from ombuds.deadlines import service as deadlines
from ombuds.informal.schemas import AttemptCreate, AttemptUpdate
from ombuds.kit.clock import local_today, utcnow
from ombuds.kit.errors import Conflict, InvalidInput, NotFound, field_error
from ombuds.models import (
    Closure,
    Complaint,
    ComplaintPerson,
    InformalAttempt,
    InformalMethod,
    InformalOutcome,
    InformalParticipant,
    Role,
    Stage,
    User,
    UserRole,
)

NOT_FOUND = "No such informal attempt on this complaint."


@dataclass(frozen=True)
class AttemptView:
    attempt: InformalAttempt
    participants: list[User]


async def _check_participants(
    db: AsyncSession, complaint: Complaint, ids: Sequence[uuid.UUID]
) -> list[dict[str, str]]:
    """Each participant is an active ombudsperson who is neither a party nor a witness."""
    ombudspersons = {
        user.id: user
        for user in await db.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.id.in_(ids), UserRole.role == Role.ombudsperson, User.is_active)
        )
    }
    on_complaint = set(
        (
            await db.scalars(
                select(ComplaintPerson.member_id).where(
                    ComplaintPerson.complaint_id == complaint.id,
                    ComplaintPerson.member_id.is_not(None),
                )
            )
        ).all()
    )
    errors: list[dict[str, str]] = []
    seen: set[uuid.UUID] = set()
    for i, user_id in enumerate(ids):
        field = f"participant_ids.{i}"
        user = ombudspersons.get(user_id)
        if user_id in seen:
            errors.append(field_error(field, "unique", "each ombudsperson once"))
        elif user is None:
            errors.append(field_error(field, "active_ombudsperson", "an active ombudsperson"))
        elif user.member_id is not None and user.member_id in on_complaint:
            errors.append(field_error(field, "not_party_or_witness", "not a party or witness here"))
        seen.add(user_id)
    return errors


async def record_attempt(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: AttemptCreate
) -> AttemptView:
    """Record an attempt; the first one moves the complaint from intake to informal."""
    stages.require(complaint, stages.Action.record_informal_attempt)
    errors = []
    if body.method is InformalMethod.other_agreed_method and body.method_description is None:
        errors.append(
            field_error("method_description", "required", "describe the method both agreed")
        )
    if body.held_on > local_today():
        errors.append(field_error("held_on", "not_future", "an attempt already held"))
    errors += await _check_participants(db, complaint, body.participant_ids)
    if errors:
        raise InvalidInput("The informal attempt cannot be recorded as given.", errors=errors)
    attempt = InformalAttempt(
        complaint_id=complaint.id,
        method=body.method,
        method_description=body.method_description,
        held_on=body.held_on,
        proposal=body.proposal,
        other_party_answer=body.other_party_answer,
        outcome=body.outcome,
    )
    db.add(attempt)
    await db.flush()
    # 4.3.1(v): these people may not sit on the CRC; complaints/access.py lets them read it.
    db.add_all(
        InformalParticipant(attempt_id=attempt.id, user_id=user_id, complaint_id=complaint.id)
        for user_id in body.participant_ids
    )
    if complaint.stage is Stage.intake:
        await stages.move(db, complaint, Stage.informal, actor.id)
    await stages.record_event(db, complaint, actor.id, "informal.attempt_recorded")
    await audit.record(db, actor, "informal.record_attempt", "informal_attempt", attempt.id)
    return (await _views(db, [attempt]))[0]


async def update_attempt(
    db: AsyncSession,
    actor: Principal,
    complaint: Complaint,
    attempt_id: uuid.UUID,
    body: AttemptUpdate,
) -> AttemptView:
    """The other party's answer and the outcome, as they become known."""
    stages.require(complaint, stages.Action.record_informal_attempt)
    attempt = await db.scalar(
        select(InformalAttempt).where(
            InformalAttempt.id == attempt_id, InformalAttempt.complaint_id == complaint.id
        )
    )
    if attempt is None:
        raise NotFound(NOT_FOUND)
    fields = body.model_fields_set
    if "outcome" in fields:
        if body.outcome is None:
            raise InvalidInput(
                "An attempt always has an outcome (pending until known).",
                errors=[field_error("outcome", "required", "not null")],
            )
        attempt.outcome = body.outcome
    if "other_party_answer" in fields:
        attempt.other_party_answer = body.other_party_answer
    attempt.updated_at = utcnow()
    await stages.record_event(db, complaint, actor.id, "informal.attempt_updated")
    await audit.record(db, actor, "informal.update_attempt", "informal_attempt", attempt.id)
    return (await _views(db, [attempt]))[0]


async def _views(db: AsyncSession, attempts: Sequence[InformalAttempt]) -> list[AttemptView]:
    ids = [a.id for a in attempts]
    people: dict[uuid.UUID, list[User]] = {i: [] for i in ids}
    if ids:
        rows = await db.execute(
            select(InformalParticipant.attempt_id, User)
            .join(User, User.id == InformalParticipant.user_id)
            .where(InformalParticipant.attempt_id.in_(ids))
            .order_by(User.display_name, User.id)
        )
        for attempt_id, user in rows:
            people[attempt_id].append(user)
    return [AttemptView(a, people[a.id]) for a in attempts]


async def list_attempts(
    db: AsyncSession, actor: Principal, complaint: Complaint, *, only_of: uuid.UUID | None = None
) -> list[AttemptView]:
    """Every attempt on the complaint; with ``only_of``, those that user took part in."""
    stmt = select(InformalAttempt).where(InformalAttempt.complaint_id == complaint.id)
    if only_of is not None:
        stmt = stmt.where(
            InformalAttempt.id.in_(
                select(InformalParticipant.attempt_id).where(
                    InformalParticipant.complaint_id == complaint.id,
                    InformalParticipant.user_id == only_of,
                )
            )
        )
    attempts = (
        await db.scalars(
            stmt.order_by(InformalAttempt.held_on, InformalAttempt.created_at, InformalAttempt.id)
        )
    ).all()
    await audit.record(db, actor, "informal.list_attempts", "complaint", complaint.id)
    return await _views(db, attempts)


async def has_resolved_attempt(db: AsyncSession, complaint_id: uuid.UUID) -> bool:
    found = await db.scalar(
        select(InformalAttempt.id)
        .where(
            InformalAttempt.complaint_id == complaint_id,
            InformalAttempt.outcome == InformalOutcome.resolved,
        )
        .limit(1)
    )
    return found is not None


async def resolve(db: AsyncSession, actor: Principal, complaint: Complaint) -> None:
    """4.2.1: resolved informally; the complaint closes and owes no deadlines."""
    stages.require(complaint, stages.Action.resolve_informally)
    if not await has_resolved_attempt(db, complaint.id):
        raise Conflict(
            "No informal attempt on this complaint has the outcome 'resolved'; "
            "record that outcome on the attempt first.",
            errors=[field_error("outcome", "resolved_attempt", "an attempt that resolved it")],
        )
    await stages.move(db, complaint, Stage.closed, actor.id, closure=Closure.resolved_informally)
    await deadlines.cancel_open(db, complaint.id)
    await audit.record(db, actor, "informal.resolve", "complaint", complaint.id)
