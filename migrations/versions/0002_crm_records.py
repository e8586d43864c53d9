"""CRM records: accounts, contacts, pipelines, stages, deals, deal contacts, stage history, activities.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

TENANT_TABLES = (
    "accounts",
    "contacts",
    "pipelines",
    "stages",
    "deals",
    "deal_contacts",
    "stage_history",
    "activities",
)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("domain", sa.String(length=255), nullable=True),
        sa.Column("website", sa.String(length=500), nullable=True),
        sa.Column("industry", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column(
            "custom_fields",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_accounts_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_accounts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_accounts_workspace_id_id")),
    )
    op.create_index(
        "ix_accounts_name_trgm",
        "accounts",
        [sa.literal_column("lower(name) gin_trgm_ops")],
        unique=False,
        postgresql_using="gin",
    )
    op.create_index("ix_accounts_workspace_domain", "accounts", ["workspace_id", "domain"], unique=False)
    op.create_index(
        "ix_accounts_workspace_updated", "accounts", ["workspace_id", "updated_at", "id"], unique=False
    )
    op.create_table(
        "pipelines",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_default", sa.Boolean(), nullable=False),
        sa.Column("on_won", sa.String(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_pipelines_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipelines")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_pipelines_workspace_id_id")),
    )
    op.create_table(
        "contacts",
        sa.Column("first_name", sa.String(length=200), nullable=True),
        sa.Column("last_name", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column(
            "custom_fields",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("attribution", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("merged_into_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "search_text",
            sa.Text(),
            sa.Computed(
                "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(title, ''))",
                persisted=True,
            ),
            nullable=False,
        ),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_contacts_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "account_id"],
            ["accounts.workspace_id", "accounts.id"],
            name=op.f("fk_contacts_workspace_id_account_id_accounts"),
            ondelete="SET NULL (account_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_contacts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_contacts_workspace_id_id")),
    )
    op.create_index(
        "ix_contacts_search_trgm",
        "contacts",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index("ix_contacts_workspace_account", "contacts", ["workspace_id", "account_id"], unique=False)
    op.create_index(
        "ix_contacts_workspace_created", "contacts", ["workspace_id", "created_at", "id"], unique=False
    )
    op.create_index("ix_contacts_workspace_email", "contacts", ["workspace_id", "email"], unique=False)
    op.create_index("ix_contacts_workspace_phone", "contacts", ["workspace_id", "phone"], unique=False)
    op.create_index(
        "ix_contacts_workspace_updated", "contacts", ["workspace_id", "updated_at", "id"], unique=False
    )
    op.create_table(
        "stages",
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("rotting_days", sa.Integer(), nullable=True),
        sa.Column(
            "required_fields", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('open', 'won', 'lost')", name=op.f("ck_stages_kind_valid")),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name=op.f("ck_stages_probability_range")),
        sa.ForeignKeyConstraint(
            ["workspace_id", "pipeline_id"],
            ["pipelines.workspace_id", "pipelines.id"],
            name=op.f("fk_stages_workspace_id_pipeline_id_pipelines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_stages_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stages")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_stages_workspace_id_id")),
        sa.UniqueConstraint(
            "workspace_id", "pipeline_id", "id", name=op.f("uq_stages_workspace_id_pipeline_id_id")
        ),
    )
    op.create_index("ix_stages_pipeline", "stages", ["workspace_id", "pipeline_id", "position"], unique=False)
    op.create_table(
        "deals",
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("expected_close_date", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lost_reason", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("rank", sa.String(length=200, collation="C"), nullable=False),
        sa.Column("stage_entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tags", postgresql.ARRAY(sa.Text()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column(
            "custom_fields",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("search_text", sa.Text(), sa.Computed("lower(title)", persisted=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('open', 'won', 'lost')", name=op.f("ck_deals_status_valid")),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_deals_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "account_id"],
            ["accounts.workspace_id", "accounts.id"],
            name=op.f("fk_deals_workspace_id_account_id_accounts"),
            ondelete="SET NULL (account_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "pipeline_id", "stage_id"],
            ["stages.workspace_id", "stages.pipeline_id", "stages.id"],
            name=op.f("fk_deals_workspace_id_pipeline_id_stage_id_stages"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_deals_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deals")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_deals_workspace_id_id")),
    )
    op.create_index("ix_deals_board", "deals", ["workspace_id", "stage_id", "rank", "id"], unique=False)
    op.create_index(
        "ix_deals_open_stage_totals",
        "deals",
        ["workspace_id", "stage_id", "currency"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
        postgresql_include=["amount"],
    )
    op.create_index(
        "ix_deals_search_trgm",
        "deals",
        ["search_text"],
        unique=False,
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.create_index("ix_deals_workspace_account", "deals", ["workspace_id", "account_id"], unique=False)
    op.create_index(
        "ix_deals_workspace_closed", "deals", ["workspace_id", "stage_id", "closed_at"], unique=False
    )
    op.create_index("ix_deals_workspace_owner", "deals", ["workspace_id", "owner_id"], unique=False)
    op.create_index("ix_deals_workspace_updated", "deals", ["workspace_id", "updated_at", "id"], unique=False)
    op.create_table(
        "activities",
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("remind_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("deal_id", sa.Uuid(), nullable=True),
        sa.Column("created_by_type", sa.String(length=20), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "type IN ('call', 'email', 'meeting', 'task', 'note')", name=op.f("ck_activities_type_valid")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_activities_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "account_id"],
            ["accounts.workspace_id", "accounts.id"],
            name=op.f("fk_activities_workspace_id_account_id_accounts"),
            ondelete="SET NULL (account_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "contact_id"],
            ["contacts.workspace_id", "contacts.id"],
            name=op.f("fk_activities_workspace_id_contact_id_contacts"),
            ondelete="SET NULL (contact_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "deal_id"],
            ["deals.workspace_id", "deals.id"],
            name=op.f("fk_activities_workspace_id_deal_id_deals"),
            ondelete="SET NULL (deal_id)",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_activities_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_activities_workspace_id_id")),
    )
    op.create_index(
        "ix_activities_account", "activities", ["workspace_id", "account_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_activities_contact", "activities", ["workspace_id", "contact_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_activities_deal", "activities", ["workspace_id", "deal_id", "created_at"], unique=False
    )
    op.create_index(
        "ix_activities_open_tasks",
        "activities",
        ["workspace_id", "owner_id", "due_at"],
        unique=False,
        postgresql_where=sa.text("completed_at IS NULL"),
    )
    op.create_index(
        "ix_activities_workspace_created", "activities", ["workspace_id", "created_at", "id"], unique=False
    )
    op.create_table(
        "deal_contacts",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("contact_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=30), nullable=True),
        sa.ForeignKeyConstraint(
            ["workspace_id", "contact_id"],
            ["contacts.workspace_id", "contacts.id"],
            name=op.f("fk_deal_contacts_workspace_id_contact_id_contacts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "deal_id"],
            ["deals.workspace_id", "deals.id"],
            name=op.f("fk_deal_contacts_workspace_id_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_deal_contacts_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "deal_id", "contact_id", name=op.f("pk_deal_contacts")),
    )
    op.create_index("ix_deal_contacts_contact", "deal_contacts", ["workspace_id", "contact_id"], unique=False)
    op.create_table(
        "stage_history",
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("from_stage_id", sa.Uuid(), nullable=True),
        sa.Column("to_stage_id", sa.Uuid(), nullable=False),
        sa.Column("actor_type", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "deal_id"],
            ["deals.workspace_id", "deals.id"],
            name=op.f("fk_stage_history_workspace_id_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_stage_history_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_history")),
    )
    op.create_index("ix_stage_history_deal", "stage_history", ["workspace_id", "deal_id", "at"], unique=False)
    op.create_index(
        "ix_stage_history_to_stage", "stage_history", ["workspace_id", "to_stage_id", "at"], unique=False
    )
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
    op.drop_index("ix_stage_history_to_stage", table_name="stage_history")
    op.drop_index("ix_stage_history_deal", table_name="stage_history")
    op.drop_table("stage_history")
    op.drop_index("ix_deal_contacts_contact", table_name="deal_contacts")
    op.drop_table("deal_contacts")
    op.drop_index("ix_activities_workspace_created", table_name="activities")
    op.drop_index(
        "ix_activities_open_tasks", table_name="activities", postgresql_where=sa.text("completed_at IS NULL")
    )
    op.drop_index("ix_activities_deal", table_name="activities")
    op.drop_index("ix_activities_contact", table_name="activities")
    op.drop_index("ix_activities_account", table_name="activities")
    op.drop_table("activities")
    op.drop_index("ix_deals_workspace_updated", table_name="deals")
    op.drop_index("ix_deals_workspace_owner", table_name="deals")
    op.drop_index("ix_deals_workspace_closed", table_name="deals")
    op.drop_index("ix_deals_workspace_account", table_name="deals")
    op.drop_index(
        "ix_deals_search_trgm",
        table_name="deals",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_index(
        "ix_deals_open_stage_totals",
        table_name="deals",
        postgresql_where=sa.text("status = 'open'"),
        postgresql_include=["amount"],
    )
    op.drop_index("ix_deals_board", table_name="deals")
    op.drop_table("deals")
    op.drop_index("ix_stages_pipeline", table_name="stages")
    op.drop_table("stages")
    op.drop_index("ix_contacts_workspace_updated", table_name="contacts")
    op.drop_index("ix_contacts_workspace_phone", table_name="contacts")
    op.drop_index("ix_contacts_workspace_email", table_name="contacts")
    op.drop_index("ix_contacts_workspace_created", table_name="contacts")
    op.drop_index("ix_contacts_workspace_account", table_name="contacts")
    op.drop_index(
        "ix_contacts_search_trgm",
        table_name="contacts",
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )
    op.drop_table("contacts")
    op.drop_table("pipelines")
    op.drop_index("ix_accounts_workspace_updated", table_name="accounts")
    op.drop_index("ix_accounts_workspace_domain", table_name="accounts")
    op.drop_index("ix_accounts_name_trgm", table_name="accounts", postgresql_using="gin")
    op.drop_table("accounts")
