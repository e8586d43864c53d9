"""Lead capture and integrations: web forms and their submissions, outbound webhooks, inbound
email, and open tracking of logged emails.

Every new table is a tenant table under the row-level-security policy; foreign keys between
tenant tables carry workspace_id. The public look-ups (a form by its key, an inbound secret, a
tracking token) run on the connecting role before any workspace is known, through the unique
indexes on `forms.key`, `inbound_mailboxes.secret_digest` and `activities.open_token`.

`form_submissions` is written by the public intake, so it has only the indexes its list and
counts read, and a partial one of pending rows: the queue workers take submissions from.
`ix_webhook_deliveries_due` is partial too: only deliveries still owed are in it.

Revision ID: 0030
Revises: (see down_revision)
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text, Uuid
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0030"
down_revision = "0020"
branch_labels = None
depends_on = None

TABLES = (
    "forms",
    "form_submissions",
    "webhook_subscriptions",
    "webhook_deliveries",
    "inbound_mailboxes",
    "email_messages",
)


def upgrade() -> None:
    op.create_table(
        "email_messages",
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("from_address", sa.String(length=320), nullable=True),
        sa.Column("to_addresses", postgresql.ARRAY(Text()), nullable=False),
        sa.Column("cc_addresses", postgresql.ARRAY(Text()), nullable=False),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("in_reply_to", sa.String(length=998), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("activity_ids", postgresql.ARRAY(Uuid()), nullable=False),
        sa.Column("contact_ids", postgresql.ARRAY(Uuid()), nullable=False),
        sa.Column("deal_ids", postgresql.ARRAY(Uuid()), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_email_messages_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_messages")),
        sa.UniqueConstraint(
            "workspace_id", "message_id", name=op.f("uq_email_messages_workspace_id_message_id")
        ),
    )
    op.create_table(
        "inbound_mailboxes",
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("secret_digest", sa.String(length=64), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_inbound_mailboxes_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_mailboxes")),
        sa.UniqueConstraint("secret_digest", name=op.f("uq_inbound_mailboxes_secret_digest")),
        sa.UniqueConstraint("workspace_id", name=op.f("uq_inbound_mailboxes_workspace_id")),
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("events", postgresql.ARRAY(Text()), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_webhook_subscriptions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscriptions")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_webhook_subscriptions_workspace_id_id")),
    )
    op.create_index(
        "ix_webhook_subscriptions_workspace_created",
        "webhook_subscriptions",
        ["workspace_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("leased_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column(
            "log", postgresql.JSONB(astext_type=Text()), server_default=sa.text("'[]'::jsonb"), nullable=False
        ),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'retrying', 'succeeded', 'failed')",
            name=op.f("ck_webhook_deliveries_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "subscription_id"],
            ["webhook_subscriptions.workspace_id", "webhook_subscriptions.id"],
            name=op.f("fk_webhook_deliveries_workspace_id_subscription_id_webhook_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_webhook_deliveries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint(
            "workspace_id",
            "subscription_id",
            "event_id",
            name=op.f("uq_webhook_deliveries_workspace_id_subscription_id_event_id"),
        ),
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("status IN ('pending', 'retrying')"),
    )
    op.create_index(
        "ix_webhook_deliveries_subscription",
        "webhook_deliveries",
        ["workspace_id", "subscription_id", "created_at", "id"],
        unique=False,
    )
    op.create_table(
        "forms",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=True),
        sa.Column("stage_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("create_deal", sa.Boolean(), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=True),
        sa.Column(
            "allowed_origins", postgresql.ARRAY(Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("thank_you_url", sa.String(length=2000), nullable=True),
        sa.Column("routing", postgresql.JSONB(astext_type=Text()), nullable=True),
        sa.Column(
            "field_mapping",
            postgresql.JSONB(astext_type=Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("round_robin_next", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_forms_created_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_forms_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "pipeline_id"],
            ["pipelines.workspace_id", "pipelines.id"],
            name=op.f("fk_forms_workspace_id_pipeline_id_pipelines"),
            ondelete="SET NULL (pipeline_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "stage_id"],
            ["stages.workspace_id", "stages.id"],
            name=op.f("fk_forms_workspace_id_stage_id_stages"),
            ondelete="SET NULL (stage_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_forms_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forms")),
        sa.UniqueConstraint("key", name=op.f("uq_forms_key")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_forms_workspace_id_id")),
    )
    op.create_index("ix_forms_workspace_created", "forms", ["workspace_id", "created_at", "id"], unique=False)
    op.create_table(
        "form_submissions",
        sa.Column("form_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("content_type", sa.String(length=200), nullable=True),
        sa.Column("headers", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("raw_body", sa.LargeBinary(), nullable=False),
        sa.Column("fields", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("lead", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("deal_id", sa.Uuid(), nullable=True),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'processed', 'spam', 'rejected', 'failed')",
            name=op.f("ck_form_submissions_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "account_id"],
            ["accounts.workspace_id", "accounts.id"],
            name=op.f("fk_form_submissions_workspace_id_account_id_accounts"),
            ondelete="SET NULL (account_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "activity_id"],
            ["activities.workspace_id", "activities.id"],
            name=op.f("fk_form_submissions_workspace_id_activity_id_activities"),
            ondelete="SET NULL (activity_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "contact_id"],
            ["contacts.workspace_id", "contacts.id"],
            name=op.f("fk_form_submissions_workspace_id_contact_id_contacts"),
            ondelete="SET NULL (contact_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "deal_id"],
            ["deals.workspace_id", "deals.id"],
            name=op.f("fk_form_submissions_workspace_id_deal_id_deals"),
            ondelete="SET NULL (deal_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "form_id"],
            ["forms.workspace_id", "forms.id"],
            name=op.f("fk_form_submissions_workspace_id_form_id_forms"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_form_submissions_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_submissions")),
    )
    op.create_index(
        "ix_form_submissions_form_received",
        "form_submissions",
        ["workspace_id", "form_id", "received_at", "id"],
        unique=False,
    )
    op.create_index(
        "ix_form_submissions_form_status",
        "form_submissions",
        ["workspace_id", "form_id", "status"],
        unique=False,
    )
    op.create_index(
        "ix_form_submissions_pending",
        "form_submissions",
        ["received_at"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    for table in TABLES:
        enable_tenant_rls(table)
    op.add_column("activities", sa.Column("open_token", sa.String(length=64), nullable=True))
    op.add_column("activities", sa.Column("tracking_pixel_url", sa.String(length=2000), nullable=True))
    op.add_column("activities", sa.Column("first_opened_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "activities", sa.Column("open_count", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )
    op.create_index(
        "ix_activities_open_token",
        "activities",
        ["open_token"],
        unique=True,
        postgresql_where=sa.text("open_token IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_activities_open_token", table_name="activities")
    for column in ("open_count", "first_opened_at", "tracking_pixel_url", "open_token"):
        op.drop_column("activities", column)
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        op.drop_table(table)
