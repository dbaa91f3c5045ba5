"""What PostgreSQL shows while an operation is under load, sampled from a connection of its
own (every 20 ms, in a thread of bench/run.py):

- lock waits: from `pg_locks` joined to `pg_stat_activity`, every lock some backend is
  waiting for (not granted). A sample counts as a lock wait when any backend waits, and as
  an audit lock wait when one of those waits is on an advisory lock, on a relation of the
  audit log (`audit_*`), or by a statement that touches the audit log (a row or
  transaction lock taken by an INSERT into `audit_entries`, say). Issue 13's target: no
  audited request ever waits for another.
- the sealing window: how old the oldest audit entry not yet linked into the chain
  (`chain_pos IS NULL`, see ombuds.audit.chain.seal) is, in seconds; 0 when every entry is
  sealed.

The sampling connection's own backend is known (`backend_pid`) so that the CPU accounting
can leave it out."""

from __future__ import annotations

import asyncio
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import asyncpg  # type: ignore[import-untyped]

INTERVAL_S = 0.02
AUDIT_TABLE_PREFIX = "audit_"
AUDIT_TABLE = "audit_entries"

WAITING = """
SELECT l.locktype, c.relname, a.query
FROM pg_locks l
LEFT JOIN pg_class c ON c.oid = l.relation
LEFT JOIN pg_stat_activity a ON a.pid = l.pid
WHERE NOT l.granted AND l.pid <> pg_backend_pid()
"""
OLDEST_UNSEALED = """
SELECT COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - min(occurred_at)), 0)::float8
FROM audit_entries WHERE chain_pos IS NULL
"""


@dataclass(frozen=True)
class Wait:
    """One lock a backend is waiting for."""

    locktype: str
    relname: str | None
    query: str | None


def is_audit_wait(wait: Wait) -> bool:
    if wait.locktype == "advisory":
        return True
    if wait.relname is not None and wait.relname.startswith(AUDIT_TABLE_PREFIX):
        return True
    return wait.query is not None and AUDIT_TABLE in wait.query.lower()


def classify(waits: Iterable[Wait]) -> tuple[bool, bool]:
    """(any backend waits for a lock, one of those waits is audit-related) for one sample."""
    waits = list(waits)
    return bool(waits), any(is_audit_wait(w) for w in waits)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (as bench/load.py)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))]


@dataclass
class Samples:
    samples: int = 0
    lock_waits: int = 0
    audit_lock_waits: int = 0
    audit_waits_seen: list[str] = field(default_factory=list)  # a few, for the record
    unsealed_ages: list[float] = field(default_factory=list)

    def add(self, waits: list[Wait], unsealed_age: float) -> None:
        self.samples += 1
        any_wait, audit_wait = classify(waits)
        self.lock_waits += any_wait
        self.audit_lock_waits += audit_wait
        if audit_wait and len(self.audit_waits_seen) < 5:
            first = next(w for w in waits if is_audit_wait(w))
            described = (first.locktype, first.relname, (first.query or "")[:120])
            self.audit_waits_seen.append(" ".join(part for part in described if part))
        self.unsealed_ages.append(unsealed_age)

    def figures(self) -> dict[str, Any]:
        ages = self.unsealed_ages
        return {
            "samples": self.samples,
            "lock_waits": self.lock_waits,
            "audit_lock_waits": self.audit_lock_waits,
            "audit_waits_seen": self.audit_waits_seen,
            "unsealed_max_s": round(max(ages), 2) if ages else None,
            "unsealed_p95_s": round(percentile(ages, 95), 2) if ages else None,
        }


class Sampler:
    """`with Sampler(dsn) as s:` samples until the block ends; `s.backend_pid` is its
    connection's backend, `s.figures()` the result."""

    def __init__(self, dsn: str, interval: float = INTERVAL_S) -> None:
        self.dsn = dsn
        self.interval = interval
        self.samples = Samples()
        self.backend_pid = 0
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="pg sampler", daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise RuntimeError("the lock sampler could not connect") from self._error
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(30)
        if self._error is not None:
            raise RuntimeError("the lock sampler failed") from self._error

    def figures(self) -> dict[str, Any]:
        return self.samples.figures()

    def _run(self) -> None:
        try:
            asyncio.run(self._sample())
        except BaseException as exc:  # reported by __enter__/__exit__ in the caller's thread
            self._error = exc
            self._ready.set()

    async def _sample(self) -> None:
        connection = await asyncpg.connect(self.dsn)
        try:
            waiting = await connection.prepare(WAITING)
            oldest = await connection.prepare(OLDEST_UNSEALED)
            self.backend_pid = int(await connection.fetchval("SELECT pg_backend_pid()"))
            self._ready.set()
            loop = asyncio.get_running_loop()
            tick = loop.time()
            while not self._stop.is_set():
                rows = await waiting.fetch()
                age = float(await oldest.fetchval())
                self.samples.add([Wait(r[0], r[1], r[2]) for r in rows], age)
                tick += self.interval
                await asyncio.sleep(max(0.0, tick - loop.time()))
        finally:
            await connection.close()
