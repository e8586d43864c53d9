"""Every error leaves as RFC 9457 problem+json, mapped here once."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain.errors import DomainError, TooManyRequests

log = structlog.get_logger("rapport.errors")

PROBLEM_JSON = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Validation failed",
    429: "Too many requests",
    500: "Internal server error",
}


class ProblemError(BaseModel):
    loc: list[str | int]
    msg: str
    type: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details; extra members (`duplicate_of`, `merged_into`) may follow."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[ProblemError] | None = None


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"https://rapport.dev/problems/{status}",
        "title": title or _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or title or _TITLES.get(status, "Error"),
    }
    if errors:
        body["errors"] = errors
    body.update(
        {
            k: (str(v) if v is not None and not isinstance(v, (int, str, list, dict)) else v)
            for k, v in extra.items()
        }
    )
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_JSON)


def _loc(loc: Any) -> list[str | int]:
    return [p if isinstance(p, int) else str(p) for p in loc]


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    headers = None
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
    errors = [{"loc": _loc(e.loc), "msg": e.msg, "type": e.type} for e in exc.errors] or None
    return problem(exc.status, exc.detail, title=exc.title, errors=errors, headers=headers, **exc.extra)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    raw = exc.errors()
    if any(e.get("type") == "json_invalid" for e in raw):
        return problem(400, "The request body is not valid JSON")
    errors = [
        {"loc": _loc(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": e.get("type")} for e in raw
    ]
    return problem(422, "The request does not match the schema", errors=errors)


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem(exc.status_code, detail, headers=dict(exc.headers) if exc.headers else None)


async def _integrity_error(_: Request, exc: Exception) -> JSONResponse:
    # A race that a domain check could not see (two creates of one unique thing) is a conflict.
    log.info("integrity_error", error=str(getattr(exc, "orig", exc))[:500])
    return problem(409, "The change conflicts with the current state of the data")


async def _data_error(_: Request, exc: Exception) -> JSONResponse:
    # A value PostgreSQL refuses (out of range, too long) is the client's input, not our fault;
    # schemas should stop it first, so this is logged for a schema to be tightened.
    log.warning("data_error", error=str(getattr(exc, "orig", exc))[:500])
    return problem(422, "A value is out of the range this field accepts")


async def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", exc_info=exc)
    return problem(500, "An unexpected error occurred; it has been logged")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(IntegrityError, _integrity_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(Exception, _unexpected)


def problem_response(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": _TITLES.get(status, "Error"),
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status == 429:
        response["headers"] = {
            "Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}
        }
    return response


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI declarations of the problem responses an operation can give (besides the defaults)."""
    return {status: problem_response(status) for status in statuses}
