"""Test harness: a real PostgreSQL and Redis, migrations run once into a template database.

`RAPPORT_TEST_DATABASE_URL` (an admin URL such as postgresql://postgres@127.0.0.1:5432/postgres)
and `RAPPORT_TEST_REDIS_URL` point the suite at running servers; without them it starts the
embedded ones under a temporary folder. Each test module gets its own database cloned from the
template, so tests never see another module's rows, and requests commit for real.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.clock import OffsetClock
from domain.db import make_engine, make_sessionmaker
from rapport.settings import Settings, to_asyncpg_url

TEST_SECRET = "test-secret-key-" + uuid.uuid4().hex


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


@dataclass
class Servers:
    admin_url: str  # postgresql://... to a maintenance database
    redis_url: str


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    admin = os.environ.get("RAPPORT_TEST_DATABASE_URL")
    redis_url = os.environ.get("RAPPORT_TEST_REDIS_URL")
    if admin and redis_url:
        yield Servers(admin, redis_url)
        return
    from rapport.embedded import embedded_services

    with (
        tempfile.TemporaryDirectory(prefix="rapport-test-") as tmp,
        embedded_services(Path(tmp), need_postgres=not admin, need_redis=not redis_url) as (
            pg_url,
            embedded_redis,
        ),
    ):
        yield Servers(admin or _with_db(pg_url or "", "postgres"), redis_url or embedded_redis or "")


async def _admin_execute(admin_url: str, *statements: str) -> None:
    connection = await asyncpg.connect(admin_url)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def template_db(servers: Servers) -> Iterator[str]:
    from rapport.migrate import upgrade

    name = f"rapport_tpl_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_execute(servers.admin_url, f'CREATE DATABASE "{name}"'))
    upgrade(_with_db(servers.admin_url, name))
    yield name
    asyncio.run(_admin_execute(servers.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def clone_database(servers: Servers, template: str) -> str:
    name = f"rapport_t_{uuid.uuid4().hex[:12]}"
    await _admin_execute(servers.admin_url, f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


async def drop_database(servers: Servers, name: str) -> None:
    await _admin_execute(servers.admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Db:
    url: str  # postgresql:// form, as an operator would write it
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def db(servers: Servers, template_db: str) -> AsyncIterator[Db]:
    name = await clone_database(servers, template_db)
    url = _with_db(servers.admin_url, name)
    engine = make_engine(to_asyncpg_url(url), pool_size=5)
    yield Db(url=url, engine=engine, sessionmaker=make_sessionmaker(engine))
    await engine.dispose()
    await drop_database(servers, name)


def make_settings(db: Db, servers: Servers, **overrides: Any) -> Settings:
    # Attachments go to a folder of their own per app, never into the checkout's data folder.
    overrides.setdefault("files_dir", Path(tempfile.mkdtemp(prefix="rapport-files-")))
    return Settings(
        database_url=db.url,
        redis_url=servers.redis_url,
        secret_key=TEST_SECRET,
        public_url="http://testserver",
        **overrides,
    )


class Api:
    """An HTTP client for the app in this process, with helpers a test reads easily."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    async def signup(self, *, email: str | None = None, workspace: str = "Acme") -> User:
        email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
        response = await self.client.post(
            "/api/v1/auth/signup",
            json={
                "email": email,
                "password": "correct-horse-battery",
                "name": "Test User",
                "workspace_name": workspace,
            },
        )
        assert response.status_code == 201, response.text
        body = response.json()
        self.client.cookies.clear()
        return User(
            email=email,
            password="correct-horse-battery",
            token=body["access_token"],
            user_id=body["user"]["id"],
            workspace_id=body["workspace"]["id"],
        )


@dataclass
class User:
    email: str
    password: str
    token: str
    user_id: str
    workspace_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class AppHandle:
    api: Api
    clock: OffsetClock
    settings: Settings
    app: Any


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def app_handle(db: Db, servers: Servers) -> AsyncIterator[AppHandle]:
    from api.app import create_app

    clock = OffsetClock()
    settings = make_settings(db, servers)
    app = create_app(settings, clock=clock, sessionmaker=db.sessionmaker, serve_spa=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", timeout=30) as client:
            yield AppHandle(api=Api(client), clock=clock, settings=settings, app=app)


@pytest.fixture
def api(app_handle: AppHandle) -> Api:
    app_handle.api.client.cookies.clear()
    return app_handle.api


@pytest.fixture
def clock(app_handle: AppHandle) -> Iterator[OffsetClock]:
    yield app_handle.clock
    app_handle.clock.offset = type(app_handle.clock.offset)(0)


@pytest_asyncio.fixture(loop_scope="session")
async def user(api: Api) -> User:
    return await api.signup()


@pytest_asyncio.fixture(loop_scope="session")
async def other_user(api: Api) -> User:
    return await api.signup(workspace="Other Co")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    database_url: str
    env: dict[str, str]


def server_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAPPORT_TEST_", "PYTEST"))}
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        SECRET_KEY=TEST_SECRET,
        LOG_FORMAT="json",
        RAPPORT_DATA_DIR=tempfile.mkdtemp(prefix="rapport-live-"),
        **extra,
    )
    return env


def start_process(args: list[str], env: dict[str, str], log_name: str) -> Any:
    import subprocess
    import sys

    log = open(Path(env["RAPPORT_DATA_DIR"]) / f"{log_name}.log", "wb")
    return subprocess.Popen([sys.executable, "-m", "rapport", *args], env=env, stdout=log, stderr=log)


def wait_for_http(url: str, process: Any, timeout: float = 30) -> None:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not answer {url} within {timeout}s")


@pytest.fixture(scope="module")
def live_server(servers: Servers, template_db: str) -> Iterator[LiveServer]:
    """`rapport serve` in its own process on a free port, over a database of its own."""
    name = asyncio.run(clone_database(servers, template_db))
    database_url = _with_db(servers.admin_url, name)
    env = server_env(database_url, servers.redis_url)
    port = free_port()
    process = start_process(["serve", "--port", str(port)], env, "serve")
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", process)
        yield LiveServer(url=f"http://127.0.0.1:{port}", database_url=database_url, env=env)
    finally:
        process.terminate()
        process.wait(timeout=15)
        asyncio.run(drop_database(servers, name))


def signup_sync(base_url: str, workspace: str = "Acme") -> User:
    email = f"user-{uuid.uuid4().hex[:8]}@example.com"
    response = httpx.post(
        f"{base_url}/api/v1/auth/signup",
        json={
            "email": email,
            "password": "correct-horse-battery",
            "name": "Live User",
            "workspace_name": workspace,
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return User(
        email=email,
        password="correct-horse-battery",
        token=body["access_token"],
        user_id=body["user"]["id"],
        workspace_id=body["workspace"]["id"],
    )
