"""Reports: forecast snapshots, two trigger-kept summary tables, and the indexes reports read.

Revision ID: 0010
Revises: 0005
Create Date: 2026-11-23

Every report index leads with workspace_id (each query is scoped to one workspace) and then the
period column the report filters on; INCLUDE columns make the scans index-only, so a report over
a month of a million-deal workspace reads the index and not the heap. Partial predicates keep
them small: only closed deals, only open deals, only completed tasks, only moves by people.

Two answers cost a few index probes per deal if computed at read time (days from first contact
to close: the deal's first contact, that contact, its first activity; time in stage: each deal's
stage history, ordered), which on a month of a million-deal workspace is most of a second. They
are kept instead, by triggers, in the transaction that changes the records, whatever writes them:
- deal_closings: one row per won or lost deal, with first_contact_at;
- stage_visits: one row per stage_history entry, with left_at (the deal's next entry) and the
  deal's created_at and owner, so a funnel cohort is one index range.
Inserts (and deal contact changes) are handled per statement with transition tables, so a bulk
import pays once per statement, set-based; the rarer updates and deletes per row, filtered by
WHEN, so that the deal update of a board move (stage, rank) or an edit of a title fires nothing;
the move's stage_history row rebuilds that one deal's visits. Measured per single-row write on a
million-deal workspace: a move +0.6 ms, an activity with a contact +0.3 ms, a win +1.2 ms.
The backfill below takes about a minute and a half per million deals.
"""

import sqlalchemy as sa
from alembic import op

from migrations.rls import disable_tenant_rls, enable_tenant_rls

SUMMARY_TABLES = ("deal_closings", "stage_visits")

