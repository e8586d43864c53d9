"""Members, roles and invitations (admin routes, but any member may list members)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response

from api.deps import AdminCtx, CtxDep
from api.errors import problem_responses
from api.schemas.auth import InvitationIn, InvitationOut, MemberOut, MemberPatch, PendingInvitationOut
from api.schemas.common import Page
from domain import members
from domain.models import Membership, User

router = APIRouter(prefix="/api/v1", tags=["members"], responses=problem_responses(400, 401, 403, 404))


def _member_out(user: User, membership: Membership) -> MemberOut:
    return MemberOut(
        id=user.id,
        email=user.email,
        name=user.name,
        role=membership.role,
        joined_at=membership.created_at,
    )


@router.get("/members", response_model=Page[MemberOut], operation_id="members-list")
async def list_members(ctx: CtxDep) -> Response:
    rows = await members.list_members(ctx.session, ctx.principal)
    return await ctx.respond(Page[MemberOut](items=[_member_out(u, m) for u, m in rows], next_cursor=None))


@router.get("/members/{member_id}", response_model=MemberOut, operation_id="members-get")
async def get_member(member_id: uuid.UUID, ctx: CtxDep) -> Response:
    user, membership = await members.get_member(ctx.session, ctx.principal, member_id)
    return await ctx.respond(_member_out(user, membership))


@router.patch(
    "/members/{member_id}",
    response_model=MemberOut,
    operation_id="members-update",
    responses=problem_responses(409, 422),
)
async def update_member(member_id: uuid.UUID, body: MemberPatch, ctx: AdminCtx) -> Response:
    user, membership = await members.change_role(ctx.session, ctx.principal, member_id, body.role, ctx.now)
    ctx.audit(
        "member.role_changed",
        f"Role changed to {membership.role}",
        subject_type="member",
        subject_id=member_id,
    )
    return await ctx.respond(_member_out(user, membership))


@router.delete(
    "/members/{member_id}",
    status_code=204,
    operation_id="members-delete",
    responses=problem_responses(409, 422),
)
async def remove_member(
    member_id: uuid.UUID, ctx: AdminCtx, reassign_to: uuid.UUID | None = None
) -> Response:
    await members.remove_member(ctx.session, ctx.principal, member_id, reassign_to=reassign_to)
    await members.revoke_member_tokens(ctx.session, ctx.workspace_id, member_id)
    ctx.audit(
        "member.removed",
        "Member removed; their open work reassigned",
        subject_type="member",
        subject_id=member_id,
    )
    return await ctx.respond(status=204)


@router.post(
    "/invitations",
    status_code=201,
    response_model=InvitationOut,
    operation_id="invitations-create",
    responses=problem_responses(409, 422),
)
async def create_invitation(body: InvitationIn, ctx: AdminCtx) -> Response:
    invitation, token = await members.invite(
        ctx.session,
        ctx.principal,
        email=body.email,
        role=body.role,
        secret_key=ctx.settings.secret,
        public_url=ctx.settings.public_url,
        now=ctx.now,
    )
    ctx.audit(
        "member.invited",
        f"Invitation sent (role {invitation.role})",
        subject_type="invitation",
        subject_id=invitation.id,
    )
    return await ctx.respond(
        InvitationOut(
            id=invitation.id,
            email=invitation.email,
            role=invitation.role,
            accept_url=members.invitation_url(ctx.settings.public_url, token),
            expires_at=invitation.expires_at,
        ),
        status=201,
    )


@router.get("/invitations", response_model=Page[PendingInvitationOut], operation_id="invitations-list")
async def list_invitations(ctx: AdminCtx) -> Response:
    """Pending invitations: not accepted and not expired, newest first."""
    pending = await members.pending_invitations(ctx.session, ctx.principal, ctx.now)
    return await ctx.respond(
        Page[PendingInvitationOut](
            items=[PendingInvitationOut.model_validate(i) for i in pending], next_cursor=None
        )
    )


@router.delete("/invitations/{invitation_id}", status_code=204, operation_id="invitations-delete")
async def revoke_invitation(invitation_id: uuid.UUID, ctx: AdminCtx) -> Response:
    """Revoke a pending invitation: its link answers 404 from now on."""
    await members.revoke_invitation(ctx.session, ctx.principal, invitation_id, ctx.now)
    return await ctx.respond(status=204)
