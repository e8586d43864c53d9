"""Timelines of contacts, accounts and deals: activities and system events, newest first."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import Ctx, CtxDep, ListParamsDep
from api.errors import problem_responses
from api.pagination import ListParams
from api.schemas.activities import ActivityOut
from api.schemas.common import Page
from api.schemas.timelines import ActorOut, TimelineItemOut
from domain import timelines
from domain.timelines import SubjectType, TimelineEntry

router = APIRouter(prefix="/api/v1", tags=["timelines"], responses=problem_responses(400, 401, 403, 404, 422))


def timeline_item(entry: TimelineEntry) -> TimelineItemOut:
    data = (
        ActivityOut.model_validate(entry.activity).model_dump(mode="json")
        if entry.activity is not None
        else entry.data or {}
    )
    return TimelineItemOut(
        id=entry.id,
        kind=entry.kind,
        type=entry.type,
        at=entry.at,
        actor=ActorOut(type=entry.actor.type, id=entry.actor.id, name=entry.actor.name),
        subject_type=entry.subject_type,
        subject_id=entry.subject_id,
        data=data,
    )


async def _timeline(
    ctx: Ctx, params: ListParams, subject_type: SubjectType, subject_id: uuid.UUID
) -> Response:
    page = await timelines.timeline(
        ctx.session,
        principal=ctx.principal,
        subject_type=subject_type,
        subject_id=subject_id,
        after=ctx.after(params, timelines.SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[TimelineItemOut](
            items=[timeline_item(e) for e in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )


@router.get(
    "/contacts/{contact_id}/timeline",
    response_model=Page[TimelineItemOut],
    operation_id="timelines-contact",
)
async def contact_timeline(contact_id: uuid.UUID, ctx: CtxDep, params: ListParamsDep) -> Response:
    return await _timeline(ctx, params, "contact", contact_id)


@router.get(
    "/accounts/{account_id}/timeline",
    response_model=Page[TimelineItemOut],
    operation_id="timelines-account",
)
async def account_timeline(account_id: uuid.UUID, ctx: CtxDep, params: ListParamsDep) -> Response:
    return await _timeline(ctx, params, "account", account_id)


@router.get(
    "/deals/{deal_id}/timeline",
    response_model=Page[TimelineItemOut],
    operation_id="timelines-deal",
)
async def deal_timeline(deal_id: uuid.UUID, ctx: CtxDep, params: ListParamsDep) -> Response:
    return await _timeline(ctx, params, "deal", deal_id)
