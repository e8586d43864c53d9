"""Inbound email: the endpoint inbound-parse services post to, and its settings for admins."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response

from api import idempotency
from api.deps import AdminCtx, app_state
from api.errors import problem_responses
from api.schemas.inbound import InboundEmailIn, InboundEmailOut, InboundSettingsOut
from domain import inbound_email
from domain.db import enter_workspace
from domain.errors import Unauthorized
from domain.inbound_email import InboundMessage

router = APIRouter(prefix="/api/v1", tags=["inbound"], responses=problem_responses(400, 401, 403, 404))

INBOUND_PATH = "/api/v1/inbound/email"


def _settings_out(secret: str, public_url: str) -> InboundSettingsOut:
    url = public_url.rstrip("/") + INBOUND_PATH
    return InboundSettingsOut(secret=secret, url=url, url_with_token=f"{url}?token={quote(secret)}")


@router.get("/inbound/settings", response_model=InboundSettingsOut, operation_id="inbound-settings")
async def inbound_settings(ctx: AdminCtx) -> Response:
    box = await inbound_email.mailbox(ctx.session, ctx.principal, secret_key=ctx.settings.secret, now=ctx.now)
    return await ctx.respond(_settings_out(box.secret, ctx.settings.public_url))


@router.post(
    "/inbound/settings/rotate",
    response_model=InboundSettingsOut,
    operation_id="inbound-rotate",
    responses=problem_responses(409),
)
async def rotate_inbound_secret(ctx: AdminCtx) -> Response:
    """Issue a new inbound secret; the old one stops working at once."""
    box = await inbound_email.mailbox(
        ctx.session, ctx.principal, secret_key=ctx.settings.secret, now=ctx.now, rotate=True
    )
    ctx.audit("inbound.secret_rotated", "Inbound email secret rotated")
    return await ctx.respond(_settings_out(box.secret, ctx.settings.public_url))


def _presented_secret(request: Request, token: str | None) -> str:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    if token:
        return token
    raise Unauthorized("Send the inbound secret as `Authorization: Bearer <secret>` or `?token=`")


@router.post(
    INBOUND_PATH.removeprefix("/api/v1"),
    response_model=InboundEmailOut,
    operation_id="inbound-email",
    responses={
        201: {"model": InboundEmailOut, "description": "Logged as new email activities"},
        **problem_responses(409, 422),
    },
)
async def receive_email(
    body: InboundEmailIn,
    request: Request,
    token: Annotated[
        str | None, Query(max_length=200, description="The inbound secret (or use Bearer).")
    ] = None,
) -> Response:
    """Log a message as email activities of the known contacts among its addresses (once per message_id)."""
    secret = _presented_secret(request, token)
    state = app_state(request)
    now = state.clock.now()
    async with state.sessionmaker() as session:
        await session.begin()
        workspace_id = await inbound_email.workspace_for_secret_across_workspaces(
            session, secret, secret_key=state.settings.secret
        )
        if workspace_id is None:
            raise Unauthorized("Unknown inbound secret")
        await enter_workspace(session, workspace_id)
        claim = await idempotency.claim(session, request, scope_id=workspace_id, now=now)
        logged = await inbound_email.log_inbound_email(
            session, workspace_id=workspace_id, now=now, message=InboundMessage(**body.model_dump())
        )
        out = InboundEmailOut(
            status=logged.status,
            message_id=logged.message_id,
            activity_ids=logged.activity_ids,
            contact_ids=logged.contact_ids,
            deal_ids=logged.deal_ids,
        )
        status = 201 if logged.status == "logged" else 200
        content = out.model_dump_json().encode()
        if claim is not None:
            idempotency.store(session, claim, status_code=status, headers={}, body=content, now=now)
        await session.commit()
    return Response(content, status_code=status, media_type="application/json")
