"""The import job: run by the import queue's worker, resumed without duplicates after a crash."""

from __future__ import annotations

import asyncio
import random
import signal
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from arq.connections import ArqRedis, RedisSettings, create_pool
from sqlalchemy import func, select, text, update

from domain.clock import SystemClock
from domain.imports import runner, store
from domain.models import Contact, Import, ImportRowError
from rapport.embedded import start_redis
from tests.api.imports_support import upload
from tests.conftest import Api, Db, Servers, User, server_env, start_process
from workers.jobs.imports import dispatch_imports, import_worker


@pytest_asyncio.fixture(loop_scope="session")
async def redis(servers: Servers) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(RedisSettings.from_dsn(servers.redis_url))
    yield pool
    await pool.aclose()


_SYLLABLES = "ka lo mi ne ru sa ti vo ze ba do fi gu ha je pi qu wo xa yu".split()


def _name(seed: int) -> str:
    """A made-up name, unlike its neighbours' (so the duplicate scan finds little)."""
    picks = random.Random(seed)
    return "".join(picks.choice(_SYLLABLES) for _ in range(3)).capitalize()


def _contacts_csv(rows: int, *, repeat_every: int = 10, repeat_back: int = 0) -> tuple[bytes, int]:
    """Unique people, and every `repeat_every`-th row repeating an earlier one (email in capitals)."""
    lines = ["first_name,last_name,email,phone,company"]
    repeats = 0
    for i in range(rows):
        j = i - repeat_back - 1 if repeat_back else i - 1  # never itself a repeat
        if i % repeat_every == 0 and j >= 0:
            lines.append(f"{_name(j)},{_name(-j)},USER{j}@EXAMPLE{j % 50}.COM,,")
            repeats += 1
        else:
            lines.append(
                f"{_name(i)},{_name(-i)},user{i}@example{i % 50}.com,"
                f"(415) {200 + i // 10000:03d}-{i % 10000:04d},Company {i % 300}"
            )
    return ("\n".join(lines) + "\n").encode(), repeats


async def _import(db: Db, import_id: str) -> Import:
    async with db.sessionmaker() as session:
        found = await session.get(Import, uuid.UUID(import_id))
        assert found is not None
        return found


async def _contact_counts(db: Db, workspace_id: str) -> tuple[int, int]:
    async with db.sessionmaker() as session:
        row = (
            await session.execute(
                select(func.count(), func.count(func.distinct(Contact.email))).where(
                    Contact.workspace_id == uuid.UUID(workspace_id), Contact.merged_into_id.is_(None)
                )
            )
        ).one()
        return int(row[0]), int(row[1])


