"""The pure date rules behind procedure deadlines (POLICY.md "Days", 4.3.1(ii), 6)."""

import dataclasses
from datetime import date, timedelta

import pytest

from ombuds.deadlines.rules import (
    DueDate,
    WorkingCalendar,
    add_months,
    due_after_days,
    due_after_months,
    policy_review_dates,
)

CAL = WorkingCalendar()

# Read from holidays 0.109, country CA, subdiv MB, language en_CA, default ("public") category.
MB_HOLIDAYS_2026 = {
    date(2026, 1, 1): "New Year's Day",
    date(2026, 2, 16): "Louis Riel Day",
    date(2026, 4, 3): "Good Friday",
    date(2026, 5, 18): "Victoria Day",
    date(2026, 7, 1): "Canada Day",
    date(2026, 9, 7): "Labour Day",
    date(2026, 9, 30): "National Day for Truth and Reconciliation",
    date(2026, 10, 12): "Thanksgiving Day",
    date(2026, 12, 25): "Christmas Day",
}


# --- WorkingCalendar ----------------------------------------------------------------------


def test_manitoba_statutory_holidays_2026_by_exact_name() -> None:
    found = {
        day: name
        for day in (date(2026, 1, 1) + timedelta(days=n) for n in range(365))
        if (name := CAL.holiday_name(day)) is not None
    }
    assert found == MB_HOLIDAYS_2026


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 8, 3),  # Terry Fox Day / Civic Holiday: not a Manitoba general holiday
        date(2026, 11, 11),  # Remembrance Day: only in the package's "optional"/"government"
        date(2026, 12, 26),  # Boxing Day
        date(2026, 12, 28),  # would be Boxing Day (observed)
        date(2026, 4, 6),  # Easter Monday
    ],
)
def test_days_that_are_not_manitoba_statutory_holidays(day: date) -> None:
    assert CAL.holiday_name(day) is None


def test_observed_holidays_have_their_own_names() -> None:
    assert CAL.holiday_name(date(2027, 12, 25)) == "Christmas Day"
    assert CAL.holiday_name(date(2027, 12, 27)) == "Christmas Day (observed)"
    assert CAL.holiday_name(date(2028, 1, 3)) == "New Year's Day (observed)"
    assert CAL.holiday_name(date(2028, 10, 2)) == (
        "National Day for Truth and Reconciliation (observed)"
    )


def test_non_working_reason() -> None:
    assert CAL.non_working_reason(date(2026, 3, 7)) == "Saturday"
    assert CAL.non_working_reason(date(2026, 3, 8)) == "Sunday"
    assert CAL.non_working_reason(date(2026, 2, 16)) == "Louis Riel Day"
    assert CAL.non_working_reason(date(2026, 3, 9)) is None
    # A holiday on a weekend is reported by its name.
    assert CAL.non_working_reason(date(2027, 12, 25)) == "Christmas Day"


def test_next_working_day() -> None:
    assert CAL.next_working_day(date(2026, 3, 9)) == (date(2026, 3, 9), ())
    assert CAL.next_working_day(date(2026, 2, 14)) == (
        date(2026, 2, 17),
        ("Saturday", "Sunday", "Louis Riel Day"),
    )


def test_any_year_can_be_looked_up_and_is_cached() -> None:
    cal = WorkingCalendar()
    assert cal.holiday_name(date(1995, 1, 1)) == "New Year's Day"
    assert cal.holiday_name(date(2090, 12, 25)) == "Christmas Day"
    assert cal.holiday_name(date(2026, 2, 16)) == "Louis Riel Day"
    assert cal._holidays(2026) is cal._holidays(2026)
    assert sorted(cal._by_year) == [1995, 2026, 2090]


def test_names_do_not_follow_the_server_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(var, "fr_CA.UTF-8")
    assert WorkingCalendar().holiday_name(date(2026, 9, 7)) == "Labour Day"


def test_another_subdivision_can_be_used() -> None:
    ontario = WorkingCalendar(subdivision="ON")
    due = due_after_days(date(2026, 2, 2), 14, rollover=True, calendar=ontario)
    assert (due.due_on, due.moved_by) == (date(2026, 2, 17), ("Family Day",))


# --- 4.3.1(ii): fourteen (14) calendar days -------------------------------------------------


@pytest.mark.clause("4.3.1(ii)")
def test_louis_riel_day_moves_the_due_date_with_rollover() -> None:
    due = due_after_days(date(2026, 2, 2), 14, rollover=True)
    assert due == DueDate(
        due_on=date(2026, 2, 17),
        basis="calendar_days_after_trigger",
        trigger_on=date(2026, 2, 2),
        period_days=14,
        period_months=None,
        nominal_due_on=date(2026, 2, 16),
        rolled_over=True,
        moved_by=("Louis Riel Day",),
    )


@pytest.mark.clause("4.3.1(ii)")
def test_without_rollover_the_due_date_stays_on_the_holiday() -> None:
    due = due_after_days(date(2026, 2, 2), 14, rollover=False)
    assert due.due_on == date(2026, 2, 16)
    assert due.nominal_due_on == date(2026, 2, 16)
    assert due.rolled_over is False
    assert due.moved_by == ()


