"""Renewals: open the renewal deals that have come due, in every workspace.

Idempotent (a deal is renewed once: its row lock and the UNIQUE `renewal_of_id`), so several
workers ticking together, or a rerun after a killed worker, open nothing twice.
"""

from __future__ import annotations

from typing import Any

from arq import cron
from arq.cron import CronJob

from domain.clock import get_clock
from domain.renewals import open_due_renewals_across_workspaces

RENEWAL_TIMEOUT_SECONDS = 300


async def open_due_renewals(ctx: dict[str, Any]) -> int:
    return await open_due_renewals_across_workspaces(ctx["sessionmaker"], now=get_clock().now())


def renewal_cron_jobs() -> list[CronJob]:
    # Lead times are counted in days: every ten minutes is prompt enough and cheap.
    return [
        cron(
            open_due_renewals,
            minute=set(range(3, 60, 10)),
            second=15,
            run_at_startup=True,
            timeout=RENEWAL_TIMEOUT_SECONDS,
        )
    ]
