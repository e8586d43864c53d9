"""Saved views: a user's named filters, sort and columns of one list, optionally shared."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin, TimestampMixin


class SavedView(TenantMixin, TimestampMixin, Base):
    __tablename__ = "saved_views"

    owner_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False
    )
    object: Mapped[str] = mapped_column(String(20), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    filters: Mapped[dict[str, Any]] = mapped_column(
        JSONB, nullable=False, server_default=text("'{}'::jsonb"), default=dict
    )
    sort: Mapped[str | None] = mapped_column(String(100))
    columns: Mapped[list[str]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb"), default=list
    )
    shared: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        CheckConstraint("object IN ('contacts', 'accounts', 'deals', 'activities')", name="object_valid"),
        Index("ix_saved_views_owner", "workspace_id", "owner_id", "object"),
        Index("ix_saved_views_shared", "workspace_id", "object", postgresql_where=text("shared")),
    )
