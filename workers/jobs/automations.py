"""Automation jobs: a cron tick that only enqueues, and one sweep job per workspace.

The cron job reads from PostgreSQL which workspaces have something time-based to do and
enqueues a sweep for each, with a job id per workspace and tick, so several workers ticking
together enqueue each sweep once. A sweep is idempotent under the runs' UNIQUE key: a rerun
after a killed worker, or an overlap with `rapport automations run-due`, acts once.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from arq.cron import CronJob, cron

from domain.automations.sweep import due_workspaces_across_workspaces, sweep_workspace
from domain.clock import get_clock

log = structlog.get_logger("rapport.automations")

SWEEP_TIMEOUT_SECONDS = 60
TICK_TIMEOUT_SECONDS = 20


async def sweep_automations_workspace(ctx: dict[str, Any], workspace_id: str) -> int:
    """Fire a workspace's due time-based rules and reminders at the clock's now."""
    result = await sweep_workspace(
        ctx["sessionmaker"], workspace_id=uuid.UUID(workspace_id), now=get_clock().now()
    )
    return result.fired + result.reminders


async def enqueue_automation_sweeps(ctx: dict[str, Any]) -> int:
    now = get_clock().now()
    workspaces = await due_workspaces_across_workspaces(ctx["sessionmaker"], now=now)
    tick = int(now.timestamp() // max(1, ctx.get("sweep_seconds", 60)))
    for workspace_id in workspaces:
        await ctx["redis"].enqueue_job(
            "sweep_automations_workspace", str(workspace_id), _job_id=f"sweep:{workspace_id}:{tick}"
        )
    return len(workspaces)


def sweep_schedule(seconds: int) -> dict[str, Any]:
    """arq cron fields for "every `seconds`": seconds within a minute, or minutes within an hour."""
    seconds = max(1, seconds)
    if seconds < 60:
        return {"second": set(range(0, 60, seconds))}
    return {"minute": set(range(0, 60, max(1, seconds // 60))), "second": 0}


def automation_cron_jobs(sweep_seconds: int) -> list[CronJob]:
    return [
        cron(
            enqueue_automation_sweeps,
            run_at_startup=True,
            timeout=TICK_TIMEOUT_SECONDS,
            **sweep_schedule(sweep_seconds),
        )
    ]
