"""4.2.1: closing a complaint as resolved informally."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import Deadline, DeadlineKind, DeadlineStatus, InformalAttempt, Role, Stage
from tests.factories.accounts import signed_in
from tests.formal.support import (
    audits,
    count,
    errors,
    new_case,
    problem,
    reload,
    stage_refusal,
    with_etag,
)
from tests.informal.support import with_attempt


class TestResolveInformally:
    @pytest.mark.clause("4.2.1")
    async def test_refused_until_an_attempt_resolved_it(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, etag = await with_attempt(db, passwords, client, outcome="failed")
        version = (await reload(db, case.id)).version
        response = await client.post(
            case.url("resolve-informally"), headers=with_etag(case.headers, etag)
        )
        body = problem(response, 409)
        assert "resolved" in body["detail"]
        assert errors(body) == [("outcome", "resolved_attempt")]
        complaint = await reload(db, case.id)
        assert (complaint.stage, complaint.closure, complaint.version) == (
            Stage.informal,
            None,
            version,
        )

    @pytest.mark.clause("4.2.1")
    async def test_closes_as_resolved_informally_and_cancels_open_deadlines(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, etag = await with_attempt(db, passwords, client, outcome="resolved")
        db.add(
            Deadline(
                complaint_id=uuid.UUID(case.id),
                kind=DeadlineKind.crc_report,
                due_on=date(2026, 3, 1),
                basis="calendar_days_after_trigger",
                trigger_on=date(2026, 2, 1),
                period_days=28,
                nominal_due_on=date(2026, 3, 1),
                explanation="28 calendar days after Sun 2026-02-01 is Sun 2026-03-01.",
            )
        )
        await db.commit()
        response = await client.post(
            case.url("resolve-informally"), headers=with_etag(case.headers, etag)
        )
        assert response.status_code == 200, response.text
        out = response.json()
        assert (out["stage"], out["closure"], out["closed_on"]) == (
            "closed",
            "resolved_informally",
            local_today().isoformat(),
        )
        assert [d["status"] for d in out["deadlines"]] == ["cancelled"]
        deadline = await db.scalar(
            select(Deadline)
            .where(Deadline.complaint_id.is_not(None))
            .execution_options(populate_existing=True)
        )
        assert deadline is not None and deadline.status is DeadlineStatus.cancelled
        assert await audits(db, "informal.resolve", case.id) == 1

    async def test_only_from_the_informal_stage(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case = await new_case(db, passwords, client)
        response = await client.post(
            case.url("resolve-informally"), headers=with_etag(case.headers, case.etag)
        )
        body = stage_refusal(response, "intake")
        assert "record_informal_attempt" in body["allowed_actions"]
        complaint = await reload(db, case.id)
        assert (complaint.stage, complaint.version) == (Stage.intake, case.detail["version"])
        assert await count(db, InformalAttempt) == 0

    async def test_stale_if_match_and_callers(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, _, etag = await with_attempt(db, passwords, client, outcome="resolved")
        url = case.url("resolve-informally")
        problem(await client.post(url, headers=with_etag(case.headers, case.etag)), 412)
        problem(await client.post(url, headers={"If-Match": etag}), 401)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        problem(await client.post(url, headers=with_etag(officer, etag)), 403)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        problem(await client.post(url, headers=with_etag(other, etag)), 404)
        assert (await reload(db, case.id)).stage is Stage.informal
