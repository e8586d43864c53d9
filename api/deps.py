"""Per-request dependencies: the transaction, who is acting, and the one way to answer.

A request runs in one transaction. Routes answer through `Ctx.respond`, which stores the
idempotency replay and commits *before* the response leaves, so a client never sees a 2xx for a
write that did not commit.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from api import idempotency
from api.pagination import ListParams, decode_cursor, encode_cursor, list_params
from domain import audit as audit_log
from domain.auth import principal_from_secret_across_workspaces
from domain.clock import Clock
from domain.errors import Forbidden, PreconditionFailed, Unauthorized
from domain.pagination import Keyset
from domain.principal import Principal
from rapport.settings import Settings

SESSION_COOKIE = "rapport_session"
CSRF_COOKIE = "rapport_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass
class AppState:
    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    redis: Any = None
    extras: dict[str, Any] = field(default_factory=dict)


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.rapport
    return state


def _json(content: Any) -> bytes:
    if isinstance(content, BaseModel):
        return content.__pydantic_serializer__.to_json(content, by_alias=True)
    return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


@dataclass
class Ctx:
    request: Request
    session: AsyncSession
    principal: Principal
    state: AppState
    now: datetime
    claim: idempotency.Claim | None = None
    answered: bool = False

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.principal.workspace_id

    def require_admin(self) -> None:
        if not self.principal.is_admin:
            raise Forbidden("Only a workspace admin may do this")

    def audit(
        self, action: str, summary: str, *, subject_type: str | None = None, subject_id: Any = None
    ) -> None:
        """An admin audit entry, committed with this request's change (never personal data)."""
        audit_log.record(
            self.session,
            self.principal,
            action,
            subject_type=subject_type,
            subject_id=subject_id,
            summary=summary,
            now=self.now,
        )

    def if_match(self) -> int | None:
        return parse_if_match(self.request)

    def after(self, params: ListParams, sort: str) -> Keyset | None:
        """The keyset a list request's cursor carries (400 when forged or of another sort)."""
        return decode_cursor(params.cursor, self.settings.secret, sort=sort)

    def next_cursor(self, keyset: Keyset | None) -> str | None:
        return encode_cursor(keyset, self.settings.secret)

    async def respond(
        self,
        content: Any = None,
        *,
        status: int = 200,
        etag: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        body = b"" if status == 204 or content is None else _json(content)
        out_headers = dict(headers or {})
        if etag is not None:
            out_headers["ETag"] = f'"{etag}"'
        if self.claim is not None:
            idempotency.store(
                self.session, self.claim, status_code=status, headers=out_headers, body=body, now=self.now
            )
        await self.session.commit()
        self.answered = True
        if status == 204:
            return Response(status_code=204, headers=out_headers)
        return Response(body, status_code=status, headers=out_headers, media_type="application/json")


def parse_if_match(request: Request) -> int | None:
    """The version an `If-Match` names; None when absent or `*` (matches any)."""
    raw = request.headers.get("if-match")
    if raw is None:
        return None
    raw = raw.strip()
    if raw == "*":
        return None
    if raw.startswith("W/"):
        raw = raw[2:]
    raw = raw.strip('"')
    try:
        return int(raw)
    except ValueError:
        # A tag we never issued cannot match the current version.
        raise PreconditionFailed("If-Match does not match the current version") from None


def bearer_secret(request: Request) -> tuple[str | None, bool]:
    """The presented secret and whether it came from the session cookie."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "bearer" or not value.strip():
            raise Unauthorized("Use `Authorization: Bearer <token>`")
        return value.strip(), False
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        return cookie, True
    return None, False


def check_csrf(request: Request) -> None:
    if request.method in SAFE_METHODS:
        return
    cookie = request.cookies.get(CSRF_COOKIE)
    header = request.headers.get(CSRF_HEADER)
    if not cookie or not header or not secrets.compare_digest(cookie, header):
        raise Forbidden(f"A cookie-authenticated change needs the {CSRF_HEADER} header")


async def _context(request: Request) -> AsyncIterator[Ctx]:
    state = app_state(request)
    now = state.clock.now()
    secret, from_cookie = bearer_secret(request)
    if secret is None:
        raise Unauthorized("Authentication required: send `Authorization: Bearer <token>`")
    async with state.sessionmaker() as session:
        await session.begin()
        try:
            principal = await principal_from_secret_across_workspaces(
                session, secret=secret, secret_key=state.settings.secret, now=now, enter=True
            )
        except DBAPIError as exc:
            # A pooled connection that died unseen fails its first statement and is replaced:
            # nothing has happened yet, so once more on a fresh one (there is no pre-ping).
            if not exc.connection_invalidated:
                raise
            await session.rollback()
            await session.begin()
            principal = await principal_from_secret_across_workspaces(
                session, secret=secret, secret_key=state.settings.secret, now=now, enter=True
            )
        if from_cookie:
            check_csrf(request)
        ctx = Ctx(request=request, session=session, principal=principal, state=state, now=now)
        request.state.principal = principal
        ctx.claim = await idempotency.claim(session, request, scope_id=principal.workspace_id, now=now)
        yield ctx
        if not ctx.answered and session.in_transaction():
            # Reads end here; nothing they did must survive a route that forgot to answer.
            await session.commit()


CtxDep = Annotated[Ctx, Depends(_context, scope="function")]


async def _public_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A transaction on the connecting role for the few routes that act before any workspace."""
    state = app_state(request)
    async with state.sessionmaker() as session:
        await session.begin()
        yield session
        if session.in_transaction():
            await session.commit()


PublicSession = Annotated[AsyncSession, Depends(_public_session, scope="function")]
StateDep = Annotated[AppState, Depends(app_state)]
ListParamsDep = Annotated[ListParams, Depends(list_params)]


def admin_only(ctx: CtxDep) -> Ctx:
    ctx.require_admin()
    return ctx


AdminCtx = Annotated[Ctx, Depends(admin_only)]

RouteHandler = Callable[..., Coroutine[Any, Any, Response]]
