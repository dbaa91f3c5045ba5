"""complaints committees deadlines

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 13:38:10.905142
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GROUNDS = [
    ("ancestry", "Ancestry"),
    ("race", "Race"),
    ("ethnic_or_national_origin", "Ethnic or national origin"),
    ("nationality", "Nationality"),
    ("political_belief", "Political belief"),
    ("religion", "Religion"),
    ("family_status", "Family status"),
    ("sex_including_pregnancy", "Sex, including pregnancy"),
    ("age", "Age"),
    ("marital_status", "Marital status"),
    ("sexual_orientation", "Sexual orientation"),
    ("source_of_income", "Source of income"),
    ("physical_or_mental_disability", "Physical or mental disability"),
]


def upgrade() -> None:

    grounds = op.create_table(
        "grounds",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_grounds")),
    )
    # 2.2: the protected characteristics named in the policy (The Human Rights Code, Manitoba).
    op.bulk_insert(
        grounds,
        [
            {"code": code, "label": label, "source": "Manitoba Human Rights Code", "active": True}
            for code, label in GROUNDS
        ],
    )
    op.create_table(
        "consultations",
        sa.Column("ombudsperson_id", sa.Uuid(), nullable=False),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("other_routes_told", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_consultations_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["ombudsperson_id"], ["users.id"], name=op.f("fk_consultations_ombudsperson_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_consultations_ombudsperson_id"), ["ombudsperson_id"], unique=False
        )

    op.create_table(
        "complaints",
        sa.Column("reference", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("intake_ombudsperson_id", sa.Uuid(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "intake",
                "informal",
                "letter",
                "review",
                "committee",
                "investigation",
                "conclusions",
                "closed",
                name="stage",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "closure",
            sa.Enum(
                "redirected",
                "resolved_informally",
                "referred_to_charge",
                "dismissed",
                "concluded",
                "withdrawn",
                name="closure",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column(
            "setting",
            sa.Enum(
                "local_500_event",
                "acting_for_local_500",
                "workplace",
                name="setting",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "redirected_to",
            sa.Enum(
                "grievance_procedure",
                "respectful_workplace_policy",
                name="redirection",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("other_routes_told_on", sa.Date(), nullable=True),
        sa.Column("resolution_sought", sa.Text(), nullable=False),
        sa.Column("grounds", sa.JSON(), nullable=False),
        sa.Column("consultation_id", sa.Uuid(), nullable=True),
        sa.Column(
            "formal_route",
            sa.Enum(
                "cupe_constitutional_charge",
                "local_500_procedure",
                name="formal_route",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("formal_route_chosen_on", sa.Date(), nullable=True),
        sa.Column("other_party_reviewed_on", sa.Date(), nullable=True),
        sa.Column("response_received_on", sa.Date(), nullable=True),
        sa.Column("response_text", sa.Text(), nullable=True),
        sa.Column("table_officers_notified_on", sa.Date(), nullable=True),
        sa.Column(
            "finding",
            sa.Enum(
                "harassment_found",
                "harassment_not_found",
                name="finding",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("findings_text", sa.Text(), nullable=True),
        sa.Column("findings_on", sa.Date(), nullable=True),
        sa.Column("complainant_told_conclusions_on", sa.Date(), nullable=True),
        sa.Column("other_party_told_conclusions_on", sa.Date(), nullable=True),
        sa.Column("complainant_not_satisfied_on", sa.Date(), nullable=True),
        sa.Column("referred_to_charge_on", sa.Date(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_complaints_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["intake_ombudsperson_id"],
            ["users.id"],
            name=op.f("fk_complaints_intake_ombudsperson_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("consultation_id", name=op.f("uq_complaints_consultation_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_complaints_reference")),
    )
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaints_intake_ombudsperson_id"),
            ["intake_ombudsperson_id"],
            unique=False,
        )
        batch_op.create_index("ix_complaints_stage_updated", ["stage", "updated_at"], unique=False)

    op.create_table(
        "attachments",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_attachments_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_attachments_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachments")),
    )
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attachments_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "committee_exclusions",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "reason",
            sa.Enum(
                "took_part_informally",
                "party_or_witness",
                "declared_conflict",
                "intake_ombudsperson",
                "inactive",
                "untrained",
                "no_current_seat",
                name="exclusion_reason",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_committee_exclusions_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_committee_exclusions_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committee_exclusions")),
    )
    with op.batch_alter_table("committee_exclusions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_committee_exclusions_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "committees",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("proposed", "confirmed", name="committee_status", native_enum=False, length=40),
            nullable=False,
        ),
        sa.Column("staff_resource_id", sa.Uuid(), nullable=True),
        sa.Column("proposed_by", sa.Uuid(), nullable=False),
        sa.Column("confirmed_by", sa.Uuid(), nullable=True),
        sa.Column("struck_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_committees_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["users.id"], name=op.f("fk_committees_confirmed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by"], ["users.id"], name=op.f("fk_committees_proposed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["staff_resource_id"], ["users.id"], name=op.f("fk_committees_staff_resource_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_committees")),
        sa.UniqueConstraint("complaint_id", name=op.f("uq_committees_complaint_id")),
    )
    op.create_table(
        "complaint_people",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "complainant",
                "other_party",
                "witness",
                name="party_role",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("member_id", sa.Uuid(), nullable=True),
        sa.Column("full_name", sa.String(length=200), nullable=True),
        sa.Column("contact", sa.String(length=300), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(member_id IS NOT NULL) OR (full_name IS NOT NULL)",
            name=op.f("ck_complaint_people_member_or_name"),
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_complaint_people_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_complaint_people_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint_people")),
    )
    with op.batch_alter_table("complaint_people", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_complaint_people_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(
            "ix_complaint_people_member_role", ["member_id", "role"], unique=False
        )

    op.create_table(
        "deadlines",
        sa.Column("complaint_id", sa.Uuid(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "written_response",
                "table_officer_notice",
                "crc_report",
                "policy_review",
                name="deadline_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "met",
                "met_late",
                "cancelled",
                name="deadline_status",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("basis", sa.String(length=60), nullable=False),
        sa.Column("trigger_on", sa.Date(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=True),
        sa.Column("period_months", sa.Integer(), nullable=True),
        sa.Column("nominal_due_on", sa.Date(), nullable=False),
        sa.Column("moved_by", sa.String(length=300), nullable=True),
        sa.Column("explanation", sa.String(length=400), nullable=False),
        sa.Column("satisfied_on", sa.Date(), nullable=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_deadlines_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deadlines")),
    )
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.create_index("ix_deadlines_complaint_kind", ["complaint_id", "kind"], unique=False)
        batch_op.create_index("ix_deadlines_due_on_id", ["due_on", "id"], unique=False)
        batch_op.create_index("ix_deadlines_updated_at_id", ["updated_at", "id"], unique=False)

    op.create_table(
        "disclosures",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "investigation",
                "corrective_action",
                "required_by_law",
                name="purpose",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("disclosed_by", sa.Uuid(), nullable=False),
        sa.Column("disclosed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_disclosures_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["disclosed_by"], ["users.id"], name=op.f("fk_disclosures_disclosed_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disclosures")),
    )
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_disclosures_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "incidents",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("occurred_at", sa.Time(), nullable=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_incidents_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incidents_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "informal_attempts",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "facilitated_meeting",
                "shuttle_discussion",
                "other_agreed_method",
                name="informal_method",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("method_description", sa.Text(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("other_party_answer", sa.Text(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "resolved",
                "refused",
                "failed",
                name="informal_outcome",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_informal_attempts_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_informal_attempts")),
    )
    with op.batch_alter_table("informal_attempts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_informal_attempts_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "investigation_entries",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "letter_review",
                "response_review",
                "complainant_interview",
                "other_party_interview",
                "witness_interview",
                "document",
                name="investigation_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_investigation_entries_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_investigation_entries_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_investigation_entries")),
    )
    with op.batch_alter_table("investigation_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_investigation_entries_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "letters",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("what_took_place", sa.Text(), nullable=True),
        sa.Column("when_it_took_place", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("witnesses", sa.Text(), nullable=True),
        sa.Column("resolution_sought", sa.Text(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_letters_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("complaint_id", name=op.f("pk_letters")),
    )
    op.create_table(
        "officer_conflicts",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_officer_conflicts_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_officer_conflicts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officer_conflicts")),
        sa.UniqueConstraint(
            "complaint_id", "user_id", name=op.f("uq_officer_conflicts_complaint_id_user_id")
        ),
    )
    with op.batch_alter_table("officer_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_officer_conflicts_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_officer_conflicts_user_id"), ["user_id"], unique=False)

    op.create_table(
        "ombudsperson_conflicts",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_ombudsperson_conflicts_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ombudsperson_conflicts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ombudsperson_conflicts")),
        sa.UniqueConstraint(
            "complaint_id", "user_id", name=op.f("uq_ombudsperson_conflicts_complaint_id_user_id")
        ),
    )
    with op.batch_alter_table("ombudsperson_conflicts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ombudsperson_conflicts_complaint_id"), ["complaint_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_ombudsperson_conflicts_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "party_notices",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "intake",
                "informal",
                "letter",
                "review",
                "committee",
                "investigation",
                "conclusions",
                "closed",
                name="stage",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column(
            "party",
            sa.Enum(
                "complainant",
                "other_party",
                "witness",
                name="party_role",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("owed_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("told_on", sa.Date(), nullable=True),
        sa.Column(
            "method",
            sa.Enum(
                "in_person",
                "phone",
                "email",
                "letter",
                name="notice_method",
                native_enum=False,
                length=40,
            ),
            nullable=True,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_party_notices_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_party_notices")),
        sa.UniqueConstraint(
            "complaint_id", "stage", "party", name=op.f("uq_party_notices_complaint_id_stage_party")
        ),
    )
    with op.batch_alter_table("party_notices", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_party_notices_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "timeline_events",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column(
            "stage",
            sa.Enum(
                "intake",
                "informal",
                "letter",
                "review",
                "committee",
                "investigation",
                "conclusions",
                "closed",
                name="stage",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["users.id"], name=op.f("fk_timeline_events_actor_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_timeline_events_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timeline_events")),
    )
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_timeline_events_complaint_at", ["complaint_id", "at"], unique=False
        )

    op.create_table(
        "committee_members",
        sa.Column("committee_id", sa.Uuid(), nullable=False),
        sa.Column("seat", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["committee_id"],
            ["committees.id"],
            name=op.f("fk_committee_members_committee_id_committees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_committee_members_user_id_users")
        ),
        sa.PrimaryKeyConstraint("committee_id", "seat", name=op.f("pk_committee_members")),
        sa.UniqueConstraint(
            "committee_id", "user_id", name=op.f("uq_committee_members_committee_id_user_id")
        ),
    )
    with op.batch_alter_table("committee_members", schema=None) as batch_op:
        batch_op.create_index("ix_committee_members_user", ["user_id"], unique=False)

    op.create_table(
        "disclosure_recipients",
        sa.Column("disclosure_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("recipient", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosures.id"],
            name=op.f("fk_disclosure_recipients_disclosure_id_disclosures"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_disclosure_recipients_user_id_users")
        ),
        sa.PrimaryKeyConstraint(
            "disclosure_id", "recipient", name=op.f("pk_disclosure_recipients")
        ),
    )
    op.create_table(
        "informal_participants",
        sa.Column("attempt_id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["informal_attempts.id"],
            name=op.f("fk_informal_participants_attempt_id_informal_attempts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_informal_participants_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_informal_participants_user_id_users")
        ),
        sa.PrimaryKeyConstraint("attempt_id", "user_id", name=op.f("pk_informal_participants")),
    )
    with op.batch_alter_table("informal_participants", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_informal_participants_complaint_id"), ["complaint_id"], unique=False
        )

    op.create_table(
        "recommendations",
        sa.Column("complaint_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "apology",
                "counselling",
                "training_or_education",
                "other",
                name="recommendation_kind",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("disclosure_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "implemented",
                "declined",
                name="recommendation_status",
                native_enum=False,
                length=40,
            ),
            nullable=False,
        ),
        sa.Column("status_on", sa.Date(), nullable=True),
        sa.Column("status_note", sa.Text(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["complaint_id"],
            ["complaints.id"],
            name=op.f("fk_recommendations_complaint_id_complaints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["disclosure_id"],
            ["disclosures.id"],
            name=op.f("fk_recommendations_disclosure_id_disclosures"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendations_complaint_id"), ["complaint_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("recommendations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendations_complaint_id"))

    op.drop_table("recommendations")
    with op.batch_alter_table("informal_participants", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_informal_participants_complaint_id"))

    op.drop_table("informal_participants")
    op.drop_table("disclosure_recipients")
    with op.batch_alter_table("committee_members", schema=None) as batch_op:
        batch_op.drop_index("ix_committee_members_user")

    op.drop_table("committee_members")
    with op.batch_alter_table("timeline_events", schema=None) as batch_op:
        batch_op.drop_index("ix_timeline_events_complaint_at")

    op.drop_table("timeline_events")
    with op.batch_alter_table("party_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_party_notices_complaint_id"))

    op.drop_table("party_notices")
    with op.batch_alter_table("ombudsperson_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ombudsperson_conflicts_user_id"))
        batch_op.drop_index(batch_op.f("ix_ombudsperson_conflicts_complaint_id"))

    op.drop_table("ombudsperson_conflicts")
    with op.batch_alter_table("officer_conflicts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_conflicts_user_id"))
        batch_op.drop_index(batch_op.f("ix_officer_conflicts_complaint_id"))

    op.drop_table("officer_conflicts")
    op.drop_table("letters")
    with op.batch_alter_table("investigation_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_investigation_entries_complaint_id"))

    op.drop_table("investigation_entries")
    with op.batch_alter_table("informal_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_informal_attempts_complaint_id"))

    op.drop_table("informal_attempts")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incidents_complaint_id"))

    op.drop_table("incidents")
    with op.batch_alter_table("disclosures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disclosures_complaint_id"))

    op.drop_table("disclosures")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_index("ix_deadlines_updated_at_id")
        batch_op.drop_index("ix_deadlines_due_on_id")
        batch_op.drop_index("ix_deadlines_complaint_kind")

    op.drop_table("deadlines")
    with op.batch_alter_table("complaint_people", schema=None) as batch_op:
        batch_op.drop_index("ix_complaint_people_member_role")
        batch_op.drop_index(batch_op.f("ix_complaint_people_complaint_id"))

    op.drop_table("complaint_people")
    op.drop_table("committees")
    with op.batch_alter_table("committee_exclusions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_committee_exclusions_complaint_id"))

    op.drop_table("committee_exclusions")
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachments_complaint_id"))

    op.drop_table("attachments")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index("ix_complaints_stage_updated")
        batch_op.drop_index(batch_op.f("ix_complaints_intake_ombudsperson_id"))

    op.drop_table("complaints")
    with op.batch_alter_table("consultations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consultations_ombudsperson_id"))

    op.drop_table("consultations")
    op.drop_table("grounds")
