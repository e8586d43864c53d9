"""Near-duplicate candidates by email domain, newest first.

Revision ID: 0050
Revises: 0040
Create Date: 2026-11-23

The index behind the near-duplicate lookup gains `created_at`, so a big customer's domain
(thousands of contacts at one company) is read as one backward walk of its newest entries
instead of every contact at that domain sorted in memory.
"""

import sqlalchemy as sa
from alembic import op

revision = "0050"
down_revision = "0040"
branch_labels = None
depends_on = None


def _recreate(columns: list[sa.TextClause | str]) -> None:
    op.drop_index("ix_contacts_workspace_email_domain", table_name="contacts")
    op.create_index(
        "ix_contacts_workspace_email_domain",
        "contacts",
        columns,
        postgresql_where=sa.text("email IS NOT NULL"),
    )


def upgrade() -> None:
    _recreate(["workspace_id", sa.text("split_part(email, '@', 2)"), "created_at"])


def downgrade() -> None:
    _recreate(["workspace_id", sa.text("split_part(email, '@', 2)")])
