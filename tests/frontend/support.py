"""Running the frontend's own suites (Vitest, Playwright) from pytest."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND = ROOT / "frontend"
BIN = FRONTEND / "node_modules" / ".bin"
CHROMIUM = Path(os.environ.get("OMBUDS_CHROMIUM", "/usr/bin/chromium"))
BANNER = "!" * 78


def require_frontend_run() -> None:
    """The suites need node_modules and a build: `make test-frontend` provides both."""
    if os.environ.get("OMBUDS_FRONTEND_TESTS") != "1":
        pytest.skip("the frontend suites run under `make test-frontend` (OMBUDS_FRONTEND_TESTS=1)")
    if not BIN.is_dir() or shutil.which("node") is None:
        pytest.fail("frontend/node_modules or node is missing: run `make frontend`")


def require_browser() -> None:
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return
    message = (
        f"SKIPPED the browser tests: no Chromium at {CHROMIUM} "
        "(apt-get install chromium) -- Playwright and axe did NOT run"
    )
    if os.environ.get("OMBUDS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"Chromium is required (OMBUDS_REQUIRE_BROWSER=1): {message}")
    print(f"\n{BANNER}\n!!! {message}\n{BANNER}")
    pytest.skip(message)


def run(*args: str, timeout: float) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "1", "FORCE_COLOR": "0", "NO_COLOR": "1"}
    return subprocess.run(
        list(args),
        cwd=FRONTEND,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def count(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    return int(found.group(1)) if found else 0
