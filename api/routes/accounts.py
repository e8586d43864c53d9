"""Accounts: create, read, merge-patch, delete, list and search."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.accounts import AccountIn, AccountOut, AccountPatch
from api.schemas.common import Page
from domain import accounts
from domain.custom_fields.lists import CF_DOC, custom_params

router = APIRouter(prefix="/api/v1", tags=["accounts"], responses=problem_responses(400, 401, 403, 404))

Q = Annotated[str | None, Query(max_length=200, description="Any part of the name or domain.")]
Sort = Annotated[str, Query(description="name, created_at or updated_at; -field descends.")]


@router.get(
    "/accounts",
    response_model=Page[AccountOut],
    operation_id="accounts-list",
    responses=problem_responses(422),
    description=CF_DOC,
)
async def list_accounts(
    request: Request,
    ctx: CtxDep,
    params: ListParamsDep,
    owner_id: uuid.UUID | None = None,
    domain: Annotated[str | None, Query(max_length=255)] = None,
    industry: Annotated[str | None, Query(max_length=200)] = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    updated_after: datetime | None = None,
    q: Q = None,
    sort: Sort = accounts.DEFAULT_SORT,
) -> Response:
    page = await accounts.list_accounts(
        ctx.session,
        principal=ctx.principal,
        owner_id=owner_id,
        domain=domain,
        industry=industry,
        tag=tag,
        updated_after=updated_after,
        q=q,
        custom=custom_params(request.query_params),
        sort=sort,
        after=ctx.after(params, sort),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[AccountOut](
            items=[AccountOut.model_validate(a) for a in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )


@router.post(
    "/accounts",
    status_code=201,
    response_model=AccountOut,
    operation_id="accounts-create",
    responses=problem_responses(422),
)
async def create_account(body: AccountIn, ctx: CtxDep) -> Response:
    account = await accounts.create_account(
        ctx.session, principal=ctx.principal, fields=body.model_dump(), now=ctx.now
    )
    return await ctx.respond(AccountOut.model_validate(account), status=201, etag=account.version)


@router.get("/accounts/{account_id}", response_model=AccountOut, operation_id="accounts-get")
async def get_account(account_id: uuid.UUID, ctx: CtxDep) -> Response:
    account = await accounts.get_account(ctx.session, ctx.principal, account_id)
    return await ctx.respond(AccountOut.model_validate(account), etag=account.version)


@router.patch(
    "/accounts/{account_id}",
    response_model=AccountOut,
    operation_id="accounts-update",
    responses=problem_responses(412, 422),
)
async def update_account(account_id: uuid.UUID, body: AccountPatch, ctx: CtxDep) -> Response:
    account = await accounts.update_account(
        ctx.session,
        principal=ctx.principal,
        account_id=account_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(AccountOut.model_validate(account), etag=account.version)


@router.delete(
    "/accounts/{account_id}",
    status_code=204,
    operation_id="accounts-delete",
    responses=problem_responses(412),
)
async def delete_account(account_id: uuid.UUID, ctx: CtxDep) -> Response:
    await accounts.delete_account(
        ctx.session,
        principal=ctx.principal,
        account_id=account_id,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(status=204)
