"""Activities carry their deal's pipeline, so the activity report filters by pipeline by index.

Revision ID: 0055
Revises: 0050
Create Date: 2026-11-23

The activity report's pipeline filter joined every activity of the period to its deal (on 5M
activities, 350-500 ms for a month). `activities.pipeline_id` is the pipeline of `deal_id` (null
without a deal), kept in the writing transaction by triggers, whatever writes:
- on an activity insert, and on an update of its deal_id (or of pipeline_id itself, so nothing
  can set it to another value), a BEFORE trigger reads the deal's pipeline: one index probe;
- when a deal changes pipeline, an AFTER trigger repoints its activities (filtered by WHEN, so a
  move within a pipeline fires nothing);
- a deleted deal sets its activities' deal_id to null (the foreign key), which clears the
  pipeline through the first trigger.
It is not mapped in the ORM: it is a report's denormalisation, not part of an activity's shape.
The report's two activity indexes get pipeline-first twins, partial to activities with a deal.
"""

from alembic import op

revision = "0055"
down_revision = "0050"
branch_labels = None
depends_on = None

FUNCTIONS = (
    """
CREATE FUNCTION activity_take_deal_pipeline() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.deal_id IS NULL THEN
        NEW.pipeline_id := NULL;
    ELSE
        NEW.pipeline_id := (SELECT d.pipeline_id FROM deals d
                            WHERE d.workspace_id = NEW.workspace_id AND d.id = NEW.deal_id);
    END IF;
    RETURN NEW;
END $$
""",
    """
CREATE FUNCTION deal_pipeline_to_activities() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activities SET pipeline_id = NEW.pipeline_id
    WHERE workspace_id = NEW.workspace_id AND deal_id = NEW.id
      AND pipeline_id IS DISTINCT FROM NEW.pipeline_id;
    RETURN NULL;
END $$
""",
)

TRIGGERS = (
    """
CREATE TRIGGER activity_pipeline_on_insert BEFORE INSERT ON activities
    FOR EACH ROW EXECUTE FUNCTION activity_take_deal_pipeline()
""",
    """
CREATE TRIGGER activity_pipeline_on_update BEFORE UPDATE OF deal_id, pipeline_id ON activities
    FOR EACH ROW WHEN (OLD.deal_id IS DISTINCT FROM NEW.deal_id
                       OR OLD.pipeline_id IS DISTINCT FROM NEW.pipeline_id)
    EXECUTE FUNCTION activity_take_deal_pipeline()
""",
    """
CREATE TRIGGER deal_pipeline_to_activities AFTER UPDATE OF pipeline_id ON deals
    FOR EACH ROW WHEN (OLD.pipeline_id IS DISTINCT FROM NEW.pipeline_id)
    EXECUTE FUNCTION deal_pipeline_to_activities()
""",
)


def upgrade() -> None:
    op.execute("ALTER TABLE activities ADD COLUMN pipeline_id uuid")
    # Before the triggers exist, in one pass (ix_activities_deal finds each deal's activities).
    op.execute(
        """
        UPDATE activities a SET pipeline_id = d.pipeline_id
        FROM deals d
        WHERE a.deal_id IS NOT NULL AND d.workspace_id = a.workspace_id AND d.id = a.deal_id
        """
    )
    for statement in (*FUNCTIONS, *TRIGGERS):
        op.execute(statement)
    # The report's counts by pipeline: logged activities by created_at, completed tasks by
    # completed_at, each index-only (the same INCLUDE columns as the unfiltered indexes of 0010).
    op.execute(
        """
        CREATE INDEX ix_activities_report_pipeline_logged ON activities
            (workspace_id, pipeline_id, created_at) INCLUDE (owner_id, type, created_by_type)
        WHERE type <> 'task' AND pipeline_id IS NOT NULL
        """
    )
    op.execute(
        """
        CREATE INDEX ix_activities_report_pipeline_tasks ON activities
            (workspace_id, pipeline_id, completed_at) INCLUDE (owner_id)
        WHERE type = 'task' AND completed_at IS NOT NULL AND pipeline_id IS NOT NULL
        """
    )


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_activities_report_pipeline_tasks")
    op.execute("DROP INDEX IF EXISTS ix_activities_report_pipeline_logged")
    op.execute("DROP TRIGGER IF EXISTS deal_pipeline_to_activities ON deals")
    op.execute("DROP TRIGGER IF EXISTS activity_pipeline_on_update ON activities")
    op.execute("DROP TRIGGER IF EXISTS activity_pipeline_on_insert ON activities")
    op.execute("DROP FUNCTION IF EXISTS deal_pipeline_to_activities()")
    op.execute("DROP FUNCTION IF EXISTS activity_take_deal_pipeline()")
    op.execute("ALTER TABLE activities DROP COLUMN IF EXISTS pipeline_id")
