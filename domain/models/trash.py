"""The trash (deleted records kept 30 days as snapshots) and bulk operations with per-record results."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin


class TrashItem(TenantMixin, Base):
    """A deleted record: `id` is the record's own id; `snapshot` holds its row and undone links."""

    __tablename__ = "trash_items"

    object: Mapped[str] = mapped_column(String(20), nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    deleted_by_type: Mapped[str] = mapped_column(String(20), nullable=False)
    deleted_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deleted_by_name: Mapped[str | None] = mapped_column(String(300))
    purge_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        CheckConstraint("object IN ('contacts', 'accounts', 'deals', 'activities')", name="object_valid"),
        Index("ix_trash_items_workspace_deleted", "workspace_id", "deleted_at", "id"),
        Index("ix_trash_items_purge_at", "purge_at"),
    )


class BulkOperation(TenantMixin, Base):
    __tablename__ = "bulk_operations"

    object: Mapped[str] = mapped_column(String(20), nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    if_match: Mapped[dict[str, int]] = mapped_column(JSONB, nullable=False)
    # Who asked: the job acts as them, so timelines and events name the same actor as an edit.
    principal: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    total: Mapped[int] = mapped_column(Integer, nullable=False)
    processed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    succeeded: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    skipped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_valid"),
        Index(
            "ix_bulk_operations_unfinished",
            "heartbeat_at",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )


class BulkOperationItem(Base):
    """One record of an operation and what happened to it, committed with the change itself."""

    __tablename__ = "bulk_operation_items"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False
    )
    operation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    done_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "operation_id"],
            ["bulk_operations.workspace_id", "bulk_operations.id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("status IN ('pending', 'ok', 'failed', 'skipped')", name="status_valid"),
        Index("ix_bulk_operation_items_order", "workspace_id", "operation_id", "position"),
    )
