"""Sign-up, log-in, log-out, password reset and accepting an invitation."""

from __future__ import annotations

import secrets
from datetime import timedelta

from fastapi import APIRouter, Response

from api.deps import CSRF_COOKIE, SESSION_COOKIE, CtxDep, PublicSession, StateDep
from api.errors import problem_responses
from api.schemas.auth import (
    InvitationAcceptIn,
    LoginIn,
    LoginOut,
    PasswordResetConfirmIn,
    PasswordResetIn,
    SignupIn,
    TokenOut,
    UserOut,
    WorkspaceMembershipOut,
    WorkspaceRef,
)
from domain import auth, members
from domain.auth import IssuedToken, LoginFailed

router = APIRouter(prefix="/api/v1", tags=["auth"])


def _token_out(issued: IssuedToken) -> dict[str, object]:
    return {
        "access_token": issued.token,
        "token_type": "bearer",
        "expires_at": issued.expires_at,
        "user": UserOut.model_validate(issued.user),
        "workspace": WorkspaceRef.model_validate(issued.workspace),
        "role": issued.role,
    }


def _set_session_cookies(response: Response, issued: IssuedToken, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="lax",
        secure=secure,
        expires=issued.expires_at,
        path="/",
    )
    # Readable by the SPA, which echoes it in X-CSRF-Token (double submit).
    response.set_cookie(
        CSRF_COOKIE, secrets.token_urlsafe(24), httponly=False, samesite="lax", secure=secure, path="/"
    )


@router.post(
    "/auth/signup",
    status_code=201,
    response_model=TokenOut,
    operation_id="auth-signup",
    responses=problem_responses(400, 409, 422),
)
async def signup(body: SignupIn, session: PublicSession, state: StateDep, response: Response) -> TokenOut:
    issued = await auth.signup(
        session,
        email=body.email,
        password=body.password,
        name=body.name,
        workspace_name=body.workspace_name,
        secret_key=state.settings.secret,
        token_ttl=timedelta(seconds=state.settings.access_token_ttl_seconds),
        now=state.clock.now(),
    )
    await session.commit()
    _set_session_cookies(response, issued, state.settings.public_url.startswith("https"))
    return TokenOut.model_validate(_token_out(issued))


@router.post(
    "/auth/login",
    response_model=LoginOut,
    operation_id="auth-login",
    responses=problem_responses(400, 401, 422, 429),
)
async def login(body: LoginIn, session: PublicSession, state: StateDep, response: Response) -> LoginOut:
    now = state.clock.now()
    try:
        issued, workspaces = await auth.login_across_workspaces(
            session,
            email=body.email,
            password=body.password,
            workspace_id=body.workspace_id,
            secret_key=state.settings.secret,
            token_ttl=timedelta(seconds=state.settings.access_token_ttl_seconds),
            now=now,
        )
    except LoginFailed as exc:
        await session.rollback()
        # The failure must outlive the rejected request, so it gets its own transaction.
        async with state.sessionmaker() as failures, failures.begin():
            await auth.record_login_failure(failures, exc.email, now)
        raise
    await session.commit()
    _set_session_cookies(response, issued, state.settings.public_url.startswith("https"))
    return LoginOut.model_validate(
        {
            **_token_out(issued),
            "workspaces": [WorkspaceMembershipOut(id=w.id, name=w.name, role=role) for w, role in workspaces],
        }
    )


@router.post(
    "/auth/logout", status_code=204, operation_id="auth-logout", responses=problem_responses(401, 403)
)
async def logout(ctx: CtxDep) -> Response:
    await auth.logout(ctx.session, principal=ctx.principal, now=ctx.now)
    response = await ctx.respond(status=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post(
    "/auth/password-reset",
    status_code=202,
    operation_id="auth-password_reset",
    responses=problem_responses(400, 422),
)
async def password_reset(body: PasswordResetIn, session: PublicSession, state: StateDep) -> dict[str, str]:
    await auth.request_password_reset_across_workspaces(
        session,
        email=body.email,
        secret_key=state.settings.secret,
        public_url=state.settings.public_url,
        now=state.clock.now(),
    )
    await session.commit()
    return {"status": "accepted"}


@router.post(
    "/auth/password-reset/confirm",
    status_code=204,
    operation_id="auth-password_reset_confirm",
    responses=problem_responses(400, 422),
)
async def password_reset_confirm(
    body: PasswordResetConfirmIn, session: PublicSession, state: StateDep
) -> Response:
    await auth.confirm_password_reset_across_workspaces(
        session,
        token=body.token,
        password=body.password,
        secret_key=state.settings.secret,
        now=state.clock.now(),
    )
    await session.commit()
    return Response(status_code=204)


@router.post(
    "/invitations/{token}/accept",
    response_model=TokenOut,
    operation_id="invitations-accept",
    tags=["members"],
    responses=problem_responses(400, 404, 422),
)
async def accept_invitation(
    token: str, body: InvitationAcceptIn, session: PublicSession, state: StateDep, response: Response
) -> TokenOut:
    now = state.clock.now()
    user, workspace, role = await members.accept_invitation_across_workspaces(
        session,
        token=token,
        name=body.name,
        password=body.password,
        secret_key=state.settings.secret,
        now=now,
    )
    issued = await auth.issue_token(
        session,
        user=user,
        workspace=workspace,
        role=role,
        secret_key=state.settings.secret,
        ttl=timedelta(seconds=state.settings.access_token_ttl_seconds),
        now=now,
    )
    await session.commit()
    _set_session_cookies(response, issued, state.settings.public_url.startswith("https"))
    return TokenOut.model_validate(_token_out(issued))
