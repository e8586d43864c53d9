"""Running totals of each stage's open deals, kept by statement triggers on deals.

The board's column headers count and sum every open deal of a stage; over 100,000 deals that
aggregate costs more than the rest of the board together. These totals change in the same
transaction as the deals (triggers, so every write path, bulk imports included, keeps them), and
each statement applies its net change per (stage, currency) in one sorted upsert, so concurrent
moves lock total rows in the same order and cannot deadlock on them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from migrations.rls import disable_tenant_rls, enable_tenant_rls

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_APPLY = """
    INSERT INTO stage_totals AS t (workspace_id, stage_id, currency, open_count, open_amount)
    SELECT workspace_id, stage_id, currency, sum(n), sum(amount)
    FROM ({changes}) AS change
    GROUP BY workspace_id, stage_id, currency
    HAVING sum(n) <> 0 OR sum(amount) <> 0
    ORDER BY workspace_id, stage_id, currency
    ON CONFLICT (workspace_id, stage_id, currency) DO UPDATE
    SET open_count = t.open_count + EXCLUDED.open_count,
        open_amount = t.open_amount + EXCLUDED.open_amount
"""
_ADDED = "SELECT workspace_id, stage_id, currency, 1 AS n, coalesce(amount, 0) AS amount FROM new_rows WHERE status = 'open'"
_REMOVED = "SELECT workspace_id, stage_id, currency, -1 AS n, -coalesce(amount, 0) AS amount FROM old_rows WHERE status = 'open'"


def upgrade() -> None:
    op.create_table(
        "stage_totals",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("open_count", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("open_amount", sa.Numeric(24, 3), nullable=False, server_default="0"),
        sa.ForeignKeyConstraint(
            ["workspace_id", "stage_id"],
            ["stages.workspace_id", "stages.id"],
            name=op.f("fk_stage_totals_workspace_id_stage_id_stages"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "stage_id", "currency", name=op.f("pk_stage_totals")),
    )
    enable_tenant_rls("stage_totals")
    for name, body in (
        ("insert", _APPLY.format(changes=_ADDED)),
        ("update", _APPLY.format(changes=f"{_ADDED} UNION ALL {_REMOVED}")),
        ("delete", _APPLY.format(changes=_REMOVED)),
    ):
        op.execute(
            f"""
            CREATE FUNCTION stage_totals_after_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {body};
                RETURN NULL;
            END
            $$
            """
        )
    op.execute(
        "CREATE TRIGGER stage_totals_insert AFTER INSERT ON deals REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION stage_totals_after_insert()"
    )
    op.execute(
        "CREATE TRIGGER stage_totals_update AFTER UPDATE ON deals "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION stage_totals_after_update()"
    )
    op.execute(
        "CREATE TRIGGER stage_totals_delete AFTER DELETE ON deals REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION stage_totals_after_delete()"
    )
    # Deals that exist already (an upgrade of a live installation) are counted once, here.
    op.execute(_APPLY.format(changes=_ADDED.replace("new_rows", "deals")))


def downgrade() -> None:
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS stage_totals_{name} ON deals")
        op.execute(f"DROP FUNCTION IF EXISTS stage_totals_after_{name}()")
    disable_tenant_rls("stage_totals")
    op.drop_table("stage_totals")
