"""What PostgreSQL shows while an operation is under load, sampled from a connection of its
own (every 20 ms, in a thread of bench/run.py):

- lock waits: from `pg_locks` joined to `pg_stat_activity`, every lock some backend is
  waiting for (not granted). A sample counts as a lock wait when any backend waits; as an
  advisory lock wait when one of those waits is on an advisory lock (any key); and as an
  audit lock wait when one is on a relation of the audit log (`audit_*`), on the audit's
  advisory key (`ombuds.audit.chain.SEAL_LOCK`), or by a statement that touches the audit
  log (a row or transaction lock taken by an INSERT into `audit_entries`, say). Issue 13's
  target: no audited request ever waits for another.
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

from ombuds.audit.chain import SEAL_LOCK

INTERVAL_S = 0.02
AUDIT_TABLE_PREFIX = "audit_"
AUDIT_TABLE = "audit_entries"
AUDIT_ADVISORY_KEYS = frozenset({SEAL_LOCK})

WAITING = """
SELECT l.locktype, c.relname, a.query,
       CASE WHEN l.locktype = 'advisory' AND l.objsubid = 1
            THEN (l.classid::bigint << 32) | l.objid::bigint END AS advisory_key
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
    advisory_key: int | None = None  # a one-bigint advisory lock's key

    def describe(self) -> str:
        key = f"key {self.advisory_key}" if self.advisory_key is not None else None
        parts = (self.locktype, key, self.relname, (self.query or "")[:120])
        return " ".join(part for part in parts if part)


def is_audit_wait(wait: Wait) -> bool:
    if wait.locktype == "advisory" and wait.advisory_key in AUDIT_ADVISORY_KEYS:
        return True
    if wait.relname is not None and wait.relname.startswith(AUDIT_TABLE_PREFIX):
        return True
    return wait.query is not None and AUDIT_TABLE in wait.query.lower()


def classify(waits: Iterable[Wait]) -> tuple[bool, bool, bool]:
    """For one sample: (any backend waits for a lock, one of those waits is on an advisory
    lock, one is audit-related)."""
    waits = list(waits)
    return (
        bool(waits),
        any(w.locktype == "advisory" for w in waits),
        any(is_audit_wait(w) for w in waits),
    )


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
    advisory_lock_waits: int = 0
    audit_lock_waits: int = 0
    waits_seen: dict[str, int] = field(default_factory=dict)  # what waited, in how many samples
    unsealed_ages: list[float] = field(default_factory=list)

    def add(self, waits: list[Wait], unsealed_age: float) -> None:
        self.samples += 1
        any_wait, advisory_wait, audit_wait = classify(waits)
        self.lock_waits += any_wait
        self.advisory_lock_waits += advisory_wait
        self.audit_lock_waits += audit_wait
        for described in {w.describe() for w in waits}:
            if described in self.waits_seen or len(self.waits_seen) < 10:
                self.waits_seen[described] = self.waits_seen.get(described, 0) + 1
        self.unsealed_ages.append(unsealed_age)

    def figures(self) -> dict[str, Any]:
        ages = self.unsealed_ages
        return {
            "samples": self.samples,
            "lock_waits": self.lock_waits,
            "advisory_lock_waits": self.advisory_lock_waits,
            "audit_lock_waits": self.audit_lock_waits,
            "waits_seen": self.waits_seen,
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
                self.samples.add([Wait(r[0], r[1], r[2], r[3]) for r in rows], age)
                tick += self.interval
                await asyncio.sleep(max(0.0, tick - loop.time()))
        finally:
            await connection.close()