FUNCTIONS_SQL = """
-- The moment a deal's first contact began: the earlier of its first contact's creation and that
-- contact's first activity; the deal's own creation when it has no contact.
CREATE FUNCTION report_first_contact_at(p_workspace_id uuid, p_deal_id uuid, p_created_at timestamptz)
RETURNS timestamptz LANGUAGE sql STABLE AS $$
    SELECT COALESCE((
        SELECT LEAST(c.created_at, (SELECT min(a.created_at) FROM activities a
                                     WHERE a.workspace_id = p_workspace_id AND a.contact_id = c.id))
        FROM deal_contacts dc
        JOIN contacts c ON c.workspace_id = dc.workspace_id AND c.id = dc.contact_id
        WHERE dc.workspace_id = p_workspace_id AND dc.deal_id = p_deal_id
        ORDER BY dc.position, dc.contact_id
        LIMIT 1
    ), p_created_at)
$$;

-- Make deal_closings agree with deals for these deals: a row while closed, none once reopened.
CREATE FUNCTION report_refresh_closings(p_workspace_id uuid, p_deal_ids uuid[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Reopened deals lose their closing (a deleted deal's goes with it, by its foreign key).
    -- Driven from the deals by index, never an anti-join: during a bulk import the statistics
    -- lag behind and an anti-join plan can go quadratic.
    DELETE FROM deal_closings c
    USING deals d
    WHERE d.workspace_id = p_workspace_id AND d.id = ANY (p_deal_ids)
      AND NOT (d.status IN ('won', 'lost') AND d.closed_at IS NOT NULL)
      AND c.workspace_id = d.workspace_id AND c.deal_id = d.id;
    INSERT INTO deal_closings
        (workspace_id, deal_id, status, closed_at, pipeline_id, owner_id, source, first_contact_at)
    SELECT d.workspace_id, d.id, d.status, d.closed_at, d.pipeline_id, d.owner_id, d.source,
           report_first_contact_at(d.workspace_id, d.id, d.created_at)
    FROM deals d
    WHERE d.workspace_id = p_workspace_id AND d.id = ANY (p_deal_ids)
      AND d.status IN ('won', 'lost') AND d.closed_at IS NOT NULL
    ON CONFLICT (workspace_id, deal_id) DO UPDATE SET
        status = EXCLUDED.status, closed_at = EXCLUDED.closed_at, pipeline_id = EXCLUDED.pipeline_id,
        owner_id = EXCLUDED.owner_id, source = EXCLUDED.source,
        first_contact_at = EXCLUDED.first_contact_at;
END $$;

-- Closed deals that have this contact: their first contact may be this one.
CREATE FUNCTION report_refresh_contact_closings(p_workspace_id uuid, p_contact_id uuid)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_refresh_closings(p_workspace_id, ARRAY(
        SELECT dc.deal_id FROM deal_contacts dc
        JOIN deal_closings c ON c.workspace_id = dc.workspace_id AND c.deal_id = dc.deal_id
        WHERE dc.workspace_id = p_workspace_id AND dc.contact_id = p_contact_id));
END $$;

-- Rewrite these deals' visits from their stage history.
CREATE FUNCTION report_rebuild_visits(p_workspace_id uuid, p_deal_ids uuid[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM stage_visits v WHERE v.workspace_id = p_workspace_id AND v.deal_id = ANY (p_deal_ids);
    INSERT INTO stage_visits
        (id, workspace_id, deal_id, pipeline_id, stage_id, owner_id, deal_created_at, entered_at, left_at)
    SELECT h.id, h.workspace_id, h.deal_id, h.pipeline_id, h.to_stage_id, d.owner_id, d.created_at, h.at,
           lead(h.at) OVER (PARTITION BY h.deal_id ORDER BY h.at, h.id)
    FROM stage_history h
    JOIN deals d ON d.workspace_id = h.workspace_id AND d.id = h.deal_id
    WHERE h.workspace_id = p_workspace_id AND h.deal_id = ANY (p_deal_ids)
    ON CONFLICT (id) DO UPDATE SET
        left_at = EXCLUDED.left_at, owner_id = EXCLUDED.owner_id,
        deal_created_at = EXCLUDED.deal_created_at;
END $$;

-- Per statement: the closed ones among new deals get their closing in one pass.
CREATE FUNCTION report_deals_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    affected record;
BEGIN
    FOR affected IN
        SELECT workspace_id, array_agg(id) AS deal_ids FROM new_rows
        WHERE closed_at IS NOT NULL GROUP BY workspace_id
    LOOP
        PERFORM report_refresh_closings(affected.workspace_id, affected.deal_ids);
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION report_deal_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_refresh_closings(NEW.workspace_id, ARRAY[NEW.id]);
    IF OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.created_at IS DISTINCT FROM NEW.created_at THEN
        UPDATE stage_visits SET owner_id = NEW.owner_id, deal_created_at = NEW.created_at
        WHERE workspace_id = NEW.workspace_id AND deal_id = NEW.id;
    END IF;
    RETURN NULL;
END $$;

-- Per statement, for each side of the change (`changed_rows` is the new or the old rows): the
-- closed deals among them may have a new first contact. Open deals have nothing to refresh.
CREATE FUNCTION report_deal_contacts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    affected record;
BEGIN
    FOR affected IN
        SELECT c.workspace_id, array_agg(DISTINCT c.deal_id) AS deal_ids
        FROM changed_rows r
        JOIN deal_closings c ON c.workspace_id = r.workspace_id AND c.deal_id = r.deal_id
        GROUP BY c.workspace_id
    LOOP
        PERFORM report_refresh_closings(affected.workspace_id, affected.deal_ids);
    END LOOP;
    RETURN NULL;
END $$;

-- Per statement: only closed deals whose first contact would now be earlier are touched.
CREATE FUNCTION report_activities_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    affected record;
BEGIN
    FOR affected IN
        SELECT c.workspace_id, array_agg(DISTINCT c.deal_id) AS deal_ids
        FROM (SELECT workspace_id, contact_id, min(created_at) AS first_at
              FROM new_rows WHERE contact_id IS NOT NULL GROUP BY workspace_id, contact_id) n
        JOIN deal_contacts dc ON dc.workspace_id = n.workspace_id AND dc.contact_id = n.contact_id
        JOIN deal_closings c ON c.workspace_id = dc.workspace_id AND c.deal_id = dc.deal_id
        WHERE c.first_contact_at > n.first_at
        GROUP BY c.workspace_id
    LOOP
        PERFORM report_refresh_closings(affected.workspace_id, affected.deal_ids);
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION report_activity_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.contact_id IS NOT NULL THEN
        PERFORM report_refresh_contact_closings(OLD.workspace_id, OLD.contact_id);
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.contact_id IS NOT NULL THEN
        PERFORM report_refresh_contact_closings(NEW.workspace_id, NEW.contact_id);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION report_contact_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_refresh_contact_closings(NEW.workspace_id, NEW.id);
    RETURN NULL;
END $$;

CREATE FUNCTION report_stage_history_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    affected record;
BEGIN
    FOR affected IN
        SELECT workspace_id, array_agg(DISTINCT deal_id) AS deal_ids FROM new_rows GROUP BY workspace_id
    LOOP
        PERFORM report_rebuild_visits(affected.workspace_id, affected.deal_ids);
    END LOOP;
    RETURN NULL;
END $$;

CREATE FUNCTION report_stage_history_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM report_rebuild_visits(OLD.workspace_id, ARRAY[OLD.deal_id]);
    IF TG_OP = 'UPDATE' AND NEW.deal_id IS DISTINCT FROM OLD.deal_id THEN
        PERFORM report_rebuild_visits(NEW.workspace_id, ARRAY[NEW.deal_id]);
    END IF;
    RETURN NULL;
END $$;
"""

