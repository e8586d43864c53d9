"""Bulk actions on contacts, accounts and deals, and the operations they create."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import Ctx, CtxDep, ListParamsDep
from api.errors import problem_responses
from api.pagination import decode_cursor
from api.schemas.bulk import (
    AccountBulkIn,
    BulkOperationOut,
    BulkResultOut,
    ContactBulkIn,
    DealBulkIn,
    _BulkIn,
)
from domain import bulk
from domain.models import BulkOperation
from domain.pagination import Keyset

router = APIRouter(prefix="/api/v1", tags=["bulk"], responses=problem_responses(400, 401, 403, 404))

RESULTS_SORT = "position"
_RESPONSES = {
    200: {"model": BulkOperationOut, "description": "Up to 200 records: done, with every result."},
    202: {
        "model": BulkOperationOut,
        "description": "More: queued for a worker; follow it at /bulk-operations/{id}.",
    },
    **problem_responses(409, 422),
}
_DESCRIPTION = (
    "Apply one action to many records, each through the same rules as a single edit. Up to 200 "
    "records run at once (200 with each record's result); more run in a worker (202)."
)


async def _out(
    ctx: Ctx, operation: BulkOperation, *, cursor: str | None = None, limit: int = 200
) -> BulkOperationOut:
    keyset = decode_cursor(cursor, ctx.settings.secret, sort=RESULTS_SORT)
    items, last = await bulk.results(
        ctx.session, operation, after=int(keyset.value) if keyset else None, limit=limit
    )
    next_keyset = Keyset(sort=RESULTS_SORT, value=last, id=operation.id) if last is not None else None
    return BulkOperationOut(
        id=operation.id,
        object=operation.object,
        action=operation.action,
        status=operation.status,
        total=operation.total,
        done=operation.processed,
        succeeded=operation.succeeded,
        skipped=operation.skipped,
        failed=operation.failed,
        created_at=operation.created_at,
        started_at=operation.started_at,
        finished_at=operation.finished_at,
        results=[BulkResultOut(id=i.record_id, status=i.status, error=i.error) for i in items],
        next_cursor=ctx.next_cursor(next_keyset),
    )


async def _bulk(ctx: Ctx, object: bulk.BulkObject, body: _BulkIn) -> Response:
    params = body.params()
    await bulk.check_params(ctx.session, ctx.principal, object, body.action, params)
    filter_ = getattr(body, "filter", None)
    if body.ids is not None:
        ids = body.ids
    else:
        assert filter_ is not None  # one of the two, by the schema
        ids = await bulk.ids_matching(
            ctx.session, ctx.principal, object, filter_.model_dump(exclude_none=True)
        )
    operation = await bulk.create_operation(
        ctx.session,
        principal=ctx.principal,
        object=object,
        action=body.action,
        params=params,
        record_ids=ids,
        if_match={str(k): v for k, v in (body.if_match or {}).items()},
        now=ctx.now,
    )
    if operation.total <= bulk.INLINE_LIMIT:
        await bulk.run_inline(ctx.session, operation, ctx.now)
        return await ctx.respond(await _out(ctx, operation))
    # A worker's sweep picks it up within seconds (Redis away only delays it).
    return await ctx.respond(await _out(ctx, operation, limit=50), status=202)


@router.post("/contacts/bulk", operation_id="contacts-bulk", responses=_RESPONSES, description=_DESCRIPTION)
async def contacts_bulk(body: ContactBulkIn, ctx: CtxDep) -> Response:
    return await _bulk(ctx, "contacts", body)


@router.post("/accounts/bulk", operation_id="accounts-bulk", responses=_RESPONSES, description=_DESCRIPTION)
async def accounts_bulk(body: AccountBulkIn, ctx: CtxDep) -> Response:
    return await _bulk(ctx, "accounts", body)


@router.post(
    "/deals/bulk",
    operation_id="deals-bulk",
    responses=_RESPONSES,
    description=_DESCRIPTION + " `move_stage` checks each deal as a board move does.",
)
async def deals_bulk(body: DealBulkIn, ctx: CtxDep) -> Response:
    return await _bulk(ctx, "deals", body)


@router.get(
    "/bulk-operations/{operation_id}",
    response_model=BulkOperationOut,
    operation_id="bulk-operations-get",
    responses=problem_responses(422),
)
async def get_operation(operation_id: uuid.UUID, ctx: CtxDep, params: ListParamsDep) -> Response:
    operation = await bulk.get_operation(ctx.session, ctx.principal, operation_id)
    return await ctx.respond(await _out(ctx, operation, cursor=params.cursor, limit=params.limit))
