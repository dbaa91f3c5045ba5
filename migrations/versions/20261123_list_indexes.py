"""indexes for lists that must not slow down as the tables grow

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("informal_participants", schema=None) as batch_op:
        batch_op.create_index("ix_informal_participants_user", ["user_id"], unique=False)
    with op.batch_alter_table("committees", schema=None) as batch_op:
        batch_op.create_index("ix_committees_staff_resource", ["staff_resource_id"], unique=False)
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_deadlines_status_due_on_id", ["status", "due_on", "id"], unique=False
        )

    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_disclosures_disclosed_at_id", ["disclosed_at", "id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_index("ix_disclosures_disclosed_at_id")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_status_due_on_id")
    with op.batch_alter_table("committees", schema=None) as batch_op:
        batch_op.drop_index("ix_committees_staff_resource")
    with op.batch_alter_table("informal_participants", schema=None) as batch_op:
        batch_op.drop_index("ix_informal_participants_user")
