"""The outbox path: events committed with writes reach the worker once, Redis or no Redis."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import pytest_asyncio
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.worker import Worker
from sqlalchemy import func, select

from domain import outbox
from domain.clock import SystemClock
from domain.db import workspace_transaction
from domain.email import deliver_pending_emails
from domain.models import OutboundEmail, OutboxEvent
from domain.principal import Principal
from tests.conftest import Api, Db, Servers, User, free_port
from workers.pump import dispatch_once
from workers.settings import handle_event

handled: list[uuid.UUID] = []


@outbox.on("test.ping")
async def _record(session: Any, event: OutboxEvent, now: datetime) -> None:
    handled.append(event.id)


@pytest_asyncio.fixture(loop_scope="session")
async def redis(servers: Servers) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(RedisSettings.from_dsn(servers.redis_url))
    yield pool
    await pool.aclose()


async def _emit(db: Db, user: User) -> uuid.UUID:
    workspace_id = uuid.UUID(user.workspace_id)
    async with workspace_transaction(db.sessionmaker, workspace_id) as session:
        principal = Principal(
            workspace_id=workspace_id, user_id=uuid.UUID(user.user_id), role="admin", kind="user", name="T"
        )
        event = await outbox.emit(
            session,
            workspace_id=workspace_id,
            type="test.ping",
            payload={"n": 1},
            now=SystemClock().now(),
            actor=principal,
        )
        return event.id


async def _run_worker(db: Db, servers: Servers, queue: str) -> None:
    worker = Worker(
        functions=[handle_event],
        redis_settings=RedisSettings.from_dsn(servers.redis_url),
        queue_name=queue,
        burst=True,
        poll_delay=0.05,
        handle_signals=False,
        ctx={"sessionmaker": db.sessionmaker},
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()


async def test_event_is_dispatched_and_handled_once(
    api: Api, user: User, db: Db, servers: Servers, redis: ArqRedis
) -> None:
    queue = f"test:{uuid.uuid4().hex}"
    event_id = await _emit(db, user)
    assert await dispatch_once(db.sessionmaker, redis, SystemClock(), queue_name=queue) >= 1
    await _run_worker(db, servers, queue)
    assert handled.count(event_id) == 1
    # A second delivery of the same job (arq is at-least-once) does nothing more.
    assert not await outbox.process_event(
        db.sessionmaker, workspace_id=uuid.UUID(user.workspace_id), event_id=event_id, now=SystemClock().now()
    )
    assert handled.count(event_id) == 1
    async with db.sessionmaker() as session:
        event = await session.get(OutboxEvent, event_id)
        assert event is not None and event.processed_at is not None


async def test_redis_down_keeps_events_waiting(api: Api, user: User, db: Db) -> None:
    # A real client aimed at a port where no Redis listens: what a stopped Redis looks like.
    down = ArqRedis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.5)
    event_id = await _emit(db, user)
    try:
        assert await dispatch_once(db.sessionmaker, down, SystemClock()) == 0
    finally:
        await down.aclose()
    async with db.sessionmaker() as session:
        event = await session.get(OutboxEvent, event_id)
        assert event is not None
        assert event.dispatched_at is None and event.processed_at is None  # due again next round


async def test_queued_email_is_delivered_once(api: Api, user: User, db: Db) -> None:
    assert (await api.post("/api/v1/auth/password-reset", json={"email": user.email})).status_code == 202
    first = await deliver_pending_emails(db.sessionmaker, smtp_url=None, now=SystemClock().now())
    second = await deliver_pending_emails(db.sessionmaker, smtp_url=None, now=SystemClock().now())
    assert first >= 1 and second == 0
    async with db.sessionmaker() as session:
        pending = await session.scalar(
            select(func.count()).select_from(OutboundEmail).where(OutboundEmail.sent_at.is_(None))
        )
    assert pending == 0
