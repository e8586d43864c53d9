"""Webhook shapes: subscriptions (admin settings) and their delivery log."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from api.schemas.common import Out, StrictIn

EventName = Annotated[str, Field(min_length=1, max_length=100)]
DeliveryStatus = Literal["pending", "retrying", "succeeded", "failed"]


class WebhookIn(StrictIn):
    url: str = Field(min_length=1, max_length=2000, description="An http(s) URL on a public address.")
    events: list[EventName] = Field(
        min_length=1,
        max_length=100,
        description="Event types (`deal.won`), a record's every event (`deal.*`) or `*`.",
    )
    secret: str | None = Field(
        None, min_length=16, max_length=200, description="Signing secret; one is generated when left out."
    )
    active: bool = True
    description: str | None = Field(None, max_length=500)


class WebhookPatch(StrictIn):
    """JSON merge-patch. `secret: null` issues a new secret; `active: true` forgets a run of failures."""

    url: str | None = Field(None, min_length=1, max_length=2000)
    events: list[EventName] | None = Field(None, min_length=1, max_length=100)
    secret: str | None = Field(None, min_length=16, max_length=200)
    active: bool | None = None
    description: str | None = Field(None, max_length=500)


class WebhookOut(Out):
    id: uuid.UUID
    url: str
    events: list[str]
    secret: str
    active: bool
    description: str | None
    consecutive_failures: int
    disabled_at: datetime | None = Field(description="When a run of failures switched it off.")
    disabled_reason: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class AttemptOut(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryOut(Out):
    id: uuid.UUID
    subscription_id: uuid.UUID
    event_id: uuid.UUID = Field(description="Sent as Rapport-Event-Id (and the body's id).")
    event_type: str
    status: DeliveryStatus
    attempts: int
    created_at: datetime
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    response_status: int | None
    response_body: str | None = Field(description="The first 2 KiB of the receiver's last answer.")
    error: str | None
    log: list[AttemptOut] = Field(description="Every attempt, oldest first (the last 50).")
    payload: dict[str, Any] = Field(description="The JSON body: {id, type, created_at, workspace_id, data}.")
