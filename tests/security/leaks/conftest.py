"""The leak scan's world and its one run, shared by the module's tests (each asserts one
surface: responses, logs, the audit log, the OpenAPI document, calendar feeds)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from ombuds.kit.migrations import upgrade
from ombuds.main import create_app
from tests.conftest import DatabaseFactory, make_settings
from tests.security.leaks.canaries import Registry
from tests.security.leaks.scan import Scan, Scanner, capturing_logs
from tests.security.leaks.world import World, build
from tests.support.postgres import PostgresServer


@pytest.fixture(scope="module")
def leak_database(backend: str, databases: DatabaseFactory, postgres: PostgresServer | None) -> str:
    """A database of the scan's own (on PostgreSQL: not the per-test one others reset)."""
    if postgres is None:
        return databases.fresh()
    postgres.psql("DROP DATABASE IF EXISTS ombuds_leaks")
    postgres.psql("CREATE DATABASE ombuds_leaks")
    upgrade(postgres.url("ombuds_leaks"))
    return postgres.url("ombuds_leaks")


@pytest.fixture(scope="module")
async def leak_scan(leak_database: str) -> AsyncIterator[tuple[World, Scan]]:
    app = create_app(make_settings(leak_database))
    canaries = Registry()
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    with capturing_logs(canaries) as log:
        async with (
            LifespanManager(app),
            httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
        ):
            world = await build(app, client, canaries)
            scan = await Scanner(app, world, log).run()
            yield world, scan
