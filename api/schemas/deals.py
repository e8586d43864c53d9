"""Deal shapes: the record, its create and merge-patch bodies, and a move on the board."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field, model_validator

from api.schemas.common import Out, StrictIn
from domain.deals import DealRecord
from domain.money import format_amount

DealStatus = Literal["open", "won", "lost"]
ContactRole = Literal["decision_maker", "champion", "influencer", "user", "other"]
_DETAIL = 'Free text behind the reason; required when lost_reason is the list\'s "Other".'


class DealContactIn(StrictIn):
    contact_id: uuid.UUID
    role: ContactRole | None = None


class DealContactOut(Out):
    contact_id: uuid.UUID
    role: ContactRole | None


_AMOUNT = "A decimal string or a number, rounded half-even to the currency's minor unit; never negative."


class DealOut(Out):
    id: uuid.UUID
    title: str
    amount: str | None = Field(description='Decimal string in the deal\'s currency, e.g. "1500.00".')
    currency: str
    pipeline_id: uuid.UUID
    stage_id: uuid.UUID
    status: DealStatus
    account_id: uuid.UUID | None
    contact_ids: list[uuid.UUID]
    contacts: list[DealContactOut] = Field(description="contact_ids in the same order, each with its role.")
    owner_id: uuid.UUID | None
    expected_close_date: date | None
    closed_at: datetime | None
    lost_reason: str | None = Field(description="One of the workspace's lost reasons (GET /lost-reasons).")
    lost_reason_detail: str | None
    source: str | None
    rank: str = Field(description="Opaque key ordering the card in its column; compare bytewise.")
    version: int
    stage_entered_at: datetime
    created_at: datetime
    updated_at: datetime
    tags: list[str]
    custom_fields: dict[str, Any]
    contract_start_date: date | None = Field(None, description="When the contract this deal became starts.")
    contract_end_date: date | None = Field(
        None, description="When it ends: its renewal deal opens the pipeline's renewal_lead_days before."
    )
    renewal_amount: str | None = Field(None, description="What the renewal is worth; default: amount.")
    renewal_of_id: uuid.UUID | None = Field(None, description="The deal this one renews.")
    project_id: uuid.UUID | None = Field(None, description="The delivery project the won deal became.")

    @classmethod
    def of(cls, record: DealRecord) -> DealOut:
        deal = record.deal
        return cls(
            id=deal.id,
            title=deal.title,
            amount=format_amount(deal.amount, deal.currency),
            currency=deal.currency,
            pipeline_id=deal.pipeline_id,
            stage_id=deal.stage_id,
            status=deal.status,
            account_id=deal.account_id,
            contact_ids=record.contact_ids,
            contacts=[DealContactOut(contact_id=c, role=record.roles.get(c)) for c in record.contact_ids],
            owner_id=deal.owner_id,
            expected_close_date=deal.expected_close_date,
            closed_at=deal.closed_at,
            lost_reason=deal.lost_reason,
            lost_reason_detail=deal.lost_reason_detail,
            source=deal.source,
            rank=deal.rank,
            version=deal.version,
            stage_entered_at=deal.stage_entered_at,
            created_at=deal.created_at,
            updated_at=deal.updated_at,
            tags=list(deal.tags),
            custom_fields=dict(deal.custom_fields),
            contract_start_date=deal.contract_start_date,
            contract_end_date=deal.contract_end_date,
            renewal_amount=format_amount(deal.renewal_amount, deal.currency),
            renewal_of_id=deal.renewal_of_id,
            project_id=record.project_id,
        )


class DealIn(StrictIn):
    """A new deal. Without `stage_id` it enters the first open stage of `pipeline_id` (default:
    the workspace's default pipeline); the stage's required fields must be present."""

    title: str = Field(min_length=1, max_length=300)
    amount: Decimal | None = Field(None, description=_AMOUNT)
    currency: str | None = Field(
        None, min_length=3, max_length=3, description="ISO 4217; default: the workspace's."
    )
    pipeline_id: uuid.UUID | None = None
    stage_id: uuid.UUID | None = None
    account_id: uuid.UUID | None = None
    contact_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    contacts: list[DealContactIn] | None = Field(
        None, max_length=100, description="The contacts with their roles (instead of contact_ids)."
    )
    owner_id: uuid.UUID | None = Field(
        None, description="Default: the user (or API key's creator) creating it."
    )
    expected_close_date: date | None = None
    lost_reason: str | None = Field(None, max_length=500)
    lost_reason_detail: str | None = Field(None, max_length=1000, description=_DETAIL)
    source: str | None = Field(None, max_length=200, description="Default: the first contact's source.")
    tags: list[str] = Field(default_factory=list, max_length=50)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    contract_start_date: date | None = None
    contract_end_date: date | None = None
    renewal_amount: Decimal | None = Field(None, description=_AMOUNT)


class DealPatch(StrictIn):
    """JSON merge-patch: a field left out is unchanged, `null` clears it (`custom_fields` merges
    key by key). The stage is not changed here: move the deal with `POST /deals/{id}/move`, so
    every stage change is checked and recorded the same way."""

    title: str | None = Field(None, min_length=1, max_length=300)
    amount: Decimal | None = Field(None, description=_AMOUNT)
    currency: str | None = Field(None, min_length=3, max_length=3)
    account_id: uuid.UUID | None = None
    contact_ids: list[uuid.UUID] | None = Field(None, max_length=100)
    contacts: list[DealContactIn] | None = Field(
        None, max_length=100, description="Replaces the links and their roles; contact_ids follows."
    )
    owner_id: uuid.UUID | None = None
    expected_close_date: date | None = None
    lost_reason: str | None = Field(None, max_length=500)
    lost_reason_detail: str | None = Field(None, max_length=1000, description=_DETAIL)
    source: str | None = Field(None, max_length=200)
    tags: list[str] | None = Field(None, max_length=50)
    custom_fields: dict[str, Any] | None = None
    contract_start_date: date | None = None
    contract_end_date: date | None = None
    renewal_amount: Decimal | None = Field(None, description=_AMOUNT)

    @model_validator(mode="before")
    @classmethod
    def _no_stage_change(cls, data: Any) -> Any:
        if isinstance(data, dict) and ({"stage_id", "pipeline_id"} & data.keys()):
            raise ValueError("stage_id and pipeline_id change only by POST /api/v1/deals/{id}/move")
        return data


class DealMove(StrictIn):
    stage_id: uuid.UUID
    after_id: uuid.UUID | None = Field(
        None, description="The card it now sits below in the target column; null or absent: the top."
    )
    lost_reason: str | None = Field(
        None, max_length=500, description="Needed to enter a lost stage, unless the deal already has one."
    )
    lost_reason_detail: str | None = Field(None, max_length=1000, description=_DETAIL)
    pipeline_id: uuid.UUID | None = Field(
        None, description="Required, equal to the target stage's pipeline, to move to another pipeline."
    )
