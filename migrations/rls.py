"""Shared DDL for revisions: the tenant row-level-security policy, written once."""

from __future__ import annotations

from alembic import op

APP_ROLE = "rapport_app"

TENANT_PREDICATE = "workspace_id = NULLIF(current_setting('rapport.workspace_id', true), '')::uuid"


def enable_tenant_rls(table: str, predicate: str = TENANT_PREDICATE) -> None:
    """Only rows of the transaction's workspace are visible to, or writable by, rapport_app."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY tenant_isolation ON {table} TO {APP_ROLE} "
        f"USING ({predicate}) WITH CHECK ({predicate})"
    )


def disable_tenant_rls(table: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS tenant_isolation ON {table}")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
