"""4.3.1(v): reading a proposal, and redrawing one seat of it."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import (
    AuditEntry,
    Committee,
    ExclusionReason,
    OmbudspersonConflict,
    Role,
    TimelineEvent,
    TrainingRecord,
    User,
)
from ombuds.settings import Settings
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
from tests.factories.committees import committee_url, propose_ok, status_etag, strike_committee


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


SEAT_KEYS = {"seat", "user_id", "display_name", "available", "can_redraw"}


async def redraw_seat(
    client: httpx.AsyncClient, headers: dict[str, str], case: Case, seat: int, etag: str
) -> httpx.Response:
    url = committee_url(case.id, f"proposal/seats/{seat}/redraw")
    return await client.post(url, headers={**headers, "If-Match": etag})


class TestSeatsThatCanNoLongerSit:
    @pytest.mark.clause("4.3.1(v)")
    async def test_officers_see_not_available_without_a_reason_and_may_redraw_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords, pool=5)
        headers = await officer(client, db, passwords)
        _, etag = await propose_ok(client, headers, case.id)
        # The one discretionary redraw is spent on seat 3.
        spent = await redraw_seat(client, headers, case, 3, etag)
        assert spent.status_code == 200, spent.text
        etag = spent.headers["ETag"]
        assert spent.json()["discretionary_redraws_left"] == 0
        assert [(s["available"], s["can_redraw"]) for s in spent.json()["seats"]] == [
            (True, False)
        ] * 3
        seats = {s["seat"]: uuid.UUID(s["user_id"]) for s in spent.json()["seats"]}
        # Seat 1 declares a conflict, seat 2 becomes inactive, seat 3 loses its training.
        db.add(OmbudspersonConflict(complaint_id=uuid.UUID(case.id), user_id=seats[1]))
        inactive = await db.get(User, seats[2])
        assert inactive is not None
        inactive.is_active = False
        await db.execute(delete(TrainingRecord).where(TrainingRecord.user_id == seats[3]))
        await db.commit()
        response = await client.get(committee_url(case.id), headers=headers)
        assert response.status_code == 200, response.text
        shown = response.json()
        assert [(s["seat"], s["available"], s["can_redraw"]) for s in shown["seats"]] == [
            (1, False, True),
            (2, False, True),
            (3, False, True),
        ]
        assert all(set(s) == SEAT_KEYS for s in shown["seats"])
        for reason in ExclusionReason:  # "not available": never why
            assert reason.value not in response.text
        assert shown["version"] == spent.json()["version"]
        # Each such seat is redrawn though no discretionary redraw is left, and audited.
        redrawn = await redraw_seat(client, headers, case, 1, etag)
        assert redrawn.status_code == 200, redrawn.text
        seat_one = redrawn.json()["seats"][0]
        assert (seat_one["available"], seat_one["can_redraw"]) == (True, False)
        assert uuid.UUID(seat_one["user_id"]) not in seats.values()
        assert await count(db, AuditEntry, AuditEntry.action == "committees.redraw_seat") == 1
        at_discretion = AuditEntry.action == "committees.redraw_seat_at_discretion"
        assert await count(db, AuditEntry, at_discretion) == 1

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_confirmed_panel_offers_no_redraw(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords)
        headers = await officer(client, db, passwords)
        await strike_committee(client, headers, case.id)
        shown = (await client.get(committee_url(case.id), headers=headers)).json()
        assert [(s["available"], s["can_redraw"]) for s in shown["seats"]] == [(None, False)] * 3
        assert shown["discretionary_redraws_left"] == 0


class TestRedrawsRevealNoMore:
    @pytest.mark.clause("4.3.1(v)")
    @pytest.mark.parametrize("allowed", [0, 1, 2])
    async def test_officers_cannot_enumerate_the_pool(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        allowed: int,
    ) -> None:
        settings: Settings = app.state.settings
        app.state.settings = settings.model_copy(update={"crc_discretionary_redraws": allowed})
        case, pool, _ = await ready_to_strike(client, db, passwords, pool=8)
        headers = await officer(client, db, passwords)
        proposal, etag = await propose_ok(client, headers, case.id)
        seen = seat_ids(proposal)
        refusals = 0
        for _ in range(4):  # every seat, again and again, and a fresh proposal each round
            for seat in (1, 2, 3):
                response = await redraw_seat(client, headers, case, seat, etag)
                if response.status_code == 200:
                    etag = response.headers["ETag"]
                    seen |= seat_ids(response.json())
                    continue
                body = problem(response, 409)
                assert error_fields(body) == [("seat", "discretionary_redraws")]
                assert (
                    f"Seat {seat} is held by an ombudsperson who can still sit" in (body["detail"])
                )
                refusals += 1
            again, etag = await propose_ok(client, headers, case.id, etag)
            seen |= seat_ids(again)
        # One proposal shows three; each discretionary redraw at most one more (a member
        # redrawn off may be drawn back); nothing else shows anyone.
        assert 3 <= len(seen) <= 3 + allowed
        assert seen <= {str(u.id) for u in pool}
        assert refusals == 12 - allowed
        redraws = await count(db, TimelineEvent, TimelineEvent.kind == "committee.seat_redrawn")
        assert redraws == allowed
        at_discretion = AuditEntry.action == "committees.redraw_seat_at_discretion"
        assert await count(db, AuditEntry, at_discretion) == allowed
        committee = await db.scalar(select(Committee).execution_options(populate_existing=True))
        assert committee is not None and committee.discretionary_redraws == allowed

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_refused_redraw_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, _ = await ready_to_strike(client, db, passwords, pool=6)
        headers = await officer(client, db, passwords)
        _, etag = await propose_ok(client, headers, case.id)
        first = await redraw_seat(client, headers, case, 1, etag)
        assert first.status_code == 200, first.text
        etag = first.headers["ETag"]
        response = await redraw_seat(client, headers, case, 2, etag)
        body = problem(response, 409)
        assert body["detail"] == (
            "Seat 2 is held by an ombudsperson who can still sit. Such a seat may be redrawn "
            "at the officers' discretion once per complaint (1 used); a seat whose member can "
            "no longer sit may always be redrawn."
        )
        assert (await client.get(committee_url(case.id), headers=headers)).json() == first.json()
        assert await status_etag(client, headers, case.id) == etag

    @pytest.mark.clause("4.3.1(v)")
    async def test_a_new_proposal_keeps_who_can_still_sit_and_refills_the_rest(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, pool, _ = await ready_to_strike(client, db, passwords, pool=5)
        headers = await officer(client, db, passwords)
        proposal, etag = await propose_ok(client, headers, case.id)
        before = {s["seat"]: s["user_id"] for s in proposal["seats"]}
        gone = await db.get(User, uuid.UUID(before[2]))
        assert gone is not None
        gone.is_active = False
        await db.commit()
        again, _ = await propose_ok(client, headers, case.id, etag)
        after = {s["seat"]: s["user_id"] for s in again["seats"]}
        assert (after[1], after[3]) == (before[1], before[3])
        assert after[2] not in before.values()
        assert after[2] in {str(u.id) for u in pool}
        assert again["staff_resource"] == proposal["staff_resource"]
