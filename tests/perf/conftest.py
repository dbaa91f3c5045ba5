"""Statements are counted on the app's engine: the background audit sealer, whose few
statements a second are not the request's, stays off here."""

from __future__ import annotations

import pytest

from ombuds.settings import Settings
from tests.conftest import make_settings


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url, audit_seal_seconds=0)
