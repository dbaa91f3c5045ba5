"""`ombuds serve`: the access log (off in production unless asked for, feed tokens stripped
when on) and several workers refused on SQLite, each through a real process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.deploy.serving import PRODUCTION, ROOT, Served, serve_env

FEED_TOKEN = "T" * 20 + "o" * 23  # the shape of a feed token: 43 URL-safe characters


def _requests(served: Served) -> None:
    with httpx.Client(base_url=served.base_url) as client:
        assert client.get("/api/health").status_code == 200
        assert client.get("/api/units").status_code == 401
        assert client.get(f"/api/feeds/{FEED_TOKEN}.ics").status_code == 404


class TestAccessLog:
    @pytest.mark.parametrize(
        ("env", "args", "logged"),
        [
            pytest.param(PRODUCTION, (), False, id="production"),
            pytest.param(PRODUCTION, ("--access-log",), True, id="production-asked"),
            pytest.param(
                {**PRODUCTION, "OMBUDS_ACCESS_LOG": "true"}, (), True, id="production-set"
            ),
            pytest.param({"OMBUDS_ENV": "development"}, (), True, id="development"),
            pytest.param(
                {"OMBUDS_ENV": "development"}, ("--no-access-log",), False, id="development-off"
            ),
        ],
    )
    def test_request_lines(
        self,
        database_url: str,
        tmp_path: Path,
        env: dict[str, str],
        args: tuple[str, ...],
        logged: bool,
    ) -> None:
        served = Served(serve_env(database_url, **env), tmp_path / "serve.log", *args)
        try:
            served.wait_ready()
            _requests(served)
        finally:
            served.stop()
        assert served.stopped_cleanly(), served.log()
        log = served.log()
        assert "Application startup complete" in log  # the log was captured
        lines = [line for line in log.splitlines() if '"GET /api/' in line]
        if not logged:
            assert lines == []
            return
        assert any('"GET /api/health HTTP/1.1" 200' in line for line in lines), log
        assert any('"GET /api/units HTTP/1.1" 401' in line for line in lines), log
        # The feed's path is its secret: the calendar log filter keeps working.
        assert any('"GET /api/feeds/[token].ics HTTP/1.1" 404' in line for line in lines), log
        assert FEED_TOKEN not in log


class TestWorkers:
    def test_several_workers_refused_on_sqlite(self, tmp_path: Path) -> None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'never.sqlite3'}"
        result = subprocess.run(
            [sys.executable, "-m", "ombuds.cli", "serve", "--workers", "2"],
            cwd=ROOT,
            env=serve_env(url),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 1
        assert "several workers need PostgreSQL" in result.stderr
        assert not (tmp_path / "never.sqlite3").exists()

    @pytest.mark.parametrize("workers", ["0", "-1", "two"])
    def test_workers_must_be_a_positive_number(self, tmp_path: Path, workers: str) -> None:
        url = f"sqlite+aiosqlite:///{tmp_path / 'never.sqlite3'}"
        result = subprocess.run(
            [sys.executable, "-m", "ombuds.cli", "serve", "--workers", workers],
            cwd=ROOT,
            env=serve_env(url),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 2
        assert "--workers" in result.stderr


class TestForwardedFor:
    @pytest.mark.parametrize(
        ("trusted", "client"),
        [
            pytest.param(None, "203.0.113.7", id="loopback-proxy-by-default"),
            pytest.param("*", "203.0.113.7", id="any-proxy"),
            pytest.param("10.9.9.9", "127.0.0.1", id="another-proxy"),
        ],
    )
    def test_client_address_is_the_proxys_word_only_from_a_trusted_proxy(
        self, database_url: str, tmp_path: Path, trusted: str | None, client: str
    ) -> None:
        """Login throttling counts by the client address: behind nginx, the one nginx
        forwards (OMBUDS_FORWARDED_ALLOW_IPS names the proxies believed)."""
        env = serve_env(database_url, OMBUDS_ACCESS_LOG="true")
        if trusted is not None:
            env["OMBUDS_FORWARDED_ALLOW_IPS"] = trusted
        served = Served(env, tmp_path / "serve.log")
        try:
            served.wait_ready()
            headers = {"X-Forwarded-For": "203.0.113.7"}
            assert httpx.get(f"{served.base_url}/api/health", headers=headers).status_code == 200
        finally:
            served.stop()
        (line,) = [line for line in served.log().splitlines() if '"GET /api/health' in line]
        assert line.split()[1].rsplit(":", 1)[0] == client, line
