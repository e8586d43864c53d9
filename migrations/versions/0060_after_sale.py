"""After the sale: commitments, delivery projects and their milestones, renewals.

Revision ID: 0060
Revises: (see down_revision)
Create Date: 2026-11-23

`projects` has UNIQUE (workspace_id, deal_id): winning a deal again (or an event delivered
twice) cannot open a second project. `deals.renewal_of_id` has a partial UNIQUE index: a deal
is renewed once, however often the renewal sweep runs. `deals.contract_end_date` exists since
0040 (the `renewal_due` trigger reads it); this adds the start date and the renewal amount.
Pipelines gain `project_template` (milestones every new project gets), `renewal_lead_days`
(how long before a contract ends its renewal opens; null: never) and `renewal_pipeline_id`
(where renewals open; null: the same pipeline).
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0060"
down_revision = "0055"
branch_labels = None
depends_on = None

TENANT_TABLES = ("commitments", "projects", "project_milestones")


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def _tenant(table: str) -> list[sa.Column | sa.Constraint]:
    return [
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=f"fk_{table}_workspace_id_workspaces",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
        sa.UniqueConstraint("workspace_id", "id", name=f"uq_{table}_workspace_id_id"),
    ]


def _link(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    """A tenant foreign key (workspace_id, column) that is cleared when its target goes."""
    return sa.ForeignKeyConstraint(
        ["workspace_id", column],
        [f"{target}.workspace_id", f"{target}.id"],
        name=f"fk_{table}_workspace_id_{column}_{target}",
        ondelete=f"SET NULL ({column})",
    )


def _owner(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["owner_id"], ["users.id"], name=f"fk_{table}_owner_id_users", ondelete="SET NULL"
    )


def upgrade() -> None:
    op.add_column("deals", sa.Column("contract_start_date", sa.Date(), nullable=True))
    op.execute("ALTER TABLE deals ADD COLUMN IF NOT EXISTS contract_end_date date")
    op.add_column("deals", sa.Column("renewal_amount", sa.Numeric(18, 3), nullable=True))
    op.add_column("deals", sa.Column("renewal_of_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "fk_deals_workspace_id_renewal_of_id_deals",
        "deals",
        "deals",
        ["workspace_id", "renewal_of_id"],
        ["workspace_id", "id"],
        ondelete="SET NULL (renewal_of_id)",
    )
    op.create_index(
        "ix_deals_renewal_of",
        "deals",
        ["workspace_id", "renewal_of_id"],
        unique=True,
        postgresql_where=sa.text("renewal_of_id IS NOT NULL"),
    )

    op.add_column("pipelines", sa.Column("project_template", postgresql.JSONB(), nullable=True))
    op.add_column(
        "pipelines",
        sa.Column("renewal_lead_days", sa.Integer(), server_default=sa.text("60"), nullable=True),
    )
    op.add_column("pipelines", sa.Column("renewal_pipeline_id", sa.Uuid(), nullable=True))
    op.create_foreign_key(
        "fk_pipelines_workspace_id_renewal_pipeline_id_pipelines",
        "pipelines",
        "pipelines",
        ["workspace_id", "renewal_pipeline_id"],
        ["workspace_id", "id"],
        ondelete="SET NULL (renewal_pipeline_id)",
    )

    op.create_table(
        "commitments",
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("deal_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("contact_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("evidence_activity_id", sa.Uuid(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        *_tenant("commitments"),
        _link("commitments", "deal_id", "deals"),
        _link("commitments", "account_id", "accounts"),
        _link("commitments", "contact_id", "contacts"),
        _link("commitments", "evidence_activity_id", "activities"),
        _owner("commitments"),
        sa.CheckConstraint(
            "status IN ('open', 'kept', 'broken', 'waived')", name="ck_commitments_status_valid"
        ),
    )
    op.create_index("ix_commitments_workspace_created", "commitments", ["workspace_id", "created_at", "id"])
    op.create_index("ix_commitments_deal", "commitments", ["workspace_id", "deal_id"])
    op.create_index("ix_commitments_account", "commitments", ["workspace_id", "account_id"])
    op.create_index("ix_commitments_contact", "commitments", ["workspace_id", "contact_id"])
    op.create_index(
        "ix_commitments_open_due",
        "commitments",
        ["workspace_id", "owner_id", "due_date"],
        postgresql_where=sa.text("status = 'open'"),
    )

    op.create_table(
        "projects",
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("deal_id", sa.Uuid(), nullable=True),
        sa.Column("account_id", sa.Uuid(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("contact_ids", postgresql.ARRAY(sa.Uuid()), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("contract_start_date", sa.Date(), nullable=True),
        sa.Column("contract_end_date", sa.Date(), nullable=True),
        sa.Column("renewal_amount", sa.Numeric(18, 3), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        *_timestamps(),
        *_tenant("projects"),
        _link("projects", "deal_id", "deals"),
        _link("projects", "account_id", "accounts"),
        _owner("projects"),
        sa.CheckConstraint(
            "status IN ('planned', 'active', 'on_hold', 'done')", name="ck_projects_status_valid"
        ),
    )
    op.create_index("ix_projects_workspace_created", "projects", ["workspace_id", "created_at", "id"])
    op.create_index("ix_projects_deal", "projects", ["workspace_id", "deal_id"], unique=True)
    op.create_index("ix_projects_account", "projects", ["workspace_id", "account_id"])

    op.create_table(
        "project_milestones",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("commitment_id", sa.Uuid(), nullable=True),
        *_timestamps(),
        *_tenant("project_milestones"),
        sa.ForeignKeyConstraint(
            ["workspace_id", "project_id"],
            ["projects.workspace_id", "projects.id"],
            name="fk_project_milestones_workspace_id_project_id_projects",
            ondelete="CASCADE",
        ),
        _link("project_milestones", "commitment_id", "commitments"),
        sa.CheckConstraint("status IN ('open', 'done')", name="ck_project_milestones_status_valid"),
    )
    op.create_index(
        "ix_project_milestones_project", "project_milestones", ["workspace_id", "project_id", "position"]
    )
    op.create_index(
        "ix_project_milestones_commitment",
        "project_milestones",
        ["workspace_id", "project_id", "commitment_id"],
        unique=True,
        postgresql_where=sa.text("commitment_id IS NOT NULL"),
    )

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        disable_tenant_rls(table)
    op.drop_table("project_milestones")
    op.drop_table("projects")
    op.drop_table("commitments")
    op.drop_constraint("fk_pipelines_workspace_id_renewal_pipeline_id_pipelines", "pipelines")
    op.drop_column("pipelines", "renewal_pipeline_id")
    op.drop_column("pipelines", "renewal_lead_days")
    op.drop_column("pipelines", "project_template")
    op.drop_index("ix_deals_renewal_of", table_name="deals")
    op.drop_constraint("fk_deals_workspace_id_renewal_of_id_deals", "deals")
    op.drop_column("deals", "renewal_of_id")
    op.drop_column("deals", "renewal_amount")
    op.drop_column("deals", "contract_start_date")
