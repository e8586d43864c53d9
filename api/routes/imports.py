"""Imports: upload a CSV (multipart), follow its progress, download its failed rows as CSV."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, File, Form, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from api.deps import CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.common import Page
from api.schemas.imports import ImportOut
from domain.errors import DomainError, invalid
from domain.exports import CSV_MEDIA_TYPE, csv_chunks
from domain.imports import store

router = APIRouter(prefix="/api/v1", tags=["imports"], responses=problem_responses(400, 401, 403, 404))


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"


def _multipart(request: Request) -> None:
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise UnsupportedMediaType("Send the file as multipart/form-data (fields file, object, ...)")


def _mapping(raw: str | None) -> dict[str, str | None] | None:
    if raw is None or not raw.strip():
        return None
    try:
        parsed: Any = orjson.loads(raw)
    except orjson.JSONDecodeError:
        parsed = None
    if not isinstance(parsed, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in parsed.items()
    ):
        raise invalid("mapping", "mapping must be a JSON object of CSV header -> field name (or null)")
    return parsed


@router.post(
    "/imports",
    status_code=202,
    response_model=ImportOut,
    operation_id="imports-create",
    dependencies=[Depends(_multipart)],
    responses=problem_responses(413, 415, 422),
)
async def create_import(
    ctx: CtxDep,
    file: Annotated[
        UploadFile,
        File(
            description="The CSV: UTF-8 (with or without BOM), UTF-16 or "
            "Windows-1252; comma, semicolon, tab or pipe delimited."
        ),
    ],
    object: Annotated[
        Literal["contacts", "accounts", "deals"], Form(description="What the rows are.")
    ] = "contacts",
    on_duplicate: Annotated[
        Literal["skip", "merge", "create"],
        Form(
            description="A row matching an existing record or an earlier row of the file: fill its empty "
            "fields (merge), leave it (skip), or create another record (create)."
        ),
    ] = "merge",
    dry_run: Annotated[bool, Form(description="Count and preview without writing any record.")] = False,
    mapping: Annotated[
        str | None,
        Form(
            description="JSON object: CSV header -> field (null ignores the column); "
            "headers of common exports map themselves."
        ),
    ] = None,
) -> Response:
    """Queue an import; a worker runs it in batches. Follow it with `GET /api/v1/imports/{id}`."""
    record = await store.create_import(
        ctx.session,
        principal=ctx.principal,
        read=file.read,
        filename=file.filename,
        kind=object,
        on_duplicate=on_duplicate,
        dry_run=dry_run,
        mapping=_mapping(mapping),
        now=ctx.now,
    )
    return await ctx.respond(ImportOut.model_validate(record), status=202)


@router.get("/imports", response_model=Page[ImportOut], operation_id="imports-list")
async def list_imports(ctx: CtxDep, params: ListParamsDep) -> Response:
    page = await store.list_imports(
        ctx.session, ctx.principal, after=ctx.after(params, store.SORT), limit=params.limit
    )
    return await ctx.respond(
        Page[ImportOut](
            items=[ImportOut.model_validate(i) for i in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )


@router.get("/imports/{import_id}", response_model=ImportOut, operation_id="imports-get")
async def get_import(import_id: uuid.UUID, ctx: CtxDep) -> Response:
    return await ctx.respond(
        ImportOut.model_validate(await store.get_import(ctx.session, ctx.principal, import_id))
    )


@router.get(
    "/imports/{import_id}/errors",
    operation_id="imports-errors",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The failed rows: `row` (1 is the first row under the header), `reason`, "
            "then the row's original columns.",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def import_errors(import_id: uuid.UUID, ctx: CtxDep) -> StreamingResponse:
    record = await store.get_import(ctx.session, ctx.principal, import_id)
    rows = store.errors_csv_rows(ctx.state.sessionmaker, ctx.workspace_id, record.id)
    return StreamingResponse(
        csv_chunks(rows),
        media_type=CSV_MEDIA_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="import-{record.id}-errors.csv"',
        },
    )
