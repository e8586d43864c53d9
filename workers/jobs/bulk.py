"""Large bulk operations: a sweep hands unfinished ones to a job; the job works through the rest.

Nothing in the request path touches Redis (the operation and its items are in PostgreSQL when
the 202 leaves), so a Redis outage only delays the work. The sweep runs every few seconds and
enqueues operations that are queued, or running without a heartbeat for a minute (their worker
died); each batch commits its changes with their results, so a re-run resumes where the last
commit ended, and two jobs on one operation take turns on its row lock.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog
from arq import cron
from arq.cron import CronJob
from arq.worker import Function, func

from domain.bulk import run_operation, unfinished_across_workspaces
from domain.clock import get_clock

log = structlog.get_logger("rapport.bulk")

SWEEP_SECONDS = 5
# Liveness is the heartbeat's business; this only bounds a job that hangs outright.
JOB_TIMEOUT_SECONDS = 6 * 3600


async def run_bulk_operation(ctx: dict[str, Any], workspace_id: str, operation_id: str) -> bool:
    return await run_operation(
        ctx["sessionmaker"], uuid.UUID(workspace_id), uuid.UUID(operation_id), get_clock()
    )


async def enqueue_bulk_operations(ctx: dict[str, Any]) -> int:
    now = get_clock().now()
    due = await unfinished_across_workspaces(ctx["sessionmaker"], now)
    tick = int(now.timestamp() // SWEEP_SECONDS)
    for workspace_id, operation_id in due:
        await ctx["redis"].enqueue_job(
            "run_bulk_operation", str(workspace_id), str(operation_id), _job_id=f"bulk:{operation_id}:{tick}"
        )
    if due:
        log.info("bulk.enqueued", count=len(due))
    return len(due)


def bulk_functions() -> list[Function]:
    return [func(run_bulk_operation, timeout=JOB_TIMEOUT_SECONDS, max_tries=3)]


def bulk_cron_jobs() -> list[CronJob]:
    return [
        cron(
            enqueue_bulk_operations,
            second=set(range(0, 60, SWEEP_SECONDS)),
            run_at_startup=True,
            timeout=SWEEP_SECONDS * 4,
        )
    ]
