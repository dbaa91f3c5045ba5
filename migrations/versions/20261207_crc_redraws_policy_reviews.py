"""discretionary redraws of a proposed CRC panel are counted (4.3.1(v)); the policy
reviews held are recorded (6)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("committees", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("discretionary_redraws", sa.Integer(), server_default="0", nullable=False)
        )
    op.create_table(
        "policy_reviews",
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("note", sa.LargeBinary(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["deadline_id"], ["deadlines.id"], name=op.f("fk_policy_reviews_deadline_id_deadlines")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_policy_reviews_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_reviews")),
    )
    op.create_index("ix_policy_reviews_held_on", "policy_reviews", ["held_on"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_policy_reviews_held_on", table_name="policy_reviews")
    op.drop_table("policy_reviews")
    with op.batch_alter_table("committees", schema=None) as batch_op:
        batch_op.drop_column("discretionary_redraws")
