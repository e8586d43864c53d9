"""Inbound email shapes: the message an inbound-parse service posts, and what it became."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Addresses = str | list[str] | None


class InboundEmailIn(BaseModel):
    """What inbound-parse services send; `from`, `to` and `cc` are header values or lists of addresses."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    from_: Addresses = Field(None, alias="from", description='"Ann <ann@example.com>" or a list of them.')
    to: Addresses = None
    cc: Addresses = None
    subject: str | None = Field(None, max_length=10_000)
    text: str | None = Field(None, max_length=2_000_000)
    html: str | None = Field(None, max_length=5_000_000)
    message_id: str | None = Field(
        None, max_length=998, description="Message-ID: the same one twice logs once."
    )
    date: str | None = Field(None, max_length=200, description="RFC 2822 or RFC 3339.")
    in_reply_to: str | None = Field(None, max_length=998)


class InboundEmailOut(BaseModel):
    status: Literal["logged", "duplicate", "no_known_contacts"]
    message_id: str
    activity_ids: list[uuid.UUID]
    contact_ids: list[uuid.UUID]
    deal_ids: list[uuid.UUID]


class InboundSettingsOut(BaseModel):
    secret: str = Field(description="Present it as `Authorization: Bearer <secret>` or `?token=<secret>`.")
    url: str = Field(description="Where the inbound-parse service posts (JSON).")
    url_with_token: str = Field(
        description="The same URL carrying the secret, for services that cannot set headers."
    )
