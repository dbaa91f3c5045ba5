"""calendar feeds answer a poll from a stored validator: changes that may alter a user's
feed are appended to calendar_feed_changes (folded into calendar_feed_bases by a
background step), and each feed token keeps what its last render was made from

Revision ID: 0015
Revises: 0009
Create Date: 2026-12-07 18:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_feed_changes",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_changes")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_calendar_feed_changes_user_id_id",
        "calendar_feed_changes",
        ["user_id", "id"],
        unique=False,
    )
    op.create_table(
        "calendar_feed_bases",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("changes", sa.BigInteger(), nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_calendar_feed_bases")),
    )
    with op.batch_alter_table("calendar_feed_tokens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rendered_changes", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("rendered_last_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("rendered_context", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("fresh_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calendar_feed_tokens", schema=None) as batch_op:
        batch_op.drop_column("fresh_until")
        batch_op.drop_column("rendered_context")
        batch_op.drop_column("rendered_last_id")
        batch_op.drop_column("rendered_changes")
    op.drop_table("calendar_feed_bases")
    op.drop_index("ix_calendar_feed_changes_user_id_id", table_name="calendar_feed_changes")
    op.drop_table("calendar_feed_changes")
