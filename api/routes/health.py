"""Liveness and readiness."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import app_state

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    database: Literal["ok", "unavailable"]
    redis: Literal["ok", "unavailable", "not_configured"]


@router.get("/healthz", response_model=Health, operation_id="health-live")
async def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    response_model=Readiness,
    operation_id="health-ready",
    responses={503: {"model": Readiness, "description": "The database is unreachable"}},
)
async def readyz(request: Request) -> JSONResponse:
    state = app_state(request)
    database: Literal["ok", "unavailable"] = "ok"
    try:
        async with asyncio.timeout(3), state.sessionmaker() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        database = "unavailable"
    redis: Literal["ok", "unavailable", "not_configured"] = "not_configured"
    if state.redis is not None:
        try:
            async with asyncio.timeout(1):
                await state.redis.ping()
            redis = "ok"
        except Exception:
            redis = "unavailable"
    # A Redis outage only delays automations; writes go on, so the API stays ready.
    status = "unavailable" if database != "ok" else ("degraded" if redis == "unavailable" else "ok")
    body = Readiness(status=status, database=database, redis=redis)
    return JSONResponse(body.model_dump(), status_code=503 if database != "ok" else 200)
