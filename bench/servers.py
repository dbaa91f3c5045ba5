"""The processes under test: the service and the floor, each a uvicorn server of one or more
workers on loopback, and the load generator (bench/load.py) in a process of its own; what
they cost, read from /proc."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.load import DRAIN_S
from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[1]


TICKS = os.sysconf("SC_CLK_TCK")
STARTED = b"Application startup complete."


@dataclass(frozen=True)
class ProcStat:
    """The fields of /proc/<pid>/stat the benchmark reads, in clock ticks: the process's own
    CPU (utime, stime) and that of its children it has waited for (cutime, cstime)."""

    pid: int
    ppid: int
    utime: int
    stime: int
    cutime: int
    cstime: int

    @property
    def own_ticks(self) -> int:
        return self.utime + self.stime

    @property
    def reaped_children_ticks(self) -> int:
        return self.cutime + self.cstime


def parse_stat(text: str) -> ProcStat:
    """One /proc/<pid>/stat line (proc(5)): "pid (comm) state ppid ...", where comm may hold
    spaces and parentheses, so the fields are counted from the last ")"."""
    head, tail = text.rsplit(")", 1)
    fields = tail.split()  # fields[0] is field 3 (state): field n is fields[n - 3]
    return ProcStat(
        pid=int(head.split("(", 1)[0]),
        ppid=int(fields[1]),
        utime=int(fields[11]),
        stime=int(fields[12]),
        cutime=int(fields[13]),
        cstime=int(fields[14]),
    )


def read_stat(pid: int) -> ProcStat | None:
    try:
        return parse_stat(Path(f"/proc/{pid}/stat").read_text())
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def children_of(pid: int) -> list[ProcStat]:
    """The live children of one process (a walk of /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = read_stat(int(entry.name))
            if stat is not None and stat.ppid == pid:
                found.append(stat)
    return found


def tree_cpu_ticks(
    parent: ProcStat, children: Iterable[ProcStat], exclude: Collection[int] = ()
) -> int:
    """CPU of a process and its children, exited ones included: the parent's own, what its
    children that have exited and been waited for spent (the parent's cutime + cstime: a
    PostgreSQL backend whose connection closed, a uvicorn worker that was replaced), and
    what its live children have spent so far (with their own waited-for children). A
    process in `exclude` (the benchmark's own sampling connection) is left out while it
    lives."""
    total = parent.own_ticks + parent.reaped_children_ticks
    for child in children:
        if child.ppid == parent.pid and child.pid not in exclude:
            total += child.own_ticks + child.reaped_children_ticks
    return total


def tree_cpu_seconds(pid: int, exclude: Collection[int] = ()) -> float:
    parent = read_stat(pid)
    if parent is None:
        return 0.0
    return tree_cpu_ticks(parent, children_of(pid), exclude) / TICKS


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (from /proc/<pid>/stat)."""
    stat = read_stat(pid)
    return stat.own_ticks / TICKS if stat is not None else 0.0


def postgres_cpu_seconds(postmaster: int, exclude: Collection[int] = ()) -> float:
    """CPU of the benchmark's PostgreSQL: the postmaster, its live backends and the backends
    that have exited since it started (other servers on the machine are not counted)."""
    return tree_cpu_seconds(postmaster, exclude)


def status_kb(pid: int, field: str) -> int | None:
    """A "VmHWM:"-style line of /proc/<pid>/status, in kB."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except (FileNotFoundError, ProcessLookupError):
        return None
    for line in lines:
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def _mb(kb: int | None) -> float:
    return round(kb / 1024, 1) if kb is not None else float("nan")


@dataclass
class Server:
    """A uvicorn server on loopback. With one worker the process itself serves; with more,
    it is uvicorn's supervisor and its children (spawned with multiprocessing) serve."""

    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path
    workers: int = 1

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def worker_pids(self) -> list[int]:
        if self.workers == 1:
            return [self.process.pid]
        pids = []
        for child in children_of(self.process.pid):
            try:
                cmdline = Path(f"/proc/{child.pid}/cmdline").read_bytes()
            except (FileNotFoundError, ProcessLookupError):
                continue
            if b"resource_tracker" not in cmdline:
                pids.append(child.pid)
        return sorted(pids)

    def peak_rss_mb(self) -> list[float]:
        """VmHWM of each worker: its peak resident set since it started."""
        return [_mb(status_kb(pid, "VmHWM")) for pid in self.worker_pids()]

    def rss_mb(self) -> list[float]:
        return [_mb(status_kb(pid, "VmRSS")) for pid in self.worker_pids()]

    def cpu_seconds(self) -> float:
        """The server's CPU, every worker's, exited ones included (see tree_cpu_ticks)."""
        return tree_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def start(
    name: str, app: str, env: dict[str, str], logs: Path, ready_path: str, workers: int = 1
) -> Server:
    """A uvicorn server of `workers` workers (one: the process itself serves, no
    supervisor), no access log; returns once every worker has started its application."""
    port = free_port()
    log = logs / f"{name}.log"
    command = [
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--no-server-header", "--log-level", "info",
        "--workers", str(workers),
    ]  # fmt: skip
    logs.mkdir(parents=True, exist_ok=True)
    offset = log.stat().st_size if log.exists() else 0
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, process, port, log, workers)
    deadline = time.monotonic() + 60 * workers
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start; see {log}")
        with log.open("rb") as written:
            written.seek(offset)
            started = written.read().count(STARTED)
        try:
            if (
                started >= workers
                and httpx.get(server.base + ready_path, timeout=2).status_code < 500
            ):
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not answer within {60 * workers} s; see {log}")


@dataclass(frozen=True)
class Load:
    concurrency: int
    requests: int
    seconds: float
    warmup: float


def drive(
    urls: list[str],
    load: Load,
    *,
    headers: dict[str, str] | None = None,
    method: str = "GET",
    data: str = "",
) -> dict[str, Any]:
    """Run bench/load.py in its own process; returns its figures."""
    command = [
        sys.executable, "-m", "bench.load", *urls,
        "--concurrency", str(load.concurrency), "--requests", str(load.requests),
        "--seconds", str(load.seconds), "--warmup", str(load.warmup), "--method", method,
    ]  # fmt: skip
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    if data:
        command += ["--data", data]
    timeout = load.seconds + load.warmup + 2 * DRAIN_S + 60
    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=timeout
    )
    figures: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures
