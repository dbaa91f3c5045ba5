"""The processes under test: the service and the floor, each one uvicorn worker on loopback,
and the load generator (bench/load.py) in a process of its own."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.load import DRAIN_S
from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    name: str
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mb(self) -> float:
        """VmHWM of the worker: its peak resident set since it started."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
        return float("nan")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
        return float("nan")

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (from /proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def postgres_cpu_seconds(postmaster: int) -> float:
    """CPU of the benchmark's PostgreSQL: the postmaster and its children (the backends
    live as long as the pools that opened them; other servers on the machine are not
    counted)."""
    total = process_cpu_seconds(postmaster)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
            if int(fields[1]) == postmaster:
                total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


def start(name: str, app: str, env: dict[str, str], logs: Path, ready_path: str) -> Server:
    """One uvicorn worker (the process itself serves: no supervisor), no access log."""
    port = free_port()
    log = logs / f"{name}.log"
    command = [
        sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
        "--port", str(port), "--no-access-log", "--no-server-header", "--log-level", "warning",
    ]  # fmt: skip
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    server = Server(name, process, port, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited at start; see {log}")
        try:
            if httpx.get(server.base + ready_path, timeout=2).status_code < 500:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} did not answer within 60 s; see {log}")


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
) -> dict[str, object]:
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
    figures: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures
