"""The member directory: search, read, create and update members."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, Member, Role, Unit
from tests.directory.support import NOT_ADMINISTRATORS, count, error_fields, problem
from tests.factories.accounts import signed_in
from tests.factories.directory import make_member, make_unit

READERS = [Role.administrator, Role.ombudsperson]
NOT_READERS = [Role.table_officer, Role.staff_resource]


async def _member(
    db: AsyncSession, unit: Unit, number: str, name: str, email: str | None = None
) -> Member:
    member = Member(member_number=number, full_name=name, unit_id=unit.id, email=email)
    db.add(member)
    await db.commit()
    return member


async def _row(db: AsyncSession, member_id: uuid.UUID) -> tuple[Any, ...]:
    row = (
        await db.execute(
            select(Member.member_number, Member.full_name, Member.unit_id, Member.email).where(
                Member.id == member_id
            )
        )
    ).one()
    return tuple(row)


def _cursor(key: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


class TestSearchMembers:
    async def test_anonymous_is_refused(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        unit = await make_unit(db)
        await make_member(db, unit, name="Alice Canary")
        response = await client.get("/api/members", params={"q": "Al"})
        problem(response, 401)
        assert "Canary" not in response.text

    @pytest.mark.parametrize("role", NOT_READERS)
    async def test_other_roles_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        unit = await make_unit(db)
        await make_member(db, unit, name="Alice Canary")
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.get("/api/members", headers=headers)
        problem(response, 403)
        assert "Canary" not in response.text

    @pytest.mark.parametrize("role", READERS)
    @pytest.mark.parametrize("q", ["Al", "al", "AL"])
    async def test_by_name_prefix_in_name_order(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        role: Role,
        q: str,
    ) -> None:
        unit = await make_unit(db)
        await _member(db, unit, "100", "Alice Smith")
        await _member(db, unit, "101", "Bob Alder")  # "Al" inside the name, not a prefix
        await _member(db, unit, "102", "Albert Jones")
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.get("/api/members", params={"q": q}, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert [m["full_name"] for m in page["items"]] == ["Albert Jones", "Alice Smith"]
        assert page["next_cursor"] is None

    async def test_by_member_number_prefix(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        unit = await make_unit(db)
        await _member(db, unit, "A-1001", "Carol King", "carol@example.org")
        await _member(db, unit, "A-1002", "Dan Ng")
        await _member(db, unit, "B-1001", "Erin Oak")
        response = await client.get("/api/members", params={"q": "a-100"}, headers=admin_headers)
        assert response.status_code == 200
        items = response.json()["items"]
        assert [(m["member_number"], m["full_name"]) for m in items] == [
            ("A-1001", "Carol King"),
            ("A-1002", "Dan Ng"),
        ]
        assert items[0]["unit_id"] == str(unit.id)
        assert items[0]["email"] == "carol@example.org"

    @pytest.mark.parametrize(
        ("q", "expected"),
        [("A_", ["A_B"]), ("A%", ["A%B"]), ("A\\", ["A\\B"]), ("A", ["A%B", "A\\B", "A_B", "AxB"])],
    )
    async def test_wildcards_in_the_query_are_literal(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        q: str,
        expected: list[str],
    ) -> None:
        unit = await make_unit(db)
        for n, name in enumerate(["A_B", "AxB", "A%B", "A\\B"]):
            await _member(db, unit, f"W-{n}", name)
        response = await client.get("/api/members", params={"q": q}, headers=admin_headers)
        assert response.status_code == 200
        assert sorted(m["full_name"] for m in response.json()["items"]) == sorted(expected)

    async def test_filter_by_unit(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        first, second = await make_unit(db), await make_unit(db)
        await _member(db, first, "1", "Member One")
        await _member(db, second, "2", "Member Two")
        response = await client.get(
            "/api/members", params={"unit_id": str(second.id)}, headers=admin_headers
        )
        assert [m["full_name"] for m in response.json()["items"]] == ["Member Two"]

    @pytest.mark.parametrize("limit", [1, 2, 3, 7, 8])
    async def test_keyset_pages_walk_every_member_exactly_once(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        limit: int,
    ) -> None:
        unit = await make_unit(db)
        # Repeated names: the cursor must break ties by id, not skip or repeat them.
        names = ["Member E", "Member A", "Member C", "Member C", "Member B", "Member C", "Member D"]
        created = {
            str((await _member(db, unit, f"P-{n}", name)).id) for n, name in enumerate(names)
        }
        seen: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(len(names) + 2):
            params: dict[str, str | int] = {"limit": limit}
            if cursor is not None:
                params["cursor"] = cursor
            response = await client.get("/api/members", params=params, headers=admin_headers)
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["items"]) <= limit
            seen.extend(page["items"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert cursor is None
        ids = [m["id"] for m in seen]
        assert len(ids) == len(set(ids)) == len(names)
        assert set(ids) == created
        assert [m["full_name"] for m in seen] == sorted(names)

    @pytest.mark.parametrize(
        "cursor",
        [
            "not a cursor!",
            "%%%",
            _cursor({"full_name": "x"}),
            _cursor(["only one part"]),
            _cursor(["Member A", 12]),
            base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
        ],
    )
    async def test_malformed_cursor_names_cursor(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], cursor: str
    ) -> None:
        response = await client.get(
            "/api/members", params={"cursor": cursor}, headers=admin_headers
        )
        body = problem(response, 422)
        assert error_fields(body) == [("cursor", "cursor_invalid")]

    async def test_cursor_with_an_id_that_is_not_a_uuid_names_cursor(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.get(
            "/api/members",
            params={"cursor": _cursor(["Member A", "not-a-uuid"])},
            headers=admin_headers,
        )
        body = problem(response, 422)
        assert error_fields(body) == [("cursor", "cursor_invalid")]

    @pytest.mark.parametrize("limit", [0, 201])
    async def test_limit_out_of_range_names_limit(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], limit: int
    ) -> None:
        response = await client.get("/api/members", params={"limit": limit}, headers=admin_headers)
        body = problem(response, 422)
        assert [f for f, _ in error_fields(body)] == ["limit"]


class TestGetMember:
    async def test_anonymous_is_refused(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        member = await make_member(db, await make_unit(db), name="Alice Canary")
        response = await client.get(f"/api/members/{member.id}")
        problem(response, 401)
        assert "Canary" not in response.text

    @pytest.mark.parametrize("role", NOT_READERS)
    async def test_other_roles_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        member = await make_member(db, await make_unit(db), name="Alice Canary")
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.get(f"/api/members/{member.id}", headers=headers)
        problem(response, 403)
        assert "Canary" not in response.text

    @pytest.mark.parametrize("role", READERS)
    async def test_readers_get_the_member(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        unit = await make_unit(db)
        member = await _member(db, unit, "G-1", "Grace Hopper", "grace@example.org")
        await _member(db, unit, "G-2", "Someone Else")
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.get(f"/api/members/{member.id}", headers=headers)
        assert response.status_code == 200
        assert response.json() == {
            "id": str(member.id),
            "member_number": "G-1",
            "full_name": "Grace Hopper",
            "unit_id": str(unit.id),
            "email": "grace@example.org",
        }

    async def test_unknown_id_is_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        await make_member(db, await make_unit(db))
        response = await client.get(f"/api/members/{uuid.uuid4()}", headers=admin_headers)
        problem(response, 404)

    async def test_malformed_id_names_member_id(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.get("/api/members/not-a-uuid", headers=admin_headers)
        body = problem(response, 422)
        assert [f for f, _ in error_fields(body)] == ["member_id"]


class TestCreateMember:
    @staticmethod
    def _payload(unit: Unit, **changes: object) -> dict[str, object]:
        payload: dict[str, object] = {
            "member_number": "N-100",
            "full_name": "Nadia Canary",
            "unit_id": str(unit.id),
            "email": "nadia@example.org",
        }
        payload.update(changes)
        return payload

    async def test_anonymous_is_refused(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        unit = await make_unit(db)
        response = await client.post("/api/members", json=self._payload(unit))
        problem(response, 401)
        assert await count(db, Member) == 0

    @pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
    async def test_other_roles_are_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, role: Role
    ) -> None:
        unit = await make_unit(db)
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.post("/api/members", json=self._payload(unit), headers=headers)
        problem(response, 403)
        assert await count(db, Member) == 0

    async def test_administrator_creates_the_member(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        unit = await make_unit(db)
        user, headers = await signed_in(db, passwords, client, Role.administrator)
        response = await client.post(
            "/api/members", json=self._payload(unit, full_name="  Nadia Canary  "), headers=headers
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body == {
            "id": body["id"],
            "member_number": "N-100",
            "full_name": "Nadia Canary",
            "unit_id": str(unit.id),
            "email": "nadia@example.org",
        }
        assert await _row(db, uuid.UUID(body["id"])) == (
            "N-100",
            "Nadia Canary",
            unit.id,
            "nadia@example.org",
        )
        audit = (
            await db.execute(
                select(AuditEntry.object_id, AuditEntry.actor_id).where(
                    AuditEntry.action == "members.create"
                )
            )
        ).all()
        assert [tuple(a) for a in audit] == [(body["id"], user.id)]

    async def test_email_is_optional(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        unit = await make_unit(db)
        payload = self._payload(unit)
        del payload["email"]
        response = await client.post("/api/members", json=payload, headers=admin_headers)
        assert response.status_code == 201, response.text
        assert response.json()["email"] is None

    async def test_duplicate_member_number_is_a_conflict_and_changes_nothing(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        unit = await make_unit(db)
        existing = await _member(db, unit, "N-100", "First Holder", "first@example.org")
        before = await count(db, Member)
        response = await client.post(
            "/api/members", json=self._payload(unit), headers=admin_headers
        )
        body = problem(response, 409)
        assert body["errors"][0]["field"] == "member_number"
        assert body["errors"][0]["rule"] == "unique"
        assert "Canary" not in response.text
        assert await count(db, Member) == before == 1
        assert await _row(db, existing.id) == (
            "N-100",
            "First Holder",
            unit.id,
            "first@example.org",
        )

    async def test_unknown_unit_names_unit_id(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        unit = await make_unit(db)
        response = await client.post(
            "/api/members",
            json=self._payload(unit, unit_id=str(uuid.uuid4())),
            headers=admin_headers,
        )
        body = problem(response, 422)
        assert error_fields(body) == [("unit_id", "exists")]
        assert await count(db, Member) == 0

    @pytest.mark.parametrize(
        ("changes", "field", "rule"),
        [
            ({"email": "not-an-email"}, "email", "value_error"),
            ({"email": "two@@example.org"}, "email", "value_error"),
            ({"member_number": "N 100!"}, "member_number", "string_pattern_mismatch"),
            ({"member_number": "N" * 33}, "member_number", "string_pattern_mismatch"),
            ({"full_name": ""}, "full_name", "string_too_short"),
            ({"full_name": "x" * 201}, "full_name", "string_too_long"),
            ({"unit_id": "not-a-uuid"}, "unit_id", "uuid_parsing"),
            ({"nickname": "Nads"}, "nickname", "extra_forbidden"),
            ({"id": str(uuid.uuid4())}, "id", "extra_forbidden"),
        ],
    )
    async def test_invalid_input_names_the_field_and_rule(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        changes: dict[str, object],
        field: str,
        rule: str,
    ) -> None:
        unit = await make_unit(db)
        response = await client.post(
            "/api/members", json=self._payload(unit, **changes), headers=admin_headers
        )
        body = problem(response, 422)
        assert error_fields(body) == [(field, rule)]
        assert await count(db, Member) == 0

    async def test_missing_fields_are_named(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        response = await client.post("/api/members", json={}, headers=admin_headers)
        body = problem(response, 422)
        assert sorted(error_fields(body)) == [
            ("full_name", "missing"),
            ("member_number", "missing"),
            ("unit_id", "missing"),
        ]
        assert await count(db, Member) == 0


class TestUpdateMember:
    @pytest.fixture
    async def member(self, db: AsyncSession) -> Member:
        unit = await make_unit(db)
        return await _member(db, unit, "U-1", "Uma Canary", "uma@example.org")

    async def test_anonymous_is_refused(
        self, client: httpx.AsyncClient, db: AsyncSession, member: Member
    ) -> None:
        response = await client.patch(f"/api/members/{member.id}", json={"full_name": "Changed"})
        problem(response, 401)
        assert (await _row(db, member.id))[1] == "Uma Canary"

    @pytest.mark.parametrize("role", NOT_ADMINISTRATORS)
    async def test_other_roles_are_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        member: Member,
        role: Role,
    ) -> None:
        _, headers = await signed_in(db, passwords, client, role)
        response = await client.patch(
            f"/api/members/{member.id}", json={"full_name": "Changed"}, headers=headers
        )
        problem(response, 403)
        assert (await _row(db, member.id))[1] == "Uma Canary"

    async def test_administrator_changes_the_fields_sent(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        member: Member,
    ) -> None:
        other_unit = await make_unit(db)
        response = await client.patch(
            f"/api/members/{member.id}",
            json={"full_name": "Uma Renamed", "unit_id": str(other_unit.id)},
            headers=admin_headers,
        )
        assert response.status_code == 200, response.text
        assert response.json() == {
            "id": str(member.id),
            "member_number": "U-1",
            "full_name": "Uma Renamed",
            "unit_id": str(other_unit.id),
            "email": "uma@example.org",
        }
        assert await _row(db, member.id) == ("U-1", "Uma Renamed", other_unit.id, "uma@example.org")

    async def test_email_can_be_cleared(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        member: Member,
    ) -> None:
        response = await client.patch(
            f"/api/members/{member.id}", json={"email": None}, headers=admin_headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["email"] is None
        assert await _row(db, member.id) == ("U-1", "Uma Canary", member.unit_id, None)

    @pytest.mark.parametrize(
        ("payload", "field", "rule"),
        [
            ({"full_name": None}, "full_name", "required"),
            ({"unit_id": None}, "unit_id", "required"),
            ({"unit_id": str(uuid.UUID(int=1))}, "unit_id", "exists"),
            ({"email": "nope"}, "email", "value_error"),
            ({"member_number": "U-2"}, "member_number", "extra_forbidden"),
            ({"full_name": "Uma Renamed", "full_name_x": "?"}, "full_name_x", "extra_forbidden"),
        ],
    )
    async def test_invalid_changes_name_the_field_and_change_nothing(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        member: Member,
        payload: dict[str, object],
        field: str,
        rule: str,
    ) -> None:
        response = await client.patch(
            f"/api/members/{member.id}", json=payload, headers=admin_headers
        )
        body = problem(response, 422)
        assert error_fields(body) == [(field, rule)]
        assert await _row(db, member.id) == ("U-1", "Uma Canary", member.unit_id, "uma@example.org")

    async def test_unknown_id_is_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        await make_member(db, await make_unit(db))
        response = await client.patch(
            f"/api/members/{uuid.uuid4()}", json={"full_name": "X"}, headers=admin_headers
        )
        problem(response, 404)
