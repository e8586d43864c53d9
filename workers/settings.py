"""arq worker settings: the jobs, the pump beside them, and reconnecting to Redis."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from typing import Any

from arq.connections import RedisSettings

from domain import outbox
from domain.clock import get_clock
from domain.db import make_engine, make_sessionmaker
from domain.handlers import register_all
from rapport.settings import get_settings
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
    dsn = settings.async_database_url.replace("postgresql+asyncpg://", "postgresql://")
    ctx["pump"] = asyncio.create_task(
        run_pump(ctx["sessionmaker"], ctx["redis"], get_clock(), dsn=dsn, smtp_url=settings.smtp_url)
    )


async def shutdown(ctx: dict[str, Any]) -> None:
    pump = ctx.get("pump")
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


class WorkerSettings:
    functions = [handle_event]
    on_startup = startup
    on_shutdown = shutdown
    job_timeout = JOB_TIMEOUT_SECONDS
    max_tries = 10
    keep_result = 3600
    health_check_interval = 30

    @classmethod
    def redis(cls) -> RedisSettings:
        return redis_settings()
