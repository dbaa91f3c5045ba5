"""Complaints at each stage the investigation's tests start from."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Role
from ombuds.settings import Settings
from tests.factories.investigation import Actor, Case, at_conclusions, at_investigation, make_actor


@pytest.fixture
async def case(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
) -> Case:
    """At stage investigation, the CRC confirmed."""
    return await at_investigation(client, db, passwords, settings)


@pytest.fixture
async def found(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
) -> Case:
    """At stage conclusions: harassment found, one recommendation made, none disclosed."""
    return await at_conclusions(client, db, passwords, settings, found=True)


@pytest.fixture
async def dismissed(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, settings: Settings
) -> Case:
    """At stage conclusions: harassment not found."""
    return await at_conclusions(client, db, passwords, settings, found=False)


@pytest.fixture
async def outsider(client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords) -> Actor:
    """An ombudsperson who may act on complaints, but not on this one."""
    return await make_actor(db, passwords, client, Role.ombudsperson)


@pytest.fixture
async def admin(client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords) -> Actor:
    return await make_actor(db, passwords, client, Role.administrator)
