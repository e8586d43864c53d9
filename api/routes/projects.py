"""Delivery projects: opened by a won deal (or by hand); their milestones and timeline."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import CtxDep, ListParamsDep
from api.errors import problem_responses
from api.routes.timelines import timeline_item
from api.schemas.common import Page
from api.schemas.projects import (
    MilestoneIn,
    MilestonePatch,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    ProjectStatus,
)
from api.schemas.timelines import TimelineItemOut
from domain import projects, timelines

router = APIRouter(prefix="/api/v1", tags=["projects"], responses=problem_responses(400, 401, 403, 404))

Sort = Annotated[str, Query(max_length=40, description="created_at, updated_at or name; -field descends.")]


@router.get(
    "/projects",
    response_model=Page[ProjectOut],
    operation_id="projects-list",
    responses=problem_responses(422),
)
async def list_projects(
    ctx: CtxDep,
    params: ListParamsDep,
    deal_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: ProjectStatus | None = None,
    sort: Sort = projects.DEFAULT_SORT,
) -> Response:
    page = await projects.list_projects(
        ctx.session,
        principal=ctx.principal,
        deal_id=deal_id,
        account_id=account_id,
        owner_id=owner_id,
        status=status,
        sort=sort,
        after=ctx.after(params, sort),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[ProjectOut](items=[ProjectOut.of(v) for v in page.items], next_cursor=ctx.next_cursor(page.next))
    )


@router.post(
    "/projects",
    status_code=201,
    response_model=ProjectOut,
    operation_id="projects-create",
    responses=problem_responses(409, 422),
)
async def create_project(body: ProjectIn, ctx: CtxDep) -> Response:
    view = await projects.create_project(
        ctx.session, principal=ctx.principal, fields=body.model_dump(), now=ctx.now
    )
    return await ctx.respond(ProjectOut.of(view), status=201, etag=view.project.version)


@router.get("/projects/{project_id}", response_model=ProjectOut, operation_id="projects-get")
async def get_project(project_id: uuid.UUID, ctx: CtxDep) -> Response:
    view = await projects.get_project(ctx.session, ctx.principal, project_id)
    return await ctx.respond(ProjectOut.of(view), etag=view.project.version)


@router.patch(
    "/projects/{project_id}",
    response_model=ProjectOut,
    operation_id="projects-update",
    responses=problem_responses(412, 422),
)
async def update_project(project_id: uuid.UUID, body: ProjectPatch, ctx: CtxDep) -> Response:
    view = await projects.update_project(
        ctx.session,
        principal=ctx.principal,
        project_id=project_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(ProjectOut.of(view), etag=view.project.version)


@router.delete(
    "/projects/{project_id}",
    status_code=204,
    operation_id="projects-delete",
    responses=problem_responses(412),
)
async def delete_project(project_id: uuid.UUID, ctx: CtxDep) -> Response:
    await projects.delete_project(
        ctx.session,
        principal=ctx.principal,
        project_id=project_id,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(status=204)


@router.post(
    "/projects/{project_id}/milestones",
    status_code=201,
    response_model=ProjectOut,
    operation_id="projects-add_milestone",
    responses=problem_responses(412, 422),
)
async def add_milestone(project_id: uuid.UUID, body: MilestoneIn, ctx: CtxDep) -> Response:
    view = await projects.add_milestone(
        ctx.session,
        principal=ctx.principal,
        project_id=project_id,
        title=body.title,
        due_date=body.due_date,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(ProjectOut.of(view), status=201, etag=view.project.version)


@router.patch(
    "/projects/{project_id}/milestones/{milestone_id}",
    response_model=ProjectOut,
    operation_id="projects-update_milestone",
    responses=problem_responses(412, 422),
)
async def update_milestone(
    project_id: uuid.UUID, milestone_id: uuid.UUID, body: MilestonePatch, ctx: CtxDep
) -> Response:
    view = await projects.update_milestone(
        ctx.session,
        principal=ctx.principal,
        project_id=project_id,
        milestone_id=milestone_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(ProjectOut.of(view), etag=view.project.version)


@router.post(
    "/projects/{project_id}/milestones/{milestone_id}/complete",
    response_model=ProjectOut,
    operation_id="projects-complete_milestone",
    responses=problem_responses(412),
)
async def complete_milestone(project_id: uuid.UUID, milestone_id: uuid.UUID, ctx: CtxDep) -> Response:
    view = await projects.complete_milestone(
        ctx.session,
        principal=ctx.principal,
        project_id=project_id,
        milestone_id=milestone_id,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(ProjectOut.of(view), etag=view.project.version)


@router.delete(
    "/projects/{project_id}/milestones/{milestone_id}",
    response_model=ProjectOut,
    operation_id="projects-delete_milestone",
    responses=problem_responses(412),
)
async def delete_milestone(project_id: uuid.UUID, milestone_id: uuid.UUID, ctx: CtxDep) -> Response:
    view = await projects.delete_milestone(
        ctx.session,
        principal=ctx.principal,
        project_id=project_id,
        milestone_id=milestone_id,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(ProjectOut.of(view), etag=view.project.version)


@router.get(
    "/projects/{project_id}/timeline",
    response_model=Page[TimelineItemOut],
    operation_id="projects-timeline",
    responses=problem_responses(422),
)
async def project_timeline(project_id: uuid.UUID, ctx: CtxDep, params: ListParamsDep) -> Response:
    page = await timelines.timeline(
        ctx.session,
        principal=ctx.principal,
        subject_type="project",
        subject_id=project_id,
        after=ctx.after(params, timelines.SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[TimelineItemOut](
            items=[timeline_item(e) for e in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )
