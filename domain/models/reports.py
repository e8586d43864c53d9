"""What reports keep beyond the records: forecast snapshots, two summary tables, and indexes.

A forecast snapshot is the forecast of a month as it stood when that month began, so a past month
can show what was expected beside what actually closed (the open pipeline has moved on since).

`deal_closings` and `stage_visits` are derived from the records by triggers (migration 0010), in
the transaction that changes the records, whichever code path writes them (API, import, merge,
worker). Nothing in Python writes them; reports only read them. They exist because the answers
they hold would otherwise cost a few index probes per deal at read time, which on a month of a
million-deal workspace is most of a second.

The report indexes on tables other modules own (deals, activities, stage history) are declared
here, next to the queries that need them, so the metadata matches the migration without those
modules having to know about reports.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Numeric,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin
from domain.models.crm import Activity, Deal, StageChange


class ForecastSnapshot(TenantMixin, Base):
    """One month's forecast as recorded when it began: workspace-wide (pipeline NULL) or per pipeline."""

    __tablename__ = "forecast_snapshots"

    month: Mapped[date] = mapped_column(Date, nullable=False)  # the month's first day
    pipeline_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The workspace currency when taken: a later change of currency must not relabel old figures.
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    weighted: Mapped[Decimal] = mapped_column(Numeric(18, 3), nullable=False)
    best_case: Mapped[Decimal] = mapped_column(Numeric(18, 3), nullable=False)
    commit: Mapped[Decimal] = mapped_column(Numeric(18, 3), nullable=False)
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        # NULLS NOT DISTINCT (PostgreSQL 15+): one workspace-wide row per month, not one per run.
        UniqueConstraint("workspace_id", "month", "pipeline_id", postgresql_nulls_not_distinct=True),
        ForeignKeyConstraint(
            ["workspace_id", "pipeline_id"],
            ["pipelines.workspace_id", "pipelines.id"],
            ondelete="CASCADE",
        ),
    )


class DealClosing(Base):
    """A won or lost deal, with the moment of its first contact (what days-to-close counts from).

    first_contact_at: the earlier of its first contact's creation and that contact's first
    activity (first contact = lowest deal_contacts.position), or the deal's creation without one.
    """

    __tablename__ = "deal_closings"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    deal_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    closed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    pipeline_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    source: Mapped[str | None] = mapped_column(String(200))
    first_contact_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "deal_id"], ["deals.workspace_id", "deals.id"], ondelete="CASCADE"
        ),
        Index(
            "ix_deal_closings_closed",
            "workspace_id",
            "status",
            "closed_at",
            postgresql_include=["pipeline_id", "owner_id", "source", "first_contact_at"],
        ),
    )


class StageVisit(TenantMixin, Base):
    """A stage_history entry (same id) with when the deal left the stage, and the deal's cohort.

    left_at is the deal's next entry into any stage (NULL while it is still there);
    deal_created_at and owner_id follow the deal, so the funnel reads a cohort as one range.
    """

    __tablename__ = "stage_visits"

    deal_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    pipeline_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    stage_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deal_created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    left_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "deal_id"], ["deals.workspace_id", "deals.id"], ondelete="CASCADE"
        ),
        Index("ix_stage_visits_deal", "workspace_id", "deal_id"),
        Index(
            "ix_stage_visits_cohort",
            "workspace_id",
            "pipeline_id",
            "deal_created_at",
            "deal_id",  # a cohort streams out grouped by deal (funnel.py, migration 0110)
            postgresql_include=["stage_id", "owner_id", "entered_at", "left_at"],
        ),
    )


# Deals closed in a period (summary, sources, won over time, forecast's closed_won): the INCLUDE
# columns let these scans be index-only, so a month of closes is read without touching the heap.
# Status leads the period, so "won in a period" is one range and "won or lost" two.
REPORT_DEALS_CLOSED = Index(
    "ix_deals_report_closed",
    Deal.workspace_id,
    Deal.status,
    Deal.closed_at,
    postgresql_include=["currency", "amount", "pipeline_id", "owner_id", "source"],
    postgresql_where=text("closed_at IS NOT NULL"),
)
# Deals created in a period (new deals, sources, the funnel's cohort).
REPORT_DEALS_CREATED = Index(
    "ix_deals_report_created",
    Deal.workspace_id,
    Deal.created_at,
    postgresql_include=["pipeline_id", "owner_id", "source"],
)
# The forecast: open deals by expected close date, with everything its sums read.
REPORT_DEALS_EXPECTED = Index(
    "ix_deals_report_expected_close",
    Deal.workspace_id,
    Deal.expected_close_date,
    postgresql_include=["stage_id", "pipeline_id", "owner_id", "currency", "amount"],
    postgresql_where=text("status = 'open'"),
)
# Activity per owner: logged calls, emails, meetings and notes by creation time...
REPORT_ACTIVITIES_LOGGED = Index(
    "ix_activities_report_logged",
    Activity.workspace_id,
    Activity.created_at,
    postgresql_include=["owner_id", "type", "created_by_type", "deal_id"],
    postgresql_where=text("type <> 'task'"),
)
# ...and tasks by completion time.
REPORT_TASKS_COMPLETED = Index(
    "ix_activities_report_tasks_completed",
    Activity.workspace_id,
    Activity.completed_at,
    postgresql_include=["owner_id", "deal_id"],
    postgresql_where=text("type = 'task' AND completed_at IS NOT NULL"),
)
# Deals moved per person: moves (not creations) by people, by time.
REPORT_STAGE_MOVES = Index(
    "ix_stage_history_report_moves",
    StageChange.workspace_id,
    StageChange.at,
    postgresql_include=["actor_id", "pipeline_id"],
    postgresql_where=text("from_stage_id IS NOT NULL AND actor_type = 'user'"),
)
