"""Operations tests run against a PostgreSQL server of their own, which they may stop,
restart and crash without disturbing the rest of the run; commits on it are durable (an
acknowledged write survives an immediate shutdown), as in production."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from ombuds.kit.migrations import upgrade
from tests.support.postgres import PostgresServer, find_bin_dir

_databases = itertools.count(1)


@pytest.fixture(scope="session")
def ops_server(backend: str) -> Iterator[PostgresServer]:
    if backend != "postgresql":
        pytest.skip("operations tests stop and crash a PostgreSQL server (run --db=postgresql)")
    bin_dir = find_bin_dir()
    if bin_dir is None:
        pytest.skip("PostgreSQL binaries not found under /usr/lib/postgresql (set OMBUDS_PG_BIN)")
    server = PostgresServer(bin_dir, durable=True).start()
    try:
        yield server
    finally:
        server.stop()


def migrated_database(server: PostgresServer) -> str:
    """A new, migrated database on the server; its asyncpg URL."""
    name = f"ops_{next(_databases)}"
    server.psql(f"CREATE DATABASE {name}")
    url = server.url(name)
    upgrade(url)
    return url


@pytest.fixture
def ops_database(ops_server: PostgresServer) -> str:
    return migrated_database(ops_server)
