"""Sign-up, log-in, tokens, API-key and session look-ups, password reset.

The look-ups here run before a workspace is known, so they stay on the connecting role
(functions that look across workspaces say so in their names).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain import email as email_out
from domain.db import enter_workspace, entering_workspace
from domain.errors import NotFound, TooManyRequests, Unauthorized, invalid
from domain.models import AccessToken, ApiKey, LoginFailure, Membership, PasswordReset, User, Workspace
from domain.normalise import normalise_email
from domain.principal import ADMIN, Principal
from domain.security import MIN_PASSWORD_LENGTH, digest, hash_password, new_secret, verify_password

LOGIN_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
RESET_TTL = timedelta(hours=1)
API_KEY_PREFIX = "rk_"


@dataclass
class IssuedToken:
    token: str
    user: User
    workspace: Workspace
    role: str
    expires_at: datetime


def check_password_strength(password: str, field: str = "password") -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise invalid(field, f"Password must be at least {MIN_PASSWORD_LENGTH} characters long")


async def issue_token(
    session: AsyncSession,
    *,
    user: User,
    workspace: Workspace,
    role: str,
    secret_key: str,
    ttl: timedelta,
    now: datetime,
) -> IssuedToken:
    token = new_secret("rt_")
    expires_at = now + ttl
    session.add(
        AccessToken(
            id=uuid.uuid4(),
            workspace_id=workspace.id,
            user_id=user.id,
            token_hash=digest(token, secret_key),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return IssuedToken(token=token, user=user, workspace=workspace, role=role, expires_at=expires_at)


async def signup(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    name: str,
    workspace_name: str,
    secret_key: str,
    token_ttl: timedelta,
    now: datetime,
) -> IssuedToken:
    """Create a workspace with its first admin. An existing person must log in to add one."""
    from domain.workspaces import create_workspace

    email = normalise_email(email, field="email")
    check_password_strength(password)
    existing = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    if existing is not None:
        if not verify_password(password, existing.password_hash):
            # Same answer as a taken address would give elsewhere, without confirming it exists.
            raise invalid("email", "This email is already registered: log in, or reset the password")
        user = existing
    else:
        user = User(
            id=uuid.uuid4(),
            email=email,
            name=name.strip(),
            password_hash=hash_password(password),
            created_at=now,
            updated_at=now,
        )
        session.add(user)
    workspace = await create_workspace(session, name=workspace_name.strip(), owner=user, now=now)
    return await issue_token(
        session, user=user, workspace=workspace, role=ADMIN, secret_key=secret_key, ttl=token_ttl, now=now
    )


async def _throttle_check(session: AsyncSession, email: str, now: datetime) -> None:
    window_start = now - LOGIN_FAILURE_WINDOW
    count, oldest = (
        await session.execute(
            select(func.count(), func.min(LoginFailure.at)).where(
                LoginFailure.email == email, LoginFailure.at > window_start
            )
        )
    ).one()
    if count >= LOGIN_FAILURE_LIMIT:
        retry_after = int((oldest + LOGIN_FAILURE_WINDOW - now).total_seconds()) + 1
        raise TooManyRequests(
            "Too many failed logins for this email; try again later", retry_after=max(retry_after, 1)
        )


async def record_login_failure(session: AsyncSession, email: str, now: datetime) -> None:
    """Recorded in its own committed transaction by the caller: a failed login rolls back."""
    session.add(LoginFailure(id=uuid.uuid4(), email=email, at=now))
    await session.execute(delete(LoginFailure).where(LoginFailure.at < now - LOGIN_FAILURE_WINDOW * 4))


class LoginFailed(Unauthorized):
    def __init__(self, email: str) -> None:
        super().__init__("Email or password is wrong")
        self.email = email


async def login_across_workspaces(
    session: AsyncSession,
    *,
    email: str,
    password: str,
    workspace_id: uuid.UUID | None,
    secret_key: str,
    token_ttl: timedelta,
    now: datetime,
) -> tuple[IssuedToken, list[tuple[Workspace, str]]]:
    email = email.strip().lower()
    await _throttle_check(session, email, now)
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    if not verify_password(password, user.password_hash if user else None) or user is None:
        raise LoginFailed(email)
    memberships = (
        await session.execute(
            select(Workspace, Membership.role)
            .join(Membership, Membership.workspace_id == Workspace.id)
            .where(Membership.user_id == user.id)
            .order_by(Membership.created_at, Workspace.name)
        )
    ).all()
    if not memberships:
        raise LoginFailed(email)
    chosen = memberships[0]
    if workspace_id is not None:
        matching = [m for m in memberships if m[0].id == workspace_id]
        if not matching:
            raise LoginFailed(email)
        chosen = matching[0]
    token = await issue_token(
        session, user=user, workspace=chosen[0], role=chosen[1], secret_key=secret_key, ttl=token_ttl, now=now
    )
    return token, [(w, r) for w, r in memberships]


def _token_statement(*, enter: bool) -> Select[Any]:
    """Built once: every request runs it, and building it costs more CPU than running it."""
    entering = entering_workspace(AccessToken.workspace_id) if enter else ()
    return (
        select(AccessToken, Membership.role, User.name, *entering)
        .join(
            Membership,
            (Membership.workspace_id == AccessToken.workspace_id)
            & (Membership.user_id == AccessToken.user_id),
        )
        .join(User, User.id == AccessToken.user_id)
        .where(AccessToken.token_hash == bindparam("token_hash"))
    )


_TOKEN = _token_statement(enter=False)
_TOKEN_AND_ENTER = _token_statement(enter=True)


async def principal_from_secret_across_workspaces(
    session: AsyncSession, *, secret: str, secret_key: str, now: datetime, enter: bool = False
) -> Principal:
    """Resolve a bearer secret (a session token or an API key) to who is acting.

    With `enter`, the transaction is also scoped to the principal's workspace (enter_workspace)
    when a principal is returned; for a session token, by the lookup itself, saving every
    request a round trip.
    """
    hashed = digest(secret, secret_key)
    if secret.startswith(API_KEY_PREFIX):
        row = (
            await session.execute(
                select(ApiKey, Membership.role, User.name)
                .join(
                    Membership,
                    (Membership.workspace_id == ApiKey.workspace_id)
                    & (Membership.user_id == ApiKey.created_by),
                )
                .join(User, User.id == ApiKey.created_by)
                .where(ApiKey.key_hash == hashed, ApiKey.revoked_at.is_(None))
            )
        ).one_or_none()
        if row is None:
            raise Unauthorized("Invalid or revoked API key")
        key, role, _user_name = row
        # Throttle the write: a busy integration should not turn every read into an UPDATE.
        if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=5):
            await session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=now))
        if enter:
            await enter_workspace(session, key.workspace_id)
        return Principal(
            workspace_id=key.workspace_id,
            user_id=key.created_by,
            role=role,
            kind="api_key",
            name=key.name,
            api_key_id=key.id,
        )
    row2 = (
        await session.execute(_TOKEN_AND_ENTER if enter else _TOKEN, {"token_hash": hashed})
    ).one_or_none()
    if row2 is None:
        raise Unauthorized("Invalid token")
    token, role, user_name = row2[:3]
    if token.revoked_at is not None or token.expires_at <= now:
        raise Unauthorized("Token expired or revoked")
    return Principal(
        workspace_id=token.workspace_id,
        user_id=token.user_id,
        role=role,
        kind="user",
        name=user_name,
        token_id=token.id,
    )


async def logout(session: AsyncSession, *, principal: Principal, now: datetime) -> None:
    if principal.token_id is not None:
        await session.execute(
            update(AccessToken).where(AccessToken.id == principal.token_id).values(revoked_at=now)
        )


async def request_password_reset_across_workspaces(
    session: AsyncSession, *, email: str, secret_key: str, public_url: str, now: datetime
) -> None:
    """Queue a reset link when the person exists; say nothing either way (no enumeration)."""
    user = (
        await session.execute(select(User).where(User.email == email.strip().lower()))
    ).scalar_one_or_none()
    if user is None:
        return
    token = new_secret()
    session.add(
        PasswordReset(
            id=uuid.uuid4(),
            user_id=user.id,
            token_hash=digest(token, secret_key),
            created_at=now,
            expires_at=now + RESET_TTL,
        )
    )
    await email_out.queue_email(
        session,
        to=user.email,
        subject="Reset your Rapport password",
        body=(
            f"Hello {user.name},\n\nSomeone asked to reset your Rapport password. If it was you, open\n"
            f"{public_url}/reset-password?token={token}\nwithin the hour. Otherwise ignore this email.\n"
        ),
        now=now,
    )


async def confirm_password_reset_across_workspaces(
    session: AsyncSession, *, token: str, password: str, secret_key: str, now: datetime
) -> None:
    check_password_strength(password)
    reset = (
        await session.execute(
            select(PasswordReset)
            .where(PasswordReset.token_hash == digest(token, secret_key))
            .with_for_update()
        )
    ).scalar_one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise invalid("token", "This reset link is invalid, used or expired")
    reset.used_at = now
    user = await session.get(User, reset.user_id)
    if user is None:
        raise NotFound("User not found")
    user.password_hash = hash_password(password)
    user.updated_at = now
    # A new password ends every session opened with the old one.
    await session.execute(
        update(AccessToken)
        .where(AccessToken.user_id == user.id, AccessToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )
