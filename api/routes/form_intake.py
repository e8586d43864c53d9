"""The public submission endpoint: what website forms, scripts and servers post to.

Checked in this order, cheapest first: body size (413), content type (415), the form's key
(404), rate limits (429), then, with the submission stored as `rejected` so an admin can see
why: origin (403), signature (401), body (400/422). A filled honeypot is stored as `spam` and
answered like a real submission. The rest is stored `pending` (the row is the work a worker
owes it) and only then answered: 202 `{submission_id}`, or 303 to the thank-you page for a plain
browser form post. See domain.forms.intake for why a submission is one INSERT on an autocommit
connection, and a post with an Idempotency-Key a transaction inside the form's workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.ext.asyncio import AsyncEngine

from api import idempotency
from api.deps import AppState, app_state
from api.errors import problem, problem_responses
from api.form_bodies import (
    FORM_KINDS,
    BodyRejected,
    content_kind,
    cors_headers,
    parse_fields,
    prefers_html,
    read_capped,
)
from api.schemas.forms import SubmissionAccepted
from domain.errors import ValidationFailed
from domain.forms import intake
from domain.forms.fields import honeypot_filled, map_lead
from domain.forms.intake import PublicForm
from domain.forms.rate_limits import FormRateLimiter
from domain.forms.signatures import HEADER as SIGNATURE_HEADER
from domain.forms.signatures import SignatureError, verify

router = APIRouter(prefix="/api/v1", tags=["forms"])

FormKey = Annotated[str, Path(max_length=64, description="The form's public key (listing uses its id).")]
_FIELDS_SCHEMA = {
    "type": "object",
    "additionalProperties": True,
    "properties": {
        "email": {"type": "string"},
        "name": {"type": "string"},
        "_gotcha": {"type": "string", "description": "Honeypot: leave empty."},
    },
}
_REQUEST_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {"schema": _FIELDS_SCHEMA},
        "multipart/form-data": {"schema": _FIELDS_SCHEMA},
        "application/json": {"schema": _FIELDS_SCHEMA},
    },
}


# An INSERT holds its connection for about a millisecond: a few connections serve hundreds of
# submissions a second, and keep a process well inside PostgreSQL's max_connections.
INTAKE_POOL_SIZE = 8


@dataclass
class IntakeResources:
    """Per process: the autocommit engine, the remembered forms and the rate limiter."""

    engine: AsyncEngine
    directory: intake.FormDirectory
    limiter: FormRateLimiter


def _resources(state: AppState) -> IntakeResources:
    resources: IntakeResources | None = state.extras.get("form_intake")
    if resources is None:
        engine = intake.intake_engine(state.settings.async_database_url, pool_size=INTAKE_POOL_SIZE)
        resources = IntakeResources(
            engine=engine, directory=intake.FormDirectory(engine), limiter=FormRateLimiter()
        )
        state.extras["form_intake"] = resources
    return resources


def forget_form(state: AppState, key: str) -> None:
    """A form changed or went away: this process stops remembering it at once."""
    resources: IntakeResources | None = state.extras.get("form_intake")
    if resources is not None:
        resources.directory.forget(key)


@router.options("/forms/{form}/submissions", include_in_schema=False)
async def preflight(form: str, request: Request) -> Response:
    """CORS preflight: allowed origins may post from the browser, others are refused."""
    state = app_state(request)
    target = await _resources(state).directory.find(form)
    if target is None:
        return problem(404, "Form not found")
    headers = cors_headers(target, request.headers.get("origin"))
    if not headers:
        return problem(403, "This origin may not post to this form")
    return Response(
        status_code=204,
        headers={
            **headers,
            "Access-Control-Allow-Methods": "POST, OPTIONS",
            "Access-Control-Allow-Headers": "Content-Type, Idempotency-Key, Rapport-Signature",
            "Access-Control-Max-Age": "600",
        },
    )


@router.post(
    "/forms/{form}/submissions",
    status_code=202,
    response_model=SubmissionAccepted,
    operation_id="forms-submit",
    openapi_extra={"requestBody": _REQUEST_BODY},
    responses={
        303: {
            "description": "A plain browser form post, sent on to the form's thank-you page",
            "headers": {"Location": {"schema": {"type": "string"}}},
        },
        **problem_responses(400, 401, 403, 404, 409, 413, 415, 422, 429),
    },
)
async def submit(form: FormKey, request: Request) -> Response:
    """Public, no authentication: urlencoded, multipart or JSON fields (`email` required)."""
    # The state is read directly: a plain (sync) dependency would cost a thread hop per submission.
    state = app_state(request)
    now = state.clock.now()
    kind = content_kind(request)
    body = await read_capped(request)
    resources = _resources(state)
    target = await resources.directory.find(form)
    if target is None:
        return problem(404, "Form not found")
    cors = cors_headers(target, request.headers.get("origin"))
    source_ip = _source_ip(request)
    verdict = await resources.limiter.check(
        state.redis,
        form_id=target.id,
        source_ip=source_ip,
        per_ip=state.settings.form_rate_per_ip,
        per_form=state.settings.form_rate_per_form,
    )
    if not verdict.allowed:
        return problem(
            429,
            f"Too many submissions ({verdict.limit} limit); try again later",
            headers={"Retry-After": str(verdict.retry_after), **cors},
        )
    arrival = intake.Arrival(
        form=target,
        received_at=now,
        source_ip=source_ip,
        content_type=request.headers.get("content-type"),
        headers=intake.kept_headers(request.headers),
        raw_body=body,
    )
    fields: dict[str, Any] = {}
    try:
        _check_sender(target, request, body, now)
        fields = await parse_fields(kind, request.headers, body)
        spam = honeypot_filled(fields)
        lead = (
            None
            if spam
            else map_lead(
                fields, overrides=target.field_mapping, referer_header=request.headers.get("referer")
            )
        )
    except (BodyRejected, ValidationFailed) as exc:
        errors = [{"loc": list(e.loc), "msg": e.msg, "type": e.type} for e in exc.errors] or None
        await intake.store_submission_across_workspaces(
            resources.engine, arrival, status="rejected", reason=exc.detail, fields=fields, lead=None
        )
        return problem(exc.status, exc.detail, errors=errors, headers=cors)
    status, reason = ("spam", "The honeypot field _gotcha was filled in") if spam else ("pending", None)
    if idempotency.HEADER in request.headers:
        return await _store_with_replay(
            state,
            request,
            form,
            arrival,
            kind=kind,
            status=status,
            reason=reason,
            fields=fields,
            lead=lead,
            cors=cors,
        )
    submission_id = await intake.store_submission_across_workspaces(
        resources.engine, arrival, status=status, reason=reason, fields=fields, lead=lead
    )
    if submission_id is None:  # deleted since it was looked up
        resources.directory.forget(form)
        return problem(404, "Form not found")
    return _answer(request, kind, target, submission_id, cors)


async def _store_with_replay(
    state: AppState,
    request: Request,
    key: str,
    arrival: intake.Arrival,
    *,
    kind: str,
    status: str,
    reason: str | None,
    fields: dict[str, Any],
    lead: dict[str, Any] | None,
    cors: dict[str, str],
) -> Response:
    """A keyed post: the submission and its replay commit together, inside the form's workspace."""
    async with state.sessionmaker() as session:
        await session.begin()
        if await intake.enter_form_workspace_by_key(session, key) is None:
            return problem(404, "Form not found")
        claim = await idempotency.claim_for_form(
            session,
            request,
            workspace_id=arrival.form.workspace_id,
            form_id=arrival.form.id,
            payload=fields,
            now=arrival.received_at,
        )
        submission_id = await intake.store_submission(
            session, arrival, status=status, reason=reason, fields=fields, lead=lead
        )
        response = _answer(request, kind, arrival.form, submission_id, cors)
        if claim is not None:
            idempotency.store(
                session,
                claim,
                status_code=response.status_code,
                headers=cors | _location(response),
                body=bytes(response.body),
                now=arrival.received_at,
            )
        await session.commit()
        return response


def _source_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _check_sender(form: PublicForm, request: Request, body: bytes, now: Any) -> None:
    origin = request.headers.get("origin")
    if form.allowed_origins and origin and origin.lower() not in form.allowed_origins:
        raise BodyRejected(403, f"Origin {origin} may not post to this form")
    if form.secret:
        try:
            verify(form.secret, body, request.headers.get(SIGNATURE_HEADER), now=now)
        except SignatureError as exc:
            raise BodyRejected(401, str(exc)) from None


def _answer(
    request: Request, kind: str, form: PublicForm, submission_id: Any, cors: dict[str, str]
) -> Response:
    if form.thank_you_url and kind in FORM_KINDS and prefers_html(request.headers.get("accept")):
        return Response(status_code=303, headers={"Location": form.thank_you_url, **cors})
    return JSONResponse({"submission_id": str(submission_id)}, status_code=202, headers=cors)


def _location(response: Response) -> dict[str, str]:
    location = response.headers.get("location")
    return {"Location": location} if location else {}
