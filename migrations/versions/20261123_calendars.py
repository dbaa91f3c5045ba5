"""calendars: feed tokens, CalDAV connections and the events pushed to them

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 14:01:08.325350
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "caldav_connections",
        sa.Column(
            "scope",
            sa.Enum("own", "shared", name="caldav_scope", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("owner_id", sa.Uuid(), nullable=False),
        sa.Column("url_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("username_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column("password_encrypted", sa.LargeBinary(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "ok", "broken", name="caldav_status", native_enum=False, length=20),
            nullable=False,
        ),
        sa.Column("status_message", sa.String(length=300), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=40), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_caldav_connections_owner_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caldav_connections")),
    )
    with op.batch_alter_table("caldav_connections", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_caldav_connections_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "calendar_feed_tokens",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "ended_how",
            sa.Enum("rotated", "revoked", name="feed_token_end", native_enum=False, length=20),
            nullable=True,
        ),
        sa.Column("last_modified", sa.DateTime(timezone=True), nullable=True),
        sa.Column("body_etag", sa.String(length=80), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_calendar_feed_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feed_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_calendar_feed_tokens_token_hash")),
    )
    with op.batch_alter_table("calendar_feed_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_feed_tokens_user_id"), ["user_id"], unique=False
        )
        batch_op.create_index(
            "uq_calendar_feed_tokens_live_user",
            ["user_id"],
            unique=True,
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )

    op.create_table(
        "caldav_synced_events",
        sa.Column("connection_id", sa.Uuid(), nullable=False),
        sa.Column("deadline_id", sa.Uuid(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("body_hash", sa.String(length=64), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["caldav_connections.id"],
            name=op.f("fk_caldav_synced_events_connection_id_caldav_connections"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "connection_id", "deadline_id", name=op.f("pk_caldav_synced_events")
        ),
    )


def downgrade() -> None:
    op.drop_table("caldav_synced_events")
    with op.batch_alter_table("calendar_feed_tokens", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_calendar_feed_tokens_live_user",
            sqlite_where=sa.text("ended_at IS NULL"),
            postgresql_where=sa.text("ended_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_calendar_feed_tokens_user_id"))

    op.drop_table("calendar_feed_tokens")
    with op.batch_alter_table("caldav_connections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_caldav_connections_owner_id"))

    op.drop_table("caldav_connections")
