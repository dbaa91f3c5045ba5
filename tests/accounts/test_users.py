"""/api/users: administrators create, list and read user accounts."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.pagination import encode_cursor
from ombuds.models import Role, StaffResourceKind, User
from tests.accounts.support import (
    assert_problem,
    audit_entries,
    count_users,
    error_rules,
    reload_user,
)
from tests.factories.accounts import login, make_user
from tests.factories.directory import make_member, make_unit

NEW_PASSWORD = "a long enough new password"
USER_FIELDS = {
    "id",
    "username",
    "display_name",
    "roles",
    "staff_resource_kind",
    "member_id",
    "email",
    "is_active",
    "created_at",
}


def new_user(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": f"new.user{uuid.uuid4().hex[:8]}",
        "display_name": "New User",
        "password": NEW_PASSWORD,
        "roles": ["ombudsperson"],
    }
    body.update(overrides)
    return body


async def try_login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    return await client.post("/api/auth/token", data={"username": username, "password": password})


class TestCreate:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient, db: AsyncSession) -> None:
        before = await count_users(db)
        assert_problem(await client.post("/api/users", json=new_user()), 401)
        assert await count_users(db) == before

    async def test_without_the_right_is_403(
        self, client: httpx.AsyncClient, db: AsyncSession, without_right_headers: dict[str, str]
    ) -> None:
        before = await count_users(db)
        response = await client.post("/api/users", json=new_user(), headers=without_right_headers)
        assert_problem(response, 403)
        assert await count_users(db) == before

    async def test_integration_token_is_403(
        self, client: httpx.AsyncClient, db: AsyncSession, integration_headers: dict[str, str]
    ) -> None:
        before = await count_users(db)
        response = await client.post("/api/users", json=new_user(), headers=integration_headers)
        assert not response.is_success
        assert_problem(response, 403)
        assert await count_users(db) == before

    async def test_creates_with_sorted_roles_and_lower_cased_username(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin: tuple[User, dict[str, str]],
    ) -> None:
        actor, headers = admin
        body = new_user(
            username="  Pat.McKay-2 ",
            display_name="Pat McKay",
            roles=["staff_resource", "ombudsperson", "staff_resource"],
            staff_resource_kind="equality_representative",
        )
        response = await client.post("/api/users", json=body, headers=headers)
        assert response.status_code == 201, response.text
        out = response.json()
        assert set(out) == USER_FIELDS
        assert out["username"] == "pat.mckay-2"
        assert out["display_name"] == "Pat McKay"
        assert out["roles"] == ["ombudsperson", "staff_resource"]
        assert out["staff_resource_kind"] == "equality_representative"
        assert out["member_id"] is None
        assert out["email"] is None
        assert out["is_active"] is True
        assert NEW_PASSWORD not in response.text
        assert "argon2" not in response.text

        user = await reload_user(db, uuid.UUID(out["id"]))
        assert user.username == "pat.mckay-2"
        assert user.role_set == {Role.ombudsperson, Role.staff_resource}
        assert user.password_hash.startswith("$argon2id$")
        assert NEW_PASSWORD not in user.password_hash
        assert passwords.verify(user.password_hash, NEW_PASSWORD)
        [entry] = await audit_entries(db, "users.create")
        assert (entry.actor_id, entry.object_id) == (actor.id, str(user.id))
        assert (entry.actor_kind, entry.object_type) == ("user", "user")

    @pytest.mark.clause("5.1")
    async def test_with_an_email_address_for_notifications(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        body = new_user(email="pat@example.org")
        response = await client.post("/api/users", json=body, headers=admin_headers)
        assert response.status_code == 201, response.text
        assert response.json()["email"] == "pat@example.org"
        user = await reload_user(db, uuid.UUID(response.json()["id"]))
        assert user.email == "pat@example.org"

    async def test_an_invalid_email_address_is_422(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        before = await count_users(db)
        body = new_user(email="not an address")
        response = await client.post("/api/users", json=body, headers=admin_headers)
        assert_problem(response, 422, "email")
        assert await count_users(db) == before

    async def test_staff_resource_with_kind(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        body = new_user(roles=["staff_resource"], staff_resource_kind="equality_representative")
        response = await client.post("/api/users", json=body, headers=admin_headers)
        assert response.status_code == 201, response.text
        assert response.json()["roles"] == ["staff_resource"]
        assert response.json()["staff_resource_kind"] == "equality_representative"
        user = await reload_user(db, uuid.UUID(response.json()["id"]))
        assert user.staff_resource_kind is StaffResourceKind.equality_representative

    async def test_new_user_signs_in_and_sees_exactly_its_roles(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        body = new_user(
            username="Sam",
            roles=["staff_resource", "ombudsperson"],
            staff_resource_kind="special_assignments_officer",
        )
        created = await client.post("/api/users", json=body, headers=admin_headers)
        assert created.status_code == 201, created.text
        headers = await login(client, "SAM", NEW_PASSWORD)
        response = await client.get("/api/auth/me", headers=headers)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "id": created.json()["id"],
            "username": "sam",
            "display_name": "New User",
            "roles": ["ombudsperson", "staff_resource"],
            "staff_resource_kind": "special_assignments_officer",
            "second_factor_enabled": False,
            "second_factor_pending": False,
        }

    @pytest.mark.parametrize("second", ["taken.name", "Taken.Name", "TAKEN.NAME"])
    async def test_duplicate_username_is_409(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        second: str,
    ) -> None:
        first = await client.post(
            "/api/users", json=new_user(username="taken.name"), headers=admin_headers
        )
        assert first.status_code == 201, first.text
        before = await count_users(db)
        response = await client.post(
            "/api/users", json=new_user(username=second), headers=admin_headers
        )
        body = assert_problem(response, 409, "username")
        assert error_rules(body, "username") == {"unique"}
        assert await count_users(db) == before

    async def test_password_is_stored_exactly_as_given(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        password = "  spaces at both ends  "
        body = new_user(username="spacey", password=password)
        response = await client.post("/api/users", json=body, headers=admin_headers)
        assert response.status_code == 201, response.text
        signed = await try_login(client, "spacey", password)
        assert signed.status_code == 200, signed.text

    async def test_password_of_twelve_characters_is_enough(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        body = new_user(password="x" * 12)
        response = await client.post("/api/users", json=body, headers=admin_headers)
        assert response.status_code == 201, response.text

    @pytest.mark.parametrize(
        ("overrides", "field", "rule"),
        [
            pytest.param({"password": "x" * 11}, "password", "too_short", id="short-password"),
            pytest.param({"roles": []}, "roles", "too_short", id="empty-roles"),
            pytest.param({"roles": ["superuser"]}, "roles.0", "enum", id="unknown-role"),
            pytest.param({"username": "a"}, "username", "string_pattern_mismatch", id="username"),
            pytest.param(
                {"roles": ["staff_resource"]},
                "staff_resource_kind",
                "required_for_staff_resource",
                id="staff-without-kind",
            ),
            pytest.param(
                {"roles": ["ombudsperson"], "staff_resource_kind": "equality_representative"},
                "staff_resource_kind",
                "only_for_staff_resource",
                id="kind-without-staff-role",
            ),
            pytest.param(
                {"staff_resource_kind": "janitor", "roles": ["staff_resource"]},
                "staff_resource_kind",
                "enum",
                id="unknown-kind",
            ),
            pytest.param({"is_active": False}, "is_active", "extra_forbidden", id="is_active"),
            pytest.param({"id": str(uuid.uuid4())}, "id", "extra_forbidden", id="id"),
            pytest.param(
                {"password_hash": "$argon2id$x"}, "password_hash", "extra_forbidden", id="hash"
            ),
        ],
    )
    async def test_invalid_input_is_422(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        overrides: dict[str, Any],
        field: str,
        rule: str,
    ) -> None:
        before = await count_users(db)
        response = await client.post(
            "/api/users", json=new_user(**overrides), headers=admin_headers
        )
        body = assert_problem(response, 422, field)
        assert rule in error_rules(body, field)
        assert await count_users(db) == before

    async def test_unknown_member_is_422(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        before = await count_users(db)
        body = new_user(member_id=str(uuid.uuid4()))
        response = await client.post("/api/users", json=body, headers=admin_headers)
        assert error_rules(assert_problem(response, 422, "member_id"), "member_id") == {"exists"}
        assert await count_users(db) == before

    async def test_links_a_member(
        self, client: httpx.AsyncClient, db: AsyncSession, admin_headers: dict[str, str]
    ) -> None:
        member = await make_member(db, await make_unit(db))
        body = new_user(member_id=str(member.id))
        response = await client.post("/api/users", json=body, headers=admin_headers)
        assert response.status_code == 201, response.text
        assert response.json()["member_id"] == str(member.id)
        user = await reload_user(db, uuid.UUID(response.json()["id"]))
        assert user.member_id == member.id

    async def test_second_user_for_one_member_is_409(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        member = await make_member(db, await make_unit(db))
        await make_user(db, passwords, Role.ombudsperson, member=member)
        before = await count_users(db)
        body = new_user(member_id=str(member.id))
        response = await client.post("/api/users", json=body, headers=admin_headers)
        assert error_rules(assert_problem(response, 409, "member_id"), "member_id") == {"unique"}
        assert await count_users(db) == before


class TestList:
    async def test_anonymous_is_401(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get("/api/users"), 401)

    async def test_without_the_right_is_403(
        self, client: httpx.AsyncClient, without_right_headers: dict[str, str]
    ) -> None:
        assert_problem(await client.get("/api/users", headers=without_right_headers), 403)

    async def test_integration_token_is_403(
        self, client: httpx.AsyncClient, integration_headers: dict[str, str]
    ) -> None:
        response = await client.get("/api/users", headers=integration_headers)
        assert not response.is_success
        assert_problem(response, 403)

    @pytest.mark.parametrize("limit", [1, 2, 3, 7, 200])
    async def test_walks_every_user_once_in_username_order(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin: tuple[User, dict[str, str]],
        limit: int,
    ) -> None:
        actor, headers = admin
        names = ["zed", "amy", "bob.b", "bob", "bob_b", "bob-b", "carol9", "carol10"]
        for name in names:
            await make_user(db, passwords, Role.table_officer, username=name)
        expected = sorted([*names, actor.username])

        seen: list[str] = []
        cursor: str | None = None
        for _ in range(len(expected) + 2):
            params: dict[str, str | int] = {"limit": limit}
            if cursor is not None:
                params["cursor"] = cursor
            response = await client.get("/api/users", params=params, headers=headers)
            assert response.status_code == 200, response.text
            page = response.json()
            assert len(page["items"]) <= limit
            seen += [item["username"] for item in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert cursor is None
        assert seen == expected

    async def test_items_show_the_account_not_the_password(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        member = await make_member(db, await make_unit(db))
        user = await make_user(
            db,
            passwords,
            Role.table_officer,
            Role.staff_resource,
            username="aaa-first",
            member=member,
            staff_kind=StaffResourceKind.equality_representative,
            active=False,
        )
        response = await client.get("/api/users", params={"limit": 1}, headers=admin_headers)
        assert response.status_code == 200, response.text
        [item] = response.json()["items"]
        assert set(item) == USER_FIELDS
        assert item["id"] == str(user.id)
        assert item["roles"] == ["staff_resource", "table_officer"]
        assert item["staff_resource_kind"] == "equality_representative"
        assert item["member_id"] == str(member.id)
        assert item["is_active"] is False
        assert "argon2" not in response.text
        assert response.json()["next_cursor"] == encode_cursor("aaa-first")

    @pytest.mark.parametrize(
        "cursor",
        [
            "not a cursor",
            "%%%",
            encode_cursor("a", "b"),
            "eyJhIjoxfQ",  # {"a":1}
            "WzFd",  # [1]
            "__8",  # bytes that are not UTF-8
        ],
    )
    async def test_malformed_cursor_is_422(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], cursor: str
    ) -> None:
        response = await client.get("/api/users", params={"cursor": cursor}, headers=admin_headers)
        body = assert_problem(response, 422, "cursor")
        assert error_rules(body, "cursor") == {"cursor_invalid"}

    @pytest.mark.parametrize("limit", [0, 201, -1])
    async def test_limit_out_of_range_is_422(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str], limit: int
    ) -> None:
        response = await client.get("/api/users", params={"limit": limit}, headers=admin_headers)
        assert_problem(response, 422, "limit")


class TestGet:
    async def test_anonymous_is_401(
        self, client: httpx.AsyncClient, admin: tuple[User, dict[str, str]]
    ) -> None:
        assert_problem(await client.get(f"/api/users/{admin[0].id}"), 401)

    async def test_without_the_right_is_403(
        self,
        client: httpx.AsyncClient,
        admin: tuple[User, dict[str, str]],
        without_right_headers: dict[str, str],
    ) -> None:
        response = await client.get(f"/api/users/{admin[0].id}", headers=without_right_headers)
        assert_problem(response, 403)

    async def test_integration_token_is_403(
        self,
        client: httpx.AsyncClient,
        admin: tuple[User, dict[str, str]],
        integration_headers: dict[str, str],
    ) -> None:
        response = await client.get(f"/api/users/{admin[0].id}", headers=integration_headers)
        assert not response.is_success
        assert_problem(response, 403)

    async def test_administrator_gets_the_user(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        user = await make_user(db, passwords, Role.staff_resource, Role.ombudsperson)
        response = await client.get(f"/api/users/{user.id}", headers=admin_headers)
        assert response.status_code == 200, response.text
        out = response.json()
        assert set(out) == USER_FIELDS
        assert (out["id"], out["username"]) == (str(user.id), user.username)
        assert out["roles"] == ["ombudsperson", "staff_resource"]

    async def test_unknown_user_is_404(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.get(f"/api/users/{uuid.uuid4()}", headers=admin_headers)
        assert_problem(response, 404)
