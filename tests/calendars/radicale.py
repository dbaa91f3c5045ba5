"""The Radicale test server as the tests see it, and reading it back."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from caldav.davclient import get_davclient
from icalendar import Component

USERS = {"alice": "alice-app-password", "bob": "bob-app-password"}


@dataclass(frozen=True)
class Radicale:
    base_url: str
    storage: Path

    def calendar_url(self, user: str, calendar_id: str) -> str:
        return f"{self.base_url}/{user}/{calendar_id}/"

    def calendar_folder(self, user: str, calendar_id: str) -> Path:
        return self.storage / "collection-root" / user / calendar_id


def _client(radicale: Radicale, user: str, password: str | None = None) -> Any:
    client = get_davclient(
        url=radicale.base_url + "/",
        username=user,
        password=password or USERS[user],
        check_config_file=False,
        environment=False,
        enable_rfc6764=False,
    )
    assert client is not None
    return client


def make_calendar(radicale: Radicale, user: str) -> str:
    """A new, empty calendar of ``user``'s; returns its URL (blocking: use to_thread)."""
    calendar_id = uuid.uuid4().hex[:12]
    client = _client(radicale, user)
    try:
        client.principal().make_calendar(name="Complaint deadlines", cal_id=calendar_id)
    finally:
        client.close()
    return radicale.calendar_url(user, calendar_id)


def read_calendar(radicale: Radicale, user: str, url: str) -> dict[str, Component]:
    """UID -> VEVENT of every event in the calendar, through the caldav client."""
    client = _client(radicale, user)
    try:
        events = client.calendar(url=url).get_events()
        return {str(e.icalendar_component["UID"]): e.icalendar_component for e in events}
    finally:
        client.close()


def event_by_uid(radicale: Radicale, user: str, url: str, uid: str) -> Component:
    client = _client(radicale, user)
    try:
        return client.calendar(url=url).get_event_by_uid(uid).icalendar_component
    finally:
        client.close()


def add_foreign_event(radicale: Radicale, user: str, url: str, uid: str) -> None:
    """An event some other client wrote: the sync must leave it alone."""
    client = _client(radicale, user)
    text = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Someone else//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260401\r\n"
        "SUMMARY:Dentist\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    try:
        client.calendar(url=url).add_event(text, increase_seqno=False)
    finally:
        client.close()


def stored_items(radicale: Radicale, url: str) -> dict[str, str]:
    """The calendar's item files in Radicale's storage folder: file name -> text."""
    user, calendar_id = url.rstrip("/").split("/")[-2:]
    folder = radicale.calendar_folder(user, calendar_id)
    return {p.name: p.read_text() for p in sorted(folder.glob("*.ics"))}


def every_stored_text(radicale: Radicale) -> str:
    """Every file under Radicale's storage folder, caches and history included."""
    texts = []
    for path in sorted(radicale.storage.rglob("*")):
        if path.is_file():
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(texts)


def stored_versions(radicale: Radicale, url: str) -> dict[str, int]:
    """File name -> modification time (ns) of the calendar's items: a PUT rewrites one."""
    user, calendar_id = url.rstrip("/").split("/")[-2:]
    folder = radicale.calendar_folder(user, calendar_id)
    return {p.name: p.stat().st_mtime_ns for p in sorted(folder.glob("*.ics"))}
