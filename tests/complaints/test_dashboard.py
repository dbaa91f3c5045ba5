"""The ombudsperson's dashboard: their complaints, the nearest open deadline first (overdue
ones lead), in keyset pages, with no names."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    Closure,
    Complaint,
    ComplaintPerson,
    DeadlineKind,
    DeadlineStatus,
    PartyRole,
    Role,
    Setting,
    Stage,
    User,
)
from tests.factories.accounts import signed_in
from tests.factories.complaints import deadline_row
from tests.factories.directory import make_member, make_unit

CANARY = "Canary-resolution-5d1e: a written apology at the next meeting"
_refs = itertools.count(1)


async def complaint(
    db: AsyncSession,
    owner: User,
    people: list[Any],
    *,
    due_in: int | None,
    status: DeadlineStatus = DeadlineStatus.open,
    stage: Stage = Stage.review,
) -> Complaint:
    today = local_today()
    row = Complaint(
        reference=f"C-D{next(_refs):05d}",
        intake_ombudsperson_id=owner.id,
        stage=stage,
        closure=Closure.withdrawn if stage is Stage.closed else None,
        received_on=today - timedelta(days=30),
        setting=Setting.local_500_event,
        resolution_sought=CANARY,
        grounds=[],
    )
    db.add(row)
    await db.flush()
    db.add(ComplaintPerson(complaint_id=row.id, role=PartyRole.complainant, member_id=people[0].id))
    db.add(ComplaintPerson(complaint_id=row.id, role=PartyRole.other_party, member_id=people[1].id))
    if due_in is not None:
        due = today + timedelta(days=due_in)
        db.add(deadline_row(row.id, DeadlineKind.written_response, status, due))
    await db.flush()
    return row


async def pages(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> list[Any]:
    items: list[Any] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/api/complaints", headers=headers, params=query)
        assert response.status_code == 200, response.text
        assert CANARY not in response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


class TestDashboard:
    async def test_overdue_first_then_by_due_date_then_none_in_pages_without_gaps(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        people = [await make_member(db, unit), await make_member(db, unit)]
        owner, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        other, _ = await signed_in(db, passwords, client, Role.ombudsperson)
        soon = await complaint(db, owner, people, due_in=3)
        overdue = await complaint(db, owner, people, due_in=-2)
        later = await complaint(db, owner, people, due_in=20)
        met = await complaint(db, owner, people, due_in=-5, status=DeadlineStatus.met)
        none = await complaint(db, owner, people, due_in=None)
        closed = await complaint(db, owner, people, due_in=None, stage=Stage.closed)
        await complaint(db, other, people, due_in=-9)  # someone else's
        await db.commit()

        listed = await pages(client, headers, limit=2)
        assert [i["reference"] for i in listed[:3]] == [
            overdue.reference,
            soon.reference,
            later.reference,
        ]
        # No open deadline sorts last (a met one does not count), in id order.
        assert {i["reference"] for i in listed[3:]} == {met.reference, none.reference}
        assert listed[0]["next_deadline"] == {
            "kind": "written_response",
            "due_on": (local_today() - timedelta(days=2)).isoformat(),
            "overdue": True,
        }
        assert listed[1]["next_deadline"]["overdue"] is False
        assert all(i["next_deadline"] is None for i in listed[3:])
        assert set(listed[0]) == {
            "id",
            "reference",
            "stage",
            "closure",
            "received_on",
            "next_deadline",
            "updated_at",
        }
        assert date.fromisoformat(listed[0]["received_on"]) == local_today() - timedelta(days=30)
        assert await pages(client, headers, limit=50) == listed

        with_closed = await pages(client, headers, limit=2, include_closed="true")
        assert {i["reference"] for i in with_closed} == {i["reference"] for i in listed} | {
            closed.reference
        }
        closed_item = next(i for i in with_closed if i["reference"] == closed.reference)
        assert (closed_item["stage"], closed_item["closure"]) == ("closed", "withdrawn")
