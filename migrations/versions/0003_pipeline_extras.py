"""Pipeline extras: deal title search that can use its trigram index under RLS; deals by creation.

Under row-level security PostgreSQL will not use a non-leakproof operator such as LIKE as an
index condition (the index would see other tenants' rows before the policy filters them), so as
`rapport_app` a `search_text LIKE '%x%'` scans every deal. `deal_ids_matching` runs as the table
owner, scopes itself to the transaction's workspace exactly as the policy does, and returns only
ids, so the trigram index serves the match and the outer query stays under RLS. The deals list's
default order is newest first, hence the index on (workspace_id, created_at, id).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

APP_ROLE = "rapport_app"


def upgrade() -> None:
    op.create_index("ix_deals_workspace_created", "deals", ["workspace_id", "created_at", "id"], unique=False)
    op.execute(
        """
        CREATE FUNCTION deal_ids_matching(pattern text) RETURNS SETOF uuid
        LANGUAGE sql STABLE SECURITY DEFINER
        SET search_path = pg_catalog, public
        AS $$
            SELECT id FROM deals
            WHERE workspace_id = NULLIF(current_setting('rapport.workspace_id', true), '')::uuid
              AND search_text LIKE pattern
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION deal_ids_matching(text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION deal_ids_matching(text) TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS deal_ids_matching(text)")
    op.drop_index("ix_deals_workspace_created", table_name="deals")
