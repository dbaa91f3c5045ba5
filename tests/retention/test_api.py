"""5.1: what the handling ombudsperson and administrators do with records' retention over
the API: what falls due, legal holds, undoing a scheduled destruction, the register, and
what a destroyed complaint's readers are told."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.auth.passwords import Passwords
from ombuds.kit.clock import local_today
from ombuds.models import (
    AuditEntry,
    CarriedOutVia,
    Closure,
    LegalHold,
    Role,
    ScheduledDestruction,
    User,
)
from ombuds.retention import job
from ombuds.settings import Settings
from tests.factories.accounts import signed_in
from tests.factories.calendars import canaries_in
from tests.formal.support import ABSENT, errors, problem
from tests.retention.support import closed_complaint, consultation

pytestmark = [pytest.mark.clause("5.1"), pytest.mark.usefixtures("keep_loaded")]

TODAY = local_today()
URL = "/api/retention"


async def _run(app: FastAPI, settings: Settings, today: date) -> job.Report:
    factory: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    return await job.run(factory, settings, today, via=CarriedOutVia.scheduled_job)


async def _audits(db: AsyncSession, action: str, object_id: uuid.UUID) -> int:
    return int(
        await db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.action == action, AuditEntry.object_id == str(object_id))
        )
        or 0
    )


class People:
    def __init__(self, db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient) -> None:
        self.db, self.passwords, self.client = db, passwords, client

    async def __call__(self, *roles: Role) -> tuple[User, dict[str, str]]:
        return await signed_in(self.db, self.passwords, self.client, *roles)


@pytest.fixture
def people(db: AsyncSession, passwords: Passwords, client: httpx.AsyncClient) -> People:
    return People(db, passwords, client)


def _formal_closed(settings: Settings, due_in: int) -> date:
    return TODAY + timedelta(days=due_in - settings.retention_formal_days)


class TestUpcoming:
    async def test_the_handling_ombudsperson_sees_their_own_due_within_the_horizon(
        self, client: httpx.AsyncClient, db: AsyncSession, people: People, settings: Settings
    ) -> None:
        me, headers = await people(Role.ombudsperson)
        other, other_headers = await people(Role.ombudsperson)
        soon = await closed_complaint(db, me, closed_on=_formal_closed(settings, 10))
        await closed_complaint(db, me, closed_on=_formal_closed(settings, 31))  # beyond
        await closed_complaint(db, other, closed_on=_formal_closed(settings, 5))  # not mine
        talk = await consultation(db, me, held_on=TODAY - timedelta(days=25))
        db.add(LegalHold(complaint_id=soon.id, reason="A claim", placed_by=me.id))
        await db.commit()

        response = await client.get(f"{URL}/upcoming", headers=headers)

        assert response.status_code == 200, response.text
        assert response.json() == [
            {
                "record_type": "consultation",
                "id": str(talk.id),
                "reference": None,
                "record_class": "consultation",
                "closed_on": (TODAY - timedelta(days=25)).isoformat(),
                "due_on": (TODAY + timedelta(days=5)).isoformat(),
                "held": False,
                "carry_out_on": None,
            },
            {
                "record_type": "complaint",
                "id": str(soon.id),
                "reference": soon.reference,
                "record_class": "formal",
                "closed_on": _formal_closed(settings, 10).isoformat(),
                "due_on": (TODAY + timedelta(days=10)).isoformat(),
                "held": True,
                "carry_out_on": None,
            },
        ]
        theirs = await client.get(f"{URL}/upcoming", headers=other_headers)
        assert [item["reference"] for item in theirs.json()] != [soon.reference]
        assert len(theirs.json()) == 1

    async def test_a_scheduled_destruction_shows_when_it_is_carried_out(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        people: People,
        settings: Settings,
    ) -> None:
        me, headers = await people(Role.ombudsperson)
        await closed_complaint(db, me, closed_on=_formal_closed(settings, 0))
        await _run(app, settings, TODAY)

        (item,) = (await client.get(f"{URL}/upcoming", headers=headers)).json()

        window = settings.retention_restore_window_days
        assert item["carry_out_on"] == (TODAY + timedelta(days=window)).isoformat()

    @pytest.mark.parametrize("role", [Role.administrator, Role.staff_resource, Role.table_officer])
    async def test_other_roles_are_refused(
        self, client: httpx.AsyncClient, people: People, role: Role
    ) -> None:
        _, headers = await people(role)
        problem(await client.get(f"{URL}/upcoming", headers=headers), 403)

    async def test_anonymous_is_refused(self, client: httpx.AsyncClient) -> None:
        problem(await client.get(f"{URL}/upcoming"), 401)


class TestHoldComplaint:
    async def test_the_handling_ombudsperson_holds_and_a_scheduled_destruction_is_undone(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        people: People,
        settings: Settings,
    ) -> None:
        me, headers = await people(Role.ombudsperson)
        record = await closed_complaint(db, me, closed_on=_formal_closed(settings, 0))
        await _run(app, settings, TODAY)

        response = await client.post(
            f"{URL}/complaints/{record.id}/hold",
            json={"reason": "Counsel for Zephyrine Quackenbush-Oyelaran sent notice"},
            headers=headers,
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["reason"] == "Counsel for Zephyrine Quackenbush-Oyelaran sent notice"
        assert body["placed_by"] == str(me.id)
        raw = await db.scalar(text("SELECT reason FROM legal_holds"))
        assert isinstance(raw, bytes) and b"Zephyrine" not in raw  # encrypted at rest
        schedule = await db.scalar(
            select(ScheduledDestruction).execution_options(populate_existing=True)
        )
        assert schedule is not None and schedule.undone_by == me.id
        assert await _audits(db, "retention.hold", record.id) == 1
        later = TODAY + timedelta(days=settings.retention_restore_window_days)
        assert (await _run(app, settings, later)).destroyed == []

        again = await client.post(
            f"{URL}/complaints/{record.id}/hold", json={"reason": "Again"}, headers=headers
        )
        assert problem(again, 409)["type"].endswith("/already-held")

    async def test_a_reason_is_required(
        self, client: httpx.AsyncClient, db: AsyncSession, people: People, settings: Settings
    ) -> None:
        me, headers = await people(Role.ombudsperson)
        record = await closed_complaint(db, me, closed_on=_formal_closed(settings, 3))
        response = await client.post(
            f"{URL}/complaints/{record.id}/hold", json={"reason": ""}, headers=headers
        )
        assert ("reason", "string_too_short") in errors(problem(response, 422))

    async def test_someone_elses_complaint_is_not_found(
        self, client: httpx.AsyncClient, db: AsyncSession, people: People, settings: Settings
    ) -> None:
        me, _ = await people(Role.ombudsperson)
        _, other_headers = await people(Role.ombudsperson)
        record = await closed_complaint(db, me, closed_on=_formal_closed(settings, 3))
        hidden = await client.post(
            f"{URL}/complaints/{record.id}/hold", json={"reason": "x"}, headers=other_headers
        )
        absent = await client.post(
            f"{URL}/complaints/{ABSENT}/hold", json={"reason": "x"}, headers=other_headers
        )
        assert problem(hidden, 404) == problem(absent, 404)

    async def test_an_administrator_may_not_place_one(
        self, client: httpx.AsyncClient, db: AsyncSession, people: People, settings: Settings
    ) -> None:
        me, _ = await people(Role.ombudsperson)
        _, admin = await people(Role.administrator)
        record = await closed_complaint(db, me, closed_on=_formal_closed(settings, 3))
        response = await client.post(
            f"{URL}/complaints/{record.id}/hold", json={"reason": "x"}, headers=admin
        )
        problem(response, 403)


class TestLiftHold:
    async def test_only_an_administrator_lifts_a_hold(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        people: People,
        settings: Settings,
    ) -> None:
        me, headers = await people(Role.ombudsperson)
        _, admin = await people(Role.administrator)
        record = await closed_complaint(db, me, closed_on=_formal_closed(settings, 0))
        placed = await client.post(
            f"{URL}/complaints/{record.id}/hold", json={"reason": "A claim"}, headers=headers
        )
        assert placed.status_code == 201
        lift = f"{URL}/complaints/{record.id}/hold/lift"

        problem(await client.post(lift, json={"reason": "Settled"}, headers=headers), 403)
        response = await client.post(lift, json={"reason": "Settled"}, headers=admin)

        assert response.status_code == 200, response.text
        body = response.json()
        assert body["reference"] == record.reference and body["lifted_at"] is not None
        assert "reason" not in body  # administrators never read a hold's reason
        assert await _audits(db, "retention.lift-hold", record.id) == 1
        assert len((await _run(app, settings, TODAY)).scheduled) == 1  # due again
        assert problem(await client.post(lift, json={"reason": "x"}, headers=admin), 409)[
            "type"
        ].endswith("/not-held")
        problem(
            await client.post(
                f"{URL}/complaints/{ABSENT}/hold/lift", json={"reason": "x"}, headers=admin
            ),
            404,
        )


class TestRestore:
    async def test_an_administrator_undoes_a_scheduled_destruction_within_the_window(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        people: People,
        settings: Settings,
    ) -> None:
        me, _ = await people(Role.ombudsperson)
        _, admin = await people(Role.administrator)
        record = await closed_complaint(db, me, closed_on=_formal_closed(settings, 0))
        restore = f"{URL}/complaints/{record.id}/restore"
        nothing = await client.post(restore, json={"reason": "Wrong closure"}, headers=admin)
        assert problem(nothing, 409)["type"].endswith("/not-scheduled")
        await _run(app, settings, TODAY)
        (scheduled,) = (await client.get(f"{URL}/scheduled", headers=admin)).json()
        assert scheduled["reference"] == record.reference

        response = await client.post(restore, json={"reason": "Wrong closure"}, headers=admin)

        assert response.status_code == 200, response.text
        assert (await client.get(f"{URL}/scheduled", headers=admin)).json() == []
        (hold,) = (await client.get(f"{URL}/holds", headers=admin)).json()
        assert hold["record_id"] == str(record.id) and "reason" not in hold
        later = TODAY + timedelta(days=settings.retention_restore_window_days)
        assert (await _run(app, settings, later)).destroyed == []
        assert await _audits(db, "retention.restore", record.id) == 1


class TestConsultations:
    async def test_the_holder_holds_a_consultation_and_no_one_else_sees_it(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        people: People,
        settings: Settings,
    ) -> None:
        me, headers = await people(Role.ombudsperson)
        _, other = await people(Role.ombudsperson)
        talk = await consultation(db, me, held_on=TODAY - timedelta(days=30))
        url = f"{URL}/consultations/{talk.id}"
        assert problem(await client.post(url + "/hold", json={"reason": "x"}, headers=other), 404)

        placed = await client.post(url + "/hold", json={"reason": "Asked to keep"}, headers=headers)

        assert placed.status_code == 201, placed.text
        view = (await client.get(url, headers=headers)).json()
        assert view["record_class"] == "consultation"
        assert view["due_on"] == TODAY.isoformat()
        assert view["hold"]["reason"] == "Asked to keep"
        assert (await _run(app, settings, TODAY + timedelta(days=60))).scheduled == []


class TestTombstone:
    async def test_a_destroyed_complaint_reads_as_gone_with_its_tombstone(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        people: People,
        settings: Settings,
    ) -> None:
        me, headers = await people(Role.ombudsperson)
        _, other = await people(Role.ombudsperson)
        _, admin = await people(Role.administrator)
        record = await closed_complaint(
            db, me, closure=Closure.redirected, closed_on=TODAY - timedelta(days=400)
        )
        await _run(app, settings, TODAY)
        carried_out = TODAY + timedelta(days=settings.retention_restore_window_days)
        await _run(app, settings, carried_out)

        gone = problem(await client.get(f"/api/complaints/{record.id}", headers=headers), 410)
        assert gone["type"].endswith("/record-destroyed")
        assert gone["destroyed_on"] == local_today().isoformat()
        assert f"/api/retention/complaints/{record.id}" in gone["detail"]
        tomb = (await client.get(f"{URL}/complaints/{record.id}", headers=headers)).json()
        assert tomb["reference"] == record.reference
        assert tomb["record_class"] == "redirected"
        assert tomb["period_days"] == settings.retention_redirected_days
        assert tomb["destroyed_at"] is not None and tomb["hold"] is None
        dashboard = await client.get("/api/complaints?include_closed=true", headers=headers)
        assert dashboard.status_code == 200
        assert [c["reference"] for c in dashboard.json()["items"]] == [record.reference]
        assert canaries_in(dashboard.text + repr(tomb)) == []
        hidden = await client.get(f"/api/complaints/{record.id}", headers=other)
        absent = await client.get(f"/api/complaints/{ABSENT}", headers=other)
        assert problem(hidden, 404) == problem(absent, 404)
        problem(await client.get(f"{URL}/complaints/{record.id}", headers=other), 404)
        hold = await client.post(
            f"{URL}/complaints/{record.id}/hold", json={"reason": "late"}, headers=headers
        )
        assert problem(hold, 409)["type"].endswith("/already-destroyed")

        register = (await client.get(f"{URL}/register", headers=admin)).json()
        assert [e["reference"] for e in register["items"]] == [record.reference]
        assert register["items"][0]["carried_out_via"] == "scheduled_job"
        assert canaries_in(repr(register)) == []


class TestRegister:
    async def test_pages_newest_first_for_administrators_only(
        self,
        app: FastAPI,
        client: httpx.AsyncClient,
        db: AsyncSession,
        people: People,
        settings: Settings,
    ) -> None:
        me, headers = await people(Role.ombudsperson)
        _, admin = await people(Role.administrator)
        for n in range(3):
            await consultation(db, me, held_on=TODAY - timedelta(days=31 + n))
        await _run(app, settings, TODAY)
        await _run(app, settings, TODAY + timedelta(days=settings.retention_restore_window_days))
        problem(await client.get(f"{URL}/register", headers=headers), 403)

        first = (await client.get(f"{URL}/register?limit=2", headers=admin)).json()
        second = (
            await client.get(
                f"{URL}/register",
                params={"limit": 2, "cursor": first["next_cursor"]},
                headers=admin,
            )
        ).json()

        entries: list[dict[str, Any]] = first["items"] + second["items"]
        assert len(first["items"]) == 2 and len(second["items"]) == 1
        assert second["next_cursor"] is None
        assert len({e["record_id"] for e in entries}) == 3
        stamps = [e["carried_out_at"] for e in entries]
        assert stamps == sorted(stamps, reverse=True)
        assert {e["record_class"] for e in entries} == {"consultation"}
        bad = await client.get(f"{URL}/register", params={"cursor": "nonsense"}, headers=admin)
        assert ("cursor", "cursor_invalid") in errors(problem(bad, 422))
