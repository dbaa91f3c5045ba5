"""the day a step happened beside when it was recorded; waived party notices

Steps recorded after the fact (telling the table officers, striking the CRC, a
redirection) keep the day they happened and, beside it, when they were recorded. A notice
owed to a party (4.3.1(vii)) can be waived with a reason, encrypted like other free text.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("redirected_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "table_officers_notice_recorded_at", sa.DateTime(timezone=True), nullable=True
            )
        )
    with op.batch_alter_table("committees", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("struck_recorded_at", sa.DateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("party_notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("waived_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("waived_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("waiver_reason", sa.LargeBinary(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_party_notices_waived_by_users"), "users", ["waived_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("party_notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_party_notices_waived_by_users"), type_="foreignkey")
        batch_op.drop_column("waiver_reason")
        batch_op.drop_column("waived_by")
        batch_op.drop_column("waived_at")
    with op.batch_alter_table("committees", schema=None) as batch_op:
        batch_op.drop_column("struck_recorded_at")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_column("table_officers_notice_recorded_at")
        batch_op.drop_column("redirected_on")
