"""argon2id's memory is bounded per worker: at most `argon2_concurrency` hashes at once,
however many sign-ins arrive together, and never on the event loop's thread."""

from __future__ import annotations

import asyncio
import threading
import time
from unittest.mock import patch

import pytest
from argon2 import PasswordHasher

from ombuds.auth.passwords import Passwords
from ombuds.settings import Settings

PASSWORD = "correct horse battery staple"


async def _most_at_once(passwords: Passwords, calls: int) -> tuple[int, set[int]]:
    """Run `calls` verifications together; how many ran at the same moment, on which threads."""
    stored = passwords.hash(PASSWORD)
    running, most, threads = 0, 0, set()
    lock = threading.Lock()
    real_verify = PasswordHasher.verify

    def recording(self: PasswordHasher, hash: str, password: str) -> bool:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            threads.add(threading.get_ident())
        time.sleep(0.05)  # long enough for the others to start, were they allowed to
        try:
            return real_verify(self, hash, password)
        finally:
            with lock:
                running -= 1

    with patch.object(PasswordHasher, "verify", recording):
        results = await asyncio.gather(
            *(passwords.verify_off_loop(stored, PASSWORD) for _ in range(calls))
        )
    assert results == [True] * calls
    return most, threads


class TestBoundedHashing:
    @pytest.mark.clause("5.1")
    async def test_one_hash_at_a_time_by_default(self, settings: Settings) -> None:
        most, threads = await _most_at_once(Passwords(settings), 6)
        assert most == 1
        assert threading.get_ident() not in threads

    async def test_the_bound_is_a_setting(self, settings: Settings) -> None:
        passwords = Passwords(settings.model_copy(update={"argon2_concurrency": 3}))
        most, _ = await _most_at_once(passwords, 6)
        assert most == 3

    async def test_hash_runs_off_the_loop_too(self, settings: Settings) -> None:
        passwords = Passwords(settings)
        stored = await passwords.hash_off_loop(PASSWORD)
        assert passwords.verify(stored, PASSWORD)
        assert not passwords.verify(stored, "wrong")
