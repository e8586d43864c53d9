"""The nightly trash purge: snapshots older than 30 days are forgotten."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.cron import CronJob

from domain.clock import get_clock
from domain.trash import purge_trash_across_workspaces


async def purge_trash(ctx: dict[str, Any]) -> int:
    # Idempotent (a delete by age): a rerun, an overlap or a second worker removes nothing more.
    # The worker's storage (set at start-up) takes the purged records' files with them.
    return await purge_trash_across_workspaces(
        ctx["sessionmaker"], get_clock().now(), ctx.get("file_storage")
    )


def trash_cron_jobs() -> list[CronJob]:
    # Nightly, and at start-up so a worker that was down at 03:00 still purges that day.
    return [cron(purge_trash, hour=3, minute=0, second=0, run_at_startup=True, timeout=600)]
