"""5.1: the retention job schedules what fell due and, after the restore window, destroys
it: once, resumably, never a held record; the register holds no content."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ombuds.auth.passwords import Passwords
from ombuds.kit import datakeys
from ombuds.kit.clock import local_today
from ombuds.models import (
    AuditEntry,
    CarriedOutVia,
    Closure,
    Complaint,
    Consultation,
    DestructionRecord,
    Disclosure,
    LegalHold,
    PartyNotice,
    Role,
    ScheduledDestruction,
    User,
)
from ombuds.retention import destroy, job
from ombuds.retention.schedule import RecordType
from ombuds.settings import Settings
from tests.factories.accounts import make_user
from tests.factories.calendars import canaries_in
from tests.retention.support import closed_complaint, consultation, content_rows

pytestmark = [pytest.mark.clause("5.1"), pytest.mark.usefixtures("keep_loaded")]

TODAY = local_today()
WINDOW = 14  # the default restore window


async def _ombudsperson(db: AsyncSession, passwords: Passwords) -> User:
    return await make_user(db, passwords, Role.ombudsperson)


def _factory(app: FastAPI) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = app.state.sessionmaker
    return factory


async def _run(app: FastAPI, settings: Settings, today: date) -> job.Report:
    return await job.run(_factory(app), settings, today, via=CarriedOutVia.command_line)


async def _count(db: AsyncSession, model: type[Any], *where: Any) -> int:
    return int(await db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def _formal_due_today(settings: Settings) -> date:
    """The closure date of a formal complaint whose destruction falls due today."""
    return TODAY - timedelta(days=settings.retention_formal_days)


class TestDryRun:
    async def test_lists_what_would_go_and_writes_nothing(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        user = await _ombudsperson(db, passwords)
        due = await closed_complaint(db, user, closed_on=_formal_due_today(settings))
        await closed_complaint(db, user, closed_on=_formal_due_today(settings) + timedelta(days=1))
        held_on = TODAY - timedelta(days=settings.retention_consultation_days + 3)
        talk = await consultation(db, user, held_on=held_on)
        audit_before = await _count(db, AuditEntry)

        async with _factory(app)() as session:
            work = await job.plan(session, settings, TODAY)

        assert [(d.record_type, d.id) for d in work.to_schedule] == [
            (RecordType.consultation, talk.id),
            (RecordType.complaint, due.id),
        ]
        assert work.to_schedule[1].reference == due.reference
        assert work.to_schedule[1].due_on == TODAY
        assert work.to_schedule[0].due_on == TODAY - timedelta(days=3)
        assert work.to_destroy == []
        assert await _count(db, ScheduledDestruction) == 0
        assert await _count(db, AuditEntry) == audit_before

    async def test_the_command_prints_references_and_dates_only(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        from ombuds import cli

        user = await _ombudsperson(db, passwords)
        due = await closed_complaint(db, user, closed_on=_formal_due_today(settings))
        monkeypatch.setattr(cli, "_settings", lambda: settings)

        assert await asyncio.to_thread(cli.main, ["retention", "run", "--dry-run"]) == 0

        out = capsys.readouterr().out
        assert f"would schedule complaint {due.reference} (formal" in out
        assert f"due {TODAY.isoformat()}" in out
        assert "1 to schedule, 0 to destroy; nothing written" in out
        assert canaries_in(out) == []
        assert await _count(db, ScheduledDestruction) == 0


class TestCommand:
    async def test_the_command_schedules_and_reports_the_counts(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        from ombuds import cli

        user = await _ombudsperson(db, passwords)
        due = await closed_complaint(db, user, closed_on=_formal_due_today(settings))
        monkeypatch.setattr(cli, "_settings", lambda: settings)

        assert await asyncio.to_thread(cli.main, ["retention", "run"]) == 0

        captured = capsys.readouterr()
        assert "scheduled 1, destroyed 0" in captured.out
        assert "retention" in captured.err  # the progress bar
        assert canaries_in(captured.out + captured.err) == []
        schedule = await db.scalar(select(ScheduledDestruction.complaint_id))
        assert schedule == due.id


class TestRun:
    async def test_schedules_then_destroys_after_the_window(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        user = await _ombudsperson(db, passwords)
        talk = await consultation(db, user, held_on=TODAY - timedelta(days=40))
        record = await closed_complaint(
            db, user, closed_on=_formal_due_today(settings), consultation=talk
        )
        alone = await consultation(db, user, held_on=TODAY - timedelta(days=30))

        first = await _run(app, settings, TODAY)

        # The consultation that became the complaint goes with it, not on its own.
        assert sorted((d.record_type, d.id) for d in first.scheduled) == sorted(
            [(RecordType.complaint, record.id), (RecordType.consultation, alone.id)]
        )
        assert first.destroyed == []
        schedule = await db.scalar(
            select(ScheduledDestruction).where(ScheduledDestruction.complaint_id == record.id)
        )
        assert schedule is not None
        assert schedule.carry_out_on == TODAY + timedelta(days=WINDOW)
        assert schedule.period_days == settings.retention_formal_days

        # Within the window nothing is destroyed.
        within = await _run(app, settings, TODAY + timedelta(days=WINDOW - 1))
        assert within.scheduled == [] and within.destroyed == []
        assert (await content_rows(db, record.id))["complaint_people"] == 2

        after = await _run(app, settings, TODAY + timedelta(days=WINDOW))

        assert sorted(p.record_id for p in after.destroyed) == sorted([record.id, alone.id])
        assert set((await content_rows(db, record.id)).values()) == {0}
        raw = (
            await db.execute(
                text(
                    "SELECT resolution_sought, response_text, findings_text, consultation_id, "
                    "destroyed_at, reference, stage, closure FROM complaints WHERE id = :id"
                ),
                {"id": record.id.hex if settings.is_sqlite else record.id},
            )
        ).one()
        assert raw[1:4] == (None, None, None)
        tomb = await db.get(Complaint, record.id, populate_existing=True)
        assert tomb is not None and tomb.resolution_sought == ""  # required: emptied
        assert raw[4] is not None
        assert (raw[5], raw[6], raw[7]) == (record.reference, "closed", "concluded")
        assert await _count(db, Consultation) == 0  # both consultations deleted
        disclosure = await db.scalar(
            select(Disclosure)
            .where(Disclosure.complaint_id == record.id)
            .execution_options(populate_existing=True)
        )
        assert disclosure is not None  # the 5.1 register entry stays, emptied
        assert (disclosure.purpose, disclosure.reason, disclosure.content) == (
            "corrective_action",
            "",
            "",
        )
        assert (
            await db.scalar(
                select(PartyNotice.waiver_reason).where(PartyNotice.complaint_id == record.id)
            )
            is None
        )
        assert await _count(db, AuditEntry, AuditEntry.action == "retention.destroy") == 2
        # Then their data keys: the complaint's, the consultation's it grew from, and the
        # other consultation's; the register says when.
        assert after.keys_destroyed == 3
        owners = set(await datakeys.session_keys(db).owners())
        assert owners.isdisjoint({record.id, talk.id, alone.id})
        entries = (await db.scalars(select(DestructionRecord))).all()
        assert all(e.keys_destroyed_at is not None for e in entries)

    async def test_a_rerun_does_nothing_new(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        user = await _ombudsperson(db, passwords)
        await closed_complaint(db, user, closed_on=_formal_due_today(settings))
        await _run(app, settings, TODAY)
        again = await _run(app, settings, TODAY)
        assert again.scheduled == [] and again.destroyed == []
        later = TODAY + timedelta(days=WINDOW)
        assert len((await _run(app, settings, later)).destroyed) == 1
        audit_before = await _count(db, AuditEntry)

        rerun = await _run(app, settings, later)

        assert rerun.scheduled == [] and rerun.destroyed == []
        assert await _count(db, DestructionRecord) == 1
        assert await _count(db, ScheduledDestruction) == 1
        assert await _count(db, AuditEntry) == audit_before

    async def test_a_run_that_crashed_midway_is_finished_by_the_next(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        user = await _ombudsperson(db, passwords)
        records = [
            await closed_complaint(
                db, user, closed_on=_formal_due_today(settings) - timedelta(days=n)
            )
            for n in range(3)
        ]
        await _run(app, settings, TODAY)
        real = destroy.complaint
        calls = 0

        async def crash_on_the_second(session: AsyncSession, record: Complaint) -> None:
            nonlocal calls
            calls += 1
            if calls == 2:
                raise RuntimeError("the process was killed")
            await real(session, record)

        monkeypatch.setattr(destroy, "complaint", crash_on_the_second)
        later = TODAY + timedelta(days=WINDOW)
        with pytest.raises(RuntimeError):
            await _run(app, settings, later)

        destroyed = {r.id: (await content_rows(db, r.id))["incidents"] == 0 for r in records}
        assert sorted(destroyed.values()) == [False, False, True]  # the first one is done
        assert await _count(db, DestructionRecord) == 1  # the second rolled back whole

        monkeypatch.setattr(destroy, "complaint", real)
        resumed = await _run(app, settings, later)

        assert len(resumed.destroyed) == 2
        assert await _count(db, DestructionRecord) == 3
        for r in records:
            assert set((await content_rows(db, r.id)).values()) == {0}

    async def test_keys_a_crash_left_are_destroyed_by_the_next_run(
        self,
        app: FastAPI,
        db: AsyncSession,
        passwords: Passwords,
        settings: Settings,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        user = await _ombudsperson(db, passwords)
        record = await closed_complaint(db, user, closed_on=_formal_due_today(settings))
        keys = datakeys.session_keys(db)
        assert record.id in set(await keys.owners())
        await _run(app, settings, TODAY)
        real = datakeys.destroy

        async def killed(where: Any, owner: Any) -> bool:
            raise RuntimeError("the process was killed")

        monkeypatch.setattr(datakeys, "destroy", killed)
        later = TODAY + timedelta(days=WINDOW)
        with pytest.raises(RuntimeError):
            await _run(app, settings, later)
        # The content is gone and the register has the entry, but not yet the key's end.
        assert set((await content_rows(db, record.id)).values()) == {0}
        entry = await db.scalar(select(DestructionRecord))
        assert entry is not None and entry.keys_destroyed_at is None
        assert entry.data_keys == [str(record.id)]
        assert record.id in set(await keys.owners())

        monkeypatch.setattr(datakeys, "destroy", real)
        resumed = await _run(app, settings, later)

        assert resumed.destroyed == [] and resumed.keys_destroyed == 1
        assert record.id not in set(await keys.owners())
        entry = await db.scalar(select(DestructionRecord).execution_options(populate_existing=True))
        assert entry is not None and entry.keys_destroyed_at is not None

    async def test_the_register_holds_no_content(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        user = await _ombudsperson(db, passwords)
        record = await closed_complaint(
            db, user, closure=Closure.withdrawn, closed_on=TODAY - timedelta(days=400)
        )
        talk = await consultation(db, user, held_on=TODAY - timedelta(days=31))
        await _run(app, settings, TODAY)
        await _run(app, settings, TODAY + timedelta(days=WINDOW))

        rows = (await db.execute(text("SELECT * FROM destruction_register"))).all()

        assert len(rows) == 2
        assert canaries_in(repr(rows)) == []
        entries = {r.record_id: r for r in await db.scalars(select(DestructionRecord))}
        withdrawn = entries[record.id]
        assert (withdrawn.record_class, withdrawn.reference) == ("withdrawn", record.reference)
        assert withdrawn.period_days == settings.retention_withdrawn_days
        assert withdrawn.closed_on == TODAY - timedelta(days=400)
        assert withdrawn.due_on == TODAY - timedelta(days=400 - settings.retention_withdrawn_days)
        assert withdrawn.carried_out_via == CarriedOutVia.command_line
        assert withdrawn.carried_out_by is None
        assert (entries[talk.id].record_class, entries[talk.id].reference) == (
            "consultation",
            None,
        )


class TestHolds:
    async def test_a_held_record_is_never_scheduled(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        user = await _ombudsperson(db, passwords)
        record = await closed_complaint(db, user, closed_on=_formal_due_today(settings))
        db.add(LegalHold(complaint_id=record.id, reason="A claim is pending", placed_by=user.id))
        await db.commit()

        report = await _run(app, settings, TODAY + timedelta(days=400))

        assert report.scheduled == [] and report.destroyed == []
        assert (await content_rows(db, record.id))["incidents"] == 1

    async def test_a_hold_placed_in_the_window_stops_the_destruction(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        user = await _ombudsperson(db, passwords)
        record = await closed_complaint(db, user, closed_on=_formal_due_today(settings))
        await _run(app, settings, TODAY)
        db.add(LegalHold(complaint_id=record.id, reason="A claim is pending", placed_by=user.id))
        await db.commit()

        report = await _run(app, settings, TODAY + timedelta(days=WINDOW))

        assert report.destroyed == []
        assert await _count(db, DestructionRecord) == 0
        assert (await content_rows(db, record.id))["incidents"] == 1


class TestSeveralRuns:
    async def test_two_concurrent_runs_destroy_each_record_once(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings, backend: str
    ) -> None:
        if backend != "postgresql":
            pytest.skip("SQLite serialises its writers; the advisory lock is PostgreSQL's")
        user = await _ombudsperson(db, passwords)
        records = [
            await closed_complaint(
                db, user, closed_on=_formal_due_today(settings) - timedelta(days=n)
            )
            for n in range(6)
        ]
        await _run(app, settings, TODAY)
        later = TODAY + timedelta(days=WINDOW)

        reports = await asyncio.gather(*(_run(app, settings, later) for _ in range(2)))

        destroyed = [p.record_id for r in reports for p in r.destroyed]
        assert sorted(destroyed) == sorted(r.id for r in records)
        assert await _count(db, DestructionRecord) == len(records)

    async def test_without_the_lock_the_row_lock_lets_one_destroy(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings, backend: str
    ) -> None:
        if backend != "postgresql":
            pytest.skip("row locks are PostgreSQL's; SQLite serialises its writers")
        user = await _ombudsperson(db, passwords)
        record = await closed_complaint(db, user, closed_on=_formal_due_today(settings))
        await _run(app, settings, TODAY)
        schedule_id = await db.scalar(select(ScheduledDestruction.id))
        assert schedule_id is not None
        later = TODAY + timedelta(days=WINDOW)

        async def carry_out() -> bool:
            async with _factory(app)() as session:
                done = await job.carry_out(
                    session, schedule_id, later, via=CarriedOutVia.scheduled_job
                )
                await asyncio.sleep(0.2)  # hold the row lock while the other waits
                await session.commit()
                return done

        results = await asyncio.gather(carry_out(), carry_out())

        assert sorted(results) == [False, True]
        assert await _count(db, DestructionRecord, DestructionRecord.record_id == record.id) == 1


class TestInTheService:
    async def test_a_round_of_the_service_job_runs_the_retention_job(
        self, app: FastAPI, db: AsyncSession, passwords: Passwords, settings: Settings
    ) -> None:
        from ombuds.retention.upkeep import RetentionUpkeep

        user = await _ombudsperson(db, passwords)
        due = await closed_complaint(db, user, closed_on=_formal_due_today(settings))
        upkeep = RetentionUpkeep(_factory(app), settings, first=0)
        assert upkeep.interval == settings.retention_run_hours * 3600

        assert await upkeep.round() == 1
        assert await upkeep.round() == 0  # the next round finds nothing new

        assert await db.scalar(select(ScheduledDestruction.complaint_id)) == due.id
