"""The trash purge and bulk operation jobs through a real arq worker: each run twice acts once."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.worker import Worker

from domain import bulk
from domain.clock import OffsetClock, get_clock
from tests.conftest import Api, Db, Servers, User
from workers.jobs.bulk import bulk_functions, enqueue_bulk_operations
from workers.jobs.trash import purge_trash


@pytest_asyncio.fixture(loop_scope="session")
async def queue(servers: Servers) -> AsyncIterator[tuple[str, ArqRedis]]:
    name = f"test:bulk:{uuid.uuid4().hex}"
    pool = await create_pool(RedisSettings.from_dsn(servers.redis_url), default_queue_name=name)
    yield name, pool
    await pool.delete(name)
    await pool.aclose()


async def _run_worker(db: Db, servers: Servers, name: str) -> None:
    worker = Worker(
        functions=bulk_functions(),
        redis_settings=RedisSettings.from_dsn(servers.redis_url),
        queue_name=name,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        ctx={"sessionmaker": db.sessionmaker},
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def _contact(api: Api, user: User, name: str) -> dict[str, Any]:
    body = {"first_name": name, "email": f"{name}-{uuid.uuid4().hex[:6]}@jobs.example"}
    response = await api.post("/api/v1/contacts", json=body, headers=user.headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def test_a_queued_operation_runs_in_the_worker_once(
    api: Api,
    user: User,
    db: Db,
    servers: Servers,
    queue: tuple[str, ArqRedis],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bulk, "INLINE_LIMIT", 1)
    name, pool = queue
    ids = [(await _contact(api, user, f"c{i}"))["id"] for i in range(3)]
    body = {"ids": ids, "action": "add_tag", "tag": "worked"}
    queued = await api.post("/api/v1/contacts/bulk", json=body, headers=user.headers)
    assert queued.status_code == 202, queued.text
    operation = queued.json()["id"]

    ctx = {"sessionmaker": db.sessionmaker, "redis": pool}
    assert await enqueue_bulk_operations(ctx) >= 1
    await _run_worker(db, servers, name)
    # The sweep again, and the job enqueued by hand under another id: nothing is left to do.
    unfinished = await bulk.unfinished_across_workspaces(db.sessionmaker, get_clock().now())
    assert operation not in {str(op) for _, op in unfinished}
    await pool.enqueue_job("run_bulk_operation", user.workspace_id, operation, _job_id=f"again:{operation}")
    await _run_worker(db, servers, name)

    done = (await api.get(f"/api/v1/bulk-operations/{operation}", headers=user.headers)).json()
    assert (done["status"], done["done"], done["succeeded"]) == ("done", 3, 3)
    for record_id in ids:
        contact = (await api.get(f"/api/v1/contacts/{record_id}", headers=user.headers)).json()
        assert contact["tags"] == ["worked"] and contact["version"] == 2


async def test_the_purge_job_run_twice_purges_once(api: Api, user: User, db: Db, clock: OffsetClock) -> None:
    contact = await _contact(api, user, "old")
    clock.advance(timedelta(days=-31))
    try:
        deleted = await api.delete(f"/api/v1/contacts/{contact['id']}", headers=user.headers)
        assert deleted.status_code == 204
    finally:
        clock.advance(timedelta(days=31))
    ctx = {"sessionmaker": db.sessionmaker}
    assert await purge_trash(ctx) >= 1
    assert await purge_trash(ctx) == 0
    trash = (await api.get("/api/v1/trash", headers=user.headers)).json()
    assert contact["id"] not in [i["id"] for i in trash["items"]]
