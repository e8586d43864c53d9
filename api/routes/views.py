"""Saved views: `/views` and `/views/{id}`; own and shared ones."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import CtxDep
from api.errors import problem_responses
from api.schemas.views import ViewIn, ViewList, ViewObject, ViewOut, ViewPatch
from api.view_checks import check_view
from domain import saved_views
from domain.errors import invalid

router = APIRouter(prefix="/api/v1", tags=["views"], responses=problem_responses(400, 401, 403, 404))


@router.get("/views", response_model=ViewList, operation_id="views-list", responses=problem_responses(422))
async def list_views(ctx: CtxDep, object: ViewObject | None = None) -> Response:
    views = await saved_views.list_views(ctx.session, ctx.principal, object_=object)
    return await ctx.respond(ViewList(items=[ViewOut.model_validate(v) for v in views]))


@router.post(
    "/views",
    status_code=201,
    response_model=ViewOut,
    operation_id="views-create",
    responses=problem_responses(422),
)
async def create_view(body: ViewIn, ctx: CtxDep) -> Response:
    view = await saved_views.create_view(
        ctx.session, ctx.principal, fields=body.model_dump(), check=check_view, now=ctx.now
    )
    return await ctx.respond(ViewOut.model_validate(view), status=201, etag=view.version)


@router.get("/views/{view_id}", response_model=ViewOut, operation_id="views-get")
async def get_view(view_id: uuid.UUID, ctx: CtxDep) -> Response:
    view = await saved_views.get_view(ctx.session, ctx.principal, view_id)
    return await ctx.respond(ViewOut.model_validate(view), etag=view.version)


@router.patch(
    "/views/{view_id}",
    response_model=ViewOut,
    operation_id="views-update",
    responses=problem_responses(412, 422),
)
async def update_view(view_id: uuid.UUID, body: ViewPatch, ctx: CtxDep) -> Response:
    changes = body.model_dump(exclude_unset=True)
    for key in ("name", "shared"):
        if key in changes and changes[key] is None:
            raise invalid(key, f"{key} cannot be cleared")
    view = await saved_views.update_view(
        ctx.session,
        ctx.principal,
        view_id,
        changes=changes,
        check=check_view,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(ViewOut.model_validate(view), etag=view.version)


@router.delete(
    "/views/{view_id}", status_code=204, operation_id="views-delete", responses=problem_responses(412)
)
async def delete_view(view_id: uuid.UUID, ctx: CtxDep) -> Response:
    await saved_views.delete_view(ctx.session, ctx.principal, view_id, expected_version=ctx.if_match())
    return await ctx.respond(status=204)
