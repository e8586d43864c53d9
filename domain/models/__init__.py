"""Every ORM model, imported here so metadata and Alembic see them all."""

from domain.models.after_sale import Commitment, Project, ProjectMilestone
from domain.models.audit import AuditEntry
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
from domain.models.automations import Automation, AutomationRoundRobin, AutomationRun, Notification
from domain.models.base import Base
from domain.models.crm import (
    Account,
    Activity,
    Contact,
    ContactEmail,
    ContactPhone,
    Deal,
    DealContact,
    Pipeline,
    Stage,
    StageChange,
    StageTotal,
)
from domain.models.custom_fields import CustomField, LostReason
from domain.models.files import FileAttachment
from domain.models.forms import Form, FormSubmission
from domain.models.hygiene import (
    AccountDuplicate,
    ContactDuplicate,
    Import,
    ImportChunk,
    ImportRowError,
    RequiredFields,
)
from domain.models.inbound import EmailMessage, InboundMailbox
from domain.models.platform import IdempotencyRecord, OutboundEmail, OutboxEvent, TimelineEvent
from domain.models.reports import DealClosing, ForecastSnapshot, StageVisit  # noqa: F401 (registers them)
from domain.models.trash import BulkOperation, BulkOperationItem, TrashItem
from domain.models.views import SavedView
from domain.models.webhooks import WebhookDelivery, WebhookSubscription

__all__ = [
    "AccessToken",
    "Account",
    "AccountDuplicate",
    "Activity",
    "ApiKey",
    "AuditEntry",
    "Automation",
    "AutomationRoundRobin",
    "AutomationRun",
    "Base",
    "BulkOperation",
    "BulkOperationItem",
    "Commitment",
    "Contact",
    "ContactDuplicate",
    "ContactEmail",
    "ContactPhone",
    "CustomField",
    "Deal",
    "DealContact",
    "EmailMessage",
    "FileAttachment",
    "Form",
    "FormSubmission",
    "IdempotencyRecord",
    "Import",
    "ImportChunk",
    "ImportRowError",
    "InboundMailbox",
    "Invitation",
    "LoginFailure",
    "LostReason",
    "Membership",
    "Notification",
    "OutboundEmail",
    "OutboxEvent",
    "PasswordReset",
    "Pipeline",
    "Project",
    "ProjectMilestone",
    "RequiredFields",
    "SavedView",
    "Stage",
    "StageChange",
    "StageTotal",
    "TimelineEvent",
    "TrashItem",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
    "Workspace",
]
