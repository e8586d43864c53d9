"""Forecast snapshots: each month's forecast recorded as the month begins, for later comparison.

A cron job calls `take_forecast_snapshots_across_workspaces` often (every few minutes is fine).
A workspace is due when its *local* month has no workspace-wide snapshot yet: at 23:30 UTC on
31 March a workspace in Europe/Paris is already in April and gets April's, one in UTC waits half
an hour. Each workspace's snapshot is one `INSERT ... SELECT ... ON CONFLICT DO NOTHING` in its
own RLS-bound transaction, so a rerun (arq is at-least-once) or a racing worker adds nothing, and
the workspaces done before a failure stay done; the next run picks up the rest.

A snapshot of month M is what the forecast report shows for M as its current month at that
moment: open deals in the workspace currency expected to close in M or earlier (past-due deals
roll into the current month), weighted by their stage's probability; commit at the default 70.
One row for the workspace (pipeline NULL) and one per pipeline, zeros included, so "nothing was
expected" reads 0 rather than "no snapshot".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.db import workspace_transaction
from domain.reports.forecast import FIGURES_SQL, OPEN_DEALS_SQL, snapshot_params
from domain.reports.periods import local_today, month_start, zone

_TAKE_SNAPSHOT_SQL = f"""
WITH figures AS (
    SELECT d.pipeline_id, GROUPING(d.pipeline_id) AS whole, {FIGURES_SQL}
    {OPEN_DEALS_SQL} AND d.currency = :currency
    GROUP BY GROUPING SETS ((), (d.pipeline_id))
),
scopes AS (
    SELECT NULL::uuid AS pipeline_id, 1 AS whole
    UNION ALL
    SELECT p.id, 0 FROM pipelines p WHERE p.workspace_id = :ws
)
INSERT INTO forecast_snapshots
    (id, workspace_id, month, pipeline_id, currency, weighted, best_case, commit, taken_at)
SELECT gen_random_uuid(), :ws, :month, sc.pipeline_id, :currency,
       round(COALESCE(f.weighted, 0), 3), COALESCE(f.best_case, 0), COALESCE(f.commit, 0), :now
FROM scopes sc
LEFT JOIN figures f ON f.whole = sc.whole AND f.pipeline_id IS NOT DISTINCT FROM sc.pipeline_id
ON CONFLICT DO NOTHING
RETURNING id
"""

# The latest workspace-wide snapshot of every workspace: one index probe each (backwards on the
# unique (workspace_id, month, pipeline_id) index), however many months have been recorded.
_DUE_SQL = """
SELECT w.id, w.timezone, w.currency, latest.month AS latest
FROM workspaces w
LEFT JOIN LATERAL (
    SELECT f.month FROM forecast_snapshots f
    WHERE f.workspace_id = w.id AND f.pipeline_id IS NULL
    ORDER BY f.month DESC LIMIT 1
) latest ON true
"""


async def take_forecast_snapshots_across_workspaces(
    sessionmaker: async_sessionmaker[AsyncSession], now: datetime
) -> int:
    """Record this month's snapshot for every workspace that lacks one; the rows inserted."""
    # Finding who is due looks across workspaces, so it runs on the connecting role; each insert
    # then runs inside its own workspace, behind row-level security.
    async with sessionmaker() as session, session.begin():
        workspaces = (await session.execute(text(_DUE_SQL))).all()
    inserted = 0
    for workspace in workspaces:
        month = month_start(local_today(now, zone(workspace.timezone)))
        if workspace.latest is not None and workspace.latest >= month:
            continue
        params = {
            **snapshot_params(workspace_id=workspace.id, month=month, currency=workspace.currency),
            "now": now,
        }
        async with workspace_transaction(sessionmaker, workspace.id) as session:
            inserted += len((await session.execute(text(_TAKE_SNAPSHOT_SQL), params)).all())
    return inserted
