"""Custom field definitions, the lost-reason pick-list and a lost reason's free text.

Revision ID: 0070
Revises: 0060
Create Date: 2026-11-23

Existing workspaces get the default pick-list, so deals can be lost on the day this lands.
Deal contact roles need no DDL: `deal_contacts.role` exists since 0002.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0070"
down_revision = "0060"
branch_labels = None
depends_on = None

# Kept in step with domain.lost_reasons.DEFAULTS (a revision must not import the app).
DEFAULT_LOST_REASONS = (
    "Price",
    "Budget",
    "Went with a competitor",
    "No decision",
    "Bad timing",
    "Missing feature",
    "Unresponsive",
    "Stale",
)


def upgrade() -> None:
    op.create_table(
        "custom_fields",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("object", sa.String(length=20), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column(
            "options",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("required", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "object IN ('contacts', 'accounts', 'deals')", name=op.f("ck_custom_fields_object_valid")
        ),
        sa.CheckConstraint(
            "type IN ('text', 'number', 'money', 'date', 'bool', 'select', 'multi_select', 'url', "
            "'email', 'phone')",
            name=op.f("ck_custom_fields_type_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_custom_fields_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custom_fields")),
        sa.UniqueConstraint(
            "workspace_id", "object", "key", name=op.f("uq_custom_fields_workspace_id_object_key")
        ),
    )
    op.create_table(
        "lost_reasons",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("other", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_lost_reasons_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lost_reasons")),
    )
    op.create_index(
        "uq_lost_reasons_workspace_label",
        "lost_reasons",
        ["workspace_id", sa.text("lower(label)")],
        unique=True,
    )
    op.create_index(
        "uq_lost_reasons_workspace_other",
        "lost_reasons",
        ["workspace_id"],
        unique=True,
        postgresql_where=sa.text("other"),
    )
    op.add_column("deals", sa.Column("lost_reason_detail", sa.String(length=1000), nullable=True))
    labels = [*DEFAULT_LOST_REASONS, "Other"]
    values = ", ".join(
        f"('{label}', {i}, {'true' if label == 'Other' else 'false'})" for i, label in enumerate(labels)
    )
    op.execute(
        "INSERT INTO lost_reasons (id, workspace_id, label, position, other, created_at) "
        "SELECT gen_random_uuid(), w.id, d.label, d.position, d.other, now() "
        f"FROM workspaces w CROSS JOIN (VALUES {values}) AS d(label, position, other)"
    )
    for table in ("custom_fields", "lost_reasons"):
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in ("custom_fields", "lost_reasons"):
        disable_tenant_rls(table)
    op.drop_column("deals", "lost_reason_detail")
    op.drop_index("uq_lost_reasons_workspace_other", table_name="lost_reasons")
    op.drop_index("uq_lost_reasons_workspace_label", table_name="lost_reasons")
    op.drop_table("lost_reasons")
    op.drop_table("custom_fields")
