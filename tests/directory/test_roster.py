"""The ombudsperson roster (3.1): one seat per Unit and one for the affiliates, vacant or
held, and the training records of the ombudspersons who hold them."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, Role, RosterSeat, TrainingKind, TrainingRecord, User
from tests.directory.support import (
    NOT_ADMINISTRATORS,
    ROSTER_READERS,
    count,
    days,
    error_fields,
    get_roster,
    problem,
    seat_id,
    seat_of,
    seat_term,
    training_record,
)
from tests.factories.accounts import make_user, signed_in
from tests.factories.directory import make_unit


class TestGetRoster:
    async def test_anonymous_is_refused(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        await make_unit(db)
        problem(await client.get("/api/roster"), 401)

    async def test_staff_resource_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        _, headers = await signed_in(db, passwords, client, Role.staff_resource)
        response = await client.get("/api/roster", headers=headers)
        problem(response, 403)
        assert str(unit.id) not in response.text

    @pytest.mark.clause("3.1")
    @pytest.mark.parametrize("role", ROSTER_READERS)
    async def test_one_vacant_seat_per_unit_and_one_for_the_affiliates(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        u2 = await make_unit(db, code="U2")
        affiliates = await make_unit(db, code="AFF", affiliates=True)
        u1 = await make_unit(db, code="U1")
        _, headers = await signed_in(db, passwords, client, role)
        roster = await get_roster(client, headers)
        assert [s["unit"]["id"] for s in roster] == [str(u.id) for u in (u1, u2, affiliates)]
        assert [s["unit"]["is_affiliates"] for s in roster] == [False, False, True]
        seat_ids = {s["id"] for s in roster}
        assert len(seat_ids) == 3
        assert seat_ids == {str(s) for s in (await db.scalars(select(RosterSeat.id))).all()}
        for seat in roster:
            assert seat["vacant"] is True
            assert seat["current_term"] is None
            assert seat["training"] == []

    @pytest.mark.clause("3.1")
    async def test_a_held_seat_shows_its_holder_and_their_training(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        ombudsperson: User,
    ) -> None:
        held, vacant = await make_unit(db, code="U1"), await make_unit(db, code="U2")
        term = await seat_term(db, held, ombudsperson, days(-30), days(300))
        await training_record(db, ombudsperson, TrainingKind.ongoing, date(2025, 3, 4))
        await training_record(db, ombudsperson, TrainingKind.comprehensive, date(2024, 9, 12))
        # Someone else's training shows on no seat.
        other = await make_user(db, passwords, Role.ombudsperson)
        await training_record(db, other, TrainingKind.comprehensive, date(2024, 1, 2))
        _, headers = await signed_in(db, passwords, client, Role.table_officer)
        roster = await get_roster(client, headers)
        seat = seat_of(roster, held)
        assert seat["vacant"] is False
        assert seat["current_term"] == {
            "id": str(term.id),
            "seat_id": str(term.seat_id),
            "user_id": str(ombudsperson.id),
            "display_name": ombudsperson.display_name,
            "starts_on": days(-30).isoformat(),
            "ends_on": days(300).isoformat(),
        }
        assert [(t["kind"], t["completed_on"]) for t in seat["training"]] == [
            ("comprehensive", "2024-09-12"),
            ("ongoing", "2025-03-04"),
        ]
        assert seat_of(roster, vacant) | {"unit": None} == {
            "id": str(await seat_id(db, vacant.id)),
            "unit": None,
            "vacant": True,
            "current_term": None,
            "training": [],
        }

    @pytest.mark.clause("3.1")
    @pytest.mark.parametrize(
        ("starts", "ends", "vacant"),
        [
            pytest.param(-30, -1, True, id="ended-yesterday"),
            pytest.param(1, None, True, id="starts-tomorrow"),
            pytest.param(30, 60, True, id="future"),
            pytest.param(-30, 0, False, id="ends-today"),
            pytest.param(0, None, False, id="starts-today"),
            pytest.param(-400, None, False, id="open-ended"),
        ],
    )
    async def test_only_a_term_covering_today_fills_the_seat(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        ombudsperson: User,
        starts: int,
        ends: int | None,
        vacant: bool,
    ) -> None:
        unit = await make_unit(db)
        await training_record(db, ombudsperson, TrainingKind.comprehensive, days(-500))
        await seat_term(db, unit, ombudsperson, days(starts), None if ends is None else days(ends))
        seat = seat_of(await get_roster(client, admin_headers), unit)
        assert seat["vacant"] is vacant
        if vacant:
            assert seat["current_term"] is None
            assert seat["training"] == []
        else:
            assert seat["current_term"]["user_id"] == str(ombudsperson.id)
            assert [t["completed_on"] for t in seat["training"]] == [days(-500).isoformat()]

    @pytest.mark.clause("3.1")
    async def test_a_past_and_a_future_term_leave_the_seat_vacant_between_them(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
        ombudsperson: User,
    ) -> None:
        unit = await make_unit(db)
        successor = await make_user(db, passwords, Role.ombudsperson)
        await seat_term(db, unit, ombudsperson, days(-365), days(-1))
        await seat_term(db, unit, successor, days(1))
        seat = seat_of(await get_roster(client, admin_headers), unit)
        assert (seat["vacant"], seat["current_term"]) == (True, None)


class TestListTraining:
    async def test_anonymous_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, ombudsperson: User
    ) -> None:
        await training_record(db, ombudsperson, TrainingKind.comprehensive, date(2024, 5, 6))
        response = await client.get(f"/api/roster/ombudspersons/{ombudsperson.id}/training")
        problem(response, 401)
        assert "2024-05-06" not in response.text

    async def test_staff_resource_is_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        ombudsperson: User,
    ) -> None:
        await training_record(db, ombudsperson, TrainingKind.comprehensive, date(2024, 5, 6))
        _, headers = await signed_in(db, passwords, client, Role.staff_resource)
        response = await client.get(
            f"/api/roster/ombudspersons/{ombudsperson.id}/training", headers=headers
        )
        problem(response, 403)
        assert "2024-05-06" not in response.text

    @pytest.mark.clause("3.1")
    @pytest.mark.parametrize("role", ROSTER_READERS)
    async def test_readers_see_the_records_in_date_order(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        ombudsperson: User,
        role: Role,
    ) -> None:
        ongoing = await training_record(db, ombudsperson, TrainingKind.ongoing, date(2025, 6, 1))
        first = await training_record(
            db, ombudsperson, TrainingKind.comprehensive, date(2024, 5, 6)
        )
        other = await make_user(db, passwords, Role.ombudsperson)
        await training_record(db, other, TrainingKind.comprehensive, date(2023, 1, 1))
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.get(
            f"/api/roster/ombudspersons/{ombudsperson.id}/training", headers=headers
        )
        assert response.status_code == 200, response.text
        assert response.json() == [
            {"id": str(first.id), "kind": "comprehensive", "completed_on": "2024-05-06"},
            {"id": str(ongoing.id), "kind": "ongoing", "completed_on": "2025-06-01"},
        ]

    async def test_no_records_is_an_empty_list(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], ombudsperson: User
    ) -> None:
        response = await client.get(
            f"/api/roster/ombudspersons/{ombudsperson.id}/training", headers=admin_headers
        )
        assert response.status_code == 200
        assert response.json() == []

    async def test_a_user_who_is_not_an_ombudsperson_is_not_found_like_an_unknown_id(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        officer = await make_user(db, passwords, Role.table_officer)
        known = await client.get(
            f"/api/roster/ombudspersons/{officer.id}/training", headers=admin_headers
        )
        unknown = await client.get(
            f"/api/roster/ombudspersons/{uuid.uuid4()}/training", headers=admin_headers
        )
        # The path names an ombudsperson: an existing user of another role answers exactly
        # as an id that names nobody.
        assert problem(known, 404) == problem(unknown, 404)


class TestAddTraining:
    async def test_anonymous_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, ombudsperson: User
    ) -> None:
        response = await client.post(
            f"/api/roster/ombudspersons/{ombudsperson.id}/training",
            json={"kind": "comprehensive", "completed_on": "2024-05-06"},
        )
        problem(response, 401)
        assert await count(db, TrainingRecord) == 0

    @pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
    async def test_other_roles_are_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        ombudsperson: User,
        role: Role,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.post(
            f"/api/roster/ombudspersons/{ombudsperson.id}/training",
            json={"kind": "comprehensive", "completed_on": "2024-05-06"},
            headers=headers,
        )
        problem(response, 403)
        assert await count(db, TrainingRecord) == 0

    @pytest.mark.parametrize(
        "extra", [(), (Role.table_officer,), (Role.staff_resource,)], ids=["", "officer", "staff"]
    )
    async def test_an_ombudsperson_cannot_record_their_own_training(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        extra: tuple[Role, ...],
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.ombudsperson, *extra)
        response = await client.post(
            f"/api/roster/ombudspersons/{user.id}/training",
            json={"kind": "comprehensive", "completed_on": "2024-05-06"},
            headers=headers,
        )
        problem(response, 403)
        assert await count(db, TrainingRecord) == 0

    @pytest.mark.clause("3.1")
    async def test_recorded_listed_and_shown_on_the_holders_seat(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        ombudsperson: User,
    ) -> None:
        admin, headers = await signed_in(db, passwords, client, Role.administrator)
        unit = await make_unit(db)
        await seat_term(db, unit, ombudsperson, days(-10))
        created = []
        for kind, on in (("ongoing", "2025-02-03"), ("comprehensive", "2024-11-20")):
            response = await client.post(
                f"/api/roster/ombudspersons/{ombudsperson.id}/training",
                json={"kind": kind, "completed_on": on},
                headers=headers,
            )
            assert response.status_code == 201, response.text
            body = response.json()
            assert body == {"id": body["id"], "kind": kind, "completed_on": on}
            created.append(body)
        stored = (
            await db.execute(
                select(
                    TrainingRecord.user_id, TrainingRecord.kind, TrainingRecord.completed_on
                ).order_by(TrainingRecord.completed_on)
            )
        ).all()
        assert [tuple(r) for r in stored] == [
            (ombudsperson.id, TrainingKind.comprehensive, date(2024, 11, 20)),
            (ombudsperson.id, TrainingKind.ongoing, date(2025, 2, 3)),
        ]
        listed = await client.get(
            f"/api/roster/ombudspersons/{ombudsperson.id}/training", headers=headers
        )
        assert listed.json() == [created[1], created[0]]
        seat = seat_of(await get_roster(client, headers), unit)
        assert seat["training"] == [created[1], created[0]]
        audit = (
            await db.execute(
                select(AuditEntry.object_id, AuditEntry.actor_id).where(
                    AuditEntry.action == "training.add"
                )
            )
        ).all()
        assert sorted(tuple(a) for a in audit) == sorted((c["id"], admin.id) for c in created)

    async def test_a_user_who_is_not_an_ombudsperson_is_not_found_like_an_unknown_id(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        officer = await make_user(db, passwords, Role.table_officer)
        answers = [
            await client.post(
                f"/api/roster/ombudspersons/{user_id}/training",
                json={"kind": "comprehensive", "completed_on": "2024-05-06"},
                headers=admin_headers,
            )
            for user_id in (officer.id, uuid.uuid4())
        ]
        assert problem(answers[0], 404) == problem(answers[1], 404)
        assert await count(db, TrainingRecord) == 0

    @pytest.mark.parametrize(
        ("payload", "field", "rule"),
        [
            ({"kind": "refresher", "completed_on": "2024-05-06"}, "kind", "enum"),
            (
                {"kind": "ongoing", "completed_on": "someday"},
                "completed_on",
                "date_from_datetime_parsing",
            ),
            ({"kind": "ongoing"}, "completed_on", "missing"),
            (
                {"kind": "ongoing", "completed_on": "2024-05-06", "hours": 3},
                "hours",
                "extra_forbidden",
            ),
        ],
    )
    async def test_invalid_input_names_the_field(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        ombudsperson: User,
        payload: dict[str, object],
        field: str,
        rule: str,
    ) -> None:
        response = await client.post(
            f"/api/roster/ombudspersons/{ombudsperson.id}/training",
            json=payload,
            headers=admin_headers,
        )
        assert error_fields(problem(response, 422)) == [(field, rule)]
        assert await count(db, TrainingRecord) == 0
