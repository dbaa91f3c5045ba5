"""Checks and small factories shared by the account-administration tests."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from ombuds.models import AuditEntry, ServiceAccount, User

PROBLEM_JSON = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, *fields: str) -> dict[str, Any]:
    """The response is an RFC 9457 problem with ``status`` naming at least ``fields``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://ombuds.example/problems/")
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if fields:
        named = {e["field"] for e in body.get("errors", [])}
        assert set(fields) <= named, body
    return body


def error_rules(body: dict[str, Any], field: str) -> set[str]:
    return {e["rule"] for e in body.get("errors", []) if e["field"] == field}


async def count_users(db: AsyncSession) -> int:
    return int(await db.scalar(select(func.count()).select_from(User)) or 0)


async def reload_user(db: AsyncSession, user_id: uuid.UUID) -> User:
    """The user as the database now holds it (refreshing any copy ``db`` already has)."""
    stmt = (
        select(User)
        .where(User.id == user_id)
        .options(selectinload(User.roles))
        .execution_options(populate_existing=True)
    )
    user = await db.scalar(stmt)
    assert user is not None
    return user


async def audit_entries(db: AsyncSession, action: str) -> list[AuditEntry]:
    stmt = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.seq)
    return list((await db.scalars(stmt.execution_options(populate_existing=True))).all())


async def make_account(db: AsyncSession, name: str | None = None) -> ServiceAccount:
    """A service account with no tokens."""
    account = ServiceAccount(name=name or f"integration {uuid.uuid4().hex[:8]}")
    db.add(account)
    await db.commit()
    return account
