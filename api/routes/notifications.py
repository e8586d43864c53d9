"""Notifications: the member's list, marking read, and the live server-sent-events stream."""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import AsyncIterable
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api.deps import CtxDep, ListParamsDep, app_state, bearer_secret
from api.errors import problem_responses
from api.notification_stream import RESYNC, hub_for
from api.schemas.notifications import NotificationOut, NotificationPage, ReadAllOut
from domain import notifications
from domain.auth import principal_from_secret_across_workspaces
from domain.db import workspace_transaction
from domain.errors import Unauthorized
from domain.models import Notification
from domain.principal import Principal

router = APIRouter(prefix="/api/v1", tags=["notifications"], responses=problem_responses(400, 401, 403, 404))

# Tells a browser's EventSource how soon to reconnect (it then sends Last-Event-ID).
RETRY_MS = 3000
_BEFORE_ANY = uuid.UUID(int=0)


@router.get("/notifications", response_model=NotificationPage, operation_id="notifications-list")
async def list_notifications(ctx: CtxDep, params: ListParamsDep, unread: bool | None = None) -> Response:
    found = await notifications.list_notifications(
        ctx.session,
        principal=ctx.principal,
        unread=unread,
        after=ctx.after(params, notifications.SORT),
        limit=params.limit,
    )
    return await ctx.respond(
        NotificationPage(
            items=[NotificationOut.model_validate(n) for n in found.page.items],
            next_cursor=ctx.next_cursor(found.page.next),
            unread_count=found.unread_count,
        )
    )


@router.post(
    "/notifications/read-all",
    response_model=ReadAllOut,
    operation_id="notifications-read_all",
)
async def read_all(ctx: CtxDep) -> Response:
    marked = await notifications.mark_all_read(ctx.session, principal=ctx.principal, now=ctx.now)
    return await ctx.respond(ReadAllOut(marked=marked, unread_count=0))


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationOut,
    operation_id="notifications-read",
)
async def read(notification_id: uuid.UUID, ctx: CtxDep) -> Response:
    notification = await notifications.mark_read(
        ctx.session, principal=ctx.principal, notification_id=notification_id, now=ctx.now
    )
    return await ctx.respond(NotificationOut.model_validate(notification))


async def stream_principal(request: Request) -> Principal:
    """Who is watching, resolved in a transaction that ends here: the stream then holds no session."""
    state = app_state(request)
    secret, _ = bearer_secret(request)
    if secret is None:
        raise Unauthorized(
            "Authentication required: send `Authorization: Bearer <token>` or the session cookie"
        )
    async with state.sessionmaker() as session, session.begin():
        return await principal_from_secret_across_workspaces(
            session, secret=secret, secret_key=state.settings.secret, now=state.clock.now()
        )


def _event(notification: Notification) -> ServerSentEvent:
    return ServerSentEvent(
        event="notification", id=str(notification.id), data=NotificationOut.model_validate(notification)
    )


@router.get(
    "/notifications/stream",
    response_class=EventSourceResponse,
    operation_id="notifications-stream",
    responses={
        200: {
            "description": "`event: notification`, `id:` its id, `data:` its JSON; "
            "a comment heartbeat every 15 s."
        }
    },
)
async def stream(
    request: Request,
    principal: Annotated[Principal, Depends(stream_principal)],
    last_event_id: Annotated[
        str | None,
        Header(alias="Last-Event-ID", description="Resume: replays the member's newer notifications."),
    ] = None,
) -> AsyncIterable[ServerSentEvent]:
    """Server-sent events of the member's new notifications (leave it out of in-process clients)."""
    state = app_state(request)
    dsn = state.settings.async_database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    hub = hub_for(state.extras, dsn)
    ws, user = principal.workspace_id, principal.user_id
    # Subscribe before reading what to replay, so nothing committed in between is missed.
    queue = await hub.subscribe(ws, user)
    sent: deque[uuid.UUID] = deque(maxlen=1000)
    try:
        cursor = await _resume_point(state.sessionmaker, principal, last_event_id, state.clock.now())
        yield ServerSentEvent(comment="connected", retry=RETRY_MS)
        pending: list[Notification] = (
            await _newer(state.sessionmaker, principal, cursor) if last_event_id else []
        )
        while True:
            for notification in pending:
                if notification.id not in sent:
                    sent.append(notification.id)
                    cursor = max(cursor, (notification.created_at, notification.id))
                    yield _event(notification)
            item = await queue.get()
            if item == RESYNC:
                pending = await _newer(state.sessionmaker, principal, cursor)
            else:
                async with workspace_transaction(state.sessionmaker, ws) as session:
                    found = await notifications.find_own(
                        session, workspace_id=ws, user_id=user, notification_id=uuid.UUID(str(item))
                    )
                pending = [found] if found else []
    finally:
        await hub.unsubscribe(ws, user, queue)


async def _resume_point(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    last_event_id: str | None,
    now: datetime,
) -> tuple[datetime, uuid.UUID]:
    """Where replay starts: after the notification the client last saw, else from now."""
    if last_event_id:
        try:
            seen = uuid.UUID(last_event_id.strip())
        except ValueError:
            seen = None
        if seen is not None:
            async with workspace_transaction(sessionmaker, principal.workspace_id) as session:
                found = await notifications.find_own(
                    session,
                    workspace_id=principal.workspace_id,
                    user_id=principal.user_id,
                    notification_id=seen,
                )
            if found is not None:
                return found.created_at, found.id
    return now, _BEFORE_ANY


async def _newer(
    sessionmaker: async_sessionmaker[AsyncSession], principal: Principal, cursor: tuple[datetime, uuid.UUID]
) -> list[Notification]:
    async with workspace_transaction(sessionmaker, principal.workspace_id) as session:
        return await notifications.newer_than(
            session, workspace_id=principal.workspace_id, user_id=principal.user_id, after=cursor
        )
