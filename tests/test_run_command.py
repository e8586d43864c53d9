"""`rapport run`, as a newcomer meets it: embedded services, migrations, demo login, clean stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import pytest

from rapport.embedded import pid_alive
from tests.conftest import free_port, wait_for_http

pytestmark = pytest.mark.skipif(
    os.environ.get("RAPPORT_SKIP_EMBEDDED") == "1", reason="embedded services disabled"
)


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env.update(RAPPORT_DATA_DIR=str(data_dir), LOG_FORMAT="json")
    log = open(data_dir / f"run-{port}.log", "wb")
    return subprocess.Popen(
        [sys.executable, "-m", "rapport", "run", "--port", str(port)], env=env, stdout=log, stderr=log
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=60)


def _server_pids(data_dir: Path) -> list[int]:
    pids = []
    pg_pid = data_dir / "postgres" / "postmaster.pid"
    if pg_pid.exists():
        pids.append(int(pg_pid.read_text().split()[0]))
    for pidfile in data_dir.glob("redis/*.pid"):
        pids.append(int(pidfile.read_text().strip()))
    return pids


def test_run_serves_a_ready_api_and_stops_cleanly() -> None:
    with tempfile.TemporaryDirectory(prefix="rapport-run-") as tmp:
        data_dir = Path(tmp)
        port = free_port()
        process = _start(data_dir, port)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for_http(f"{base}/readyz", process, timeout=90)
            ready = httpx.get(f"{base}/readyz").json()
            assert ready == {"status": "ok", "database": "ok", "redis": "ok"}
            email, password = (data_dir / "demo-login.txt").read_text().split()
            login = httpx.post(f"{base}/api/v1/auth/login", json={"email": email, "password": password})
            assert login.status_code == 200, login.text
            signup = httpx.post(
                f"{base}/api/v1/auth/signup",
                json={
                    "email": "first@example.com",
                    "password": "long-password",
                    "name": "First",
                    "workspace_name": "First Co",
                },
            )
            assert signup.status_code == 201
            pids = _server_pids(data_dir)
            assert pids, "no embedded server pid files found"
        finally:
            _stop(process)
        assert process.returncode == 0
        time.sleep(0.5)
        assert not [pid for pid in pids if pid_alive(pid)], "a server outlived `rapport run`"
        with pytest.raises(httpx.HTTPError):
            httpx.get(f"{base}/healthz", timeout=1)

        # A second start reuses the data folder: the account made before still logs in.
        process = _start(data_dir, port)
        try:
            wait_for_http(f"{base}/readyz", process, timeout=90)
            again = httpx.post(
                f"{base}/api/v1/auth/login", json={"email": "first@example.com", "password": "long-password"}
            )
            assert again.status_code == 200
        finally:
            _stop(process)
