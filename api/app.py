"""The FastAPI application: routers, error handling, lifespan of the engine and Redis."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis.asyncio as aioredis
from fastapi import FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import idempotency
from api.deps import AppState
from api.errors import Problem, ProblemError, install_error_handlers, problem_response
from api.middleware import RequestLogMiddleware
from api.routes import ROUTERS
from api.spa import mount_spa
from api.upload_limit import UploadLimitMiddleware
from domain.clock import Clock, get_clock
from domain.db import make_engine, make_sessionmaker
from rapport.settings import Settings, get_settings


def _operation_id(route: APIRoute) -> str:
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}"


async def _replay(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, idempotency.Replay)
    record = exc.record
    headers = {**record.headers, idempotency.REPLAYED_HEADER: "true"}
    media = "application/json" if record.body else None
    return Response(record.body, status_code=record.status_code, headers=headers, media_type=media)


# Every API operation can answer these; routes add their own (409, 412, 413, 415, 429).
DEFAULT_PROBLEMS = (400, 401, 403, 404, 422)
PUBLIC_PREFIXES = ("/api/v1/auth/", "/api/v1/invitations/{token}")


def _openapi_with_problems(app: FastAPI) -> dict[str, Any]:
    """The generated schema, with problem+json declared for every error an operation can give."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        separate_input_output_schemas=False,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for definition in Problem.model_json_schema(ref_template="#/components/schemas/{model}").get("$defs", {}):
        components[definition] = ProblemError.model_json_schema()
    components["Problem"].pop("$defs", None)
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    for path, operations in schema.get("paths", {}).items():
        in_api = path.startswith("/api/v1/")
        public = path.startswith(PUBLIC_PREFIXES) and not path.endswith("/logout")
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in DEFAULT_PROBLEMS if in_api else ():
                if public and status in (401, 403):
                    continue
                responses[str(status)] = problem_response(status)
            for status in list(responses):
                if status.isdigit() and int(status) >= 400:
                    responses[status] = problem_response(int(status))
    app.openapi_schema = schema
    return schema


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    sessionmaker: async_sessionmaker[AsyncSession] | None = None,
    serve_spa: bool = True,
) -> FastAPI:
    settings = settings or get_settings()
    own_engine = sessionmaker is None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = None
        maker = sessionmaker
        if maker is None:
            engine = make_engine(settings.async_database_url, pool_size=settings.db_pool_size)
            maker = make_sessionmaker(engine)
        redis_client: Any = None
        if settings.redis_url:
            redis_client = aioredis.from_url(  # type: ignore[no-untyped-call]
                settings.redis_url, socket_connect_timeout=1, socket_timeout=2, health_check_interval=30
            )
        app.state.rapport = AppState(
            settings=settings, sessionmaker=maker, clock=clock or get_clock(), redis=redis_client
        )
        try:
            yield
        finally:
            if redis_client is not None:
                await redis_client.aclose()
            if engine is not None and own_engine:
                await engine.dispose()

    app = FastAPI(
        title="Rapport API",
        version="1.0.0",
        description="Rapport: an open-source CRM for small and mid-sized teams.",
        lifespan=lifespan,
        generate_unique_id_function=_operation_id,
        separate_input_output_schemas=False,
    )
    app.openapi = lambda: _openapi_with_problems(app)  # type: ignore[method-assign]
    install_error_handlers(app)
    app.add_exception_handler(idempotency.Replay, _replay)
    app.add_middleware(UploadLimitMiddleware, max_file_bytes=settings.file_max_bytes)
    app.add_middleware(RequestLogMiddleware)
    for router in ROUTERS:
        app.include_router(router)
    if serve_spa:
        mount_spa(app)
    return app
