"""The full feed's render: the whole-calendar render (icalendar builds and folds every
event) against the feed from cached per-event fragments (calendars/fragments.py), for the
same 300 events, in one process, one after the other; the ratio is what counts.

    PYTHONPATH=backend .venv/bin/python -m bench.feed_render [--events 300] [--rounds 30]

No database: the entries are built in memory with every status, links and references,
as a feed's are. "warm" is every poll after the first (all fragments cached); "one
changed" re-renders one event, as after a deadline moved."""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from ombuds.calendars import ics, service
from ombuds.calendars.fragments import Fragments
from ombuds.models import Deadline, DeadlineKind, DeadlineStatus

STATUSES = list(DeadlineStatus)
KINDS = [k for k in DeadlineKind if k is not DeadlineKind.policy_review]


def entries(count: int) -> list[ics.Entry]:
    start = datetime(2026, 1, 5, 9, 30, tzinfo=UTC)
    made = []
    for n in range(count):
        complaint_id = uuid.uuid4()
        deadline = Deadline(
            id=uuid.uuid4(),
            complaint_id=complaint_id,
            kind=KINDS[n % len(KINDS)],
            status=STATUSES[n % len(STATUSES)],
            due_on=date(2026, 3, 1) + timedelta(days=n % 200),
            sequence=n % 3,
            created_at=start + timedelta(minutes=n),
            updated_at=start + timedelta(minutes=n, seconds=30),
        )
        reference = f"C-{n:06X}"
        made.append(
            ics.Entry(deadline, reference, service.complaint_url("https://x", complaint_id))
        )
    return made


def timed(fn: Callable[[], bytes], rounds: int) -> tuple[float, bytes]:
    samples, body = [], b""
    for _ in range(rounds):
        started = time.perf_counter()
        body = fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    made = entries(args.events)
    keys = [service.key_of(e) for e in made]
    ics.feed_head()  # the head is built once per process, like the VTIMEZONE before it

    whole_ms, whole = timed(lambda: ics.render_feed(made), args.rounds)
    cold_ms, cold = timed(lambda: Fragments().feed(keys), args.rounds)
    warm = Fragments()
    warm.feed(keys)
    warm_ms, hot = timed(lambda: warm.feed(keys), args.rounds)

    def one_changed() -> bytes:
        first = keys[0]
        keys[0] = first._replace(sequence=first.sequence + 1)
        try:
            return warm.feed(keys)
        finally:
            keys[0] = first

    changed_ms, _ = timed(one_changed, args.rounds)
    assert whole == cold == hot, "the fragment feed differs from the whole-calendar render"
    print(f"{args.events} events, median of {args.rounds} renders, {len(whole)} bytes")
    print(f"  whole-calendar render (icalendar) {whole_ms:8.2f} ms  1.00x")
    for name, ms in (
        ("fragments, cold cache", cold_ms),
        ("fragments, one changed", changed_ms),
        ("fragments, warm cache", warm_ms),
    ):
        print(f"  {name:<33} {ms:8.2f} ms  {whole_ms / ms:5.1f}x faster")


if __name__ == "__main__":
    main()
