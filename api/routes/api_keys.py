"""API keys for integrations (admins only): the secret is shown once, at creation."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import AdminCtx
from api.errors import problem_responses
from api.schemas.auth import ApiKeyCreatedOut, ApiKeyIn, ApiKeyOut
from api.schemas.common import Page
from domain import api_keys

router = APIRouter(prefix="/api/v1", tags=["api_keys"], responses=problem_responses(400, 401, 403, 404))


@router.post(
    "/api-keys",
    status_code=201,
    response_model=ApiKeyCreatedOut,
    operation_id="api_keys-create",
    responses=problem_responses(422),
)
async def create_api_key(body: ApiKeyIn, ctx: AdminCtx) -> Response:
    api_key, secret = await api_keys.create_api_key(
        ctx.session, ctx.principal, name=body.name, secret_key=ctx.settings.secret, now=ctx.now
    )
    out = ApiKeyCreatedOut.model_validate({**ApiKeyOut.model_validate(api_key).model_dump(), "key": secret})
    ctx.audit(
        "api_key.created", f"API key {api_key.name!r} created", subject_type="api_key", subject_id=api_key.id
    )
    return await ctx.respond(out, status=201)


@router.get("/api-keys", response_model=Page[ApiKeyOut], operation_id="api_keys-list")
async def list_api_keys(ctx: AdminCtx) -> Response:
    keys = await api_keys.list_api_keys(ctx.session, ctx.principal)
    return await ctx.respond(Page[ApiKeyOut](items=[ApiKeyOut.model_validate(k) for k in keys]))


@router.get("/api-keys/{key_id}", response_model=ApiKeyOut, operation_id="api_keys-get")
async def get_api_key(key_id: uuid.UUID, ctx: AdminCtx) -> Response:
    return await ctx.respond(
        ApiKeyOut.model_validate(await api_keys.get_api_key(ctx.session, ctx.principal, key_id))
    )


@router.delete("/api-keys/{key_id}", status_code=204, operation_id="api_keys-delete")
async def revoke_api_key(key_id: uuid.UUID, ctx: AdminCtx) -> Response:
    await api_keys.revoke_api_key(ctx.session, ctx.principal, key_id, ctx.now)
    ctx.audit("api_key.revoked", "API key revoked", subject_type="api_key", subject_id=key_id)
    return await ctx.respond(status=204)
