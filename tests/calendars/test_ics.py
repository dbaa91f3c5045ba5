"""The iCalendar rendering itself: each CalDAV object and an empty feed are strict too."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from ombuds.calendars import ics
from ombuds.models import Deadline, DeadlineKind, DeadlineStatus
from tests.calendars.support import strict, vevents


def deadline(**overrides: object) -> Deadline:
    values: dict[str, object] = {
        "id": uuid.UUID("0f4b8d1e-2c3a-4d5e-8f90-123456789abc"),
        "complaint_id": uuid.uuid4(),
        "kind": DeadlineKind.crc_report,
        "status": DeadlineStatus.open,
        "due_on": date(2026, 12, 31),
        "basis": "calendar_days_after_trigger",
        "trigger_on": date(2026, 11, 1),
        "period_days": 60,
        "period_months": None,
        "nominal_due_on": date(2026, 12, 31),
        "moved_by": None,
        "explanation": "60 calendar days after Sun 2026-11-01 is Thu 2026-12-31.",
        "satisfied_on": None,
        "sequence": 4,
        "created_at": datetime(2026, 11, 1, 9, 30, tzinfo=UTC),
        "updated_at": datetime(2026, 11, 2, 10, 45, 59, 999999, tzinfo=UTC),
    }
    values.update(overrides)
    return Deadline(**values)


class TestRender:
    def test_a_caldav_object_is_one_strict_event(self) -> None:
        entry = ics.Entry(deadline(), "C-7F3K2Q", "https://ombuds.example/complaints/" + "x" * 80)
        text = ics.render_event(entry, "0f4b8d1e-2c3a-4d5e-8f90-123456789abc@c1", private=True)
        calendar = strict(text.encode())
        (event,) = vevents(calendar)
        assert str(event["UID"]) == "0f4b8d1e-2c3a-4d5e-8f90-123456789abc@c1"
        assert str(event["CLASS"]) == "PRIVATE"
        assert str(event["SUMMARY"]) == "CRC report due — C-7F3K2Q"
        assert str(event["URL"]).endswith("x" * 80)  # folded on the wire, whole when parsed
        assert int(event["SEQUENCE"]) == 4
        assert event["DTSTAMP"].dt == datetime(2026, 11, 2, 10, 45, 59, tzinfo=UTC)
        assert (event["DTSTART"].dt, event["DTEND"].dt) == (date(2026, 12, 31), date(2027, 1, 1))
        assert text == ics.render_event(
            entry, "0f4b8d1e-2c3a-4d5e-8f90-123456789abc@c1", private=True
        )

    def test_a_cancelled_policy_review_has_no_reference_and_no_link(self) -> None:
        entry = ics.Entry(
            deadline(
                kind=DeadlineKind.policy_review,
                status=DeadlineStatus.cancelled,
                complaint_id=None,
            ),
            None,
            None,
        )
        (event,) = vevents(strict(ics.render_event(entry, "x@c1", private=False).encode()))
        assert str(event["SUMMARY"]) == "Policy review due (clause 6) (cancelled)"
        assert str(event["STATUS"]) == "CANCELLED" and "URL" not in event
        assert "CLASS" not in event  # a shared union calendar's event

    @pytest.mark.clause("4.3.1(ii)")
    @pytest.mark.parametrize(
        ("status", "shown", "title"),
        [
            (DeadlineStatus.open, "CONFIRMED", "Written response due — C-7F3K2Q"),
            (DeadlineStatus.met, "CONFIRMED", "Written response due — C-7F3K2Q (met)"),
            (DeadlineStatus.met_late, "CONFIRMED", "Written response due — C-7F3K2Q (met late)"),
            (DeadlineStatus.lapsed, "CONFIRMED", "Written response due — C-7F3K2Q (lapsed)"),
            (DeadlineStatus.cancelled, "CANCELLED", "Written response due — C-7F3K2Q (cancelled)"),
        ],
    )
    def test_met_met_late_lapsed_and_cancelled_each_read_as_themselves(
        self, status: DeadlineStatus, shown: str, title: str
    ) -> None:
        entry = ics.Entry(
            deadline(kind=DeadlineKind.written_response, status=status), "C-7F3K2Q", None
        )
        for text in (
            ics.render_event(entry, "x@c1", private=False).encode(),
            ics.render_feed([entry]),
        ):
            (event,) = vevents(strict(text))
            assert (str(event["STATUS"]), str(event["SUMMARY"])) == (shown, title)

    def test_an_empty_feed_is_a_valid_calendar(self) -> None:
        body = ics.render_feed([])
        calendar = strict(body)
        assert vevents(calendar) == [] and len(list(calendar.walk("VTIMEZONE"))) == 1
        assert body == ics.render_feed([])
