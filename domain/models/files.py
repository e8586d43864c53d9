"""Files attached to contacts, accounts, deals and activities: the record; the bytes live in storage."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin


class FileAttachment(TenantMixin, Base):
    __tablename__ = "files"

    # Polymorphic like the timeline: one table for the four kinds of record a file can hang on.
    subject_type: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    # Detected from the bytes, never taken from the client.
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    storage_key: Mapped[str] = mapped_column(String(300), nullable=False)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_by_api_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        CheckConstraint("subject_type IN ('contact', 'account', 'deal', 'activity')", name="subject_valid"),
        Index("ix_files_subject", "workspace_id", "subject_type", "subject_id", "created_at", "id"),
    )
