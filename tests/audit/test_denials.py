"""5.1: every denial is audited, without content; the audit log is append-only."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import AuditEntry, Outcome, Role
from tests.factories.accounts import signed_in


async def _denials(db: AsyncSession) -> list[AuditEntry]:
    rows = await db.scalars(
        select(AuditEntry).where(AuditEntry.outcome == Outcome.denied).order_by(AuditEntry.seq)
    )
    return list(rows.all())


@pytest.mark.clause("5.1")
class TestDenialsAreAudited:
    async def test_401_403_and_404_each_leave_an_entry(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        officer, headers = await signed_in(db, passwords, client, Role.table_officer)
        guessed = uuid.uuid4()
        assert (await client.get("/api/users")).status_code == 401
        assert (await client.get("/api/users", headers=headers)).status_code == 403
        assert (await client.get(f"/api/status/{guessed}", headers=headers)).status_code == 404
        entries = [(e.actor_id, e.action, e.object_id) for e in await _denials(db)]
        assert entries == [
            (None, "GET /api/users", None),
            (officer.id, "GET /api/users", None),
            (officer.id, "GET /api/status/{complaint_id}", str(guessed)),
        ]

    async def test_a_caller_refused_before_their_body_is_read_leaves_an_entry(
        self, client: httpx.AsyncClient, db: AsyncSession
    ) -> None:
        response = await client.post(
            "/api/units", content=b'{"code": ', headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 401
        entries = [(e.actor_id, e.action, e.object_id) for e in await _denials(db)]
        assert entries == [(None, "POST /api/units", None)]


class TestAppendOnly:
    @pytest.mark.parametrize(
        "statement",
        [
            "UPDATE audit_entries SET action = 'rewritten'",
            "DELETE FROM audit_entries",
        ],
    )
    async def test_the_application_cannot_rewrite_the_log(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, statement: str
    ) -> None:
        await signed_in(db, passwords, client, Role.administrator)  # a login is audited
        before = [(e.seq, e.action) for e in (await db.scalars(select(AuditEntry))).all()]
        assert before
        with pytest.raises(DBAPIError, match="append-only"):
            await db.execute(text(statement))
        await db.rollback()
        after = [(e.seq, e.action) for e in (await db.scalars(select(AuditEntry))).all()]
        assert after == before
