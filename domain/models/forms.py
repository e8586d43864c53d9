"""Web forms (per workspace settings) and the submissions they receive.

A submission row is written before the sender is answered: it is the durable record of what
arrived (raw body, the headers that matter, time, source IP) and, while `pending`, the work a
worker still owes it (workers take pending rows through `ix_form_submissions_pending`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin, TimestampMixin

SUBMISSION_STATUSES = ("pending", "processed", "spam", "rejected", "failed")


class Form(TenantMixin, TimestampMixin, Base):
    __tablename__ = "forms"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    # The public identifier senders post to; unguessable, unique across workspaces.
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    pipeline_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    stage_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    create_deal: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Kept readable: a signature can only be checked with the secret itself.
    secret: Mapped[str | None] = mapped_column(String(200))
    allowed_origins: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'"), default=list
    )
    thank_you_url: Mapped[str | None] = mapped_column(String(2000))
    routing: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    field_mapping: Mapped[dict[str, str]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb"), default=dict
    )
    # Where round-robin routing continues; advanced by an UPDATE, not through the ORM version.
    round_robin_next: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        UniqueConstraint("key"),
        ForeignKeyConstraint(
            ["workspace_id", "pipeline_id"],
            ["pipelines.workspace_id", "pipelines.id"],
            ondelete="SET NULL (pipeline_id)",
        ),
        ForeignKeyConstraint(
            ["workspace_id", "stage_id"], ["stages.workspace_id", "stages.id"], ondelete="SET NULL (stage_id)"
        ),
        Index("ix_forms_workspace_created", "workspace_id", "created_at", "id"),
    )


class FormSubmission(TenantMixin, Base):
    __tablename__ = "form_submissions"

    form_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source_ip: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str | None] = mapped_column(String(200))
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False)
    raw_body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    # As sent (name -> value, or a list for a repeated name) and as understood (email, name, ...).
    fields: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    lead: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    activity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "form_id"], ["forms.workspace_id", "forms.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["workspace_id", "contact_id"],
            ["contacts.workspace_id", "contacts.id"],
            ondelete="SET NULL (contact_id)",
        ),
        ForeignKeyConstraint(
            ["workspace_id", "account_id"],
            ["accounts.workspace_id", "accounts.id"],
            ondelete="SET NULL (account_id)",
        ),
        ForeignKeyConstraint(
            ["workspace_id", "deal_id"], ["deals.workspace_id", "deals.id"], ondelete="SET NULL (deal_id)"
        ),
        ForeignKeyConstraint(
            ["workspace_id", "activity_id"],
            ["activities.workspace_id", "activities.id"],
            ondelete="SET NULL (activity_id)",
        ),
        CheckConstraint(
            "status IN ('pending', 'processed', 'spam', 'rejected', 'failed')", name="status_valid"
        ),
        Index("ix_form_submissions_form_received", "workspace_id", "form_id", "received_at", "id"),
        Index("ix_form_submissions_form_status", "workspace_id", "form_id", "status"),
        # The queue workers take from: only rows still owed are in it.
        Index("ix_form_submissions_pending", "received_at", postgresql_where=text("status = 'pending'")),
    )
