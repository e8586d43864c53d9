"""Data-subject requests on a contact: erase (admins) and export everything held (Art. 17, 15)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import AdminCtx, CtxDep
from api.errors import problem_responses
from api.routes.files import file_storage
from api.schemas.privacy import ContactExportOut, ErasureOut
from domain import audit
from domain.files.attachments import delete_blobs
from domain.privacy.erase import erase_contact
from domain.privacy.export import export_contact

router = APIRouter(prefix="/api/v1", tags=["privacy"], responses=problem_responses(400, 401, 403, 404))


@router.post(
    "/contacts/{contact_id}/erase",
    response_model=ErasureOut,
    operation_id="contacts-erase",
    responses=problem_responses(412),
)
async def erase(contact_id: uuid.UUID, ctx: AdminCtx) -> Response:
    """Erase the contact's personal data everywhere it is held (admins only). Erasing an erased
    contact again changes nothing and answers the same."""
    erasure = await erase_contact(
        ctx.session,
        principal=ctx.principal,
        contact_id=contact_id,
        now=ctx.now,
        expected_version=ctx.if_match(),
    )
    assert erasure.contact.erased_at is not None
    response = await ctx.respond(
        ErasureOut(
            id=erasure.contact.id,
            erased_at=erasure.contact.erased_at,
            files_deleted=len(erasure.file_keys),
            places_scrubbed=erasure.scrubbed,
        )
    )
    await delete_blobs(file_storage(ctx.state), erasure.file_keys)
    return response


@router.get(
    "/contacts/{contact_id}/export",
    response_model=ContactExportOut,
    operation_id="contacts-export",
)
async def export(contact_id: uuid.UUID, ctx: CtxDep) -> Response:
    """Everything held on the contact as one JSON document; recorded in the audit log."""
    data = await export_contact(ctx.session, principal=ctx.principal, contact_id=contact_id, now=ctx.now)
    audit.record(
        ctx.session,
        ctx.principal,
        "contact.exported",
        subject_type="contact",
        subject_id=contact_id,
        summary="All data held on a contact exported (Art. 15)",
        now=ctx.now,
    )
    return await ctx.respond(data)
