"""Intake, the case worker's views, and the stage changes that belong to no later step."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.audit import service as audit
from ombuds.auth.principal import Principal
from ombuds.calendars import validator as feed_validator
from ombuds.complaints import stages
from ombuds.complaints.schemas import ComplaintCreate, IncidentIn, IntakeUpdate, PersonIn
from ombuds.deadlines import service as deadlines
from ombuds.kit.clock import local_today
from ombuds.kit.errors import Conflict, InvalidInput, field_error
from ombuds.models import (
    Closure,
    Complaint,
    ComplaintPerson,
    Consultation,
    Ground,
    Incident,
    Member,
    PartyRole,
    Redirection,
    Stage,
    TimelineEvent,
)

REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U


def new_reference() -> str:
    """Random and non-sequential: it reveals nothing (not even the order of intake)."""
    return "C-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


async def _unique_reference(db: AsyncSession) -> str:
    while True:
        reference = new_reference()
        if await db.scalar(select(Complaint.id).where(Complaint.reference == reference)) is None:
            return reference


async def _check_members(db: AsyncSession, people: Sequence[tuple[str, PersonIn]]) -> None:
    ids = {p.member_id for _, p in people if p.member_id is not None}
    found = set((await db.scalars(select(Member.id).where(Member.id.in_(ids)))).all())
    errors = [
        field_error(f"{where}.member_id", "exists", "no member with this id")
        for where, p in people
        if p.member_id is not None and p.member_id not in found
    ]
    if errors:
        raise InvalidInput(
            "A person refers to a member who is not in the directory.", errors=errors
        )


async def _check_grounds(db: AsyncSession, codes: Sequence[str]) -> None:
    known = set((await db.scalars(select(Ground.code).where(Ground.active))).all())
    errors = [
        field_error(f"grounds.{i}", "known_ground", "not a ground of 2.2; see /api/grounds")
        for i, code in enumerate(codes)
        if code not in known
    ]
    if errors:
        raise InvalidInput("Unknown ground.", errors=errors)


def _people(
    body_people: Sequence[tuple[PartyRole, PersonIn]], complaint_id: uuid.UUID
) -> list[ComplaintPerson]:
    return [
        ComplaintPerson(
            complaint_id=complaint_id,
            role=role,
            member_id=p.member_id,
            full_name=p.full_name,
            contact=p.contact,
        )
        for role, p in body_people
    ]


def _dates_happened(received_on: date, incidents: Sequence[IncidentIn]) -> None:
    """Dates are the dates things happened: a complaint is not received in the future,
    and what it complains of took place on or before the day it was received."""
    errors = []
    if received_on > local_today():
        errors.append(field_error("received_on", "not_in_future", "must not be after today"))
    errors += [
        field_error(
            f"incidents.{i}.occurred_on",
            "not_after_received",
            "on or before the day the complaint was received",
        )
        for i, incident in enumerate(incidents)
        if incident.occurred_on > received_on
    ]
    if errors:
        fields = ", ".join(e["field"] for e in errors)
        raise InvalidInput(f"Invalid date in: {fields}.", errors=errors)


def _incidents(items: Sequence[IncidentIn], complaint_id: uuid.UUID) -> list[Incident]:
    return [
        Incident(
            complaint_id=complaint_id,
            what=i.what,
            occurred_on=i.occurred_on,
            occurred_at=i.occurred_at,
            location=i.location,
            categories=[c.value for c in i.categories],
        )
        for i in items
    ]


async def create(db: AsyncSession, actor: Principal, body: ComplaintCreate) -> Complaint:
    assert actor.id is not None
    labelled = [("complainant", body.complainant), ("other_party", body.other_party)] + [
        (f"witnesses.{i}", w) for i, w in enumerate(body.witnesses)
    ]
    _dates_happened(body.received_on, body.incidents)
    await _check_members(db, labelled)
    await _check_grounds(db, body.grounds)
    if (
        body.complainant.member_id is not None
        and body.complainant.member_id == body.other_party.member_id
    ):
        raise InvalidInput(
            "The member-complainant and the other party are the same member.",
            errors=[
                field_error("other_party.member_id", "distinct", "must differ from the complainant")
            ],
        )
    if body.consultation_id is not None:
        await _take_consultation(db, actor, body.consultation_id)
    complaint = Complaint(
        reference=await _unique_reference(db),
        intake_ombudsperson_id=actor.id,
        stage=Stage.intake,
        received_on=body.received_on,
        setting=body.setting,
        other_routes_told_on=body.other_routes_told_on,
        resolution_sought=body.resolution_sought,
        grounds=list(dict.fromkeys(body.grounds)),
        consultation_id=body.consultation_id,
    )
    db.add(complaint)
    await db.flush()
    roles = [(PartyRole.complainant, body.complainant), (PartyRole.other_party, body.other_party)]
    roles += [(PartyRole.witness, w) for w in body.witnesses]
    db.add_all([*_people(roles, complaint.id), *_incidents(body.incidents, complaint.id)])
    await stages.record_event(db, complaint, actor.id, "complaint.received")
    if body.redirected_to is not None:  # 1.3: workplace harassment goes elsewhere
        await redirect(db, actor, complaint, body.redirected_to, body.redirected_on)
    await audit.record(db, actor, "complaints.create", "complaint", complaint.id)
    return complaint


async def _take_consultation(
    db: AsyncSession, actor: Principal, consultation_id: uuid.UUID
) -> None:
    consultation = await db.scalar(
        select(Consultation).where(
            Consultation.id == consultation_id, Consultation.ombudsperson_id == actor.id
        )
    )
    if consultation is None:
        raise InvalidInput(
            "No such consultation of yours.",
            errors=[field_error("consultation_id", "exists", "not a consultation you recorded")],
        )
    taken = await db.scalar(
        select(Complaint.id).where(Complaint.consultation_id == consultation_id)
    )
    if taken is not None:
        raise Conflict(
            "This consultation has already become a complaint.",
            errors=[field_error("consultation_id", "unique", "already used")],
        )


async def redirect(
    db: AsyncSession,
    actor: Principal,
    complaint: Complaint,
    to: Redirection,
    redirected_on: date | None = None,
    field: str = "redirected_on",
) -> None:
    """1.3: out of scope; closed as redirected, with the date it happened (today unless
    given), and goes no further."""
    stages.require(complaint, stages.Action.redirect)
    on = redirected_on or local_today()
    errors = []
    if on > local_today():
        errors.append(field_error(field, "not_in_future", "must not be after today"))
    if on < complaint.received_on:
        errors.append(
            field_error(field, "not_before_received", "on or after the day it was received")
        )
    if errors:
        raise InvalidInput(f"Invalid date in: {field}.", errors=errors)
    complaint.redirected_to = to
    complaint.redirected_on = on
    await stages.move(db, complaint, Stage.closed, actor.id, closure=Closure.redirected)
    await deadlines.cancel_open(db, complaint.id)
    await audit.record(db, actor, "complaints.redirect", "complaint", complaint.id)


async def withdraw(db: AsyncSession, actor: Principal, complaint: Complaint) -> None:
    stages.require(complaint, stages.Action.withdraw)
    await stages.move(db, complaint, Stage.closed, actor.id, closure=Closure.withdrawn)
    await deadlines.cancel_open(db, complaint.id)
    await audit.record(db, actor, "complaints.withdraw", "complaint", complaint.id)


async def update_intake(
    db: AsyncSession, actor: Principal, complaint: Complaint, body: IntakeUpdate
) -> None:
    stages.require(complaint, stages.Action.edit_intake)
    fields = body.model_fields_set
    if "resolution_sought" in fields:
        if body.resolution_sought is None:
            raise InvalidInput(
                "resolution_sought cannot be cleared.",
                errors=[field_error("resolution_sought", "required", "not null")],
            )
        complaint.resolution_sought = body.resolution_sought
    if "other_routes_told_on" in fields:
        complaint.other_routes_told_on = body.other_routes_told_on
    if "grounds" in fields:
        await _check_grounds(db, body.grounds or [])
        complaint.grounds = list(dict.fromkeys(body.grounds or []))
    if "witnesses" in fields:
        witnesses = body.witnesses or []
        await _check_members(db, [(f"witnesses.{i}", w) for i, w in enumerate(witnesses)])
        # A witness is recused (4.3.1(iv), 5.1): whose calendar feeds show it may change.
        await feed_validator.complaints_changed(db, [complaint.id])
        await db.execute(
            delete(ComplaintPerson).where(
                ComplaintPerson.complaint_id == complaint.id,
                ComplaintPerson.role == PartyRole.witness,
            )
        )
        db.add_all(_people([(PartyRole.witness, w) for w in witnesses], complaint.id))
    if "incidents" in fields:
        if not body.incidents:
            raise InvalidInput(
                "A complaint has at least one incident.",
                errors=[field_error("incidents", "min_length", "at least one")],
            )
        _dates_happened(complaint.received_on, body.incidents)
        await db.execute(delete(Incident).where(Incident.complaint_id == complaint.id))
        db.add_all(_incidents(body.incidents, complaint.id))
    await stages.record_event(db, complaint, actor.id, "complaint.intake_updated")
    await audit.record(db, actor, "complaints.update_intake", "complaint", complaint.id)


async def timeline(db: AsyncSession, actor: Principal, complaint: Complaint) -> list[TimelineEvent]:
    rows = await db.scalars(
        select(TimelineEvent)
        .where(TimelineEvent.complaint_id == complaint.id)
        .order_by(TimelineEvent.at, TimelineEvent.id)
    )
    await audit.record(db, actor, "complaints.read_timeline", "complaint", complaint.id)
    return list(rows.all())


async def grounds(db: AsyncSession) -> list[Ground]:
    return list(
        (await db.scalars(select(Ground).where(Ground.active).order_by(Ground.label))).all()
    )
