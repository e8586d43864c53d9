"""After-sale work through the worker: won twice through a real arq worker opens one project, and
renewal jobs running side by side open one renewal deal."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.worker import Worker
from sqlalchemy import func, select

from domain.clock import SystemClock
from domain.models import Deal, OutboxEvent, Project
from tests.automations_support import create_deal, set_enabled, stage_ids, tasks_of
from tests.conftest import Api, Db, Servers, User
from workers.jobs.renewals import open_due_renewals, renewal_cron_jobs
from workers.pump import dispatch_once
from workers.settings import handle_event


@pytest_asyncio.fixture(loop_scope="session")
async def queue(servers: Servers) -> AsyncIterator[tuple[str, ArqRedis]]:
    name = f"test:after-sale:{uuid.uuid4().hex}"
    pool = await create_pool(RedisSettings.from_dsn(servers.redis_url), default_queue_name=name)
    yield name, pool
    await pool.delete(name)
    await pool.aclose()


async def test_won_twice_through_arq_opens_one_project(
    api: Api, user: User, db: Db, servers: Servers, queue: tuple[str, ArqRedis]
) -> None:
    name, redis = queue
    await set_enabled(api, user, only=set())
    stages = await stage_ids(api, user)
    deal = await create_deal(api, user, title="Won twice")
    for stage in ("Closed Won", "Negotiation", "Closed Won"):
        moved = await api.post(
            f"/api/v1/deals/{deal['id']}/move", json={"stage_id": stages[stage]}, headers=user.headers
        )
        assert moved.status_code == 200, moved.text
    assert await dispatch_once(db.sessionmaker, redis, SystemClock(), queue_name=name) >= 2
    async with db.sessionmaker() as session:
        won = list(
            (
                await session.execute(
                    select(OutboxEvent.id).where(
                        OutboxEvent.subject_id == uuid.UUID(deal["id"]), OutboxEvent.type == "deal.won"
                    )
                )
            ).scalars()
        )
    assert len(won) == 2
    # Each win delivered once more under another job id (a worker died after acting).
    for event_id in won:
        await redis.enqueue_job("handle_event", user.workspace_id, str(event_id), _job_id=f"again:{event_id}")
    worker = Worker(
        functions=[handle_event],
        redis_settings=RedisSettings.from_dsn(servers.redis_url),
        queue_name=name,
        burst=True,
        poll_delay=0.05,
        max_jobs=4,
        handle_signals=False,
        ctx={"sessionmaker": db.sessionmaker},
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    async with db.sessionmaker() as session:
        projects = await session.scalar(
            select(func.count()).select_from(Project).where(Project.deal_id == uuid.UUID(deal["id"]))
        )
        unprocessed = await session.scalar(
            select(func.count())
            .select_from(OutboxEvent)
            .where(OutboxEvent.id.in_(won), OutboxEvent.processed_at.is_(None))
        )
    # Both wins were handled (none failed on the unique key), and one project came of them.
    assert projects == 1 and unprocessed == 0


async def test_renewal_jobs_side_by_side_open_one_deal(api: Api, user: User, db: Db) -> None:
    assert [job.name for job in renewal_cron_jobs()] == ["cron:open_due_renewals"]
    stages = await stage_ids(api, user)
    ends = SystemClock().now().date() + timedelta(days=45)
    deal = await create_deal(api, user, title="Yearly", amount="700", contract_end_date=str(ends))
    moved = await api.post(
        f"/api/v1/deals/{deal['id']}/move", json={"stage_id": stages["Closed Won"]}, headers=user.headers
    )
    assert moved.status_code == 200, moved.text
    ctx = {"sessionmaker": db.sessionmaker}
    await asyncio.gather(*(open_due_renewals(ctx) for _ in range(3)))
    await open_due_renewals(ctx)
    async with db.sessionmaker() as session:
        renewals = list(
            (
                await session.execute(select(Deal.id).where(Deal.renewal_of_id == uuid.UUID(deal["id"])))
            ).scalars()
        )
    assert len(renewals) == 1
    assert len(await tasks_of(api, user, str(renewals[0]))) == 1
