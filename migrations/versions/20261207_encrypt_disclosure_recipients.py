"""encrypt disclosure recipients

The disclosure register's recipient (5.1) is free text that can name a person outside the
roles: it becomes AES-GCM ciphertext like every other free text (kit/encryption.py). Being
part of the primary key, it could not be encrypted in place: each recipient row gets its
own id, and values already stored are encrypted with the key ring of the running settings,
bound to that id.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-07
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from ombuds.settings import get_settings, keyring

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "disclosure_recipients"


def _foreign_keys() -> list[sa.ForeignKeyConstraint]:
    return [
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosures.id"],
            name=op.f("fk_disclosure_recipients_disclosure_id_disclosures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_disclosure_recipients_user_id_users")
        ),
    ]


def _uuid(value: object) -> uuid.UUID:
    """SQLite keeps UUIDs as 32 hex digits, PostgreSQL as uuid."""
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _existing() -> list[sa.Row[tuple[object, ...]]]:
    select = sa.text(f"SELECT disclosure_id, user_id, recipient FROM {TABLE}")  # noqa: S608
    return list(op.get_bind().execute(select).all())


def upgrade() -> None:
    ring = keyring(get_settings())
    rows = _existing()
    op.drop_table(TABLE)
    table = op.create_table(
        TABLE,
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("disclosure_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("recipient", sa.LargeBinary(), nullable=False),
        *_foreign_keys(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosure_recipients")),
    )
    op.create_index(
        op.f("ix_disclosure_recipients_disclosure_id"), TABLE, ["disclosure_id"], unique=False
    )
    values = []
    for disclosure_id, user_id, recipient in rows:
        row_id = uuid.uuid4()
        ciphertext = ring.encrypt(
            str(recipient).encode(), table=TABLE, column="recipient", row_id=str(row_id)
        )
        values.append(
            {
                "id": row_id,
                "disclosure_id": _uuid(disclosure_id),
                "user_id": None if user_id is None else _uuid(user_id),
                "recipient": ciphertext,
            }
        )
    if values:
        op.bulk_insert(table, values)


def downgrade() -> None:
    ring = keyring(get_settings())
    select = sa.text(f"SELECT id, disclosure_id, user_id, recipient FROM {TABLE}")  # noqa: S608
    rows = list(op.get_bind().execute(select).all())
    op.drop_index(op.f("ix_disclosure_recipients_disclosure_id"), table_name=TABLE)
    op.drop_table(TABLE)
    table = op.create_table(
        TABLE,
        sa.Column("disclosure_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        *_foreign_keys(),
        sa.PrimaryKeyConstraint(
            "disclosure_id", "recipient", name=op.f("pk_disclosure_recipients")
        ),
    )
    seen: dict[tuple[uuid.UUID, str], dict[str, object]] = {}
    for row_id, disclosure_id, user_id, recipient in rows:
        plain = ring.decrypt(
            bytes(recipient), table=TABLE, column="recipient", row_id=str(_uuid(row_id))
        ).decode()
        key = (_uuid(disclosure_id), plain)
        seen.setdefault(
            key,
            {
                "disclosure_id": key[0],
                "user_id": None if user_id is None else _uuid(user_id),
                "recipient": plain,
            },
        )
    if seen:
        op.bulk_insert(table, list(seen.values()))
