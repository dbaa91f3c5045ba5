"""Encryption at rest for seeded rows: the service's own key ring and associated data.

A column typed `ombuds.kit.encryption.EncryptedText` holds AES-GCM ciphertext bound to its
table, column and row (`KeyRing.encrypt_text(..., table=, column=, row_id=str(id))`, as
`ombuds.kit.encryption` seals it before a flush); every other column gets the plain value.
The key ring is the one the benchmarked service runs with, so it decrypts what is seeded."""

from __future__ import annotations

import importlib.util
import uuid
from functools import cache

from ombuds.kit.crypto import KeyRing
from ombuds.models import Base
from ombuds.settings import Settings, keyring

_ring: list[KeyRing] = []


def available() -> bool:
    return importlib.util.find_spec("ombuds.kit.encryption") is not None


def configure(settings: Settings) -> None:
    _ring[:] = [keyring(settings)]


@cache
def is_encrypted(table: str, column: str) -> bool:
    if not available():
        return False
    from ombuds.kit.encryption import EncryptedText

    return isinstance(Base.metadata.tables[table].c[column].type, EncryptedText)


def protect(table: str, column: str, row_id: uuid.UUID, value: str) -> object:
    if not is_encrypted(table, column):
        return value
    return _ring[0].encrypt_text(value, table=table, column=column, row_id=str(row_id))


def encrypted_columns() -> list[str]:
    return sorted(
        f"{t.name}.{c.name}"
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if is_encrypted(t.name, c.name)
    )