TRIGGERS_SQL = """
CREATE TRIGGER report_deals_inserted AFTER INSERT ON deals
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_deals_inserted();
CREATE TRIGGER report_deal_updated
    AFTER UPDATE OF status, closed_at, pipeline_id, owner_id, source, created_at ON deals
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status
                       OR OLD.closed_at IS DISTINCT FROM NEW.closed_at
                       OR OLD.pipeline_id IS DISTINCT FROM NEW.pipeline_id
                       OR OLD.owner_id IS DISTINCT FROM NEW.owner_id
                       OR OLD.source IS DISTINCT FROM NEW.source
                       OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION report_deal_updated();
CREATE TRIGGER report_deal_contacts_inserted AFTER INSERT ON deal_contacts
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION report_deal_contacts_changed();
CREATE TRIGGER report_deal_contacts_updated_to AFTER UPDATE ON deal_contacts
    REFERENCING NEW TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION report_deal_contacts_changed();
CREATE TRIGGER report_deal_contacts_updated_from AFTER UPDATE ON deal_contacts
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION report_deal_contacts_changed();
CREATE TRIGGER report_deal_contacts_deleted AFTER DELETE ON deal_contacts
    REFERENCING OLD TABLE AS changed_rows FOR EACH STATEMENT EXECUTE FUNCTION report_deal_contacts_changed();
CREATE TRIGGER report_activities_inserted AFTER INSERT ON activities
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_activities_inserted();
CREATE TRIGGER report_activity_updated AFTER UPDATE OF contact_id, created_at ON activities
    FOR EACH ROW WHEN (OLD.contact_id IS DISTINCT FROM NEW.contact_id
                       OR OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION report_activity_changed();
CREATE TRIGGER report_activity_deleted AFTER DELETE ON activities
    FOR EACH ROW WHEN (OLD.contact_id IS NOT NULL) EXECUTE FUNCTION report_activity_changed();
CREATE TRIGGER report_contact_updated AFTER UPDATE OF created_at ON contacts
    FOR EACH ROW WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at)
    EXECUTE FUNCTION report_contact_changed();
CREATE TRIGGER report_stage_history_inserted AFTER INSERT ON stage_history
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_stage_history_inserted();
CREATE TRIGGER report_stage_history_changed AFTER UPDATE OR DELETE ON stage_history
    FOR EACH ROW EXECUTE FUNCTION report_stage_history_changed();
"""

