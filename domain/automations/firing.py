"""The vocabulary of a firing: its subject, its cause, each action's result, and what actions get."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import Activity, Automation, Contact, Deal
from domain.principal import Principal

SubjectType = Literal["deal", "contact", "activity"]


@dataclass
class Subject:
    """What a rule fired on. A task's deal (if any) is what deal conditions and actions see."""

    type: SubjectType
    id: uuid.UUID
    deal: Deal | None = None
    contact: Contact | None = None
    task: Activity | None = None

    @property
    def owner_id(self) -> uuid.UUID | None:
        record = self.task or self.contact or self.deal
        return record.owner_id if record is not None else None


@dataclass(frozen=True)
class Cause:
    key: str
    reason: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class ActionResult:
    type: str
    status: Literal["done", "skipped", "failed"]
    detail: str
    data: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"type": self.type, "status": self.status, "detail": self.detail, "data": self.data}


@dataclass
class Firing:
    """Everything an action needs: the session, who acts, on what, and the template values."""

    session: AsyncSession
    automation: Automation
    principal: Principal
    subject: Subject
    cause: Cause
    run_id: uuid.UUID
    index: int
    values: dict[str, str]
    now: datetime
    # Plain ids captured before any action runs: a rolled-back savepoint may expire ORM objects.
    deal_id: uuid.UUID | None
    links: dict[str, uuid.UUID]

    @property
    def workspace_id(self) -> uuid.UUID:
        return self.automation.workspace_id


def links_of(subject: Subject) -> dict[str, uuid.UUID]:
    """What a task an automation creates is linked to: the deal, the contact, or the task's links."""
    if subject.task is not None:
        task = subject.task
        found = {"deal_id": task.deal_id, "contact_id": task.contact_id, "account_id": task.account_id}
        return {key: value for key, value in found.items() if value is not None}
    if subject.contact is not None:
        return {"contact_id": subject.contact.id}
    return {"deal_id": subject.deal.id} if subject.deal is not None else {}
