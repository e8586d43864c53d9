"""The admin audit log: who changed settings, members, keys, automations; who exported or erased."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api.deps import AdminCtx, ListParamsDep
from api.errors import problem_responses
from api.schemas.common import Page
from api.schemas.privacy import AuditEntryOut
from domain import audit

router = APIRouter(prefix="/api/v1", tags=["audit"], responses=problem_responses(400, 401, 403))


@router.get(
    "/audit-log",
    response_model=Page[AuditEntryOut],
    operation_id="audit-log-list",
    responses=problem_responses(422),
)
async def list_audit_log(
    ctx: AdminCtx,
    params: ListParamsDep,
    actor_id: Annotated[uuid.UUID | None, Query(description="A user's or an API key's id.")] = None,
    action: Annotated[
        str | None,
        Query(
            max_length=100,
            pattern=r"^[a-z_]+(\.[a-z_]*\*?)?$",
            description="`member.role_changed`, or `member.*`.",
        ),
    ] = None,
    since: Annotated[datetime | None, Query(description="Entries at or after this time.")] = None,
) -> Response:
    """Newest first."""
    page = await audit.list_entries(
        ctx.session,
        ctx.principal,
        actor_id=actor_id,
        action=action,
        since=since,
        after=ctx.after(params, audit.SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        Page[AuditEntryOut](
            items=[AuditEntryOut.model_validate(e) for e in page.items],
            next_cursor=ctx.next_cursor(page.next),
        )
    )