# What the triggers would have written, for the rows that exist before this revision.
BACKFILL_SQL = """
INSERT INTO deal_closings
    (workspace_id, deal_id, status, closed_at, pipeline_id, owner_id, source, first_contact_at)
SELECT d.workspace_id, d.id, d.status, d.closed_at, d.pipeline_id, d.owner_id, d.source,
       report_first_contact_at(d.workspace_id, d.id, d.created_at)
FROM deals d WHERE d.status IN ('won', 'lost') AND d.closed_at IS NOT NULL;
INSERT INTO stage_visits
    (id, workspace_id, deal_id, pipeline_id, stage_id, owner_id, deal_created_at, entered_at, left_at)
SELECT h.id, h.workspace_id, h.deal_id, h.pipeline_id, h.to_stage_id, d.owner_id, d.created_at, h.at,
       lead(h.at) OVER (PARTITION BY h.deal_id ORDER BY h.at, h.id)
FROM stage_history h JOIN deals d ON d.workspace_id = h.workspace_id AND d.id = h.deal_id;
"""

DROP_SQL = """
DROP TRIGGER IF EXISTS report_stage_history_changed ON stage_history;
DROP TRIGGER IF EXISTS report_stage_history_inserted ON stage_history;
DROP TRIGGER IF EXISTS report_contact_updated ON contacts;
DROP TRIGGER IF EXISTS report_activity_deleted ON activities;
DROP TRIGGER IF EXISTS report_activity_updated ON activities;
DROP TRIGGER IF EXISTS report_activities_inserted ON activities;
DROP TRIGGER IF EXISTS report_deal_contacts_deleted ON deal_contacts;
DROP TRIGGER IF EXISTS report_deal_contacts_updated_from ON deal_contacts;
DROP TRIGGER IF EXISTS report_deal_contacts_updated_to ON deal_contacts;
DROP TRIGGER IF EXISTS report_deal_contacts_inserted ON deal_contacts;
DROP TRIGGER IF EXISTS report_deal_updated ON deals;
DROP TRIGGER IF EXISTS report_deals_inserted ON deals;
DROP FUNCTION IF EXISTS report_stage_history_changed();
DROP FUNCTION IF EXISTS report_stage_history_inserted();
DROP FUNCTION IF EXISTS report_contact_changed();
DROP FUNCTION IF EXISTS report_activity_changed();
DROP FUNCTION IF EXISTS report_activities_inserted();
DROP FUNCTION IF EXISTS report_deal_contacts_changed();
DROP FUNCTION IF EXISTS report_deal_updated();
DROP FUNCTION IF EXISTS report_deals_inserted();
DROP FUNCTION IF EXISTS report_rebuild_visits(uuid, uuid[]);
DROP FUNCTION IF EXISTS report_refresh_contact_closings(uuid, uuid);
DROP FUNCTION IF EXISTS report_refresh_closings(uuid, uuid[]);
DROP FUNCTION IF EXISTS report_first_contact_at(uuid, uuid, timestamptz);
"""

revision = "0010"
down_revision = "0005"
branch_labels = None
depends_on = None


def _run(script: str) -> None:
    """Each statement on its own: asyncpg prepares what it runs, and a prepared statement is one."""
    statement: list[str] = []
    in_body = False  # inside a $$-quoted function body, where `;` does not end the statement
    for line in script.strip().splitlines():
        statement.append(line)
        if line.count("$$") % 2:
            in_body = not in_body
        if not in_body and line.rstrip().endswith(";"):
            op.execute("\n".join(statement))
            statement = []
    assert not statement, "a statement without its closing semicolon"


