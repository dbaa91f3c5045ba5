"""Units and the affiliates group: each comes with its ombudsperson seat (3.1)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, Role, RosterSeat, Unit
from tests.directory.support import NOT_ADMINISTRATORS, count, error_fields, problem
from tests.factories.accounts import signed_in
from tests.factories.directory import make_unit


class TestListUnits:
    async def test_anonymous_is_refused(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        await make_unit(db, code="U1")
        response = await client.get("/api/units")
        body = problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
        assert "U1" not in response.text
        assert body["title"] == "Authentication required"

    async def test_staff_resource_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        await make_unit(db, code="U1")
        _, headers = await signed_in(db, passwords, client, Role.staff_resource)
        response = await client.get("/api/units", headers=headers)
        problem(response, 403)
        assert "U1" not in response.text

    @pytest.mark.parametrize("role", [Role.administrator, Role.ombudsperson, Role.table_officer])
    async def test_units_by_code_then_the_affiliates_group(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        for code in ("C3", "A1"):
            await make_unit(db, code=code)
        # Its code sorts first, yet the affiliates group comes last.
        await make_unit(db, code="A0", affiliates=True)
        await make_unit(db, code="B2")
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.get("/api/units", headers=headers)
        assert response.status_code == 200, response.text
        listed = [(u["code"], u["is_affiliates"]) for u in response.json()]
        assert listed == [("A1", False), ("B2", False), ("C3", False), ("A0", True)]

    async def test_empty_directory_lists_nothing(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.get("/api/units", headers=admin_headers)
        assert response.status_code == 200
        assert response.json() == []


class TestCreateUnit:
    async def test_anonymous_is_refused(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        response = await client.post("/api/units", json={"code": "U1", "name": "Unit One"})
        problem(response, 401)
        assert await count(db, Unit) == 0

    @pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
    async def test_other_roles_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.post(
            "/api/units", json={"code": "U1", "name": "Unit One"}, headers=headers
        )
        body = problem(response, 403)
        assert body["detail"] == "This needs the role administrator."
        assert await count(db, Unit) == 0
        assert await count(db, RosterSeat) == 0

    @pytest.mark.clause("3.1")
    async def test_creates_the_unit_and_its_vacant_seat(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/units", json={"code": "U1", "name": "Unit One"}, headers=headers
        )
        assert response.status_code == 201, response.text
        unit = response.json()
        assert unit["code"] == "U1"
        assert unit["name"] == "Unit One"
        assert unit["is_affiliates"] is False

        seats = (await db.scalars(select(RosterSeat.unit_id))).all()
        assert [str(s) for s in seats] == [unit["id"]]

        roster = (await client.get("/api/roster", headers=headers)).json()
        assert len(roster) == 1
        assert roster[0]["unit"] == unit
        assert roster[0]["vacant"] is True
        assert roster[0]["current_term"] is None
        assert roster[0]["training"] == []

        audit = (
            await db.execute(
                select(AuditEntry.action, AuditEntry.object_id, AuditEntry.actor_id).where(
                    AuditEntry.action == "units.create"
                )
            )
        ).all()
        assert [tuple(a) for a in audit] == [("units.create", unit["id"], user.id)]

    @pytest.mark.clause("3.1")
    async def test_creates_the_affiliates_group_with_its_seat(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        await make_unit(db, code="U1")
        response = await client.post(
            "/api/units",
            json={"code": "AFF", "name": "Affiliates", "is_affiliates": True},
            headers=admin_headers,
        )
        assert response.status_code == 201, response.text
        assert response.json()["is_affiliates"] is True
        roster = (await client.get("/api/roster", headers=admin_headers)).json()
        assert [(s["unit"]["code"], s["vacant"]) for s in roster] == [("U1", True), ("AFF", True)]
        assert await count(db, RosterSeat) == 2

    async def test_duplicate_code_is_a_conflict_naming_code(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        existing = await make_unit(db, code="U1")
        response = await client.post(
            "/api/units", json={"code": "U1", "name": "Another"}, headers=admin_headers
        )
        body = problem(response, 409)
        assert error_fields(body) == [("code", "unique")]
        assert await count(db, RosterSeat) == 1
        units = (await db.execute(select(Unit.id, Unit.name))).all()
        assert [tuple(u) for u in units] == [(existing.id, existing.name)]

    @pytest.mark.clause("3.1")
    async def test_a_second_affiliates_group_is_a_conflict(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        await make_unit(db, code="AFF", affiliates=True)
        response = await client.post(
            "/api/units",
            json={"code": "AFF2", "name": "More affiliates", "is_affiliates": True},
            headers=admin_headers,
        )
        body = problem(response, 409)
        assert error_fields(body) == [("is_affiliates", "unique")]
        assert await count(db, Unit) == 1
        assert await count(db, RosterSeat) == 1

    @pytest.mark.parametrize(
        ("payload", "field", "rule"),
        [
            ({"code": "U 1", "name": "Unit"}, "code", "string_pattern_mismatch"),
            ({"code": "U1", "name": ""}, "name", "string_too_short"),
            ({"code": "U1", "name": "Unit", "colour": "red"}, "colour", "extra_forbidden"),
        ],
    )
    async def test_invalid_input_names_the_field(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        payload: dict[str, str],
        field: str,
        rule: str,
    ) -> None:
        response = await client.post("/api/units", json=payload, headers=admin_headers)
        body = problem(response, 422)
        assert error_fields(body) == [(field, rule)]
        assert await count(db, Unit) == 0
