"""Hygiene and imports: import jobs with their file and failed rows, duplicate candidates, required
fields; indexes for near-duplicate look-ups (a contact's email domain) and linking a `company`
cell to an account by name.

Revision ID: 0020
Revises: (see down_revision)
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0020"
down_revision = "0010"
branch_labels = None
depends_on = None

TENANT_TABLES = (
    "imports",
    "import_chunks",
    "import_errors",
    "contact_duplicates",
    "account_duplicates",
    "required_fields",
)


def _workspace_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id"], ["workspaces.id"], name=f"fk_{table}_workspace_id_workspaces", ondelete="CASCADE"
    )


def _import_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["workspace_id", "import_id"],
        ["imports.workspace_id", "imports.id"],
        name=f"fk_{table}_workspace_id_import_id_imports",
        ondelete="CASCADE",
    )


def _duplicates(table: str, records: str) -> None:
    op.create_table(
        table,
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("record_id", sa.Uuid(), nullable=False),
        sa.Column("other_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.Column("reasons", postgresql.ARRAY(sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dismissed_by", sa.Uuid(), nullable=True),
        _workspace_fk(table),
        sa.ForeignKeyConstraint(
            ["workspace_id", "record_id"],
            [f"{records}.workspace_id", f"{records}.id"],
            name=f"fk_{table}_workspace_id_record_id_{records}",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id", "other_id"],
            [f"{records}.workspace_id", f"{records}.id"],
            name=f"fk_{table}_workspace_id_other_id_{records}",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "record_id", "other_id", name=f"pk_{table}"),
    )
    op.create_index(f"ix_{table}_other", table, ["workspace_id", "other_id"])


def upgrade() -> None:
    op.create_table(
        "imports",
        sa.Column("object", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("dry_run", sa.Boolean(), nullable=False),
        sa.Column("on_duplicate", sa.String(length=10), nullable=False),
        sa.Column("filename", sa.String(length=500), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(length=20), nullable=True),
        sa.Column("delimiter", sa.String(length=1), nullable=True),
        sa.Column("header_index", sa.Integer(), nullable=False),
        sa.Column("columns", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("mapping", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("preview", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("total", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("processed", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("merged", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("scanned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "object IN ('contacts', 'accounts', 'deals')", name=op.f("ck_imports_object_valid")
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_imports_status_valid")
        ),
        sa.CheckConstraint(
            "on_duplicate IN ('skip', 'merge', 'create')", name=op.f("ck_imports_on_duplicate_valid")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_imports_created_by_users"), ondelete="SET NULL"
        ),
        _workspace_fk("imports"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imports")),
        sa.UniqueConstraint("workspace_id", "id", name=op.f("uq_imports_workspace_id_id")),
    )
    op.create_index("ix_imports_workspace_created", "imports", ["workspace_id", "created_at", "id"])
    op.create_index(
        "ix_imports_pending",
        "imports",
        ["lease_until"],
        postgresql_where=sa.text("status IN ('queued', 'running') OR scanned_at IS NULL"),
    )
    op.create_table(
        "import_chunks",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        _workspace_fk("import_chunks"),
        _import_fk("import_chunks"),
        sa.PrimaryKeyConstraint("workspace_id", "import_id", "seq", name=op.f("pk_import_chunks")),
    )
    op.create_table(
        "import_errors",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("import_id", sa.Uuid(), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("values", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        _workspace_fk("import_errors"),
        _import_fk("import_errors"),
        sa.PrimaryKeyConstraint("workspace_id", "import_id", "row", name=op.f("pk_import_errors")),
    )
    _duplicates("contact_duplicates", "contacts")
    _duplicates("account_duplicates", "accounts")
    op.create_table(
        "required_fields",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("object", sa.String(length=20), nullable=False),
        sa.Column("rules", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "object IN ('contacts', 'accounts', 'deals')", name=op.f("ck_required_fields_object_valid")
        ),
        _workspace_fk("required_fields"),
        sa.PrimaryKeyConstraint("workspace_id", "object", name=op.f("pk_required_fields")),
    )
    op.create_index(
        "ix_contacts_workspace_email_domain",
        "contacts",
        ["workspace_id", sa.text("split_part(email, '@', 2)")],
        postgresql_where=sa.text("email IS NOT NULL"),
    )
    op.create_index("ix_accounts_workspace_lower_name", "accounts", ["workspace_id", sa.text("lower(name)")])
    for table in TENANT_TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TENANT_TABLES:
        disable_tenant_rls(table)
    op.drop_index("ix_accounts_workspace_lower_name", table_name="accounts")
    op.drop_index("ix_contacts_workspace_email_domain", table_name="contacts")
    op.drop_table("required_fields")
    for table in ("account_duplicates", "contact_duplicates"):
        op.drop_index(f"ix_{table}_other", table_name=table)
        op.drop_table(table)
    op.drop_table("import_errors")
    op.drop_table("import_chunks")
    op.drop_index("ix_imports_pending", table_name="imports")
    op.drop_index("ix_imports_workspace_created", table_name="imports")
    op.drop_table("imports")
