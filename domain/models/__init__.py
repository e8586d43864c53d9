"""Every ORM model, imported here so metadata and Alembic see them all."""

from domain.models.auth import (
    AccessToken,
    ApiKey,
    Invitation,
    LoginFailure,
    Membership,
    PasswordReset,
    User,
    Workspace,
)
from domain.models.base import Base
from domain.models.crm import Account, Activity, Contact, Deal, DealContact, Pipeline, Stage, StageChange
from domain.models.platform import IdempotencyRecord, OutboundEmail, OutboxEvent, TimelineEvent

__all__ = [
    "AccessToken",
    "Account",
    "Activity",
    "ApiKey",
    "Base",
    "Contact",
    "Deal",
    "DealContact",
    "IdempotencyRecord",
    "Invitation",
    "LoginFailure",
    "Membership",
    "OutboundEmail",
    "OutboxEvent",
    "PasswordReset",
    "Pipeline",
    "Stage",
    "StageChange",
    "TimelineEvent",
    "User",
    "Workspace",
]
