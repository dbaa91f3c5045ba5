"""5.1: each record class's retention period is a setting, counted from closure."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.models import Closure, Role
from ombuds.retention.classes import RecordClass
from ombuds.retention.schedule import RecordType, due_by, due_on, period_days
from ombuds.settings import Settings
from tests.conftest import make_settings
from tests.factories.accounts import make_user
from tests.retention.support import closed_complaint, consultation

pytestmark = pytest.mark.clause("5.1")

SETTING = {
    RecordClass.consultation: "retention_consultation_days",
    RecordClass.redirected: "retention_redirected_days",
    RecordClass.informal: "retention_informal_days",
    RecordClass.withdrawn: "retention_withdrawn_days",
    RecordClass.formal: "retention_formal_days",
}
CLOSURE = {
    RecordClass.redirected: Closure.redirected,
    RecordClass.informal: Closure.resolved_informally,
    RecordClass.withdrawn: Closure.withdrawn,
    RecordClass.formal: Closure.referred_to_charge,
}


class TestSettings:
    def test_the_defaults(self) -> None:
        settings = make_settings("sqlite+aiosqlite://")
        assert settings.retention_days == {
            "consultation": 30,
            "redirected": 365,
            "informal": 730,
            "withdrawn": 365,
            "formal": 2557,  # seven years, leap days included
        }
        assert settings.retention_restore_window_days == 14
        assert settings.retention_warning_days == 30

    @pytest.mark.parametrize("record_class", list(RecordClass))
    def test_each_class_is_read_from_its_environment_variable(
        self, record_class: RecordClass, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(f"OMBUDS_{SETTING[record_class].upper()}", "40")
        settings = Settings()
        assert period_days(settings, record_class) == 40

    @pytest.mark.parametrize(
        ("overrides", "named"),
        [
            ({"retention_formal_days": 0}, "retention_formal_days"),
            ({"retention_consultation_days": -1}, "retention_consultation_days"),
            ({"retention_restore_window_days": 0}, "retention_restore_window_days"),
            ({"retention_warning_days": 0}, "retention_warning_days"),
            ({"retention_informal_days": 50 * 366 + 1}, "retention_informal_days"),
            (
                {"retention_consultation_days": 3000, "retention_formal_days": 2557},
                "OMBUDS_RETENTION_CONSULTATION_DAYS",
            ),
            (
                {"retention_restore_window_days": 40, "retention_consultation_days": 30},
                "OMBUDS_RETENTION_RESTORE_WINDOW_DAYS",
            ),
        ],
    )
    def test_unsensible_values_are_refused(self, overrides: dict[str, int], named: str) -> None:
        with pytest.raises(ValidationError) as refused:
            make_settings("sqlite+aiosqlite://", **overrides)
        assert named in str(refused.value)


class TestDueDates:
    @pytest.mark.parametrize("record_class", list(CLOSURE))
    async def test_a_complaint_falls_due_its_class_period_after_closure(
        self, db: AsyncSession, passwords: Passwords, record_class: RecordClass
    ) -> None:
        settings = make_settings("sqlite+aiosqlite://", **{SETTING[record_class]: 40})
        user = await make_user(db, passwords, Role.ombudsperson)
        closed_on = date(2026, 3, 1)
        record = await closed_complaint(
            db, user, closure=CLOSURE[record_class], closed_on=closed_on
        )
        record_id = record.id

        assert due_on(settings, record_class, closed_on) == date(2026, 4, 10)
        assert await due_by(db, settings, date(2026, 4, 9)) == []
        (due,) = await due_by(db, settings, date(2026, 4, 10))
        assert (due.record_type, due.id, due.record_class) == (
            RecordType.complaint,
            record_id,
            record_class,
        )
        assert (due.due_on, due.period_days, due.handled_by) == (date(2026, 4, 10), 40, user.id)

    async def test_a_consultation_falls_due_after_the_day_it_was_held(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        settings = make_settings(
            "sqlite+aiosqlite://", retention_consultation_days=7, retention_restore_window_days=3
        )
        user = await make_user(db, passwords, Role.ombudsperson)
        talk = await consultation(db, user, held_on=date(2026, 5, 1))
        talk_id = talk.id

        assert await due_by(db, settings, date(2026, 5, 7)) == []
        (due,) = await due_by(db, settings, date(2026, 5, 8))
        assert (due.record_type, due.id, due.reference) == (RecordType.consultation, talk_id, None)

    async def test_a_consultation_that_became_a_complaint_goes_with_it(
        self, db: AsyncSession, passwords: Passwords
    ) -> None:
        settings = make_settings("sqlite+aiosqlite://")
        user = await make_user(db, passwords, Role.ombudsperson)
        talk = await consultation(db, user, held_on=date(2020, 1, 1))
        record = await closed_complaint(
            db, user, closure=Closure.withdrawn, closed_on=date(2026, 1, 1), consultation=talk
        )
        record_id = record.id

        assert await due_by(db, settings, date(2026, 6, 1)) == []
        (due,) = await due_by(db, settings, date(2026, 1, 1) + timedelta(days=365))
        assert due.id == record_id
