"""Automations, their runs, round-robin positions, notifications; deals' contract end date.

Revision ID: 0040
Revises: (see down_revision)
Create Date: 2026-11-25

`automation_runs` carries the UNIQUE key (workspace, rule, subject, cause) that makes every
firing happen once. `deals.contract_end_date` is what the `renewal_due` trigger reads; the
after-the-sale issue exposes it in the API (added with IF NOT EXISTS in case it lands first).
Two partial indexes on open activities let the sweep find due reminders across workspaces
without reading every open task.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0040"
down_revision = "0030"
branch_labels = None
depends_on = None

TENANT_TABLES = ("automations", "automation_runs", "automation_round_robin", "notifications")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "automations",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("trigger", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("trigger_type", sa.String(length=40), sa.Computed("trigger ->> 'type'", persisted=True)),
        sa.Column(
            "conditions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("actions", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        *_timestamps(),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_automations_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_automations_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automations")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_automations_workspace_id_id")),
    )
    op.create_index("ix_automations_workspace_created", "automations", ["workspace_id", "created_at", "id"])
    op.create_index(
        "ix_automations_enabled_trigger",
        "automations",
        ["workspace_id", "trigger_type"],
        postgresql_where=sa.text("enabled"),
    )

    op.create_table(
        "automation_runs",
        sa.Column("automation_id", sa.Uuid(), nullable=False),
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("cause_key", sa.String(length=300), nullable=False),
        sa.Column("trigger_type", sa.String(length=40), nullable=False),
        sa.Column("cause", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column(
            "actions",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'[]'::jsonb"),
            nullable=False,
        ),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "automation_id"],
            ["automations.workspace_id", "automations.id"],
            name=op.f("fk_automation_runs_workspace_id_automation_id_automations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_automation_runs_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_automation_runs")),
        sa.UniqueConstraint(
            "workspace_id",
            "automation_id",
            "subject_id",
            "cause_key",
            name=op.f("uq_automation_runs_workspace_id_automation_id_subject_id_cause_key"),
        ),
    )
    op.create_index(
        "ix_automation_runs_list", "automation_runs", ["workspace_id", "automation_id", "fired_at", "id"]
    )

    op.create_table(
        "automation_round_robin",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("automation_id", sa.Uuid(), nullable=False),
        sa.Column("handed_out", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "automation_id"],
            ["automations.workspace_id", "automations.id"],
            name=op.f("fk_automation_round_robin_workspace_id_automation_id_automations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_automation_round_robin_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "automation_id", name=op.f("pk_automation_round_robin")),
    )

    op.create_table(
        "notifications",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("subject_type", sa.String(length=30), nullable=True),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "user_id"],
            ["memberships.workspace_id", "memberships.user_id"],
            name=op.f("fk_notifications_workspace_id_user_id_memberships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_notifications_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "workspace_id",
            "user_id",
            "dedupe_key",
            name=op.f("uq_notifications_workspace_id_user_id_dedupe_key"),
        ),
    )
    op.create_index(
        "ix_notifications_user_created", "notifications", ["workspace_id", "user_id", "created_at", "id"]
    )
    op.create_index(
        "ix_notifications_user_unread",
        "notifications",
        ["workspace_id", "user_id"],
        postgresql_where=sa.text("read_at IS NULL"),
    )

    for table in TENANT_TABLES:
        enable_tenant_rls(table)

    op.execute("ALTER TABLE deals ADD COLUMN IF NOT EXISTS contract_end_date date")
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_deals_contract_end ON deals (workspace_id, contract_end_date) "
        "WHERE contract_end_date IS NOT NULL"
    )
    op.execute(
        "CREATE INDEX ix_activities_open_due ON activities (due_at) "
        "WHERE completed_at IS NULL AND due_at IS NOT NULL"
    )
    op.execute(
        "CREATE INDEX ix_activities_open_remind ON activities (remind_at) "
        "WHERE completed_at IS NULL AND remind_at IS NOT NULL"
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_activities_open_remind")
    op.execute("DROP INDEX IF EXISTS ix_activities_open_due")
    op.execute("DROP INDEX IF EXISTS ix_deals_contract_end")
    op.execute("ALTER TABLE deals DROP COLUMN IF EXISTS contract_end_date")
    for table in reversed(TENANT_TABLES):
        disable_tenant_rls(table)
    op.drop_table("notifications")
    op.drop_table("automation_round_robin")
    op.drop_table("automation_runs")
    op.drop_table("automations")
