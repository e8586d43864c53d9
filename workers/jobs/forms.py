"""Form submissions in the worker: a few consumers taking pending submissions from PostgreSQL.

Each consumer takes one submission at a time with `FOR UPDATE SKIP LOCKED` and processes it in
that transaction (domain.forms.processing), so consumers in any number of workers never take the
same one, and one killed mid-way leaves it pending for the next. When there is nothing to do they
look again every half second: a new lead waits at most that long, and the public intake needs no
NOTIFY (which would serialise its commits).
"""

from __future__ import annotations

import asyncio
import contextlib

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock
from domain.forms.processing import process_next_across_workspaces

log = structlog.get_logger("rapport.forms.worker")

CONSUMERS = 4
IDLE_SECONDS = 0.5
AFTER_ERROR_SECONDS = 2.0


async def consume_submissions(sessionmaker: async_sessionmaker[AsyncSession], clock: Clock) -> None:
    while True:
        try:
            taken = await process_next_across_workspaces(sessionmaker, now=clock.now())
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database away: the submission stays pending
            log.warning("forms.consume_failed", error=str(exc))
            await asyncio.sleep(AFTER_ERROR_SECONDS)
            continue
        if taken is None:
            await asyncio.sleep(IDLE_SECONDS)


async def run_form_consumers(
    sessionmaker: async_sessionmaker[AsyncSession], clock: Clock, *, consumers: int = CONSUMERS
) -> None:
    tasks = [asyncio.create_task(consume_submissions(sessionmaker, clock)) for _ in range(consumers)]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
