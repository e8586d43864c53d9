"""Hygiene: duplicate candidates, merges, required fields and the data-quality picture."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from api.deps import AdminCtx, Ctx, CtxDep, ListParamsDep
from api.errors import problem_responses
from api.schemas.accounts import AccountOut
from api.schemas.common import Page
from api.schemas.contacts import ContactOut
from api.schemas.hygiene import (
    ContactsSection,
    DealIssueOut,
    DealsSection,
    DismissIn,
    DuplicateGroupOut,
    DuplicatesSection,
    HygieneOut,
    MergeIn,
    RequiredFieldsBody,
    RequiredFieldsOut,
)
from domain.hygiene import duplicates, merge, quality, required_fields
from domain.hygiene.quality import Listing
from domain.money import format_amount

router = APIRouter(prefix="/api/v1", tags=["hygiene"], responses=problem_responses(400, 401, 403, 404))


def _groups(items: list[duplicates.DuplicateGroup]) -> list[DuplicateGroupOut]:
    return [
        DuplicateGroupOut(object=g.object, score=g.score, reasons=g.reasons, record_ids=g.record_ids)
        for g in items
    ]


@router.get("/duplicates", response_model=Page[DuplicateGroupOut], operation_id="hygiene-duplicates")
async def list_duplicates(
    ctx: CtxDep,
    params: ListParamsDep,
    object: Annotated[Literal["contacts", "accounts"] | None, Query(description="Only this kind.")] = None,
    record_id: Annotated[uuid.UUID | None, Query(description="Only the groups holding this record.")] = None,
) -> Response:
    """Candidate groups of records that look like one, most certain first."""
    items, following = await duplicates.list_groups(
        ctx.session,
        ctx.workspace_id,
        kind=object,
        record_id=record_id,
        after=ctx.after(params, duplicates.SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[DuplicateGroupOut](items=_groups(items), next_cursor=ctx.next_cursor(following))
    )


@router.post("/duplicates/dismiss", status_code=204, operation_id="hygiene-dismiss")
async def dismiss_duplicates(body: DismissIn, ctx: CtxDep) -> Response:
    """Not the same: the pairs among `record_ids` leave the list and are never flagged again."""
    await duplicates.dismiss(
        ctx.session,
        workspace_id=ctx.workspace_id,
        user_id=ctx.principal.user_id,
        kind=body.object,
        record_ids=body.record_ids,
        now=ctx.now,
    )
    return await ctx.respond(status=204)


async def _merge(
    ctx: Ctx,
    kind: merge.Kind,
    survivor_id: uuid.UUID,
    body: MergeIn,
    out: type[ContactOut] | type[AccountOut],
) -> Response:
    survivor = await merge.merge(
        ctx.session,
        principal=ctx.principal,
        kind=kind,
        survivor_id=survivor_id,
        source_ids=body.source_ids,
        fields=body.fields,
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    return await ctx.respond(out.model_validate(survivor), etag=survivor.version)


@router.post(
    "/contacts/{contact_id}/merge",
    response_model=ContactOut,
    operation_id="hygiene-merge-contacts",
    responses=problem_responses(412, 422),
)
async def merge_contacts(contact_id: uuid.UUID, body: MergeIn, ctx: CtxDep) -> Response:
    """Merge `source_ids` into this contact: it keeps their activities, deals, form submissions and
    timeline; the sources answer 404 naming it (`merged_into`) afterwards."""
    return await _merge(ctx, "contacts", contact_id, body, ContactOut)


@router.post(
    "/accounts/{account_id}/merge",
    response_model=AccountOut,
    operation_id="hygiene-merge-accounts",
    responses=problem_responses(412, 422),
)
async def merge_accounts(account_id: uuid.UUID, body: MergeIn, ctx: CtxDep) -> Response:
    """Merge `source_ids` into this account: their contacts, deals, activities and timeline move here."""
    return await _merge(ctx, "accounts", account_id, body, AccountOut)


@router.get(
    "/settings/required-fields", response_model=RequiredFieldsOut, operation_id="hygiene-required-fields"
)
async def get_required_fields(ctx: CtxDep) -> Response:
    return await ctx.respond(
        RequiredFieldsOut(**await required_fields.all_rules(ctx.session, ctx.workspace_id))
    )


@router.put(
    "/settings/required-fields",
    response_model=RequiredFieldsOut,
    operation_id="hygiene-set-required-fields",
    responses=problem_responses(422),
)
async def set_required_fields(body: RequiredFieldsBody, ctx: AdminCtx) -> Response:
    """Replace the rules of each kind given (the others stay); a write lacking them gets 422."""
    rules = await required_fields.set_rules(
        ctx.session, ctx.workspace_id, body.model_dump(exclude_none=True), ctx.now
    )
    ctx.audit(
        "required_fields.updated", f"Required fields changed for {', '.join(sorted(body.model_fields_set))}"
    )
    return await ctx.respond(RequiredFieldsOut(**rules))


def _deals(listing: Listing) -> DealsSection:
    return DealsSection(
        count=listing.count,
        items=[
            DealIssueOut(
                id=d.id,
                title=d.title,
                amount=format_amount(d.amount, d.currency),
                currency=d.currency,
                stage_id=d.stage_id,
                stage=d.stage,
                owner_id=d.owner_id,
                expected_close_date=d.expected_close_date,
                since=d.since,
            )
            for d in listing.items
        ],
    )


def _contacts(listing: Listing) -> ContactsSection:
    return ContactsSection(count=listing.count, items=[ContactOut.model_validate(c) for c in listing.items])


@router.get("/hygiene", response_model=HygieneOut, operation_id="hygiene-picture")
async def hygiene_picture(
    ctx: CtxDep,
    limit: Annotated[int, Query(ge=1, le=100, description="Records listed per section.")] = 20,
) -> Response:
    """The workspace's data quality: each section's count and its first records."""
    found = await quality.picture(ctx.session, principal=ctx.principal, now=ctx.now, limit=limit)
    return await ctx.respond(
        HygieneOut(
            duplicates=DuplicatesSection(count=found.duplicates.count, items=_groups(found.duplicates.items)),
            rotting_deals=_deals(found.rotting_deals),
            overdue_deals=_deals(found.overdue_deals),
            contacts_without_owner=_contacts(found.contacts_without_owner),
            contacts_without_email=_contacts(found.contacts_without_email),
            contacts_without_phone=_contacts(found.contacts_without_phone),
            contacts_unreachable=_contacts(found.contacts_unreachable),
        )
    )
