"""Exports: contacts, accounts and deals as CSV, streamed, with the filters of their lists.

Under `/api/v1/exports/...` rather than `/contacts/export`, which `/contacts/{contact_id}` would
read as an id.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from api.deps import Ctx, CtxDep
from api.errors import problem_responses
from domain.custom_fields.lists import check_params, custom_params
from domain.exports import CSV_MEDIA_TYPE, ExportKind, csv_chunks, export_rows

router = APIRouter(
    prefix="/api/v1/exports", tags=["exports"], responses=problem_responses(400, 401, 403, 422)
)

Q = Annotated[str | None, Query(max_length=200, description="The list's free-text search.")]
_CSV: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A header row, then one row per record, oldest first; imports read it back as is.",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}


async def _stream(ctx: Ctx, kind: ExportKind, filters: dict[str, Any], request: Request) -> StreamingResponse:
    custom = custom_params(request.query_params)
    # A bad custom-field filter is a 422 now, not a broken stream later.
    await check_params(ctx.session, ctx.workspace_id, kind, custom)
    used = sorted([name for name, value in filters.items() if value is not None] + list(custom))
    ctx.audit(
        f"export.{kind}",
        f"{kind.capitalize()} exported as CSV" + (f" (filtered by {', '.join(used)})" if used else ""),
    )
    filters = {**filters, "custom": custom}
    rows = export_rows(ctx.state.sessionmaker, principal=ctx.principal, kind=kind, filters=filters)
    stamp = ctx.now.strftime("%Y%m%d-%H%M%S")
    return StreamingResponse(
        csv_chunks(rows),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{kind}-{stamp}.csv"'},
    )


@router.get("/contacts", operation_id="exports-contacts", response_class=StreamingResponse, responses=_CSV)
async def export_contacts(
    request: Request,
    ctx: CtxDep,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
    updated_after: datetime | None = None,
    created_after: datetime | None = None,
    q: Q = None,
) -> StreamingResponse:
    return await _stream(
        ctx,
        "contacts",
        {
            "owner_id": owner_id,
            "account_id": account_id,
            "tag": tag,
            "email": email,
            "updated_after": updated_after,
            "created_after": created_after,
            "q": q,
        },
        request,
    )


@router.get("/accounts", operation_id="exports-accounts", response_class=StreamingResponse, responses=_CSV)
async def export_accounts(
    request: Request,
    ctx: CtxDep,
    owner_id: uuid.UUID | None = None,
    domain: Annotated[str | None, Query(max_length=255)] = None,
    industry: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    updated_after: datetime | None = None,
    q: Q = None,
) -> StreamingResponse:
    return await _stream(
        ctx,
        "accounts",
        {
            "owner_id": owner_id,
            "domain": domain,
            "industry": industry,
            "tag": tag,
            "updated_after": updated_after,
            "q": q,
        },
        request,
    )


@router.get("/deals", operation_id="exports-deals", response_class=StreamingResponse, responses=_CSV)
async def export_deals(
    request: Request,
    ctx: CtxDep,
    pipeline_id: uuid.UUID | None = None,
    stage_id: uuid.UUID | None = None,
    status: Literal["open", "won", "lost"] | None = None,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    updated_after: datetime | None = None,
    q: Q = None,
) -> StreamingResponse:
    return await _stream(
        ctx,
        "deals",
        {
            "pipeline_id": pipeline_id,
            "stage_id": stage_id,
            "status": status,
            "owner_id": owner_id,
            "account_id": account_id,
            "contact_id": contact_id,
            "updated_after": updated_after,
            "q": q,
        },
        request,
    )
