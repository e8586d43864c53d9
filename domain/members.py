"""Members of a workspace, their roles, invitations, and removal with reassignment."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain import email as email_out
from domain.errors import Conflict, NotFound, invalid
from domain.models import (
    AccessToken,
    Account,
    Activity,
    Commitment,
    Contact,
    Deal,
    Invitation,
    Membership,
    Project,
    User,
    Workspace,
)
from domain.normalise import normalise_email
from domain.principal import ADMIN, ROLES, Principal
from domain.security import digest, hash_password, new_secret

INVITATION_TTL = timedelta(days=7)


async def list_members(session: AsyncSession, principal: Principal) -> list[tuple[User, Membership]]:
    rows = await session.execute(
        select(User, Membership)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.workspace_id == principal.workspace_id)
        .order_by(Membership.created_at, User.name)
    )
    return [(u, m) for u, m in rows.all()]


async def get_member(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID
) -> tuple[User, Membership]:
    row = (
        await session.execute(
            select(User, Membership)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.workspace_id == principal.workspace_id, Membership.user_id == user_id)
        )
    ).one_or_none()
    if row is None:
        raise NotFound("Member not found")
    return row[0], row[1]


async def require_member(
    session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID, *, field: str
) -> None:
    """An id in a request body naming a member: absent or another workspace's is a 422."""
    found = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.workspace_id == workspace_id, Membership.user_id == user_id)
    )
    if not found:
        raise invalid(field, f"{field} is not a member of this workspace")


async def _admin_count(session: AsyncSession, workspace_id: uuid.UUID) -> int:
    return int(
        await session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.workspace_id == workspace_id, Membership.role == ADMIN)
        )
        or 0
    )


async def change_role(
    session: AsyncSession, principal: Principal, user_id: uuid.UUID, role: str, now: datetime
) -> tuple[User, Membership]:
    if role not in ROLES:
        raise invalid("role", f"role must be one of {', '.join(ROLES)}")
    user, membership = await get_member(session, principal, user_id)
    # Lock the workspace's admins so two demotions cannot both pass the last-admin check.
    await session.execute(
        select(Membership.user_id).where(Membership.workspace_id == principal.workspace_id).with_for_update()
    )
    if (
        membership.role == ADMIN
        and role != ADMIN
        and await _admin_count(session, principal.workspace_id) <= 1
    ):
        raise Conflict("A workspace needs at least one admin")
    membership.role = role
    membership.updated_at = now
    return user, membership


async def remove_member(
    session: AsyncSession,
    principal: Principal,
    user_id: uuid.UUID,
    *,
    reassign_to: uuid.UUID | None,
) -> None:
    _, membership = await get_member(session, principal, user_id)
    target = reassign_to or principal.user_id
    if target == user_id:
        raise invalid(["query", "reassign_to"], "Records cannot be reassigned to the member being removed")
    if reassign_to is not None:
        try:
            await get_member(session, principal, reassign_to)
        except NotFound as exc:
            raise invalid(["query", "reassign_to"], "reassign_to is not a member of this workspace") from exc
    await session.execute(
        select(Membership.user_id).where(Membership.workspace_id == principal.workspace_id).with_for_update()
    )
    if membership.role == ADMIN and await _admin_count(session, principal.workspace_id) <= 1:
        raise Conflict("A workspace needs at least one admin")
    await reassign_records(session, principal.workspace_id, user_id, target)
    await session.delete(membership)


async def reassign_records(
    session: AsyncSession, workspace_id: uuid.UUID, from_user: uuid.UUID, to_user: uuid.UUID
) -> None:
    """Hand a leaving member's live work to another: contacts, accounts, open deals, open tasks,
    open commitments and unfinished projects.

    Closed deals and finished activities keep their owner: reports of who won what stay true.
    """
    for model, extra in (
        (Contact, ()),
        (Account, ()),
        (Deal, (Deal.status == "open",)),
        (Activity, (Activity.completed_at.is_(None),)),
        (Commitment, (Commitment.status == "open",)),
        (Project, (Project.status != "done",)),
    ):
        await session.execute(
            update(model)
            .where(model.workspace_id == workspace_id, model.owner_id == from_user, *extra)
            .values(owner_id=to_user, version=model.version + 1)
            .execution_options(synchronize_session=False)
        )


