"""arq worker settings: the jobs, the pump beside them, and reconnecting to Redis."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from arq.connections import RedisSettings
from arq.cron import CronJob

from domain import outbox
from domain.clock import get_clock
from domain.db import make_engine, make_sessionmaker
from domain.files.storage import storage_from_settings
from domain.handlers import register_all
from rapport.settings import get_settings
from workers.jobs import imports as import_jobs
from workers.jobs.automations import automation_cron_jobs, sweep_automations_workspace
from workers.jobs.bulk import bulk_cron_jobs, bulk_functions
from workers.jobs.forms import run_form_consumers
from workers.jobs.renewals import renewal_cron_jobs
from workers.jobs.reports import report_cron_jobs
from workers.jobs.trash import trash_cron_jobs
from workers.jobs.webhooks import deliver_webhook, run_delivery_pump
from workers.pump import run_pump

JOB_TIMEOUT_SECONDS = 60


async def handle_event(ctx: dict[str, Any], workspace_id: str, event_id: str) -> bool:
    """Run an outbox event's handlers; idempotent through the event row's `processed_at`."""
    return await outbox.process_event(
        ctx["sessionmaker"],
        workspace_id=uuid.UUID(workspace_id),
        event_id=uuid.UUID(event_id),
        now=get_clock().now(),
    )


async def startup(ctx: dict[str, Any]) -> None:
    register_all()
    settings = get_settings()
    engine = make_engine(settings.async_database_url, pool_size=5)
    ctx["engine"] = engine
    ctx["sessionmaker"] = make_sessionmaker(engine)
    ctx["file_storage"] = storage_from_settings(settings)
    ctx["sweep_seconds"] = settings.automation_sweep_seconds
    dsn = settings.async_database_url.replace("postgresql+asyncpg://", "postgresql://")
    ctx["pump"] = asyncio.create_task(
        run_pump(ctx["sessionmaker"], ctx["redis"], get_clock(), dsn=dsn, smtp_url=settings.smtp_url)
    )
    ctx["webhook_pump"] = asyncio.create_task(
        run_delivery_pump(ctx["sessionmaker"], ctx["redis"], get_clock(), dsn=dsn)
    )
    ctx["form_consumers"] = asyncio.create_task(run_form_consumers(ctx["sessionmaker"], get_clock()))
    await import_jobs.start(ctx, redis_settings())


async def shutdown(ctx: dict[str, Any]) -> None:
    await import_jobs.stop(ctx)
    for name in ("pump", "webhook_pump", "form_consumers"):
        pump = ctx.get(name)
        if pump is not None:
            pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pump
    if "engine" in ctx:
        await ctx["engine"].dispose()


def redis_settings() -> RedisSettings:
    url = get_settings().redis_url
    if not url:
        raise RuntimeError("REDIS_URL is not set and no embedded Redis was started")
    settings = RedisSettings.from_dsn(url)
    # Keep retrying while Redis restarts instead of giving up after a few seconds.
    settings.conn_retries = 1_000_000
    settings.conn_retry_delay = 1
    return settings


def cron_jobs() -> list[CronJob]:
    """Read when the worker is built (settings need SECRET_KEY, which importing this must not)."""
    return [
        *automation_cron_jobs(get_settings().automation_sweep_seconds),
        *report_cron_jobs(),
        *trash_cron_jobs(),
        *bulk_cron_jobs(),
        *renewal_cron_jobs(),
    ]


class WorkerSettings:
    functions: list[Any] = [handle_event, deliver_webhook, sweep_automations_workspace, *bulk_functions()]
    on_startup = startup
    on_shutdown = shutdown
    job_timeout = JOB_TIMEOUT_SECONDS
    max_tries = 10
    keep_result = 3600
    health_check_interval = 30

    @classmethod
    def redis(cls) -> RedisSettings:
        return redis_settings()
