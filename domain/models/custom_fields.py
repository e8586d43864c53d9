"""Workspace settings that shape records: custom field definitions and the lost-reason pick-list.

A custom field's values live in the records' own `custom_fields` JSON under the field's `key`,
which never changes, so a label can be renamed freely without touching a value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, CheckConstraint, DateTime, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin

FIELD_OBJECTS = ("contacts", "accounts", "deals")
FIELD_TYPES = ("text", "number", "money", "date", "bool", "select", "multi_select", "url", "email", "phone")


class CustomField(TenantMixin, Base):
    __tablename__ = "custom_fields"

    object: Mapped[str] = mapped_column(String(20), nullable=False)
    key: Mapped[str] = mapped_column(String(64), nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)
    type: Mapped[str] = mapped_column(String(20), nullable=False)
    options: Mapped[list[Any]] = mapped_column(JSONB, nullable=False, server_default=text("'[]'::jsonb"))
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "object", "key"),
        CheckConstraint("object IN ('contacts', 'accounts', 'deals')", name="object_valid"),
        CheckConstraint(
            "type IN ('text', 'number', 'money', 'date', 'bool', 'select', 'multi_select', 'url', "
            "'email', 'phone')",
            name="type_valid",
        ),
    )


class LostReason(TenantMixin, Base):
    """One entry of the workspace's pick-list; `other` marks the entry that takes free text."""

    __tablename__ = "lost_reasons"

    label: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    other: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        Index("uq_lost_reasons_workspace_label", "workspace_id", text("lower(label)"), unique=True),
        Index("uq_lost_reasons_workspace_other", "workspace_id", unique=True, postgresql_where=text("other")),
    )
