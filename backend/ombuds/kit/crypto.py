"""Encryption at rest: AES-256-GCM with a key ring.

Each ciphertext names the key that made it, and its associated data binds it to one
table, column and row, so a ciphertext copied to another row or column fails to decrypt.

Two layouts:
- v1, under a key of the ring: b"\\x01" | len(key id) | key id | 12-byte nonce | ciphertext
  and tag. Tables that belong to no complaint or consultation (ring-only) use it.
- v2, under the data key of the record it belongs to (envelope encryption, kit/datakeys.py):
  b"\\x02" | 16-byte owner id | 12-byte nonce | ciphertext and tag. Destroying the owner's
  data key makes every v2 value of that owner unreadable, in backups too."""

from __future__ import annotations

import base64
import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

FORMAT_VERSION = 1
OWNED_FORMAT_VERSION = 2
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionFailed(Exception):
    """Wrong key, wrong row or column, or tampered data. Says nothing about the content."""


def _aad(table: str, column: str, row_id: str) -> bytes:
    return f"ombuds:{table}:{column}:{row_id}".encode()


def derive_key(secret: str, label: str) -> bytes:
    """A key derived from the signing secret: for development and tests only."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode())
    return hkdf.derive(secret.encode())


def parse_keys(encoded: dict[str, str]) -> dict[str, bytes]:
    keys = {}
    for key_id, value in encoded.items():
        raw = base64.b64decode(value, validate=True)
        if len(raw) != 32:
            raise ValueError(f"encryption key {key_id!r} is {len(raw)} bytes; AES-256 needs 32")
        if not 0 < len(key_id.encode()) < 256:
            raise ValueError("encryption key ids are 1 to 255 bytes")
        keys[key_id] = raw
    return keys


class KeyRing:
    def __init__(self, keys: dict[str, bytes], active_key_id: str) -> None:
        if active_key_id not in keys:
            raise ValueError(f"the active encryption key {active_key_id!r} is not in the ring")
        self._ciphers = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active_key_id = active_key_id

    def encrypt(self, plaintext: bytes, *, table: str, column: str, row_id: str) -> bytes:
        kid = self.active_key_id.encode()
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.active_key_id].encrypt(
            nonce, plaintext, _aad(table, column, row_id)
        )
        return bytes([FORMAT_VERSION, len(kid)]) + kid + nonce + sealed

    def decrypt(self, blob: bytes, *, table: str, column: str, row_id: str) -> bytes:
        key_id = self.key_id_of(blob)
        cipher = self._ciphers.get(key_id)
        if cipher is None:
            raise DecryptionFailed(f"no key {key_id!r} in the ring")
        start = 2 + blob[1]
        nonce, sealed = blob[start : start + NONCE_BYTES], blob[start + NONCE_BYTES :]
        try:
            return cipher.decrypt(nonce, sealed, _aad(table, column, row_id))
        except InvalidTag as exc:
            raise DecryptionFailed("the ciphertext does not belong here or was altered") from exc

    @staticmethod
    def key_id_of(blob: bytes) -> str:
        if len(blob) < 2 + NONCE_BYTES + 16 or blob[0] != FORMAT_VERSION:
            raise DecryptionFailed("not a ciphertext of this service")
        return blob[2 : 2 + blob[1]].decode()

    def encrypt_text(self, text: str, *, table: str, column: str, row_id: str) -> bytes:
        return self.encrypt(text.encode(), table=table, column=column, row_id=row_id)

    def decrypt_text(self, blob: bytes, *, table: str, column: str, row_id: str) -> str:
        return self.decrypt(blob, table=table, column=column, row_id=row_id).decode()


def is_owned(blob: bytes) -> bool:
    """Whether the value is sealed under a record's data key (v2) rather than the ring."""
    return len(blob) > 0 and blob[0] == OWNED_FORMAT_VERSION


def owner_of(blob: bytes) -> uuid.UUID:
    if len(blob) < 1 + 16 + NONCE_BYTES + TAG_BYTES or blob[0] != OWNED_FORMAT_VERSION:
        raise DecryptionFailed("not a ciphertext of this service")
    return uuid.UUID(bytes=bytes(blob[1:17]))


def seal_owned(
    cipher: AESGCM, owner: uuid.UUID, plaintext: bytes, *, table: str, column: str, row_id: str
) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    sealed = cipher.encrypt(nonce, plaintext, _aad(table, column, row_id))
    return bytes([OWNED_FORMAT_VERSION]) + owner.bytes + nonce + sealed


def open_owned(cipher: AESGCM, blob: bytes, *, table: str, column: str, row_id: str) -> bytes:
    owner_of(blob)  # checks the layout
    nonce, sealed = blob[17 : 17 + NONCE_BYTES], blob[17 + NONCE_BYTES :]
    try:
        return cipher.decrypt(nonce, sealed, _aad(table, column, row_id))
    except InvalidTag as exc:
        raise DecryptionFailed("the ciphertext does not belong here or was altered") from exc
