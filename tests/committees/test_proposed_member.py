"""4.3.1(v): an ombudsperson drawn on a proposed panel sees that they were drawn (the case
reference only) and may declare a conflict, which keeps them off the CRC; they gain no
read access to the complaint."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import (
    AuditEntry,
    Committee,
    Complaint,
    ExclusionReason,
    OmbudspersonConflict,
    Role,
    TimelineEvent,
    User,
)
from tests.committees.support import (
    Case,
    count,
    error_fields,
    problem,
    ready_to_strike,
    seat_ids,
)
from tests.factories.accounts import login, signed_in
from tests.factories.committees import (
    committee_url,
    confirm,
    my_proposals,
    propose_ok,
    status_etag,
)

LIST = "/api/committee-proposals"


def conflict_url(complaint_id: str) -> str:
    return f"/api/complaints/{complaint_id}/ombudsperson-conflict"


async def drawn_panel(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
) -> tuple[Case, dict[str, Any], list[User], dict[str, str]]:
    """A complaint at `committee` whose panel of three is proposed (every eligible one)."""
    case, pool, _ = await ready_to_strike(client, db, passwords)
    _, officer = await signed_in(db, passwords, client, Role.table_officer)
    proposal, _ = await propose_ok(client, officer, case.id)
    assert seat_ids(proposal) == {str(u.id) for u in pool}
    return case, proposal, pool, officer


async def state(db: AsyncSession) -> tuple[Any, ...]:
    """What a refused declaration must leave as it was."""
    db.expire_all()
    return (
        await count(db, OmbudspersonConflict),
        await count(db, TimelineEvent),
        await count(db, AuditEntry, AuditEntry.outcome == "success"),
        await db.scalar(select(func.sum(Complaint.version))),
        await db.scalar(select(func.sum(Committee.version))),
    )


class TestMyProposals:
    @pytest.mark.clause("4.3.1(v)")
    async def test_a_drawn_ombudsperson_sees_the_reference_only(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, pool, _ = await drawn_panel(client, db, passwords)
        page = await my_proposals(client, await login(client, pool[0].username))
        (item,) = page["items"]
        assert set(item) == {
            "complaint_id",
            "reference",
            "proposed_at",
            "etag",
            "conflict_declared",
        }
        assert (item["complaint_id"], item["reference"]) == (case.id, case.reference)
        assert item["conflict_declared"] is False
        assert page["next_cursor"] is None
        # Nobody else is drawn on it: the intake ombudsperson and a stranger see nothing.
        assert (await my_proposals(client, case.intake_headers))["items"] == []
        _, stranger = await signed_in(db, passwords, client, Role.ombudsperson)
        assert (await my_proposals(client, stranger))["items"] == []

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_confirmed_panel_is_no_longer_a_proposal(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, proposal, pool, officer = await drawn_panel(client, db, passwords)
        etag = await status_etag(client, officer, case.id)
        struck = await confirm(client, officer, case.id, etag, proposal["version"])
        assert struck.status_code == 200, struck.text
        assert (await my_proposals(client, await login(client, pool[0].username)))["items"] == []

    async def test_pages_by_keyset(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, pool, officer = await drawn_panel(client, db, passwords)
        second = await ready_to_strike(client, db, passwords, pool=0)
        await propose_ok(client, officer, second[0].id)
        headers = await login(client, pool[0].username)
        first = await my_proposals(client, headers, limit=1)
        assert len(first["items"]) == 1 and first["next_cursor"]
        rest = await my_proposals(client, headers, limit=1, cursor=first["next_cursor"])
        refs = [first["items"][0]["reference"], rest["items"][0]["reference"]]
        assert refs == sorted({case.reference, second[0].reference})
        bad = await client.get(LIST, params={"cursor": "nonsense"}, headers=headers)
        assert error_fields(problem(bad, 422)) == [("cursor", "cursor_invalid")]

    @pytest.mark.parametrize("role", [Role.table_officer, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403_and_anonymous_401(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.get(LIST, headers=headers), 403)
        problem(await client.get(LIST), 401)


class TestDeclaringWhenDrawn:
    @pytest.mark.clause("4.3.1(v)")
    async def test_a_drawn_ombudsperson_declares_and_the_seat_must_be_redrawn(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, proposal, pool, officer = await drawn_panel(client, db, passwords)
        spare = (await ready_to_strike(client, db, passwords, pool=1))[1][0]  # a 4th eligible
        member = pool[1]
        headers = await login(client, member.username)
        (item,) = (await my_proposals(client, headers))["items"]
        response = await client.post(
            conflict_url(case.id), headers={**headers, "If-Match": item["etag"]}
        )
        assert response.status_code == 204, response.text
        assert (await my_proposals(client, headers))["items"][0]["conflict_declared"] is True
        assert await count(db, OmbudspersonConflict, OmbudspersonConflict.user_id == member.id)
        assert await count(
            db,
            AuditEntry,
            AuditEntry.actor_id == member.id,
            AuditEntry.action == "committees.declare_ombudsperson_conflict",
        )
        assert await count(
            db, TimelineEvent, TimelineEvent.kind == "ombudsperson.conflict_declared"
        )
        # Still no read access (5.1).
        problem(await client.get(f"/api/complaints/{case.id}", headers=headers), 404)
        problem(await client.get(f"/api/complaints/{case.id}/committee", headers=headers), 404)
        # The intake ombudsperson learns why; the officers only that the seat is not eligible.
        table = await client.get(
            f"/api/complaints/{case.id}/committee/eligibility", headers=case.intake_headers
        )
        (row,) = [o for o in table.json()["ombudspersons"] if o["user_id"] == str(member.id)]
        assert row["reasons"] == [ExclusionReason.declared_conflict]
        seat = next(s["seat"] for s in proposal["seats"] if s["user_id"] == str(member.id))
        etag = await status_etag(client, officer, case.id)
        current = (await client.get(committee_url(case.id), headers=officer)).json()
        refused = await confirm(client, officer, case.id, etag, current["version"])
        body = problem(refused, 409)
        assert error_fields(body) == [(f"seats.{seat}", "eligible")]
        # 4.3.1(v): to officers the reason reads only "not eligible".
        assert body["errors"][0]["message"] == "no longer eligible: redraw this seat"
        assert "declared" not in refused.text
        assert await db.scalar(select(Committee.status)) == "proposed"
        redraw = await client.post(
            committee_url(case.id, f"proposal/seats/{seat}/redraw"),
            headers={**officer, "If-Match": etag},
        )
        assert redraw.status_code == 200, redraw.text
        assert str(spare.id) in seat_ids(redraw.json())
        struck = await confirm(
            client, officer, case.id, redraw.headers["ETag"], redraw.json()["version"]
        )
        assert struck.status_code == 200, struck.text
        assert str(member.id) not in seat_ids(struck.json())

    async def test_if_match_is_required_and_must_be_current(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, pool, _ = await drawn_panel(client, db, passwords)
        headers = await login(client, pool[0].username)
        (item,) = (await my_proposals(client, headers))["items"]
        before = await state(db)
        problem(await client.post(conflict_url(case.id), headers=headers), 428)
        stale = item["etag"].replace("-v", "-v9")
        problem(
            await client.post(conflict_url(case.id), headers={**headers, "If-Match": stale}), 412
        )
        assert await state(db) == before

    @pytest.mark.clause("4.3.1(v)")
    async def test_redrawn_off_the_panel_or_never_on_it_is_404(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, proposal, pool, officer = await drawn_panel(client, db, passwords)
        await ready_to_strike(client, db, passwords, pool=1)  # a 4th eligible to redraw to
        member = pool[2]
        headers = await login(client, member.username)
        (item,) = (await my_proposals(client, headers))["items"]
        seat = next(s["seat"] for s in proposal["seats"] if s["user_id"] == str(member.id))
        etag = await status_etag(client, officer, case.id)
        redraw = await client.post(
            committee_url(case.id, f"proposal/seats/{seat}/redraw"),
            headers={**officer, "If-Match": etag},
        )
        assert redraw.status_code == 200, redraw.text
        assert (await my_proposals(client, headers))["items"] == []
        current = redraw.headers["ETag"]
        _, stranger = await signed_in(db, passwords, client, Role.ombudsperson)
        before = await state(db)
        missing = problem(
            await client.post(
                conflict_url(str(uuid.uuid4())), headers={**headers, "If-Match": current}
            ),
            404,
        )
        for who in (headers, stranger):
            hidden = problem(
                await client.post(conflict_url(case.id), headers={**who, "If-Match": current}), 404
            )
            assert hidden == missing
        assert item["etag"] != current
        assert await state(db) == before

    @pytest.mark.parametrize("role", [Role.table_officer, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403_and_anonymous_401(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case, _, _, _ = await drawn_panel(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, role)
        before = await state(db)
        problem(await client.post(conflict_url(case.id), headers={**headers, "If-Match": "x"}), 403)
        problem(await client.post(conflict_url(case.id), headers={"If-Match": "x"}), 401)
        assert await state(db) == before