async def test_the_import_queue_runs_dispatched_imports(
    api: Api, user: User, db: Db, servers: Servers, redis: ArqRedis
) -> None:
    content, repeats = _contacts_csv(300)
    body = await upload(api, user, content)
    queue = f"test-imports:{uuid.uuid4().hex}"
    assert await dispatch_imports(db.sessionmaker, redis, SystemClock(), queue_name=queue) == 1
    # Nobody holds it now: a second round hands out nothing.
    assert await dispatch_imports(db.sessionmaker, redis, SystemClock(), queue_name=queue) == 0
    worker = import_worker(
        db.sessionmaker,
        RedisSettings.from_dsn(servers.redis_url),
        queue_name=queue,
        burst=True,
        poll_delay=0.05,
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    record = await _import(db, body["id"])
    assert (record.status, record.total, record.created, record.merged) == (
        "done",
        300,
        300 - repeats,
        repeats,
    )
    assert record.scanned_at is not None and record.lease_until is None
    assert await _contact_counts(db, user.workspace_id) == (300 - repeats, 300 - repeats)


async def test_a_crashed_attempt_resumes_where_it_stopped(
    api: Api, user: User, db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BATCH_ROWS", 40)
    content, repeats = _contacts_csv(400, repeat_back=95)
    body = await upload(api, user, content)
    [first] = await store.claim_due_across_workspaces(db.sessionmaker, now=SystemClock().now())

    class Crash(Exception):
        pass

    async def crash_after_three(record: Import) -> None:
        if record.processed >= 120:
            raise Crash

    with pytest.raises(Crash):
        await runner.run_import(db.sessionmaker, first, clock=SystemClock(), on_progress=crash_after_three)
    halfway = await _import(db, body["id"])
    assert (halfway.status, halfway.processed, halfway.position) == ("running", 120, 120)
    # Its lease has not run out yet: nobody else takes it.
    assert await store.claim_due_across_workspaces(db.sessionmaker, now=SystemClock().now()) == []
    later = SystemClock().now() + store.LEASE + timedelta(seconds=1)
    [second] = await store.claim_due_across_workspaces(db.sessionmaker, now=later)
    assert second.attempt == first.attempt + 1
    # The dead attempt, rerun by arq after its timeout, finds the import taken and writes nothing.
    assert await runner.run_import(db.sessionmaker, first, clock=SystemClock()) is None
    assert await runner.run_import(db.sessionmaker, second, clock=SystemClock()) == "done"
    record = await _import(db, body["id"])
    assert (record.total, record.processed, record.created, record.merged, record.failed) == (
        400,
        400,
        400 - repeats,
        repeats,
        0,
    )
    assert await _contact_counts(db, user.workspace_id) == (400 - repeats, 400 - repeats)


async def test_a_dry_run_across_batches_keeps_its_projection(
    api: Api, user: User, db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BATCH_ROWS", 25)
    content, repeats = _contacts_csv(100)
    body = await upload(api, user, content, dry_run=True)
    await _run_all(db)
    record = await _import(db, body["id"])
    assert (record.status, record.created, record.merged) == ("done", 100 - repeats, repeats)
    assert await _contact_counts(db, user.workspace_id) == (0, 0)
    assert len(record.preview) == runner.PREVIEW_ROWS


async def test_a_dry_run_cut_short_starts_over(
    api: Api, user: User, db: Db, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "BATCH_ROWS", 25)
    content, repeats = _contacts_csv(100, repeat_back=30)
    body = await upload(api, user, content + b"bad,row,not-an-email,,\n", dry_run=True)
    [first] = await store.claim_due_across_workspaces(db.sessionmaker, now=SystemClock().now())

    async def crash(record: Import) -> None:
        if record.processed >= 50:
            raise RuntimeError("worker died")

    with pytest.raises(RuntimeError):
        await runner.run_import(db.sessionmaker, first, clock=SystemClock(), on_progress=crash)
    later = SystemClock().now() + store.LEASE + timedelta(seconds=1)
    [second] = await store.claim_due_across_workspaces(db.sessionmaker, now=later)
    assert await runner.run_import(db.sessionmaker, second, clock=SystemClock()) == "done"
    record = await _import(db, body["id"])
    # The repeats of rows read before the crash are still recognised: the run started over.
    assert (record.processed, record.created, record.merged, record.failed) == (
        101,
        100 - repeats,
        repeats,
        1,
    )
    async with db.sessionmaker() as session:
        errors = await session.scalar(
            select(func.count()).select_from(ImportRowError).where(ImportRowError.import_id == record.id)
        )
    assert errors == 1 and await _contact_counts(db, user.workspace_id) == (0, 0)


async def _run_all(db: Db) -> None:
    for claim in await store.claim_due_across_workspaces(db.sessionmaker, now=SystemClock().now()):
        await runner.run_import(db.sessionmaker, claim, clock=SystemClock())


async def _wait_for(db: Db, import_id: str, done: Any, timeout: float) -> Import:
    deadline = time.monotonic() + timeout
    while True:
        record = await _import(db, import_id)
        if done(record):
            return record
        if time.monotonic() > deadline:
            raise AssertionError(f"import did not get there in time: {record.status} {record.processed}")
        await asyncio.sleep(0.05)


@pytest.mark.slow
async def test_a_killed_worker_is_replaced_without_duplicating_rows(api: Api, user: User, db: Db) -> None:
    content, repeats = _contacts_csv(60_000, repeat_back=7_000)
    total, unique = 60_000, 60_000 - repeats
    with tempfile.TemporaryDirectory(prefix="rapport-redis-") as tmp:
        redis = start_redis(Path(tmp))
        env = server_env(db.url, redis.url)
        first = start_process(["worker"], env, "worker-1")
        second = None
        try:
            body = await upload(api, user, content)
            await _wait_for(db, body["id"], lambda r: 10_000 <= r.processed <= 40_000, timeout=120)
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            stopped = await _import(db, body["id"])
            assert stopped.status == "running" and 0 < stopped.processed < total
            await asyncio.sleep(1)
            assert (await _import(db, body["id"])).processed == stopped.processed  # nobody is writing
            second = start_process(["worker"], env, "worker-2")
            record = await _wait_for(db, body["id"], lambda r: r.status in ("done", "failed"), timeout=180)
            assert record.attempt >= 2 and record.status == "done", record.error
            assert (record.total, record.processed, record.created, record.merged, record.failed) == (
                total,
                total,
                unique,
                repeats,
                0,
            )
            assert await _contact_counts(db, user.workspace_id) == (unique, unique)
        finally:
            for process in (first, second):
                if process is not None and process.poll() is None:
                    process.terminate()
                    process.wait(timeout=30)
            redis.stop()
            async with db.sessionmaker() as session, session.begin():
                # Leave nothing for another test's dispatcher in this database.
                await session.execute(update(Import).values(status="done", scanned_at=text("now()")))
