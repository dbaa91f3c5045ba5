"""The audit tests seal when they mean to: the service's background sealer stays off here
(tests that need one start it themselves)."""

from __future__ import annotations

import pytest

from ombuds.settings import Settings
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, audit_seal_seconds=0)
