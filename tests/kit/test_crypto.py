"""AES-GCM with a key ring; each ciphertext bound to its table, column and row."""

from __future__ import annotations

import os

import pytest

from ombuds.kit.crypto import DecryptionFailed, KeyRing

WHERE = {"table": "complaint_people", "column": "full_name", "row_id": "row-1"}


def ring(active: str = "k1") -> KeyRing:
    return KeyRing({"k1": b"1" * 32, "k2": b"2" * 32}, active)


def test_round_trip_without_plaintext_in_the_ciphertext() -> None:
    blob = ring().encrypt_text("Canary-Heron", **WHERE)
    assert b"Canary-Heron" not in blob
    assert ring().decrypt_text(blob, **WHERE) == "Canary-Heron"
    assert KeyRing.key_id_of(blob) == "k1"


def test_same_plaintext_encrypts_differently_each_time() -> None:
    assert ring().encrypt_text("x", **WHERE) != ring().encrypt_text("x", **WHERE)


@pytest.mark.parametrize(
    "moved",
    [
        {**WHERE, "row_id": "row-2"},
        {**WHERE, "column": "contact"},
        {**WHERE, "table": "members"},
    ],
)
def test_a_ciphertext_moved_elsewhere_fails(moved: dict[str, str]) -> None:
    blob = ring().encrypt_text("Canary-Heron", **WHERE)
    with pytest.raises(DecryptionFailed):
        ring().decrypt_text(blob, **moved)


def test_old_keys_still_decrypt_after_rotation() -> None:
    old = ring("k1").encrypt_text("before", **WHERE)
    new = ring("k2").encrypt_text("after", **WHERE)
    rotated = ring("k2")
    assert rotated.decrypt_text(old, **WHERE) == "before"
    assert KeyRing.key_id_of(new) == "k2"


def test_tampering_and_unknown_keys_fail() -> None:
    blob = bytearray(ring().encrypt_text("Canary-Heron", **WHERE))
    blob[-1] ^= 1
    with pytest.raises(DecryptionFailed):
        ring().decrypt(bytes(blob), **WHERE)
    foreign = KeyRing({"k9": os.urandom(32)}, "k9").encrypt(b"x", **WHERE)
    with pytest.raises(DecryptionFailed, match="no key 'k9'"):
        ring().decrypt(foreign, **WHERE)
    with pytest.raises(DecryptionFailed):
        ring().decrypt(b"plain text", **WHERE)
