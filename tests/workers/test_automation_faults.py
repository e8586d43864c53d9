"""`rapport worker` under faults: killed with SIGKILL mid-sweep (no duplicate task afterwards), and
Redis stopped during writes (writes succeed; automations fire once it is back).

Each test runs the worker as a process against a private Redis, so no other run's worker on the
shared Redis can take its jobs.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from domain.clock import OffsetClock
from domain.models import Activity, AutomationRun
from rapport.embedded import start_redis
from tests.automations_support import create_deal, set_enabled, stage_ids
from tests.conftest import Api, Db, User, server_env, start_process

SEVEN_DAYS = "Follow up on deals that have not moved in 7 days"
PROPOSAL = "Follow up after a proposal is sent"


async def _counts(db: Db, workspace_id: str) -> tuple[int, int, int]:
    """(automation tasks, runs, the most tasks any one deal has)."""
    ws = uuid.UUID(workspace_id)
    auto = (Activity.workspace_id == ws, Activity.created_by_type == "automation")
    async with db.sessionmaker() as session:
        tasks = await session.scalar(select(func.count()).select_from(Activity).where(*auto))
        runs = await session.scalar(
            select(func.count()).select_from(AutomationRun).where(AutomationRun.workspace_id == ws)
        )
        per_deal = select(func.count().label("n")).where(*auto).group_by(Activity.deal_id).subquery()
        most = await session.scalar(select(func.coalesce(func.max(per_deal.c.n), 0)))
    return int(tasks or 0), int(runs or 0), int(most or 0)


async def _wait_for(db: Db, workspace_id: str, tasks: int, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while (await _counts(db, workspace_id))[0] < tasks:
        if time.monotonic() > deadline:
            raise AssertionError(f"expected {tasks} tasks, have {await _counts(db, workspace_id)}")
        await asyncio.sleep(0.2)


async def _idle_deals(api: Api, user: User, clock: OffsetClock, n: int) -> list[str]:
    """Deals last touched eight days ago: the worker (on the real clock) finds them idle."""
    clock.advance(timedelta(days=-8))
    try:
        return [(await create_deal(api, user, title=f"Idle {i}"))["id"] for i in range(n)]
    finally:
        clock.advance(timedelta(days=8))


def _stop(process: Any) -> None:
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
async def test_worker_killed_mid_sweep_leaves_no_duplicate(
    api: Api, user: User, db: Db, clock: OffsetClock
) -> None:
    await set_enabled(api, user, only={SEVEN_DAYS})
    total = 250
    await _idle_deals(api, user, clock, total)
    with tempfile.TemporaryDirectory(prefix="rapport-redis-") as tmp:
        redis = start_redis(Path(tmp))
        env = server_env(db.url, redis.url, AUTOMATION_SWEEP_SECONDS="1")
        worker = start_process(["worker"], env, "worker-killed")
        try:
            deadline = time.monotonic() + 60
            while (await _counts(db, user.workspace_id))[0] == 0:
                assert time.monotonic() < deadline, "the sweep never started"
                assert worker.poll() is None, "the worker died"
                await asyncio.sleep(0.05)
            worker.kill()  # SIGKILL: no shutdown, the firing in flight dies with its connection
            worker.wait(timeout=10)
            tasks, runs, most = await _counts(db, user.workspace_id)
            assert 0 < tasks < total, "the kill did not land mid-sweep"
            # Nothing half done: every run has its task, no task lacks its run.
            assert tasks == runs and most == 1

            worker = start_process(["worker"], env, "worker-restarted")
            await _wait_for(db, user.workspace_id, total)
            await asyncio.sleep(3)  # a few more ticks find nothing more to do
            assert await _counts(db, user.workspace_id) == (total, total, 1)
        finally:
            _stop(worker)
            redis.stop()


@pytest.mark.slow
async def test_redis_stopped_during_writes(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    await set_enabled(api, user, only={SEVEN_DAYS, PROPOSAL})
    stages = await stage_ids(api, user)
    with tempfile.TemporaryDirectory(prefix="rapport-redis-") as tmp:
        redis = start_redis(Path(tmp))
        env = server_env(db.url, redis.url, AUTOMATION_SWEEP_SECONDS="1")
        worker = start_process(["worker"], env, "worker-redis")
        try:
            await asyncio.sleep(2)
            redis.stop()
            # Writes go on while Redis is away.
            proposals = [
                await create_deal(
                    api,
                    user,
                    title=f"Proposal {i}",
                    amount="10",
                    expected_close_date="2031-01-01",
                    stage_id=stages["Proposal Sent"],
                )
                for i in range(3)
            ]
            idle = await _idle_deals(api, user, clock, 3)
            assert len(proposals) == 3 and len(idle) == 3
            await asyncio.sleep(3)
            assert (await _counts(db, user.workspace_id))[0] == 0, "nothing fires while Redis is away"
            assert worker.poll() is None, "the worker died with Redis"

            redis = start_redis(Path(tmp))  # same data folder: same port
            await _wait_for(db, user.workspace_id, 6)
            await asyncio.sleep(3)
            assert await _counts(db, user.workspace_id) == (6, 6, 1)
        finally:
            _stop(worker)
            redis.stop()
