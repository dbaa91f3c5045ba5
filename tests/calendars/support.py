"""Strict checks of iCalendar output: two real parsers and the wire format itself."""

from __future__ import annotations

from typing import Any

import httpx
import vobject
from icalendar import Calendar, Component

from tests.factories.calendars import canaries_in

PROBLEM_JSON = "application/problem+json"


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["field"], e["rule"]) for e in body.get("errors", [])]


def strict(body: bytes) -> Calendar:
    """Folded at 75 octets with CRLF, parsed by icalendar with no component errors, and
    validated by vobject. Returns the icalendar object."""
    assert body.endswith(b"\r\n")
    lines = body[:-2].split(b"\r\n")
    for line in lines:
        assert len(line) <= 75, line
        assert b"\n" not in line and b"\r" not in line, line
    calendar = Calendar.from_ical(body)
    for component in calendar.walk():
        assert component.errors == [], (component.name, component.errors)
    parsed = vobject.readOne(body.decode("utf-8"), validate=True)
    assert parsed.name == "VCALENDAR"
    assert canaries_in(body.decode("utf-8")) == []
    return calendar


def vevents(calendar: Component) -> list[Component]:
    return list(calendar.walk("VEVENT"))


def by_uid(calendar: Component) -> dict[str, Component]:
    return {str(e["UID"]): e for e in vevents(calendar)}
