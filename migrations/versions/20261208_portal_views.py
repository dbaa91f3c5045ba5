"""portal views

What each party sees in the portal (issue 16): a witness's answers to the CRC's request
to speak with them (their availability, sealed under the complaint's data key). The
notice method "portal" needs no change: the column is a VARCHAR(40) with no constraint.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "witness_availabilities",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("availability", sa.LargeBinary(), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_witness_availabilities_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["complaint_people.id"],
            name=op.f("fk_witness_availabilities_person_id_complaint_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_availabilities")),
    )
    with op.batch_alter_table("witness_availabilities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_witness_availabilities_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(
            "ix_witness_availabilities_person_given", ["person_id", "given_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("witness_availabilities", schema=None) as batch_op:
        batch_op.drop_index("ix_witness_availabilities_person_given")
        batch_op.drop_index(batch_op.f("ix_witness_availabilities_complaint_id"))
    op.drop_table("witness_availabilities")
