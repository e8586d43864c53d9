"""The trash: list deleted records and restore them with their links."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import Ctx, CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.accounts import AccountOut
from api.schemas.activities import ActivityOut
from api.schemas.common import Page
from api.schemas.contacts import ContactOut
from api.schemas.deals import DealOut
from api.schemas.timelines import ActorOut
from api.schemas.trash import TrashItemOut, TrashObject
from domain import trash
from domain.accounts import get_account
from domain.activities import get_activity
from domain.contacts import get_contact
from domain.deals import get_deal
from domain.models import TrashItem

router = APIRouter(prefix="/api/v1", tags=["trash"], responses=problem_responses(400, 401, 403, 404))


def _item(item: TrashItem) -> TrashItemOut:
    return TrashItemOut(
        object=item.object,
        id=item.id,
        title=item.title,
        deleted_at=item.deleted_at,
        deleted_by=ActorOut(type=item.deleted_by_type, id=item.deleted_by_id, name=item.deleted_by_name),
        purge_at=item.purge_at,
    )


@router.get(
    "/trash",
    response_model=Page[TrashItemOut],
    operation_id="trash-list",
    responses=problem_responses(422),
)
async def list_trash(
    ctx: CtxDep,
    params: ListParamsDep,
    object: Annotated[TrashObject | None, Query(description="Only deleted records of this kind.")] = None,
) -> Response:
    page = await trash.list_trash(
        ctx.session,
        principal=ctx.principal,
        object=object,
        after=ctx.after(params, trash.SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[TrashItemOut](items=[_item(i) for i in page.items], next_cursor=ctx.next_cursor(page.next))
    )


async def _restore(ctx: Ctx, table: trash.TrashObject, record_id: uuid.UUID) -> None:
    await trash.restore(ctx.session, principal=ctx.principal, table=table, record_id=record_id, now=ctx.now)


_RESTORE = "Bring a deleted record back from the trash with its links (404 when it is not there)."


@router.post(
    "/contacts/{contact_id}/restore",
    response_model=ContactOut,
    operation_id="contacts-restore",
    description=_RESTORE,
    responses=problem_responses(409),
)
async def restore_contact(contact_id: uuid.UUID, ctx: CtxDep) -> Response:
    await _restore(ctx, "contacts", contact_id)
    contact = await get_contact(ctx.session, ctx.principal, contact_id)
    return await ctx.respond(ContactOut.model_validate(contact), etag=contact.version)


@router.post(
    "/accounts/{account_id}/restore",
    response_model=AccountOut,
    operation_id="accounts-restore",
    description=_RESTORE,
    responses=problem_responses(409),
)
async def restore_account(account_id: uuid.UUID, ctx: CtxDep) -> Response:
    await _restore(ctx, "accounts", account_id)
    account = await get_account(ctx.session, ctx.principal, account_id)
    return await ctx.respond(AccountOut.model_validate(account), etag=account.version)


@router.post(
    "/deals/{deal_id}/restore",
    response_model=DealOut,
    operation_id="deals-restore",
    description=_RESTORE + " A deal whose stage was removed meanwhile cannot come back (409).",
    responses=problem_responses(409),
)
async def restore_deal(deal_id: uuid.UUID, ctx: CtxDep) -> Response:
    await _restore(ctx, "deals", deal_id)
    record = await get_deal(ctx.session, ctx.principal, deal_id)
    return await ctx.respond(DealOut.of(record), etag=record.deal.version)


@router.post(
    "/activities/{activity_id}/restore",
    response_model=ActivityOut,
    operation_id="activities-restore",
    description=_RESTORE,
    responses=problem_responses(409),
)
async def restore_activity(activity_id: uuid.UUID, ctx: CtxDep) -> Response:
    await _restore(ctx, "activities", activity_id)
    activity = await get_activity(ctx.session, ctx.principal, activity_id)
    return await ctx.respond(ActivityOut.model_validate(activity), etag=activity.version)
