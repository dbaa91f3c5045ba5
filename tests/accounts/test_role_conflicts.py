"""Roles one account may not hold together (POLICY.md "People and roles"): an administrator
holds no case role; a table officer is neither an ombudsperson nor a staff resource.
Granting such a pair is refused whole; `ombuds check-roles` finds accounts that hold one."""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.accounts.roles import clashes
from ombuds.auth.passwords import Passwords
from ombuds.models import Role
from tests.accounts.support import (
    assert_problem,
    audit_entries,
    count_users,
    error_rules,
    reload_user,
)
from tests.factories.accounts import make_user

ADMIN = "administrator_holds_no_case_role"
OFFICER = "table_officer_does_no_case_work"
KIND = "special_assignments_officer"
# (roles, the rules they break, the pairs named)
REFUSED = [
    pytest.param(["administrator", "ombudsperson"], {ADMIN}, [["administrator", "ombudsperson"]]),
    pytest.param(["administrator", "table_officer"], {ADMIN}, [["administrator", "table_officer"]]),
    pytest.param(
        ["administrator", "staff_resource"], {ADMIN}, [["administrator", "staff_resource"]]
    ),
    pytest.param(["table_officer", "ombudsperson"], {OFFICER}, [["table_officer", "ombudsperson"]]),
    pytest.param(
        ["staff_resource", "table_officer"], {OFFICER}, [["table_officer", "staff_resource"]]
    ),
    pytest.param(
        ["administrator", "table_officer", "ombudsperson"],
        {ADMIN, OFFICER},
        [
            ["administrator", "ombudsperson"],
            ["administrator", "table_officer"],
            ["table_officer", "ombudsperson"],
        ],
        id="three",
    ),
]


def _body(roles: list[str], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"roles": roles, **extra}
    if "staff_resource" in roles:
        body["staff_resource_kind"] = KIND
    return body


class TestCreateWithConflictingRoles:
    @pytest.mark.clause("5.1")
    @pytest.mark.parametrize(("roles", "rules", "pairs"), REFUSED)
    async def test_refused_whole_with_the_rule_and_the_roles(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        admin_headers: dict[str, str],
        roles: list[str],
        rules: set[str],
        pairs: list[list[str]],
    ) -> None:
        before = await count_users(db)
        body = _body(
            roles, username="clash.user", display_name="Clash", password="a-long-password-123"
        )
        response = await client.post("/api/users", json=body, headers=admin_headers)
        problem = assert_problem(response, 409, "roles")
        assert problem["type"].endswith("/conflict")
        assert error_rules(problem, "roles") == rules
        assert problem["conflicting_roles"] == pairs
        for pair in pairs:
            assert " + ".join(pair) in problem["detail"]
        assert await count_users(db) == before
        assert await audit_entries(db, "users.create") == []

    async def test_ombudsperson_and_staff_resource_may_go_together(
        self, client: httpx.AsyncClient, admin_headers: dict[str, str]
    ) -> None:
        body = _body(
            ["ombudsperson", "staff_resource"],
            username="both.user",
            display_name="Both",
            password="a-long-password-123",
        )
        response = await client.post("/api/users", json=body, headers=admin_headers)
        assert response.status_code == 201, response.text
        assert response.json()["roles"] == ["ombudsperson", "staff_resource"]


class TestSetConflictingRoles:
    @pytest.mark.clause("5.1")
    @pytest.mark.parametrize(("roles", "rules", "pairs"), REFUSED)
    async def test_refused_and_nothing_changes(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        admin_headers: dict[str, str],
        roles: list[str],
        rules: set[str],
        pairs: list[list[str]],
    ) -> None:
        user = await make_user(db, passwords, Role.ombudsperson)
        response = await client.put(
            f"/api/users/{user.id}/roles", json=_body(roles), headers=admin_headers
        )
        problem = assert_problem(response, 409, "roles")
        assert error_rules(problem, "roles") == rules
        assert problem["conflicting_roles"] == pairs
        saved = await reload_user(db, user.id)
        assert saved.role_set == {Role.ombudsperson}
        assert saved.staff_resource_kind is None
        assert await audit_entries(db, "users.set_roles") == []


class TestCheckRolesCommand:
    """`ombuds check-roles`, run in a subprocess as an operator would."""

    @staticmethod
    async def _run(database_url: str) -> tuple[int, str, str]:
        env = {**os.environ, "OMBUDS_DATABASE_URL": database_url, "OMBUDS_ENV": "test"}
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ombuds.cli",
            "check-roles",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
        assert process.returncode is not None
        return process.returncode, out.decode(), err.decode()

    async def test_no_conflict_exits_0(
        self, database_url: str, db: AsyncSession, passwords: Passwords
    ) -> None:
        await make_user(db, passwords, Role.administrator)
        await make_user(db, passwords, Role.ombudsperson, Role.staff_resource)
        await make_user(db, passwords, Role.table_officer)
        code, out, err = await self._run(database_url)
        assert code == 0, err
        assert out == f"roles: no conflicting roles among {await count_users(db)} accounts\n"

    @pytest.mark.clause("5.1")
    async def test_conflicts_exit_1_with_ids_usernames_and_roles_only(
        self, database_url: str, db: AsyncSession, passwords: Passwords
    ) -> None:
        both = await make_user(
            db, passwords, Role.administrator, Role.ombudsperson, username="a-both"
        )
        officer = await make_user(
            db, passwords, Role.table_officer, Role.staff_resource, username="b-officer"
        )
        await make_user(db, passwords, Role.ombudsperson, username="c-fine")
        code, out, err = await self._run(database_url)
        assert code == 1
        assert out.splitlines() == [
            f"{both.id} a-both: administrator + ombudsperson ({ADMIN})",
            f"{officer.id} b-officer: table_officer + staff_resource ({OFFICER})",
        ]
        assert "Test user" not in out + err  # no display name
        assert err == f"roles: 2 of {await count_users(db)} accounts hold conflicting roles\n"


def test_clashes_name_each_pair_once() -> None:
    found = clashes([Role.staff_resource, Role.administrator, Role.table_officer])
    assert [(c.rule.slug, c.roles) for c in found] == [
        (ADMIN, (Role.administrator, Role.staff_resource)),
        (ADMIN, (Role.administrator, Role.table_officer)),
        (OFFICER, (Role.table_officer, Role.staff_resource)),
    ]
    assert clashes([Role.ombudsperson, Role.staff_resource]) == []
