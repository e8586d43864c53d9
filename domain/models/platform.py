"""Cross-cutting tables: idempotency replays, the outbox, the timeline and outgoing email."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Index, Integer, LargeBinary, String, Text, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, IdMixin, TenantMixin


class IdempotencyRecord(TenantMixin, Base):
    """The first answer to a POST carrying an Idempotency-Key, replayed for 24 hours."""

    __tablename__ = "idempotency_records"

    key: Mapped[str] = mapped_column(String(255), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    status_code: Mapped[int] = mapped_column(Integer, nullable=False)
    headers: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False)
    body: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        UniqueConstraint("workspace_id", "key"),
        Index("ix_idempotency_records_created_at", "created_at"),
    )


class OutboxEvent(TenantMixin, Base):
    """A domain event, written in the transaction that caused it and handed to workers after."""

    __tablename__ = "outbox_events"

    type: Mapped[str] = mapped_column(String(100), nullable=False)
    subject_type: Mapped[str | None] = mapped_column(String(50))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    dispatched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dispatch_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        Index(
            "ix_outbox_events_pending",
            "created_at",
            postgresql_where="processed_at IS NULL",
        ),
    )


class TimelineEvent(TenantMixin, Base):
    """A system event on a record's timeline: created, field changes, stage changes, merges."""

    __tablename__ = "timeline_events"

    subject_type: Mapped[str] = mapped_column(String(50), nullable=False)
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    type: Mapped[str] = mapped_column(String(100), nullable=False)
    actor_type: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    actor_name: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        Index("ix_timeline_events_subject", "workspace_id", "subject_type", "subject_id", "at"),
    )


class OutboundEmail(IdMixin, Base):
    """An email to send; delivered by a worker through SMTP_URL, or written to the log.

    Not a tenant table: password resets belong to a person, not a workspace.
    """

    __tablename__ = "outbound_emails"

    workspace_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    to_address: Mapped[str] = mapped_column(String(320), nullable=False)
    subject: Mapped[str] = mapped_column(String(500), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
