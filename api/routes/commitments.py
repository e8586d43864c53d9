"""Commitments: promises made during the sale; create, read, merge-patch, delete, list."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.commitments import CommitmentIn, CommitmentOut, CommitmentPatch, CommitmentStatus
from api.schemas.common import Page
from domain import commitments

router = APIRouter(prefix="/api/v1", tags=["commitments"], responses=problem_responses(400, 401, 403, 404))

Sort = Annotated[
    str, Query(max_length=40, description="due_date, created_at or updated_at; -field descends.")
]


@router.get(
    "/commitments",
    response_model=Page[CommitmentOut],
    operation_id="commitments-list",
    responses=problem_responses(422),
)
async def list_commitments(
    ctx: CtxDep,
    params: ListParamsDep,
    deal_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    contact_id: uuid.UUID | None = None,
    owner_id: uuid.UUID | None = None,
    status: CommitmentStatus | None = None,
    due_before: Annotated[date | None, Query(description="Due strictly before this date.")] = None,
    sort: Sort = commitments.DEFAULT_SORT,
) -> Response:
    page = await commitments.list_commitments(
        ctx.session,
        principal=ctx.principal,
        deal_id=deal_id,
        account_id=account_id,
        contact_id=contact_id,
        owner_id=owner_id,
        status=status,
        due_before=due_before,
        sort=sort,
        after=ctx.after(params, sort),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[CommitmentOut](
            items=[CommitmentOut.model_validate(c) for c in page.items],
            next_cursor=ctx.next_cursor(page.next),
        )
    )


@router.post(
    "/commitments",
    status_code=201,
    response_model=CommitmentOut,
    operation_id="commitments-create",
    responses=problem_responses(422),
)
async def create_commitment(body: CommitmentIn, ctx: CtxDep) -> Response:
    commitment = await commitments.create_commitment(
        ctx.session, principal=ctx.principal, fields=body.model_dump(), now=ctx.now
    )
    return await ctx.respond(CommitmentOut.model_validate(commitment), status=201, etag=commitment.version)


@router.get("/commitments/{commitment_id}", response_model=CommitmentOut, operation_id="commitments-get")
async def get_commitment(commitment_id: uuid.UUID, ctx: CtxDep) -> Response:
    commitment = await commitments.get_commitment(ctx.session, ctx.principal, commitment_id)
    return await ctx.respond(CommitmentOut.model_validate(commitment), etag=commitment.version)


@router.patch(
    "/commitments/{commitment_id}",
    response_model=CommitmentOut,
    operation_id="commitments-update",
    responses=problem_responses(412, 422),
)
async def update_commitment(commitment_id: uuid.UUID, body: CommitmentPatch, ctx: CtxDep) -> Response:
    commitment = await commitments.update_commitment(
        ctx.session,
        principal=ctx.principal,
        commitment_id=commitment_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(CommitmentOut.model_validate(commitment), etag=commitment.version)


@router.delete(
    "/commitments/{commitment_id}",
    status_code=204,
    operation_id="commitments-delete",
    responses=problem_responses(412),
)
async def delete_commitment(commitment_id: uuid.UUID, ctx: CtxDep) -> Response:
    await commitments.delete_commitment(
        ctx.session,
        principal=ctx.principal,
        commitment_id=commitment_id,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(status=204)
