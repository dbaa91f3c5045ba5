"""iCalendar rendering (RFC 5545, RFC 7986) of deadlines.

What leaves the service: the kind of deadline in fixed words, the complaint's opaque
reference, the date, and a link to the complaint's page (which requires login). No
DESCRIPTION, no names, no circumstances. Every value comes from the records, never from
the clock, so two renders of unchanged data are byte-identical."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from icalendar import Calendar, Event, Timezone

from ombuds.deadlines import service as deadlines
from ombuds.models import Deadline, DeadlineKind, DeadlineStatus

PRODID = "-//CUPE Local 500//Ombuds complaint deadlines//EN"
CALENDAR_NAME = "Complaint deadlines"
TZID = "America/Winnipeg"
REFRESH = timedelta(hours=1)
# Deadlines no longer open (met, met late, lapsed, cancelled) stay this long, then drop.
CANCELLED_KEPT = timedelta(days=30)
# The VTIMEZONE covers a fixed span (not "now"-relative, so renders stay identical).
TZ_FIRST = date(2020, 1, 1)
TZ_LAST = date(2045, 1, 1)


@dataclass(frozen=True)
class Entry:
    """One deadline as a calendar shows it: the record, its complaint's reference (None
    for policy reviews), and the link to the complaint's page (None: no link)."""

    deadline: Deadline
    reference: str | None
    url: str | None


# How each status reads in a calendar (docs/calendar.md). A VEVENT's STATUS is only
# TENTATIVE, CONFIRMED or CANCELLED: a date that stood (met, met late, or lapsed when the
# procedure went on without it) stays CONFIRMED, and the title says how it ended; only a
# deadline no longer owed at all (the complaint closed) is CANCELLED.
SHOWN_AS: dict[DeadlineStatus, tuple[str, str]] = {
    DeadlineStatus.open: ("CONFIRMED", ""),
    DeadlineStatus.met: ("CONFIRMED", " (met)"),
    DeadlineStatus.met_late: ("CONFIRMED", " (met late)"),
    DeadlineStatus.lapsed: ("CONFIRMED", " (lapsed)"),
    DeadlineStatus.cancelled: ("CANCELLED", " (cancelled)"),
}


def summary(entry: Entry) -> str:
    suffix = SHOWN_AS[entry.deadline.status][1]
    return deadlines.label(entry.deadline.kind, entry.reference) + suffix


def is_cancelled(deadline: Deadline) -> bool:
    """No longer open (met, met late, lapsed or cancelled): kept for CANCELLED_KEPT."""
    return deadline.status is not DeadlineStatus.open


def still_shown(deadline: Deadline, now: datetime) -> bool:
    """Open deadlines, and ended ones for CANCELLED_KEPT after their change."""
    return not is_cancelled(deadline) or deadline.updated_at >= now - CANCELLED_KEPT


@cache
def _timezone() -> Timezone:
    return Timezone.from_tzid(TZID, first_date=TZ_FIRST, last_date=TZ_LAST)


def _event(entry: Entry, uid: str | None = None, private: bool = True) -> Event:
    d = entry.deadline
    return _vevent(
        uid or str(d.id),
        d.kind,
        d.status,
        d.due_on,
        d.sequence,
        d.created_at,
        d.updated_at,
        entry.reference,
        entry.url,
        private=private,
    )


def _vevent(
    uid: str,
    kind: DeadlineKind,
    status: DeadlineStatus,
    due_on: date,
    sequence: int,
    created_at: datetime,
    updated_at: datetime,
    reference: str | None,
    url: str | None,
    *,
    private: bool,
) -> Event:
    event = Event()
    event.add("uid", uid)
    # DTSTAMP and LAST-MODIFIED are the record's, never the time of the render.
    event.add("dtstamp", updated_at)
    event.add("created", created_at)
    event.add("last-modified", updated_at)
    event.add("sequence", sequence)
    event.add("dtstart", due_on)
    event.add("dtend", due_on + timedelta(days=1))
    event.add("summary", deadlines.label(kind, reference) + SHOWN_AS[status][1])
    if url is not None:
        event.add("url", url)
    event.add("status", SHOWN_AS[status][0])
    event.add("transp", "TRANSPARENT")
    if private:
        event.add("class", "PRIVATE")
    return event


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    return calendar


def _feed_calendar() -> Calendar:
    calendar = _calendar()
    # No calendar-level UID (RFC 7986 allows one): subscribers that split a feed into
    # items, as vdirsyncer does, copy the calendar's properties into every item and then
    # take the first UID line for each, collapsing the whole feed into one event.
    calendar.add("method", "PUBLISH")
    calendar.add("name", CALENDAR_NAME)
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("x-wr-timezone", TZID)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    calendar.add_component(_timezone())
    return calendar


def render_feed(entries: Sequence[Entry]) -> bytes:
    """The whole feed: calendar properties, the VTIMEZONE, one VEVENT per entry (in the
    order given: callers sort by due date and id), as one icalendar object. The feed is
    served from fragments.py, which gives these very bytes from cached pieces."""
    calendar = _feed_calendar()
    for entry in entries:
        calendar.add_component(_event(entry))
    return bytes(calendar.to_ical())


# A calendar serialises as BEGIN, its properties, each subcomponent's lines, END, every
# line folded on its own: the feed is its head, its events' bytes one after the other,
# and FEED_END.
FEED_END = b"END:VCALENDAR\r\n"


@cache
def feed_head() -> bytes:
    """The feed's bytes up to its first VEVENT (calendar properties and VTIMEZONE)."""
    whole = bytes(_feed_calendar().to_ical())
    assert whole.endswith(FEED_END)
    return whole[: -len(FEED_END)]


def feed_event(
    uid: str,
    kind: DeadlineKind,
    status: DeadlineStatus,
    due_on: date,
    sequence: int,
    created_at: datetime,
    updated_at: datetime,
    reference: str | None,
    url: str | None,
) -> bytes:
    """One VEVENT of the feed, as the whole feed's render writes it."""
    event = _vevent(
        uid, kind, status, due_on, sequence, created_at, updated_at, reference, url, private=True
    )
    return bytes(event.to_ical())


def render_event(entry: Entry, uid: str, *, private: bool) -> str:
    """One deadline as its own calendar object, for a CalDAV PUT: under the connection's
    own ``uid``, and CLASS:PRIVATE only in a personal calendar (a shared union calendar is
    meant to be seen by everyone it is shared with)."""
    calendar = _calendar()
    calendar.add_component(_event(entry, uid, private))
    return bytes(calendar.to_ical()).decode()


def strong_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:40] + '"'
