"""The public side of a form: find it by key, and store what arrived.

A submission is stored before the sender is answered, and a `pending` row is itself the work
owed: workers take pending rows with `FOR UPDATE SKIP LOCKED` (domain.forms.processing), so an
acknowledged submission is always processed, once. Spam and rejected rows are stored too, so an
admin can see what arrived and why it went nowhere, but are never processed.

Intake is the busiest path of the product and is kept to the fewest round trips: a form is
remembered by key for `FormDirectory.TTL` seconds per process, and a submission is one INSERT on
an autocommit connection (its own transaction, durable when it returns), taking `workspace_id`
from the form's row in the same statement so it cannot land outside the form's workspace. No
outbox event and no NOTIFY: a commit that notifies takes a database-wide lock until its WAL is
flushed, which would serialise every submission behind one fsync. A post carrying an
Idempotency-Key is stored in a transaction inside the form's workspace instead, because its
replay must commit with it.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    DateTime,
    LargeBinary,
    String,
    Text,
    Uuid,
    bindparam,
    cast,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from domain.db import APP_ROLE
from domain.models import Form, FormSubmission

# Headers worth keeping with a submission: what it was, where from, and how it was signed.
KEPT_HEADERS = (
    "content-type",
    "content-length",
    "user-agent",
    "referer",
    "origin",
    "accept",
    "idempotency-key",
    "rapport-signature",
    "x-forwarded-for",
)


@dataclass(frozen=True)
class PublicForm:
    """What the intake needs of a form, read as plain columns (the intake is the busiest path)."""

    id: uuid.UUID
    workspace_id: uuid.UUID
    secret: str | None
    allowed_origins: list[str]
    thank_you_url: str | None
    field_mapping: dict[str, str]


_COLUMNS = (
    Form.id,
    Form.workspace_id,
    Form.secret,
    Form.allowed_origins,
    Form.thank_you_url,
    Form.field_mapping,
)


def _usable(key: str) -> bool:
    return bool(key) and len(key) <= 64


_BY_KEY = select(*_COLUMNS).where(Form.key == bindparam("key"))


def intake_engine(url: str, *, pool_size: int) -> AsyncEngine:
    """Autocommit connections for the intake: a statement is its own transaction.

    No pre-ping (a round trip per checkout, on a path of two): a connection found dead is
    replaced and the statement run once more (`_first_row`).
    """
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        isolation_level="AUTOCOMMIT",
        connect_args={"server_settings": {"application_name": "rapport-intake"}},
    )


async def _first_row(engine: AsyncEngine, statement: Any, params: dict[str, Any]) -> Any:
    """Run one autocommit statement; once more on a fresh connection when the pooled one was dead."""
    try:
        async with engine.connect() as connection:
            return (await connection.execute(statement, params)).first()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    async with engine.connect() as connection:
        return (await connection.execute(statement, params)).first()


class FormDirectory:
    """Public forms by key, remembered briefly per process: a change or a deletion is seen within
    TTL seconds everywhere (at once in the process that made it, through `forget`)."""

    TTL = 2.0

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._known: dict[str, tuple[float, PublicForm]] = {}

    async def find(self, key: str) -> PublicForm | None:
        known = self._known.get(key)
        if known is not None and time.monotonic() - known[0] < self.TTL:
            return known[1]
        row = await _first_row(self.engine, _BY_KEY, {"key": key}) if _usable(key) else None
        form = PublicForm(*row) if row is not None else None
        if form is None:
            self._known.pop(key, None)
        else:
            if len(self._known) > 10_000:
                self._known.clear()
            self._known[key] = (time.monotonic(), form)
        return form

    def forget(self, key: str) -> None:
        self._known.pop(key, None)


# Built once: constructing statements is a measurable part of a submission's cost.
_ENTER_BY_KEY = select(
    *_COLUMNS,
    func.set_config("role", APP_ROLE, True),
    func.set_config("rapport.workspace_id", cast(Form.workspace_id, Text), True),
).where(Form.key == bindparam("key"))
_INSERT_SUBMISSION = insert(FormSubmission)
_STORED_COLUMNS = (
    "id",
    "workspace_id",
    "form_id",
    "status",
    "reason",
    "received_at",
    "source_ip",
    "content_type",
    "headers",
    "raw_body",
    "fields",
    "lead",
    "attempts",
)
# The workspace comes from the form's row: the row cannot land in any other workspace, and none
# lands at all for a form deleted since it was looked up.
_INSERT_FOR_FORM = (
    insert(FormSubmission)
    .from_select(
        list(_STORED_COLUMNS),
        select(
            bindparam("id", type_=Uuid),
            Form.workspace_id,
            Form.id,
            bindparam("status", type_=String),
            bindparam("reason", type_=Text),
            bindparam("received_at", type_=DateTime(timezone=True)),
            bindparam("source_ip", type_=String),
            bindparam("content_type", type_=String),
            bindparam("headers", type_=JSONB),
            bindparam("raw_body", type_=LargeBinary),
            bindparam("fields", type_=JSONB),
            bindparam("lead", type_=JSONB),
            literal(0),
        ).where(Form.id == bindparam("form_id", type_=Uuid)),
    )
    .returning(FormSubmission.id)
)


async def enter_form_workspace_by_key(session: AsyncSession, key: str) -> PublicForm | None:
    """Find the form by its key across workspaces and enter that form's workspace, in one statement.

    The look-up runs on the connecting role (its row-level security was settled when the statement
    was planned); for the row found, the same statement sets what `domain.db.enter_workspace`
    sets, transaction-locally: the role `rapport_app` (`set_config('role', ..., true)` is `SET
    LOCAL ROLE`) and `rapport.workspace_id`. Everything after it in the transaction is inside the
    form's workspace.
    """
    if not _usable(key):
        return None
    row = (await session.execute(_ENTER_BY_KEY, {"key": key})).first()
    return PublicForm(*row[: len(_COLUMNS)]) if row is not None else None


def kept_headers(headers: Any) -> dict[str, str]:
    return {name: str(headers[name])[:2000] for name in KEPT_HEADERS if name in headers}


@dataclass
class Arrival:
    """What arrived, as it is kept: with the form it came to, when, from where, and how."""

    form: PublicForm
    received_at: datetime
    source_ip: str | None
    content_type: str | None
    headers: dict[str, str]
    raw_body: bytes

    def row(
        self,
        *,
        status: str,
        reason: str | None,
        fields: dict[str, Any],
        lead: dict[str, Any] | None,
        submission_id: uuid.UUID,
    ) -> dict[str, Any]:
        return {
            "id": submission_id,
            "workspace_id": self.form.workspace_id,
            "form_id": self.form.id,
            "status": status,
            "reason": reason,
            "received_at": self.received_at,
            "source_ip": self.source_ip,
            "content_type": (self.content_type or "")[:200] or None,
            "headers": self.headers,
            "raw_body": self.raw_body,
            "fields": fields,
            "lead": lead or {},
            "attempts": 0,
        }


async def store_submission_across_workspaces(
    engine: AsyncEngine,
    arrival: Arrival,
    *,
    status: str,
    reason: str | None,
    fields: dict[str, Any],
    lead: dict[str, Any] | None,
) -> uuid.UUID | None:
    """One INSERT, committed when it returns; None when the form was deleted meanwhile."""
    submission_id = uuid.uuid4()
    row = arrival.row(status=status, reason=reason, fields=fields, lead=lead, submission_id=submission_id)
    del row["workspace_id"]
    try:
        stored = await _first_row(engine, _INSERT_FOR_FORM, row)
    except IntegrityError:
        # Only the second run of a statement whose connection died can meet its own id: the
        # first had committed before the connection went.
        return submission_id
    return submission_id if stored is not None else None


async def store_submission(
    session: AsyncSession,
    arrival: Arrival,
    *,
    status: str,
    reason: str | None,
    fields: dict[str, Any],
    lead: dict[str, Any] | None,
) -> uuid.UUID:
    """Write the submission in the caller's transaction (inside the form's workspace)."""
    submission_id = uuid.uuid4()
    await session.execute(
        _INSERT_SUBMISSION,
        arrival.row(status=status, reason=reason, fields=fields, lead=lead, submission_id=submission_id),
    )
    return submission_id