async def invite(
    session: AsyncSession,
    principal: Principal,
    *,
    email: str,
    role: str,
    secret_key: str,
    public_url: str,
    now: datetime,
) -> tuple[Invitation, str]:
    if role not in ROLES:
        raise invalid("role", f"role must be one of {', '.join(ROLES)}")
    email = normalise_email(email)
    already = await session.scalar(
        select(func.count())
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.workspace_id == principal.workspace_id, User.email == email)
    )
    if already:
        raise Conflict("This person is already a member of the workspace")
    token = new_secret()
    invitation = Invitation(
        id=uuid.uuid4(),
        workspace_id=principal.workspace_id,
        email=email,
        role=role,
        token_hash=digest(token, secret_key),
        invited_by=principal.user_id,
        created_at=now,
        expires_at=now + INVITATION_TTL,
    )
    session.add(invitation)
    workspace = await session.get(Workspace, principal.workspace_id)
    accept_url = invitation_url(public_url, token)
    await email_out.queue_email(
        session,
        to=email,
        subject=f"You are invited to {workspace.name if workspace else 'a workspace'} on Rapport",
        body=f"{principal.name} invited you to join as {role}. Accept here:\n{accept_url}\n",
        now=now,
        workspace_id=principal.workspace_id,
    )
    return invitation, token


async def pending_invitations(session: AsyncSession, principal: Principal, now: datetime) -> list[Invitation]:
    """Invitations still waiting for an answer, newest first (accepted and expired ones are done)."""
    return list(
        (
            await session.execute(
                select(Invitation)
                .where(
                    Invitation.workspace_id == principal.workspace_id,
                    Invitation.accepted_at.is_(None),
                    Invitation.expires_at > now,
                )
                .order_by(Invitation.created_at.desc(), Invitation.id)
            )
        )
        .scalars()
        .all()
    )


async def revoke_invitation(
    session: AsyncSession, principal: Principal, invitation_id: uuid.UUID, now: datetime
) -> None:
    """Its link stops working at once; an accepted or expired one is no longer there to revoke."""
    revoked = await session.execute(
        delete(Invitation)
        .where(
            Invitation.workspace_id == principal.workspace_id,
            Invitation.id == invitation_id,
            Invitation.accepted_at.is_(None),
            Invitation.expires_at > now,
        )
        .returning(Invitation.id)
    )
    if revoked.first() is None:
        raise NotFound("Invitation not found, already accepted or expired")


def invitation_url(public_url: str, token: str) -> str:
    return f"{public_url}/invitations/{token}"


async def accept_invitation_across_workspaces(
    session: AsyncSession,
    *,
    token: str,
    name: str | None,
    password: str | None,
    secret_key: str,
    now: datetime,
) -> tuple[User, Workspace, str]:
    """Join an existing person (by the invited email) or create them; single use."""
    from domain.auth import check_password_strength

    invitation = (
        await session.execute(
            select(Invitation).where(Invitation.token_hash == digest(token, secret_key)).with_for_update()
        )
    ).scalar_one_or_none()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= now:
        raise NotFound("This invitation is invalid, used or expired")
    user = (await session.execute(select(User).where(User.email == invitation.email))).scalar_one_or_none()
    if user is None:
        if not password:
            raise invalid("password", "Choose a password to create your account")
        check_password_strength(password)
        user = User(
            id=uuid.uuid4(),
            email=invitation.email,
            name=(name or invitation.email.split("@")[0]).strip(),
            password_hash=hash_password(password),
            created_at=now,
            updated_at=now,
        )
        session.add(user)
        await session.flush()
    exists = await session.get(Membership, (invitation.workspace_id, user.id))
    if exists is None:
        session.add(
            Membership(
                workspace_id=invitation.workspace_id,
                user_id=user.id,
                role=invitation.role,
                created_at=now,
                updated_at=now,
            )
        )
    invitation.accepted_at = now
    workspace = await session.get(Workspace, invitation.workspace_id)
    assert workspace is not None
    await session.flush()
    return user, workspace, (exists.role if exists else invitation.role)


async def revoke_member_tokens(session: AsyncSession, workspace_id: uuid.UUID, user_id: uuid.UUID) -> None:
    await session.execute(
        delete(AccessToken).where(AccessToken.workspace_id == workspace_id, AccessToken.user_id == user_id)
    )
