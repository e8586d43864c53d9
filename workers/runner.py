"""Run the arq worker, and run it again when Redis goes away and comes back."""

from __future__ import annotations

import asyncio

import structlog
from arq.worker import Worker
from redis.exceptions import RedisError

from workers.settings import WorkerSettings, cron_jobs, redis_settings

log = structlog.get_logger("rapport.worker")


def build_worker() -> Worker:
    return Worker(
        functions=WorkerSettings.functions,
        cron_jobs=cron_jobs(),
        redis_settings=redis_settings(),
        on_startup=WorkerSettings.on_startup,
        on_shutdown=WorkerSettings.on_shutdown,
        job_timeout=WorkerSettings.job_timeout,
        max_tries=WorkerSettings.max_tries,
        keep_result=WorkerSettings.keep_result,
        health_check_interval=WorkerSettings.health_check_interval,
        handle_signals=True,
    )


async def run_forever() -> None:
    while True:
        worker = build_worker()
        try:
            await worker.async_run()
            return
        except asyncio.CancelledError:
            # arq answers SIGINT/SIGTERM by cancelling its own main task, which surfaces here;
            # only a cancellation aimed at this task itself is passed on.
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise
            log.info("worker.stopped")
            return
        except (RedisError, ConnectionError, OSError) as exc:
            # arq stops on a lost connection; jobs and events wait in Redis and PostgreSQL.
            log.warning("worker.redis_lost", error=str(exc))
        finally:
            try:
                await worker.close()
            except Exception as exc:
                log.info("worker.close_failed", error=str(exc))
        await asyncio.sleep(1)
