"""portal messages

Messages between a party in the portal and the people who handle their complaint (issue
16), one thread per person, and their attachments; bodies, names and content sealed
under the complaint's data key.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_messages",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("author_user_id", sa.Uuid(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_by_party_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by_staff_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_user_id"], ["users.id"], name=op.f("fk_portal_messages_author_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_portal_messages_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["complaint_people.id"],
            name=op.f("fk_portal_messages_person_id_complaint_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_messages")),
    )
    with op.batch_alter_table("portal_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_messages_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(
            "ix_portal_messages_person_created", ["person_id", "created_at"], unique=False
        )

    op.create_table(
        "portal_message_attachments",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("message_id", sa.Uuid(), nullable=False),
        sa.Column("filename", sa.LargeBinary(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_portal_message_attachments_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["portal_messages.id"],
            name=op.f("fk_portal_message_attachments_message_id_portal_messages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_message_attachments")),
    )
    with op.batch_alter_table("portal_message_attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_message_attachments_complaint_id"),
            ["complaint_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_portal_message_attachments_message_id"), ["message_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("portal_message_attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_message_attachments_message_id"))
        batch_op.drop_index(batch_op.f("ix_portal_message_attachments_complaint_id"))
    op.drop_table("portal_message_attachments")
    with op.batch_alter_table("portal_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_messages_person_created")
        batch_op.drop_index(batch_op.f("ix_portal_messages_complaint_id"))
    op.drop_table("portal_messages")
