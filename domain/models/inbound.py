"""Inbound email: each workspace's inbound secret, and the messages already logged (by Message-ID)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, String, Text, UniqueConstraint, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin, TimestampMixin


class InboundMailbox(TenantMixin, TimestampMixin, Base):
    """The secret an inbound-parse service presents for this workspace."""

    __tablename__ = "inbound_mailboxes"

    # Shown to admins (they paste it into the parse service); looked up by its digest.
    secret: Mapped[str] = mapped_column(String(200), nullable=False)
    secret_digest: Mapped[str] = mapped_column(String(64), nullable=False)

    __table_args__ = (UniqueConstraint("workspace_id"), UniqueConstraint("secret_digest"))


class EmailMessage(TenantMixin, Base):
    """A message logged once per Message-ID, and the activities it became."""

    __tablename__ = "email_messages"

    message_id: Mapped[str] = mapped_column(String(998), nullable=False)
    from_address: Mapped[str | None] = mapped_column(String(320))
    to_addresses: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    cc_addresses: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    subject: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    direction: Mapped[str] = mapped_column(String(10), nullable=False)
    activity_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), nullable=False, default=list)
    contact_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), nullable=False, default=list)
    deal_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(Uuid), nullable=False, default=list)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (UniqueConstraint("workspace_id", "message_id"),)
