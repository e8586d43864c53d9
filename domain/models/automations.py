"""Automations, the record of every firing, round-robin positions, and notifications.

`automation_runs` is what makes a firing happen once: its UNIQUE key (workspace, rule, subject,
cause) is claimed with `INSERT ... ON CONFLICT DO NOTHING` in the transaction that performs the
actions, so a job run twice or two overlapping sweeps act once.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin, TimestampMixin


class Automation(TenantMixin, TimestampMixin, Base):
    """A rule: one trigger, conditions over the subject's fields, and actions (validated JSON)."""

    __tablename__ = "automations"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    trigger: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    # Derived by PostgreSQL so the sweep and event handlers can pick rules by kind from an index.
    trigger_type: Mapped[str] = mapped_column(String(40), Computed("trigger ->> 'type'", persisted=True))
    conditions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb"), default=list
    )
    actions: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        Index("ix_automations_workspace_created", "workspace_id", "created_at", "id"),
        Index(
            "ix_automations_enabled_trigger",
            "workspace_id",
            "trigger_type",
            postgresql_where=text("enabled"),
        ),
    )


class AutomationRun(TenantMixin, Base):
    """One firing of a rule on one subject for one cause: what it did and why."""

    __tablename__ = "automation_runs"

    automation_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    subject_type: Mapped[str] = mapped_column(String(20), nullable=False)
    subject_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    # One stage entry, one idle spell, one close date, one due time, one event (see domain.automations).
    cause_key: Mapped[str] = mapped_column(String(300), nullable=False)
    trigger_type: Mapped[str] = mapped_column(String(40), nullable=False)
    cause: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    outcome: Mapped[str] = mapped_column(String(20), nullable=False)
    actions: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb"), default=list
    )
    fired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        UniqueConstraint("workspace_id", "automation_id", "subject_id", "cause_key"),
        ForeignKeyConstraint(
            ["workspace_id", "automation_id"],
            ["automations.workspace_id", "automations.id"],
            ondelete="CASCADE",
        ),
        Index("ix_automation_runs_list", "workspace_id", "automation_id", "fired_at", "id"),
    )


class AutomationRoundRobin(Base):
    """How many owners a round-robin rule has handed out: the next pick is this modulo its members."""

    __tablename__ = "automation_round_robin"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    automation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    handed_out: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "automation_id"],
            ["automations.workspace_id", "automations.id"],
            ondelete="CASCADE",
        ),
    )


class Notification(TenantMixin, Base):
    """Something one member should see: a reminder, an automation's notice, a routed lead."""

    __tablename__ = "notifications"

    user_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    type: Mapped[str] = mapped_column(String(50), nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str | None] = mapped_column(Text)
    subject_type: Mapped[str | None] = mapped_column(String(30))
    subject_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The same reminder (task + time) or the same action of the same run notifies once.
    dedupe_key: Mapped[str] = mapped_column(String(300), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("workspace_id", "user_id", "dedupe_key"),
        # A member who leaves takes their notifications along.
        ForeignKeyConstraint(
            ["workspace_id", "user_id"],
            ["memberships.workspace_id", "memberships.user_id"],
            ondelete="CASCADE",
        ),
        Index("ix_notifications_user_created", "workspace_id", "user_id", "created_at", "id"),
        Index(
            "ix_notifications_user_unread",
            "workspace_id",
            "user_id",
            postgresql_where=text("read_at IS NULL"),
        ),
    )
