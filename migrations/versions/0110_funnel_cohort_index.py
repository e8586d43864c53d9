"""The funnel's cohort index orders each cohort's visits by deal.

Revision ID: 0110
Revises: 0100
Create Date: 2026-11-23

ix_stage_visits_cohort gains deal_id as its last key (it was an INCLUDE column): a cohort's
visits then come out grouped by deal, so the funnel folds them into one row per deal as they
stream, without sorting or hashing 130,000 visits for a month of a million-deal workspace
(docs/performance.md). Same leading keys, so every other use of the index is unchanged.
"""

from alembic import op

revision = "0110"
down_revision = "0100"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_stage_visits_cohort", table_name="stage_visits")
    op.create_index(
        "ix_stage_visits_cohort",
        "stage_visits",
        ["workspace_id", "pipeline_id", "deal_created_at", "deal_id"],
        unique=False,
        postgresql_include=["stage_id", "owner_id", "entered_at", "left_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_stage_visits_cohort", table_name="stage_visits")
    op.create_index(
        "ix_stage_visits_cohort",
        "stage_visits",
        ["workspace_id", "pipeline_id", "deal_created_at"],
        unique=False,
        postgresql_include=["deal_id", "stage_id", "owner_id", "entered_at", "left_at"],
    )
