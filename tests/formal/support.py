"""Arrangements and checks shared by the consultation, informal and formal tests."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.main import create_app
from ombuds.models import (
    AuditEntry,
    Committee,
    CommitteeMember,
    CommitteeStatus,
    Complaint,
    Member,
    Role,
    User,
)
from tests.conftest import make_settings
from tests.factories.accounts import signed_in
from tests.factories.complaints import complaint_body, file_complaint, person
from tests.factories.directory import make_member, make_unit

PROBLEM_JSON = "application/problem+json"
ABSENT = "00000000-0000-0000-0000-000000000000"
Json = dict[str, Any]


def problem(response: httpx.Response, status: int) -> Json:
    """The response is an RFC 9457 problem with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: Json = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body


def errors(body: Json) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in body.get("errors", [])]


def stage_refusal(response: httpx.Response, stage: str) -> Json:
    """409 naming the current stage and the steps it allows."""
    body = problem(response, 409)
    assert body["stage"] == stage
    assert isinstance(body["allowed_actions"], list) and body["allowed_actions"]
    return body


def with_etag(headers: dict[str, str], etag: str) -> dict[str, str]:
    return {**headers, "If-Match": etag}


async def count(db: AsyncSession, model: type[Any], *where: Any) -> int:
    stmt = select(func.count()).select_from(model)
    for w in where:
        stmt = stmt.where(w)
    return int(await db.scalar(stmt) or 0)


async def audits(db: AsyncSession, action: str, object_id: object | None = None) -> int:
    where = [AuditEntry.action == action]
    if object_id is not None:
        where.append(AuditEntry.object_id == str(object_id))
    return await count(db, AuditEntry, *where)


async def reload(db: AsyncSession, complaint_id: str | uuid.UUID) -> Complaint:
    """The complaint as the database now holds it."""
    found = await db.get(Complaint, uuid.UUID(str(complaint_id)), populate_existing=True)
    assert found is not None
    return found


@dataclass
class Case:
    """A complaint at intake, taken in by `ombudsperson` (signed in with `headers`)."""

    ombudsperson: User
    headers: dict[str, str]
    complainant: Member
    other_party: Member
    witness: Member
    detail: Json
    etag: str

    @property
    def id(self) -> str:
        return str(self.detail["id"])

    def url(self, *parts: str) -> str:
        return "/".join([f"/api/complaints/{self.id}", *parts])


async def new_case(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient, **body: Any
) -> Case:
    unit = await make_unit(db)
    complainant = await make_member(db, unit)
    other_party = await make_member(db, unit)
    witness = await make_member(db, unit)
    user, headers = await signed_in(db, passwords, client, Role.ombudsperson)
    detail, etag = await file_complaint(
        client,
        headers,
        complaint_body(complainant, other_party, witnesses=[person(witness)], **body),
    )
    return Case(user, headers, complainant, other_party, witness, detail, etag)


async def seat_committee(
    db: AsyncSession, complaint_id: str, members: list[User], staff_resource: User
) -> None:
    """A confirmed CRC, written directly (striking it is another domain's work)."""
    committee = Committee(
        complaint_id=uuid.UUID(complaint_id),
        status=CommitteeStatus.confirmed,
        staff_resource_id=staff_resource.id,
        proposed_by=members[0].id,
    )
    db.add(committee)
    await db.flush()
    db.add_all(
        CommitteeMember(committee_id=committee.id, seat=i + 1, user_id=u.id)
        for i, u in enumerate(members)
    )
    await db.commit()


@asynccontextmanager
async def client_with(database_url: str, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    """A second app on the same database, with settings of its own."""
    app = create_app(make_settings(database_url, **settings))
    async with LifespanManager(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c
