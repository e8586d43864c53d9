"""The admin audit log: who changed settings, members, keys, automations; who exported or erased."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin


class AuditEntry(TenantMixin, Base):
    __tablename__ = "audit_entries"

    actor_type: Mapped[str] = mapped_column(String(20), nullable=False)
    # The user acting (for an API key, the admin who created it), kept when the user goes.
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(100), nullable=False)
    subject_type: Mapped[str | None] = mapped_column(String(50))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Written by code, never from a record's personal fields: an erasure must not need to edit it.
    summary: Mapped[str] = mapped_column(String(500), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        Index("ix_audit_entries_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_audit_entries_workspace_actor", "workspace_id", "actor_id", "created_at"),
    )
