"""The service's settings as an operator sets them, and the `ombuds` command run as a
separate process with them."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

from ombuds.settings import Environment, Settings
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
SECRET = "ops-secret-that-is-long-enough-for-production-0123456789"
AUDIT_KEY = "ops-audit-key-that-is-at-least-32-bytes-long-0123"
RING = {"k1": base64.b64encode(bytes(range(32))).decode()}


def environment(
    database_url: str, *, ring: dict[str, str] = RING, audit: str = AUDIT_KEY, active: str = "k1"
) -> dict[str, str]:
    """Production settings, as environment variables for a separate process."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMBUDS_")}
    env.update(
        {
            "OMBUDS_ENV": Environment.production.value,
            "OMBUDS_DATABASE_URL": database_url,
            "OMBUDS_SECRET_KEY": SECRET,
            "OMBUDS_ENCRYPTION_KEYS": json.dumps(ring),
            "OMBUDS_ENCRYPTION_ACTIVE_KEY_ID": active,
            "OMBUDS_AUDIT_KEY": audit,
            # Nothing is mailed in these tests: no message is due, and the worker's rounds
            # would only find the server unreachable and retry later.
            "OMBUDS_SMTP_HOST": "127.0.0.1",
            "OMBUDS_SMTP_SECURITY": "none",
            "OMBUDS_SMTP_FROM": "ombuds@example.org",
            "OMBUDS_PUBLIC_URL": "https://ombuds.example.org",
        }
    )
    return env


def settings(
    database_url: str, *, ring: dict[str, str] = RING, audit: str = AUDIT_KEY, active: str = "k1"
) -> Settings:
    """The same keys for a service run in the test's own process."""
    return make_settings(
        database_url,
        secret_key=SECRET,
        encryption_keys=ring,
        encryption_active_key_id=active,
        audit_key=audit,
    )


def ombuds(
    env: dict[str, str], *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ombuds.cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
