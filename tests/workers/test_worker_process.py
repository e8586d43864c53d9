"""`rapport worker` as a process: it keeps going through a Redis restart and catches up."""

from __future__ import annotations

import asyncio
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from domain.models import OutboxEvent
from rapport.embedded import start_redis
from tests.conftest import Api, Db, Servers, User, server_env, start_process


async def _pending(db: Db, workspace_id: str) -> int:
    async with db.sessionmaker() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(
                    OutboxEvent.workspace_id == uuid.UUID(workspace_id), OutboxEvent.processed_at.is_(None)
                )
            )
            or 0
        )


async def _wait_until_processed(db: Db, workspace_id: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while await _pending(db, workspace_id):
        if time.monotonic() > deadline:
            raise AssertionError("events were not processed in time")
        await asyncio.sleep(0.2)


@pytest.mark.slow
async def test_worker_survives_a_redis_restart(api: Api, user: User, db: Db, servers: Servers) -> None:
    with tempfile.TemporaryDirectory(prefix="rapport-redis-") as tmp:
        redis = start_redis(Path(tmp))
        env = server_env(db.url, redis.url)
        worker = start_process(["worker"], env, "worker")
        try:
            created = await api.post("/api/v1/accounts", json={"name": "Before outage"}, headers=user.headers)
            assert created.status_code == 201, created.text
            await _wait_until_processed(db, user.workspace_id)

            redis.stop()
            # Writes go on while Redis is away; their events wait in PostgreSQL.
            during = await api.post("/api/v1/accounts", json={"name": "During outage"}, headers=user.headers)
            assert during.status_code == 201
            await asyncio.sleep(2)
            assert await _pending(db, user.workspace_id) >= 1
            assert worker.poll() is None, "the worker died with Redis"

            redis = start_redis(Path(tmp))  # same data folder: same port
            await _wait_until_processed(db, user.workspace_id, timeout=60)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
            redis.stop()
        # SIGTERM is how operators stop it: a clean exit, not a crash report in the logs.
        assert worker.returncode == 0
        assert "Traceback" not in (Path(env["RAPPORT_DATA_DIR"]) / "worker.log").read_text()
