"""indexes that keep per-request lookups flat as the tables grow

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deadlines_complaint_status_due_on",
            ["complaint_id", "status", "due_on"],
            unique=False,
        )
        batch_op.create_index(
            "ix_deadlines_policy_reviews",
            ["due_on"],
            unique=False,
            sqlite_where=sa.text("complaint_id IS NULL"),
            postgresql_where=sa.text("complaint_id IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_deadlines_policy_reviews",
            sqlite_where=sa.text("complaint_id IS NULL"),
            postgresql_where=sa.text("complaint_id IS NULL"),
        )
        batch_op.drop_index("ix_deadlines_complaint_status_due_on")