@pytest.mark.clause("4.3.1(ii)")
def test_saturday_moves_to_monday() -> None:
    due = due_after_days(date(2026, 2, 21), 14, rollover=True)
    assert due.nominal_due_on == date(2026, 3, 7)
    assert due.due_on == date(2026, 3, 9)
    assert due.moved_by == ("Saturday", "Sunday")


@pytest.mark.clause("4.3.1(ii)")
@pytest.mark.parametrize(
    ("trigger", "nominal", "final", "holiday"),
    [
        (date(2026, 1, 31), date(2026, 2, 14), date(2026, 2, 17), "Louis Riel Day"),
        (date(2026, 8, 22), date(2026, 9, 5), date(2026, 9, 8), "Labour Day"),
        (date(2026, 5, 2), date(2026, 5, 16), date(2026, 5, 19), "Victoria Day"),
    ],
)
def test_saturday_before_a_monday_holiday_moves_to_tuesday(
    trigger: date, nominal: date, final: date, holiday: str
) -> None:
    due = due_after_days(trigger, 14, rollover=True)
    assert due.nominal_due_on == nominal
    assert due.due_on == final
    assert due.moved_by == ("Saturday", "Sunday", holiday)


@pytest.mark.clause("4.3.1(ii)")
def test_plain_weekday_is_unchanged() -> None:
    due = due_after_days(date(2026, 3, 3), 14, rollover=True)
    assert due.nominal_due_on == due.due_on == date(2026, 3, 17)
    assert due.rolled_over is False
    assert due.moved_by == ()


@pytest.mark.clause("4.3.1(ii)")
def test_christmas_2026_runs_on_over_the_weekend_but_not_boxing_day() -> None:
    # Boxing Day is not a Manitoba statutory holiday in the package, so Mon 2026-12-28 works.
    due = due_after_days(date(2026, 12, 11), 14, rollover=True)
    assert due.nominal_due_on == date(2026, 12, 25)
    assert due.due_on == date(2026, 12, 28)
    assert due.moved_by == ("Christmas Day", "Saturday", "Sunday")


@pytest.mark.clause("4.3.1(ii)")
def test_christmas_2027_on_a_saturday_skips_the_observed_monday() -> None:
    due = due_after_days(date(2027, 12, 11), 14, rollover=True)
    assert due.nominal_due_on == date(2027, 12, 25)
    assert due.due_on == date(2027, 12, 28)
    assert due.moved_by == ("Christmas Day", "Sunday", "Christmas Day (observed)")


@pytest.mark.clause("4.3.1(ii)")
def test_good_friday_runs_on_over_the_weekend() -> None:
    due = due_after_days(date(2026, 3, 20), 14, rollover=True)
    assert (due.nominal_due_on, due.due_on) == (date(2026, 4, 3), date(2026, 4, 6))
    assert due.moved_by == ("Good Friday", "Saturday", "Sunday")


@pytest.mark.clause("4.3.1(ii)")
def test_counting_starts_the_day_after_the_trigger() -> None:
    assert due_after_days(date(2026, 3, 4), 1, rollover=False).due_on == date(2026, 3, 5)
    assert due_after_days(date(2026, 12, 31), 14, rollover=False).due_on == date(2027, 1, 14)


@pytest.mark.clause("4.3.1(ii)")
@pytest.mark.parametrize("days", [0, -1, -14])
def test_days_must_be_positive(days: int) -> None:
    with pytest.raises(ValueError, match="days must be at least 1"):
        due_after_days(date(2026, 2, 2), days, rollover=True)


