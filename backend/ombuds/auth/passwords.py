"""argon2id password hashing, with a decoy hash so unknown users cost the same time.

Each hash takes `argon2_memory_kib` (64 MiB by default) and ~200 ms of a core, by design.
They run off the event loop on this process's own small pool (`argon2_concurrency`
threads, default 1): without a bound, a burst of sign-ins would take 64 MiB each at once
(the default thread pool has 40 threads: 2.5 GiB), so a worker's memory is its base plus
`argon2_concurrency` hashes. A sign-in beyond the bound waits its turn for a core, as it
would for the CPU anyway; the other requests never wait on it. More sign-ins at once
need more workers, each with its own bound."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from argon2.low_level import Type

from ombuds.settings import Settings

MIN_PASSWORD_LENGTH = 12


class Passwords:
    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_cost=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
            type=Type.ID,
        )
        self._decoy = self._hasher.hash("decoy password for unknown users")
        self._pool = ThreadPoolExecutor(
            max_workers=settings.argon2_concurrency, thread_name_prefix="argon2"
        )

    async def hash_off_loop(self, password: str) -> str:
        return await asyncio.get_running_loop().run_in_executor(self._pool, self.hash, password)

    async def verify_off_loop(self, stored_hash: str | None, password: str) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, self.verify, stored_hash, password)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """Constant work whether or not the user exists: a missing hash checks the decoy."""
        try:
            return self._hasher.verify(stored_hash or self._decoy, password) and bool(stored_hash)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
