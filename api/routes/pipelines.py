"""Pipelines, their stages (admin settings; anyone may read them) and the board."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import AdminCtx, CtxDep
from api.errors import problem_responses
from api.schemas.common import Page
from api.schemas.pipelines import (
    BoardOut,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    StageIn,
    StageOut,
    StagePatch,
    board_out,
    stage_out,
)
from domain import board, pipelines
from domain.pagination import DEFAULT_LIMIT, MAX_LIMIT

router = APIRouter(prefix="/api/v1", tags=["pipelines"], responses=problem_responses(400, 401, 403, 404))


@router.get("/pipelines", response_model=Page[PipelineOut], operation_id="pipelines-list")
async def list_pipelines(ctx: CtxDep) -> Response:
    views = await pipelines.list_pipelines(ctx.session, ctx.principal)
    return await ctx.respond(Page[PipelineOut](items=[PipelineOut.of(v) for v in views], next_cursor=None))


@router.post(
    "/pipelines",
    status_code=201,
    response_model=PipelineOut,
    operation_id="pipelines-create",
    responses=problem_responses(409, 422),
)
async def create_pipeline(body: PipelineIn, ctx: AdminCtx) -> Response:
    view = await pipelines.create_pipeline(
        ctx.session,
        ctx.principal,
        name=body.name,
        position=body.position,
        is_default=body.is_default,
        on_won=body.on_won,
        stages=[s.spec() for s in body.stages],
        # Only what was sent: a left-out renewal_lead_days keeps its default, an explicit null is "off".
        after_sale=body.model_dump(
            include={"project_template", "renewal_lead_days", "renewal_pipeline_id"}, exclude_unset=True
        ),
        now=ctx.now,
    )
    ctx.audit(
        "pipeline.created",
        f"Pipeline {view.pipeline.name!r} created",
        subject_type="pipeline",
        subject_id=view.pipeline.id,
    )
    return await ctx.respond(PipelineOut.of(view), status=201, etag=view.pipeline.version)


@router.get("/pipelines/{pipeline_id}", response_model=PipelineOut, operation_id="pipelines-get")
async def get_pipeline(pipeline_id: uuid.UUID, ctx: CtxDep) -> Response:
    view = await pipelines.get_pipeline(ctx.session, ctx.principal, pipeline_id)
    return await ctx.respond(PipelineOut.of(view), etag=view.pipeline.version)


@router.patch(
    "/pipelines/{pipeline_id}",
    response_model=PipelineOut,
    operation_id="pipelines-update",
    responses=problem_responses(409, 412, 422),
)
async def update_pipeline(pipeline_id: uuid.UUID, body: PipelinePatch, ctx: AdminCtx) -> Response:
    view = await pipelines.update_pipeline(
        ctx.session,
        ctx.principal,
        pipeline_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    ctx.audit(
        "pipeline.updated",
        f"Pipeline {view.pipeline.name!r} changed: {', '.join(sorted(body.model_fields_set))}",
        subject_type="pipeline",
        subject_id=pipeline_id,
    )
    return await ctx.respond(PipelineOut.of(view), etag=view.pipeline.version)


@router.delete(
    "/pipelines/{pipeline_id}",
    status_code=204,
    operation_id="pipelines-delete",
    responses=problem_responses(409, 412),
)
async def delete_pipeline(pipeline_id: uuid.UUID, ctx: AdminCtx) -> Response:
    await pipelines.delete_pipeline(ctx.session, ctx.principal, pipeline_id, expected_version=ctx.if_match())
    ctx.audit("pipeline.deleted", "Pipeline deleted", subject_type="pipeline", subject_id=pipeline_id)
    return await ctx.respond(status=204)


@router.get(
    "/pipelines/{pipeline_id}/stages", response_model=Page[StageOut], operation_id="pipelines-list_stages"
)
async def list_stages(pipeline_id: uuid.UUID, ctx: CtxDep) -> Response:
    stages = await pipelines.list_stages(ctx.session, ctx.principal, pipeline_id)
    return await ctx.respond(Page[StageOut](items=[stage_out(s) for s in stages], next_cursor=None))


@router.post(
    "/pipelines/{pipeline_id}/stages",
    status_code=201,
    response_model=StageOut,
    operation_id="pipelines-create_stage",
    responses=problem_responses(409, 422),
)
async def create_stage(pipeline_id: uuid.UUID, body: StageIn, ctx: AdminCtx) -> Response:
    stage = await pipelines.create_stage(
        ctx.session, ctx.principal, pipeline_id, spec=body.spec(), now=ctx.now
    )
    ctx.audit("stage.created", f"Stage {stage.name!r} added", subject_type="stage", subject_id=stage.id)
    return await ctx.respond(stage_out(stage), status=201, etag=stage.version)


@router.get("/stages/{stage_id}", response_model=StageOut, operation_id="pipelines-get_stage")
async def get_stage(stage_id: uuid.UUID, ctx: CtxDep) -> Response:
    stage = await pipelines.get_stage(ctx.session, ctx.principal, stage_id)
    return await ctx.respond(stage_out(stage), etag=stage.version)


@router.patch(
    "/stages/{stage_id}",
    response_model=StageOut,
    operation_id="pipelines-update_stage",
    responses=problem_responses(409, 412, 422),
)
async def update_stage(stage_id: uuid.UUID, body: StagePatch, ctx: AdminCtx) -> Response:
    stage = await pipelines.update_stage(
        ctx.session,
        ctx.principal,
        stage_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    ctx.audit(
        "stage.updated",
        f"Stage {stage.name!r} changed: {', '.join(sorted(body.model_fields_set))}",
        subject_type="stage",
        subject_id=stage_id,
    )
    return await ctx.respond(stage_out(stage), etag=stage.version)


@router.delete(
    "/stages/{stage_id}",
    status_code=204,
    operation_id="pipelines-delete_stage",
    responses=problem_responses(409, 412, 422),
)
async def delete_stage(
    stage_id: uuid.UUID,
    ctx: AdminCtx,
    move_deals_to: Annotated[
        uuid.UUID | None, Query(description="A stage of the same pipeline to move the stage's deals to.")
    ] = None,
) -> Response:
    await pipelines.delete_stage(
        ctx.session,
        ctx.principal,
        stage_id,
        move_deals_to=move_deals_to,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    ctx.audit(
        "stage.deleted",
        "Stage deleted" + (" (its deals moved)" if move_deals_to else ""),
        subject_type="stage",
        subject_id=stage_id,
    )
    return await ctx.respond(status=204)


@router.get("/pipelines/{pipeline_id}/board", response_model=BoardOut, operation_id="pipelines-board")
async def get_board(
    pipeline_id: uuid.UUID,
    ctx: CtxDep,
    owner_id: uuid.UUID | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Cards per column.")] = DEFAULT_LIMIT,
) -> Response:
    result = await board.board_columns(
        session=ctx.session,
        principal=ctx.principal,
        pipeline_id=pipeline_id,
        owner_id=owner_id,
        q=q,
        limit=limit,
        now=ctx.now,
    )
    return await ctx.respond(board_out(result, [ctx.next_cursor(c.next) for c in result.columns]))
