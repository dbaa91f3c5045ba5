"""Background work beside the requests (kit/background.py): a round that fails does not
end the rounds that follow, and the log names only the error's type."""

from __future__ import annotations

import asyncio
import logging

import pytest

from ombuds.kit.background import Periodic


class Flaky(Periodic):
    what = "test work"

    def __init__(self) -> None:
        super().__init__(0.01)
        self.rounds = 0
        self.done = asyncio.Event()

    async def work(self) -> int:
        self.rounds += 1
        if self.rounds == 1:
            raise ValueError("Jane Canary's complaint could not be read")
        if self.rounds == 3:
            self.done.set()
        return 1


async def test_a_failing_round_does_not_end_the_rounds(caplog: pytest.LogCaptureFixture) -> None:
    work = Flaky()
    with caplog.at_level(logging.ERROR, logger="ombuds.background"):
        task = asyncio.create_task(work.run())
        try:
            await asyncio.wait_for(work.done.wait(), 5)
        finally:
            task.cancel()
    assert work.rounds >= 3
    assert [r.getMessage() for r in caplog.records] == ["test work failed this round: ValueError"]
    assert "Canary" not in caplog.text
