"""Project shapes: the delivery project a won deal becomes, and its milestones."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import Field

from api.schemas.common import Out, StrictIn
from domain.money import format_amount
from domain.projects import MilestoneView, ProjectView

ProjectStatus = Literal["planned", "active", "on_hold", "done"]
MilestoneStatus = Literal["open", "done"]
_AMOUNT = "A decimal string or a number in the project's currency."


class MilestoneIn(StrictIn):
    title: str = Field(min_length=1, max_length=500)
    due_date: date | None = None


class MilestonePatch(StrictIn):
    """Merge-patch; `status: done` completes it (and keeps the commitment it came from)."""

    title: str | None = Field(None, min_length=1, max_length=500)
    due_date: date | None = None
    status: MilestoneStatus | None = None


class MilestoneOut(Out):
    id: uuid.UUID
    title: str
    due_date: date | None
    status: MilestoneStatus
    position: int
    completed_at: datetime | None
    commitment_id: uuid.UUID | None = Field(description="The promise made during the sale it delivers.")
    commitment_status: str | None = Field(description="That commitment's status now.")
    evidence_activity_id: uuid.UUID | None = Field(description="Where that promise was made.")

    @classmethod
    def of(cls, view: MilestoneView) -> MilestoneOut:
        m = view.milestone
        return cls(
            id=m.id,
            title=m.title,
            due_date=m.due_date,
            status=m.status,
            position=m.position,
            completed_at=m.completed_at,
            commitment_id=m.commitment_id,
            commitment_status=view.commitment_status,
            evidence_activity_id=view.evidence_activity_id,
        )


class ProjectFields(StrictIn):
    account_id: uuid.UUID | None = None
    owner_id: uuid.UUID | None = Field(None, description="Default: the creator.")
    summary: str | None = Field(None, max_length=100_000)
    contract_start_date: date | None = None
    contract_end_date: date | None = None
    renewal_amount: Decimal | None = Field(None, description=_AMOUNT)
    currency: str | None = Field(None, min_length=3, max_length=3, description="Default: the workspace's.")


class ProjectIn(ProjectFields):
    """A project made by hand (a won deal opens its own). A `deal_id` that already has one is 409."""

    name: str = Field(min_length=1, max_length=300)
    deal_id: uuid.UUID | None = None
    status: ProjectStatus = "planned"
    contact_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=100)


class ProjectPatch(ProjectFields):
    """JSON merge-patch. Milestones change through their own routes."""

    name: str | None = Field(None, min_length=1, max_length=300)
    status: ProjectStatus | None = None
    contact_ids: list[uuid.UUID] | None = Field(None, max_length=100)


class ProjectOut(Out):
    id: uuid.UUID
    name: str
    deal_id: uuid.UUID | None
    account_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    status: ProjectStatus
    contact_ids: list[uuid.UUID]
    summary: str | None = Field(description="The deal's notes, copied when the project opened.")
    contract_start_date: date | None
    contract_end_date: date | None
    renewal_amount: str | None
    currency: str
    milestones: list[MilestoneOut]
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: ProjectView) -> ProjectOut:
        p = view.project
        return cls(
            id=p.id,
            name=p.name,
            deal_id=p.deal_id,
            account_id=p.account_id,
            owner_id=p.owner_id,
            status=p.status,
            contact_ids=list(p.contact_ids),
            summary=p.summary,
            contract_start_date=p.contract_start_date,
            contract_end_date=p.contract_end_date,
            renewal_amount=format_amount(p.renewal_amount, p.currency),
            currency=p.currency,
            milestones=[MilestoneOut.of(m) for m in view.milestones],
            version=p.version,
            created_at=p.created_at,
            updated_at=p.updated_at,
        )
