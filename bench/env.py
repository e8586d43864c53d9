"""A benchmark's world: its own database (migrated), Redis, and `rapport serve` in a process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

SECRET = "bench-secret-key-" + "q1w2e3r4t5y6u7i8o9p0" * 2


def _with_db(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
    return found


def cpu_seconds(pids: tuple[int, ...] | list[int]) -> float:
    """User + system CPU time these (local) processes have used so far; 0 for any gone."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


@dataclass
class World:
    database_url: str  # postgresql:// to the benchmark's own database
    redis_url: str
    base_url: str
    server_version: str
    # The server's JSON log: one line per request with its duration as the server measured it.
    log_path: Path | None = None
    # The server's process ids (uvicorn's and, with several workers, its children's).
    server_pids: tuple[int, ...] = ()


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB, {platform.system()} {platform.release()}"


@contextlib.contextmanager
def services() -> Iterator[tuple[str, str]]:
    """(admin PostgreSQL URL, Redis URL): BENCH_DATABASE_URL/BENCH_REDIS_URL, else embedded."""
    admin = os.environ.get("BENCH_DATABASE_URL")
    redis_url = os.environ.get("BENCH_REDIS_URL")
    if admin and redis_url:
        yield admin, redis_url
        return
    from rapport.embedded import embedded_services

    with (
        tempfile.TemporaryDirectory(prefix="rapport-bench-") as tmp,
        embedded_services(Path(tmp), need_postgres=not admin, need_redis=not redis_url) as (pg, rd),
    ):
        yield admin or _with_db(pg or "", "postgres"), redis_url or rd or ""


@contextlib.contextmanager
def world(*, workers: int = 1, env: dict[str, str] | None = None) -> Iterator[World]:
    """`env` adds to the server's environment (a benchmark's raised limits, say)."""
    from rapport.migrate import upgrade

    with services() as (admin, redis_url):
        name = f"rapport_bench_{uuid.uuid4().hex[:8]}"

        async def admin_sql(sql: str) -> str:
            connection = await asyncpg.connect(admin)
            try:
                await connection.execute(sql)
                return str(await connection.fetchval("SHOW server_version"))
            finally:
                await connection.close()

        version = asyncio.run(admin_sql(f'CREATE DATABASE "{name}"'))
        database_url = _with_db(admin, name)
        upgrade(database_url)
        port = _free_port()
        server_env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "SECRET_KEY": SECRET,
            "LOG_FORMAT": "json",
            "DB_POOL_SIZE": "20",
            **(env or {}),
        }
        log = open(Path(tempfile.gettempdir()) / f"{name}.log", "wb")
        server = subprocess.Popen(
            [sys.executable, "-m", "rapport", "serve", "--port", str(port), "--workers", str(workers)],
            env=server_env,
            stdout=log,
            stderr=log,
        )
        base_url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"server did not start; see {log.name}")
                time.sleep(0.2)
            yield World(
                database_url=database_url,
                redis_url=redis_url,
                base_url=base_url,
                server_version=version,
                log_path=Path(log.name),
                server_pids=(server.pid, *_children(server.pid)),
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
            asyncio.run(admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def signup(base_url: str) -> tuple[dict[str, str], str, str]:
    """Headers, workspace id and user id of a fresh workspace."""
    response = httpx.post(
        f"{base_url}/api/v1/auth/signup",
        json={
            "email": f"bench-{uuid.uuid4().hex[:8]}@example.com",
            "password": "bench-password",
            "name": "Bench",
            "workspace_name": "Bench Co",
        },
        timeout=30,
    )
    response.raise_for_status()
    body = response.json()
    return {"Authorization": f"Bearer {body['access_token']}"}, body["workspace"]["id"], body["user"]["id"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]
