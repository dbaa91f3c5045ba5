"""PUT /api/users/{id}/roles and /member: what a user may do, and who they are."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Member, Role, StaffResourceKind, User
from tests.accounts.support import assert_problem, audit_entries, error_rules, reload_user
from tests.factories.accounts import make_user, signed_in
from tests.factories.directory import make_member, make_unit


def roles_body(*roles: str, kind: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"roles": list(roles)}
    if kind is not None:
        body["staff_resource_kind"] = kind
    return body


async def me_roles(client: httpx.AsyncClient, headers: dict[str, str]) -> list[str]:
    response = await client.get("/api/auth/me", headers=headers)
    assert response.status_code == 200, response.text
    roles: list[str] = response.json()["roles"]
    return roles


class TestSetRoles:
    @pytest.fixture
    async def target(self, db: AsyncSession, passwords: Passwords) -> User:
        return await make_user(db, passwords, Role.table_officer)

    async def test_anonymous_is_401(
        self, client: httpx.AsyncClient, db: AsyncSession, target: User
    ) -> None:
        response = await client.put(
            f"/api/users/{target.id}/roles", json=roles_body("administrator")
        )
        assert_problem(response, 401)
        assert (await reload_user(db, target.id)).role_set == {Role.table_officer}

    async def test_without_the_right_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        without_right_headers: dict[str, str],
    ) -> None:
        response = await client.put(
            f"/api/users/{target.id}/roles",
            json=roles_body("administrator"),
            headers=without_right_headers,
        )
        assert_problem(response, 403)
        assert (await reload_user(db, target.id)).role_set == {Role.table_officer}

    async def test_integration_token_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        integration_headers: dict[str, str],
    ) -> None:
        response = await client.put(
            f"/api/users/{target.id}/roles",
            json=roles_body("administrator"),
            headers=integration_headers,
        )
        assert not response.is_success
        assert_problem(response, 403)
        assert (await reload_user(db, target.id)).role_set == {Role.table_officer}

    async def test_replaces_the_roles(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        admin: tuple[User, dict[str, str]],
    ) -> None:
        actor, headers = admin
        response = await client.put(
            f"/api/users/{target.id}/roles",
            json=roles_body(
                "staff_resource", "ombudsperson", "staff_resource", kind="equality_representative"
            ),
            headers=headers,
        )
        assert response.status_code == 200, response.text
        assert response.json()["roles"] == ["ombudsperson", "staff_resource"]
        assert response.json()["staff_resource_kind"] == "equality_representative"
        user = await reload_user(db, target.id)
        assert user.role_set == {Role.ombudsperson, Role.staff_resource}
        assert user.staff_resource_kind is StaffResourceKind.equality_representative
        [entry] = await audit_entries(db, "users.set_roles")
        assert (entry.actor_id, entry.object_id) == (actor.id, str(target.id))

    async def test_leaving_staff_resource_clears_the_kind(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        user = await make_user(db, passwords, Role.staff_resource)
        response = await client.put(
            f"/api/users/{user.id}/roles", json=roles_body("table_officer"), headers=admin_headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["staff_resource_kind"] is None
        assert (await reload_user(db, user.id)).staff_resource_kind is None

    async def test_keeping_a_role_it_already_holds(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        admin_headers: dict[str, str],
    ) -> None:
        roles = ["table_officer"]
        response = await client.put(
            f"/api/users/{target.id}/roles", json=roles_body(*roles), headers=admin_headers
        )
        assert response.status_code == 200, response.text
        assert response.json()["roles"] == sorted(roles)
        assert (await reload_user(db, target.id)).role_set == {Role(r) for r in roles}

    async def test_new_roles_apply_on_the_next_request(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        user, headers = await signed_in(db, passwords, client, Role.table_officer)
        assert await me_roles(client, headers) == ["table_officer"]
        assert_problem(await client.get("/api/users", headers=headers), 403)

        response = await client.put(
            f"/api/users/{user.id}/roles",
            json=roles_body("administrator"),
            headers=admin_headers,
        )
        assert response.status_code == 200, response.text
        assert await me_roles(client, headers) == ["administrator"]
        assert (await client.get("/api/users", headers=headers)).status_code == 200

    async def test_removed_administrator_loses_access_on_the_next_request(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
    ) -> None:
        other, headers = await signed_in(db, passwords, client, Role.administrator)
        assert (await client.get("/api/users", headers=headers)).status_code == 200

        response = await client.put(
            f"/api/users/{other.id}/roles", json=roles_body("ombudsperson"), headers=admin_headers
        )
        assert response.status_code == 200, response.text
        assert_problem(await client.get("/api/users", headers=headers), 403)
        assert await me_roles(client, headers) == ["ombudsperson"]

    async def test_cannot_remove_own_administrator_role(
        self, client: httpx.AsyncClient, db: AsyncSession, admin: tuple[User, dict[str, str]]
    ) -> None:
        actor, headers = admin
        response = await client.put(
            f"/api/users/{actor.id}/roles", json=roles_body("ombudsperson"), headers=headers
        )
        body = assert_problem(response, 409, "roles")
        assert error_rules(body, "roles") == {"keep_own_admin"}
        assert (await reload_user(db, actor.id)).role_set == {Role.administrator}
        assert await me_roles(client, headers) == ["administrator"]
        assert await audit_entries(db, "users.set_roles") == []

    @pytest.mark.clause("5.1")
    async def test_may_not_give_themselves_a_case_role(
        self, client: httpx.AsyncClient, db: AsyncSession, admin: tuple[User, dict[str, str]]
    ) -> None:
        actor, headers = admin
        response = await client.put(
            f"/api/users/{actor.id}/roles",
            json=roles_body("ombudsperson", "administrator"),
            headers=headers,
        )
        body = assert_problem(response, 409, "roles")
        assert error_rules(body, "roles") == {"administrator_holds_no_case_role"}
        assert await me_roles(client, headers) == ["administrator"]
        assert await audit_entries(db, "users.set_roles") == []

    @pytest.mark.parametrize(
        ("body", "field", "rule"),
        [
            pytest.param(roles_body(), "roles", "too_short", id="empty"),
            pytest.param(roles_body("root"), "roles.0", "enum", id="unknown-role"),
            pytest.param(
                roles_body("staff_resource"),
                "staff_resource_kind",
                "required_for_staff_resource",
                id="no-kind",
            ),
            pytest.param(
                roles_body("ombudsperson", kind="special_assignments_officer"),
                "staff_resource_kind",
                "only_for_staff_resource",
                id="kind-without-role",
            ),
            pytest.param(
                {"roles": ["ombudsperson"], "is_active": False},
                "is_active",
                "extra_forbidden",
                id="extra",
            ),
        ],
    )
    async def test_invalid_input_is_422(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        admin_headers: dict[str, str],
        body: dict[str, Any],
        field: str,
        rule: str,
    ) -> None:
        response = await client.put(
            f"/api/users/{target.id}/roles", json=body, headers=admin_headers
        )
        assert rule in error_rules(assert_problem(response, 422, field), field)
        user = await reload_user(db, target.id)
        assert user.role_set == {Role.table_officer}
        assert user.is_active is True

    async def test_unknown_user_is_404(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        response = await client.put(
            f"/api/users/{uuid.uuid4()}/roles",
            json=roles_body("ombudsperson"),
            headers=admin_headers,
        )
        assert_problem(response, 404)


class TestLinkMember:
    @pytest.fixture
    async def member(self, db: AsyncSession) -> Member:
        return await make_member(db, await make_unit(db))

    @pytest.fixture
    async def target(self, db: AsyncSession, passwords: Passwords) -> User:
        return await make_user(db, passwords, Role.table_officer)

    async def test_anonymous_is_401(
        self, client: httpx.AsyncClient, db: AsyncSession, target: User, member: Member
    ) -> None:
        response = await client.put(
            f"/api/users/{target.id}/member", json={"member_id": str(member.id)}
        )
        assert_problem(response, 401)
        assert (await reload_user(db, target.id)).member_id is None

    async def test_without_the_right_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        member: Member,
        without_right_headers: dict[str, str],
    ) -> None:
        response = await client.put(
            f"/api/users/{target.id}/member",
            json={"member_id": str(member.id)},
            headers=without_right_headers,
        )
        assert_problem(response, 403)
        assert (await reload_user(db, target.id)).member_id is None

    async def test_integration_token_is_403(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        member: Member,
        integration_headers: dict[str, str],
    ) -> None:
        response = await client.put(
            f"/api/users/{target.id}/member",
            json={"member_id": str(member.id)},
            headers=integration_headers,
        )
        assert not response.is_success
        assert_problem(response, 403)
        assert (await reload_user(db, target.id)).member_id is None

    async def test_links_and_unlinks(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        member: Member,
        admin: tuple[User, dict[str, str]],
    ) -> None:
        actor, headers = admin
        url = f"/api/users/{target.id}/member"
        linked = await client.put(url, json={"member_id": str(member.id)}, headers=headers)
        assert linked.status_code == 200, linked.text
        assert linked.json()["member_id"] == str(member.id)
        assert (await reload_user(db, target.id)).member_id == member.id

        again = await client.put(url, json={"member_id": str(member.id)}, headers=headers)
        assert again.status_code == 200, again.text
        assert again.json()["member_id"] == str(member.id)

        unlinked = await client.put(url, json={"member_id": None}, headers=headers)
        assert unlinked.status_code == 200, unlinked.text
        assert unlinked.json()["member_id"] is None
        assert (await reload_user(db, target.id)).member_id is None

        entries = await audit_entries(db, "users.link_member")
        assert [(e.actor_id, e.object_id) for e in entries] == [(actor.id, str(target.id))] * 3

    async def test_member_of_another_user_is_409(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        target: User,
        member: Member,
        admin_headers: dict[str, str],
    ) -> None:
        holder = await make_user(db, passwords, Role.ombudsperson, member=member)
        response = await client.put(
            f"/api/users/{target.id}/member",
            json={"member_id": str(member.id)},
            headers=admin_headers,
        )
        body = assert_problem(response, 409, "member_id")
        assert error_rules(body, "member_id") == {"unique"}
        assert (await reload_user(db, target.id)).member_id is None
        assert (await reload_user(db, holder.id)).member_id == member.id

    async def test_unknown_member_is_422(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        target: User,
        admin_headers: dict[str, str],
    ) -> None:
        response = await client.put(
            f"/api/users/{target.id}/member",
            json={"member_id": str(uuid.uuid4())},
            headers=admin_headers,
        )
        assert error_rules(assert_problem(response, 422, "member_id"), "member_id") == {"exists"}
        assert (await reload_user(db, target.id)).member_id is None

    async def test_member_id_is_required(
        self, client: httpx.AsyncClient, target: User, admin_headers: dict[str, str]
    ) -> None:
        response = await client.put(
            f"/api/users/{target.id}/member", json={}, headers=admin_headers
        )
        assert error_rules(assert_problem(response, 422, "member_id"), "member_id") == {"missing"}

    async def test_unknown_user_is_404(
        self, client: httpx.AsyncClient, member: Member, admin_headers: dict[str, str]
    ) -> None:
        response = await client.put(
            f"/api/users/{uuid.uuid4()}/member",
            json={"member_id": str(member.id)},
            headers=admin_headers,
        )
        assert_problem(response, 404)
