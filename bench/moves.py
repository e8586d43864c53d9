"""Sustained card moves through the API: moves per second and latency percentiles.

The load comes from two clients in turn, over the same cards: 16 Python (httpx) clients in this
process, then, when `wrk` is installed (`apt-get install wrk`), wrk with one thread and 16
connections. On two cores the Python client takes a core's share away from the server; wrk costs
a fraction of that, so its figures are closer to what the server sustains. Each phase also
reports the latency the server itself logged for the moves (from request start to response, so
without the client's own queueing).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from bench.env import World, cpu_seconds, percentile, signup

CARDS = 2_000
CLIENTS = 16
SECONDS = 15.0
SERVER_WORKERS = int(os.environ.get("BENCH_MOVES_WORKERS", "1"))

WRK_SCRIPT = """
local deals = {%(deals)s}
local stages = {%(stages)s}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "%(authorization)s"
request = function()
  local deal = deals[math.random(#deals)]
  local stage = stages[math.random(#stages)]
  return wrk.format(nil, "/api/v1/deals/" .. deal .. "/move", nil,
                    '{"stage_id":"' .. stage .. '","after_id":null}')
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests":%%d,"seconds":%%f,"non_2xx":%%d,"socket_errors":%%d,"p50_ms":%%f,"p99_ms":%%f}\\n',
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


async def _drive(
    base_url: str,
    headers: dict[str, str],
    deals: list[str],
    stages: list[str],
    deadline: float,
    seed: int,
    latencies: list[float],
    errors: list[int],
) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30) as client:
        while time.perf_counter() < deadline:
            deal = rng.choice(deals)
            body = {"stage_id": rng.choice(stages), "after_id": None}
            t0 = time.perf_counter()
            response = await client.post(f"/api/v1/deals/{deal}/move", json=body)
            latencies.append((time.perf_counter() - t0) * 1000)
            if response.status_code != 200:
                errors.append(response.status_code)


def _server_side(log_path: Path | None, offset: int) -> dict[str, Any]:
    """Percentiles of the moves the server logged after `offset` in its log."""
    if log_path is None:
        return {}
    durations = []
    with log_path.open("rb") as log:
        log.seek(offset)
        for line in log:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("event") == "request" and str(entry.get("path", "")).endswith("/move"):
                durations.append(float(entry["duration_ms"]))
    if not durations:
        return {}
    return {
        "server_p50_ms": round(statistics.median(durations), 2),
        "server_p99_ms": round(percentile(durations, 99), 2),
    }


def _log_size(world: World) -> int:
    return world.log_path.stat().st_size if world.log_path else 0


class _CpuMeter:
    """CPU time the server processes and the benchmark database's PostgreSQL backends use."""

    def __init__(self, world: World) -> None:
        self.world = world

    def __enter__(self) -> _CpuMeter:
        self.backends = self._backends()
        self.server0, self.pg0 = cpu_seconds(self.world.server_pids), cpu_seconds(self.backends)
        return self

    def __exit__(self, *_: object) -> None:
        self.server = cpu_seconds(self.world.server_pids) - self.server0
        # Backends opened during the phase count from zero; those still open at the start, from then.
        later = [pid for pid in self._backends() if pid not in self.backends]
        self.postgres = cpu_seconds(self.backends) - self.pg0 + cpu_seconds(later)

    def _backends(self) -> list[int]:
        async def fetch() -> list[int]:
            connection = await asyncpg.connect(self.world.database_url)
            try:
                rows = await connection.fetch(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            finally:
                await connection.close()
            return [int(r["pid"]) for r in rows]

        return asyncio.run(fetch())

    def per_move(self, moves: int) -> dict[str, float]:
        return {
            "server_cpu_ms_per_move": round(self.server / max(moves, 1) * 1000, 2),
            "postgres_cpu_ms_per_move": round(self.postgres / max(moves, 1) * 1000, 2),
        }


def _python_clients(
    world: World, headers: dict[str, str], deals: list[str], stages: list[str]
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[int] = []

    async def main() -> float:
        started = time.perf_counter()
        # Each client moves its own share of the cards, as people do on a shared board.
        share = len(deals) // CLIENTS
        await asyncio.gather(
            *(
                _drive(
                    world.base_url,
                    headers,
                    deals[i * share : (i + 1) * share],
                    stages,
                    started + SECONDS,
                    i,
                    latencies,
                    errors,
                )
                for i in range(CLIENTS)
            )
        )
        return time.perf_counter() - started

    offset = _log_size(world)
    with _CpuMeter(world) as cpu:
        elapsed = asyncio.run(main())
    time.sleep(0.5)  # the log's last lines
    return {
        "client": f"python httpx, {CLIENTS} clients in one process",
        "seconds": round(elapsed, 1),
        "moves": len(latencies),
        "moves_per_second": round(len(latencies) / elapsed, 1),
        "errors": len(errors),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        **_server_side(world.log_path, offset),
        **cpu.per_move(len(latencies)),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def _wrk(world: World, headers: dict[str, str], deals: list[str], stages: list[str]) -> dict[str, Any] | None:
    binary = shutil.which("wrk")
    if binary is None:
        return None
    script = WRK_SCRIPT % {
        "deals": ",".join(f'"{d}"' for d in deals),
        "stages": ",".join(f'"{s}"' for s in stages),
        "authorization": headers["Authorization"],
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    command = [binary, "-t1", f"-c{CLIENTS}", f"-d{int(SECONDS)}s", "--timeout", "10s", "-s", handle.name]
    offset = _log_size(world)
    try:
        with _CpuMeter(world) as cpu:
            out = subprocess.run(
                [*command, world.base_url],
                capture_output=True,
                text=True,
                timeout=SECONDS + 60,
                check=True,
            ).stdout
    finally:
        os.unlink(handle.name)
    time.sleep(0.5)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    figures = json.loads(line.removeprefix("RESULT "))
    return {
        "client": f"wrk, 1 thread, {CLIENTS} connections",
        "seconds": round(figures["seconds"], 1),
        "moves": figures["requests"],
        "moves_per_second": round(figures["requests"] / figures["seconds"], 1),
        "errors": figures["non_2xx"] + figures["socket_errors"],
        "p50_ms": round(figures["p50_ms"], 2),
        "p99_ms": round(figures["p99_ms"], 2),
        **_server_side(world.log_path, offset),
        **cpu.per_move(figures["requests"]),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def run(world: World) -> dict[str, Any]:
    headers, _, _ = signup(world.base_url)
    with httpx.Client(base_url=world.base_url, headers=headers, timeout=30) as client:
        pipeline = client.get("/api/v1/pipelines").json()["items"][0]
        # Open stages without required fields, so every move is accepted.
        stages = [s["id"] for s in pipeline["stages"] if s["kind"] == "open" and not s["required_fields"]]
        deals = []
        for i in range(CARDS):
            created = client.post(
                "/api/v1/deals",
                json={"title": f"Move me {i}", "amount": "1000", "stage_id": stages[i % len(stages)]},
            )
            created.raise_for_status()
            deals.append(created.json()["id"])
    python = _python_clients(world, headers, deals, stages)
    wrk = _wrk(world, headers, deals, stages)
    phases = [python] + ([wrk] if wrk else [])
    return {"name": "moves", "clients": CLIENTS, "phases": phases}