def test_due_date_is_frozen() -> None:
    due = due_after_days(date(2026, 2, 2), 14, rollover=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        due.due_on = date(2026, 2, 18)  # type: ignore[misc]


@pytest.mark.clause("4.3.1(ii)")
@pytest.mark.parametrize("days", [1, 14])
def test_rollover_invariants_for_every_trigger_in_2026_and_2027(days: int) -> None:
    trigger = date(2026, 1, 1)
    while trigger <= date(2027, 12, 31):
        due = due_after_days(trigger, days, rollover=True)
        assert due.nominal_due_on == trigger + timedelta(days=days)
        assert due.due_on >= due.nominal_due_on
        assert CAL.non_working_reason(due.due_on) is None
        skipped = [
            due.nominal_due_on + timedelta(days=n)
            for n in range((due.due_on - due.nominal_due_on).days)
        ]
        assert due.moved_by == tuple(CAL.non_working_reason(day) for day in skipped)
        assert all(reason is not None for reason in due.moved_by)
        assert due.rolled_over is bool(skipped)
        plain = due_after_days(trigger, days, rollover=False)
        assert (plain.due_on, plain.moved_by) == (due.nominal_due_on, ())
        trigger += timedelta(days=1)


# --- explanation --------------------------------------------------------------------------


@pytest.mark.clause("4.3.1(ii)")
def test_explanation_of_a_moved_date() -> None:
    due = due_after_days(date(2026, 2, 2), 14, rollover=True)
    assert due.explanation() == (
        "14 calendar days after Mon 2026-02-02 is Mon 2026-02-16 (Louis Riel Day),"
        " so it moves to Tue 2026-02-17."
    )


@pytest.mark.clause("4.3.1(ii)")
def test_explanation_lists_every_skipped_day() -> None:
    due = due_after_days(date(2026, 1, 31), 14, rollover=True)
    assert due.explanation() == (
        "14 calendar days after Sat 2026-01-31 is Sat 2026-02-14"
        " (Saturday, Sunday and Louis Riel Day), so it moves to Tue 2026-02-17."
    )


@pytest.mark.clause("4.3.1(ii)")
def test_explanation_of_a_date_that_is_not_moved() -> None:
    assert due_after_days(date(2026, 3, 3), 14, rollover=True).explanation() == (
        "14 calendar days after Tue 2026-03-03 is Tue 2026-03-17, and it is not moved."
    )
    assert due_after_days(date(2026, 2, 2), 14, rollover=False).explanation() == (
        "14 calendar days after Mon 2026-02-02 is Mon 2026-02-16, and it is not moved."
    )


def test_explanation_uses_singular_units() -> None:
    assert due_after_days(date(2026, 3, 3), 1, rollover=False).explanation() == (
        "1 calendar day after Tue 2026-03-03 is Wed 2026-03-04, and it is not moved."
    )
    assert due_after_months(date(2026, 1, 31), 1, rollover=False).explanation() == (
        "1 month after Sat 2026-01-31 is Sat 2026-02-28, and it is not moved."
    )


# --- months and clause 6 ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 8, 31), 18, date(2027, 2, 28)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2027, 8, 31), 6, date(2028, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 48, date(2028, 2, 29)),
        (date(2025, 1, 31), 2, date(2025, 3, 31)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 1, 15), 18, date(2026, 7, 15)),
        (date(2025, 5, 31), 36, date(2028, 5, 31)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


@pytest.mark.clause("6")
def test_due_after_months_clamps_to_the_end_of_the_month() -> None:
    due = due_after_months(date(2025, 8, 31), 18, rollover=False)
    assert due == DueDate(
        due_on=date(2027, 2, 28),
        basis="months_after_trigger",
        trigger_on=date(2025, 8, 31),
        period_days=None,
        period_months=18,
        nominal_due_on=date(2027, 2, 28),
        rolled_over=False,
        moved_by=(),
    )
    assert due_after_months(date(2026, 8, 31), 18, rollover=False).due_on == date(2028, 2, 29)


@pytest.mark.clause("6")
def test_due_after_months_rolls_over_a_sunday() -> None:
    due = due_after_months(date(2026, 7, 15), 36, rollover=True)
    assert (due.nominal_due_on, due.due_on, due.moved_by) == (
        date(2029, 7, 15),
        date(2029, 7, 16),
        ("Sunday",),
    )
    assert due.explanation() == (
        "36 months after Wed 2026-07-15 is Sun 2029-07-15 (Sunday), so it moves to Mon 2029-07-16."
    )


@pytest.mark.parametrize("months", [0, -18])
def test_months_must_be_positive(months: int) -> None:
    with pytest.raises(ValueError, match="months must be at least 1"):
        due_after_months(date(2025, 1, 15), months, rollover=False)


@pytest.mark.clause("6")
def test_policy_review_dates() -> None:
    reviews = policy_review_dates(date(2025, 1, 15), until=date(2032, 1, 1))
    assert [r.due_on for r in reviews] == [date(2026, 7, 15), date(2029, 7, 15)]
    assert [(r.trigger_on, r.period_months) for r in reviews] == [
        (date(2025, 1, 15), 18),
        (date(2026, 7, 15), 36),
    ]
    assert {r.basis for r in reviews} == {"months_after_trigger"}
    assert reviews[1].explanation() == (
        "36 months after Wed 2026-07-15 is Sun 2029-07-15, and it is not moved."
    )


@pytest.mark.clause("6")
def test_policy_review_dates_until_is_inclusive() -> None:
    implemented = date(2025, 1, 15)
    assert len(policy_review_dates(implemented, until=date(2029, 7, 15))) == 2
    assert len(policy_review_dates(implemented, until=date(2029, 7, 14))) == 1
    assert policy_review_dates(implemented, until=date(2026, 7, 14)) == []


@pytest.mark.clause("6")
def test_policy_review_dates_with_rollover_do_not_drift() -> None:
    reviews = policy_review_dates(date(2025, 1, 15), until=date(2035, 12, 31), rollover=True)
    assert [r.due_on for r in reviews] == [
        date(2026, 7, 15),
        date(2029, 7, 16),
        date(2032, 7, 15),
        date(2035, 7, 16),
    ]
    assert reviews[2].trigger_on == date(2029, 7, 15)
    assert [r.moved_by for r in reviews] == [(), ("Sunday",), (), ("Sunday",)]
