"""Form shapes: the settings an admin sends and reads, submissions, and the public answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from api.schemas.common import Out, StrictIn
from domain.forms.config import embed_html, submission_url
from domain.models import Form

SubmissionStatus = Literal["pending", "processed", "spam", "rejected", "failed"]
RuleValue = str | int | float | list[str | int | float] | None


class RoutingRule(StrictIn):
    field: str = Field(
        min_length=1,
        max_length=100,
        description="A submitted field: country, company_size, "
        'source (utm_source, else "form"), utm_*, or any field by its name.',
    )
    op: Literal["eq", "ne", "in", "not_in", "contains", "gt", "gte", "lt", "lte"]
    value: RuleValue = None
    owner_id: uuid.UUID = Field(description="The member who gets the lead when the rule matches.")


class Routing(StrictIn):
    """Rules in order (first match wins); otherwise round robin among the members; otherwise the
    form's owner_id."""

    rules: list[RoutingRule] = Field(default_factory=list, max_length=100)
    round_robin: list[uuid.UUID] = Field(default_factory=list, max_length=100)


Origin = Annotated[str, Field(max_length=300)]


class FormFields(StrictIn):
    pipeline_id: uuid.UUID | None = Field(
        None, description="Where deals from this form go (default pipeline)."
    )
    stage_id: uuid.UUID | None = Field(
        None, description="Stage of new deals (the pipeline's first open one)."
    )
    owner_id: uuid.UUID | None = Field(None, description="Owner of leads no routing rule claims.")
    secret: str | None = Field(
        None,
        min_length=16,
        max_length=200,
        description="When set, posts must carry a valid Rapport-Signature.",
    )
    allowed_origins: list[Origin] | None = Field(
        None, max_length=50, description="Origins whose browsers may post (CORS)."
    )
    thank_you_url: str | None = Field(
        None, max_length=2000, description="Where a plain browser form post is sent (303) afterwards."
    )
    routing: Routing | None = None
    field_mapping: (
        dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=200)]] | None
    ) = Field(
        None, description="Submitted field name -> email, first_name, company, ... or custom_fields.<key>."
    )


class FormIn(FormFields):
    name: str = Field(min_length=1, max_length=200)
    create_deal: bool = False


class FormPatch(FormFields):
    """JSON merge-patch: a field left out is unchanged, `null` clears it."""

    name: str | None = Field(None, min_length=1, max_length=200)
    create_deal: bool | None = None


class SubmissionCounts(BaseModel):
    pending: int
    processed: int
    spam: int
    rejected: int
    failed: int


class FormOut(Out):
    id: uuid.UUID
    key: str = Field(description="The public key senders post to.")
    name: str
    pipeline_id: uuid.UUID | None
    stage_id: uuid.UUID | None
    owner_id: uuid.UUID | None
    create_deal: bool
    secret: str | None
    allowed_origins: list[str]
    thank_you_url: str | None
    routing: dict[str, Any] | None
    field_mapping: dict[str, str]
    submission_url: str = Field(description="POST submissions here (no authentication).")
    embed_html: str = Field(
        description="A copy-paste HTML form posting to submission_url, with the honeypot."
    )
    submissions: SubmissionCounts
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, form: Form, counts: dict[str, int], public_url: str) -> FormOut:
        return cls.model_validate(
            {
                **{
                    name: getattr(form, name)
                    for name in (
                        "id",
                        "key",
                        "name",
                        "pipeline_id",
                        "stage_id",
                        "owner_id",
                        "create_deal",
                        "secret",
                        "allowed_origins",
                        "thank_you_url",
                        "routing",
                        "field_mapping",
                        "version",
                        "created_at",
                        "updated_at",
                    )
                },
                "submission_url": submission_url(public_url, form.key),
                "embed_html": embed_html(form, public_url),
                "submissions": counts,
            }
        )


class SubmissionOut(Out):
    id: uuid.UUID
    form_id: uuid.UUID
    status: SubmissionStatus
    reason: str | None = Field(description="Why it was rejected, marked spam or failed; how it was routed.")
    received_at: datetime
    processed_at: datetime | None
    source_ip: str | None
    content_type: str | None
    fields: dict[str, Any] = Field(description="The fields as sent.")
    lead: dict[str, Any] = Field(description="The fields as understood (email, first_name, utm_source...).")
    attempts: int
    contact_id: uuid.UUID | None
    account_id: uuid.UUID | None
    deal_id: uuid.UUID | None
    activity_id: uuid.UUID | None


class SubmissionDetailOut(SubmissionOut):
    headers: dict[str, str]
    raw_body: str = Field(description="The body as received (decoded as UTF-8, invalid bytes replaced).")


class SubmissionAccepted(BaseModel):
    submission_id: uuid.UUID
