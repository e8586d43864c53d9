"""The CRM's records: accounts, contacts, pipelines and stages, deals, activities, stage history.

Foreign keys between tenant tables carry `workspace_id` (`(workspace_id, id)`), because
foreign-key checks ignore row-level security: a row can only ever point inside its workspace.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Computed,
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin, TimestampMixin


def _owner() -> Mapped[uuid.UUID | None]:
    return mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))


def _tags() -> Mapped[list[str]]:
    return mapped_column(ARRAY(Text), nullable=False, server_default=text("'{}'"), default=list)


def _custom_fields() -> Mapped[dict[str, Any]]:
    return mapped_column(JSONB, nullable=False, server_default=text("'{}'::jsonb"), default=dict)


class Account(TenantMixin, TimestampMixin, Base):
    __tablename__ = "accounts"

    name: Mapped[str] = mapped_column(String(300), nullable=False)
    domain: Mapped[str | None] = mapped_column(String(255))
    website: Mapped[str | None] = mapped_column(String(500))
    industry: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(50))
    owner_id: Mapped[uuid.UUID | None] = _owner()
    tags: Mapped[list[str]] = _tags()
    custom_fields: Mapped[dict[str, Any]] = _custom_fields()
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        Index("ix_accounts_workspace_domain", "workspace_id", "domain"),
        Index("ix_accounts_workspace_updated", "workspace_id", "updated_at", "id"),
        Index("ix_accounts_name_trgm", text("lower(name) gin_trgm_ops"), postgresql_using="gin"),
        Index("ix_accounts_domain_trgm", text("lower(domain) gin_trgm_ops"), postgresql_using="gin"),
        Index("ix_accounts_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_accounts_workspace_name", "workspace_id", "name", "id"),
    )


class Contact(TenantMixin, TimestampMixin, Base):
    __tablename__ = "contacts"

    first_name: Mapped[str | None] = mapped_column(String(200))
    last_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(300))
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID | None] = _owner()
    source: Mapped[str | None] = mapped_column(String(200))
    tags: Mapped[list[str]] = _tags()
    custom_fields: Mapped[dict[str, Any]] = _custom_fields()
    attribution: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # `email`/`phone` are the primary ones; the others, in the API's order, with their labels
    # (`[{"email", "label"}]`); `contact_emails`/`contact_phones` mirror them for look-ups.
    email_label: Mapped[str | None] = mapped_column(String(50))
    phone_label: Mapped[str | None] = mapped_column(String(50))
    other_emails: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb"), default=list
    )
    other_phones: Mapped[list[dict[str, Any]]] = mapped_column(
        JSONB, nullable=False, server_default=text("'[]'::jsonb"), default=list
    )
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Set when the person's data was erased on request (GDPR Art. 17); the row stays for links.
    erased_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    # What `q` matches, lower-cased once at write time so a trigram index can serve it.
    search_text: Mapped[str] = mapped_column(
        Text,
        Computed(
            "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || "
            "coalesce(email, '') || ' ' || coalesce(title, ''))",
            persisted=True,
        ),
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        ForeignKeyConstraint(
            ["workspace_id", "account_id"],
            ["accounts.workspace_id", "accounts.id"],
            ondelete="SET NULL (account_id)",
        ),
        Index("ix_contacts_workspace_email", "workspace_id", "email"),
        Index("ix_contacts_workspace_phone", "workspace_id", "phone"),
        Index("ix_contacts_workspace_account", "workspace_id", "account_id"),
        Index("ix_contacts_workspace_updated", "workspace_id", "updated_at", "id"),
        Index("ix_contacts_workspace_created", "workspace_id", "created_at", "id"),
        Index(
            "ix_contacts_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
        # Search everywhere forgives typos in names (migration 0090).
        Index(
            "ix_contacts_name_trgm",
            text("lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) gin_trgm_ops"),
            postgresql_using="gin",
        ),
    )

    # What snapshots (webhooks, field changes) show beside the columns.
    __snapshot_properties__ = ("emails", "phones")

    @property
    def emails(self) -> list[dict[str, Any]]:
        """Every email, the primary first: `[{email, label, primary}]`."""
        out = (
            [] if self.email is None else [{"email": self.email, "label": self.email_label, "primary": True}]
        )
        out += [
            {"email": e["email"], "label": e.get("label"), "primary": False}
            for e in self.other_emails or []
            if e.get("email") != self.email
        ]
        return out

    @property
    def phones(self) -> list[dict[str, Any]]:
        """Every phone, the primary first: `[{phone, label, primary}]`."""
        out = (
            [] if self.phone is None else [{"phone": self.phone, "label": self.phone_label, "primary": True}]
        )
        out += [
            {"phone": p["phone"], "label": p.get("label"), "primary": False}
            for p in self.other_phones or []
            if p.get("phone") != self.phone
        ]
        return out


class ContactEmail(Base):
    """A contact's other email, kept equal to `contacts.other_emails` by a trigger (0090)."""

    __tablename__ = "contact_emails"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "contact_id"], ["contacts.workspace_id", "contacts.id"], ondelete="CASCADE"
        ),
        Index("ix_contact_emails_value", "workspace_id", "email"),
    )


