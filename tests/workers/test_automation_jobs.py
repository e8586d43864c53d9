"""The automation jobs through a real arq worker: every job run twice acts once, and sweeps that
overlap create one task per firing."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.worker import Worker
from sqlalchemy import func, select

from domain.automations.sweep import due_workspaces_across_workspaces
from domain.clock import OffsetClock, SystemClock
from domain.models import Activity, AutomationRun, Notification, OutboxEvent
from tests.automations_support import create_deal, set_enabled, stage_ids, sweep, tasks_of
from tests.conftest import Api, Db, Servers, User
from workers.jobs.automations import enqueue_automation_sweeps, sweep_automations_workspace, sweep_schedule
from workers.pump import dispatch_once
from workers.settings import handle_event

SEVEN_DAYS = "Follow up on deals that have not moved in 7 days"
PROPOSAL = "Follow up after a proposal is sent"


@pytest_asyncio.fixture(loop_scope="session")
async def queue(servers: Servers) -> AsyncIterator[tuple[str, ArqRedis]]:
    # Redis db 0 is shared with other runs: a queue of this test's own.
    name = f"test:automations:{uuid.uuid4().hex}"
    pool = await create_pool(RedisSettings.from_dsn(servers.redis_url), default_queue_name=name)
    yield name, pool
    await pool.delete(name)
    await pool.aclose()


async def _run_worker(db: Db, servers: Servers, name: str, redis: ArqRedis, **ctx: Any) -> None:
    worker = Worker(
        functions=[handle_event, sweep_automations_workspace, enqueue_automation_sweeps],
        redis_settings=RedisSettings.from_dsn(servers.redis_url),
        queue_name=name,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        ctx={"sessionmaker": db.sessionmaker, "sweep_seconds": 60, **ctx},
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def _count(db: Db, model: Any, workspace_id: str) -> int:
    async with db.sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count()).select_from(model).where(model.workspace_id == uuid.UUID(workspace_id))
            )
            or 0
        )


async def _idle_deals(api: Api, user: User, clock: OffsetClock, n: int) -> list[str]:
    """Deals created eight days ago, so the worker's real clock finds them idle."""
    clock.advance(timedelta(days=-8))
    try:
        return [(await create_deal(api, user, title=f"Idle {i}"))["id"] for i in range(n)]
    finally:
        clock.advance(timedelta(days=8))


async def test_overlapping_sweeps_create_one_task_per_deal(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only={SEVEN_DAYS})
    deals = [(await create_deal(api, user, title=f"Race {i}"))["id"] for i in range(8)]
    later = clock.now() + timedelta(days=8)
    results = await asyncio.gather(*(sweep(db, user, later) for _ in range(4)))
    assert sum(r.fired for r in results) == 8
    for deal_id in deals:
        assert len(await tasks_of(api, user, deal_id)) == 1
    assert await _count(db, AutomationRun, user.workspace_id) == 8


async def test_sweep_job_run_twice_acts_once(
    api: Api, user: User, db: Db, servers: Servers, clock: OffsetClock, queue: tuple[str, ArqRedis]
) -> None:
    name, redis = queue
    await set_enabled(api, user, only={SEVEN_DAYS})
    deals = await _idle_deals(api, user, clock, 3)
    # The cron tick enqueues one sweep per workspace and tick, however often it runs.
    ctx = {"sessionmaker": db.sessionmaker, "redis": redis, "sweep_seconds": 3600}
    due = await due_workspaces_across_workspaces(db.sessionmaker, now=SystemClock().now())
    assert uuid.UUID(user.workspace_id) in due
    await enqueue_automation_sweeps(ctx)
    queued = await redis.queued_jobs()
    assert len([j for j in queued if j.args == (user.workspace_id,)]) == 1
    # A rerun of the same sweep (a worker killed after acting) under another job id.
    await redis.enqueue_job("sweep_automations_workspace", user.workspace_id, _job_id=f"rerun:{uuid.uuid4()}")
    await _run_worker(db, servers, name, redis)
    for deal_id in deals:
        assert len(await tasks_of(api, user, deal_id)) == 1
    await sweep_automations_workspace({"sessionmaker": db.sessionmaker}, user.workspace_id)
    assert await _count(db, Activity, user.workspace_id) == 3


async def test_event_job_run_twice_acts_once(
    api: Api, user: User, db: Db, servers: Servers, queue: tuple[str, ArqRedis]
) -> None:
    name, redis = queue
    await set_enabled(api, user, only={PROPOSAL})
    stages = await stage_ids(api, user)
    deal = await create_deal(
        api,
        user,
        title="Through arq",
        amount="5",
        expected_close_date="2031-01-01",
        stage_id=stages["Proposal Sent"],
    )
    assert await dispatch_once(db.sessionmaker, redis, SystemClock(), queue_name=name) >= 1
    async with db.sessionmaker() as session:
        event_id = await session.scalar(
            select(OutboxEvent.id).where(
                OutboxEvent.subject_id == uuid.UUID(deal["id"]), OutboxEvent.type == "deal.created"
            )
        )
    # The same event delivered again (arq is at-least-once).
    await redis.enqueue_job("handle_event", user.workspace_id, str(event_id), _job_id=f"again:{event_id}")
    await _run_worker(db, servers, name, redis)
    [task] = await tasks_of(api, user, deal["id"])
    assert task["subject"] == "Follow up on the proposal for Through arq"


async def test_reminders_run_twice_notify_once(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    await set_enabled(api, user, only=set())
    due = clock.now() + timedelta(hours=2)
    created = await api.post(
        "/api/v1/activities",
        json={
            "type": "task",
            "subject": "Call Hank",
            "due_at": due.isoformat(),
            "remind_at": (due - timedelta(hours=1)).isoformat(),
        },
        headers=user.headers,
    )
    assert created.status_code == 201
    at_reminder = due - timedelta(minutes=30)
    results = await asyncio.gather(sweep(db, user, at_reminder), sweep(db, user, at_reminder))
    assert sum(r.reminders for r in results) == 1
    assert (await sweep(db, user, due + timedelta(minutes=1))).reminders == 1
    assert (await sweep(db, user, due + timedelta(minutes=2))).reminders == 0
    assert await _count(db, Notification, user.workspace_id) == 2


def test_sweep_schedule_follows_the_setting() -> None:
    assert sweep_schedule(60) == {"minute": set(range(60)), "second": 0}
    assert sweep_schedule(15) == {"second": {0, 15, 30, 45}}
    assert sweep_schedule(1) == {"second": set(range(60))}
    assert sweep_schedule(300) == {"minute": set(range(0, 60, 5)), "second": 0}
