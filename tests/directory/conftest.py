from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Role, Unit, User
from tests.factories.accounts import make_user, signed_in
from tests.factories.directory import make_unit


@pytest.fixture
async def admin_headers(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient
) -> dict[str, str]:
    _, headers = await signed_in(db, passwords, client, Role.administrator)
    return headers


@pytest.fixture
async def ombudsperson(db: AsyncSession, passwords: Passwords) -> User:
    return await make_user(db, passwords, Role.ombudsperson)


@pytest.fixture
async def units(db: AsyncSession) -> tuple[Unit, Unit]:
    """Units U1 and U2, which the member files below refer to."""
    return await make_unit(db, code="U1"), await make_unit(db, code="U2")
