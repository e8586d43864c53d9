"""Webhook delivery in the worker: a pump that leases due deliveries and queues one job each,
and the job that makes one attempt.

The pump wakes on NOTIFY `rapport_webhooks` (new deliveries, redeliveries) and polls every
second for retries coming due; the job id names the attempt, so one attempt is queued once.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock, get_clock
from domain.webhooks import delivery
from domain.webhooks.fanout import NOTIFY_CHANNEL
from rapport.settings import get_settings
from workers.wakeups import listen

log = structlog.get_logger("rapport.webhooks.pump")

POLL_SECONDS = 1.0


async def deliver_webhook(ctx: dict[str, Any], workspace_id: str, delivery_id: str) -> str | None:
    """One attempt of one delivery (idempotent: nothing is sent for a delivery no longer owed)."""
    settings = ctx.get("settings") or get_settings()
    return await delivery.attempt_delivery(
        ctx["sessionmaker"],
        workspace_id=uuid.UUID(workspace_id),
        delivery_id=uuid.UUID(delivery_id),
        now=get_clock().now(),
        allow_private=settings.webhook_allow_private_targets,
    )


async def dispatch_deliveries_once(
    sessionmaker: async_sessionmaker[AsyncSession], redis: Any, clock: Clock, *, queue_name: str | None = None
) -> int:
    claimed = await delivery.claim_due_across_workspaces(sessionmaker, now=clock.now())
    refused: list[uuid.UUID] = []
    for index, (workspace_id, delivery_id, attempts) in enumerate(claimed):
        try:
            await redis.enqueue_job(
                "deliver_webhook",
                str(workspace_id),
                str(delivery_id),
                _job_id=f"webhook:{delivery_id}:{attempts}",
                **({"_queue_name": queue_name} if queue_name else {}),
            )
        except Exception as exc:  # Redis away: the leases are released and the rest wait.
            refused.extend(d for _, d, _ in claimed[index:])
            log.warning("webhooks.redis_unavailable", error=str(exc), waiting=len(refused))
            break
    await delivery.release_across_workspaces(sessionmaker, refused)
    return len(claimed) - len(refused)


async def run_delivery_pump(
    sessionmaker: async_sessionmaker[AsyncSession], redis: Any, clock: Clock, *, dsn: str | None
) -> None:
    wake = asyncio.Event()
    listener = asyncio.create_task(listen(dsn, NOTIFY_CHANNEL, wake, name="webhooks")) if dsn else None
    try:
        while True:
            try:
                await dispatch_deliveries_once(sessionmaker, redis, clock)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("webhooks.pump_round_failed", error=str(exc))
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=POLL_SECONDS)
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