class ContactPhone(Base):
    """A contact's other phone, kept equal to `contacts.other_phones` by a trigger (0090)."""

    __tablename__ = "contact_phones"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    phone: Mapped[str] = mapped_column(String(50), primary_key=True)

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "contact_id"], ["contacts.workspace_id", "contacts.id"], ondelete="CASCADE"
        ),
        Index("ix_contact_phones_value", "workspace_id", "phone"),
    )


class Pipeline(TenantMixin, TimestampMixin, Base):
    __tablename__ = "pipelines"

    name: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    is_default: Mapped[bool] = mapped_column(nullable=False, default=False)
    on_won: Mapped[str] = mapped_column(String(20), nullable=False, default="project")
    # After the sale (migration 0060): milestones every new project gets, and when and where
    # a won deal's renewal opens (null lead days: never automatically; null pipeline: this one).
    project_template: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    # No Python default: the ORM would put it in place of an explicit None (renewals off).
    renewal_lead_days: Mapped[int | None] = mapped_column(Integer)
    renewal_pipeline_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (UniqueConstraint("workspace_id", "id"),)


class Stage(TenantMixin, TimestampMixin, Base):
    __tablename__ = "stages"

    pipeline_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    probability: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    kind: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    rotting_days: Mapped[int | None] = mapped_column(Integer)
    required_fields: Mapped[list[str]] = mapped_column(
        ARRAY(Text), nullable=False, server_default=text("'{}'"), default=list
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        UniqueConstraint("workspace_id", "pipeline_id", "id"),
        ForeignKeyConstraint(
            ["workspace_id", "pipeline_id"], ["pipelines.workspace_id", "pipelines.id"], ondelete="CASCADE"
        ),
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),
        CheckConstraint("kind IN ('open', 'won', 'lost')", name="kind_valid"),
        Index("ix_stages_pipeline", "workspace_id", "pipeline_id", "position"),
    )


class Deal(TenantMixin, TimestampMixin, Base):
    __tablename__ = "deals"

    title: Mapped[str] = mapped_column(String(300), nullable=False)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    currency: Mapped[str] = mapped_column(String(3), nullable=False)
    pipeline_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    stage_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="open")
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    owner_id: Mapped[uuid.UUID | None] = _owner()
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lost_reason: Mapped[str | None] = mapped_column(String(500))
    # The words behind the pick-list's "Other" (or a reason that came from outside the list).
    lost_reason_detail: Mapped[str | None] = mapped_column(String(1000))
    source: Mapped[str | None] = mapped_column(String(200))
    # Fractional-index key; compared bytewise so every PostgreSQL version sorts it alike.
    rank: Mapped[str] = mapped_column(String(200, collation="C"), nullable=False)
    stage_entered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    tags: Mapped[list[str]] = _tags()
    custom_fields: Mapped[dict[str, Any]] = _custom_fields()
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    search_text: Mapped[str] = mapped_column(Text, Computed("lower(title)", persisted=True))
    # After the sale (migrations 0040, 0060): the contract this deal became, and its renewal.
    contract_start_date: Mapped[date | None] = mapped_column(Date)
    contract_end_date: Mapped[date | None] = mapped_column(Date)
    renewal_amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    renewal_of_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        # The stage must belong to the deal's pipeline: one constraint, no trigger.
        ForeignKeyConstraint(
            ["workspace_id", "pipeline_id", "stage_id"],
            ["stages.workspace_id", "stages.pipeline_id", "stages.id"],
        ),
        ForeignKeyConstraint(
            ["workspace_id", "account_id"],
            ["accounts.workspace_id", "accounts.id"],
            ondelete="SET NULL (account_id)",
        ),
        CheckConstraint("status IN ('open', 'won', 'lost')", name="status_valid"),
        Index("ix_deals_board", "workspace_id", "stage_id", "rank", "id"),
        Index(
            "ix_deals_open_stage_totals",
            "workspace_id",
            "stage_id",
            "currency",
            postgresql_where=text("status = 'open'"),
            postgresql_include=["amount"],
        ),
        Index("ix_deals_workspace_account", "workspace_id", "account_id"),
        Index("ix_deals_workspace_owner", "workspace_id", "owner_id"),
        Index("ix_deals_workspace_updated", "workspace_id", "updated_at", "id"),
        Index("ix_deals_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_deals_workspace_closed", "workspace_id", "stage_id", "closed_at"),
        Index(
            "ix_deals_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ),
    )


