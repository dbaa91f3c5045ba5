"""a disclosure's recipients name their complaint, so they are sealed under its data key

Each complaint's confidential values are encrypted under a data key of its own, and
destroyed with it (kit/datakeys.py). A recipient row named only its disclosure; it now
names the complaint too (filled in from the disclosure), so its recipient text can be
sealed under the complaint's key. `ombuds rotate-keys` re-seals the rows written before.

Revision ID: 0016
Revises: 0017
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("disclosure_recipients", schema=None) as batch_op:
        batch_op.add_column(sa.Column("complaint_id", sa.Uuid(), nullable=True))
    op.execute(
        "UPDATE disclosure_recipients SET complaint_id = (SELECT d.complaint_id FROM "
        "disclosures d WHERE d.id = disclosure_recipients.disclosure_id)"
    )
    with op.batch_alter_table("disclosure_recipients", schema=None) as batch_op:
        batch_op.alter_column("complaint_id", existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index(
            batch_op.f("ix_disclosure_recipients_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_disclosure_recipients_complaint_id_complaints"),
            "complaints",
            ["complaint_id"],
            ["id"],
            ondelete="CASCADE",
        )


def downgrade() -> None:
    with op.batch_alter_table("disclosure_recipients", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_disclosure_recipients_complaint_id_complaints"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_disclosure_recipients_complaint_id"))
        batch_op.drop_column("complaint_id")
