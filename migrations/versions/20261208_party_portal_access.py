"""party portal access

The parties' portal, its foundation (issue 16): invitations (a single-use link and an
access code, stored as hashes), each person's access (a public sign-in id and a
passphrase hash) and the portal's own sessions.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _party() -> sa.Enum:
    return sa.Enum(
        "complainant", "other_party", "witness", name="party_role", native_enum=False, length=40
    )


def upgrade() -> None:
    op.create_table(
        "portal_invitations",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("party", _party(), nullable=False),
        sa.Column("link_token_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("issued_by", sa.Uuid(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_portal_invitations_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["users.id"], name=op.f("fk_portal_invitations_issued_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["complaint_people.id"],
            name=op.f("fk_portal_invitations_person_id_complaint_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_invitations")),
        sa.UniqueConstraint("link_token_hash", name=op.f("uq_portal_invitations_link_token_hash")),
    )
    with op.batch_alter_table("portal_invitations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_invitations_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(
            "ix_portal_invitations_person_issued", ["person_id", "issued_at"], unique=False
        )

    op.create_table(
        "portal_accesses",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column("party", _party(), nullable=False),
        sa.Column("sign_in_id", sa.String(length=16), nullable=False),
        sa.Column("passphrase_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_reason", sa.String(length=40), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_portal_accesses_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["complaint_people.id"],
            name=op.f("fk_portal_accesses_person_id_complaint_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_accesses")),
        sa.UniqueConstraint("person_id", name=op.f("uq_portal_accesses_person_id")),
        sa.UniqueConstraint("sign_in_id", name=op.f("uq_portal_accesses_sign_in_id")),
    )
    with op.batch_alter_table("portal_accesses", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_accesses_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "portal_sessions",
        sa.Column("access_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["access_id"],
            ["portal_accesses.id"],
            name=op.f("fk_portal_sessions_access_id_portal_accesses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_sessions")),
    )
    with op.batch_alter_table("portal_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_portal_sessions_access_id"), ["access_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("portal_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_sessions_access_id"))
    op.drop_table("portal_sessions")
    with op.batch_alter_table("portal_accesses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_accesses_complaint_id"))
    op.drop_table("portal_accesses")
    with op.batch_alter_table("portal_invitations", schema=None) as batch_op:
        batch_op.drop_index("ix_portal_invitations_person_issued")
        batch_op.drop_index(batch_op.f("ix_portal_invitations_complaint_id"))
    op.drop_table("portal_invitations")
