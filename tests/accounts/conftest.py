"""Callers for the account-administration tests: an administrator, each role without the
right, and an integration API token."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Role, Scope, User
from tests.factories.accounts import make_api_token, signed_in

ROLES_WITHOUT_THE_RIGHT = [Role.ombudsperson, Role.table_officer, Role.staff_resource]


@pytest.fixture
async def admin(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> tuple[User, dict[str, str]]:
    return await signed_in(db, passwords, client, Role.administrator)


@pytest.fixture
def admin_headers(admin: tuple[User, dict[str, str]]) -> dict[str, str]:
    return admin[1]


@pytest.fixture(params=ROLES_WITHOUT_THE_RIGHT, ids=lambda r: str(r.value))
async def without_right_headers(
    request: pytest.FixtureRequest,
    db: AsyncSession,
    passwords: Passwords,
    client: httpx.AsyncClient,
) -> dict[str, str]:
    """A signed-in user holding one role that is not administrator."""
    _, headers = await signed_in(db, passwords, client, request.param)
    return headers


@pytest.fixture
async def integration_headers(db: AsyncSession) -> dict[str, str]:
    """A valid integration API token holding every scope there is."""
    _, token = await make_api_token(db, *Scope)
    return {"Authorization": f"Bearer {token}"}
