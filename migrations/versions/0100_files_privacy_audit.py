"""Files on records, the admin audit log, and the erased mark on contacts.

Revision ID: 0100
Revises: 0090
Create Date: 2026-11-23

`files` holds each attachment's record (name, size, sha256, detected content type, storage key);
the bytes live in the configured storage (a folder under the data directory, or an S3 bucket).
`audit_entries` is the admin audit log, written in the transaction of the change it records.
`contacts.erased_at` marks a contact whose personal data was erased on request.
"""

import sqlalchemy as sa
from alembic import op

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0100"
down_revision = "0090"
branch_labels = None
depends_on = None

TENANT_TABLES = ("files", "audit_entries")


def upgrade() -> None:
    op.add_column("contacts", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "files",
        sa.Column("subject_type", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("storage_key", sa.String(length=300), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=True),
        sa.Column("uploaded_by_api_key_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "subject_type IN ('contact', 'account', 'deal', 'activity')", name=op.f("ck_files_subject_valid")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_files_uploaded_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_files_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_files")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_files_workspace_id_id")),
    )
    op.create_index(
        "ix_files_subject", "files", ["workspace_id", "subject_type", "subject_id", "created_at", "id"]
    )

    op.create_table(
        "audit_entries",
        sa.Column("actor_type", sa.String(length=20), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("api_key_id", sa.Uuid(), nullable=True),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("subject_type", sa.String(length=50), nullable=True),
        sa.Column("subject_id", sa.Uuid(), nullable=True),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_audit_entries_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
    )
    op.create_index(
        "ix_audit_entries_workspace_created", "audit_entries", ["workspace_id", "created_at", "id"]
    )
    op.create_index(
        "ix_audit_entries_workspace_actor", "audit_entries", ["workspace_id", "actor_id", "created_at"]
    )

    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TENANT_TABLES):
        disable_tenant_rls(table)
    op.drop_table("audit_entries")
    op.drop_table("files")
    op.drop_column("contacts", "erased_at")
