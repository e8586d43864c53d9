"""The live stream against a real `rapport serve` (an endless stream hangs in-process clients):
events as they are committed, only the member's own, Last-Event-ID resumes, bearer or cookie."""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text

from domain.db import make_engine, make_sessionmaker, workspace_transaction
from domain.notifications import notify
from rapport.settings import to_asyncpg_url
from tests.conftest import (
    Db,
    LiveServer,
    Servers,
    User,
    _with_db,
    clone_database,
    drop_database,
    free_port,
    server_env,
    signup_sync,
    start_process,
    wait_for_http,
)

STREAM = "/api/v1/notifications/stream"


@pytest_asyncio.fixture(loop_scope="session")
async def live_db(live_server: LiveServer) -> AsyncIterator[Db]:
    engine = make_engine(to_asyncpg_url(live_server.database_url), pool_size=2)
    yield Db(url=live_server.database_url, engine=engine, sessionmaker=make_sessionmaker(engine))
    await engine.dispose()


async def _notify(db: Db, user: User, title: str, user_id: str | None = None) -> str:
    async with workspace_transaction(db.sessionmaker, uuid.UUID(user.workspace_id)) as session:
        created = await notify(
            session,
            workspace_id=uuid.UUID(user.workspace_id),
            user_id=uuid.UUID(user_id or user.user_id),
            type="test",
            title=title,
            now=datetime.now(UTC),
        )
    assert created is not None
    return str(created)


async def _event(lines: AsyncIterator[str], *, within: float = 10) -> dict[str, str]:
    """The next event block (comment-only blocks included), as {field: value}."""

    async def read() -> dict[str, str]:
        block: dict[str, str] = {}
        async for line in lines:
            if line == "":
                if block:
                    return block
                continue
            if line.startswith(":"):
                block["comment"] = line[1:].strip()
                continue
            name, _, value = line.partition(":")
            block[name] = value.removeprefix(" ")
        raise AssertionError("the stream ended")

    return await asyncio.wait_for(read(), within)


async def _notification(lines: AsyncIterator[str]) -> dict[str, str]:
    while True:
        block = await _event(lines)
        if block.get("event") == "notification":
            return block


def _client(live_server: LiveServer) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=live_server.url, timeout=httpx.Timeout(10, read=60))


async def test_stream_pushes_the_members_notifications_and_resumes(
    live_server: LiveServer, live_db: Db
) -> None:
    user = signup_sync(live_server.url, workspace="Streamed")
    async with _client(live_server) as client:
        async with client.stream("GET", STREAM, headers=user.headers) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.aiter_lines()
            hello = await _event(lines)
            assert hello.get("comment") == "connected" and hello.get("retry") == "3000"

            # While it waits, the stream holds no database session (nothing idle in a transaction).
            async with live_db.engine.connect() as connection:
                stuck = await connection.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
                    )
                )
            assert stuck == 0

            first = await _notify(live_db, user, "First")
            event = await _notification(lines)
            assert event["id"] == first
            data = json.loads(event["data"])
            assert data["id"] == first and data["title"] == "First" and data["read_at"] is None
        # Missed while away: replayed after Last-Event-ID, oldest first.
        second = await _notify(live_db, user, "Second")
        third = await _notify(live_db, user, "Third")
        resumed_headers = {**user.headers, "Last-Event-ID": first}
        async with client.stream("GET", STREAM, headers=resumed_headers) as response:
            lines = response.aiter_lines()
            assert [(await _notification(lines))["id"] for _ in range(2)] == [second, third]
            fourth = await _notify(live_db, user, "Fourth")
            assert (await _notification(lines))["id"] == fourth


async def test_stream_shows_only_the_members_own(live_server: LiveServer, live_db: Db) -> None:
    user = signup_sync(live_server.url, workspace="Private")
    stranger = signup_sync(live_server.url, workspace="Elsewhere")
    async with _client(live_server) as client:
        async with client.stream("GET", STREAM, headers=user.headers) as response:
            lines = response.aiter_lines()
            await _event(lines)
            await _notify(live_db, stranger, "Not yours")
            mine = await _notify(live_db, user, "Yours")
            event = await _notification(lines)
            assert event["id"] == mine and json.loads(event["data"])["title"] == "Yours"


async def test_stream_needs_credentials_and_takes_the_session_cookie(
    live_server: LiveServer, live_db: Db
) -> None:
    user = signup_sync(live_server.url, workspace="Cookies")
    async with _client(live_server) as client:
        assert (await client.get(STREAM)).status_code == 401
        assert (await client.get(STREAM, headers={"Authorization": "Bearer nope"})).status_code == 401
        login = await client.post("/api/v1/auth/login", json={"email": user.email, "password": user.password})
        assert login.status_code == 200 and client.cookies
        async with client.stream("GET", STREAM) as response:
            assert response.status_code == 200
            lines = response.aiter_lines()
            await _event(lines)
            created = await _notify(live_db, user, "By cookie")
            assert (await _notification(lines))["id"] == created


async def test_a_due_task_reaches_the_stream_through_run_due(live_server: LiveServer, live_db: Db) -> None:
    user = signup_sync(live_server.url, workspace="Reminded")
    due = datetime.now(UTC) - timedelta(minutes=1)
    async with _client(live_server) as client:
        task = await client.post(
            "/api/v1/activities",
            headers=user.headers,
            json={"type": "task", "subject": "Ring Peter", "due_at": due.isoformat()},
        )
        assert task.status_code == 201
        async with client.stream("GET", STREAM, headers=user.headers) as response:
            lines = response.aiter_lines()
            await _event(lines)
            ran = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "rapport", "automations", "run-due"],
                env=live_server.env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            assert ran.returncode == 0, ran.stderr
            assert "reminder" in ran.stdout
            event = await _notification(lines)
            data = json.loads(event["data"])
            assert (data["type"], data["title"]) == ("task_due", "Due now: Ring Peter")
            assert data["subject_id"] == task.json()["id"]


@pytest.mark.slow
async def test_a_heartbeat_comes_every_15_seconds(live_server: LiveServer) -> None:
    user = signup_sync(live_server.url, workspace="Heartbeat")
    async with _client(live_server) as client, client.stream("GET", STREAM, headers=user.headers) as response:
        lines = response.aiter_lines()
        await _event(lines)
        started = asyncio.get_running_loop().time()
        beat = await _event(lines, within=20)
        assert beat == {"comment": "ping"}
        assert 14 <= asyncio.get_running_loop().time() - started <= 17


@pytest.mark.slow
async def test_the_server_stops_promptly_with_a_stream_open(servers: Servers, template_db: str) -> None:
    """An open stream never ends by itself: shutdown must not wait for it (Docker kills after 10 s)."""
    name = await clone_database(servers, template_db)
    env = server_env(_with_db(servers.admin_url, name), servers.redis_url)
    port = free_port()
    process = start_process(["serve", "--port", str(port)], env, "serve-stop")
    try:
        base = f"http://127.0.0.1:{port}"
        await asyncio.to_thread(wait_for_http, f"{base}/healthz", process)
        user = await asyncio.to_thread(signup_sync, base, "Stopping")
        async with httpx.AsyncClient(base_url=base, timeout=httpx.Timeout(10, read=60)) as client:
            async with client.stream("GET", STREAM, headers=user.headers) as response:
                await _event(response.aiter_lines())
                started = time.monotonic()
                process.send_signal(signal.SIGTERM)
                await asyncio.to_thread(process.wait, 15)
                assert time.monotonic() - started < 10
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        await drop_database(servers, name)
