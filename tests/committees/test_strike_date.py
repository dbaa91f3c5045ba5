"""4.3.1(v)-(vi): the CRC may be struck before the striking is recorded; the day it was
struck starts the report target, beside the time it was recorded."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.deadlines.rules import due_after_days
from ombuds.kit.clock import local_today
from ombuds.models import Committee, CommitteeStatus, Deadline, DeadlineKind, Role, Stage
from tests.committees.support import Case, count, error_fields, problem, ready_to_strike
from tests.factories.accounts import signed_in
from tests.factories.committees import arrange_at_stage, committee_url, propose_ok


async def _strike_on(
    client: httpx.AsyncClient, headers: dict[str, str], case: Case, occurred_on: date
) -> httpx.Response:
    proposal, etag = await propose_ok(client, headers, case.id)
    return await client.post(
        committee_url(case.id, "confirm"),
        json={"proposal_version": proposal["version"], "occurred_on": occurred_on.isoformat()},
        headers={**headers, "If-Match": etag},
    )


async def _ready(
    client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords, *, told_days_ago: int
) -> tuple[Case, dict[str, str]]:
    case, _, _ = await ready_to_strike(client, db, passwords)
    told_on = local_today() - timedelta(days=told_days_ago)
    await arrange_at_stage(db, case.id, notified_on=told_on)
    _, headers = await signed_in(db, passwords, client, Role.table_officer)
    return case, headers


async def _committee(db: AsyncSession) -> Committee:
    found = await db.scalar(select(Committee).execution_options(populate_existing=True))
    assert found is not None
    return found


class TestStrikeDate:
    @pytest.mark.clause("4.3.1(vi)")
    async def test_struck_before_it_was_recorded_the_report_counts_from_the_striking(
        self, client: httpx.AsyncClient, db: AsyncSession, passwords: Passwords
    ) -> None:
        case, headers = await _ready(client, db, passwords, told_days_ago=20)
        struck_on = local_today() - timedelta(days=10)
        response = await _strike_on(client, headers, case, struck_on)
        assert response.status_code == 200, response.text
        assert response.json()["struck_on"] == struck_on.isoformat()
        deadline = await db.scalar(
            select(Deadline).where(
                Deadline.kind == DeadlineKind.crc_report,
                Deadline.complaint_id == uuid.UUID(case.id),
            )
        )
        assert deadline is not None
        expected = due_after_days(struck_on, 60, rollover=True)
        assert (deadline.trigger_on, deadline.due_on) == (struck_on, expected.due_on)
        committee = await _committee(db)
        assert committee.struck_on == struck_on
        assert committee.struck_recorded_at is not None
        # The case workers see both: the day struck, and when that was recorded.
        view = await client.get(f"/api/complaints/{case.id}/committee", headers=case.intake_headers)
        assert view.status_code == 200, view.text
        body = view.json()
        assert body["struck_on"] == struck_on.isoformat()
        assert body["struck_recorded_at"] == committee.struck_recorded_at.isoformat().replace(
            "+00:00", "Z"
        )

    @pytest.mark.clause("4.3.1(v)")
    @pytest.mark.parametrize(
        ("days_ago", "rule"), [(-1, "not_in_future"), (21, "not_before_officers_told")]
    )
    async def test_struck_in_the_future_or_before_the_officers_were_told_is_refused(
        self,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        days_ago: int,
        rule: str,
    ) -> None:
        case, headers = await _ready(client, db, passwords, told_days_ago=20)
        response = await _strike_on(client, headers, case, local_today() - timedelta(days=days_ago))
        assert error_fields(problem(response, 422)) == [("occurred_on", rule)]
        committee = await _committee(db)
        assert (committee.status, committee.struck_on) == (CommitteeStatus.proposed, None)
        assert await count(db, Deadline, Deadline.kind == DeadlineKind.crc_report) == 0
        status = (await client.get(f"/api/status/{case.id}", headers=headers)).json()
        assert status["stage"] == Stage.committee.value
