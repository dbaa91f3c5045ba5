"""Arrangements shared by the informal-attempt tests."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from tests.factories.procedure import record_attempt
from tests.formal.support import Case, new_case


async def with_attempt(
    db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient, outcome: str = "pending"
) -> tuple[Case, dict[str, Any], str]:
    """A complaint at stage informal with one attempt by its ombudsperson."""
    case = await new_case(db, passwords, client)
    attempt, etag = await record_attempt(
        client, case.headers, case.detail, case.etag, [str(case.ombudsperson.id)], outcome=outcome
    )
    return case, attempt, etag
