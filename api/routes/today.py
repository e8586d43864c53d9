"""The Today view of the current member, and a deal's suggested next actions."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import CtxDep
from api.errors import problem_responses
from api.schemas.today import NextActionsOut, TodayOut
from domain.next_actions import next_actions
from domain.today import today_view

router = APIRouter(prefix="/api/v1", tags=["today"], responses=problem_responses(400, 401, 403, 404))


@router.get("/today", response_model=TodayOut, operation_id="today-get")
async def get_today(ctx: CtxDep) -> Response:
    view = await today_view(ctx.session, principal=ctx.principal, now=ctx.now)
    return await ctx.respond(TodayOut.of(view))


@router.get("/deals/{deal_id}/next-actions", response_model=NextActionsOut, operation_id="today-next_actions")
async def deal_next_actions(deal_id: uuid.UUID, ctx: CtxDep) -> Response:
    actions = await next_actions(ctx.session, principal=ctx.principal, deal_id=deal_id, now=ctx.now)
    return await ctx.respond(NextActionsOut.of(actions))