def upgrade() -> None:
    op.create_table(
        "forecast_snapshots",
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("weighted", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("best_case", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("commit", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "pipeline_id"],
            ["pipelines.workspace_id", "pipelines.id"],
            name=op.f("fk_forecast_snapshots_workspace_id_pipeline_id_pipelines"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_forecast_snapshots_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_forecast_snapshots")),
        sa.UniqueConstraint(
            "workspace_id",
            "month",
            "pipeline_id",
            name=op.f("uq_forecast_snapshots_workspace_id_month_pipeline_id"),
            postgresql_nulls_not_distinct=True,
        ),
    )
    enable_tenant_rls("forecast_snapshots")

    op.create_table(
        "deal_closings",
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("first_contact_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "deal_id"],
            ["deals.workspace_id", "deals.id"],
            name=op.f("fk_deal_closings_workspace_id_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_deal_closings_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("workspace_id", "deal_id", name=op.f("pk_deal_closings")),
    )
    op.create_index(
        "ix_deal_closings_closed",
        "deal_closings",
        ["workspace_id", "status", "closed_at"],
        unique=False,
        postgresql_include=["pipeline_id", "owner_id", "source", "first_contact_at"],
    )
    op.create_table(
        "stage_visits",
        sa.Column("deal_id", sa.Uuid(), nullable=False),
        sa.Column("pipeline_id", sa.Uuid(), nullable=False),
        sa.Column("stage_id", sa.Uuid(), nullable=False),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("deal_created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("workspace_id", sa.Uuid(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workspace_id", "deal_id"],
            ["deals.workspace_id", "deals.id"],
            name=op.f("fk_stage_visits_workspace_id_deal_id_deals"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["workspace_id"],
            ["workspaces.id"],
            name=op.f("fk_stage_visits_workspace_id_workspaces"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stage_visits")),
    )
    op.create_index("ix_stage_visits_deal", "stage_visits", ["workspace_id", "deal_id"], unique=False)
    op.create_index(
        "ix_stage_visits_cohort",
        "stage_visits",
        ["workspace_id", "pipeline_id", "deal_created_at"],
        unique=False,
        postgresql_include=["deal_id", "stage_id", "owner_id", "entered_at", "left_at"],
    )
    for table in SUMMARY_TABLES:
        enable_tenant_rls(table)
    _run(FUNCTIONS_SQL)
    _run(BACKFILL_SQL)
    _run(TRIGGERS_SQL)

    op.create_index(
        "ix_deals_report_closed",
        "deals",
        ["workspace_id", "status", "closed_at"],
        unique=False,
        postgresql_include=["currency", "amount", "pipeline_id", "owner_id", "source"],
        postgresql_where=sa.text("closed_at IS NOT NULL"),
    )
    op.create_index(
        "ix_deals_report_created",
        "deals",
        ["workspace_id", "created_at"],
        unique=False,
        postgresql_include=["pipeline_id", "owner_id", "source"],
    )
    op.create_index(
        "ix_deals_report_expected_close",
        "deals",
        ["workspace_id", "expected_close_date"],
        unique=False,
        postgresql_include=["stage_id", "pipeline_id", "owner_id", "currency", "amount"],
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_index(
        "ix_activities_report_logged",
        "activities",
        ["workspace_id", "created_at"],
        unique=False,
        postgresql_include=["owner_id", "type", "created_by_type", "deal_id"],
        postgresql_where=sa.text("type <> 'task'"),
    )
    op.create_index(
        "ix_activities_report_tasks_completed",
        "activities",
        ["workspace_id", "completed_at"],
        unique=False,
        postgresql_include=["owner_id", "deal_id"],
        postgresql_where=sa.text("type = 'task' AND completed_at IS NOT NULL"),
    )
    op.create_index(
        "ix_stage_history_report_moves",
        "stage_history",
        ["workspace_id", "at"],
        unique=False,
        postgresql_include=["actor_id", "pipeline_id"],
        postgresql_where=sa.text("from_stage_id IS NOT NULL AND actor_type = 'user'"),
    )


def downgrade() -> None:
    op.drop_index("ix_stage_history_report_moves", table_name="stage_history")
    op.drop_index("ix_activities_report_tasks_completed", table_name="activities")
    op.drop_index("ix_activities_report_logged", table_name="activities")
    op.drop_index("ix_deals_report_expected_close", table_name="deals")
    op.drop_index("ix_deals_report_created", table_name="deals")
    op.drop_index("ix_deals_report_closed", table_name="deals")
    _run(DROP_SQL)
    for table in SUMMARY_TABLES:
        disable_tenant_rls(table)
    op.drop_index("ix_stage_visits_cohort", table_name="stage_visits")
    op.drop_index("ix_stage_visits_deal", table_name="stage_visits")
    op.drop_table("stage_visits")
    op.drop_index("ix_deal_closings_closed", table_name="deal_closings")
    op.drop_table("deal_closings")
    disable_tenant_rls("forecast_snapshots")
    op.drop_table("forecast_snapshots")
