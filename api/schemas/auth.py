"""Auth, workspace, member, invitation and API-key shapes."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from api.schemas.common import Out, StrictIn

Role = Literal["admin", "member"]


class SignupIn(StrictIn):
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1000)
    name: str = Field(min_length=1, max_length=200)
    workspace_name: str = Field(min_length=1, max_length=200)


class LoginIn(StrictIn):
    email: str = Field(min_length=1, max_length=320)
    password: str = Field(min_length=1, max_length=1000)
    workspace_id: uuid.UUID | None = None


class UserOut(Out):
    id: uuid.UUID
    email: str
    name: str
    timezone: str | None = Field(
        default=None, description="The person's IANA time zone; null: the workspace's applies."
    )


class WorkspaceRef(Out):
    id: uuid.UUID
    name: str


class WorkspaceMembershipOut(WorkspaceRef):
    role: Role


class TokenOut(Out):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    user: UserOut
    workspace: WorkspaceRef
    role: Role


class LoginOut(TokenOut):
    workspaces: list[WorkspaceMembershipOut]


class MeOut(Out):
    user: UserOut
    workspace: WorkspaceRef
    role: Role
    auth: Literal["user", "api_key"]
    timezone: str = Field(description="The zone \"today\" is read in: the person's, else the workspace's.")


class MePatch(StrictIn):
    """JSON merge-patch of the current person; `timezone: null` falls back to the workspace's."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64, description="An IANA name: Europe/Paris.")


class PasswordResetIn(StrictIn):
    email: str = Field(min_length=1, max_length=320)


class PasswordResetConfirmIn(StrictIn):
    token: str = Field(min_length=1, max_length=500)
    password: str = Field(min_length=1, max_length=1000)


class WorkspaceOut(Out):
    id: uuid.UUID
    name: str
    currency: str
    timezone: str
    default_region: str
    version: int = Field(description="The ETag's value: send it back as If-Match.")
    created_at: datetime
    updated_at: datetime


class WorkspacePatch(StrictIn):
    name: str | None = Field(default=None, max_length=200)
    currency: str | None = Field(default=None, max_length=3)
    timezone: str | None = Field(default=None, max_length=64)
    default_region: str | None = Field(default=None, max_length=2)


class MemberOut(Out):
    id: uuid.UUID
    email: str
    name: str
    role: Role
    joined_at: datetime


class MemberPatch(StrictIn):
    role: Role


class InvitationIn(StrictIn):
    email: str = Field(min_length=3, max_length=320)
    role: Role = "member"


class InvitationOut(Out):
    id: uuid.UUID
    email: str
    role: Role
    accept_url: str
    expires_at: datetime


class PendingInvitationOut(Out):
    """An invitation not yet accepted and not expired; its link is only in the email sent."""

    id: uuid.UUID
    email: str
    role: Role
    invited_by: uuid.UUID
    created_at: datetime
    expires_at: datetime


class InvitationAcceptIn(StrictIn):
    name: str | None = Field(default=None, max_length=200)
    password: str | None = Field(default=None, max_length=1000)


class ApiKeyIn(StrictIn):
    name: str = Field(min_length=1, max_length=200)


class ApiKeyOut(Out):
    id: uuid.UUID
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class ApiKeyCreatedOut(ApiKeyOut):
    key: str
