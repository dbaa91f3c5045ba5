from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession


@pytest.fixture
def keep_loaded(db: AsyncSession) -> None:
    """The records arranged here are read after commits (their ids, references)."""
    db.sync_session.expire_on_commit = False
