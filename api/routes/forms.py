"""Forms (admin settings) and their submissions; the public intake is api/routes/form_intake.py."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Path, Response

from api.deps import AdminCtx, Ctx, ListParamsDep
from api.errors import problem_responses
from api.routes.form_intake import forget_form
from api.schemas.common import Page
from api.schemas.forms import (
    FormIn,
    FormOut,
    FormPatch,
    SubmissionDetailOut,
    SubmissionOut,
    SubmissionStatus,
)
from domain.forms import config, submissions
from domain.models import Form

router = APIRouter(prefix="/api/v1", tags=["forms"], responses=problem_responses(400, 401, 403, 404))

FormRef = Annotated[uuid.UUID, Path(description="The form's id (submitting uses its key instead).")]


async def _out(ctx: Ctx, form: Form) -> FormOut:
    counts = await config.submission_counts(ctx.session, ctx.workspace_id, [form.id])
    return FormOut.of(form, counts[form.id], ctx.settings.public_url)


@router.get(
    "/forms", response_model=Page[FormOut], operation_id="forms-list", responses=problem_responses(422)
)
async def list_forms(ctx: AdminCtx, params: ListParamsDep) -> Response:
    page = await config.list_forms(
        ctx.session, principal=ctx.principal, after=ctx.after(params, config.SORT), limit=params.limit
    )
    counts = await config.submission_counts(ctx.session, ctx.workspace_id, [f.id for f in page.items])
    items = [FormOut.of(f, counts[f.id], ctx.settings.public_url) for f in page.items]
    return await ctx.respond(Page[FormOut](items=items, next_cursor=ctx.next_cursor(page.next)))


@router.post(
    "/forms",
    status_code=201,
    response_model=FormOut,
    operation_id="forms-create",
    responses=problem_responses(409, 422),
)
async def create_form(body: FormIn, ctx: AdminCtx) -> Response:
    form = await config.create_form(
        ctx.session,
        principal=ctx.principal,
        fields=body.model_dump(mode="json", exclude_unset=True) | _ids(body),
        now=ctx.now,
    )
    ctx.audit("form.created", f"Form {form.name!r} created", subject_type="form", subject_id=form.id)
    return await ctx.respond(await _out(ctx, form), status=201, etag=form.version)


def _ids(body: FormIn | FormPatch) -> dict[str, uuid.UUID | None]:
    """The id fields as UUIDs (the JSON dump made them strings)."""
    return {
        k: getattr(body, k) for k in ("pipeline_id", "stage_id", "owner_id") if k in body.model_fields_set
    }


@router.get("/forms/{form_id}", response_model=FormOut, operation_id="forms-get")
async def get_form(form_id: uuid.UUID, ctx: AdminCtx) -> Response:
    form = await config.get_form(ctx.session, ctx.principal, form_id)
    return await ctx.respond(await _out(ctx, form), etag=form.version)


@router.patch(
    "/forms/{form_id}",
    response_model=FormOut,
    operation_id="forms-update",
    responses=problem_responses(412, 422),
)
async def update_form(form_id: uuid.UUID, body: FormPatch, ctx: AdminCtx) -> Response:
    form = await config.update_form(
        ctx.session,
        principal=ctx.principal,
        form_id=form_id,
        changes=body.model_dump(mode="json", exclude_unset=True) | _ids(body),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    ctx.audit(
        "form.updated",
        f"Form {form.name!r} changed: {', '.join(sorted(body.model_fields_set))}",
        subject_type="form",
        subject_id=form_id,
    )
    response = await ctx.respond(await _out(ctx, form), etag=form.version)
    forget_form(ctx.state, form.key)
    return response


@router.delete(
    "/forms/{form_id}", status_code=204, operation_id="forms-delete", responses=problem_responses(412)
)
async def delete_form(form_id: uuid.UUID, ctx: AdminCtx) -> Response:
    deleted = await config.delete_form(
        ctx.session, principal=ctx.principal, form_id=form_id, expected_version=ctx.if_match()
    )
    ctx.audit("form.deleted", "Form deleted", subject_type="form", subject_id=form_id)
    response = await ctx.respond(status=204)
    forget_form(ctx.state, deleted.key)
    return response


@router.get(
    "/forms/{form}/submissions",
    response_model=Page[SubmissionOut],
    operation_id="forms-submissions",
    responses=problem_responses(422),
)
async def list_submissions(
    form: FormRef, ctx: AdminCtx, params: ListParamsDep, status: SubmissionStatus | None = None
) -> Response:
    page = await submissions.list_submissions(
        ctx.session,
        principal=ctx.principal,
        form_id=form,
        status=status,
        after=ctx.after(params, submissions.SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[SubmissionOut](
            items=[SubmissionOut.model_validate(s) for s in page.items],
            next_cursor=ctx.next_cursor(page.next),
        )
    )


@router.get(
    "/forms/{form}/submissions/{submission_id}",
    response_model=SubmissionDetailOut,
    operation_id="forms-submission",
)
async def get_submission(form: FormRef, submission_id: uuid.UUID, ctx: AdminCtx) -> Response:
    found = await submissions.get_submission(ctx.session, ctx.principal, form, submission_id)
    out = SubmissionDetailOut.model_validate(
        {
            **SubmissionOut.model_validate(found).model_dump(),
            "headers": found.headers,
            "raw_body": found.raw_body.decode("utf-8", errors="replace"),
        }
    )
    return await ctx.respond(out)


@router.post(
    "/forms/{form}/submissions/{submission_id}/retry",
    status_code=202,
    response_model=SubmissionOut,
    operation_id="forms-retry_submission",
    responses=problem_responses(409),
)
async def retry_submission(form: FormRef, submission_id: uuid.UUID, ctx: AdminCtx) -> Response:
    """Queue a failed submission for processing again."""
    found = await submissions.retry_submission(
        ctx.session, principal=ctx.principal, form_id=form, submission_id=submission_id, now=ctx.now
    )
    return await ctx.respond(SubmissionOut.model_validate(found), status=202)
