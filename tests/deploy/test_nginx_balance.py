"""deploy/nginx.conf, run by Debian's nginx in front of two real `ombuds serve` instances on
one PostgreSQL: requests reach both, and with one stopped every request still succeeds."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from tests.deploy.nginx import Nginx, nginx_binary
from tests.deploy.serving import Served, serve_env
from tests.support.postgres import free_port

REQUESTS = 20
HEALTH_LINE = '"GET /api/health HTTP/1.1" 200'
LOGIN_LINE = '"POST /api/auth/token HTTP/1.1" 401'


def _health(base_url: str, count: int) -> list[int]:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        return [client.get("/api/health").status_code for _ in range(count)]


class TestTwoInstancesBehindNginx:
    def test_requests_reach_both_and_survive_one_stopping(
        self, backend: str, database_url: str, tmp_path: Path
    ) -> None:
        if backend != "postgresql":
            pytest.skip("two instances share one PostgreSQL; SQLite is for a single process")
        binary = nginx_binary()
        if binary is None:
            message = "!!! nginx IS NOT INSTALLED: apt-get install -y --no-install-recommends nginx"
            if os.environ.get("OMBUDS_REQUIRE_TOOLS") == "1":
                pytest.fail(message)
            pytest.skip(message)
        env = serve_env(database_url)
        first = Served(env, tmp_path / "api-1.log", "--access-log")
        second = Served(env, tmp_path / "api-2.log", "--access-log")
        nginx = None
        try:
            first.wait_ready()
            second.wait_ready()
            nginx_dir = tmp_path / "nginx"
            nginx_dir.mkdir()
            nginx = Nginx(binary, nginx_dir, [first.port, second.port], free_port()).wait_ready()

            assert _health(nginx.base_url, REQUESTS) == [200] * REQUESTS
            served = [first.log().count(HEALTH_LINE), second.log().count(HEALTH_LINE)]
            assert sum(served) == REQUESTS and min(served) > 0, served
            # The single-page app is nginx's own: neither instance sees it.
            assert httpx.get(f"{nginx.base_url}/cases/1").text.startswith("<!doctype html>")

            first.stop()
            assert first.stopped_cleanly(), first.log()
            before = second.log().count(HEALTH_LINE)
            assert _health(nginx.base_url, REQUESTS) == [200] * REQUESTS
            assert second.log().count(HEALTH_LINE) == before + REQUESTS
            # A POST the stopped instance never received goes to the other, once.
            with httpx.Client(base_url=nginx.base_url, timeout=10) as client:
                for _ in range(3):
                    refused = client.post(
                        "/api/auth/token", data={"username": "nobody", "password": "wrong"}
                    )
                    assert refused.status_code == 401, refused.text
            assert second.log().count(LOGIN_LINE) == 3
        finally:
            if nginx is not None:
                nginx.stop()
            first.stop()
            second.stop()
