"""deploy/nginx.conf adapted to run here: the compose hostnames become loopback ports, the
paths a temporary directory; Debian's nginx runs it in the foreground."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
UPSTREAM_SERVER = re.compile(r"server api-\d+:8000\b")


def nginx_binary() -> str | None:
    return shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )


def write_config(tmp_path: Path, backends: list[int], listen: int = 80) -> Path:
    """The project's config with its upstream servers on ``backends`` (loopback ports, in
    the order the file lists them) and listening on ``listen``; returns the main file."""
    text = NGINX_CONF.read_text()
    servers = UPSTREAM_SERVER.findall(text)
    assert len(servers) == len(backends), f"the upstream lists {servers}"
    for port in backends:
        text = UPSTREAM_SERVER.sub(f"server 127.0.0.1:{port}", text, count=1)
    text = text.replace("listen 80;", f"listen 127.0.0.1:{listen};")
    text = text.replace("/var/log/nginx/", f"{tmp_path}/")
    html = tmp_path / "html"
    html.mkdir(exist_ok=True)
    (html / "index.html").write_text("<!doctype html><title>Ombuds</title>")
    text = text.replace("root /usr/share/nginx/html;", f"root {html};")
    (tmp_path / "default.conf").write_text(text)
    temp_paths = "".join(
        f"{kind}_temp_path {tmp_path}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"{user}pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\naccess_log {tmp_path}/access.log;\n{temp_paths}"
        f"include {tmp_path}/default.conf;\n}}\n"
    )
    return main


class Nginx:
    def __init__(self, binary: str, tmp_path: Path, backends: list[int], port: int) -> None:
        self.tmp_path = tmp_path
        self.base_url = f"http://127.0.0.1:{port}"
        main = write_config(tmp_path, backends, port)
        self.process = subprocess.Popen(
            [
                binary,
                "-p",
                str(tmp_path),
                "-e",
                str(tmp_path / "error.log"),
                "-c",
                str(main),
                "-g",
                "daemon off;",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )

    def error_log(self) -> str:
        path = self.tmp_path / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def wait_ready(self, timeout: float = 20) -> Nginx:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"nginx exited:\n{self.error_log()}")
            try:
                httpx.get(f"{self.base_url}/", timeout=2)
                return self
            except httpx.TransportError:
                time.sleep(0.1)
        raise AssertionError(f"nginx not answering:\n{self.error_log()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
