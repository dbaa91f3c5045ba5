"""Terms on the ombudsperson roster (3.1): who holds a seat, from when, until when."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, Role, SeatTerm, Unit, User
from tests.directory.support import (
    NOT_ADMINISTRATORS,
    count,
    days,
    error_fields,
    get_roster,
    problem,
    seat_id,
    seat_of,
    seat_term,
    seat_terms,
)
from tests.factories.accounts import make_user, signed_in
from tests.factories.directory import make_unit


class TestAddTerm:
    async def test_anonymous_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, ombudsperson: User
    ) -> None:
        seat = await seat_id(db, (await make_unit(db)).id)
        response = await client.post(
            f"/api/roster/seats/{seat}/terms",
            json={"user_id": str(ombudsperson.id), "starts_on": days(0).isoformat()},
        )
        problem(response, 401)
        assert await count(db, SeatTerm) == 0

    @pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
    async def test_other_roles_are_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        ombudsperson: User,
        role: Role,
    ) -> None:
        seat = await seat_id(db, (await make_unit(db)).id)
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.post(
            f"/api/roster/seats/{seat}/terms",
            json={"user_id": str(ombudsperson.id), "starts_on": days(0).isoformat()},
            headers=headers,
        )
        problem(response, 403)
        assert await count(db, SeatTerm) == 0

    @pytest.mark.clause("3.1")
    async def test_administrator_seats_an_ombudsperson(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        ombudsperson: User,
    ) -> None:
        admin, headers = await signed_in(db, passwords, client, Role.administrator)
        unit = await make_unit(db)
        seat = await seat_id(db, unit.id)
        response = await client.post(
            f"/api/roster/seats/{seat}/terms",
            json={
                "user_id": str(ombudsperson.id),
                "starts_on": days(0).isoformat(),
                "ends_on": days(730).isoformat(),
            },
            headers=headers,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body == {
            "id": body["id"],
            "seat_id": str(seat),
            "user_id": str(ombudsperson.id),
            "display_name": ombudsperson.display_name,
            "starts_on": days(0).isoformat(),
            "ends_on": days(730).isoformat(),
        }
        assert await seat_terms(db) == [(seat, ombudsperson.id, days(0), days(730))]
        roster_seat = seat_of(await get_roster(client, headers), unit)
        assert roster_seat["vacant"] is False
        assert roster_seat["current_term"] == body
        audit = (
            await db.execute(
                select(AuditEntry.object_id, AuditEntry.actor_id).where(
                    AuditEntry.action == "roster.add_term"
                )
            )
        ).all()
        assert [tuple(a) for a in audit] == [(body["id"], admin.id)]

    @pytest.mark.clause("3.1")
    @pytest.mark.parametrize(
        "roles",
        [
            pytest.param((), id="no-role"),
            pytest.param((Role.table_officer,), id="table-officer"),
            pytest.param((Role.administrator,), id="administrator"),
            pytest.param((Role.staff_resource,), id="staff-resource"),
        ],
    )
    async def test_only_an_ombudsperson_can_hold_a_seat(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
        roles: tuple[Role, ...],
    ) -> None:
        user = await make_user(db, passwords, *roles)
        seat = await seat_id(db, (await make_unit(db)).id)
        response = await client.post(
            f"/api/roster/seats/{seat}/terms",
            json={"user_id": str(user.id), "starts_on": days(0).isoformat()},
            headers=admin_headers,
        )
        body = problem(response, 422)
        assert error_fields(body) == [("user_id", "ombudsperson")]
        assert await count(db, SeatTerm) == 0

    async def test_an_unknown_user_names_user_id(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        seat = await seat_id(db, (await make_unit(db)).id)
        response = await client.post(
            f"/api/roster/seats/{seat}/terms",
            json={"user_id": str(uuid.uuid4()), "starts_on": days(0).isoformat()},
            headers=admin_headers,
        )
        assert error_fields(problem(response, 422)) == [("user_id", "ombudsperson")]

    @pytest.mark.clause("3.1")
    @pytest.mark.parametrize(
        ("existing", "new"),
        [
            pytest.param((-100, None), (0, None), id="existing-open-ended"),
            pytest.param((-100, 100), (-10, 10), id="inside"),
            pytest.param((-10, 10), (-100, 100), id="around"),
            pytest.param((-100, 0), (0, 50), id="starts-on-the-last-day"),
            pytest.param((10, 20), (-100, None), id="new-open-ended-over-future"),
            pytest.param((10, None), (-100, 10), id="ends-on-the-first-day"),
        ],
    )
    async def test_overlapping_terms_on_one_seat_conflict(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
        ombudsperson: User,
        existing: tuple[int, int | None],
        new: tuple[int, int | None],
    ) -> None:
        unit = await make_unit(db)
        starts, ends = existing
        await seat_term(db, unit, ombudsperson, days(starts), None if ends is None else days(ends))
        before = await seat_terms(db)
        successor = await make_user(db, passwords, Role.ombudsperson)
        new_starts, new_ends = new
        response = await client.post(
            f"/api/roster/seats/{await seat_id(db, unit.id)}/terms",
            json={
                "user_id": str(successor.id),
                "starts_on": days(new_starts).isoformat(),
                "ends_on": None if new_ends is None else days(new_ends).isoformat(),
            },
            headers=admin_headers,
        )
        body = problem(response, 409)
        assert error_fields(body) == [("starts_on", "no_overlap")]
        assert await seat_terms(db) == before

    @pytest.mark.clause("3.1")
    async def test_back_to_back_terms_and_terms_on_other_seats_are_allowed(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
        ombudsperson: User,
    ) -> None:
        unit, other_unit = await make_unit(db), await make_unit(db)
        await seat_term(db, unit, ombudsperson, days(-100), days(0))
        successor = await make_user(db, passwords, Role.ombudsperson)
        response = await client.post(
            f"/api/roster/seats/{await seat_id(db, unit.id)}/terms",
            json={"user_id": str(successor.id), "starts_on": days(1).isoformat()},
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        response = await client.post(
            f"/api/roster/seats/{await seat_id(db, other_unit.id)}/terms",
            json={"user_id": str(successor.id), "starts_on": days(-100).isoformat()},
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        assert await count(db, SeatTerm) == 3

    async def test_an_unknown_seat_is_not_found(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        ombudsperson: User,
    ) -> None:
        await make_unit(db)
        response = await client.post(
            f"/api/roster/seats/{uuid.uuid4()}/terms",
            json={"user_id": str(ombudsperson.id), "starts_on": days(0).isoformat()},
            headers=admin_headers,
        )
        problem(response, 404)
        assert await count(db, SeatTerm) == 0

    async def test_a_term_ending_before_it_starts_is_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        ombudsperson: User,
    ) -> None:
        seat = await seat_id(db, (await make_unit(db)).id)
        response = await client.post(
            f"/api/roster/seats/{seat}/terms",
            json={
                "user_id": str(ombudsperson.id),
                "starts_on": days(0).isoformat(),
                "ends_on": days(-1).isoformat(),
            },
            headers=admin_headers,
        )
        problem(response, 422)
        assert await count(db, SeatTerm) == 0

    async def test_a_term_ending_before_it_starts_names_ends_on(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        ombudsperson: User,
    ) -> None:
        seat = await seat_id(db, (await make_unit(db)).id)
        response = await client.post(
            f"/api/roster/seats/{seat}/terms",
            json={
                "user_id": str(ombudsperson.id),
                "starts_on": days(0).isoformat(),
                "ends_on": days(-1).isoformat(),
            },
            headers=admin_headers,
        )
        body = problem(response, 422)
        assert [f for f, _ in error_fields(body)] == ["ends_on"]

    @pytest.mark.parametrize(
        ("payload", "field", "rule"),
        [
            ({"starts_on": "2025-02-30"}, "starts_on", "date_from_datetime_parsing"),
            ({"seat_id": "x"}, "seat_id", "extra_forbidden"),
        ],
    )
    async def test_invalid_input_names_the_field(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        ombudsperson: User,
        payload: dict[str, str],
        field: str,
        rule: str,
    ) -> None:
        seat = await seat_id(db, (await make_unit(db)).id)
        response = await client.post(
            f"/api/roster/seats/{seat}/terms",
            json={"user_id": str(ombudsperson.id), "starts_on": days(0).isoformat()} | payload,
            headers=admin_headers,
        )
        body = problem(response, 422)
        assert [f for f, _ in error_fields(body)] == [field]
        assert await count(db, SeatTerm) == 0


class TestEndTerm:
    @pytest.fixture
    async def unit(self, db: AsyncSession) -> Unit:
        return await make_unit(db)

    @pytest.fixture
    async def term(self, db: AsyncSession, unit: Unit, ombudsperson: User) -> SeatTerm:
        return await seat_term(db, unit, ombudsperson, days(-30))

    async def test_anonymous_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, term: SeatTerm
    ) -> None:
        response = await client.post(
            f"/api/roster/terms/{term.id}/end", json={"ends_on": days(-1).isoformat()}
        )
        problem(response, 401)
        assert [t[3] for t in await seat_terms(db)] == [None]

    @pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
    async def test_other_roles_are_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        term: SeatTerm,
        role: Role,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.post(
            f"/api/roster/terms/{term.id}/end",
            json={"ends_on": days(-1).isoformat()},
            headers=headers,
        )
        problem(response, 403)
        assert [t[3] for t in await seat_terms(db)] == [None]

    @pytest.mark.clause("3.1")
    async def test_a_term_ended_yesterday_leaves_the_seat_vacant_today(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        unit: Unit,
        term: SeatTerm,
        ombudsperson: User,
    ) -> None:
        assert seat_of(await get_roster(client, admin_headers), unit)["vacant"] is False
        response = await client.post(
            f"/api/roster/terms/{term.id}/end",
            json={"ends_on": days(-1).isoformat()},
            headers=admin_headers,
        )
        assert response.status_code == 200, response.text
        assert response.json() == {
            "id": str(term.id),
            "seat_id": str(term.seat_id),
            "user_id": str(ombudsperson.id),
            "display_name": ombudsperson.display_name,
            "starts_on": days(-30).isoformat(),
            "ends_on": days(-1).isoformat(),
        }
        assert await seat_terms(db) == [(term.seat_id, ombudsperson.id, days(-30), days(-1))]
        seat = seat_of(await get_roster(client, admin_headers), unit)
        assert (seat["vacant"], seat["current_term"], seat["training"]) == (True, None, [])

    @pytest.mark.clause("3.1")
    async def test_a_term_ending_today_still_fills_the_seat(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        unit: Unit,
        term: SeatTerm,
    ) -> None:
        response = await client.post(
            f"/api/roster/terms/{term.id}/end",
            json={"ends_on": days(0).isoformat()},
            headers=admin_headers,
        )
        assert response.status_code == 200, response.text
        seat = seat_of(await get_roster(client, admin_headers), unit)
        assert seat["vacant"] is False
        assert seat["current_term"]["ends_on"] == days(0).isoformat()

    @pytest.mark.clause("3.1")
    async def test_ending_before_the_start_names_ends_on(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        term: SeatTerm,
    ) -> None:
        response = await client.post(
            f"/api/roster/terms/{term.id}/end",
            json={"ends_on": days(-31).isoformat()},
            headers=admin_headers,
        )
        body = problem(response, 422)
        assert error_fields(body) == [("ends_on", "after_start")]
        assert [t[3] for t in await seat_terms(db)] == [None]

    async def test_an_unknown_term_is_not_found(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        term: SeatTerm,
    ) -> None:
        response = await client.post(
            f"/api/roster/terms/{uuid.uuid4()}/end",
            json={"ends_on": days(-1).isoformat()},
            headers=admin_headers,
        )
        problem(response, 404)
        assert [t[3] for t in await seat_terms(db)] == [None]

    @pytest.mark.clause("3.1")
    async def test_ending_later_cannot_overlap_the_next_term(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
        unit: Unit,
        ombudsperson: User,
    ) -> None:
        first = await seat_term(db, unit, ombudsperson, days(-100), days(-50))
        successor = await make_user(db, passwords, Role.ombudsperson)
        await seat_term(db, unit, successor, days(-10))
        response = await client.post(
            f"/api/roster/terms/{first.id}/end",
            json={"ends_on": days(30).isoformat()},
            headers=admin_headers,
        )
        body = problem(response, 409)
        assert [f for f, _ in error_fields(body)] == ["ends_on"]
        assert [t[3] for t in await seat_terms(db)] == [days(-50), None]
