"""Test databases are built by running the migrations, once per run, then copied per test.

`--db=sqlite` (default) uses files; `--db=postgresql` starts a real PostgreSQL server from
the machine's binaries on a free loopback port and clones a migrated template per test."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from ombuds.auth.passwords import Passwords
from ombuds.calendars import addresses
from ombuds.kit.migrations import head_revisions, upgrade
from ombuds.main import create_app
from ombuds.models import Base
from ombuds.settings import Environment, Settings
from tests.support.postgres import PostgresServer, find_bin_dir

TEST_SECRET = "test-secret-that-is-long-enough-for-hs256-0123456789"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        choices=["sqlite", "postgresql"],
        default=os.environ.get("OMBUDS_TEST_DB", "sqlite"),
        help="database backend for the whole run",
    )


@pytest.fixture(scope="session")
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.config.getoption("--db"))


class DatabaseFactory:
    """Hands out fresh, migrated databases."""

    def __init__(self, backend: str, root: Path, server: PostgresServer | None) -> None:
        self.backend = backend
        self.root = root
        self.server = server
        self.counter = itertools.count()
        if server is not None:
            # One migrated database, emptied before each test: CREATE DATABASE costs ~0.4 s,
            # TRUNCATE a few milliseconds. Seed data from migrations (grounds) is kept.
            server.psql("CREATE DATABASE ombuds_test")
            upgrade(server.url("ombuds_test"))
            tables = ", ".join(t.name for t in Base.metadata.sorted_tables if t.name != "grounds")
            (head,) = head_revisions(server.url("ombuds_test"))
            self.reset_sql = (
                f"TRUNCATE {tables} RESTART IDENTITY CASCADE; DELETE FROM alembic_version; "
                f"INSERT INTO alembic_version VALUES ('{head}')"
            )
            # Its key store (kit/datakeys.py), made by the migration step: emptied too.
            self.reset_keys_sql = "TRUNCATE data_keys"
        else:
            self.template = root / "template.sqlite3"
            upgrade(f"sqlite+aiosqlite:///{self.template}")
            self.template_keys = root / "template-keys.sqlite3"  # its empty key store

    def fresh(self) -> str:
        n = next(self.counter)
        if self.server is not None:
            self.server.psql(self.reset_sql, database="ombuds_test")
            self.server.psql(self.reset_keys_sql, database="ombuds_test_keys")
            return self.server.url("ombuds_test")
        path = self.root / f"test_{n}.sqlite3"
        shutil.copyfile(self.template, path)
        shutil.copyfile(self.template_keys, self.root / f"test_{n}-keys.sqlite3")
        return f"sqlite+aiosqlite:///{path}"

    def empty(self) -> str:
        """A database with no schema at all (for migration tests)."""
        n = next(self.counter)
        if self.server is not None:
            self.server.psql(f"CREATE DATABASE empty_{n}")
            return self.server.url(f"empty_{n}")
        return f"sqlite+aiosqlite:///{self.root / f'empty_{n}.sqlite3'}"


@pytest.fixture(scope="session")
def postgres(backend: str) -> Iterator[PostgresServer | None]:
    if backend != "postgresql":
        yield None
        return
    bin_dir = find_bin_dir()
    if bin_dir is None:
        message = "PostgreSQL binaries not found under /usr/lib/postgresql (set OMBUDS_PG_BIN)"
        if os.environ.get("OMBUDS_REQUIRE_POSTGRES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server = PostgresServer(bin_dir).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def databases(
    backend: str, postgres: PostgresServer | None, tmp_path_factory: pytest.TempPathFactory
) -> DatabaseFactory:
    return DatabaseFactory(backend, tmp_path_factory.mktemp("db"), postgres)


@pytest.fixture
def database_url(databases: DatabaseFactory) -> str:
    return databases.fresh()


def make_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "env": Environment.test,
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        # No mail from a test's app unless it asks (tests/notifications deliver themselves).
        "notifications_poll_seconds": 0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with LifespanManager(application, shutdown_timeout=15):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def db(app: FastAPI) -> AsyncIterator[AsyncSession]:
    """A session for arranging and inspecting data; commit what the request should see."""
    async with app.state.sessionmaker() as session:
        yield session


@pytest.fixture
def passwords(app: FastAPI) -> Passwords:
    result: Passwords = app.state.passwords
    return result


# Names under the domains reserved for examples (RFC 2606, RFC 6761) never resolve; tests
# that connect a CalDAV calendar "at" one get a public address for it (nothing is ever
# sent there). Every other name resolves as usual ("localhost" to loopback).
EXAMPLE_DOMAINS = ("example", "example.org", "example.com", "example.net")
EXAMPLE_ADDRESS = "93.184.215.14"


@pytest.fixture(autouse=True, scope="session")
def example_names_resolve() -> Iterator[None]:
    """Session-wide, so that worlds built once per module or session resolve them too."""
    real = addresses.lookup

    def lookup(host: str, port: int) -> list[str]:
        name = host.lower().rstrip(".")
        if any(name == d or name.endswith("." + d) for d in EXAMPLE_DOMAINS):
            return [EXAMPLE_ADDRESS]
        return real(host, port)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(addresses, "lookup", lookup)
        yield
