"""Data hygiene and imports: import jobs (their file, progress and failed rows), near-duplicate
candidates, and the fields a workspace requires.

An import's file lives in PostgreSQL (`import_chunks`, a few MiB per row) so any worker can read
it, it survives restarts, and it is deleted with the import; the worker streams it chunk by chunk.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from domain.models.base import Base, TenantMixin
from domain.models.crm import Account, Contact


def _workspace() -> Mapped[uuid.UUID]:
    return mapped_column(Uuid, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False)


class Import(TenantMixin, Base):
    """One uploaded CSV and the job that brings it in; counts and `position` move per batch."""

    __tablename__ = "imports"

    object: Mapped[str] = mapped_column(String(20), nullable=False)
    status: Mapped[str] = mapped_column(String(10), nullable=False, default="queued")
    dry_run: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    on_duplicate: Mapped[str] = mapped_column(String(10), nullable=False, default="merge")
    filename: Mapped[str | None] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # What the file turned out to be: encoding, delimiter, header line, header cells.
    encoding: Mapped[str | None] = mapped_column(String(20))
    delimiter: Mapped[str | None] = mapped_column(String(1))
    header_index: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    columns: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=list)
    mapping: Mapped[dict[str, str | None]] = mapped_column(JSONB, nullable=False, default=dict)
    preview: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False, default=list)
    total: Mapped[int | None] = mapped_column(Integer)
    # Records after the header already written (blank ones included): where a rerun resumes.
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    processed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    merged: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    skipped: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failed: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # The lease: whoever holds `attempt` may write batches until `lease_until`; a dispatcher
    # hands an import whose lease ran out (its worker died) to a new attempt.
    attempt: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Near-duplicate flags for what the import wrote are computed after the rows are in.
    scanned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("workspace_id", "id"),
        CheckConstraint("object IN ('contacts', 'accounts', 'deals')", name="object_valid"),
        CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status_valid"),
        CheckConstraint("on_duplicate IN ('skip', 'merge', 'create')", name="on_duplicate_valid"),
        Index("ix_imports_workspace_created", "workspace_id", "created_at", "id"),
        # The dispatcher's sweep: only unfinished imports (and finished ones not yet scanned).
        Index(
            "ix_imports_pending",
            "lease_until",
            postgresql_where=text("status IN ('queued', 'running') OR scanned_at IS NULL"),
        ),
    )


class ImportChunk(Base):
    __tablename__ = "import_chunks"

    workspace_id: Mapped[uuid.UUID] = _workspace()
    import_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)

    __table_args__ = (
        PrimaryKeyConstraint("workspace_id", "import_id", "seq"),
        ForeignKeyConstraint(
            ["workspace_id", "import_id"], ["imports.workspace_id", "imports.id"], ondelete="CASCADE"
        ),
    )


class ImportRowError(Base):
    """A failed row: its number (1 is the first row under the header), why, and its cells."""

    __tablename__ = "import_errors"

    workspace_id: Mapped[uuid.UUID] = _workspace()
    import_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    row: Mapped[int] = mapped_column(Integer, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    values: Mapped[list[str]] = mapped_column(JSONB, nullable=False)

    __table_args__ = (
        PrimaryKeyConstraint("workspace_id", "import_id", "row"),
        ForeignKeyConstraint(
            ["workspace_id", "import_id"], ["imports.workspace_id", "imports.id"], ondelete="CASCADE"
        ),
    )


class _DuplicatePair:
    """Two live records that look like one: `record_id` the older, `other_id` the newer."""

    record_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    other_id: Mapped[uuid.UUID] = mapped_column(Uuid, nullable=False)
    score: Mapped[int] = mapped_column(SmallInteger, nullable=False)
    reasons: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # A person said "not the same": the pair is never flagged again.
    dismissed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    dismissed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class ContactDuplicate(_DuplicatePair, Base):
    __tablename__ = "contact_duplicates"

    workspace_id: Mapped[uuid.UUID] = _workspace()

    __table_args__ = (
        PrimaryKeyConstraint("workspace_id", "record_id", "other_id"),
        # Deleting either contact drops the pair; a merge deletes the pairs it settles.
        ForeignKeyConstraint(
            ["workspace_id", "record_id"], ["contacts.workspace_id", "contacts.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["workspace_id", "other_id"], ["contacts.workspace_id", "contacts.id"], ondelete="CASCADE"
        ),
        Index("ix_contact_duplicates_other", "workspace_id", "other_id"),
    )


class AccountDuplicate(_DuplicatePair, Base):
    __tablename__ = "account_duplicates"

    workspace_id: Mapped[uuid.UUID] = _workspace()

    __table_args__ = (
        PrimaryKeyConstraint("workspace_id", "record_id", "other_id"),
        ForeignKeyConstraint(
            ["workspace_id", "record_id"], ["accounts.workspace_id", "accounts.id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["workspace_id", "other_id"], ["accounts.workspace_id", "accounts.id"], ondelete="CASCADE"
        ),
        Index("ix_account_duplicates_other", "workspace_id", "other_id"),
    )


class RequiredFields(Base):
    """What a workspace demands of one kind of record: each rule is a list of alternatives."""

    __tablename__ = "required_fields"

    workspace_id: Mapped[uuid.UUID] = _workspace()
    object: Mapped[str] = mapped_column(String(20), nullable=False)
    rules: Mapped[list[list[str]]] = mapped_column(JSONB, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        PrimaryKeyConstraint("workspace_id", "object"),
        CheckConstraint("object IN ('contacts', 'accounts', 'deals')", name="object_valid"),
    )


# Near-duplicate candidates of a contact are its email domain's newest contacts: one backward
# index walk, however many thousands a big customer's domain holds.
CONTACTS_BY_EMAIL_DOMAIN = Index(
    "ix_contacts_workspace_email_domain",
    Contact.workspace_id,
    text("split_part(email, '@', 2)"),
    Contact.created_at,
    postgresql_where=text("email IS NOT NULL"),
)
# Imports link a `company` cell to an account by its name, in any case.
ACCOUNTS_BY_LOWER_NAME = Index("ix_accounts_workspace_lower_name", Account.workspace_id, text("lower(name)"))
