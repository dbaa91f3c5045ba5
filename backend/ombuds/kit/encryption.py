"""Encryption at rest of identifying and narrative columns, below the services.

A column typed `EncryptedText` or `EncryptedBytes` holds only ciphertext: the session
encrypts it just before each flush, with associated data naming its table, column and row
(kit/crypto.py), and decrypts it as rows load. Services read and write plain values; a
plaintext value that reached the database driver would be refused.

Whose key: a model that declares `__data_key_owner__` (the name of the column holding its
owner's id: "id" for a complaint or a consultation, "complaint_id" for a complaint's rows)
is sealed under that owner's data key (kit/datakeys.py), so destroying the key destroys it.
Models listed in `RING_ONLY` belong to no record and stay under the key ring (v1).
tests/kit/test_datakeys.py checks every encrypted model is one or the other.

What this cannot do: filter or sort on an encrypted column in SQL. Such columns are never
searched; see docs/security.md for what stays searchable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import cache
from typing import Any

from sqlalchemy import LargeBinary, TypeDecorator, event, inspect
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapper, Session, UOWTransaction, object_session
from sqlalchemy.orm.attributes import set_committed_value

from ombuds.kit.crypto import KeyRing
from ombuds.kit.datakeys import KeyStore, session_keys

PENDING = "_encryption_pending"
OWNER_ATTRIBUTE = "__data_key_owner__"

# Tables with encrypted columns that belong to no complaint or consultation: sealed under
# the key ring, destroyed (if ever) row by row.
RING_ONLY = frozenset(
    {
        "policy_reviews",  # the policy review's note: no record of a complaint
    }
)


def owner_column(mapper: Mapper[Any]) -> str | None:
    """The column naming the record whose data key seals this model, if it declares one."""
    value = getattr(mapper.class_, OWNER_ATTRIBUTE, None)
    return value if isinstance(value, str) else None


class _Encrypted(TypeDecorator[Any]):
    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, _Sealed):
            raise ValueError("an encrypted column was about to be stored unencrypted")
        return bytes(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        return None if value is None else _Sealed(value)


class EncryptedText(_Encrypted):
    """A `str` in Python; AES-GCM ciphertext in the database."""

    cache_ok = True


class EncryptedBytes(_Encrypted):
    """`bytes` in Python (e.g. an attachment); AES-GCM ciphertext in the database."""

    cache_ok = True


class _Sealed(bytes):
    """Ciphertext, marked so it cannot be mistaken for a plain `bytes` value."""


def sealed(ciphertext: bytes) -> bytes:
    """Mark ciphertext made outside a session (key rotation) as fit for an encrypted column."""
    return _Sealed(ciphertext)


@cache
def encrypted_attributes(mapper: Mapper[Any]) -> tuple[tuple[str, bool], ...]:
    """(attribute, is_text) for each encrypted column of the mapped class."""
    found = []
    for attr in mapper.column_attrs:
        kind = attr.columns[0].type
        if isinstance(kind, _Encrypted):
            found.append((attr.key, isinstance(kind, EncryptedText)))
    return tuple(found)


def row_id(mapper: Mapper[Any], obj: object) -> str:
    return "/".join(str(v) for v in mapper.primary_key_from_instance(obj))


def open_text(
    keyring: KeyRing | KeyStore, value: bytes | None, *, table: str, column: str, row: object
) -> Any:
    """Decrypt an `EncryptedText` value read with Core (a hot read, no ORM instance), with
    the same associated data as the ORM's load: table, column and the row's id. Values
    under a record's data key need the key store (`session_keys`), its keys prefetched."""
    if value is None:
        return None
    return keyring.decrypt_text(value, table=table, column=column, row_id=str(row))


def session_keyring(session: Session) -> KeyRing:
    keyring = session.info.get("keyring")
    if not isinstance(keyring, KeyRing):
        raise RuntimeError("this session has no key ring (kit.db.create_sessionmaker sets it)")
    return keyring


def _changed(session: Session, obj: object) -> Iterator[tuple[Mapper[Any], str, bool]]:
    state = inspect(obj)
    mapper = state.mapper
    for key, is_text in encrypted_attributes(mapper):
        if obj in session.new or state.attrs[key].history.has_changes():
            yield mapper, key, is_text


@event.listens_for(Session, "before_flush")
def _seal(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    pending: list[tuple[object, str, Any]] = session.info.setdefault(PENDING, [])
    for obj in [*session.new, *session.dirty]:
        mapper = inspect(obj).mapper
        if not encrypted_attributes(mapper):
            continue
        if "id" in mapper.columns and getattr(obj, "id", None) is None:
            obj.id = uuid.uuid4()  # the row id is in the associated data
        owner_key = owner_column(mapper)
        owner = getattr(obj, owner_key) if owner_key else None
        if owner_key and owner is None:
            raise RuntimeError(f"a {mapper.class_.__name__} without its {owner_key} to seal")
        for _, key, is_text in list(_changed(session, obj)):
            value = getattr(obj, key)
            if value is None or isinstance(value, _Sealed):
                continue
            plain = value.encode() if is_text else bytes(value)
            where = {"table": mapper.local_table.name, "column": key, "row_id": row_id(mapper, obj)}
            if owner is not None:
                sealed = session_keys(session).encrypt(owner, plain, **where)
            else:
                sealed = session_keyring(session).encrypt(plain, **where)
            setattr(obj, key, _Sealed(sealed))
            pending.append((obj, key, value))


@event.listens_for(Session, "after_flush_postexec")
def _restore(session: Session, flush_context: UOWTransaction) -> None:
    for obj, key, value in session.info.pop(PENDING, []):
        set_committed_value(obj, key, value)


def _open(target: object, session: Session | None) -> None:
    mapper = inspect(target).mapper
    attrs = encrypted_attributes(mapper)
    if not attrs or session is None:
        return
    for key, is_text in attrs:
        value = target.__dict__.get(key)
        if isinstance(value, _Sealed):
            plain = session_keys(session).decrypt(
                value, table=mapper.local_table.name, column=key, row_id=row_id(mapper, target)
            )
            set_committed_value(target, key, plain.decode() if is_text else plain)


def install(base: type) -> None:
    """Decrypt rows of every model under `base` as they load or refresh."""

    @event.listens_for(base, "load", propagate=True)
    def _on_load(target: object, context: Any) -> None:
        _open(target, getattr(context, "session", None) or object_session(target))

    @event.listens_for(base, "refresh", propagate=True)
    def _on_refresh(target: object, context: Any, attrs: Any) -> None:
        _open(target, getattr(context, "session", None) or object_session(target))
