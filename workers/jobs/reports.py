"""Forecast snapshots: each workspace's forecast as its month begins, for `forecast_at_start`."""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.cron import CronJob

from domain.clock import get_clock
from domain.reports.forecast_snapshots import take_forecast_snapshots_across_workspaces


async def take_forecast_snapshots(ctx: dict[str, Any]) -> int:
    # Idempotent (one row per workspace, month and pipeline): a rerun or an overlap adds nothing.
    return await take_forecast_snapshots_across_workspaces(ctx["sessionmaker"], get_clock().now())


def report_cron_jobs() -> list[CronJob]:
    # Every ten minutes, so a month is recorded soon after it starts in each workspace's zone.
    return [
        cron(
            take_forecast_snapshots, minute=set(range(0, 60, 10)), second=5, run_at_startup=True, timeout=120
        )
    ]
