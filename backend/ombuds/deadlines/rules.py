"""Pure date rules for procedure deadlines (POLICY.md "Days", 4.3.1(ii), 4.3.1(vi), 6)."""

from __future__ import annotations

import calendar as _cal
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

import holidays

_WEEKEND = {5: "Saturday", 6: "Sunday"}


class WorkingCalendar:
    """Manitoba working days: weekends and statutory holidays from the `holidays` package.

    Country CA, subdivision MB by default. Holidays are the package's default ("public")
    category, including its "(observed)" days. Names are always in `language`, never in the
    server's locale (the package would otherwise follow LANG).
    """

    def __init__(
        self, country: str = "CA", subdivision: str = "MB", *, language: str = "en_CA"
    ) -> None:
        self.country = country
        self.subdivision = subdivision
        self.language = language
        self._by_year: dict[int, holidays.HolidayBase] = {}

    def _holidays(self, year: int) -> holidays.HolidayBase:
        found = self._by_year.get(year)
        if found is None:
            found = holidays.country_holidays(
                self.country,
                subdiv=self.subdivision,
                years=year,
                expand=False,
                language=self.language,
            )
            self._by_year[year] = found
        return found

    def holiday_name(self, day: date) -> str | None:
        return self._holidays(day.year).get(day)

    def non_working_reason(self, day: date) -> str | None:
        """The holiday's name (it wins over the weekend day), "Saturday", "Sunday", or None."""
        return self.holiday_name(day) or _WEEKEND.get(day.weekday())

    def next_working_day(self, day: date) -> tuple[date, tuple[str, ...]]:
        skipped: list[str] = []
        while (reason := self.non_working_reason(day)) is not None:
            skipped.append(reason)
            day += timedelta(days=1)
        return day, tuple(skipped)


@cache
def _default_calendar() -> WorkingCalendar:
    return WorkingCalendar()


def _label(day: date) -> str:
    return f"{day:%a} {day.isoformat()}"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _join(names: tuple[str, ...]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class DueDate:
    due_on: date
    basis: str
    trigger_on: date
    period_days: int | None
    period_months: int | None
    nominal_due_on: date
    rolled_over: bool
    moved_by: tuple[str, ...]

    def explanation(self) -> str:
        """One sentence with dates and rule names only: never any personal data."""
        if self.period_days is not None:
            period = _plural(self.period_days, "calendar day")
        else:
            period = _plural(self.period_months or 0, "month")
        start = f"{period} after {_label(self.trigger_on)} is {_label(self.nominal_due_on)}"
        if not self.rolled_over:
            return f"{start}, and it is not moved."
        return f"{start} ({_join(self.moved_by)}), so it moves to {_label(self.due_on)}."


def _finish(
    basis: str,
    trigger_on: date,
    nominal: date,
    *,
    days: int | None,
    months: int | None,
    rollover: bool,
    calendar: WorkingCalendar | None,
) -> DueDate:
    due = nominal
    moved_by: tuple[str, ...] = ()
    if rollover:
        # "Days": moving off a weekend or Manitoba statutory holiday is a setting.
        due, moved_by = (calendar or _default_calendar()).next_working_day(nominal)
    return DueDate(
        due_on=due,
        basis=basis,
        trigger_on=trigger_on,
        period_days=days,
        period_months=months,
        nominal_due_on=nominal,
        rolled_over=due != nominal,
        moved_by=moved_by,
    )


def due_after_days(
    trigger_on: date, days: int, *, rollover: bool, calendar: WorkingCalendar | None = None
) -> DueDate:
    """Calendar days counted from the day after the trigger (4.3.1(ii): "fourteen (14) days")."""
    if days < 1:
        raise ValueError(f"days must be at least 1, got {days}")
    nominal = trigger_on + timedelta(days=days)
    return _finish(
        "calendar_days_after_trigger",
        trigger_on,
        nominal,
        days=days,
        months=None,
        rollover=rollover,
        calendar=calendar,
    )


def add_months(day: date, months: int) -> date:
    """Calendar months; a day missing from the target month becomes that month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, _cal.monthrange(year, month + 1)[1]))


def due_after_months(
    trigger_on: date, months: int, *, rollover: bool, calendar: WorkingCalendar | None = None
) -> DueDate:
    if months < 1:
        raise ValueError(f"months must be at least 1, got {months}")
    return _finish(
        "months_after_trigger",
        trigger_on,
        add_months(trigger_on, months),
        days=None,
        months=months,
        rollover=rollover,
        calendar=calendar,
    )


def policy_review_dates(
    implemented_on: date,
    *,
    until: date,
    last_held_on: date | None = None,
    first_review_months: int = 18,
    cycle_months: int = 36,
    rollover: bool = False,
    calendar: WorkingCalendar | None = None,
) -> list[DueDate]:
    """6: within 18 months of implementation, then at least every 3 years, until `until`;
    once a review is held, every 3 years from the last one held."""
    reviews: list[DueDate] = []
    if last_held_on is None:
        review = due_after_months(
            implemented_on, first_review_months, rollover=rollover, calendar=calendar
        )
    else:
        review = due_after_months(last_held_on, cycle_months, rollover=rollover, calendar=calendar)
    while review.due_on <= until:
        reviews.append(review)
        # Each cycle counts from the previous nominal date, so rollovers do not drift the schedule.
        review = due_after_months(
            review.nominal_due_on, cycle_months, rollover=rollover, calendar=calendar
        )
    return reviews
