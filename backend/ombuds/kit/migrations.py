"""Running Alembic from the service and the CLI: the schema exists only through migrations."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from ombuds.settings import REPO_ROOT


def alembic_config(database_url: str) -> Config:
    candidates = [
        Path(os.environ.get("OMBUDS_ALEMBIC_INI", "")),
        REPO_ROOT / "alembic.ini",
        Path.cwd() / "alembic.ini",
    ]
    ini = next((p for p in candidates if p.name and p.is_file()), None)
    if ini is None:
        raise FileNotFoundError("alembic.ini not found; set OMBUDS_ALEMBIC_INI")
    config = Config(str(ini))
    config.set_main_option("script_location", str(ini.parent / "migrations"))
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head", key_store_url: str | None = None) -> None:
    """Migrate the database, and create its key store (kit/datakeys.py) if missing."""
    from ombuds.kit import datakeys

    command.upgrade(alembic_config(database_url), revision)
    datakeys.prepare(key_store_url or datakeys.derive_url(database_url))


def head_revisions(database_url: str) -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())


def current_revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())
