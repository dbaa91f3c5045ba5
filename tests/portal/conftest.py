from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from tests.portal.support import Case, open_case


@pytest.fixture
async def case(db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient) -> Case:
    return await open_case(db, passwords, client)
