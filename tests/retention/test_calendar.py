"""5.1: a record falling due for destruction is on the handling ombudsperson's calendar
(the deadlines API and their feed), by reference and date only, and on no one else's."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    CarriedOutVia,
    Complaint,
    Deadline,
    DeadlineKind,
    DeadlineStatus,
    Role,
    Scope,
)
from ombuds.retention import job
from ombuds.settings import Settings
from tests.factories.accounts import make_api_token, signed_in
from tests.factories.calendars import canaries_in, create_feed, feed_path
from tests.retention.support import closed_complaint

pytestmark = [pytest.mark.clause("5.1"), pytest.mark.usefixtures("keep_loaded")]

TODAY = local_today()
KIND = DeadlineKind.records_destruction.value


async def _run(app: FastAPI, settings: Settings, today: date) -> job.Report:
    factory: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    return await job.run(factory, settings, today, via=CarriedOutVia.scheduled_job)


async def _deadline(db: AsyncSession) -> Deadline | None:
    return await db.scalar(
        select(Deadline)
        .where(Deadline.kind == DeadlineKind.records_destruction)
        .execution_options(populate_existing=True)
    )


def _kinds(body: dict[str, object]) -> list[tuple[str, str | None, str]]:
    items = body["items"]
    assert isinstance(items, list)
    return [(i["kind"], i["reference"], i["due_on"]) for i in items if i["kind"] == KIND]


class TestCalendar:
    async def test_the_handling_ombudsperson_alone_sees_the_destruction_date(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        me, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        _, other = await signed_in(db, passwords, client, Role.ombudsperson)
        _, officer = await signed_in(db, passwords, client, Role.table_officer)
        _, token = await make_api_token(db, Scope.deadlines_read)
        closed_on = TODAY + timedelta(days=20 - settings.retention_formal_days)
        record = await closed_complaint(db, me, closed_on=closed_on)
        beyond = await closed_complaint(db, me, closed_on=closed_on - timedelta(days=-11))
        complaint = await db.get(Complaint, record.id)
        assert complaint is not None
        complaint.table_officers_notified_on = closed_on  # the officers know of it
        await db.commit()
        feed = await create_feed(client, headers)

        await _run(app, settings, TODAY)

        due = (TODAY + timedelta(days=20)).isoformat()
        mine = (await client.get("/api/deadlines", headers=headers)).json()
        assert _kinds(mine) == [(KIND, record.reference, due)]
        summaries = [i["summary"] for i in mine["items"] if i["kind"] == KIND]
        assert summaries == [f"Records due for destruction — {record.reference}"]
        ics = await client.get(feed_path(feed))
        assert ics.status_code == 200
        assert f"Records due for destruction — {record.reference}" in ics.text
        assert beyond.reference not in ics.text  # 31 days out: not yet
        assert canaries_in(ics.text) == []
        for others in (other, officer, {"Authorization": f"Bearer {token}"}):
            seen = (await client.get("/api/deadlines", headers=others)).json()
            assert _kinds(seen) == []
        status = await client.get(f"/api/status/{record.id}", headers=officer)
        assert status.status_code == 200, status.text
        assert KIND not in status.text

    async def test_a_hold_takes_it_off_and_a_destruction_marks_it_met(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
    ) -> None:
        me, headers = await signed_in(db, passwords, client, Role.ombudsperson)
        _, admin = await signed_in(db, passwords, client, Role.administrator)
        record = await closed_complaint(
            db, me, closed_on=TODAY + timedelta(days=5 - settings.retention_formal_days)
        )
        await _run(app, settings, TODAY)
        opened = await _deadline(db)
        assert opened is not None and opened.status is DeadlineStatus.open

        held = await client.post(
            f"/api/retention/complaints/{record.id}/hold", json={"reason": "x"}, headers=headers
        )
        assert held.status_code == 201
        cancelled = await _deadline(db)
        assert cancelled is not None and cancelled.status is DeadlineStatus.cancelled
        lifted = await client.post(
            f"/api/retention/complaints/{record.id}/hold/lift", json={"reason": "y"}, headers=admin
        )
        assert lifted.status_code == 200

        await _run(app, settings, TODAY + timedelta(days=5))  # announced again, scheduled
        reopened = await _deadline(db)
        assert reopened is not None and reopened.status is DeadlineStatus.open
        carried_out = TODAY + timedelta(days=5 + settings.retention_restore_window_days)
        await _run(app, settings, carried_out)

        met = await _deadline(db)
        assert met is not None
        assert (met.status, met.satisfied_on) == (DeadlineStatus.met_late, carried_out)
