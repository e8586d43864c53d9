"""Activities: calls, emails, meetings, tasks and notes; create, read, merge-patch, complete, delete, list."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.activities import ActivityIn, ActivityOut, ActivityPatch, ActivityType
from api.schemas.common import Page
from domain import activities, email_tracking

router = APIRouter(prefix="/api/v1", tags=["activities"], responses=problem_responses(400, 401, 403, 404))

Sort = Annotated[str, Query(description="due_at, created_at or updated_at; -field descends.")]


@router.get(
    "/activities",
    response_model=Page[ActivityOut],
    operation_id="activities-list",
    responses=problem_responses(422),
)
async def list_activities(
    ctx: CtxDep,
    params: ListParamsDep,
    type: ActivityType | None = None,
    owner_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    deal_id: uuid.UUID | None = None,
    completed: bool | None = None,
    due_before: datetime | None = None,
    due_after: datetime | None = None,
    updated_after: datetime | None = None,
    sort: Sort = activities.DEFAULT_SORT,
) -> Response:
    page = await activities.list_activities(
        ctx.session,
        principal=ctx.principal,
        type=type,
        owner_id=owner_id,
        contact_id=contact_id,
        account_id=account_id,
        deal_id=deal_id,
        completed=completed,
        due_before=due_before,
        due_after=due_after,
        updated_after=updated_after,
        sort=sort,
        after=ctx.after(params, sort),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[ActivityOut](
            items=[ActivityOut.model_validate(a) for a in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )


@router.post(
    "/activities",
    status_code=201,
    response_model=ActivityOut,
    operation_id="activities-create",
    responses=problem_responses(422),
)
async def create_activity(body: ActivityIn, ctx: CtxDep) -> Response:
    activity = await activities.create_activity(
        ctx.session, principal=ctx.principal, fields=body.model_dump(exclude={"track_opens"}), now=ctx.now
    )
    if body.track_opens:
        await email_tracking.start_tracking(ctx.session, activity, public_url=ctx.settings.public_url)
    return await ctx.respond(ActivityOut.model_validate(activity), status=201, etag=activity.version)


@router.get("/activities/{activity_id}", response_model=ActivityOut, operation_id="activities-get")
async def get_activity(activity_id: uuid.UUID, ctx: CtxDep) -> Response:
    activity = await activities.get_activity(ctx.session, ctx.principal, activity_id)
    return await ctx.respond(ActivityOut.model_validate(activity), etag=activity.version)


@router.patch(
    "/activities/{activity_id}",
    response_model=ActivityOut,
    operation_id="activities-update",
    responses=problem_responses(412, 422),
)
async def update_activity(activity_id: uuid.UUID, body: ActivityPatch, ctx: CtxDep) -> Response:
    activity = await activities.update_activity(
        ctx.session,
        principal=ctx.principal,
        activity_id=activity_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(ActivityOut.model_validate(activity), etag=activity.version)


@router.post(
    "/activities/{activity_id}/complete",
    response_model=ActivityOut,
    operation_id="activities-complete",
    responses=problem_responses(412),
)
async def complete_activity(activity_id: uuid.UUID, ctx: CtxDep) -> Response:
    activity = await activities.complete_activity(
        ctx.session,
        principal=ctx.principal,
        activity_id=activity_id,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(ActivityOut.model_validate(activity), etag=activity.version)


@router.delete(
    "/activities/{activity_id}",
    status_code=204,
    operation_id="activities-delete",
    responses=problem_responses(412),
)
async def delete_activity(activity_id: uuid.UUID, ctx: CtxDep) -> Response:
    await activities.delete_activity(
        ctx.session,
        principal=ctx.principal,
        activity_id=activity_id,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(status=204)
