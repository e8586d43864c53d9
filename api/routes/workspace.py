"""The current user and workspace: /me and /workspace."""

from __future__ import annotations

from fastapi import APIRouter, Response

from api.deps import AdminCtx, CtxDep
from api.errors import problem_responses
from api.schemas.auth import MeOut, MePatch, UserOut, WorkspaceOut, WorkspacePatch, WorkspaceRef
from domain import profile, workspaces
from domain.errors import invalid
from domain.members import get_member

router = APIRouter(prefix="/api/v1", tags=["workspace"], responses=problem_responses(400, 401, 403))


async def _me(ctx: CtxDep) -> MeOut:
    user, _ = await get_member(ctx.session, ctx.principal, ctx.principal.user_id)
    workspace = await workspaces.get_workspace(ctx.session, ctx.principal)
    zone = await profile.effective_zone(ctx.session, ctx.principal)
    return MeOut(
        user=UserOut.model_validate(user),
        workspace=WorkspaceRef.model_validate(workspace),
        role=ctx.principal.role,
        auth="api_key" if ctx.principal.kind == "api_key" else "user",
        timezone=zone.key,
    )


@router.get("/me", response_model=MeOut, operation_id="workspace-me")
async def me(ctx: CtxDep) -> Response:
    return await ctx.respond(await _me(ctx))


@router.patch(
    "/me", response_model=MeOut, operation_id="workspace-me-update", responses=problem_responses(422)
)
async def update_me(body: MePatch, ctx: CtxDep) -> Response:
    changes = body.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise invalid("name", "A name cannot be cleared")
    await profile.update_me(ctx.session, ctx.principal, changes=changes, now=ctx.now)
    return await ctx.respond(await _me(ctx))


@router.get("/workspace", response_model=WorkspaceOut, operation_id="workspace-get")
async def get_workspace(ctx: CtxDep) -> Response:
    workspace = await workspaces.get_workspace(ctx.session, ctx.principal)
    return await ctx.respond(WorkspaceOut.model_validate(workspace), etag=workspace.version)


@router.patch(
    "/workspace",
    response_model=WorkspaceOut,
    operation_id="workspace-update",
    responses=problem_responses(412, 422),
)
async def update_workspace(body: WorkspacePatch, ctx: AdminCtx) -> Response:
    workspace = await workspaces.update_workspace(
        ctx.session,
        ctx.principal,
        changes=body.model_dump(exclude_unset=True),
        expected_version=ctx.if_match(),
        now=ctx.now,
    )
    ctx.audit(
        "workspace.updated",
        f"Workspace settings changed: {', '.join(sorted(body.model_fields_set))}",
        subject_type="workspace",
        subject_id=workspace.id,
    )
    return await ctx.respond(WorkspaceOut.model_validate(workspace), etag=workspace.version)
