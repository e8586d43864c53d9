"""Board of a pipeline with 100,000 open deals over 8 stages, through the API and as bare SQL."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from typing import Any

import asyncpg
import httpx
from sqlalchemy import event

from bench.data import insert_deals
from bench.env import World, percentile, signup

DEALS = 100_000
STAGES = 8
REQUESTS = 60


async def _bare_sql(world: World, workspace_id: str, user_id: str, pipeline_id: str) -> list[float]:
    """Capture the statements the board runs, then time them on a plain asyncpg connection."""
    from domain.board import board_columns
    from domain.clock import SystemClock
    from domain.db import make_engine, make_sessionmaker, workspace_transaction
    from domain.principal import Principal
    from rapport.settings import to_asyncpg_url

    engine = make_engine(to_asyncpg_url(world.database_url), pool_size=1)
    captured: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        captured.append((statement, parameters))

    event.listen(engine.sync_engine, "before_cursor_execute", capture)
    principal = Principal(
        workspace_id=uuid.UUID(workspace_id),
        user_id=uuid.UUID(user_id),
        role="admin",
        kind="user",
        name="bench",
    )
    async with workspace_transaction(make_sessionmaker(engine), principal.workspace_id) as session:
        captured.clear()
        await board_columns(
            session=session,
            principal=principal,
            pipeline_id=uuid.UUID(pipeline_id),
            limit=50,
            now=SystemClock().now(),
        )
    await engine.dispose()
    statements = [(s, tuple(p or ())) for s, p in captured]
    connection = await asyncpg.connect(world.database_url)
    timings = []
    try:
        for _ in range(REQUESTS):
            started = time.perf_counter()
            async with connection.transaction():
                await connection.execute("SET LOCAL ROLE rapport_app")
                await connection.execute("SELECT set_config('rapport.workspace_id', $1, true)", workspace_id)
                for statement, params in statements:
                    await connection.fetch(statement, *params)
            timings.append((time.perf_counter() - started) * 1000)
    finally:
        await connection.close()
    return timings


def run(world: World) -> dict[str, Any]:
    headers, workspace_id, user_id = signup(world.base_url)
    stages = [{"name": f"Stage {i + 1}", "probability": 10 * (i + 1)} for i in range(STAGES)]
    stages += [{"name": "Won", "kind": "won", "probability": 100}, {"name": "Lost", "kind": "lost"}]
    pipeline = httpx.post(
        f"{world.base_url}/api/v1/pipelines",
        json={"name": "Bench", "stages": stages},
        headers=headers,
        timeout=30,
    )
    pipeline.raise_for_status()
    body = pipeline.json()
    open_stage_ids = [s["id"] for s in body["stages"] if s["kind"] == "open"]
    started = time.perf_counter()
    asyncio.run(
        insert_deals(
            world.database_url,
            workspace_id=workspace_id,
            pipeline_id=body["id"],
            stage_ids=open_stage_ids,
            owner_id=user_id,
            per_stage=DEALS // STAGES,
        )
    )
    load_seconds = time.perf_counter() - started
    url = f"{world.base_url}/api/v1/pipelines/{body['id']}/board"
    timings = []
    with httpx.Client(headers=headers, timeout=30) as client:
        for _ in range(5):
            client.get(url).raise_for_status()
        for _ in range(REQUESTS):
            t0 = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - t0) * 1000)
            response.raise_for_status()
        board = response.json()
    assert sum(c["count"] for c in board["columns"]) == DEALS
    bare = asyncio.run(_bare_sql(world, workspace_id, user_id, body["id"]))
    api_median = statistics.median(timings)
    bare_median = statistics.median(bare)
    return {
        "name": "board",
        "deals": DEALS,
        "stages": STAGES,
        "requests": REQUESTS,
        "load_seconds": round(load_seconds, 1),
        "api_median_ms": round(api_median, 2),
        "api_p95_ms": round(percentile(timings, 95), 2),
        "bare_sql_median_ms": round(bare_median, 2),
        "ratio_api_to_bare": round(api_median / bare_median, 2),
    }
