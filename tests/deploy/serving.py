"""`ombuds serve` as a real process on a free loopback port, and which of its workers holds
a given TCP connection (read from /proc: the test's view, nothing in the application)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import httpx

from tests.conftest import TEST_SECRET
from tests.support.postgres import free_port

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "OMBUDS_ENV": "production",
    "OMBUDS_SECRET_KEY": "p" * 40,
    "OMBUDS_ENCRYPTION_KEYS": '{"k1":"' + "A" * 43 + '="}',
    "OMBUDS_ENCRYPTION_ACTIVE_KEY_ID": "k1",
    "OMBUDS_AUDIT_KEY": "a" * 40,
    "OMBUDS_SMTP_HOST": "127.0.0.1",
    "OMBUDS_SMTP_SECURITY": "none",
    "OMBUDS_SMTP_FROM": "ombuds@example.org",
    "OMBUDS_PUBLIC_URL": "https://ombuds.example.org",
}


def serve_env(database_url: str, **overrides: str) -> dict[str, str]:
    """The test process's environment without its OMBUDS_ settings, then the test's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMBUDS_")}
    env.update(
        OMBUDS_ENV="test",
        OMBUDS_DATABASE_URL=database_url,
        OMBUDS_SECRET_KEY=TEST_SECRET,
        OMBUDS_ARGON2_TIME_COST="1",
        OMBUDS_ARGON2_MEMORY_KIB="1024",
    )
    env.update(overrides)
    return env


class Served:
    """One `ombuds serve`; its output (uvicorn's log and the access log) goes to a file."""

    def __init__(self, env: dict[str, str], log: Path, *args: str) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log
        self._log: IO[bytes] = log.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "ombuds.cli",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                *args,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 60) -> Served:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"ombuds serve exited early:\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/api/ready", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"ombuds serve not ready in {timeout} s:\n{self.log()}")

    def stop(self, timeout: float = 30) -> int:
        """SIGTERM, as systemd or Docker stop a service; the exit status (one worker:
        uvicorn re-raises the signal after its graceful shutdown, so -SIGTERM; several:
        the supervisor exits 0 once every worker has)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(
                    f"no clean exit {timeout} s after SIGTERM:\n{self.log()}"
                ) from None
        self._log.close()
        return self.process.returncode

    def stopped_cleanly(self) -> bool:
        """After stop(): an exit that follows uvicorn's graceful shutdown, every worker's
        lifespan shutdown (the last audit seal) complete."""
        return (
            self.process.returncode in (0, -signal.SIGTERM)
            and "Application shutdown complete." in self.log()
        )

    def workers(self) -> set[int]:
        """The worker processes uvicorn spawned (their parent is the serve process)."""
        found = set()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
                cmdline = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == self.process.pid and b"spawn_main" in cmdline:
                found.add(int(entry.name))
        return found


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    return inodes


def holder_of(client_port: int, server_port: int, pids: set[int]) -> int | None:
    """The process among ``pids`` whose socket is the server end of the loopback TCP
    connection from ``client_port`` to ``server_port`` (from /proc/net/tcp)."""
    wanted = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if (
            int(local.split(":")[1], 16) == server_port
            and int(remote.split(":")[1], 16) == client_port
        ):
            wanted = inode
    if wanted is None:
        return None
    for pid in pids:
        if wanted in _socket_inodes(pid):
            return pid
    return None


def client_port(response: httpx.Response) -> int:
    """The local port of the connection a response came on."""
    stream = response.extensions["network_stream"]
    return int(stream.get_extra_info("client_addr")[1])


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()
