"""Sustained card moves through the API: moves per second and latency percentiles."""

from __future__ import annotations

import asyncio
import random
import statistics
import time
from typing import Any

import httpx

from bench.env import World, percentile, signup

CARDS = 2_000
CLIENTS = 16
SECONDS = 15.0


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

    elapsed = asyncio.run(main())
    return {
        "name": "moves",
        "clients": CLIENTS,
        "seconds": round(elapsed, 1),
        "moves": len(latencies),
        "moves_per_second": round(len(latencies) / elapsed, 1),
        "errors": len(errors),
        "p50_ms": round(statistics.median(latencies), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
    }
