"""4.3.1(v): reading a proposal, and redrawing one seat of it."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Role, TimelineEvent
from tests.committees.support import (
    Case,
    count,
    error_fields,
    excluded_crowd,
    nothing_saved,
    officer,
    problem,
    ready_to_strike,
    seat_ids,
)
from tests.factories.accounts import signed_in
from tests.factories.committees import committee_url, propose_ok, status_etag


class TestGetProposal:
    async def test_none_yet_is_404(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        headers = await officer(client, db, passwords)
        body = problem(await client.get(committee_url(case.id), headers=headers), 404)
        assert "proposed" in body["detail"]

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        await propose_ok(client, await officer(client, db, passwords), case.id)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.get(committee_url(case.id), headers=headers), 403)
        problem(await client.get(committee_url(case.id)), 401)


class TestRedraw:
    def url(self, case: Case, seat: int) -> str:
        return committee_url(case.id, f"proposal/seats/{seat}/redraw")

    @pytest.mark.clause("4.3.1(v)")
    async def test_replaces_one_seat_with_someone_not_on_the_panel(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, staff = await ready_to_strike(client, db, passwords, pool=4)
        headers = await officer(client, db, passwords)
        proposal, etag = await propose_ok(client, headers, case.id)
        (spare,) = {str(u.id) for u in pool} - seat_ids(proposal)
        response = await client.post(self.url(case, 2), headers={**headers, "If-Match": etag})
        assert response.status_code == 200, response.text
        redrawn = response.json()
        before = {s["seat"]: s["user_id"] for s in proposal["seats"]}
        after = {s["seat"]: s["user_id"] for s in redrawn["seats"]}
        assert after == {**before, 2: spare}
        assert redrawn["version"] == proposal["version"] + 1
        assert redrawn["staff_resource"]["user_id"] == str(staff.id)
        assert response.headers["ETag"] != etag
        assert await count(db, TimelineEvent, TimelineEvent.kind == "committee.seat_redrawn") == 1

    @pytest.mark.clause("4.3.1(v)")
    async def test_no_one_left_is_409_and_nothing_changes(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        await excluded_crowd(db, passwords, case)
        headers = await officer(client, db, passwords)
        proposal, etag = await propose_ok(client, headers, case.id)
        response = await client.post(self.url(case, 1), headers={**headers, "If-Match": etag})
        body = problem(response, 409)
        assert error_fields(body) == [("seat", "replacement_available")]
        assert body["detail"] == "No other eligible ombudsperson is left to take seat 1."
        kept = await client.get(committee_url(case.id), headers=headers)
        assert kept.json() == proposal
        assert await status_etag(client, headers, case.id) == etag

    async def test_no_such_seat_is_422(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords, pool=4)
        headers = await officer(client, db, passwords)
        proposal, etag = await propose_ok(client, headers, case.id)
        response = await client.post(self.url(case, 4), headers={**headers, "If-Match": etag})
        assert error_fields(problem(response, 422)) == [("seat", "exists")]
        assert (await client.get(committee_url(case.id), headers=headers)).json() == proposal

    async def test_without_a_proposal_is_409(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        headers = await officer(client, db, passwords)
        etag = await status_etag(client, headers, case.id)
        response = await client.post(self.url(case, 1), headers={**headers, "If-Match": etag})
        assert error_fields(problem(response, 409)) == [("proposal", "exists")]
        assert await nothing_saved(db)

    async def test_stale_if_match_is_412(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords, pool=4)
        headers = await officer(client, db, passwords)
        _, etag = await propose_ok(client, headers, case.id)
        await propose_ok(client, headers, case.id, etag)
        response = await client.post(self.url(case, 1), headers={**headers, "If-Match": etag})
        problem(response, 412)
        now = (await client.get(committee_url(case.id), headers=headers)).json()
        assert now["version"] == 2

    @pytest.mark.parametrize("role", [Role.ombudsperson, Role.staff_resource, Role.administrator])
    async def test_other_roles_are_403(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        _, headers = await signed_in(db, passwords, client, role)
        problem(await client.post(self.url(case, 1), headers={**headers, "If-Match": "x"}), 403)
        problem(await client.post(self.url(case, 1), headers={"If-Match": "x"}), 401)
