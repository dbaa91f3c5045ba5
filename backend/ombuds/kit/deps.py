"""Request-scoped plumbing shared by every domain: the settings and the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.kit.db import session_scope
from ombuds.settings import Settings


def get_app_settings(request: Request) -> Settings:
    return cast(Settings, request.app.state.settings)


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    factory = cast(async_sessionmaker[AsyncSession], request.app.state.sessionmaker)
    async for session in session_scope(factory):
        yield session


AppSettings = Annotated[Settings, Depends(get_app_settings)]
# scope="function": the commit happens before the response is sent, so a failed commit
# is an error response, never a success the database does not hold.
DbSession = Annotated[AsyncSession, Depends(get_db, scope="function")]
