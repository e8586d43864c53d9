"""Deals: CRUD, the filtered list, and moving a card on the board."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from api.deps import CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.common import Page
from api.schemas.deals import DealIn, DealMove, DealOut, DealPatch
from domain import board, deals
from domain.custom_fields.lists import CF_DOC, custom_params

router = APIRouter(prefix="/api/v1", tags=["deals"], responses=problem_responses(400, 401, 403, 404))


@router.get(
    "/deals",
    response_model=Page[DealOut],
    operation_id="deals-list",
    responses=problem_responses(422),
    description=CF_DOC,
)
async def list_deals(
    request: Request,
    ctx: CtxDep,
    params: ListParamsDep,
    pipeline_id: uuid.UUID | None = None,
    stage_id: uuid.UUID | None = None,
    status: Literal["open", "won", "lost"] | None = None,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    updated_after: datetime | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Case-insensitive part of the title.")] = None,
    sort: Annotated[
        str | None,
        Query(
            max_length=80,
            description="created_at, updated_at, amount, expected_close_date, title, rank or "
            "cf.<key>; -field for descending. Default -created_at.",
        ),
    ] = None,
) -> Response:
    sort = sort or deals.DEFAULT_SORT
    page = await deals.list_deals(
        session=ctx.session,
        principal=ctx.principal,
        filters=deals.DealFilters(
            pipeline_id=pipeline_id,
            stage_id=stage_id,
            status=status,
            owner_id=owner_id,
            account_id=account_id,
            contact_id=contact_id,
            updated_after=updated_after,
            q=q,
            custom=custom_params(request.query_params),
        ),
        sort=sort,
        after=ctx.after(params, sort),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[DealOut](items=[DealOut.of(r) for r in page.items], next_cursor=ctx.next_cursor(page.next))
    )


@router.post(
    "/deals",
    status_code=201,
    response_model=DealOut,
    operation_id="deals-create",
    responses=problem_responses(409, 422),
)
async def create_deal(body: DealIn, ctx: CtxDep) -> Response:
    fields = body.model_dump()
    record = await deals.create_deal(session=ctx.session, principal=ctx.principal, now=ctx.now, **fields)
    return await ctx.respond(DealOut.of(record), status=201, etag=record.deal.version)


@router.get("/deals/{deal_id}", response_model=DealOut, operation_id="deals-get")
async def get_deal(deal_id: uuid.UUID, ctx: CtxDep) -> Response:
    record = await deals.get_deal(ctx.session, ctx.principal, deal_id)
    return await ctx.respond(DealOut.of(record), etag=record.deal.version)


@router.patch(
    "/deals/{deal_id}",
    response_model=DealOut,
    operation_id="deals-update",
    responses=problem_responses(412, 422),
)
async def update_deal(deal_id: uuid.UUID, body: DealPatch, ctx: CtxDep) -> Response:
    record = await deals.update_deal(
        session=ctx.session,
        principal=ctx.principal,
        deal_id=deal_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(DealOut.of(record), etag=record.deal.version)


@router.delete(
    "/deals/{deal_id}",
    status_code=204,
    operation_id="deals-delete",
    responses=problem_responses(412),
)
async def delete_deal(deal_id: uuid.UUID, ctx: CtxDep) -> Response:
    await deals.delete_deal(
        session=ctx.session,
        principal=ctx.principal,
        deal_id=deal_id,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(status=204)


@router.post(
    "/deals/{deal_id}/move",
    response_model=DealOut,
    operation_id="deals-move",
    responses=problem_responses(409, 412, 422),
)
async def move_deal(deal_id: uuid.UUID, body: DealMove, ctx: CtxDep) -> Response:
    record = await board.move_deal(
        session=ctx.session,
        principal=ctx.principal,
        deal_id=deal_id,
        to_stage_id=body.stage_id,
        after_id=body.after_id,
        expected_version=ctx.if_match(),
        lost_reason=body.lost_reason,
        lost_reason_detail=body.lost_reason_detail,
        pipeline_id=body.pipeline_id,
        now=ctx.now,
    )
    return await ctx.respond(DealOut.of(record), etag=record.deal.version)
