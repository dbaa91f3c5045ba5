"""The benchmark's servers with several workers (bench/servers.py): each worker is found,
its peak memory read, and the CPU of a worker that exits stays counted."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx

from bench import servers

# The floor never connects before a request: any address will do for starting it.
ENV = {"OMBUDS_DATABASE_URL": "postgresql+asyncpg://postgres@127.0.0.1:9/none"}


class TestTwoWorkers:
    def test_workers_found_and_an_exited_worker_still_counted(self, tmp_path: Path) -> None:
        server = servers.start(
            "floor", "bench.floor:create_app", ENV, tmp_path, "/openapi.json", workers=2
        )
        try:
            workers = server.worker_pids()
            assert len(workers) == 2
            assert server.process.pid not in workers
            assert all(
                stat.ppid == server.process.pid for stat in map(servers.read_stat, workers) if stat
            )
            peaks = server.peak_rss_mb()
            assert len(peaks) == 2
            assert all(20 < peak < 500 for peak in peaks)
            for _ in range(20):
                assert httpx.get(server.base + "/openapi.json", timeout=10).status_code == 200

            victim = servers.read_stat(workers[0])
            assert victim is not None and victim.own_ticks > 0
            supervisor = servers.read_stat(server.process.pid)
            assert supervisor is not None
            os.kill(victim.pid, signal.SIGKILL)
            deadline = time.monotonic() + 30
            while victim.pid in server.worker_pids() or len(server.worker_pids()) < 2:
                assert time.monotonic() < deadline, "uvicorn did not replace the worker"
                time.sleep(0.2)
            after = servers.read_stat(server.process.pid)
            assert after is not None
            # The killed worker's CPU moved into the supervisor's cutime + cstime when it
            # was waited for: a walk of live processes alone would have lost it.
            gained = after.reaped_children_ticks - supervisor.reaped_children_ticks
            assert gained >= victim.own_ticks
        finally:
            server.stop()
        assert server.process.returncode is not None
