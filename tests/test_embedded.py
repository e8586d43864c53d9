"""The embedded PostgreSQL and Redis are real servers: start, use, stop, restart on the same data dir."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest
import redis

from rapport import embedded
from rapport.embedded import embedded_services, pid_alive, start_postgres, start_redis

pytestmark = pytest.mark.skipif(
    os.environ.get("RAPPORT_SKIP_EMBEDDED") == "1", reason="RAPPORT_SKIP_EMBEDDED=1"
)


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _wait_dead(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError("no Uid line")


async def _pg_first_run(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        await conn.execute("CREATE TABLE contact (id serial PRIMARY KEY, name text NOT NULL)")
        await conn.execute("INSERT INTO contact (name) VALUES ('José Müller'), ('Jane Doe')")
        best = await conn.fetchval(
            "SELECT name FROM contact ORDER BY similarity(name, 'jose muller') DESC LIMIT 1"
        )
        assert best == "José Müller"
        user: str = await conn.fetchval("SELECT current_user")
        return user
    finally:
        await conn.close()


async def _pg_second_run(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT name FROM contact ORDER BY id")
        assert await conn.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'") == 1
        return [r["name"] for r in rows]
    finally:
        await conn.close()


def test_start_use_stop_restart_keeps_data(tmp_path: Path) -> None:
    data = tmp_path / "data"

    pg = start_postgres(data)
    rd = start_redis(data)
    try:
        assert pg.url == f"postgresql://rapport@127.0.0.1:{pg.port}/rapport"
        assert rd.url == f"redis://127.0.0.1:{rd.port}/0"
        assert pg.port != 5432
        assert (data / "postgres" / "PG_VERSION").is_file()
        if os.geteuid() == 0:
            assert _uid_of(pg.pid) != 0, "PostgreSQL must not run as root"
        assert asyncio.run(_pg_first_run(pg.url)) == "rapport"
        client = redis.Redis.from_url(rd.url)
        assert client.set("greeting", "hello")
        assert client.get("greeting") == b"hello"
        client.close()
    finally:
        pg.stop()
        rd.stop()

    assert _wait_dead(pg.pid) and _wait_dead(rd.pid)
    assert not _accepts(pg.port) and not _accepts(rd.port)
    assert not (data / "postgres" / "postmaster.pid").exists()
    pg.stop()  # idempotent
    rd.stop()

    pg2 = start_postgres(data)
    rd2 = start_redis(data)
    try:
        assert pg2.port == pg.port, "the remembered port should be reused when free"
        assert rd2.port == rd.port
        assert asyncio.run(_pg_second_run(pg2.url)) == ["José Müller", "Jane Doe"]
        client = redis.Redis.from_url(rd2.url)
        assert client.get("greeting") == b"hello", "redis saves its RDB snapshot on stop"
        client.close()
    finally:
        pg2.stop()
        rd2.stop()
    assert _wait_dead(pg2.pid) and _wait_dead(rd2.pid)


def test_second_start_on_a_running_data_dir_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    pg = start_postgres(data)
    rd = start_redis(data)
    try:
        # From another process: refused before touching anything.
        code = (
            "import sys; from pathlib import Path; from rapport.embedded import start_postgres, start_redis\n"
            "which = sys.argv[2]\n"
            "try:\n"
            "    (start_postgres if which == 'pg' else start_redis)(Path(sys.argv[1]))\n"
            "except RuntimeError as exc:\n"
            "    print(exc); sys.exit(3)\n"
        )
        for which in ("pg", "redis"):
            proc = subprocess.run(
                [sys.executable, "-c", code, str(data), which],
                capture_output=True,
                text=True,
                timeout=60,
                cwd=Path(__file__).resolve().parents[1],
            )
            assert proc.returncode == 3, proc.stdout + proc.stderr
            assert "already running" in proc.stdout

        # Even past our own check, PostgreSQL's lock refuses a second postmaster, and the error says so.
        monkeypatch.setattr(embedded, "_server_pid_from", lambda *args: None)
        with pytest.raises(RuntimeError, match="already using this data directory"):
            start_postgres(data)
        monkeypatch.undo()

        assert pg.running and rd.running
        assert asyncio.run(_pg_scalar(pg.url, "SELECT 41 + 1")) == 42
        assert redis.Redis.from_url(rd.url).ping()
    finally:
        pg.stop()
        rd.stop()


async def _pg_scalar(url: str, sql: str) -> object:
    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


def _wait_reaped(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_start_after_a_crash_with_stale_postmaster_pid(tmp_path: Path) -> None:
    data = tmp_path / "data"
    pid_file = data / "postgres" / "postmaster.pid"

    # 1. Crash; the stale postmaster.pid names a pid that no longer exists (PostgreSQL copes by itself).
    pg = start_postgres(data)
    os.kill(pg.pid, signal.SIGKILL)
    assert _wait_dead(pg.pid)
    assert pid_file.exists(), "a crash leaves postmaster.pid behind"
    if not _wait_reaped(pg.pid):
        pytest.skip("the killed postmaster was never reaped by init")
    pg2 = start_postgres(data)
    try:
        pg.stop()  # the dead handle must not stop the new server
        assert pg2.running
        assert asyncio.run(_pg_scalar(pg2.url, "SELECT current_database()")) == "rapport"
    finally:
        pg2.stop()

    # 2. Crash; the pid in postmaster.pid now belongs to an unrelated live process of the same user
    #    (pid reuse, or an unreaped zombie): PostgreSQL alone would refuse to start.
    pg3 = start_postgres(data)
    os.kill(pg3.pid, signal.SIGKILL)
    assert _wait_dead(pg3.pid)
    owner = Path(pid_file).stat().st_uid
    sleeper = subprocess.Popen(["sleep", "60"], user=owner if os.geteuid() == 0 else None)
    try:
        lines = pid_file.read_text().splitlines()
        pid_file.write_text("\n".join([str(sleeper.pid), *lines[1:]]) + "\n")
        for lock in (data / "postgres").glob(".s.PGSQL.*.lock"):
            lock_lines = lock.read_text().splitlines()
            lock.write_text("\n".join([str(sleeper.pid), *lock_lines[1:]]) + "\n")
        pg4 = start_postgres(data)
        try:
            assert asyncio.run(_pg_scalar(pg4.url, "SELECT 1")) == 1
        finally:
            pg4.stop()
        assert _wait_dead(pg4.pid)
    finally:
        sleeper.kill()
        sleeper.wait()


_ORPHANING_CHILD = """
import sys, threading, time
from pathlib import Path
from rapport.embedded import start_postgres, start_redis
data = Path(sys.argv[1])
pg = start_postgres(data)
box = []
# From a worker thread, so that no parent-death signal protects redis: it really is orphaned.
t = threading.Thread(target=lambda: box.append(start_redis(data)))
t.start()
t.join()
print(pg.pid, box[0].pid, flush=True)
time.sleep(120)
"""


def test_servers_orphaned_by_a_killed_process_are_replaced(tmp_path: Path) -> None:
    data = tmp_path / "data"
    child = subprocess.Popen(
        [sys.executable, "-c", _ORPHANING_CHILD, str(data)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    try:
        assert child.stdout is not None
        old_pg, old_redis = (int(x) for x in child.stdout.readline().split())
    finally:
        child.kill()
        child.wait()
    assert pid_alive(old_pg) and pid_alive(old_redis), "both servers outlive a SIGKILLed owner"

    pg = start_postgres(data)
    rd = start_redis(data)
    try:
        assert _wait_dead(old_pg) and _wait_dead(old_redis)
        assert pg.pid != old_pg and rd.pid != old_redis
        assert asyncio.run(_pg_scalar(pg.url, "SELECT 1")) == 1
        assert redis.Redis.from_url(rd.url).ping()
    finally:
        pg.stop()
        rd.stop()


def test_embedded_services_stops_everything_on_interrupt(tmp_path: Path) -> None:
    # A data dir too long for a unix socket path: the socket goes to a short dir under /tmp instead.
    data = tmp_path / ("x" * 90) / "data"
    seen: dict[str, int] = {}
    socket_dir = ""
    with (
        pytest.raises(KeyboardInterrupt),
        embedded_services(data, need_postgres=True, need_redis=True) as urls,
    ):
        pg_url, redis_url = urls
        assert pg_url is not None and redis_url is not None
        seen["pg"] = int(pg_url.rsplit(":", 1)[1].split("/")[0])
        seen["redis"] = int(redis_url.rsplit(":", 1)[1].split("/")[0])
        assert asyncio.run(_pg_scalar(pg_url, "SELECT 1")) == 1
        socket_dir = (data / "postgres" / "postmaster.pid").read_text().splitlines()[4]
        assert socket_dir.startswith("/tmp/rapport-pg-"), socket_dir
        raise KeyboardInterrupt
    deadline = time.monotonic() + 10
    while (_accepts(seen["pg"]) or _accepts(seen["redis"])) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _accepts(seen["pg"]) and not _accepts(seen["redis"])
    assert not (data / "postgres" / "postmaster.pid").exists()
    assert not Path(socket_dir).exists(), "the fallback socket dir is removed on stop"

    with embedded_services(data, need_postgres=False, need_redis=True) as (pg_url, redis_url):
        assert pg_url is None and redis_url is not None
