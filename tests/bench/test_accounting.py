"""The benchmark's own arithmetic (bench/servers.py, bench/sampler.py): CPU per request must
count the processes that exited during an operation (PostgreSQL backends of closed
connections, replaced uvicorn workers), and a lock-wait sample must say whether anything
audit-related waited."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import asyncpg  # type: ignore[import-untyped]
import pytest

from bench.sampler import Sampler, Samples, Wait, classify, percentile
from bench.seed import asyncpg_dsn
from bench.servers import TICKS, ProcStat, parse_stat, tree_cpu_seconds, tree_cpu_ticks
from ombuds.audit.chain import SEAL_LOCK


def stat_line(pid: int, comm: str, ppid: int, ut: int, st: int, cut: int, cst: int) -> str:
    # Fields 1-17 of proc(5), then the rest of a real line (priority, nice, threads, ...).
    return (
        f"{pid} ({comm}) S {ppid} {pid} {pid} 0 -1 4194560 1200 0 0 0 "
        f"{ut} {st} {cut} {cst} 20 0 1 0 12345 226750464 4203 18446744073709551615"
    )


class TestParseStat:
    def test_reads_the_cpu_fields_after_a_command_with_spaces_and_parentheses(self) -> None:
        stat = parse_stat(stat_line(4242, "postgres: u db (x) idle", 17, 350, 40, 1200, 90))
        assert stat == ProcStat(pid=4242, ppid=17, utime=350, stime=40, cutime=1200, cstime=90)
        assert stat.own_ticks == 390
        assert stat.reaped_children_ticks == 1290


class TestTreeCpu:
    def test_a_backend_that_exits_between_readings_still_counts(self) -> None:
        # Before: the postmaster (10 own) and backend A (50 so far).
        before = tree_cpu_ticks(
            ProcStat(1, 0, 8, 2, 0, 0), [ProcStat(2, 1, 40, 10, 0, 0), ProcStat(9, 5, 999, 0, 0, 0)]
        )
        # After: A spent 20 more, exited and was waited for (its 70 in the postmaster's
        # cutime + cstime); backend B opened and spent 5. Process 9 is not a child.
        after = tree_cpu_ticks(
            ProcStat(1, 0, 8, 2, 60, 10), [ProcStat(3, 1, 4, 1, 0, 0), ProcStat(9, 5, 999, 0, 0, 0)]
        )
        assert (before, after) == (60, 85)
        assert after - before == 25

    def test_an_excluded_child_is_left_out(self) -> None:
        parent = ProcStat(1, 0, 3, 1, 5, 0)
        children = [ProcStat(2, 1, 10, 0, 0, 0), ProcStat(3, 1, 100, 7, 0, 0)]
        assert tree_cpu_ticks(parent, children) == 126
        assert tree_cpu_ticks(parent, children, exclude=(3,)) == 19

    def test_counts_a_child_that_has_exited_from_proc(self) -> None:
        burn = "import time\nwhile time.process_time() < 0.4: pass"
        before = tree_cpu_seconds(os.getpid())
        subprocess.run([sys.executable, "-c", burn], check=True)  # waited for: in our cutime
        spent = tree_cpu_seconds(os.getpid()) - before
        assert spent >= 0.4 - 2 / TICKS


class TestLockSample:
    def test_no_waiter(self) -> None:
        assert classify([]) == (False, False, False)

    def test_a_row_lock_on_a_complaint_is_a_wait_but_not_an_audit_one(self) -> None:
        waits = [Wait("transactionid", None, "UPDATE complaints SET version = $1 WHERE id = $2")]
        assert classify(waits) == (True, False, False)

    def test_an_advisory_lock_of_another_key_is_advisory_not_audit(self) -> None:
        waits = [Wait("advisory", None, "SELECT pg_advisory_xact_lock($1::INTEGER)", 7_001)]
        assert classify(waits) == (True, True, False)

    @pytest.mark.parametrize(
        "wait",
        [
            Wait("relation", "audit_entries", "LOCK TABLE audit_entries"),
            Wait("transactionid", None, "INSERT INTO Audit_Entries (occurred_at) VALUES ($1)"),
        ],
        ids=["audit table", "audit statement"],
    )
    def test_audit_related_waits(self, wait: Wait) -> None:
        other = Wait("relation", "complaints", "SELECT 1")
        assert classify([other, wait]) == (True, False, True)

    def test_the_audit_advisory_key_is_an_audit_wait(self) -> None:
        wait = Wait("advisory", None, "SELECT pg_advisory_xact_lock($1)", SEAL_LOCK)
        assert classify([wait]) == (True, True, True)

    def test_samples_count_waits_and_the_sealing_window(self) -> None:
        samples = Samples()
        audit = Wait("advisory", None, "SELECT pg_advisory_xact_lock(50051)", SEAL_LOCK)
        other = Wait("tuple", "deadlines", "UPDATE deadlines SET status = 'met'")
        for i in range(20):
            waits = [audit] if i == 3 else [other] if i in (5, 6) else []
            samples.add(waits, unsealed_age=i / 10)
        figures = samples.figures()
        assert figures["samples"] == 20
        assert figures["lock_waits"] == 3
        assert figures["advisory_lock_waits"] == 1
        assert figures["audit_lock_waits"] == 1
        assert figures["waits_seen"] == {
            f"advisory key {SEAL_LOCK} SELECT pg_advisory_xact_lock(50051)": 1,
            "tuple deadlines UPDATE deadlines SET status = 'met'": 2,
        }
        assert figures["unsealed_max_s"] == 1.9
        assert figures["unsealed_p95_s"] == 1.8

    def test_percentile_is_nearest_rank(self) -> None:
        assert percentile([3.0, 1.0, 2.0, 4.0], 50) == 3.0
        assert percentile([5.0], 95) == 5.0


class TestSamplerOnPostgreSQL:
    async def test_sees_a_backend_waiting_on_the_audit_key_and_an_unsealed_entry(
        self, database_url: str, backend: str
    ) -> None:
        if backend != "postgresql":
            pytest.skip("pg_locks is PostgreSQL's")
        dsn = asyncpg_dsn(database_url)
        holder, waiter = await asyncpg.connect(dsn), await asyncpg.connect(dsn)
        try:
            await holder.execute(
                "INSERT INTO audit_entries (occurred_at, actor_kind, action, object_type, "
                "outcome) VALUES (clock_timestamp() - interval '3 seconds', 'user', "
                "'complaint.read', 'complaint', 'success')"
            )
            holder_tx = holder.transaction()
            await holder_tx.start()
            await holder.execute("SELECT pg_advisory_xact_lock($1)", SEAL_LOCK)
            waiter_tx = waiter.transaction()
            await waiter_tx.start()
            waiting = asyncio.ensure_future(
                waiter.execute("SELECT pg_advisory_xact_lock($1)", SEAL_LOCK)
            )
            for _ in range(100):  # until the waiter is queued behind the holder
                if await holder.fetchval("SELECT count(*) FROM pg_locks WHERE NOT granted"):
                    break
                await asyncio.sleep(0.02)
            with Sampler(dsn) as sampler:
                await asyncio.sleep(0.3)
            await holder_tx.commit()
            await waiting
            await waiter_tx.commit()
        finally:
            await holder.close()
            await waiter.close()
        figures = sampler.figures()
        assert figures["samples"] >= 5
        assert figures["lock_waits"] == figures["samples"]
        assert figures["advisory_lock_waits"] == figures["samples"]
        assert figures["audit_lock_waits"] == figures["samples"]
        assert list(figures["waits_seen"]) == [
            f"advisory key {SEAL_LOCK} SELECT pg_advisory_xact_lock($1)"
        ]
        assert 3.0 <= figures["unsealed_p95_s"] <= figures["unsealed_max_s"] < 30
