"""Automations (admin settings; members may read them and their runs) and each rule's runs."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import AdminCtx, CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.automations import AutomationIn, AutomationOut, AutomationPatch, AutomationRunOut
from api.schemas.common import Page
from domain.automations import rules
from domain.automations.schemas import Rule

router = APIRouter(prefix="/api/v1", tags=["automations"], responses=problem_responses(400, 401, 403, 404))


@router.get("/automations", response_model=Page[AutomationOut], operation_id="automations-list")
async def list_automations(ctx: CtxDep, params: ListParamsDep) -> Response:
    page = await rules.list_automations(
        ctx.session, principal=ctx.principal, after=ctx.after(params, rules.DEFAULT_SORT), limit=params.limit
    )
    return await ctx.respond(
        Page[AutomationOut](
            items=[AutomationOut.of(a) for a in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )


@router.post(
    "/automations",
    status_code=201,
    response_model=AutomationOut,
    operation_id="automations-create",
    responses=problem_responses(409, 422),
)
async def create_automation(body: AutomationIn, ctx: AdminCtx) -> Response:
    automation = await rules.create_automation(
        ctx.session,
        principal=ctx.principal,
        name=body.name,
        enabled=body.enabled,
        rule=Rule(trigger=body.trigger, conditions=body.conditions, actions=body.actions),
        now=ctx.now,
    )
    ctx.audit(
        "automation.created",
        f"Automation {automation.name!r} created",
        subject_type="automation",
        subject_id=automation.id,
    )
    return await ctx.respond(AutomationOut.of(automation), status=201, etag=automation.version)


@router.get("/automations/{automation_id}", response_model=AutomationOut, operation_id="automations-get")
async def get_automation(automation_id: uuid.UUID, ctx: CtxDep) -> Response:
    automation = await rules.get_automation(ctx.session, ctx.principal, automation_id)
    return await ctx.respond(AutomationOut.of(automation), etag=automation.version)


@router.patch(
    "/automations/{automation_id}",
    response_model=AutomationOut,
    operation_id="automations-update",
    responses=problem_responses(412, 422),
)
async def update_automation(automation_id: uuid.UUID, body: AutomationPatch, ctx: AdminCtx) -> Response:
    # Typed values, not dumped dicts: the domain rebuilds the rule from the models.
    changes = {name: getattr(body, name) for name in body.model_fields_set}
    automation = await rules.update_automation(
        ctx.session,
        principal=ctx.principal,
        automation_id=automation_id,
        changes=changes,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    ctx.audit(
        "automation.updated",
        f"Automation {automation.name!r} changed: {', '.join(sorted(body.model_fields_set))}",
        subject_type="automation",
        subject_id=automation_id,
    )
    return await ctx.respond(AutomationOut.of(automation), etag=automation.version)


@router.delete(
    "/automations/{automation_id}",
    status_code=204,
    operation_id="automations-delete",
    responses=problem_responses(412),
)
async def delete_automation(automation_id: uuid.UUID, ctx: AdminCtx) -> Response:
    await rules.delete_automation(
        ctx.session, principal=ctx.principal, automation_id=automation_id, expected_version=ctx.if_match()
    )
    ctx.audit("automation.deleted", "Automation deleted", subject_type="automation", subject_id=automation_id)
    return await ctx.respond(status=204)


@router.get(
    "/automations/{automation_id}/runs",
    response_model=Page[AutomationRunOut],
    operation_id="automations-list_runs",
)
async def list_runs(automation_id: uuid.UUID, ctx: CtxDep, params: ListParamsDep) -> Response:
    page = await rules.list_runs(
        ctx.session,
        principal=ctx.principal,
        automation_id=automation_id,
        after=ctx.after(params, rules.RUNS_SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[AutomationRunOut](
            items=[AutomationRunOut.of(r) for r in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )
