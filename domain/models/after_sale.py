"""After the sale: what was promised (commitments), and the delivery project a won deal becomes.

Tenant foreign keys carry `workspace_id`; links to deals, accounts, contacts and activities are
cleared (not cascaded) when their target is deleted, so a promise outlives the record it was
made on. A project's milestones go with it.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin, TimestampMixin


def _link(column: str, target: str) -> ForeignKeyConstraint:
    return ForeignKeyConstraint(
        ["workspace_id", column],
        [f"{target}.workspace_id", f"{target}.id"],
        ondelete=f"SET NULL ({column})",
    )


class Commitment(TenantMixin, TimestampMixin, Base):
    __tablename__ = "commitments"

    title: Mapped[str] = mapped_column(String(500), nullable=False)
    description: Mapped[str | None] = mapped_column(Text)
    deal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    evidence_activity_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        _link("deal_id", "deals"),
        _link("account_id", "accounts"),
        _link("contact_id", "contacts"),
        _link("evidence_activity_id", "activities"),
        CheckConstraint("status IN ('open', 'kept', 'broken', 'waived')", name="status_valid"),
        Index("ix_commitments_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_commitments_deal", "workspace_id", "deal_id"),
        Index("ix_commitments_account", "workspace_id", "account_id"),
        Index("ix_commitments_contact", "workspace_id", "contact_id"),
        Index(
            "ix_commitments_open_due",
            "workspace_id",
            "owner_id",
            "due_date",
            postgresql_where=text("status = 'open'"),
        ),
    )


class Project(TenantMixin, TimestampMixin, Base):
    __tablename__ = "projects"

    name: Mapped[str] = mapped_column(String(300), nullable=False)
    deal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="planned")
    contact_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(Uuid), nullable=False, server_default=text("'{}'"), default=list
    )
    summary: Mapped[str | None] = mapped_column(Text)
    contract_start_date: Mapped[date | None] = mapped_column(Date)
    contract_end_date: Mapped[date | None] = mapped_column(Date)
    renewal_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        _link("deal_id", "deals"),
        _link("account_id", "accounts"),
        CheckConstraint("status IN ('planned', 'active', 'on_hold', 'done')", name="status_valid"),
        Index("ix_projects_workspace_created", "workspace_id", "created_at", "id"),
        # One project per deal: winning it again, or an event delivered twice, finds this one.
        Index("ix_projects_deal", "workspace_id", "deal_id", unique=True),
        Index("ix_projects_account", "workspace_id", "account_id"),
    )


class ProjectMilestone(TenantMixin, TimestampMixin, Base):
    __tablename__ = "project_milestones"

    project_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    title: Mapped[str] = mapped_column(String(500), nullable=False)
    due_date: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    commitment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        ForeignKeyConstraint(
            ["workspace_id", "project_id"], ["projects.workspace_id", "projects.id"], ondelete="CASCADE"
        ),
        _link("commitment_id", "commitments"),
        CheckConstraint("status IN ('open', 'done')", name="status_valid"),
        Index("ix_project_milestones_project", "workspace_id", "project_id", "position"),
        Index(
            "ix_project_milestones_commitment",
            "workspace_id",
            "project_id",
            "commitment_id",
            unique=True,
            postgresql_where=text("commitment_id IS NOT NULL"),
        ),
    )
