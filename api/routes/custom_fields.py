"""Custom field definitions and the lost-reason pick-list: members read, admins write."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import AdminCtx, CtxDep
from api.errors import problem_responses
from api.schemas.common import Page
from api.schemas.custom_fields import (
    CustomFieldIn,
    CustomFieldOut,
    CustomFieldPatch,
    FieldObject,
    LostReasonIn,
    LostReasonOut,
    LostReasonPatch,
)
from domain import lost_reasons
from domain.custom_fields import definitions

router = APIRouter(prefix="/api/v1", tags=["settings"], responses=problem_responses(400, 401, 403, 404))


@router.get("/custom-fields", response_model=Page[CustomFieldOut], operation_id="custom-fields-list")
async def list_custom_fields(
    ctx: CtxDep, object: Annotated[FieldObject | None, Query(description="Only this object's fields")] = None
) -> Response:
    fields = await definitions.definitions(ctx.session, ctx.workspace_id, object)
    return await ctx.respond(Page[CustomFieldOut](items=[CustomFieldOut.model_validate(f) for f in fields]))


@router.post(
    "/custom-fields",
    status_code=201,
    response_model=CustomFieldOut,
    operation_id="custom-fields-create",
    responses=problem_responses(409, 422),
)
async def create_custom_field(body: CustomFieldIn, ctx: AdminCtx) -> Response:
    field = await definitions.create_field(ctx.session, ctx.principal, body.model_dump(), ctx.now)
    return await ctx.respond(CustomFieldOut.model_validate(field), status=201, etag=field.version)


@router.get("/custom-fields/{field_id}", response_model=CustomFieldOut, operation_id="custom-fields-get")
async def get_custom_field(field_id: uuid.UUID, ctx: CtxDep) -> Response:
    field = await definitions.get_field(ctx.session, ctx.principal, field_id)
    return await ctx.respond(CustomFieldOut.model_validate(field), etag=field.version)


@router.patch(
    "/custom-fields/{field_id}",
    response_model=CustomFieldOut,
    operation_id="custom-fields-update",
    responses=problem_responses(412, 422),
)
async def update_custom_field(field_id: uuid.UUID, body: CustomFieldPatch, ctx: AdminCtx) -> Response:
    field = await definitions.update_field(
        ctx.session,
        ctx.principal,
        field_id,
        body.model_dump(exclude_unset=True),
        ctx.if_match(),
        ctx.now,
    )
    return await ctx.respond(CustomFieldOut.model_validate(field), etag=field.version)


@router.delete(
    "/custom-fields/{field_id}",
    status_code=204,
    operation_id="custom-fields-delete",
    responses=problem_responses(409, 412),
)
async def delete_custom_field(
    field_id: uuid.UUID,
    ctx: AdminCtx,
    confirm: Annotated[
        bool,
        Query(description="Required: deleting removes the field's values from every record (409 without)."),
    ] = False,
) -> Response:
    await definitions.delete_field(
        ctx.session, ctx.principal, field_id, confirm=confirm, expected_version=ctx.if_match(), now=ctx.now
    )
    return await ctx.respond(status=204)


@router.get("/lost-reasons", response_model=Page[LostReasonOut], operation_id="lost-reasons-list")
async def list_lost_reasons(ctx: CtxDep) -> Response:
    rows = await lost_reasons.list_reasons(ctx.session, ctx.workspace_id)
    return await ctx.respond(Page[LostReasonOut](items=[LostReasonOut.model_validate(r) for r in rows]))


@router.post(
    "/lost-reasons",
    status_code=201,
    response_model=LostReasonOut,
    operation_id="lost-reasons-create",
    responses=problem_responses(409, 422),
)
async def create_lost_reason(body: LostReasonIn, ctx: AdminCtx) -> Response:
    row = await lost_reasons.create_reason(ctx.session, ctx.principal, body.label, body.position, ctx.now)
    return await ctx.respond(LostReasonOut.model_validate(row), status=201)


@router.patch(
    "/lost-reasons/{reason_id}",
    response_model=LostReasonOut,
    operation_id="lost-reasons-update",
    responses=problem_responses(409, 422),
)
async def update_lost_reason(reason_id: uuid.UUID, body: LostReasonPatch, ctx: AdminCtx) -> Response:
    row = await lost_reasons.update_reason(
        ctx.session, ctx.principal, reason_id, body.model_dump(exclude_unset=True)
    )
    return await ctx.respond(LostReasonOut.model_validate(row))


@router.delete(
    "/lost-reasons/{reason_id}",
    status_code=204,
    operation_id="lost-reasons-delete",
    responses=problem_responses(409),
)
async def delete_lost_reason(reason_id: uuid.UUID, ctx: AdminCtx) -> Response:
    await lost_reasons.delete_reason(ctx.session, ctx.principal, reason_id)
    return await ctx.respond(status=204)
