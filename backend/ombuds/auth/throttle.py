"""Login throttling, per account and per client address.

No permanent lockout an attacker could trigger: every limit is a window that passes.
Accounts are counted by a hash of the normalised username, never the username itself."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.kit.clock import utcnow
from ombuds.models import LoginFailure

WINDOW = timedelta(minutes=15)
ACCOUNT_FREE_FAILURES = 5
ACCOUNT_FIRST_DELAY = timedelta(seconds=30)
CLIENT_MAX_FAILURES = 30


def account_key(normalised_username: str) -> str:
    return hashlib.sha256(normalised_username.encode()).hexdigest()


async def retry_after(db: AsyncSession, account: str, client: str) -> int | None:
    """Seconds the caller must wait before another attempt, or None."""
    now = utcnow()
    since = now - WINDOW
    count, last = (
        await db.execute(
            select(func.count(), func.max(LoginFailure.at)).where(
                LoginFailure.account_key == account, LoginFailure.at > since
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
                LoginFailure.client == client, LoginFailure.at > since
            )
        )
    ).one()
    if client_count >= CLIENT_MAX_FAILURES and oldest is not None:
        waits.append((_aware(oldest) + WINDOW - now).total_seconds())
    wait = max(waits, default=0.0)
    return math.ceil(wait) if wait > 0 else None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=utcnow().tzinfo)


async def record_failure(db: AsyncSession, account: str, client: str) -> None:
    db.add(LoginFailure(account_key=account, client=client[:64], at=utcnow()))
    await db.execute(delete(LoginFailure).where(LoginFailure.at <= utcnow() - 2 * WINDOW))
    await db.flush()


async def clear(db: AsyncSession, account: str) -> None:
    await db.execute(delete(LoginFailure).where(LoginFailure.account_key == account))
