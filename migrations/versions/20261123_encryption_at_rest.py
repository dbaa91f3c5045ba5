"""encryption at rest

Identifying and narrative columns become AES-GCM ciphertext (kit/encryption.py); values
already stored are encrypted in place with the key ring of the running settings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ombuds.settings import get_settings, keyring

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> (primary key columns, {column: (plain type, is text)})
ENCRYPTED: dict[str, tuple[tuple[str, ...], dict[str, tuple[sa.types.TypeEngine, bool]]]] = {
    "complaints": (
        ("id",),
        {c: (sa.Text(), True) for c in ("resolution_sought", "response_text", "findings_text")},
    ),
    "complaint_people": (
        ("id",),
        {"full_name": (sa.String(200), True), "contact": (sa.String(300), True)},
    ),
    "incidents": (("id",), {"what": (sa.Text(), True), "location": (sa.Text(), True)}),
    "consultations": (("id",), {"full_name": (sa.String(200), True), "notes": (sa.Text(), True)}),
    "informal_attempts": (
        ("id",),
        {c: (sa.Text(), True) for c in ("method_description", "proposal", "other_party_answer")},
    ),
    "letters": (
        ("complaint_id",),
        {
            c: (sa.Text(), True)
            for c in ("what_took_place", "when_it_took_place", "witnesses", "resolution_sought")
        },
    ),
    "attachments": (
        ("id",),
        {"filename": (sa.String(200), True), "content": (sa.LargeBinary(), False)},
    ),
    "investigation_entries": (("id",), {"notes": (sa.Text(), True)}),
    "recommendations": (("id",), {"text": (sa.Text(), True), "status_note": (sa.Text(), True)}),
    "disclosures": (("id",), {"reason": (sa.Text(), True), "content": (sa.Text(), True)}),
}


def _rows(
    table: str, keys: tuple[str, ...], columns: list[str]
) -> list[sa.Row[tuple[object, ...]]]:
    select = sa.text(f"SELECT {', '.join([*keys, *columns])} FROM {table}")  # noqa: S608
    return list(op.get_bind().execute(select).all())


def _row_id(row: sa.Row[tuple[object, ...]], keys: tuple[str, ...]) -> str:
    return "/".join(str(_uuid(row._mapping[k])) for k in keys)


def _uuid(value: object) -> object:
    """SQLite keeps UUIDs as 32 hex digits; the ORM names rows by the hyphenated form."""
    if isinstance(value, str) and len(value) == 32:
        return uuid.UUID(value)
    return value


def _write(
    table: str, keys: tuple[str, ...], row: sa.Row[tuple[object, ...]], values: dict[str, object]
) -> None:
    where = " AND ".join(f"{k} = :k_{k}" for k in keys)
    assignments = ", ".join(f"{c} = :v_{c}" for c in values)
    params = {f"k_{k}": row._mapping[k] for k in keys} | {f"v_{c}": v for c, v in values.items()}
    op.get_bind().execute(sa.text(f"UPDATE {table} SET {assignments} WHERE {where}"), params)  # noqa: S608


def upgrade() -> None:
    ring = keyring(get_settings())
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, (keys, columns) in ENCRYPTED.items():
        rows = _rows(table, keys, list(columns))
        with op.batch_alter_table(table) as batch:
            for column, (plain, is_text) in columns.items():
                using = f"convert_to({column}, 'UTF8')" if postgresql and is_text else None
                batch.alter_column(
                    column, existing_type=plain, type_=sa.LargeBinary(), postgresql_using=using
                )
        for row in rows:
            values = {}
            for column, (_, is_text) in columns.items():
                value = row._mapping[column]
                if value is None:
                    continue
                plain = value.encode() if is_text else bytes(value)
                values[column] = ring.encrypt(
                    plain, table=table, column=column, row_id=_row_id(row, keys)
                )
            if values:
                _write(table, keys, row, values)


def downgrade() -> None:
    ring = keyring(get_settings())
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, (keys, columns) in ENCRYPTED.items():
        rows = _rows(table, keys, list(columns))
        for row in rows:
            values = {}
            for column, (_, is_text) in columns.items():
                value = row._mapping[column]
                if value is None:
                    continue
                plain = ring.decrypt(
                    bytes(value), table=table, column=column, row_id=_row_id(row, keys)
                )
                # bytea on PostgreSQL until the column turns back into text just below
                values[column] = plain if postgresql or not is_text else plain.decode()
            if values:
                _write(table, keys, row, values)
        with op.batch_alter_table(table) as batch:
            for column, (plain_type, is_text) in columns.items():
                if not is_text:
                    continue
                using = f"convert_from({column}, 'UTF8')" if postgresql else None
                batch.alter_column(
                    column, existing_type=sa.LargeBinary(), type_=plain_type, postgresql_using=using
                )
