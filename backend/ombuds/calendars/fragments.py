"""The feed's bytes from cached per-event fragments.

icalendar builds and folds every property of every event on each render: most of a full
feed's cost. A feed is its head (calendar properties and VTIMEZONE, the same for every
feed), one VEVENT per deadline, and ``END:VCALENDAR``, each line folded on its own
(see ics.py), so an event's bytes depend on nothing but its own entry. They are kept here
by the entry itself, :class:`~ombuds.calendars.service.EntryKey`: the deadline's id, kind,
status, due date, SEQUENCE, creation and change times, the complaint's reference and the
link. Whatever changes an event's bytes changes its key: a stale fragment is never found,
it only ages out.

Per process and bounded (least recently used first out). Nothing is shared or needs
invalidating, so several workers and instances each keep their own and agree byte for
byte. The assembled feed is the very bytes :func:`ics.render_feed` makes of the same
entries (tests/calendars/test_feed_fragments.py)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence

from ombuds.calendars import ics
from ombuds.calendars.service import EntryKey
from ombuds.models import DeadlineKind, DeadlineStatus

# About 0.5 kB each: a few MB per worker, enough for every event of the feeds polled.
FRAGMENTS_KEPT = 20_000


class Fragments:
    def __init__(self, kept: int = FRAGMENTS_KEPT) -> None:
        self.kept = kept
        self._events: OrderedDict[EntryKey, bytes] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._events)

    def clear(self) -> None:
        self._events.clear()
        self.hits = self.misses = 0

    def event(self, key: EntryKey) -> bytes:
        found = self._events.get(key)
        if found is not None:
            self._events.move_to_end(key)
            self.hits += 1
            return found
        self.misses += 1
        rendered = ics.feed_event(
            str(key.id),
            DeadlineKind(key.kind),
            DeadlineStatus(key.status),
            key.due_on,
            key.sequence,
            key.created_at,
            key.updated_at,
            key.reference,
            key.url,
        )
        self._events[key] = rendered
        while len(self._events) > self.kept:
            self._events.popitem(last=False)
        return rendered

    def feed(self, keys: Sequence[EntryKey]) -> bytes:
        """The whole feed for these entries, in the order given."""
        return b"".join([ics.feed_head(), *(self.event(k) for k in keys), ics.FEED_END])


FRAGMENTS = Fragments()
