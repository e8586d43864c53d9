"""Trash (undo for deletes) and bulk operations.

Revision ID: 0080
Revises: 0070
Create Date: 2026-11-23

A deleted contact, account, deal or activity leaves its table as today (foreign keys set null or
cascade as they always did) and lands in `trash_items` as a JSON snapshot of the row and of every
link the delete undid, so a restore puts back the row and its links exactly. Reads never see the
trash: no list, search, board, report or automation query needs a `deleted_at` filter.

A bulk operation fixes its records when it is created (`bulk_operation_items`, one row per
(operation, record)); each record's change and its result commit together, so a job killed
mid-way resumes with the items still pending and never applies one twice.
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0080"
down_revision = "0070"
branch_labels = None
depends_on = None

TABLES = ("trash_items", "bulk_operations", "bulk_operation_items")


def upgrade() -> None:
    op.create_table(
        "trash_items",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("object", sa.String(20), nullable=False),
        sa.Column("title", sa.String(500), nullable=False),
        sa.Column("snapshot", postgresql.JSONB(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deleted_by_type", sa.String(20), nullable=False),
        sa.Column("deleted_by_id", sa.Uuid(), nullable=True),
        sa.Column("deleted_by_name", sa.String(300), nullable=True),
        sa.Column("purge_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "object IN ('contacts', 'accounts', 'deals', 'activities')",
            name=op.f("ck_trash_items_object_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_trash_items_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trash_items")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_trash_items_workspace_id_id")),
    )
    op.create_index("ix_trash_items_workspace_deleted", "trash_items", ["workspace_id", "deleted_at", "id"])
    op.create_index("ix_trash_items_purge_at", "trash_items", ["purge_at"])

    op.create_table(
        "bulk_operations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("object", sa.String(20), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("params", postgresql.JSONB(), nullable=False),
        sa.Column("if_match", postgresql.JSONB(), nullable=False),
        sa.Column("principal", postgresql.JSONB(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("succeeded", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_bulk_operations_status_valid")
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_bulk_operations_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bulk_operations")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_bulk_operations_workspace_id_id")),
    )
    # The sweep that hands unfinished operations to a worker reads only these.
    op.create_index(
        "ix_bulk_operations_unfinished",
        "bulk_operations",
        ["heartbeat_at"],
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )

    op.create_table(
        "bulk_operation_items",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("operation_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("error", postgresql.JSONB(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'ok', 'failed', 'skipped')",
            name=op.f("ck_bulk_operation_items_status_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "operation_id"],
            ["bulk_operations.workspace_id", "bulk_operations.id"],
            name=op.f("fk_bulk_operation_items_workspace_id_bulk_operations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_bulk_operation_items_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("operation_id", "record_id", name=op.f("pk_bulk_operation_items")),
    )
    op.create_index(
        "ix_bulk_operation_items_order", "bulk_operation_items", ["workspace_id", "operation_id", "position"]
    )
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        op.drop_table(table)
