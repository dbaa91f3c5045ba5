"""audit entries are sealed into the chain after they commit

Each entry now carries its own HMAC (`row_mac`), written with it; a sealer gives committed
entries their place in the chain (`chain_pos`, `prev_hash`, `entry_hash`) a moment later,
so appending no longer takes a lock. Entries written before this migration were already
chained in `seq` order: they become sealed, at positions 1..n in that order, their hashes
unchanged. The append-only triggers now allow exactly one update: the sealer filling in an
unsealed entry's place in the chain, nothing else about it.

Revision ID: 0014
Revises: 0007
Create Date: 2026-12-07 15:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTENT = (
    "seq",
    "occurred_at",
    "actor_kind",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "outcome",
    "row_mac",
)
_NEW = ", ".join(f"NEW.{c}" for c in CONTENT)
_OLD = ", ".join(f"OLD.{c}" for c in CONTENT)

SEALING_PG = f"""CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND OLD.chain_pos IS NULL AND NEW.chain_pos IS NOT NULL
         AND NEW.prev_hash IS NOT NULL AND NEW.entry_hash IS NOT NULL
         AND ROW({_NEW}) IS NOT DISTINCT FROM ROW({_OLD}) THEN
        RETURN NEW;
      END IF;
      RAISE EXCEPTION 'audit_entries is append-only';
    END $$"""
PLAIN_PG = """CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_entries is append-only'; END $$"""

_SAME = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in CONTENT)
SEALING_SQLITE = f"""CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
    WHEN NOT (OLD.chain_pos IS NULL AND NEW.chain_pos IS NOT NULL
              AND NEW.prev_hash IS NOT NULL AND NEW.entry_hash IS NOT NULL AND {_SAME})
    BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"""
PLAIN_SQLITE = """CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
       BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"""

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.add_column("audit_entries", sa.Column("row_mac", sa.String(length=64), nullable=True))
    op.add_column("audit_entries", sa.Column("chain_pos", POSITION, nullable=True))
    if postgresql:
        op.execute(SEALING_PG)
        op.execute(
            "UPDATE audit_entries SET chain_pos = o.n FROM "
            "(SELECT seq, row_number() OVER (ORDER BY seq) AS n FROM audit_entries) AS o "
            "WHERE audit_entries.seq = o.seq"
        )
    else:
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute(SEALING_SQLITE)
        op.execute(
            "UPDATE audit_entries SET chain_pos = "
            "(SELECT count(*) FROM audit_entries AS a WHERE a.seq <= audit_entries.seq)"
        )
    op.create_index(op.f("ix_audit_entries_chain_pos"), "audit_entries", ["chain_pos"], unique=True)
    op.create_index(
        "ix_audit_entries_unsealed",
        "audit_entries",
        ["seq"],
        sqlite_where=sa.text("chain_pos IS NULL"),
        postgresql_where=sa.text("chain_pos IS NULL"),
    )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.drop_index("ix_audit_entries_unsealed", table_name="audit_entries")
    op.drop_index(op.f("ix_audit_entries_chain_pos"), table_name="audit_entries")
    if postgresql:
        op.execute(PLAIN_PG)
    else:
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute(PLAIN_SQLITE)
    op.drop_column("audit_entries", "chain_pos")
    op.drop_column("audit_entries", "row_mac")
