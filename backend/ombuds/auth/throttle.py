"""Login throttling, per account and per client address.

No permanent lockout an attacker could trigger: every limit is a window that passes.
Accounts are counted by a hash of the normalised username, never the username itself.

Each attempt is stored before its password is checked, in a short transaction of its own,
so attempts racing on any worker of any instance count each other: the k-th to be stored
sees the k-1 before it, and a burst gets no more guesses than a series. The request then
keeps the row as its failure, or drops it (signed in, refused by the throttle, or not a
failure of the credentials)."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from ombuds.kit.clock import utcnow
from ombuds.models import LoginFailure

WINDOW = timedelta(minutes=15)
ACCOUNT_FREE_FAILURES = 5
ACCOUNT_FIRST_DELAY = timedelta(seconds=30)
CLIENT_MAX_FAILURES = 30


def account_key(normalised_username: str) -> str:
    return hashlib.sha256(normalised_username.encode()).hexdigest()


async def attempt(db: AsyncSession, account: str, client: str) -> int:
    """Store this attempt at once, committed on a connection of its own before the request's
    session uses one (so a login never holds two); returns its id."""
    engine = cast(AsyncEngine, db.bind)
    async with engine.begin() as connection:
        stored = await connection.execute(
            insert(LoginFailure)
            .values(account_key=account, client=client[:64], at=utcnow())
            .returning(LoginFailure.id)
        )
        return int(stored.scalar_one())


async def retry_after(db: AsyncSession, account: str, client: str, attempt: int) -> int | None:
    """Seconds the caller must wait before another attempt, or None; counts the failures
    and attempts stored before this one (``attempt``, its id)."""
    now = utcnow()
    since = now - WINDOW
    others = (LoginFailure.at > since, LoginFailure.id != attempt)
    count, last = (
        await db.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                LoginFailure.account_key == account, *others
            )
        )
    ).one()
    waits: list[float] = []
    if count >= ACCOUNT_FREE_FAILURES and last is not None:
        # 30 s after the fifth failure, doubling with each more, never past the window.
        delay = min(ACCOUNT_FIRST_DELAY * 2 ** (count - ACCOUNT_FREE_FAILURES), WINDOW)
        waits.append((_aware(last) + delay - now).total_seconds())
    client_count, oldest = (
        await db.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.client == client[:64], *others
            )
        )
    ).one()
    if client_count >= CLIENT_MAX_FAILURES and oldest is not None:
        waits.append((_aware(oldest) + WINDOW - now).total_seconds())
    wait = max(waits, default=0.0)
    return math.ceil(wait) if wait > 0 else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


async def record_failure(db: AsyncSession) -> None:
    """The attempt stays, as a failure; rows older than twice the window go."""
    await db.execute(delete(LoginFailure).where(LoginFailure.at <= utcnow() - 2 * WINDOW))


async def drop(db: AsyncSession, attempt: int) -> None:
    """The attempt was no failure of the credentials, or was refused: it counts for nothing."""
    await db.execute(delete(LoginFailure).where(LoginFailure.id == attempt))


async def clear(db: AsyncSession, account: str) -> None:
    await db.execute(delete(LoginFailure).where(LoginFailure.account_key == account))
