"""retention: legal holds, scheduled destructions, the destruction register, tombstones

A complaint whose retention period ended keeps its row as a tombstone (reference, stage,
closure, dates, `destroyed_at`); its encrypted columns are emptied, and so are a
disclosure's reason and content, whose register entry (5.1) stays.

Revision ID: 0017
Revises: 0018
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CLASSES = ("consultation", "redirected", "informal", "withdrawn", "formal")
ONE_RECORD = "(complaint_id IS NULL) <> (consultation_id IS NULL)"
LIVE_HOLD = "lifted_at IS NULL"
OWNER = "owner_id = COALESCE(complaint_id, consultation_id)"
PENDING = "undone_at IS NULL AND done_at IS NULL"


def _class() -> sa.Enum:
    return sa.Enum(*CLASSES, name="record_class", native_enum=False, length=40)


def _record_columns(table: str) -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("complaint_id", sa.Uuid(), nullable=True),
        sa.Column("consultation_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(ONE_RECORD, name=op.f(f"ck_{table}_one_record")),
        sa.ForeignKeyConstraint(
            ["complaint_id"], ["complaints.id"], name=op.f(f"fk_{table}_complaint_id_complaints")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f(f"fk_{table}_consultation_id_consultations"),
            ondelete="CASCADE",
        ),
    ]


def _one_per_record(table: str, name: str, where: str) -> None:
    for column in ("complaint_id", "consultation_id"):
        op.create_index(
            f"uq_{table}_{name}_{column.removesuffix('_id')}",
            table,
            [column],
            unique=True,
            sqlite_where=sa.text(where),
            postgresql_where=sa.text(where),
        )


def upgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        # Only a column added: on SQLite no table is rebuilt (a rebuild of a parent table
        # with foreign keys on would cascade its DROP into the children).
        batch_op.add_column(sa.Column("destroyed_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "legal_holds",
        *_record_columns("legal_holds"),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(OWNER, name=op.f("ck_legal_holds_owner_is_the_record")),
        sa.Column("reason", sa.LargeBinary(), nullable=True),
        sa.Column("placed_by", sa.Uuid(), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.Uuid(), nullable=True),
        sa.Column("lift_reason", sa.LargeBinary(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["placed_by"], ["users.id"], name=op.f("fk_legal_holds_placed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["lifted_by"], ["users.id"], name=op.f("fk_legal_holds_lifted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_holds")),
    )
    _one_per_record("legal_holds", "live", LIVE_HOLD)
    op.create_index("ix_legal_holds_placed_at_id", "legal_holds", ["placed_at", "id"])

    op.create_table(
        "scheduled_destructions",
        *_record_columns("scheduled_destructions"),
        sa.Column("record_class", _class(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("carry_out_on", sa.Date(), nullable=False),
        sa.Column("undone_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("undone_by", sa.Uuid(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["undone_by"], ["users.id"], name=op.f("fk_scheduled_destructions_undone_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_destructions")),
    )
    _one_per_record("scheduled_destructions", "pending", PENDING)
    op.create_index(
        "ix_scheduled_destructions_carry_out_on",
        "scheduled_destructions",
        ["carry_out_on", "id"],
    )

    op.create_table(
        "destruction_register",
        sa.Column("record_class", _class(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=12), nullable=True),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("scheduled_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("carried_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "carried_out_via",
            sa.Enum(
                "scheduled_job",
                "command_line",
                name="carried_out_via",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("carried_out_by", sa.Uuid(), nullable=True),
        sa.Column("data_keys", sa.JSON(), nullable=False),
        sa.Column("keys_destroyed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["carried_out_by"],
            ["users.id"],
            name=op.f("fk_destruction_register_carried_out_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_destruction_register")),
        sa.UniqueConstraint("record_id", name=op.f("uq_destruction_register_record_id")),
    )
    op.create_index(
        "ix_destruction_register_carried_out_at_id",
        "destruction_register",
        ["carried_out_at", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_destruction_register_carried_out_at_id", table_name="destruction_register")
    op.drop_table("destruction_register")
    op.drop_index("ix_scheduled_destructions_carry_out_on", table_name="scheduled_destructions")
    for table, name in (("scheduled_destructions", "pending"), ("legal_holds", "live")):
        for record in ("complaint", "consultation"):
            op.drop_index(f"uq_{table}_{name}_{record}", table_name=table)
    op.drop_table("scheduled_destructions")
    op.drop_index("ix_legal_holds_placed_at_id", table_name="legal_holds")
    op.drop_table("legal_holds")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("destroyed_at")
