"""Attachments: upload to a contact, account, deal or activity; list, describe, download, delete.

The upload body is read by hand (not as a declared `UploadFile`), so an absent or foreign record
is a 404 before anything of the body matters, and the size cap applies while it streams
(api/upload_limit.py) and again while it is copied.
"""

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import StreamingResponse
from starlette.datastructures import UploadFile

from api.deps import AppState, CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.common import Page
from api.schemas.files import FileOut
from domain.errors import DomainError, NotFound, invalid
from domain.files import attachments
from domain.files.attachments import SubjectType
from domain.files.storage import Storage, StoredFileMissing, storage_from_settings

router = APIRouter(prefix="/api/v1", tags=["files"], responses=problem_responses(400, 401, 403, 404))

_COLLECTIONS: dict[str, tuple[SubjectType, str]] = {
    "contacts": ("contact", "contact_id"),
    "accounts": ("account", "account_id"),
    "deals": ("deal", "deal_id"),
    "activities": ("activity", "activity_id"),
}
_UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "The file, at most 25 MiB; its type is detected from the content.",
                        }
                    },
                }
            }
        },
    }
}


class UnsupportedMediaType(DomainError):
    status = 415
    title = "Unsupported media type"


def file_storage(state: AppState) -> Storage:
    """One storage per app, made on first use from the settings."""
    storage: Storage | None = state.extras.get("file_storage")
    if storage is None:
        storage = storage_from_settings(state.settings)
        state.extras["file_storage"] = storage
    return storage


def _content_disposition(name: str) -> str:
    fallback = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def _upload(
    ctx: CtxDep, request: Request, subject_type: SubjectType, subject_id: uuid.UUID
) -> Response:
    await attachments.require_subject(ctx.session, ctx.principal, subject_type, subject_id)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        raise UnsupportedMediaType("Send the file as multipart/form-data with a `file` field")
    form = await request.form()
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise invalid("file", "Attach the file in a multipart field named `file`")
        storage = file_storage(ctx.state)
        spooled = await attachments.spool(storage, upload.read, max_bytes=ctx.settings.file_max_bytes)
    finally:
        # The parser's spooled copy goes now, not whenever it is garbage-collected.
        await form.close()
    file_id = uuid.uuid4()
    try:
        key = attachments.storage_key(ctx.workspace_id, file_id)
        async with attachments.discard_unless_committed(storage, [key]):
            record = await attachments.add_file(
                ctx.session,
                storage,
                principal=ctx.principal,
                file_id=file_id,
                subject_type=subject_type,
                subject_id=subject_id,
                filename=upload.filename,
                spooled=spooled,
                now=ctx.now,
            )
            return await ctx.respond(FileOut.model_validate(record), status=201)
    finally:
        attachments.remove_scratch(spooled.path)


async def _list(
    ctx: CtxDep, params: ListParamsDep, subject_type: SubjectType, subject_id: uuid.UUID
) -> Response:
    await attachments.require_subject(ctx.session, ctx.principal, subject_type, subject_id)
    page = await attachments.list_files(
        ctx.session,
        ctx.principal,
        subject_type=subject_type,
        subject_id=subject_id,
        after=ctx.after(params, attachments.SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[FileOut](
            items=[FileOut.model_validate(f) for f in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )


def _register(collection: str, subject_type: SubjectType, param: str) -> None:
    # Annotations are evaluated here (no `from __future__ import annotations` in this module),
    # so each route names its own path parameter (`contact_id`, `deal_id`, ...) through an alias.
    SubjectId = Annotated[uuid.UUID, Path(alias=param)]

    async def upload(request: Request, ctx: CtxDep, subject_id: SubjectId) -> Response:
        return await _upload(ctx, request, subject_type, subject_id)

    async def list_files(ctx: CtxDep, params: ListParamsDep, subject_id: SubjectId) -> Response:
        return await _list(ctx, params, subject_type, subject_id)

    path = f"/{collection}/{{{param}}}/files"
    router.add_api_route(
        path,
        upload,
        methods=["POST"],
        status_code=201,
        response_model=FileOut,
        operation_id=f"{collection}-files-upload",
        summary=f"Attach a file to a {subject_type}",
        openapi_extra=_UPLOAD_BODY,
        responses=problem_responses(413, 415, 422),
    )
    router.add_api_route(
        path,
        list_files,
        methods=["GET"],
        response_model=Page[FileOut],
        operation_id=f"{collection}-files-list",
        summary=f"The {subject_type}'s files, newest first",
        responses=problem_responses(422),
    )


for _collection, (_subject, _param) in _COLLECTIONS.items():
    _register(_collection, _subject, _param)


@router.get("/files/{file_id}", response_model=FileOut, operation_id="files-get")
async def get_file(file_id: uuid.UUID, ctx: CtxDep) -> Response:
    return await ctx.respond(
        FileOut.model_validate(await attachments.get_file(ctx.session, ctx.principal, file_id))
    )


@router.get(
    "/files/{file_id}/content",
    operation_id="files-content",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "The bytes, as an attachment, typed as detected at upload.",
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
        }
    },
)
async def download_file(file_id: uuid.UUID, ctx: CtxDep) -> StreamingResponse:
    record = await attachments.get_file(ctx.session, ctx.principal, file_id)
    storage = file_storage(ctx.state)
    chunks = storage.open(record.storage_key)
    try:
        first = await anext(chunks)
    except StopAsyncIteration:
        first = b""
    except StoredFileMissing:
        raise NotFound("The file's content is missing from storage") from None

    async def body() -> AsyncIterator[bytes]:
        if first:
            yield first
        async for chunk in chunks:
            yield chunk

    return StreamingResponse(
        body(),
        media_type=record.content_type,
        headers={
            "Content-Disposition": _content_disposition(record.name),
            "Content-Length": str(record.size),
            "X-Content-Type-Options": "nosniff",
            # Opened in a tab anyway, it can run nothing and load nothing.
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "ETag": f'"{record.sha256}"',
            "Cache-Control": "private, no-cache",
        },
    )


@router.delete("/files/{file_id}", status_code=204, operation_id="files-delete")
async def delete_file(file_id: uuid.UUID, ctx: CtxDep) -> Response:
    key = await attachments.delete_file(ctx.session, ctx.principal, file_id)
    response = await ctx.respond(status=204)
    await attachments.delete_blobs(file_storage(ctx.state), [key])
    return response