class DealContact(Base):
    __tablename__ = "deal_contacts"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    deal_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    role: Mapped[str | None] = mapped_column(String(30))

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "deal_id"], ["deals.workspace_id", "deals.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["workspace_id", "contact_id"], ["contacts.workspace_id", "contacts.id"], ondelete="CASCADE"
        ),
        Index("ix_deal_contacts_contact", "workspace_id", "contact_id"),
    )


class StageChange(TenantMixin, Base):
    """A deal entering a stage (from None when created into it): the board's history and reports'."""

    __tablename__ = "stage_history"

    deal_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    pipeline_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    from_stage_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    to_stage_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    actor_type: Mapped[str] = mapped_column(String(20), nullable=False)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "deal_id"], ["deals.workspace_id", "deals.id"], ondelete="CASCADE"
        ),
        Index("ix_stage_history_deal", "workspace_id", "deal_id", "at"),
        Index("ix_stage_history_to_stage", "workspace_id", "to_stage_id", "at"),
    )


class Activity(TenantMixin, TimestampMixin, Base):
    __tablename__ = "activities"

    type: Mapped[str] = mapped_column(String(20), nullable=False)
    subject: Mapped[str] = mapped_column(String(500), nullable=False)
    body: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    remind_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    owner_id: Mapped[uuid.UUID | None] = _owner()
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    deal_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The table also has `pipeline_id`, the deal's pipeline, kept by triggers for the activity
    # report (migration 0055); deliberately unmapped: it is not part of an activity's shape.
    # Who made it: a person's activity ends an idle spell, an automation's does not.
    created_by_type: Mapped[str] = mapped_column(String(20), nullable=False, default="user")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Open tracking of a logged outbound email (domain.email_tracking; migration 0030).
    open_token: Mapped[str | None] = mapped_column(String(64))
    tracking_pixel_url: Mapped[str | None] = mapped_column(String(2000))
    first_opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    open_count: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"), default=0)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
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
        CheckConstraint("type IN ('call', 'email', 'meeting', 'task', 'note')", name="type_valid"),
        Index("ix_activities_deal", "workspace_id", "deal_id", "created_at"),
        Index("ix_activities_contact", "workspace_id", "contact_id", "created_at"),
        Index("ix_activities_account", "workspace_id", "account_id", "created_at"),
        Index(
            "ix_activities_open_tasks",
            "workspace_id",
            "owner_id",
            "due_at",
            postgresql_where=text("completed_at IS NULL"),
        ),
        Index("ix_activities_workspace_created", "workspace_id", "created_at", "id"),
        Index("ix_activities_subject_trgm", text("lower(subject) gin_trgm_ops"), postgresql_using="gin"),
        Index(
            "ix_activities_open_token",
            "open_token",
            unique=True,
            postgresql_where=text("open_token IS NOT NULL"),
        ),
    )


class StageTotal(Base):
    """Count and sum of a stage's open deals per currency, kept by triggers on `deals`."""

    __tablename__ = "stage_totals"

    workspace_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    stage_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    open_count: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    open_amount: Mapped[Decimal] = mapped_column(Numeric(24, 3), nullable=False, default=0)

    __table_args__ = (
        ForeignKeyConstraint(
            ["workspace_id", "stage_id"], ["stages.workspace_id", "stages.id"], ondelete="CASCADE"
        ),
    )
