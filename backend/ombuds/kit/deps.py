"""Request-scoped plumbing shared by every domain: the settings and the transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, cast

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.kit.db import session_scope
from ombuds.settings import Settings


async def get_app_settings(request: Request) -> Settings:
    # async: a plain `def` dependency would run in the thread pool, a hop on every request.
    return cast(Settings, request.app.state.settings)


READS = frozenset({"GET", "HEAD"})


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session: a transaction for a change; for a read, statements that
    commit one by one (kit.db.create_read_sessionmaker)."""
    state = request.app.state
    factory = cast(
        async_sessionmaker[AsyncSession],
        state.read_sessionmaker if request.method in READS else state.sessionmaker,
    )
    async for session in session_scope(factory):
        yield session


AppSettings = Annotated[Settings, Depends(get_app_settings)]
# scope="function": the commit happens before the response is sent, so a failed commit
# is an error response, never a success the database does not hold.
DbSession = Annotated[AsyncSession, Depends(get_db, scope="function")]
