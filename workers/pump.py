"""The worker's background loop: hands outbox events to the queue and sends queued email.

It wakes on NOTIFY from committing writers and polls every second as a fallback, so a missed
notification (or a dispatcher that was down) only delays an event, never loses it.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain import outbox
from domain.clock import Clock
from domain.email import deliver_pending_emails
from workers.wakeups import listen

log = structlog.get_logger("rapport.pump")

POLL_SECONDS = 1.0


async def dispatch_once(
    sessionmaker: async_sessionmaker[AsyncSession], redis: Any, clock: Clock, *, queue_name: str | None = None
) -> int:
    """Enqueue due events (job id = event id, so a second enqueue of one event is a no-op)."""
    claimed = await outbox.claim_for_dispatch_across_workspaces(sessionmaker, now=clock.now())
    refused: list[uuid.UUID] = []
    for index, (workspace_id, event_id) in enumerate(claimed):
        try:
            await redis.enqueue_job(
                "handle_event",
                str(workspace_id),
                str(event_id),
                _job_id=f"event:{event_id}",
                **({"_queue_name": queue_name} if queue_name else {}),
            )
        except Exception as exc:  # Redis away: the rest wait in PostgreSQL for the next round.
            refused.extend(e for _, e in claimed[index:])
            log.warning("dispatch.redis_unavailable", error=str(exc), waiting=len(refused))
            break
    await outbox.release_dispatch_across_workspaces(sessionmaker, refused)
    return len(claimed) - len(refused)


async def run_pump(
    sessionmaker: async_sessionmaker[AsyncSession],
    redis: Any,
    clock: Clock,
    *,
    dsn: str | None,
    smtp_url: str | None,
) -> None:
    wake = asyncio.Event()
    listener = asyncio.create_task(listen(dsn, outbox.NOTIFY_CHANNEL, wake, name="pump")) if dsn else None
    try:
        while True:
            try:
                await dispatch_once(sessionmaker, redis, clock)
                await deliver_pending_emails(sessionmaker, smtp_url=smtp_url, now=clock.now())
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("pump.round_failed", error=str(exc))
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=POLL_SECONDS)
    finally:
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener
