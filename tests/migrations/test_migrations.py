"""The schema exists only through migrations, and the models never drift from them."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from ombuds.kit.migrations import alembic_config, head_revisions, upgrade
from ombuds.models import Base
from tests.conftest import DatabaseFactory


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


async def _run(url: str, fn):  # type: ignore[no-untyped-def]
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(fn)
    finally:
        await engine.dispose()


async def test_models_match_the_migrations(database_url: str) -> None:
    assert await _run(database_url, _diff) == []


def test_downgrade_to_base_and_up_again(databases: DatabaseFactory) -> None:
    # Synchronous: Alembic's environment runs its own event loop.
    url = databases.empty()
    upgrade(url)
    command.downgrade(alembic_config(url), "base")
    tables = asyncio.run(_run(url, lambda c: set(inspect(c).get_table_names())))
    assert tables <= {"alembic_version"}
    upgrade(url)
    tables = asyncio.run(_run(url, lambda c: set(inspect(c).get_table_names())))
    assert set(Base.metadata.tables) <= tables


def test_one_head() -> None:
    assert len(head_revisions("sqlite+aiosqlite:///:memory:")) == 1
