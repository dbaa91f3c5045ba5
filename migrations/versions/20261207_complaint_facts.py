"""coded facts about each closed complaint, kept after its content is destroyed

One row per closed complaint: codes, counts of days, the year and quarter it was received,
and the Unit only when the Unit is large enough. Complaints closed before this revision
get theirs from `ombuds facts backfill` (idempotent).

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "complaint_facts",
        sa.Column("complaint_id", sa.Uuid(), nullable=True),
        sa.Column("received_year", sa.Integer(), nullable=False),
        sa.Column("received_quarter", sa.Integer(), nullable=False),
        sa.Column("closed_on", sa.Date(), nullable=False),
        sa.Column("record_class", sa.String(length=20), nullable=False),
        sa.Column("stage_reached", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=30), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.Column("recommendation_kinds", sa.JSON(), nullable=False),
        sa.Column("deadlines", sa.JSON(), nullable=False),
        sa.Column("durations", sa.JSON(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_facts_complaint_id_complaints"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"],
            ["units.id"],
            name=op.f("fk_complaint_facts_unit_id_units"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_facts")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_complaint_facts_complaint_id")),
    )
    op.create_index("ix_complaint_facts_closed_on", "complaint_facts", ["closed_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_complaint_facts_closed_on", table_name="complaint_facts")
    op.drop_table("complaint_facts")
