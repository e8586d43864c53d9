"""Activity per owner per week or month: the work people did, in the workspace's calendar.

- calls, emails, meetings, notes: activities of that type logged (created_at) in the period, by
  the activity's owner. Activities created by automations or the system are not counted: an
  automated email is not a person's work.
- tasks_completed: tasks completed (completed_at) in the period, by the task's owner, whoever
  created the task.
- deals_moved: stage changes (not creations into a stage) made by a person (stage_history
  actor_id) in the period; moves by API keys and automations are not a person's.
Filters: `owner_id` selects one person; `pipeline_id` keeps moves in that pipeline and the
activities linked to a deal of that pipeline. A row per (period, owner) with any count; activities
without an owner are one row with owner_id null. Buckets are clipped to the period: the first
week's row counts only from `from` on, though `period_start` is that week's Monday.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from domain.reports.buckets import BUCKETS, bucket_of, bucket_params
from domain.reports.scope import ReportScope


@dataclass(frozen=True)
class ActivityRow:
    period_start: date
    owner_id: uuid.UUID | None
    owner_name: str | None
    calls: int
    emails: int
    meetings: int
    notes: int
    tasks_completed: int
    deals_moved: int


@dataclass(frozen=True)
class ActivityReport:
    group: str
    rows: list[ActivityRow]


def _activity_filters(scope: ReportScope) -> str:
    # activities.pipeline_id is their deal's pipeline, kept by triggers (migration 0055), so the
    # filter is an index range and not a join to every activity's deal.
    clauses = scope.owner_filter("a.owner_id")
    if scope.pipeline_id is not None:
        clauses += " AND a.pipeline_id = :pipeline_id"
    return clauses


def _activity_sql(scope: ReportScope) -> str:
    pipeline = " AND h.pipeline_id = :pipeline_id" if scope.pipeline_id is not None else ""
    return f"""
WITH {BUCKETS},
counts AS (
    SELECT a.owner_id, {bucket_of("a.created_at")} AS n,
           count(*) FILTER (WHERE a.type = 'call') AS calls,
           count(*) FILTER (WHERE a.type = 'email') AS emails,
           count(*) FILTER (WHERE a.type = 'meeting') AS meetings,
           count(*) FILTER (WHERE a.type = 'note') AS notes,
           0 AS tasks_completed, 0 AS deals_moved
    FROM activities a CROSS JOIN bounds
    WHERE a.workspace_id = :ws AND a.created_at >= :start AND a.created_at < :end
      AND a.type <> 'task' AND a.created_by_type NOT IN ('automation', 'system'){_activity_filters(scope)}
    GROUP BY 1, 2
    UNION ALL
    SELECT a.owner_id, {bucket_of("a.completed_at")}, 0, 0, 0, 0, count(*), 0
    FROM activities a CROSS JOIN bounds
    WHERE a.workspace_id = :ws AND a.completed_at >= :start AND a.completed_at < :end
      AND a.type = 'task' AND a.completed_at IS NOT NULL{_activity_filters(scope)}
    GROUP BY 1, 2
    UNION ALL
    SELECT h.actor_id, {bucket_of("h.at")}, 0, 0, 0, 0, 0, count(*)
    FROM stage_history h CROSS JOIN bounds
    WHERE h.workspace_id = :ws AND h.at >= :start AND h.at < :end
      AND h.from_stage_id IS NOT NULL AND h.actor_type = 'user'{pipeline}{scope.owner_filter("h.actor_id")}
    GROUP BY 1, 2
)
SELECT b.period_start, c.owner_id, u.name AS owner_name,
       sum(c.calls)::int AS calls, sum(c.emails)::int AS emails, sum(c.meetings)::int AS meetings,
       sum(c.notes)::int AS notes, sum(c.tasks_completed)::int AS tasks_completed,
       sum(c.deals_moved)::int AS deals_moved
FROM counts c
JOIN buckets b ON b.n = c.n
LEFT JOIN users u ON u.id = c.owner_id
GROUP BY b.period_start, c.owner_id, u.name
ORDER BY b.period_start, u.name NULLS LAST, c.owner_id NULLS LAST
"""


async def activity_report(session: AsyncSession, scope: ReportScope, *, group: str) -> ActivityReport:
    period = scope.period
    rows = await session.execute(
        text(_activity_sql(scope)),
        {**scope.params(), **bucket_params(period.first_day, period.last_day, group)},
    )
    return ActivityReport(
        group=group,
        rows=[
            ActivityRow(
                period_start=r.period_start,
                owner_id=r.owner_id,
                owner_name=r.owner_name,
                calls=r.calls,
                emails=r.emails,
                meetings=r.meetings,
                notes=r.notes,
                tasks_completed=r.tasks_completed,
                deals_moved=r.deals_moved,
            )
            for r in rows
        ],
    )
