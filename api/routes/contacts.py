"""Contacts: create (with duplicate handling), read, merge-patch, delete, list and search."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from api.deps import CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.common import Page
from api.schemas.contacts import ContactIn, ContactOut, ContactPatch
from domain import contacts
from domain.custom_fields.lists import CF_DOC, custom_params

router = APIRouter(prefix="/api/v1", tags=["contacts"], responses=problem_responses(400, 401, 403, 404))

Q = Annotated[str | None, Query(max_length=200, description="Any part of a name, email, title or company.")]
Sort = Annotated[
    str, Query(description="created_at, updated_at, last_name, first_name or email; -field descends.")
]


@router.get(
    "/contacts",
    response_model=Page[ContactOut],
    operation_id="contacts-list",
    responses=problem_responses(422),
    description=CF_DOC,
)
async def list_contacts(
    request: Request,
    ctx: CtxDep,
    params: ListParamsDep,
    owner_id: uuid.UUID | None = None,
    account_id: uuid.UUID | None = None,
    tag: Annotated[str | None, Query(max_length=100)] = None,
    email: Annotated[str | None, Query(max_length=320)] = None,
    updated_after: datetime | None = None,
    created_after: datetime | None = None,
    q: Q = None,
    sort: Sort = contacts.DEFAULT_SORT,
) -> Response:
    page = await contacts.list_contacts(
        ctx.session,
        principal=ctx.principal,
        owner_id=owner_id,
        account_id=account_id,
        tag=tag,
        email=email,
        updated_after=updated_after,
        created_after=created_after,
        q=q,
        custom=custom_params(request.query_params),
        sort=sort,
        after=ctx.after(params, sort),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[ContactOut](
            items=[ContactOut.model_validate(c) for c in page.items], next_cursor=ctx.next_cursor(page.next)
        )
    )


@router.post(
    "/contacts",
    status_code=201,
    response_model=ContactOut,
    operation_id="contacts-create",
    responses={
        200: {"model": ContactOut, "description": "Merged into the existing duplicate (on_duplicate=merge)"},
        **problem_responses(409, 422),
    },
)
async def create_contact(
    body: ContactIn,
    ctx: CtxDep,
    on_duplicate: Annotated[
        contacts.OnDuplicate,
        Query(
            description="An existing contact with the same email or phone: 409 (error), create anyway "
            "(allow), or fill its empty fields and return it with 200 (merge)."
        ),
    ] = "error",
) -> Response:
    contact, created = await contacts.create_contact(
        ctx.session, principal=ctx.principal, fields=body.model_dump(), on_duplicate=on_duplicate, now=ctx.now
    )
    return await ctx.respond(
        ContactOut.model_validate(contact), status=201 if created else 200, etag=contact.version
    )


@router.get("/contacts/{contact_id}", response_model=ContactOut, operation_id="contacts-get")
async def get_contact(contact_id: uuid.UUID, ctx: CtxDep) -> Response:
    contact = await contacts.get_contact(ctx.session, ctx.principal, contact_id)
    return await ctx.respond(ContactOut.model_validate(contact), etag=contact.version)


@router.patch(
    "/contacts/{contact_id}",
    response_model=ContactOut,
    operation_id="contacts-update",
    responses=problem_responses(412, 422),
)
async def update_contact(contact_id: uuid.UUID, body: ContactPatch, ctx: CtxDep) -> Response:
    contact = await contacts.update_contact(
        ctx.session,
        principal=ctx.principal,
        contact_id=contact_id,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(ContactOut.model_validate(contact), etag=contact.version)


@router.delete(
    "/contacts/{contact_id}",
    status_code=204,
    operation_id="contacts-delete",
    responses=problem_responses(412),
)
async def delete_contact(contact_id: uuid.UUID, ctx: CtxDep) -> Response:
    await contacts.delete_contact(
        ctx.session,
        principal=ctx.principal,
        contact_id=contact_id,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(status=204)
