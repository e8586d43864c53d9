"""Imports on their own arq queue, in the same `rapport worker` process as everything else.

Why one process with a second arq Worker rather than a second command: `rapport worker` (and
`rapport run`) must process imports with nothing more to start, and an import's CPU-bound part
already runs in a thread. The import queue has a long job timeout and runs one import at a time,
so a big file never holds up events, webhooks or automations on the main queue.

Why a dispatcher: an upload only writes its import row (Redis may be away; the write must not
fail), and a worker killed mid-import must be replaced quickly, not after arq's timeout. The
dispatcher loop hands every import nobody holds (queued, or its lease ran out) to the queue as a
new attempt (job id `import:<id>:<attempt>`); the lease (domain.imports.store) keeps two
attempts from ever writing at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

import structlog
from arq.worker import Worker
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.clock import Clock, get_clock
from domain.imports import store
from domain.imports.runner import run_import as run
from domain.imports.store import Claim

log = structlog.get_logger("rapport.imports")

IMPORT_QUEUE = "rapport:imports"
# Liveness is the lease's business; this only bounds a job that hangs outright.
IMPORT_JOB_TIMEOUT_SECONDS = 6 * 3600
# A look at a small partial index four times a second: an upload waits a quarter of a second
# for its worker, not a second, and the database does not notice.
DISPATCH_SECONDS = 0.25


async def run_import(ctx: dict[str, Any], workspace_id: str, import_id: str, attempt: int) -> str | None:
    """Run (or resume) one import; a job of a superseded attempt returns None at once."""
    claim = Claim(uuid.UUID(workspace_id), uuid.UUID(import_id), attempt)
    try:
        return await run(ctx["sessionmaker"], claim, clock=get_clock())
    except asyncio.CancelledError:
        # Stopping (worker shutdown): let the next attempt start now rather than after the lease.
        with contextlib.suppress(Exception):
            await asyncio.shield(store.release(ctx["sessionmaker"], claim))
        raise


async def dispatch_imports(
    sessionmaker: async_sessionmaker[AsyncSession],
    redis: Any,
    clock: Clock,
    *,
    queue_name: str = IMPORT_QUEUE,
) -> int:
    claims = await store.claim_due_across_workspaces(sessionmaker, now=clock.now())
    refused: list[Claim] = []
    for index, claim in enumerate(claims):
        try:
            await redis.enqueue_job(
                "run_import",
                str(claim.workspace_id),
                str(claim.import_id),
                claim.attempt,
                _job_id=f"import:{claim.import_id}:{claim.attempt}",
                _queue_name=queue_name,
            )
        except Exception as exc:  # Redis away: the rest wait in PostgreSQL for the next round.
            refused = claims[index:]
            log.warning("imports.redis_unavailable", error=str(exc), waiting=len(refused))
            break
    await store.release_dispatch_across_workspaces(sessionmaker, refused)
    return len(claims) - len(refused)


async def run_dispatcher(sessionmaker: async_sessionmaker[AsyncSession], redis: Any, clock: Clock) -> None:
    while True:
        try:
            await dispatch_imports(sessionmaker, redis, clock)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("imports.dispatch_failed", error=str(exc))
        await asyncio.sleep(DISPATCH_SECONDS)


def import_worker(
    sessionmaker: async_sessionmaker[AsyncSession],
    redis_settings: Any,
    queue_name: str = IMPORT_QUEUE,
    **options: Any,
) -> Worker:
    settings: dict[str, Any] = {
        "job_timeout": IMPORT_JOB_TIMEOUT_SECONDS,
        "max_jobs": 1,
        "poll_delay": 0.1,
        "max_tries": 3,
        "keep_result": 3600,
        "handle_signals": False,
        **options,
    }
    return Worker(
        functions=[run_import],
        queue_name=queue_name,
        redis_settings=redis_settings,
        ctx={"sessionmaker": sessionmaker},
        **settings,
    )


async def run_import_worker(sessionmaker: async_sessionmaker[AsyncSession], redis_settings: Any) -> None:
    """The import queue's worker, restarted when Redis goes away and comes back."""
    while True:
        worker = import_worker(sessionmaker, redis_settings)
        try:
            await worker.async_run()
            return
        except (RedisError, ConnectionError, OSError) as exc:
            log.warning("imports.worker_redis_lost", error=str(exc))
        finally:
            with contextlib.suppress(BaseException):
                await worker.close()
        await asyncio.sleep(1)


async def start(ctx: dict[str, Any], redis_settings: Any) -> None:
    """Called by the main worker's start-up: the import queue's worker and the dispatcher."""
    sessionmaker = ctx["sessionmaker"]
    ctx["import_tasks"] = [
        asyncio.create_task(run_import_worker(sessionmaker, redis_settings)),
        asyncio.create_task(run_dispatcher(sessionmaker, ctx["redis"], get_clock())),
    ]


async def stop(ctx: dict[str, Any]) -> None:
    for task in ctx.get("import_tasks", ()):
        task.cancel()
    for task in ctx.get("import_tasks", ()):
        with contextlib.suppress(BaseException):
            await task
